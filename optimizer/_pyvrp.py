"""PyVRP warm start: a good first plan for the OR-Tools model, from PyVRP's iterated local search.

``polish`` improves another solver's plan (VROOM's) on days PyVRP cannot express exactly:
each visit keeps the opening window its plan gave it, breaks are placed afterwards.

``warm_start`` translates a ``Problem`` into PyVRP's ``ProblemData`` when PyVRP can express
it exactly, searches, and hands the routes back as ``PlannedRoute`` visits. It returns
``None`` when a feature has no sound PyVRP equivalent, so the caller searches alone:

- a site (or the depot) whose opening windows, once cut by a shipment's ``release`` and
  ``deadline`` and the vans' shifts, still leave more than one window (a lunch closure);
- driver breaks;
- shipment skills that not every van has;
- locks (``Problem.locks``): PyVRP cannot pin a shipment to a van (VROOM can, by skills).

The translation: one PyVRP location per site and one more per start/end site (a depot,
open over the shifts: the depot's site windows do not bind the van); durations plus the
site's service when a van leaves a stop for another site (our once-per-stop service), the
shipment's own service as PyVRP's; the visit's one service-start interval of
``_simulate.service_starts`` as its window; one vehicle type per group of identical vans
(capacity, start, end, shift, ``max_route_duration`` → ``shift_duration``); one profile
per pair of rates whose "distance" is the arc's cost (we charge ``cost_per_hour`` on
driving time, PyVRP's duration cost would charge waiting too); one PyVRP shipment per
shipment. A deferrable shipment is optional, its prize more than any route costs plus
its ``penalty``, times ``1 + priority``: served when a van has room, as in ``solve``. Costs are
integers (see ``COST_STEPS``); 'no path' is PyVRP's ``MAX_VALUE``.

The search, within ``time_limit`` seconds. When every shipment must be served and a van
costs more than any distance a route could save (``fixed_cost`` dominant, the usual case),
the fewest vans come first, as in the Li & Lim convention. PyVRP alone drifts towards
shorter distance at a few routes too many on the hard instances, so the budget is split:

1. a first solve, until its fleet has not shrunk for ``SETTLE_SHARE`` of the budget (at
   most ``FIRST_SHARE``);
2. fleet reduction: with ``k`` routes found, one route is dissolved (its shipments left
   unplanned) and PyVRP, with distance almost free, is asked for any feasible plan on
   ``k - 1`` vans within a time slice. On success the same again from ``k - 1``; on
   failure the ``k``-route plan is polished a little and the attempt retried, dissolving
   the next smallest route, with a longer slice;
3. the last ``FINAL_SHARE`` of the budget polishes the best plan on its fleet.

With a second core (and at least ``PAIR_MIN_SECONDS``), steps 2 and 3 run in a forked
child process while this one goes on from the first solve as plain PyVRP would, fleet and
distance weighed together by the fixed cost; whenever the child sends a plan on fewer
routes than ours, ours moves to that fleet (by its own reduction when it succeeds, so
that the two cores polish two plans on it; to the child's plan otherwise), and whenever
ours reaches fewer routes by itself it goes on on that fleet and sends the plan to the
child, whose reduction and polish go on from it (the full fleet's search barely shortens a
plan on a van less than it usually holds). The cheaper of the two plans at the end is the
answer: plain PyVRP keeps the shorter plan on a fleet it reaches by itself, the
reduction reaches fleets it does not, and on the 200-task Li & Lim set each was the better
on some classes (``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
from pyvrp import (
    Activity,
    ActivityType,
    Depot,
    Location,
    ProblemData,
    Route,
    Solution,
    VehicleType,
)
from pyvrp import Shipment as PyvrpShipment
from pyvrp import solve as pyvrp_solve
from pyvrp.constants import MAX_VALUE
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import FirstFeasible, MaxRuntime, MultipleCriteria, NoImprovement

from optimizer._budget import Budget
from optimizer._child import call_until
from optimizer._repair import RepairTimeout, repair_route
from optimizer._simulate import Interval, best_timing, service_starts, visit_service
from optimizer.model import (
    UNREACHABLE,
    PlannedRoute,
    Problem,
    Shipment,
    Van,
    Visit,
    VisitType,
)

COST_STEPS = 10
"""PyVRP costs are integers: the larger of a van's per-metre and per-second costs is
``COST_STEPS`` units, and the cost unit follows. Small coefficients matter: PyVRP's
penalties for late arrival and overload are absolute (at most 1e5 per unit), so
inflated costs would make infeasible plans look cheap."""

FLEET_FIXED_FACTOR = 1
"""In fleet-first mode a van costs this many times the dearest route PyVRP could build
(``_worst_route_cost``, already a bound on what one route can save): one van less always
wins. More only weakens PyVRP's penalties against the fixed cost (bounded, at most 1e5 per
unit): at 10, on lrc1_2_1 the search settled at 20 routes and 7.9 % longer than the 19
routes it finds at 1, and never moved from there in 18 s."""

FIRST_SHARE = 0.3
"""Share of the budget for the first solve, before fleet reduction."""

REDUCTION_DISTANCE_COST = 1
"""Cost per unit of distance while the fleet shrinks (``COST_STEPS`` otherwise): feasibility
counts most, a little distance still guides the search (measured on lc103, lr211, lc109:
more reductions than with none)."""

FINAL_SHARE = 0.3
"""The last share of the budget only polishes: no fleet reduction any more."""

SEGMENT_SHARE = 0.1
"""Polishing between two fleet-reduction attempts, as a share of the budget."""

SETTLE_SHARE = 0.1
"""The first solve ends once its fleet has not shrunk for this share of the budget."""

POLISH_JUDGE_PER_SHIPMENT = 0.0003
"""Seconds per shipment (idle core) kept back after the polish, to price its plan."""

REPAIR_SHARE = 0.3
"""Of the polish's time, the part kept for cutting PyVRP's routes back to our rules (the
breaks placed again); a polished plan not cut back by the deadline is dropped, and the plan
it started from stands."""

STALL_ITERATIONS = 20_000
"""PyVRP iterations without a better plan after which a search with nothing left to do
stops (a few thousand iterations a second on Li & Lim's 100 tasks; a small day converges
in a fraction of a second)."""

PAIR_MIN_SECONDS = 1.0
"""Below this budget the fleet is reduced in this process alone (a child's start is not
worth it)."""

PAIR_MARGIN = 0.01
"""With a second core, the child's search ends this share of the budget before ours, so
that its plan is in when ours ends."""

OWN_TRY_SHARE = 0.05
"""Longest share of the budget one attempt of ``_own_reduction`` may take: whether a
reduction succeeds depends more on the route dissolved and the seed than on the time, so
short attempts from each route in turn reach the smaller fleet more often than one long
one (``benchmarks/RESULTS.md``, stop 33)."""

OWN_POLISH_SHARE = 0.6
"""When the rival reaches a smaller fleet, the least share of the time then left that this
process keeps to polish its own plan on that fleet (``_own_reduction``): a plan fresh from
a reduction is far longer than where its polish ends, and most of the polish's gain comes
in its first seconds."""

REDUCTION_SHARE = 0.12
"""Longest share of the budget the first fleet-reduction attempt at a fleet size may take;
the n-th retry may take n times as long (some reductions need a second, others only a
different start: each retry starts from a freshly polished plan without another route)."""


@dataclass(frozen=True, slots=True)
class _Mapping:
    """A ``ProblemData`` and how its indices map back to our ids."""

    data: ProblemData
    shipment_ids: tuple[str, ...]
    van_ids: tuple[tuple[str, ...], ...]  # per vehicle type, the vans it stands for
    fleet_first: bool  # one van less always pays: minimise the fleet first


def _windows(problem: Problem) -> list[tuple[Interval, Interval]] | None:
    """Per shipment, the pickup's and the delivery's service-start window for PyVRP
    (``_simulate.service_starts`` within the vans' shifts); ``None`` when a visit has not
    exactly one (a lunch closure inside the day: PyVRP has one window per visit)."""
    early = min(van.shift.early for van in problem.vans)
    late = max(van.shift.late for van in problem.vans)
    out = []
    for shipment in problem.shipments:
        pair = []
        for vtype in (VisitType.PICKUP, VisitType.DELIVERY):
            intervals = [
                (max(lo, early), min(hi, late))
                for lo, hi in service_starts(problem, shipment, vtype)
                if max(lo, early) <= min(hi, late)
            ]
            if len(intervals) != 1:
                return None
            pair.append(intervals[0])
        out.append((pair[0], pair[1]))
    return out


def _van_key(van: Van) -> tuple[object, ...]:
    return (
        van.start,
        van.end_site,
        van.capacity,
        van.shift,
        van.max_route_duration,
        van.cost_per_km,
        van.cost_per_hour,
        van.fixed_cost,
    )


def _mapping(
    problem: Problem, windows: Sequence[tuple[Interval, Interval]] | None = None
) -> _Mapping | None:
    """Translate ``problem`` for PyVRP with the visits' service-start ``windows`` (exact
    ones from ``_windows`` by default); ``None`` when PyVRP cannot express it."""
    if not problem.vans or not problem.shipments:
        return None
    if any(van.breaks for van in problem.vans) or problem.locked_van:
        return None
    if windows is None:
        windows = _windows(problem)
        if windows is None:
            return None
    if any(
        not shipment.skills <= van.skills for shipment in problem.shipments for van in problem.vans
    ):
        return None

    n = len(problem.sites)
    depot_sites = sorted(
        {problem.index_of(v.start) for v in problem.vans}
        | {problem.index_of(v.end_site) for v in problem.vans}
    )
    # Each depot is a location of its own, a copy of its site's: the site's service time
    # is charged when a van leaves a stop there, never when it leaves from the depot.
    locations = [Location(0, 0, name=site.id) for site in problem.sites]
    locations += [Location(0, 0, name=f"depot:{problem.sites[i].id}") for i in depot_sites]
    # Opening windows of a van's start and end sites do not bind the van (see
    # ``_simulate``): the depots are open over the shifts.
    shift_early = min(van.shift.early for van in problem.vans)
    shift_late = max(van.shift.late for van in problem.vans)
    depots = [
        Depot(n + k, tw_early=shift_early, tw_late=shift_late) for k in range(len(depot_sites))
    ]
    depot_of = {site: k for k, site in enumerate(depot_sites)}

    # One van less pays when its fixed cost exceeds what any route can cost in distance
    # and time: then the fleet is minimised first (Li & Lim's hierarchical objective).
    worst_route = _worst_route_cost(problem)
    fleet_first = (
        all(_van_key(van) == _van_key(problem.vans[0]) for van in problem.vans)
        and all(not s.deferrable for s in problem.shipments)
        and problem.vans[0].fixed_cost > worst_route
    )
    unit = _cost_unit(problem.vans)
    # Our cost per hour is of driving time, PyVRP's duration cost of the whole route
    # (waiting too): each rate pair gets a profile whose "distance" is the arc's cost in
    # steps of ``unit * COST_STEPS``, and PyVRP's duration cost stays 0.
    profiles: dict[tuple[float, float], int] = {}
    for van in problem.vans:
        profiles.setdefault((float(van.cost_per_km), float(van.cost_per_hour)), len(profiles))

    groups: dict[tuple[object, ...], list[Van]] = {}
    for van in problem.vans:
        groups.setdefault(_van_key(van), []).append(van)
    vehicle_types = []
    for vans in groups.values():
        van = vans[0]
        fixed = FLEET_FIXED_FACTOR * worst_route if fleet_first else van.fixed_cost
        vehicle_types.append(
            VehicleType(
                num_available=len(vans),
                capacity=list(van.capacity),
                start_depot=depot_of[problem.index_of(van.start)],
                end_depot=depot_of[problem.index_of(van.end_site)],
                fixed_cost=round(fixed / unit),
                tw_early=van.shift.early,
                tw_late=van.shift.late,
                shift_duration=(
                    van.max_route_duration
                    if van.max_route_duration is not None
                    else np.iinfo(np.int64).max
                ),
                unit_distance_cost=COST_STEPS,
                unit_duration_cost=0,
                profile=profiles[(float(van.cost_per_km), float(van.cost_per_hour))],
                name=van.id,
            )
        )

    shipments = [
        _shipment(shipment, problem, pair, unit=unit, worst_route=worst_route)
        for shipment, pair in zip(problem.shipments, windows, strict=True)
    ]
    setup = np.array([site.service_duration for site in problem.sites], dtype=np.int64)
    rows = np.array([*range(n), *depot_sites])

    metres = np.asarray(problem.distances, dtype=np.int64).reshape(n, n)[np.ix_(rows, rows)]
    seconds = np.asarray(problem.durations, dtype=np.int64).reshape(n, n)[np.ix_(rows, rows)]
    unreachable = (metres >= UNREACHABLE) | (seconds >= UNREACHABLE)
    # Leaving a stop for another site costs the stop's site service (``_simulate``).
    durations = seconds + np.concatenate([setup, np.zeros(len(depot_sites), np.int64)])[:, None]
    np.fill_diagonal(durations[:n, :n], 0)
    step = unit * COST_STEPS
    costs = [
        np.rint(metres * (per_km / 1000 / step) + seconds * (per_hour / 3600 / step))
        if per_km or per_hour
        else metres  # no rates: distance breaks ties
        for per_km, per_hour in profiles
    ]

    def matrix(values: Any) -> Any:  # PyVRP's stub types it oddly
        return np.where(unreachable, MAX_VALUE, values).astype(np.int64)

    data = ProblemData(
        locations=locations,
        clients=[],
        depots=depots,
        vehicle_types=vehicle_types,
        distance_matrices=[matrix(cost) for cost in costs],
        duration_matrices=[matrix(durations)] * len(costs),
        shipments=shipments,
    )
    return _Mapping(
        data=data,
        shipment_ids=tuple(s.id for s in problem.shipments),
        van_ids=tuple(tuple(v.id for v in vans) for vans in groups.values()),
        fleet_first=fleet_first,
    )


def _worst_route_cost(problem: Problem) -> float:
    """A generous bound (yuan) on the distance and time cost one route can save."""
    van = problem.vans[0]
    longest = max(max(row) for row in problem.distances)
    slowest = max(max(row) for row in problem.durations)
    legs = 2 * len(problem.shipments) + 1
    horizon = van.shift.late - van.shift.early
    return (
        legs * min(longest, UNREACHABLE) / 1000 * van.cost_per_km
        + max(horizon, legs * min(slowest, UNREACHABLE)) / 3600 * van.cost_per_hour
    )


def _cost_unit(vans: Sequence[Van]) -> float:
    """Yuan per PyVRP cost unit (see ``COST_STEPS``)."""
    coefficient = max(max(van.cost_per_km / 1000, van.cost_per_hour / 3600) for van in vans)
    if coefficient > 0:
        return coefficient / COST_STEPS
    return max(1e-5, max(van.fixed_cost for van in vans) / 10**6)


def _shipment(
    shipment: Shipment,
    problem: Problem,
    windows: tuple[Interval, Interval],
    *,
    unit: float,
    worst_route: float,
) -> PyvrpShipment:
    pickup, delivery = windows
    return PyvrpShipment(
        pickup_location=problem.index_of(shipment.pickup),
        delivery_location=problem.index_of(shipment.delivery),
        pickup_tw_early=pickup[0],
        pickup_tw_late=pickup[1],
        pickup_service_duration=visit_service(shipment, VisitType.PICKUP),
        delivery_tw_early=delivery[0],
        delivery_tw_late=delivery[1],
        delivery_service_duration=visit_service(shipment, VisitType.DELIVERY),
        amount=list(shipment.amount),
        prize=round((worst_route + shipment.penalty) * (1 + shipment.priority) / unit)
        if shipment.deferrable
        else 0,
        required=not shipment.deferrable,
        name=shipment.id,
    )


def _cost(solution: Solution) -> tuple[int, int, int]:
    """Order of preference: feasible first, then fewer missing shipments, then cost."""
    missing = solution.num_missing_shipments()
    cost = (
        solution.fixed_vehicle_cost()
        + solution.distance_cost()
        + solution.duration_cost()
        + solution.uncollected_prizes()
    )
    return (0 if solution.is_feasible() else 1, missing, cost)


def _without_route(data: ProblemData, solution: Solution, rank: int) -> Solution:
    """``solution`` minus one route (its shipments left unplanned): the smallest when
    ``rank`` is 0, the next smallest when 1, and so on round the routes."""
    routes = solution.routes()
    order = sorted(
        range(len(routes)), key=lambda r: (routes[r].num_shipments(), routes[r].distance())
    )
    drop = order[rank % len(routes)]
    kept = [
        Route(
            data,
            [Activity(a.type, a.idx) for a in route if not a.is_depot()],
            route.vehicle_type(),
        )
        for r, route in enumerate(routes)
        if r != drop
    ]
    return Solution(data, kept)


class _FleetSettled:
    """Stopping criterion: the fleet of the best feasible plan has not shrunk for ``settle``
    seconds, or ``limit`` seconds have passed.

    PyVRP calls it with the cost of its best plan, infinite while none is feasible; with
    the fixed cost dominant, ``cost // fixed_cost`` is the number of routes.
    """

    def __init__(
        self,
        fixed_cost: int,
        settle: float,
        limit: float,
        waiting: Callable[[], bool] = lambda: False,
    ) -> None:
        self._fixed = max(fixed_cost, 1)
        self._settle = settle
        self._waiting = waiting
        self._began = time.perf_counter()
        self._limit = limit
        self._routes: float = math.inf
        self._since = self._began

    def __call__(self, best_cost: float) -> bool:
        now = time.perf_counter()
        routes = best_cost // self._fixed if math.isfinite(best_cost) else math.inf
        if routes < self._routes:
            self._routes, self._since = routes, now
        if now - self._began >= self._limit:
            return True
        settled = math.isfinite(self._routes) and now - self._since >= self._settle
        return settled and not self._waiting()


class _FleetShrank:
    """Stopping criterion: the best feasible plan has fewer than ``routes`` routes (with the
    fixed cost dominant, ``cost // fixed_cost`` is the number of routes)."""

    def __init__(self, fixed_cost: int, routes: int) -> None:
        self._fixed = max(fixed_cost, 1)
        self._routes = routes

    def __call__(self, best_cost: float) -> bool:
        return math.isfinite(best_cost) and best_cost // self._fixed < self._routes


def _search(
    mapping: _Mapping, time_limit: float, seed: int, second: SecondOpinion | None = None
) -> Solution:
    """PyVRP's search within ``time_limit``, the fleet reduced first when it pays.

    With a core to spare, two searches race from the first solve's plan: this process
    goes on as plain PyVRP would (fleet and distance weighed together by the vans' fixed
    cost), a child process reduces the fleet and polishes (``_reduce_and_polish``); the
    better plan wins. Plain PyVRP keeps the shorter plan on a fleet it reaches by itself,
    the reduction finds fleets it does not reach: each is the better on some days, and the
    pair is never worse than plain PyVRP on its own.

    With a core to spare, ``second`` (another solver) plans beside the first solve; when
    its plan is the cheaper, this process goes on from it while the child reduces the
    fleet from PyVRP's own: two searches from two starts. PyVRP's search from scratch on
    days whose loads all wait at one depot (Solomon's) settles at more routes than the
    reduction takes back in the time, and the reduction from another solver's plan on
    fewer routes reached the smallest fleet less often on Li & Lim's lr110 (4 seeds of 7
    against 6) than from PyVRP's own (``benchmarks/RESULTS.md``).
    """
    data = mapping.data
    began = time.perf_counter()
    deadline = began + time_limit
    if not mapping.fleet_first:
        return _solve(data, _until_stalled(time_limit), seed)

    pending = second(FIRST_SHARE * time_limit) if second is not None and _spare_core() else None
    # Settled before the other solver has its plan, the first solve goes on: waiting would
    # leave this core idle (LRC2_2_10: settled at 2.8 s, VROOM's plan at 5.8 s).
    first = _FleetSettled(
        data.vehicle_type(0).fixed_cost,
        SETTLE_SHARE * time_limit,
        FIRST_SHARE * time_limit,
        waiting=(lambda: not pending.ready()) if pending is not None else (lambda: False),
    )
    try:
        best = _solve(data, first, seed)
    finally:  # collected also when the first solve fails: its child never outlives us
        theirs_first = pending() if pending is not None else None
    start = best  # where the fleet reduction starts: PyVRP's own first plan
    other = _start_from(mapping, theirs_first)
    if other is not None and _cost(other) < _cost(best):
        best = other
    rival = None
    if time_limit >= PAIR_MIN_SECONDS and _spare_core():
        rival = _Rival.start(
            data,
            start,
            began=began,
            deadline=deadline - PAIR_MARGIN * time_limit,
            time_limit=time_limit,
            seed=seed,
        )
    if rival is None:
        return _reduce_and_polish(data, best, began, deadline, time_limit, seed, found=None)
    try:
        best = _polish_racing(data, best, rival, deadline, time_limit, seed)
        theirs = rival.newest()
    finally:
        rival.stop()
    if theirs is not None:
        other = _solution(_fewer(data, len(theirs)), theirs)
        if _cost(other) < _cost(best):
            best = other
    return best


def _polish_racing(
    data: ProblemData,
    best: Solution,
    rival: _Rival,
    deadline: float,
    time_limit: float,
    seed: int,
) -> Solution:
    """This process's side of the race: plain PyVRP until ``deadline``, moving to a
    smaller fleet whenever the rival finds one: by our own reduction of our plan when it
    succeeds (``_own_reduction``: two plans on that fleet, one per core, the cheaper
    kept), to the rival's plan otherwise. Once our search has stalled
    we wait for the rival's next smaller fleet, or for its end."""
    fleet = data
    rounds = 0
    while (left := deadline - time.perf_counter()) > 0.01:
        rounds += 1
        rival.fewer_than = best.num_routes()
        shrank = _FleetShrank(data.vehicle_type(0).fixed_cost, best.num_routes())
        stop = MultipleCriteria(
            [MaxRuntime(left), rival.smaller, shrank, NoImprovement(STALL_ITERATIONS)]
        )
        polished = _solve(fleet, stop, seed + rounds, best)
        if _cost(polished) < _cost(best):
            best = polished
        if polished.is_feasible() and polished.num_routes() < _routes(fleet):
            # Our own search found a smaller fleet: go on on that fleet, as after a
            # reduction (LRC1_2_10: found at 18 s on 12 of 50 vans, not 0.1 % shorter 7 s
            # later; PyVRP's search on the full fleet keeps spending on plans a van more).
            fleet = _fewer(data, polished.num_routes())
            best = _solution(fleet, _activities(polished))
            rival.tell(best)  # its reduction goes on from here, not from a van more
            continue
        if not rival.smaller(0.0) and not rival.wait(deadline):
            break  # the rival is done, or the time is up
        plan = rival.newest()
        if plan is not None and len(plan) < best.num_routes():
            own = _own_reduction(data, best, len(plan), deadline, time_limit, seed + rounds)
            if own is not None:
                fleet, best = own
            else:
                fleet = _fewer(data, len(plan))
                best = _solution(fleet, plan)
    return best


def _own_reduction(
    data: ProblemData, best: Solution, routes: int, deadline: float, time_limit: float, seed: int
) -> tuple[ProblemData, Solution] | None:
    """Our plan cut to the rival's smaller fleet of ``routes`` by our own reduction, so that
    the two processes polish two plans on that fleet, not one twice: ``None`` when that
    fails in the time it may take (all but ``OWN_POLISH_SHARE`` of what is left), or when
    our plan has more than one route too many.

    PyVRP's polish stays in the basin it starts in, and which basin a reduction lands in is
    luck (LR2_2_4's 3-route plans ended 0.18-7.51 % above the best-known over four seeds,
    LRC2_2_10's 4.97-8.87 %): two plans on the fleet are two draws, and the cheaper is kept.
    """
    if best.num_routes() - routes != 1 or not best.is_feasible():
        return None  # two vans to take away would take longer: the rival's plan is the bet
    now = time.perf_counter()
    until = now + (1 - OWN_POLISH_SHARE) * (deadline - now)
    reducing = _reducing(data, routes)
    attempt = 0
    while (left := until - time.perf_counter()) > 0:
        start = _without_route(reducing, best, rank=attempt % best.num_routes())
        tries = MultipleCriteria(
            [FirstFeasible(), MaxRuntime(min(left, OWN_TRY_SHARE * time_limit))]
        )
        result = _solve(reducing, tries, seed + attempt, start)
        if result.is_feasible() and result.num_routes() <= routes:
            fleet = _fewer(data, routes)
            return fleet, _solution(fleet, _activities(result))
        attempt += 1
    return None


def _reducing(data: ProblemData, routes: int) -> ProblemData:
    """``data`` on ``routes`` vans priced for a fleet reduction: feasibility matters most
    while the fleet shrinks, and at full price distance would pull the search towards short
    plans that break windows."""
    vehicle_type = data.vehicle_type(0).replace(num_available=routes)
    return data.replace(
        vehicle_types=[
            vehicle_type.replace(unit_distance_cost=REDUCTION_DISTANCE_COST, unit_duration_cost=0)
        ]
    )


def _reduce_and_polish(
    data: ProblemData,
    best: Solution,
    began: float,
    deadline: float,
    time_limit: float,
    seed: int,
    found: Any,
    inbox: _Inbox | None = None,
) -> Solution:
    """Fleet reduction until ``1 - FINAL_SHARE`` of the budget, then polish until
    ``deadline``; ``found`` (if given) is told of each better plan, ``inbox`` (if given)
    brings plans on fewer routes found elsewhere, which the work goes on from."""
    best, best_data, attempt = _reduce(
        data,
        best,
        began + (1 - FINAL_SHARE) * time_limit,
        time_limit,
        seed,
        found=found,
        inbox=inbox,
    )
    while (left := deadline - time.perf_counter()) > 0.01:
        attempt += 1
        stop = _stopping(inbox, best, _until_stalled(left))
        polished = _solve(best_data, stop, seed + attempt, best)
        if _cost(polished) < _cost(best):
            best = polished
            if found is not None:
                found(best)
        taken = inbox.take(data, best) if inbox is not None else None
        if taken is None:
            break
        best_data, best = taken
    return best


def _stopping(inbox: _Inbox | None, best: Solution, *criteria: Any) -> MultipleCriteria:
    """``criteria``, and (with an ``inbox``) a plan on fewer routes than ``best`` come in."""
    return MultipleCriteria(list(criteria)) if inbox is None else inbox.criteria(best, *criteria)


def _routes(data: ProblemData) -> int:
    """The vans of ``data``'s one vehicle type (the fleet-first case)."""
    return data.vehicle_type(0).num_available


def _fewer(data: ProblemData, routes: int) -> ProblemData:
    """``data`` with ``routes`` vans of its one vehicle type (the fleet-first case)."""
    return data.replace(vehicle_types=[data.vehicle_type(0).replace(num_available=routes)])


def _reduce(
    data: ProblemData,
    best: Solution,
    until: float,
    time_limit: float,
    seed: int,
    found: Any,
    inbox: _Inbox | None = None,
) -> tuple[Solution, ProblemData, int]:
    """Fleet reduction from ``best`` until ``until`` (see the module docstring): the best
    plan, the data of its fleet, and the number of attempts. ``found``, when given, is
    called with each plan on a smaller fleet as soon as it is found."""
    best_data = data
    # A failed attempt is retried from the polished plan, dropping another route (each
    # start leads somewhere else).
    attempt = failures = 0
    while best.is_feasible() and best.num_routes() > 1:
        left = until - time.perf_counter()
        if left <= 0.02 * time_limit:
            break
        attempt += 1
        reducing = _reducing(data, best.num_routes() - 1)
        stop = _stopping(
            inbox,
            best,
            FirstFeasible(),
            MaxRuntime(min(left, REDUCTION_SHARE * time_limit * (1 + failures))),
        )
        start = _without_route(reducing, best, rank=failures)
        result = _solve(reducing, stop, seed + attempt, start)
        taken = inbox.take(data, best) if inbox is not None else None
        if taken is not None:  # a smaller fleet found elsewhere: reduce from it
            (best_data, best), failures = taken, 0
            continue
        if result.is_feasible() and result.num_routes() < best.num_routes():
            best_data = _fewer(data, best.num_routes() - 1)
            best, failures = _solution(best_data, _activities(result)), 0
            if found is not None:
                found(best)
            continue
        failures += 1
        left = until - time.perf_counter()
        if left <= 0.02 * time_limit:
            break
        stop = _stopping(inbox, best, MaxRuntime(min(left, SEGMENT_SHARE * time_limit)))
        polished = _solve(best_data, stop, seed + attempt, best)
        if _cost(polished) < _cost(best):
            best = polished
        taken = inbox.take(data, best) if inbox is not None else None
        if taken is not None:
            (best_data, best), failures = taken, 0
    return best, best_data, attempt


def _spare_core() -> bool:
    """Whether this process may run on more than one core."""
    try:
        return len(os.sched_getaffinity(0)) > 1
    except AttributeError:  # pragma: no cover - not on Linux
        return (os.cpu_count() or 1) > 1


class Pending(Protocol):
    """Another solver's plan under way: ``ready`` once it has one (or has ended), called
    to collect it (awaiting it until its time is up)."""

    def ready(self) -> bool: ...

    def __call__(self) -> Sequence[PlannedRoute] | None: ...


SecondOpinion = Callable[[float], Pending]
"""Another solver asked for a plan beside PyVRP's first solve: called with the seconds it
may take, it starts at once (on the spare core) and returns what collects its plan."""

Activities = list[tuple[int, list[tuple[bool, int]]]]
"""A plan sent between processes: per route its vehicle type and (is pickup, shipment)."""


def _activities(solution: Solution) -> Activities:
    return [
        (
            route.vehicle_type(),
            [(a.type == ActivityType.PICKUP, a.idx) for a in route if a.is_shipment()],
        )
        for route in solution.routes()
    ]


def _solution(data: ProblemData, plan: Activities) -> Solution:
    kinds = (ActivityType.DELIVERY, ActivityType.PICKUP)
    return Solution(
        data,
        [Route(data, [Activity(kinds[p], k) for p, k in visits], kind) for kind, visits in plan],
    )


def _race_in_child(
    data: ProblemData,
    best: Solution,
    began: float,
    deadline: float,
    time_limit: float,
    seed: int,
    conn: Any,
    inbox: Any,
) -> None:
    """In the child process: ``_reduce_and_polish``, each better plan sent at once, each
    plan the parent sends on fewer routes taken up."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        best = _reduce_and_polish(
            data,
            best,
            began,
            deadline,
            time_limit,
            seed,
            found=lambda s: conn.send(_activities(s)),
            inbox=_Inbox(inbox),
        )
    conn.send(_activities(best))
    conn.send(None)


class _Inbox:
    """In the child: the plans the parent sends (``_Rival.tell``), read as PyVRP searches."""

    def __init__(self, receive: Any) -> None:
        self.receive = receive
        self.plan: Activities | None = None

    def _read(self) -> None:
        try:
            while self.receive.poll():
                self.plan = self.receive.recv()
        except (EOFError, OSError):
            pass  # the parent is gone or done: keep what it sent

    def criteria(self, best: Solution, *criteria: Any) -> MultipleCriteria:
        """``criteria``, and stop once a plan on fewer routes than ``best`` has come."""
        routes = best.num_routes()

        def smaller(best_cost: float) -> bool:
            del best_cost
            self._read()
            return self.plan is not None and len(self.plan) < routes

        return MultipleCriteria([*criteria, smaller])

    def take(self, data: ProblemData, best: Solution) -> tuple[ProblemData, Solution] | None:
        """The parent's plan, on its fleet, when it has fewer routes than ``best``."""
        self._read()
        if self.plan is None or len(self.plan) >= best.num_routes() or not best.is_feasible():
            return None
        fleet = _fewer(data, len(self.plan))
        return fleet, _solution(fleet, self.plan)


class _Rival:
    """``_reduce_and_polish`` in a child process (forked: it shares the data unpickled)
    while this one searches as plain PyVRP; ``newest`` is its best plan so far."""

    def __init__(self, child: Any, receive: Any, send: Any) -> None:
        self.child = child
        self.receive = receive
        self.send = send
        self.plan: Activities | None = None
        self.done = False
        self.fewer_than = 0

    @classmethod
    def start(
        cls,
        data: ProblemData,
        best: Solution,
        *,
        began: float,
        deadline: float,
        time_limit: float,
        seed: int,
    ) -> _Rival | None:
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        inbox, tell = context.Pipe(duplex=False)
        try:
            child = context.Process(
                target=_race_in_child,
                args=(data, best, began, deadline, time_limit, seed, send, inbox),
                daemon=True,
            )
            child.start()
        except (AssertionError, OSError):  # no child allowed here (a daemonic worker)
            for end in (receive, send, inbox, tell):
                end.close()
            return None
        send.close()
        inbox.close()
        return cls(child, receive, tell)

    def tell(self, best: Solution) -> None:
        """Send the child a plan on fewer routes than it has (a few kB: the pipe takes it)."""
        with contextlib.suppress(OSError):  # the child is done
            self.send.send(_activities(best))

    def drain(self, best_cost: float) -> bool:
        """Read what the child has sent (a PyVRP stopping criterion that never stops:
        read as we search, the child never waits on a full pipe)."""
        del best_cost
        try:
            while not self.done and self.receive.poll():
                message = self.receive.recv()
                if message is None:
                    self.done = True
                else:
                    self.plan = message
        except (EOFError, OSError):
            self.done = True  # the child ended without a word: keep what it sent
        return False

    def smaller(self, best_cost: float) -> bool:
        """A PyVRP stopping criterion: the child has sent a plan on fewer routes than
        ``fewer_than``."""
        self.drain(best_cost)
        return self.plan is not None and len(self.plan) < self.fewer_than

    def wait(self, deadline: float) -> bool:
        """Await a plan on fewer routes than ``fewer_than`` until ``deadline``: whether
        one came (``False`` when the child is done, or the time is up)."""
        while not self.done and (left := deadline - time.perf_counter()) > 0:
            if not self.receive.poll(left):
                return False
            if self.smaller(0.0):
                return True
        return False

    def newest(self) -> Activities | None:
        """The child's best plan so far (its last one, once it is done)."""
        self.drain(0.0)
        return self.plan

    def stop(self) -> None:
        if self.child.is_alive():
            self.child.kill()
        self.child.join()
        self.receive.close()
        self.send.close()


def _initial(mapping: _Mapping, routes: Sequence[PlannedRoute]) -> Solution:
    """``routes`` (ours, on ``mapping``'s shipments and vans) as PyVRP's solution."""
    index = {shipment: k for k, shipment in enumerate(mapping.shipment_ids)}
    vehicle_type = {van: k for k, vans in enumerate(mapping.van_ids) for van in vans}
    kind = {VisitType.PICKUP: ActivityType.PICKUP, VisitType.DELIVERY: ActivityType.DELIVERY}
    return Solution(
        mapping.data,
        [
            Route(
                mapping.data,
                [Activity(kind[v.type], index[v.shipment]) for v in route.visits],
                vehicle_type[route.van],
            )
            for route in routes
            if route.visits
        ],
    )


def _start_from(mapping: _Mapping, routes: Sequence[PlannedRoute] | None) -> Solution | None:
    """Another solver's plan as a start, or ``None`` when there is none to take."""
    if not routes:
        return None
    try:
        return _initial(mapping, routes)
    except (KeyError, ValueError, RuntimeError):  # not a plan of this day: ignored
        return None


def _until_stalled(seconds: float) -> MultipleCriteria:
    return MultipleCriteria([MaxRuntime(seconds), NoImprovement(STALL_ITERATIONS)])


def _solve(data: ProblemData, stop: Any, seed: int, initial: Solution | None = None) -> Solution:
    return pyvrp_solve(
        data, stop, seed=seed, collect_stats=False, display=False, initial_solution=initial
    ).best


def warm_start(
    problem: Problem, *, time_limit: float, seed: int, second: SecondOpinion | None = None
) -> list[PlannedRoute] | None:
    """A plan for ``problem`` from PyVRP, to warm-start the OR-Tools search.

    Parameters
    ----------
    problem
        The day's problem.
    time_limit
        Seconds PyVRP may search (wall clock, single thread).
    seed
        Seed of PyVRP's random stream.
    second
        Another solver to plan beside PyVRP's first solve on a spare core, its plan the
        start when it is the cheaper (see ``_search``).

    Returns
    -------
    list of PlannedRoute or None
        One route per used van, in visit order, each keeping every window and capacity;
        shipments PyVRP could not place (or that sat on a route breaking a rule) are left
        out, for the caller to plan or report. ``None`` when PyVRP cannot express the
        problem exactly (see the module docstring) or found no feasible route at all.
    """
    if time_limit <= 0:
        raise ValueError(f"warm_start time_limit must be > 0, got {time_limit!r}")
    mapping = _mapping(problem)
    if mapping is None:
        return None
    with warnings.catch_warnings():
        # PyVRP warns when its penalties hit their bound: expected while the fleet is
        # squeezed below what is feasible, and handled (the attempt is abandoned).
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        best = _search(mapping, time_limit, seed, second)
    routes = _planned(mapping, best)
    # An infeasible best plan still yields its feasible routes, if it has any.
    return routes if routes or best.is_feasible() else None


def _planned(mapping: _Mapping, solution: Solution) -> list[PlannedRoute]:
    """The feasible routes of ``solution`` as ours, one van of its vehicle type each."""
    routes = []
    taken = [0] * len(mapping.van_ids)
    for route in solution.routes():
        if not route.is_feasible():
            continue
        kind = route.vehicle_type()
        van = mapping.van_ids[kind][taken[kind]]
        taken[kind] += 1
        visits = tuple(
            Visit(
                mapping.shipment_ids[a.idx],
                VisitType.PICKUP if a.type == ActivityType.PICKUP else VisitType.DELIVERY,
            )
            for a in route
            if a.is_shipment()
        )
        routes.append(PlannedRoute(van=van, visits=visits))
    return routes


_ACTIVITY = {VisitType.PICKUP: ActivityType.PICKUP, VisitType.DELIVERY: ActivityType.DELIVERY}


def polish(
    problem: Problem, routes: Sequence[PlannedRoute], *, time_limit: float, seed: int
) -> list[PlannedRoute] | None:
    """Improve a plan of a day PyVRP cannot express exactly (lunch closures, breaks).

    Each visit keeps the opening window its service starts in when ``routes`` are timed by
    our rules (so one window per visit, which PyVRP can express); breaks are left out of
    PyVRP's model and placed by our timing afterwards, each route cut back by
    ``repair_route`` where a break no longer fits. PyVRP searches from ``routes``.

    Returns
    -------
    list of PlannedRoute or None
        The improved plan (every route keeps every rule), or ``None`` when PyVRP cannot
        take the problem (skills) or found no feasible plan. Whether it is better than
        ``routes`` is for the caller to judge.
    """
    if time_limit <= 0:
        raise ValueError(f"polish time_limit must be > 0, got {time_limit!r}")
    deadline = time.perf_counter() + time_limit
    by_id = {s.id: s for s in problem.shipments}
    starts: dict[tuple[str, VisitType], int] = {}
    for route in routes:
        van = next(v for v in problem.vans if v.id == route.van)
        visits = [(by_id[v.shipment], v.type) for v in route.visits]
        for visit, timed in zip(
            # Timed without the breaks (placed again afterwards): each visit's window.
            route.visits,
            best_timing(problem, van, visits, breaks=False).visits,
            strict=True,
        ):
            starts[(visit.shipment, visit.type)] = timed.service_start
    windows = []
    for shipment in problem.shipments:
        pair = []
        for vtype in (VisitType.PICKUP, VisitType.DELIVERY):
            intervals = service_starts(problem, shipment, vtype)
            start = starts.get((shipment.id, vtype))
            if not intervals:
                return None
            if start is None:  # not in the plan: the longest window
                pair.append(max(intervals, key=lambda iv: iv[1] - iv[0]))
            else:
                pair.append(next((iv for iv in intervals if iv[1] >= start), intervals[-1]))
        windows.append((pair[0], pair[1]))
    without_breaks = replace(problem, vans=tuple(replace(v, breaks=()) for v in problem.vans))
    mapping = _mapping(without_breaks, windows)
    if mapping is None:
        return None
    initial = _initial(mapping, routes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        search = max(0.05, deadline - REPAIR_SHARE * time_limit - time.perf_counter())
        best = _solve(mapping.data, _until_stalled(search), seed, initial)
    if not best.is_feasible():
        return None
    # Placing the breaks again may cut routes back; past the deadline, no polish.
    try:
        repaired = [repair_route(problem, r, deadline=deadline) for r in _planned(mapping, best)]
    except RepairTimeout:
        return None
    return [route for route in repaired if route.visits]


@dataclass(frozen=True, slots=True)
class PyvrpStart:
    """``warm_start`` as a ``optimizer._warm.WarmStarter``; ``second`` plans beside its
    first solve (``SecondOpinion`` for a problem)."""

    second: Callable[[Problem], SecondOpinion] | None = None
    name = "pyvrp"

    def plan(self, problem: Problem, budget: Budget, seed: int) -> list[PlannedRoute] | None:
        left = budget.aim_left()  # PyVRP has a plan at any time: it stops at the target
        if left <= 0:
            return None
        second = None if self.second is None else self.second(problem)
        return warm_start(problem, time_limit=left, seed=seed, second=second)


class PyvrpPolish:
    """``polish`` as a ``optimizer._warm.Polisher``."""

    name = "pyvrp"

    def polish(
        self, problem: Problem, routes: Sequence[PlannedRoute], budget: Budget, seed: int
    ) -> list[PlannedRoute] | None:
        # Timing the polished routes by our rules follows PyVRP's search: kept back.
        left = budget.left() - budget.scaled(POLISH_JUDGE_PER_SHIPMENT * len(problem.shipments))
        if left <= 0.1:
            return None
        # In a child stopped at the deadline: one iteration of PyVRP's search on a big day
        # with much left out takes seconds, past the limit it checks between iterations.
        return call_until(
            lambda: polish(problem, routes, time_limit=left, seed=seed),
            time.perf_counter() + left,
        )
