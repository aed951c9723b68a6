"""VROOM warm start: our problem as a VROOM (pyvroom) input, VROOM's plan back as routes.

``warm_start`` gives the OR-Tools search (``optimizer._ortools``) a first plan from VROOM
when PyVRP cannot express the problem (lunch closures, breaks, skills): VROOM has several
time windows per task and driver breaks natively. The benchmarks use ``solve_with_vroom``
to compare with VROOM on the *same* matrices and the *same* hard constraints. The
translation, constraint by constraint:

- sites → matrix indices (``Location(index=i)``); the durations and distances matrices are
  passed as they are (seconds, metres), so both solvers see identical travel; each van
  starts from an extra index, a copy of its start site, because VROOM charges no setup for
  tasks at the location a vehicle starts from, while our rules charge the depot's service
  for loading there;
- a visit's time windows → ``optimizer._simulate.service_starts`` (the one definition of
  our timing): a site's opening windows, a window followed by a closure ending early
  enough for the visit and the site's service to finish before the closure, the pickups
  cut by the ``release``, the deliveries by the ``deadline``;
- the site's ``service_duration``, paid once per stop (consecutive visits at one site),
  → the step's ``default_setup`` (VROOM pays setup once per arrival at a new location);
  the shipment's own ``pickup_service``/``delivery_service`` (``None`` is 0) → the step's
  ``default_service``;
- a van's capacity vector, shift (``time_window``), breaks (with their windows), start and
  end site, skills → the vehicle's; ``max_route_duration`` → ``max_travel_time`` (a
  relaxation: VROOM bounds travel time only, our model the whole route; the shift window
  bounds the rest, and ``optimizer.check`` reports any violation);
- costs → ``VehicleCosts(fixed, per_hour, per_km)`` in fen (1/100 yuan), because VROOM takes
  integers; VROOM charges ``per_hour`` on travel time only;
- a locked shipment (``Problem.locks``) → a skill of its own van's (one per van with
  locks, numbered after the shipments' skills), which pins it there; VROOM does not keep
  the locked order, so ``solve`` cuts its plan where it breaks one
  (``optimizer._locks.cut``);
- a shipment that may not be deferred, or locked → VROOM priority 100; a deferrable one →
  ``10 × priority`` (at most 99). VROOM has no deferral penalty: it first maximises the priority
  of what it serves, then the number of served tasks, then minimises cost.

``warm_start`` asks VROOM for a plan without the vans' breaks and places them by our own
timing (see there); ``solve_with_vroom``, the benchmarks' VROOM, passes them.

A shipment whose windows become empty after the release/deadline cut cannot be given to
VROOM (it rejects empty windows); it is listed in ``VroomInstance.excluded`` and comes back
unassigned. VROOM's plan is timed again by our rules before it is used (``repair_route``):
``max_route_duration`` is only approximated by VROOM, so a route may lose a shipment there.

``warm_start`` asks VROOM for the day without the vans' breaks, and with them when placing
them afterwards costs a hold (see there); ``solve_with_vroom``, the benchmarks' VROOM,
passes the breaks.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import vroom
import vroom.solution.solution

from optimizer._budget import Budget
from optimizer._locks import with_shipments
from optimizer._repair import repair_route
from optimizer._simulate import service_starts
from optimizer.model import (
    UNREACHABLE,
    PlannedRoute,
    Problem,
    Shipment,
    TimeWindow,
    Visit,
    VisitType,
)

PROFILE = "car"
COST_SCALE = 100  # VROOM costs are integers: we pass fen (1/100 yuan)
PRIORITY_NOT_DEFERRABLE = 100  # VROOM's highest priority (also of a locked shipment)
SEARCHES: tuple[tuple[int, int, float], ...] = (
    (2, 0, 0.74),
    (4, 0, 1.49),
    (4, 3, 1.80),
    (8, 3, 3.62),
    (8, 5, 4.81),
    (16, 5, 9.62),
    (32, 5, 18.8),
)
"""VROOM search efforts for ``warm_start``, least to most: (searches, local-search depth,
seconds on 400 shipments on ``THREADS`` threads, an idle core each). VROOM runs each search
(one construction heuristic, then its local search to that depth) on one of its threads;
its exploration level x is ``4(x+1)`` searches (+4 from level 4, +4 more at 5) at depth x,
so (4, 0) is level 0 and (32, 5) level 5. The seconds grow as (shipments / 400) **
``SEARCH_GROWTH``; they only *choose* an effort: the deadline is kept by stopping the child
process that runs VROOM, and the child re-chooses after its first search from the pace it
saw (long routes and a busy machine make VROOM slower than the table). The measurements
behind the table are in ``benchmarks/RESULTS.md`` (Beilin scale)."""
SEARCH_GROWTH = 2.0
THREADS = 2
"""VROOM searches on both cores of the machine we plan on (OR-Tools runs after it)."""


@dataclass(frozen=True, slots=True)
class VroomInstance:
    """A pyvroom ``Input`` built from a ``Problem``, with the id mapping back.

    VROOM needs integer ids: shipment ``k`` of ``shipment_ids`` has pickup id and delivery
    id ``k``; vehicle ``v`` is ``van_ids[v]``.
    """

    input: vroom.Input
    shipment_ids: tuple[str, ...]
    van_ids: tuple[str, ...]
    excluded: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VroomPlan:
    """VROOM's answer in our form: routes to give ``optimizer.check`` and what it left out."""

    routes: tuple[PlannedRoute, ...]
    unassigned: tuple[str, ...]
    cost: float  # VROOM's own cost, in yuan (travel time only for ``per_hour``)
    seconds: float  # wall-clock seconds of ``Input.solve``
    raw: dict[str, Any]  # VROOM's JSON answer


