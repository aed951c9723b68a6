"""``solve``: the day's problem in, routes, summary and unassigned shipments out.

The pipeline, each stage a function below, all cut from one ``Budget``:

1. ``_screen``: each shipment tried alone on every van (``optimizer.diagnose``; a locked
   one on its van only, and then the locked orders, ``diagnose.unlockable``); those no
   van can serve are reported with their reason and not searched. This stage also
   measures how fast the machine runs now (``Budget.slowdown``).
2. ``_start``: the plan to start from: ``initial_routes``, or a specialist's
   (``optimizer._warm``), cut until it keeps the locks (``optimizer._locks.cut``); with
   neither, the locks themselves (``optimizer._locks.skeleton``).
3. ``_search``: OR-Tools from that plan (``optimizer._ortools``), or the start plan kept
   when there is no time to search or the search found nothing better.
4. ``serve_first`` (``optimizer._serve``): locked shipments first, then holds, before
   anything deferrable, in the answer.
5. ``_answer``: each route timed once (``optimizer._simulate``) into steps, the reasons of
   what is left out, the summary.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from optimizer._budget import Budget, Stopwatch, useful_seconds
from optimizer._locks import (
    cut,
    is_locked,
    lock_name,
    locked_whole,
    skeleton,
    with_shipments,
    with_skeleton,
)
from optimizer._ortools import RawSolution, plan_objective, solve_routing, stall_window
from optimizer._plan import Plan, from_planned, route_visits, to_planned
from optimizer._serve import Served, serve_first
from optimizer._simulate import Timing, best_timing
from optimizer._warm import WarmPlan, default_starters, warm_plan
from optimizer.check import lock_violations
from optimizer.diagnose import alone, deferred, unlockable
from optimizer.errors import ProblemError
from optimizer.model import PlannedRoute, Problem, Shipment, Van, Visit, VisitType
from optimizer.params import SolveParams
from optimizer.result import (
    Result,
    Route,
    SolveStats,
    Step,
    StepType,
    Summary,
    Unassigned,
    UnassignedReason,
    VanUse,
)

POLISH_SHARE = 0.3
"""Of the warm-start budget, the part left to PyVRP's polish of VROOM's plan."""

TIMING_SECONDS_PER_SHIPMENT = 0.0006
"""Timing the answer's routes into steps, per shipment on an idle core (0.63 s for 800
shipments measured with the timing and a check; the check now reuses the timing)."""

REPAIR_SECONDS_PER_SHIPMENT = 0.0006
"""Kept back for the final repair (``serve_first``), per shipment on an idle core."""

REPAIR_SECONDS_PER_HOLD_VISIT = 0.002
"""Putting one hold into a van's route, per visit of the route, on an idle core (0.6 s for
routes of 300 visits on the demo day)."""

LOCK_SCREEN_SHARE = 0.25
"""Most of the budget the test of the locked orders may take (``diagnose.unlockable``); the
shipments it has not reached by then go to the search untested."""

BUILD_SECONDS_PER_SHIPMENT = 0.008
"""Building the OR-Tools model and restoring a warm start, per shipment on an idle core
(3.3 ms to build at 400, measured): with less time than this left, a specialist's plan
is the answer as it is."""


SEARCH_WINDOWS = 1.0
"""OR-Tools after a specialist gets at most this many stall windows
(``optimizer._ortools.stall_window``) besides its build: one shows whether it can improve
the plan (on the 200-task Li & Lim set all 18 stalled in it, 5.5 s of 30 unused); when it
does, it keeps the better plan it has by the deadline."""


@dataclass(frozen=True, slots=True)
class Screened:
    """The shipments some van can serve alone, as a problem of their own."""

    problem: Problem  # the day's problem with only those shipments
    allowed: tuple[tuple[int, ...], ...]  # per shipment of ``problem``: the vans that can
    unassigned: dict[str, Unassigned]  # the others, with their reason
    budget: Budget  # with the slowdown measured


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    initial_routes: Sequence[PlannedRoute] | None = None,
    params: SolveParams | None = None,
) -> Result:
    """Plan the day's routes.

    The objective, in order: serve every non-deferrable shipment that can be
    served; then every deferrable one a van has room for (the higher
    ``penalty * (1 + priority)``, the sooner); then use the fewest vans; then
    the least cost (distance times ``cost_per_km``, travel time times
    ``cost_per_hour``, the vans' fixed costs). A deferrable shipment thus waits
    for tomorrow only when today's vans have no room for it
    (``deferred_capacity``), never merely to save a van's cost. The first tier
    holds in the answer, not only in the search's weights: a final repair
    (``optimizer._serve``) puts each hold left out on a van, setting deferrable
    work aside, unless no van has room for it even then. Service times, windows,
    lunch closures and breaks follow the rules stated in ``optimizer._simulate``;
    a site's ``service_duration`` is paid once per stop, so consecutive visits of
    one type at one site are merged into one step.

    Locks (``Problem.locks``, a dispatcher's fixed stops) rank above all of that:
    each locked shipment rides on its lock's van, the locked visits of a lock keep
    their order, and other visits go before, between and after them. A locked
    shipment is served before holds and anything deferrable; one that cannot be
    served as locked (its windows, capacity or the shift make the locked order
    infeasible) is unassigned as ``lock_infeasible``, the detail naming the lock and
    why. ``initial_routes`` with ``locks`` is the re-plan: the edited plan is the
    start, cut where it breaks a lock.

    How: see the module docstring. The specialist (PyVRP when it can express the
    problem, VROOM otherwise, then polished by PyVRP) gets
    ``params.warm_start_share`` of the budget (more when the rest would exceed OR-Tools'
    build and stall window), OR-Tools the rest; on days too big
    to build and search in what would be left, the specialist gets it all and
    its plan is the answer.

    Time: the answer comes within about ``time_limit`` seconds of wall-clock
    time, also on a busy machine: every stage has a deadline, VROOM runs in a
    child process stopped at its own, and the time kept back for the stages
    that cannot be cut is scaled by the slowdown measured in the first one. A
    ``time_limit`` longer than can be useful for the day's size
    (``optimizer._budget.useful_seconds``) is cut to it, and the search stops
    once it has stalled, so a small day returns early whatever it was given.

    Determinism: OR-Tools' routing search is single-threaded and has no random
    seed. With ``params.work_limit`` set the search stops after that many
    solutions and no warm-start solver is used, so the same problem, seed and
    ``work_limit`` give the same plan, provided ``time_limit`` (kept as a safety
    net) is not reached first: ``Result.stats.stopped_by`` says which limit
    stopped the search. ``seed`` only seeds PyVRP (VROOM has no seed).

    Parameters
    ----------
    problem
        The day's problem.
    time_limit
        Wall-clock budget in seconds, for everything (> 0, finite).
    seed
        Seed of the PyVRP warm start.
    initial_routes
        A plan to start from (a dispatcher's, or yesterday's). Unknown van or
        shipment ids raise ``ProblemError``; a plan that is otherwise
        infeasible is ignored (in part or whole) and noted in
        ``Result.stats.notes``.
    params
        Search parameters; ``SolveParams()`` by default.

    Returns
    -------
    Result
        Every shipment is in exactly one route or in ``Result.unassigned``
        with a reason; ``Result.stats`` (``SolveStats``) says how.
    """
    began = time.perf_counter()
    params = params if params is not None else SolveParams()
    _check_arguments(time_limit, seed)
    if initial_routes is not None:
        _validate_ids(problem, initial_routes)
    notes: list[str] = []
    # A break that cannot be taken within its van's shift would make the van
    # unusable: it is left out of the plan, and said so in the notes.
    problem = _without_impossible_breaks(problem, notes)
    limit = min(float(time_limit), useful_seconds(len(problem.shipments)))
    screened = _screen(problem, Budget.start(limit, began=began))
    budget = screened.budget
    n = len(screened.problem.shipments)
    answer_budget = budget.reserve(budget.scaled(0.02 + TIMING_SECONDS_PER_SHIPMENT * n))
    search_budget = answer_budget.reserve(budget.scaled(0.1 + REPAIR_SECONDS_PER_SHIPMENT * n))
    start, warm = _start(screened, search_budget, seed, initial_routes, params, notes)
    # Holds the start plan left out may fall to the repair: time kept back for them.
    search_budget = search_budget.reserve(_repair_seconds(screened.problem, start, budget))
    raw = _search(screened, search_budget, params, start)
    notes.extend(raw.notes)
    served = serve_first(
        screened.problem, raw.routes, screened.allowed, deadline=answer_budget.deadline
    )
    stats = SolveStats(
        time_limit=round(limit, 3),
        slowdown=round(budget.slowdown, 3),
        prefiltered=len(screened.unassigned),
        warm_start_source=("initial_routes" if initial_routes else warm.source if warm else "none"),
        warm_start_seconds=round(warm.seconds, 3) if warm else 0.0,
        polish=warm.polish if warm else "none",
        warm_start=raw.warm_start,
        status=raw.status,
        objective=raw.objective,
        solutions=raw.solutions,
        stopped_by=raw.stopped_by,
        build_seconds=round(raw.build_seconds, 3),
        search_seconds=round(raw.search_seconds, 3),
        first_solution_seconds=(
            None if raw.first_solution_at is None else round(raw.first_solution_at - began, 3)
        ),
        repaired=len(served.placed),
        displaced=len(served.displaced),
        notes=tuple(notes),
    )
    return _answer(problem, screened, served, stats, began)


def _repair_seconds(problem: Problem, start: Plan | None, budget: Budget) -> float:
    """What putting in the holds ``start`` left out may take (at most half what is left):
    ``REPAIR_SECONDS_PER_HOLD_VISIT`` for each visit of a route it may go into."""
    if not start:
        return 0.0
    served = {k for route in start for k, _ in route.visits}
    left_out = sum(
        1
        for k, s in enumerate(problem.shipments)
        if (not s.deferrable or is_locked(problem, s)) and k not in served
    )
    longest = max(len(route.visits) for route in start)
    need = budget.scaled(REPAIR_SECONDS_PER_HOLD_VISIT * longest * left_out)
    return min(need, 0.5 * budget.left())


def _check_arguments(time_limit: float, seed: int) -> None:
    if isinstance(time_limit, bool) or not isinstance(time_limit, int | float):
        raise ValueError(f"solve time_limit must be a number of seconds, got {time_limit!r}")
    if not time_limit > 0 or not math.isfinite(time_limit):
        raise ValueError(f"solve time_limit must be > 0 and finite, got {time_limit!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"solve seed must be an integer, got {seed!r}")


def _screen(problem: Problem, budget: Budget) -> Screened:
    """Stage 1: the alone test of every shipment, and the machine's pace while it ran."""
    watch = Stopwatch()
    kept: list[Shipment] = []
    allowed: list[tuple[int, ...]] = []
    unassigned: dict[str, Unassigned] = {}
    for shipment in problem.shipments:
        result = alone(problem, shipment)
        if result.reason is None:
            kept.append(shipment)
            allowed.append(result.vans)
        else:
            unassigned[shipment.id] = Unassigned(shipment.id, result.reason, result.detail)
    screened = with_shipments(problem, kept)
    if problem.locked_van:
        deadline = budget.began + LOCK_SCREEN_SHARE * budget.limit
        out = unlockable(screened, deadline=deadline)
        for k, detail in out.items():
            sid = kept[k].id
            unassigned[sid] = Unassigned(sid, UnassignedReason.LOCK_INFEASIBLE, detail)
        if out:
            allowed = [vans for k, vans in enumerate(allowed) if k not in out]
            kept = [s for k, s in enumerate(kept) if k not in out]
            screened = with_shipments(problem, kept)
    return Screened(
        problem=screened,
        allowed=tuple(allowed),
        unassigned=unassigned,
        budget=budget.measured(watch.wall(), watch.cpu()),
    )


def _start(
    screened: Screened,
    budget: Budget,
    seed: int,
    initial_routes: Sequence[PlannedRoute] | None,
    params: SolveParams,
    notes: list[str],
) -> tuple[Plan | None, WarmPlan | None]:
    """Stage 2: the plan to start from, and the specialists' report when they made it."""
    problem = screened.problem
    if initial_routes:
        return cut(problem, from_planned(problem, initial_routes, notes), notes), None
    if locked_whole(problem) or not (
        params.warm_start and params.work_limit is None and problem.shipments
    ):
        locks = skeleton(problem)
        return (locks, WarmPlan(source="locks")) if locks else (None, None)
    available = budget.left()
    share = available * params.warm_start_share
    # OR-Tools from a specialist's plan stops once it has not improved on it for its stall
    # window; given more than building the model and that window, it ends early when the
    # plan is already good, and the time is lost: the specialist gets it instead.
    searching = budget.scaled(SEARCH_WINDOWS * stall_window(problem)) + budget.scaled(
        BUILD_SECONDS_PER_SHIPMENT * len(problem.shipments)
    )
    share = max(share, available - searching)
    if available - share < budget.scaled(BUILD_SECONDS_PER_SHIPMENT * len(problem.shipments)):
        # Too big a day for OR-Tools to build and search in what would be left: the
        # specialists get all the time but a check of their plan's every route by our
        # rules (``_kept``), and their plan is the answer.
        budget = budget.reserve(budget.scaled(TIMING_SECONDS_PER_SHIPMENT * len(problem.shipments)))
        share = budget.left()
    # The specialists aim at their share; one with no plan yet may go on to the search's
    # deadline (OR-Tools alone is no match for them on a big day).

    def judge(routes: Sequence[PlannedRoute]) -> int:
        return plan_objective(problem, from_planned(problem, routes, []))

    warm = warm_plan(problem, budget.aiming(share), seed, default_starters(judge, POLISH_SHARE))
    notes.extend(warm.notes)
    plan = cut(problem, from_planned(problem, warm.routes, notes), notes) if warm.routes else ()
    if problem.locked_van:
        # The locks themselves are a plan: the start for the vans where they serve more.
        locks = with_skeleton(problem, plan)
        if locks != plan:
            source = f"{warm.source} and locks" if plan else "locks"
            warm = dataclasses.replace(warm, source=source)
        plan = locks
    return plan or None, warm


def _search(
    screened: Screened,
    budget: Budget,
    params: SolveParams,
    start: Plan | None,
) -> RawSolution:
    """Stage 3: OR-Tools from ``start``; the start plan (a specialist's, or the dispatcher's
    ``initial_routes``: the re-plan's fallback) kept when it is better, or when there is no
    time to search, provided every route of it keeps every rule (``_kept``)."""
    problem = screened.problem
    if not problem.shipments:
        return RawSolution(stopped_by="nothing to plan")
    if start and locked_whole(problem) and _visits(start) == 2 * len(problem.shipments):
        kept = _kept(problem, start, "kept (every visit is locked: nothing to search)")
        if kept is not None:
            return kept
    build = budget.scaled(BUILD_SECONDS_PER_SHIPMENT * len(problem.shipments))
    if budget.left() < build:
        # No time to build the OR-Tools model: the start plan is the answer, or (with none,
        # or one breaking a rule) the final repair builds one, locks and holds first.
        kept = _kept(problem, start, "kept (no time left to search)") if start else None
        return kept if kept is not None else RawSolution(stopped_by="not searched (no time left)")
    raw = solve_routing(
        problem, screened.allowed, deadline=budget.deadline, params=params, initial=start
    )
    if start and (raw.objective is None or plan_objective(problem, start) < raw.objective):
        # OR-Tools could not restore the start plan in time, or found worse.
        kept = _kept(problem, start, "kept (the search found nothing better)", raw)
        if kept is not None:
            return kept
    return raw


def _visits(plan: Plan) -> int:
    return sum(len(route.visits) for route in plan)


def _kept(
    problem: Problem, plan: Plan, why: str, searched: RawSolution | None = None
) -> RawSolution | None:
    """``plan`` as the search's answer (the search's figures kept); ``None`` if one of
    its routes breaks a rule."""
    for route in plan:
        van = problem.vans[route.van]
        if best_timing(problem, van, route_visits(problem, route)).issues:
            return None
    base = searched if searched is not None else RawSolution(stopped_by="not searched")
    served = {k for route in plan for k, _ in route.visits}
    return dataclasses.replace(
        base,
        routes=plan,
        dropped=tuple(k for k in range(len(problem.shipments)) if k not in served),
        objective=plan_objective(problem, plan),
        warm_start=why,
    )


def _answer(
    problem: Problem, screened: Screened, served: Served, stats: SolveStats, began: float
) -> Result:
    """Stage 5: each route timed once into steps; every shipment left out with its reason."""
    sub = screened.problem
    routes: list[Route] = []
    issues: list[str] = []
    for plan_route in served.plan:
        van = sub.vans[plan_route.van]
        visits = route_visits(sub, plan_route)
        timing = best_timing(sub, van, visits, break_gaps=plan_route.gaps())
        issues.extend(f"{issue.kind}: {van.id}: {issue.en}" for issue in timing.issues)
        routes.append(_route(van, visits, timing))
    issues.extend(_structure_issues(sub, served.plan))
    unassigned = dict(screened.unassigned)
    on_route = {k for route in served.plan for k, _ in route.visits}
    nothing = not served.plan and stats.objective is None and bool(sub.shipments)
    searched = not stats.stopped_by.startswith("not searched")
    for k, shipment in enumerate(sub.shipments):
        if k not in on_route:
            unassigned[shipment.id] = _left_out(sub, shipment, k, served, nothing, searched)
    if nothing:
        stats = dataclasses.replace(stats, failure="no solution found within the time limit")
    out_unassigned = tuple(unassigned[s.id] for s in problem.shipments if s.id in unassigned)
    summary = Summary(
        vans_used=len(routes),
        distance=sum(r.distance for r in routes),
        duration=sum(r.duration for r in routes),
        cost=round(sum(r.cost for r in routes), 2),
        planned=sum(len(r.shipments) for r in routes),
        unassigned=len(out_unassigned),
        per_van=tuple(_van_use(problem, r) for r in routes),
    )
    return Result(
        routes=tuple(routes),
        unassigned=out_unassigned,
        summary=summary,
        runtime=round(time.perf_counter() - began, 3),
        stats=dataclasses.replace(stats, self_check=tuple(issues)),
    )


def _left_out(
    problem: Problem, shipment: Shipment, k: int, served: Served, nothing: bool, searched: bool
) -> Unassigned:
    """Why the search and the repair left ``shipment`` (index ``k`` of ``problem``) out.

    A locked one the repair found no room for is ``lock_infeasible`` after a search (which
    drops it only when it finds no place for it, ``LOCK_WEIGHT``), but ``time_limit`` when
    there was no time to search: the repair alone does not move what is already planned.
    The locks certainly infeasible were found before the search (``diagnose.unlockable``);
    what the search and the repair leave out is what they found no place for. Deferrable
    work the repair did not reach is ``time_limit`` too when no search ran: nothing looked
    for room for it (the start plan may be the holds' alone), so "no room" would be a guess."""
    locked = is_locked(problem, shipment)
    if (k in served.untried and (nothing or not searched or not shipment.deferrable or locked)) or (
        locked and not searched
    ):
        return Unassigned(
            shipment.id,
            UnassignedReason.TIME_LIMIT,
            "时间限制内未能安排，请放宽时间限制 / "
            "not planned within the time limit: allow more time",
        )
    if locked:
        van = problem.locked_van[shipment.id]
        name = lock_name(problem, shipment.id)
        return Unassigned(
            shipment.id,
            UnassignedReason.LOCK_INFEASIBLE,
            f"锁定在车辆 {van} 上（{name}），但即使移出该车可延后的调拨，也未能在其线路中找到"
            f"保持锁定顺序的可行位置 / locked on van {van} by {name}, but no place was found on "
            "its route that keeps the locked order, even with its deferrable work set aside",
        )
    if k in served.no_room:
        return Unassigned(
            shipment.id,
            UnassignedReason.DEFERRED_CAPACITY,
            "可单独配送，但即使移出所有可延后的调拨，也没有车辆能容纳 / feasible alone, "
            "but no van has room for it even with all of its deferrable work set aside",
        )
    return deferred(shipment)


def _structure_issues(problem: Problem, plan: Plan) -> list[str]:
    """Each shipment at most once, picked up before it is delivered, on one van; every
    lock kept."""
    locks = lock_violations(problem, to_planned(problem, plan), missing=False)
    out: list[str] = [f"lock: {v.van}: {v.message_en}" for v in locks]
    seen: set[int] = set()
    for route in plan:
        picked: set[int] = set()
        for k, vtype in route.visits:
            if vtype == VisitType.PICKUP:
                if k in seen:
                    out.append(f"duplicate: {problem.shipments[k].id} planned twice")
                seen.add(k)
                picked.add(k)
            elif k not in picked:
                out.append(f"precedence: {problem.shipments[k].id} delivered before pickup")
            else:
                picked.discard(k)
        out.extend(f"precedence: {problem.shipments[k].id} never delivered" for k in picked)
    return out


def planned_routes(routes: Sequence[Route]) -> list[PlannedRoute]:
    """The visits of ``routes`` as ``PlannedRoute``, for ``check`` or a warm start."""
    out = []
    for route in routes:
        visits = [
            Visit(sid, VisitType(step.type.value))
            for step in route.steps
            if step.type in (StepType.PICKUP, StepType.DELIVERY)
            for sid in step.shipments
        ]
        out.append(PlannedRoute(route.van, tuple(visits)))
    return out


def _without_impossible_breaks(problem: Problem, notes: list[str]) -> Problem:
    vans = []
    for van in problem.vans:
        breaks = []
        for brk in van.breaks:
            windows = tuple(
                w
                for w in brk.time_windows
                if max(w.early, van.shift.early) <= min(w.late, van.shift.late - brk.duration)
            )
            if windows:
                breaks.append(dataclasses.replace(brk, time_windows=windows))
            else:
                notes.append(
                    f"break {brk.id} of van {van.id} cannot be taken within its shift: ignored"
                )
        vans.append(dataclasses.replace(van, breaks=tuple(breaks)))
    if all(a == b for a, b in zip(vans, problem.vans, strict=True)):
        return problem
    return dataclasses.replace(problem, vans=tuple(vans))


def _validate_ids(problem: Problem, routes: Sequence[PlannedRoute]) -> None:
    vans = {v.id for v in problem.vans}
    shipments = {s.id for s in problem.shipments}
    for r, route in enumerate(routes):
        if route.van not in vans:
            raise ProblemError(f"initial_routes[{r}].van names an unknown van {route.van!r}")
        for i, visit in enumerate(route.visits):
            if visit.shipment not in shipments:
                raise ProblemError(
                    f"initial_routes[{r}].visits[{i}].shipment names an unknown shipment "
                    f"{visit.shipment!r}"
                )


def _route(van: Van, visits: Sequence[tuple[Shipment, VisitType]], timing: Timing) -> Route:
    zero = tuple(0 for _ in van.capacity)
    steps = [
        Step(
            StepType.START,
            van.start,
            arrival=timing.start,
            service_start=timing.start,
            departure=timing.start,
            load=zero,
        )
    ]
    breaks_after: dict[int, list[Step]] = {}
    for bt in sorted(timing.breaks, key=lambda b: b.start):
        breaks_after.setdefault(bt.gap, []).append(
            Step(
                StepType.BREAK,
                bt.site,
                arrival=bt.start,
                service_start=bt.start,
                departure=bt.start + bt.brk.duration,
                load=bt.load,
                distance=bt.distance,
                break_id=bt.brk.id,
            )
        )
    steps.extend(breaks_after.get(-1, []))
    i = 0
    while i < len(visits):
        j = i  # the step covers visits i..j: one site, one type, no wait, no break between
        while (
            j + 1 < len(visits)
            and j not in breaks_after
            and visits[j + 1][1] == visits[i][1]
            and _site(visits[j + 1]) == _site(visits[i])
            and timing.visits[j + 1].service_start == timing.visits[j].end
        ):
            j += 1
        first, last = timing.visits[i], timing.visits[j]
        steps.append(
            Step(
                StepType(visits[i][1].value),
                _site(visits[i]),
                tuple(visits[m][0].id for m in range(i, j + 1)),
                arrival=first.arrival,
                waiting=first.waiting,
                service_start=first.service_start,
                departure=last.departure,
                load=last.load,
                distance=first.distance,
            )
        )
        steps.extend(breaks_after.get(j, []))
        i = j + 1
    steps.append(
        Step(
            StepType.END,
            van.end_site,
            arrival=timing.end,
            service_start=timing.end,
            departure=timing.end,
            load=timing.visits[-1].load if timing.visits else zero,
            distance=timing.distance,
        )
    )
    cost = van.fixed_cost + timing.distance / 1000 * van.cost_per_km
    cost += timing.travel / 3600 * van.cost_per_hour
    return Route(
        van=van.id,
        steps=tuple(steps),
        distance=timing.distance,
        duration=timing.duration,
        cost=round(cost, 2),
    )


def _site(visit: tuple[Shipment, VisitType]) -> str:
    shipment, vtype = visit
    return shipment.pickup if vtype == VisitType.PICKUP else shipment.delivery


def _van_use(problem: Problem, route: Route) -> VanUse:
    van = next(v for v in problem.vans if v.id == route.van)
    peak = [max(step.load[d] for step in route.steps) for d in range(len(van.capacity))]
    return VanUse(
        van=route.van,
        distance=route.distance,
        duration=route.duration,
        utilisation=tuple(
            round(p / c, 4) if c else 0.0 for p, c in zip(peak, van.capacity, strict=True)
        ),
    )
