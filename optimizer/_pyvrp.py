"""PyVRP warm start: a good first plan for the OR-Tools model, from PyVRP's iterated local search.

``warm_start`` translates a ``Problem`` into PyVRP's ``ProblemData`` when PyVRP can express
it exactly, searches, and hands the routes back as ``PlannedRoute`` visits. It returns
``None`` when a feature has no sound PyVRP equivalent, so the caller searches alone:

- a site (or the depot) whose opening windows, once cut by a shipment's ``release`` and
  ``deadline`` and the vans' shifts, still leave more than one window (a lunch closure);
- driver breaks;
- shipment skills that not every van has.

The translation: one PyVRP location per site, the matrices as they are; one depot per
start/end site, open over the union of the shifts that use it; one vehicle type per group
of identical vans (capacity, start, end, shift, ``max_route_duration`` → ``shift_duration``,
costs); one PyVRP shipment per shipment. A deferrable shipment is optional, its prize
what ``solve`` charges for deferring it (``penalty * (1 + priority)``). Costs are
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
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
from pyvrp.stop import FirstFeasible, MaxRuntime, MultipleCriteria

from optimizer.model import (
    UNREACHABLE,
    PlannedRoute,
    Problem,
    Shipment,
    TimeWindow,
    Van,
    Visit,
    VisitType,
)

COST_STEPS = 10
"""PyVRP costs are integers: the larger of a van's per-metre and per-second costs is
``COST_STEPS`` units, and the cost unit follows. Small coefficients matter: PyVRP's
penalties for late arrival and overload are absolute (at most 1e5 per unit), so
inflated costs would make infeasible plans look cheap."""

FLEET_FIXED_FACTOR = 10
"""In fleet-first mode a van costs this many times the dearest route PyVRP could build
(enough to rank fleets first, small enough to keep PyVRP's penalties meaningful)."""

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


def _single_window(windows: Sequence[TimeWindow], early: int, late: int) -> TimeWindow | None:
    """The one part of ``windows`` inside ``[early, late]``; ``None`` if not exactly one."""
    parts = [
        TimeWindow(max(w.early, early), min(w.late, late))
        for w in windows
        if max(w.early, early) <= min(w.late, late)
    ]
    return parts[0] if len(parts) == 1 else None


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


def _mapping(problem: Problem) -> _Mapping | None:
    """Translate ``problem`` for PyVRP, or ``None`` when it cannot be expressed exactly."""
    if not problem.vans or not problem.shipments:
        return None
    if any(van.breaks for van in problem.vans):
        return None
    if any(
        not shipment.skills <= van.skills for shipment in problem.shipments for van in problem.vans
    ):
        return None

    shift_early = min(van.shift.early for van in problem.vans)
    shift_late = max(van.shift.late for van in problem.vans)
    n = len(problem.sites)
    locations = [Location(0, 0, name=site.id) for site in problem.sites]

    depot_sites = sorted(
        {problem.index_of(v.start) for v in problem.vans}
        | {problem.index_of(v.end_site) for v in problem.vans}
    )
    depots = []
    for index in depot_sites:
        window = _single_window(problem.sites[index].time_windows, shift_early, shift_late)
        if window is None:
            return None
        depots.append(Depot(index, tw_early=window.early, tw_late=window.late))
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
                unit_distance_cost=round(van.cost_per_km / 1000 / unit),
                unit_duration_cost=round(van.cost_per_hour / 3600 / unit),
                name=van.id,
            )
        )

    shipments = []
    for shipment in problem.shipments:
        translated = _shipment(problem, shipment, shift_early, shift_late, unit)
        if translated is None:
            return None
        shipments.append(translated)

    def matrix(rows: Sequence[Sequence[int]]) -> Any:  # PyVRP's stub types it oddly
        array = np.asarray(rows, dtype=np.int64).reshape(n, n)
        return np.where(array >= UNREACHABLE, MAX_VALUE, array)

    data = ProblemData(
        locations=locations,
        clients=[],
        depots=depots,
        vehicle_types=vehicle_types,
        distance_matrices=[matrix(problem.distances)],
        duration_matrices=[matrix(problem.durations)],
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
    problem: Problem, shipment: Shipment, shift_early: int, shift_late: int, unit: float
) -> PyvrpShipment | None:
    pickup_site = problem.sites[problem.index_of(shipment.pickup)]
    delivery_site = problem.sites[problem.index_of(shipment.delivery)]
    deadline = shipment.deadline if shipment.deadline is not None else shift_late
    pickup_window = _single_window(
        pickup_site.time_windows, max(shift_early, shipment.release), shift_late
    )
    delivery_window = _single_window(
        delivery_site.time_windows, max(shift_early, shipment.release), min(deadline, shift_late)
    )
    if pickup_window is None or delivery_window is None:
        return None
    pickup_service = (
        pickup_site.service_duration if shipment.pickup_service is None else shipment.pickup_service
    )
    delivery_service = (
        delivery_site.service_duration
        if shipment.delivery_service is None
        else shipment.delivery_service
    )
    return PyvrpShipment(
        pickup_location=problem.index_of(shipment.pickup),
        delivery_location=problem.index_of(shipment.delivery),
        pickup_tw_early=pickup_window.early,
        pickup_tw_late=pickup_window.late,
        pickup_service_duration=pickup_service,
        delivery_tw_early=delivery_window.early,
        delivery_tw_late=delivery_window.late,
        delivery_service_duration=delivery_service,
        amount=list(shipment.amount),
        prize=round(shipment.penalty * (1 + shipment.priority) / unit)
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


def _rebuild(data: ProblemData, solution: Solution) -> Solution:
    """``solution``'s routes as a solution of ``data`` (same shipments, other costs)."""
    return Solution(
        data,
        [
            Route(data, [Activity(a.type, a.idx) for a in r if not a.is_depot()], r.vehicle_type())
            for r in solution.routes()
        ],
    )


class _FleetSettled:
    """Stopping criterion: the fleet of the best feasible plan has not shrunk for ``settle``
    seconds, or ``limit`` seconds have passed.

    PyVRP calls it with the cost of its best plan, infinite while none is feasible; with
    the fixed cost dominant, ``cost // fixed_cost`` is the number of routes.
    """

    def __init__(self, fixed_cost: int, settle: float, limit: float) -> None:
        self._fixed = max(fixed_cost, 1)
        self._settle = settle
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
        return math.isfinite(self._routes) and now - self._since >= self._settle


def _search(mapping: _Mapping, time_limit: float, seed: int) -> Solution:
    """PyVRP's search within ``time_limit``, the fleet reduced first when it pays."""
    data = mapping.data
    began = time.perf_counter()
    deadline = began + time_limit
    if not mapping.fleet_first:
        return _solve(data, MaxRuntime(time_limit), seed)

    first = _FleetSettled(
        data.vehicle_type(0).fixed_cost, SETTLE_SHARE * time_limit, FIRST_SHARE * time_limit
    )
    best = _solve(data, first, seed)
    best_data = data
    # Fleet reduction, interleaved with polishing: a failed attempt is retried from the
    # polished plan, dropping another route (each start leads somewhere else).
    reduce_until = began + (1 - FINAL_SHARE) * time_limit
    attempt = failures = 0
    while best.is_feasible() and best.num_routes() > 1:
        left = reduce_until - time.perf_counter()
        if left <= 0.02 * time_limit:
            break
        attempt += 1
        vehicle_type = data.vehicle_type(0).replace(num_available=best.num_routes() - 1)
        fewer = data.replace(vehicle_types=[vehicle_type])
        # Feasibility matters most while the fleet shrinks: at full price, distance
        # would pull the search towards short plans that break windows.
        reducing = data.replace(
            vehicle_types=[
                vehicle_type.replace(
                    unit_distance_cost=REDUCTION_DISTANCE_COST, unit_duration_cost=0
                )
            ]
        )
        result = _solve(
            reducing,
            MultipleCriteria(
                [
                    FirstFeasible(),
                    MaxRuntime(min(left, REDUCTION_SHARE * time_limit * (1 + failures))),
                ]
            ),
            seed + attempt,
            _without_route(reducing, best, rank=failures),
        )
        if result.is_feasible() and result.num_routes() < best.num_routes():
            best, best_data, failures = _rebuild(fewer, result), fewer, 0
            continue
        failures += 1
        left = reduce_until - time.perf_counter()
        if left <= 0.02 * time_limit:
            break
        polished = _solve(
            best_data, MaxRuntime(min(left, SEGMENT_SHARE * time_limit)), seed + attempt, best
        )
        if _cost(polished) < _cost(best):
            best = polished

    left = deadline - time.perf_counter()
    if left > 0.01:
        polished = _solve(best_data, MaxRuntime(left), seed + attempt + 1, best)
        if _cost(polished) < _cost(best):
            best = polished
    return best


def _solve(data: ProblemData, stop: Any, seed: int, initial: Solution | None = None) -> Solution:
    return pyvrp_solve(
        data, stop, seed=seed, collect_stats=False, display=False, initial_solution=initial
    ).best


def warm_start(problem: Problem, *, time_limit: float, seed: int) -> list[PlannedRoute] | None:
    """A plan for ``problem`` from PyVRP, to warm-start the OR-Tools search.

    Parameters
    ----------
    problem
        The day's problem.
    time_limit
        Seconds PyVRP may search (wall clock, single thread).
    seed
        Seed of PyVRP's random stream.

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
        best = _search(mapping, time_limit, seed)
    routes = []
    taken = [0] * len(mapping.van_ids)
    for route in best.routes():
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
    # An infeasible best plan still yields its feasible routes, if it has any.
    return routes if routes or best.is_feasible() else None