def vroom_priority(shipment: Shipment) -> int:
    """VROOM priority (0–100, higher is served first) of a shipment.

    Not deferrable → 100, the top, so VROOM serves it before anything else, as our
    optimiser does; deferrable → ``10 × priority`` capped at 99.
    """
    if not shipment.deferrable:
        return PRIORITY_NOT_DEFERRABLE
    return min(PRIORITY_NOT_DEFERRABLE - 1, 10 * shipment.priority)


def _tw(window: TimeWindow) -> vroom.TimeWindow:
    return vroom.TimeWindow(window.early, window.late)


def _matrix(name: str, matrix: Sequence[Sequence[int]], starts: Sequence[int]) -> np.ndarray:
    """The matrix, plus one row and column per van start site: a copy of that site's."""
    array = np.asarray(matrix, dtype=np.int64)
    if array.size and int(array.max()) > np.iinfo(np.uint32).max:
        raise ValueError(f"Problem.{name} holds {int(array.max())}, beyond VROOM's uint32 range")
    n = len(array)
    # VROOM has no "no path": at UNREACHABLE (10⁹ s) it refuses the input as too dear
    # ("Too high cost values"). Any entry just dearer than a whole route of the longest
    # reachable legs (n + 1 of them) serves: VROOM takes it only when nothing else serves a
    # task, and our rules refuse the plans that do.
    reachable = array[array < UNREACHABLE]
    no_path = (n + 1) * (int(reachable.max()) if reachable.size else 0) + 1
    array = np.where(array >= UNREACHABLE, min(no_path, UNREACHABLE), array)
    index = [*range(n), *starts]
    extended = array[np.ix_(index, index)]
    for k, site in enumerate(starts):
        # The copy and its site are the same place.
        extended[n + k, site] = extended[site, n + k] = 0
    return extended.astype(np.uint32)


