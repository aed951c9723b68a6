"""``solve``: the day's problem in, routes, summary and unassigned shipments out."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence

from optimizer._ortools import RawRoute, RawSolution, RawVisit, plan_objective, solve_routing
from optimizer._simulate import Timing, best_timing, place_breaks
from optimizer.check import ViolationKind, annotate
from optimizer.diagnose import alone, deferred
from optimizer.errors import ProblemError
from optimizer.model import PlannedRoute, Problem, Shipment, Van, Visit, VisitType
from optimizer.params import SolveParams
from optimizer.result import (
    Result,
    Route,
    Step,
    StepType,
    Summary,
    Unassigned,
    UnassignedReason,
    VanUse,
)

WarmStart = Callable[..., "list[PlannedRoute] | None"]


def _optional_warm_starts() -> list[tuple[str, WarmStart]]:
    """The specialist solvers installed, best first for the problems they can express:
    PyVRP (one window per visit, no breaks: it declines the rest), then VROOM (several
    windows, breaks, skills). Either may be missing: OR-Tools then searches alone."""
    found: list[tuple[str, WarmStart]] = []
    try:
        from optimizer._pyvrp import warm_start as pyvrp_warm_start

        found.append(("pyvrp", pyvrp_warm_start))
    except ImportError:
        pass
    try:
        from optimizer._vroom import warm_start as vroom_warm_start

        found.append(("vroom", vroom_warm_start))
    except ImportError:
        pass
    return found


WARM_STARTS: list[tuple[str, WarmStart]] = _optional_warm_starts()


def _optional_polish() -> WarmStart | None:
    try:
        from optimizer._pyvrp import polish
    except ImportError:
        return None
    return polish


POLISH: WarmStart | None = _optional_polish()
"""PyVRP's polish of VROOM's plan (``optimizer._pyvrp.polish``), when PyVRP is installed."""

POLISH_SHARE = 0.3
"""Of the warm-start budget, the part VROOM leaves to the polish when its search effort
is expected to finish without it (``optimizer._vroom.warm_start``'s ``leave``); the polish
gets whatever VROOM left. Measured on the Beilin benchmark at 10 s (VROOM without breaks):
200 sites 2883 to 2875 yuan; 400 sites at 5 s, 6101 to 6094."""

POST_SECONDS_PER_SHIPMENT = 0.0012
"""Timing and checking the plan after the search, per shipment (0.63 s for 800 measured, with
the faster timing of 2026-11-26; kept with a margin: the polish re-times its plan too)."""

SEARCH_SECONDS_PER_SHIPMENT = 0.008
"""Less time than this per shipment left for OR-Tools, and a warm start is kept as it is."""


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
    (``deferred_capacity``), never merely to save a van's cost. Service
    times, windows, lunch closures and breaks follow the rules stated in
    ``optimizer._simulate``; in particular a site's ``service_duration`` is
    paid once per stop, so consecutive visits of one type at one site are
    merged into one step.

    How: each shipment is first tried alone on every van
    (``optimizer.diagnose``); those no van can serve are reported with their
    reason and not searched. The rest go to OR-Tools' routing solver
    (``optimizer._ortools``), started from ``initial_routes`` or, when
    ``params.warm_start``, from the plan a specialist solver finds in
    ``params.warm_start_share`` of the time budget: PyVRP when it can express
    the problem (one window per visit, no breaks: Li & Lim's kind), VROOM
    otherwise (lunch closures, breaks, skills; VROOM plans without the breaks,
    which our timing then places, usually in a lunch closure; the plan is then
    polished by PyVRP with each visit's window fixed, ``POLISH``); see
    ``WARM_STARTS``. On big days (``SEARCH_SECONDS_PER_SHIPMENT``) the warm
    start and its polish get the whole budget and their plan is the answer. Step times are
    then recomputed by forward simulation (earliest service start) with the
    breaks where the solver put them, and the plan is checked with ``check``;
    ``Result.stats["self_check"]`` lists anything it found (expected empty).

    Determinism: OR-Tools' routing search is single-threaded and has no random
    seed, so it is deterministic except for where the time limit cuts it. With
    ``params.work_limit`` set the search stops after that many solutions and
    no warm-start solver is used, so the same problem, seed and ``work_limit`` give the
    same plan, provided ``time_limit`` (kept as a safety net) is not reached
    first: ``Result.stats["stopped_by"]`` says which limit stopped the search.
    ``seed`` only seeds the PyVRP warm start (VROOM has no seed).

    Parameters
    ----------
    problem
        The day's problem.
    time_limit
        Wall-clock budget in seconds, for the warm start and the search.
    seed
        Seed of the PyVRP warm start.
    initial_routes
        A plan to start from (a dispatcher's, or yesterday's). Unknown van or
        shipment ids raise ``ProblemError``; a plan that is otherwise
        infeasible is ignored (in part or whole) and noted in
        ``Result.stats["notes"]``.
    params
        Search parameters; ``SolveParams()`` by default.

    Returns
    -------
    Result
        Every shipment is in exactly one route or in ``Result.unassigned``
        with a reason. ``Result.stats`` holds: ``prefiltered`` (shipments no
        van can serve alone), ``status`` (OR-Tools' search status),
        ``objective`` (integer milli-yuan, van and drop weights included),
        ``solutions``, ``stopped_by`` (``work_limit``, ``time_limit`` or
        ``search_done``), ``warm_start`` (``none``, ``used``, ``rejected`` or
        ``kept ...`` when the warm start's plan is the answer), ``polish``,
        ``warm_start_source``, ``warm_start_seconds``, ``notes`` (what was
        ignored: parts of a warm start, breaks outside a shift),
        ``build_seconds``, ``search_seconds``, ``first_solution_seconds``
        (from the call) and ``self_check``.
    """
    began = time.perf_counter()
    params = params if params is not None else SolveParams()
    if isinstance(time_limit, bool) or not isinstance(time_limit, int | float):
        raise ValueError(f"solve time_limit must be a number of seconds, got {time_limit!r}")
    if not time_limit > 0 or math.isinf(time_limit):
        raise ValueError(f"solve time_limit must be > 0 and finite, got {time_limit!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"solve seed must be an integer, got {seed!r}")
    if initial_routes is not None:
        _validate_ids(problem, initial_routes)
    stats: dict[str, object] = {}
    notes: list[str] = []
    # A break that cannot be taken within its van's shift would make the van
    # unusable: it is left out of the plan, and said so in the notes.
    problem = _without_impossible_breaks(problem, notes)

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
    stats["prefiltered"] = len(unassigned)

    initial: dict[int, list[RawVisit]] | None = None
    if initial_routes:
        initial = _to_raw(problem, kept, initial_routes, notes)
        stats["warm_start_source"] = "initial_routes"
    elif params.warm_start and params.work_limit is None and WARM_STARTS and kept:
        # The alone test above took its share of the budget already.
        available = time_limit - (time.perf_counter() - began)
        budget = available * params.warm_start_share
        reserve = min(0.1 * time_limit, POST_SECONDS_PER_SHIPMENT * len(kept))
        if available - budget - reserve < SEARCH_SECONDS_PER_SHIPMENT * len(kept):
            # Too big a day for OR-Tools to build and search in what would be
            # left: the warm start (and its polish) get all the time.
            budget = available - reserve
        budget = max(budget, 0.01 * time_limit)
        sub = dataclasses.replace(problem, shipments=tuple(kept))
        warm_began = time.perf_counter()
        warm: list[PlannedRoute] | None = None
        source = "none (no warm-start solver can express the problem)"
        for name, warm_start in WARM_STARTS:
            leave = {"leave": POLISH_SHARE} if name == "vroom" and POLISH is not None else {}
            try:
                warm = warm_start(sub, time_limit=budget, seed=seed, **leave)
            except Exception as exc:  # a warm start must never sink the solve
                notes.append(f"{name} warm start failed: {exc!r}")
                source = f"none ({name} failed)"
                continue
            if warm:
                source = name
                break
        # The polish re-times its routes afterwards (as the search's answer is).
        left = budget - (time.perf_counter() - warm_began)
        left -= POST_SECONDS_PER_SHIPMENT * len(kept)
        if warm and source == "vroom" and POLISH is not None and left > 0.1:
            warm = _polished(problem, kept, warm, left, seed, stats, notes)
        stats["warm_start_seconds"] = round(time.perf_counter() - warm_began, 3)
        if warm:
            initial = _to_raw(problem, kept, warm, notes)
        stats["warm_start_source"] = source

    raw = RawSolution()
    if kept:
        # Timing the routes and checking them afterwards: kept back.
        reserve = min(0.1 * time_limit, POST_SECONDS_PER_SHIPMENT * len(kept))
        remaining = time_limit - (time.perf_counter() - began) - reserve
        # Building the OR-Tools model and restoring a warm start take about 8 ms
        # per shipment (3.3 ms to build at 400, measured): with less time left
        # than that, a specialist's warm start is the answer as it is.
        no_time = remaining < SEARCH_SECONDS_PER_SHIPMENT * len(kept)
        fallback = (
            _raw_from(problem, kept, initial, RawSolution(stopped_by="time_limit"))
            if initial and not initial_routes and no_time
            else None
        )
        if fallback is not None:
            raw = dataclasses.replace(fallback, warm_start="kept (no time left to search)")
        else:
            raw = solve_routing(
                problem,
                kept,
                allowed,
                time_limit=max(remaining, 0.1 * time_limit),
                params=params,
                initial=initial,
            )
        notes.extend(raw.notes)
        if (
            initial
            and not initial_routes
            and fallback is None
            and (raw.objective is None or plan_objective(problem, kept, initial) < raw.objective)
        ):
            # OR-Tools could not restore a specialist's warm start in time (or
            # found worse from scratch): that plan, if it keeps every rule, is
            # the answer. A dispatcher's initial_routes may break rules: never.
            fallback = _raw_from(problem, kept, initial, raw)
            if fallback is not None:
                raw = fallback
    stats.update(
        status=raw.status,
        objective=raw.objective,
        solutions=raw.solutions,
        stopped_by=raw.stopped_by,
        warm_start=raw.warm_start,
        build_seconds=round(raw.build_seconds, 3),
        search_seconds=round(raw.search_seconds, 3),
        first_solution_seconds=(
            None if raw.first_solution_at is None else round(raw.first_solution_at - began, 3)
        ),
    )
    if notes:
        stats["notes"] = notes

    routes: list[Route] = []
    for raw_route in raw.routes:
        van = problem.vans[raw_route.van]
        visits = [(kept[k], vtype) for k, vtype in raw_route.visits]
        timing = best_timing(problem, van, visits, break_gaps=raw_route.break_gaps)
        routes.append(_route(van, visits, timing))
    cut_short = raw.stopped_by == "time_limit" and not raw.routes
    if kept and (raw.objective is None or (raw.solutions == 0 and not raw.routes) or cut_short):
        # Not one plan within the time limit (OR-Tools then hands back its
        # "all unperformed" start): say so rather than blame the fleet.
        stats["failure"] = "no solution found within the time limit"
        for shipment in kept:
            unassigned[shipment.id] = Unassigned(
                shipment.id,
                UnassignedReason.TIME_LIMIT,
                "时间限制内未找到方案，请放宽时间限制 / "
                "no plan found within the time limit: allow more time",
            )
    else:
        for k in raw.dropped:
            unassigned[kept[k].id] = deferred(kept[k])

    out_unassigned = tuple(unassigned[s.id] for s in problem.shipments if s.id in unassigned)
    # The self-check times each route with the breaks where the solver put them.
    break_gaps = {problem.vans[r.van].id: r.break_gaps for r in raw.routes}
    violations = [
        v
        for v in annotate(problem, planned_routes(routes), break_gaps=break_gaps)
        if not (v.kind == ViolationKind.UNPLANNED and v.shipment in unassigned)
    ]
    stats["self_check"] = [f"{v.kind.value}: {v.message_en}" for v in violations]
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
        stats=stats,
    )


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


def _polished(
    problem: Problem,
    kept: Sequence[Shipment],
    warm: list[PlannedRoute],
    time_limit: float,
    seed: int,
    stats: dict[str, object],
    notes: list[str],
) -> list[PlannedRoute]:
    """VROOM's plan polished by PyVRP when that is cheaper by the search's measure."""
    assert POLISH is not None
    sub = dataclasses.replace(problem, shipments=tuple(kept))
    try:
        polished = POLISH(sub, warm, time_limit=time_limit, seed=seed)
    except Exception as exc:  # a polish must never sink the solve
        notes.append(f"PyVRP polish failed: {exc!r}")
        polished = None
    if not polished:
        stats["polish"] = "none"
        return warm

    def cost(routes: list[PlannedRoute]) -> int:
        return plan_objective(problem, kept, _to_raw(problem, kept, routes, []))

    if cost(polished) < cost(warm):
        stats["polish"] = "pyvrp improved the warm start"
        return polished
    stats["polish"] = "pyvrp found nothing better"
    return warm


def _raw_from(
    problem: Problem,
    kept: Sequence[Shipment],
    initial: dict[int, list[RawVisit]],
    searched: RawSolution,
) -> RawSolution | None:
    """The warm start as the search's answer (its figures kept, its plan replaced);
    ``None`` if one of its routes breaks a rule."""
    routes = []
    for v, visits in sorted(initial.items()):
        if not visits:
            continue
        van = problem.vans[v]
        ordered = [(kept[k], vt) for k, vt in visits]
        gaps = place_breaks(problem, van, ordered) if van.breaks else {}
        if best_timing(problem, van, ordered, break_gaps=gaps).issues:
            return None
        routes.append(RawRoute(v, tuple(visits), gaps))
    served = {k for _, visits in initial.items() for k, _ in visits}
    return dataclasses.replace(
        searched,
        routes=tuple(routes),
        dropped=tuple(k for k in range(len(kept)) if k not in served),
        objective=plan_objective(problem, kept, initial),
        warm_start="kept (the search found nothing better)",
    )


def _to_raw(
    problem: Problem,
    kept: Sequence[Shipment],
    routes: Sequence[PlannedRoute],
    notes: list[str],
) -> dict[int, list[RawVisit]]:
    """Keep the usable part of a warm start: whole pairs, in order, once each."""
    van_index = {v.id: i for i, v in enumerate(problem.vans)}
    ship_index = {s.id: k for k, s in enumerate(kept)}
    out: dict[int, list[RawVisit]] = {}
    used: set[str] = set()
    for route in routes:
        v = van_index.get(route.van)
        if v is None:
            notes.append(f"warm start names an unknown van {route.van!r}: ignored")
            continue
        if v in out:
            notes.append(f"van {route.van} has a second route: ignored")
            continue
        order = [(visit.shipment, visit.type) for visit in route.visits]
        position = {item: i for i, item in reversed(list(enumerate(order)))}
        visits: list[RawVisit] = []
        for i, (sid, vtype) in enumerate(order):
            if position[(sid, vtype)] != i:
                notes.append(f"{vtype.value} of {sid} repeated on van {route.van}: ignored")
                continue
            if sid not in ship_index:
                notes.append(f"{sid} cannot be served by any van: left out of the warm start")
                continue
            pickup = position.get((sid, VisitType.PICKUP))
            delivery = position.get((sid, VisitType.DELIVERY))
            if pickup is None or delivery is None or pickup > delivery or sid in used:
                if vtype == VisitType.PICKUP:
                    notes.append(f"{sid} has no pickup-then-delivery on van {route.van}: ignored")
                continue
            if vtype == VisitType.DELIVERY:
                used.add(sid)
            visits.append((ship_index[sid], vtype))
        out[v] = visits
    return out


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