def vroom_input(problem: Problem, start: Sequence[PlannedRoute] = ()) -> VroomInstance:
    """Translate ``problem`` into a pyvroom ``Input`` (see the module docstring).

    Parameters
    ----------
    problem
        The day's problem; its matrices are used as they are.
    start
        Routes for VROOM's search to start from (its vehicles' ``steps`` in solving mode),
        instead of building its own first plans; a visit of a shipment not in the input is
        left out.

    Returns
    -------
    VroomInstance
        The input, ready for ``input.solve(...)``, and the id mapping back.
    """
    data = vroom.Input()
    # VROOM skips the setup of a task at the location the vehicle starts from; our rules
    # charge the site's service for loading at the depot too. So each van starts from a
    # copy of its start site (an extra matrix index, zero travel to the site itself).
    starts = sorted({problem.index_of(van.start) for van in problem.vans})
    start_index = {site: len(problem.sites) + k for k, site in enumerate(starts)}
    data.set_durations_matrix(PROFILE, _matrix("durations", problem.durations, starts))
    data.set_distances_matrix(PROFILE, _matrix("distances", problem.distances, starts))

    skill_names = sorted(
        {s for van in problem.vans for s in van.skills}
        | {s for shipment in problem.shipments for s in shipment.skills}
    )
    skill_ids = {name: i for i, name in enumerate(skill_names)}
    # A skill per van with locks pins its locked shipments to it.
    locked_vans = sorted(set(problem.locked_van.values()))
    pin = {van: len(skill_names) + i for i, van in enumerate(locked_vans)}

    shipment_ids: list[str] = []
    excluded: list[str] = []
    for shipment in problem.shipments:
        ends = []
        for visit_type, site_id, own in (
            (VisitType.PICKUP, shipment.pickup, shipment.pickup_service),
            (VisitType.DELIVERY, shipment.delivery, shipment.delivery_service),
        ):
            index = problem.index_of(site_id)
            windows = tuple(
                TimeWindow(lo, hi) for lo, hi in service_starts(problem, shipment, visit_type)
            )
            ends.append(
                (visit_type, index, problem.sites[index].service_duration, own or 0, windows)
            )
        if any(not windows for *_, windows in ends):
            excluded.append(shipment.id)
            continue
        k = len(shipment_ids)
        shipment_ids.append(shipment.id)
        pickup, delivery = (
            vroom.ShipmentStep(
                k,
                index,
                default_setup=setup,
                default_service=service,
                time_windows=[_tw(w) for w in windows],
                description=f"{shipment.id} {visit_type}",
            )
            for visit_type, index, setup, service, windows in ends
        )
        skills = {skill_ids[s] for s in shipment.skills}
        priority = vroom_priority(shipment)
        locked = problem.locked_van.get(shipment.id)
        if locked is not None:
            skills.add(pin[locked])
            priority = PRIORITY_NOT_DEFERRABLE
        data.add_shipment(
            pickup,
            delivery,
            amount=vroom.Amount(list(shipment.amount)),
            skills=skills,
            priority=priority,
        )

    # Vehicles after the shipments: a start route's steps name them by VROOM's ids.
    index_of = {sid: k for k, sid in enumerate(shipment_ids)}
    steps = {route.van: _steps(route, index_of) for route in start}
    for v, van in enumerate(problem.vans):
        breaks = [
            vroom.Break(b, time_windows=[_tw(w) for w in brk.time_windows], service=brk.duration)
            for b, brk in enumerate(van.breaks)
        ]
        data.add_vehicle(
            vroom.Vehicle(
                v,
                start=start_index[problem.index_of(van.start)],
                end=problem.index_of(van.end_site),
                profile=PROFILE,
                capacity=list(van.capacity),
                skills={skill_ids[s] for s in van.skills}
                | ({pin[van.id]} if van.id in pin else set()),
                time_window=_tw(van.shift),
                breaks=breaks,
                description=van.id,
                costs=vroom.VehicleCosts(
                    fixed=round(van.fixed_cost * COST_SCALE),
                    per_hour=round(van.cost_per_hour * COST_SCALE),
                    per_km=round(van.cost_per_km * COST_SCALE),
                ),
                max_travel_time=van.max_route_duration,
                steps=steps.get(van.id, ()),
            )
        )

    return VroomInstance(
        input=data,
        shipment_ids=tuple(shipment_ids),
        van_ids=tuple(van.id for van in problem.vans),
        excluded=tuple(excluded),
    )


def _steps(route: PlannedRoute, index_of: Mapping[str, int]) -> list[vroom.VehicleStep]:
    """``route`` as a VROOM vehicle's steps (start, its visits, end)."""
    visits = [
        vroom.VehicleStep(visit.type.value, index_of[visit.shipment])
        for visit in route.visits
        if visit.shipment in index_of
    ]
    return [vroom.VehicleStep("start"), *visits, vroom.VehicleStep("end")] if visits else []


def solution_dict(solution: vroom.Solution) -> dict[str, Any]:
    """VROOM's JSON answer as a dict, with distances (our input always has a distance matrix)."""
    result: dict[str, Any] = solution.to_dict()
    return result


def plan_from_answer(
    instance: VroomInstance, answer: dict[str, Any], *, seconds: float = 0.0
) -> VroomPlan:
    """VROOM's JSON answer as our routes: one ``PlannedRoute`` per used van.

    Parameters
    ----------
    instance
        The instance the answer is for (its id mapping).
    answer
        VROOM's JSON answer (``solution_dict``).
    seconds
        Solve time to carry along.

    Returns
    -------
    VroomPlan
        Routes in visit order (breaks are left to our scheduler), unassigned shipment ids
        (VROOM's and those excluded from its input), VROOM's own cost in yuan.
    """
    routes = []
    served: set[str] = set()
    for route in answer.get("routes", []):
        visits = []
        for step in route["steps"]:
            if step["type"] in (VisitType.PICKUP, VisitType.DELIVERY):
                shipment = instance.shipment_ids[step["id"]]
                visits.append(Visit(shipment, VisitType(step["type"])))
                served.add(shipment)
        routes.append(PlannedRoute(van=instance.van_ids[route["vehicle"]], visits=tuple(visits)))
    unassigned = [s for s in instance.shipment_ids if s not in served]
    unassigned += instance.excluded
    return VroomPlan(
        routes=tuple(routes),
        unassigned=tuple(unassigned),
        cost=answer["summary"]["cost"] / COST_SCALE,
        seconds=seconds,
        raw=answer,
    )


def solve_with_vroom(
    problem: Problem, *, exploration_level: int = 5, nb_threads: int = 2
) -> VroomPlan:
    """Solve ``problem`` with VROOM and return its plan in our route form.

    Parameters
    ----------
    problem
        The day's problem.
    exploration_level
        VROOM's search effort, 0–5 (5 is its most thorough).
    nb_threads
        Threads VROOM may use.

    Returns
    -------
    VroomPlan
        The plan; ``seconds`` is the wall-clock time of VROOM's solve alone.
    """
    instance = vroom_input(problem)
    started = time.perf_counter()
    solution = instance.input.solve(exploration_level=exploration_level, nb_threads=nb_threads)
    seconds = time.perf_counter() - started
    return plan_from_answer(instance, solution_dict(solution), seconds=seconds)


def predicted_seconds(shipments: int, searches: int, depth: int) -> float:
    """Expected seconds of VROOM's solve for a ``SEARCHES`` entry (see there)."""
    seconds = next(t for n, d, t in SEARCHES if (n, d) == (searches, depth))
    return seconds * (max(shipments, 1) / 400) ** SEARCH_GROWTH


def search_effort(shipments: int, time_limit: float) -> tuple[int, int]:
    """The most thorough ``SEARCHES`` entry (searches, depth) expected to finish within
    ``time_limit``; the least when none is: a plan late beats none."""
    fitting = [(n, d) for n, d, _ in SEARCHES if predicted_seconds(shipments, n, d) <= time_limit]
    return fitting[-1] if fitting else SEARCHES[0][:2]


def solve_searches(
    instance: VroomInstance, searches: int, depth: int, *, nb_threads: int, timeout: float | None
) -> dict[str, Any]:
    """VROOM's answer with ``searches`` searches to local-search ``depth`` (``SEARCHES``).

    pyvroom's ``Input.solve`` only takes an exploration level; its binding's other overload
    (``_solve``, pinned pyvroom) takes the two numbers the level stands for."""
    raw = instance.input._solve(
        nb_searches=searches,
        depth=depth,
        nb_threads=nb_threads,
        timeout=None if timeout is None else timedelta(seconds=timeout),
    )
    solution = vroom.solution.solution.Solution(raw)
    solution._distances = instance.input._distances  # so to_dict reports distances
    return solution_dict(solution)


def without_breaks(problem: Problem) -> Problem:
    """``problem`` with the vans' breaks left out: what ``warm_start`` asks VROOM for."""
    if not any(van.breaks for van in problem.vans):
        return problem
    return dataclasses.replace(
        problem, vans=tuple(dataclasses.replace(van, breaks=()) for van in problem.vans)
    )


class Beside:
    """VROOM's search beside another solver: ``ready`` says whether it has sent a plan (or
    ended), calling it collects the best plan of the whole day it has, or ``None``."""

    def __init__(self, search: _Search) -> None:
        self.search = search

    def ready(self) -> bool:
        child = self.search.child
        if child is None or not child.is_alive():
            return True
        try:
            return bool(self.search.receive.poll())
        except (OSError, EOFError):
            return True

    def __call__(self) -> list[PlannedRoute] | None:
        if self.search.child is None:
            return None  # no child here: VROOM would take the other solver's core
        found = [f for f in self.search.collect(better=False) if f.whole]
        return list(max(found, key=lambda f: f.rank).routes) if found else None


class VroomStart:
    """VROOM as a ``optimizer._warm.WarmStarter``: ``warm_start`` within the budget."""

    name = "vroom"

    def plan(self, problem: Problem, budget: Budget, seed: int) -> list[PlannedRoute] | None:
        del seed  # VROOM has no seed
        return warm_start(problem, budget)

    def beside(self, problem: Problem) -> Callable[[float], Beside]:
        """VROOM beside another solver on one core: given ``seconds``, it starts in a child
        process at once; what it returns collects the best plan it has (awaiting the
        first until the ``seconds`` are up), or ``None``."""

        def start(seconds: float) -> Beside:
            return Beside(_Search(problem, Budget.start(seconds), threads=1))

        return start


def warm_start(problem: Problem, budget: Budget) -> list[PlannedRoute] | None:
    """A plan for ``problem`` from VROOM by ``budget.deadline``, to warm-start OR-Tools.

    VROOM runs in a child process (``_child``), stopped at the deadline: its ``timeout``
    cuts only its local search, not its construction, so a deadline is kept only by
    stopping it. The child asks VROOM first for the holds alone (a small day, quick to
    search: a plan that serves them is there early, however slow the whole day is), then
    for the whole day *without the vans' breaks* (at the least effort on a big day, from
    the holds' plan: VROOM's vehicle steps), which
    our timing then places (``repair_route``): where lunch closures leave the vans idle
    anyway that plan keeps the breaks at no cost and is cheaper (VROOM given the breaks
    plans worse at the same effort, ``benchmarks/vroom_breaks.py``). When placing the
    breaks costs that plan a hold, the vans have no idle time to spare, and the child asks
    VROOM next for the day as it is, with the breaks; otherwise it searches the relaxed day
    again, harder, in the time left. Of the plans it sends, the one leaving out fewer
    holds, then serving more, then cheaper by VROOM's measure, is kept, a plan of the whole
    day before the holds' plan alone.

    Returns
    -------
    list of PlannedRoute or None
        One route per used van, each timed again by our rules and cut back until it keeps
        every one of them; ``None`` when VROOM planned nothing in time.
    """
    if not problem.shipments:
        return None
    found = _Search(problem, budget).collect()
    if not found:
        return None
    # The holds' plan alone is a fallback: any plan of the whole day goes before it (the
    # final repair of ``solve`` puts back holds a plan left out).
    return list(max(found, key=lambda f: (f.whole, f.rank)).routes) or None


def _served(routes: Sequence[PlannedRoute]) -> int:
    return sum(len(route.visits) for route in routes)


def _unserved_holds(problem: Problem, routes: Sequence[PlannedRoute]) -> int:
    served = {visit.shipment for route in routes for visit in route.visits}
    return sum(1 for s in problem.shipments if not s.deferrable and s.id not in served)


def _rank(problem: Problem, routes: Sequence[PlannedRoute]) -> tuple[int, int]:
    """Better plans rank higher: fewer non-deferrable shipments left, then more visits."""
    return (-_unserved_holds(problem, routes), _served(routes))


def _vroom_routes(
    problem: Problem, asked: Problem, budget: Budget
) -> tuple[list[PlannedRoute], bool]:
    """VROOM's plan for ``asked`` (``problem`` or a relaxation of it) in this process at
    the quickest effort, timed and cut back by ``problem``'s rules; and whether cutting
    back lost a shipment VROOM had planned (for tests and benchmarks)."""
    if not asked.shipments:
        return [], False
    instance = vroom_input(asked)
    answer = solve_searches(
        instance, *SEARCHES[0][:2], nb_threads=THREADS, timeout=max(budget.aim_left(), 0.01)
    )
    plan = plan_from_answer(instance, answer)
    routes = [repair_route(problem, route) for route in plan.routes]
    lost = _served(routes) < _served(plan.routes)
    return [route for route in routes if route.visits], lost


def efforts(shipments: int, seconds: float, *, slowdown: float) -> list[tuple[int, int]]:
    """The ``SEARCHES`` to run in turn in ``seconds``: the most thorough expected to finish
    (at the measured ``slowdown``), preceded by the quickest when that one is not
    comfortably within the time, so that a plan is there by the deadline.

    The child measures the quickest and picks the next effort from what it saw (``_child``)."""
    quickest = SEARCHES[0][:2]
    chosen = search_effort(shipments, seconds / slowdown)
    if chosen == quickest:
        return [quickest]
    if predicted_seconds(shipments, *chosen) * slowdown <= COMFORT * seconds:
        return [chosen]
    return [quickest, chosen]


COMFORT = 0.6
"""An effort expected to take at most this share of VROOM's time is run straight away;
one closer to the deadline only after the quickest has given a plan to fall back on."""


@dataclass(frozen=True, slots=True)
class _Found:
    routes: tuple[PlannedRoute, ...]  # cut back to keep every rule of ours
    rank: tuple[int, int, float]  # higher is better: -holds left, visits, -VROOM's cost
    whole: bool = True  # a plan of the whole day (not of the holds alone)


def _child(
    problem: Problem, target: float, plan: list[tuple[int, int]], threads: int, conn: Any
) -> None:
    """In the child process: VROOM's plans for ``problem``, each cut back by our rules and
    sent as soon as found (see ``warm_start``); the efforts after the first are chosen
    from the pace the first showed, to end by ``target``."""
    relaxed = without_breaks(problem)
    holds = tuple(s for s in relaxed.shipments if not s.deferrable or s.id in relaxed.locked_van)
    pace = 1.0
    start: tuple[PlannedRoute, ...] = ()
    if holds and len(holds) < len(relaxed.shipments):
        # The holds (and locked shipments) alone first, at the least effort: a small day
        # for VROOM, so that a plan serving them is there early even when the whole day is
        # slow to search.
        only = vroom_input(with_shipments(relaxed, holds))
        if only.shipment_ids:
            began = time.perf_counter()
            answer = solve_searches(
                only,
                *SEARCHES[0][:2],
                nb_threads=threads,
                timeout=max(target - time.perf_counter(), 0.01),
            )
            # The pace of this day's routes on this machine now (long routes and a busy
            # machine make VROOM slower than ``SEARCHES`` says) chooses the efforts below.
            quick = predicted_seconds(len(only.shipment_ids), *SEARCHES[0][:2])
            pace = max(1.0, (time.perf_counter() - began) / quick)
            plan = efforts(len(relaxed.shipments), target - time.perf_counter(), slowdown=pace)
            found = plan_from_answer(only, answer)
            routes = tuple(r for r in (repair_route(problem, x) for x in found.routes) if r.visits)
            conn.send(_Found(routes, (*_rank(problem, routes), -found.cost), whole=False))
            start = found.routes
    instances = {False: vroom_input(relaxed)}
    if not instances[False].shipment_ids:
        conn.send(None)
        return
    n = len(instances[False].shipment_ids)
    # A day too big for a thorough search in the time is searched first at the least effort,
    # from the holds' plan: VROOM's own first plans of a big day may leave holds out, which
    # so short a local search does not put back. A thorough search starts from scratch (its
    # many first plans find cheaper routes than one start).
    from_holds = bool(start) and plan[0] == SEARCHES[0][:2]
    breaks = False
    for step, (searches, depth) in enumerate(plan):
        left = target - time.perf_counter()
        if step > 0:
            searches, depth = search_effort(n, left / pace)
            if (searches, depth) == plan[0] and not breaks:
                break
        if step == 0 and from_holds:
            instance = vroom_input(relaxed, start)
        else:
            if breaks not in instances:
                instances[breaks] = vroom_input(problem)
            instance = instances[breaks]
        began = time.perf_counter()
        answer = solve_searches(
            instance, searches, depth, nb_threads=threads, timeout=max(left, 0.01)
        )
        pace = max(pace, (time.perf_counter() - began) / predicted_seconds(n, searches, depth))
        found = plan_from_answer(instance, answer)
        routes = tuple(r for r in (repair_route(problem, x) for x in found.routes) if r.visits)
        conn.send(_Found(routes, (*_rank(problem, routes), -found.cost)))
        if breaks:
            continue  # the day with its breaks was searched: the rest of the plan for it too
        # Breaks that cost the relaxed plan a hold: the vans have no idle time to spare.
        breaks = relaxed is not problem and _unserved_holds(problem, routes) > _unserved_holds(
            problem, found.routes
        )
        if breaks and step + 1 == len(plan):
            plan.append(plan[0])  # one more search, of the day with its breaks
    conn.send(None)


class _Search:
    """VROOM searching ``problem`` in a child process, started at once: ``collect`` awaits
    its first plan until ``budget.deadline`` and more until ``budget.aim``, then stops the
    child and returns every plan it sent."""

    def __init__(self, problem: Problem, budget: Budget, threads: int = THREADS) -> None:
        self.budget = budget
        # ``SEARCHES`` was timed on ``THREADS`` threads: on fewer, each effort takes longer.
        slowdown = budget.slowdown * THREADS / threads
        self.plan = efforts(len(problem.shipments), budget.aim_left(), slowdown=slowdown)
        self.problem = problem
        context = multiprocessing.get_context("fork")
        self.receive, send = context.Pipe(duplex=False)
        self.child: Any = None
        try:
            self.child = context.Process(
                target=_child, args=(problem, budget.aim, self.plan, threads, send)
            )
            self.child.start()
        except (AssertionError, OSError):
            self.child = None  # no child allowed here (a daemonic pool worker)
        send.close()

    def collect(self, *, better: bool = True) -> list[_Found]:
        """Every plan the child sent: the first plan of the whole day awaited until the
        deadline, better ones until the aim (``better``) or only those already sent."""
        if self.child is None:
            # VROOM runs in this process, at the quickest effort, with its timeout.
            routes, _ = _vroom_routes(self.problem, without_breaks(self.problem), self.budget)
            return [_Found(tuple(routes), (*_rank(self.problem, routes), 0.0))]
        found: list[_Found] = []
        budget = self.budget
        try:
            while True:
                # A plan of the whole day is awaited until the deadline, better ones until
                # the aim; the holds' plan alone is what there is if none comes.
                whole = any(f.whole for f in found)
                left = (budget.aim if whole else budget.deadline) - time.perf_counter()
                if whole and not better:
                    left = 0.0
                elif left <= 0:
                    break
                if not self.receive.poll(left):
                    break
                message = self.receive.recv()
                if message is None:
                    break
                found.append(message)
        except EOFError:
            pass  # the child ended without a word (killed, or crashed): keep what it sent
        finally:
            if self.child.is_alive():
                self.child.kill()
            self.child.join()
            self.receive.close()
        return found
