"""The OR-Tools adapter: every OR-Tools call of the optimiser lives here.

The routing model, for the shipments of the screened problem (those some van can serve
alone, ``optimizer.solve``):

- nodes: one node per (shipment, visit type, service-start interval): a visit at a site
  closed for lunch has a morning and an afternoon node, at most one of them performed (a
  disjunction); each van has a start node and an end node after the visit nodes;
- pickup and delivery on the same van, pickup first (``AddPickupAndDelivery`` or, with
  options, ``AddPickupAndDeliverySets``, plus vehicle and cumul constraints, as in
  OR-Tools' ``vrp_pickup_delivery``);
- one capacity dimension per entry of the capacity vector (unary transit vectors, no
  Python callback);
- a time dimension whose cumul is the start of service; transit ``i -> j`` is the visit's
  own service at ``i``, plus the site's service when ``j`` is at another site (one charge
  per stop, see ``_simulate``), plus travel; it is one precomputed integer matrix
  (``RegisterTransitMatrix``), so the search never calls back into Python; unreachable
  arcs take longer than the dimension's capacity, the problem's ``horizon``, which
  forbids them;
- each node's service start is bounded to its interval with ``SetRange``; the van's
  shift bounds its start and end cumuls, ``max_route_duration`` its span;
- locks (``Problem.locks``): a locked shipment's nodes may only go on its van (the
  screen's allowed vans, ``VehicleVar(i).SetValues``); a count dimension ``order``, whose
  cumul grows by ``_order_step`` at each visit, keeps each lock's visits in their order
  (one constraint per pair of consecutive locked visits, see ``_add_locks``);
- breaks are fixed-duration intervals (``SetBreakIntervalsOfVehicle``, as in OR-Tools'
  ``vrp_breaks``) kept inside the route by two constraints; they may not overlap a
  visit's own service, but may overlap the site's once-per-stop service, which our timing
  then places before the break;
- objective, in integer milli-yuan, in five tiers: dropping a locked shipment costs
  ``DROP_PENALTY * LOCK_WEIGHT``, above a hold of any priority (a dispatcher's lock
  outranks the engine's choices; the screen has taken out the locks that cannot be
  kept, so the search drops one only when it cannot place it); dropping a shipment that
  is not deferrable ``DROP_PENALTY * (1 + priority)``; dropping a deferrable one
  ``DEFER_WEIGHT * (1 + priority)`` plus its own ``penalty * (1 + priority)``; each van
  used ``VAN_WEIGHT`` plus its fixed cost; and the arc cost ``distance * cost_per_km +
  travel time * cost_per_hour``. Priorities count up to ``_MAX_PRIORITY``, which keeps the
  tiers apart and the sum within 64 bits.

Search: the named first-solution strategy (parallel cheapest insertion by default; above
``_FULL_INSERTION_NODES`` nodes it looks at near neighbours only) and the named
metaheuristic (guided local search), from the warm start when one is given, until the
deadline, ``SolveParams.work_limit`` solutions, or a stall (``STALL_FACTOR``).
"""

from __future__ import annotations

import itertools
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer._plan import Plan, PlanRoute, RawVisit, as_gaps, route_visits
from optimizer._simulate import best_timing, service_starts, visit_service, visit_site
from optimizer.model import UNREACHABLE, Problem, Shipment, VisitType
from optimizer.params import SolveParams

SCALE = 1000
"""Objective units per yuan (milli-yuan)."""

VAN_WEIGHT = 10**9
"""Added to each used van's fixed cost: a van more outweighs any route cost (1e6 yuan)."""

DEFER_WEIGHT = 10**10
"""Cost of leaving out a node of a deferrable shipment, per unit of ``1 + priority``:
above a van (``VAN_WEIGHT``), so a van goes out when it has work to do."""

DROP_PENALTY = 10**13
"""Cost of leaving out a node of a non-deferrable shipment, per unit of ``1 + priority``:
above any number of deferrable ones of a day."""

_MAX_PRIORITY = 100

LOCK_WEIGHT = _MAX_PRIORITY + 2
"""A locked shipment's drop penalty, in ``DROP_PENALTY``: a step above a hold of the top
priority (``1 + _MAX_PRIORITY``), within the int64 budget of ``optimizer.model``."""

_FULL_INSERTION_NODES = 200
"""Above this many routing nodes, insertion heuristics look at near neighbours only."""
_INSERTION_NEIGHBORS_RATIO = 0.1
_INSERTION_MIN_NEIGHBORS = 40

_LNS_TIME_LIMIT_MS = 3000

STALL_MIN_SECONDS = 2.0
STALL_SECONDS_PER_NODE = 0.005
STALL_FACTOR = 2.0
"""The search stops once no better plan was found for ``STALL_FACTOR`` times as long as
the best took to find, and at least ``STALL_MIN_SECONDS`` plus ``STALL_SECONDS_PER_NODE``
per routing node (a big day's guided local search finds plans seconds apart): a small
problem has nothing left to do long before a generous time limit."""


def stall_window(problem: Problem) -> float:
    """Seconds the search runs without a better plan before it stops (``STALL_MIN_SECONDS``
    and ``STALL_SECONDS_PER_NODE``): the least it needs to show it can improve a plan."""
    return _stall_seconds(2 * len(problem.shipments) + 2 * len(problem.vans))


def _stall_seconds(nodes: int) -> float:
    return STALL_MIN_SECONDS + STALL_SECONDS_PER_NODE * nodes


@dataclass(slots=True)
class RawSolution:
    """What the search found, in problem indices; routes of used vans only."""

    routes: Plan = ()
    dropped: tuple[int, ...] = ()
    status: str = "ROUTING_NOT_SOLVED"
    objective: int | None = None
    solutions: int = 0
    first_solution_at: float | None = None  # time.perf_counter() at the first solution
    build_seconds: float = 0.0
    search_seconds: float = 0.0
    warm_start: str = "none"
    stopped_by: str = ""
    notes: list[str] = field(default_factory=list)


def solve_routing(
    problem: Problem,
    allowed_vans: Sequence[Sequence[int]],
    *,
    deadline: float,
    params: SolveParams,
    initial: Plan | None = None,
) -> RawSolution:
    """Build the OR-Tools model for ``problem``'s shipments and search until ``deadline``.

    ``allowed_vans[k]`` are the vans that may serve ``problem.shipments[k]``; ``initial``
    is a warm-start plan; ``deadline`` is on ``time.perf_counter()``'s clock. The search
    also stops once it has stalled (``STALL_FACTOR``), or after ``params.work_limit``
    solutions.
    """
    out = RawSolution()
    built = time.perf_counter()
    model = _new_model(problem)
    arcs = _arcs(problem, model)
    _add_time(problem, model, arcs.transit)
    _add_capacities(problem, model)
    _add_costs(problem, model, arcs)
    _add_pairs(problem, model, allowed_vans)
    _add_locks(problem, model)
    _add_breaks(problem, model, arcs.own)
    search = _search_parameters(params, model.n_nodes)
    # The warm start's nodes (timing each route to pick its windows' options)
    # count as building: the search gets what is left of the time limit.
    by_van = {route.van: route.visits for route in initial or ()}
    warm_routes = (
        [
            _initial_nodes(problem, v, by_van.get(v, ()), model.options, model.node_interval)
            for v in range(len(problem.vans))
        ]
        if initial
        else None
    )
    began = time.perf_counter()
    out.build_seconds = began - built
    solution = _search(model, search, params, deadline, warm_routes, began, out)
    if solution is None:
        out.dropped = tuple(range(len(problem.shipments)))
        return out
    out.objective = solution.ObjectiveValue()
    out.routes = _read_routes(model, solution, arcs.own)
    served = {k for route in out.routes for k, _ in route.visits}
    out.dropped = tuple(k for k in range(len(problem.shipments)) if k not in served)
    return out


@dataclass(slots=True)
class _Model:
    """The routing model being built, and the node tables its parts share."""

    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    options: list[list[int]]  # per (shipment, type), at ``2 * k + (type is delivery)``
    node_visit: list[tuple[int, VisitType]]  # per visit node
    node_interval: list[tuple[int, int]]  # per visit node: its service-start interval
    n_nodes: int  # visit nodes, then each van's start, then each van's end
    break_names: dict[str, tuple[int, str]] = field(default_factory=dict)  # by _add_breaks

    @property
    def time_dim(self) -> pywrapcp.RoutingDimension:
        return self.routing.GetDimensionOrDie("time")


def _new_model(problem: Problem) -> _Model:
    """The routing model's nodes: one per (shipment, visit type, service-start interval),
    then each van's start and end node."""
    # A visit at a site closed for lunch gets a morning and an afternoon node,
    # of which at most one is performed. Domains with holes (``RemoveInterval``)
    # would say the same, but OR-Tools' insertion filters do not see holes, so
    # nearly every insertion they accept fails in propagation: on the
    # 150-shipment demo day a first solution took ~29 s with holes and ~1 s with
    # options.
    options: list[list[int]] = []
    node_visit: list[tuple[int, VisitType]] = []
    node_interval: list[tuple[int, int]] = []
    for k, shipment in enumerate(problem.shipments):
        for vtype in (VisitType.PICKUP, VisitType.DELIVERY):
            nodes = []
            for interval in service_starts(problem, shipment, vtype):
                nodes.append(len(node_visit))
                node_visit.append((k, vtype))
                node_interval.append(interval)
            options.append(nodes)
    n_v = len(problem.vans)
    n_visit_nodes = len(node_visit)
    n_nodes = n_visit_nodes + 2 * n_v
    starts = [n_visit_nodes + v for v in range(n_v)]
    ends = [n_visit_nodes + n_v + v for v in range(n_v)]
    manager = pywrapcp.RoutingIndexManager(n_nodes, n_v, starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    return _Model(manager, routing, options, node_visit, node_interval, n_nodes)


@dataclass(frozen=True, slots=True)
class _Arcs:
    """Per node and per arc ``i -> j`` of the model, in seconds, metres and bools."""

    own: np.ndarray  # per node: its visit's own service
    travel: np.ndarray
    dist: np.ndarray
    unreachable: np.ndarray  # no road, either in time or in distance
    transit: np.ndarray  # the time dimension's: own service at i, site's service, travel


def _arcs(problem: Problem, model: _Model) -> _Arcs:
    """The node tables of ``model``: services, travel and the time dimension's transits."""
    n_nodes, n_v = model.n_nodes, len(problem.vans)
    n_visit_nodes = n_nodes - 2 * n_v
    # Per node: site (for travel), stop key (same key = same stop), services.
    site = np.zeros(n_nodes, dtype=np.int64)
    key = np.zeros(n_nodes, dtype=np.int64)
    own = np.zeros(n_nodes, dtype=np.int64)
    setup = np.zeros(n_nodes, dtype=np.int64)
    for node, (k, vtype) in enumerate(model.node_visit):
        shipment = problem.shipments[k]
        site_id = shipment.pickup if vtype == VisitType.PICKUP else shipment.delivery
        site[node] = key[node] = problem.index_of(site_id)
        own[node] = visit_service(shipment, vtype)
        setup[node] = problem.sites[site[node]].service_duration
    for v, van in enumerate(problem.vans):
        start, end = n_visit_nodes + v, n_visit_nodes + n_v + v
        site[start] = problem.index_of(van.start)
        site[end] = problem.index_of(van.end_site)
        key[start] = -1 - start  # a van's start and end are never part of a stop
        key[end] = -1 - end
    durations = np.minimum(np.asarray(problem.durations, dtype=np.int64), UNREACHABLE)
    distances = np.minimum(np.asarray(problem.distances, dtype=np.int64), UNREACHABLE)
    travel = durations[np.ix_(site, site)]
    dist = distances[np.ix_(site, site)]
    unreachable = (travel >= UNREACHABLE) | (dist >= UNREACHABLE)
    leaves = key[:, None] != key[None, :]
    transit = own[:, None] + np.where(leaves, setup[:, None], 0) + travel
    transit[unreachable] = problem.horizon + 1
    np.fill_diagonal(transit, 0)
    return _Arcs(own, travel, dist, unreachable, transit)


def _add_time(problem: Problem, model: _Model, transit: np.ndarray) -> None:
    """The time dimension (cumul = start of service), each node's interval, the shifts
    and ``max_route_duration``."""
    routing, manager = model.routing, model.manager
    time_cb = routing.RegisterTransitMatrix(transit.tolist())
    routing.AddDimension(time_cb, problem.horizon, problem.horizon, False, "time")
    time_dim = model.time_dim
    for node, (lo, hi) in enumerate(model.node_interval):
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(lo, hi)
    for v, van in enumerate(problem.vans):
        time_dim.CumulVar(routing.Start(v)).SetRange(van.shift.early, van.shift.late)
        time_dim.CumulVar(routing.End(v)).SetRange(van.shift.early, van.shift.late)
        if van.max_route_duration is not None:
            time_dim.SetSpanUpperBoundForVehicle(van.max_route_duration, v)


def _add_capacities(problem: Problem, model: _Model) -> None:
    """One capacity dimension per entry of the capacity vector."""
    routing, vans = model.routing, problem.vans
    for d in range(problem.dimensions):
        demand = [0] * model.n_nodes
        for node, (k, vtype) in enumerate(model.node_visit):
            amount = problem.shipments[k].amount[d]
            demand[node] = amount if vtype == VisitType.PICKUP else -amount
        demand_cb = routing.RegisterUnaryTransitVector(demand)
        routing.AddDimensionWithVehicleCapacity(
            demand_cb, 0, [van.capacity[d] for van in vans], True, f"load{d}"
        )


def _add_costs(problem: Problem, model: _Model, arcs: _Arcs) -> None:
    """Each van's arc costs (one matrix per distinct ``(cost_per_km, cost_per_hour)``) and
    fixed cost."""
    routing = model.routing
    cost_cbs: dict[tuple[float, float], int] = {}
    for v, van in enumerate(problem.vans):
        rates = (float(van.cost_per_km), float(van.cost_per_hour))
        if rates not in cost_cbs:
            cost = np.rint(arcs.dist * rates[0] + arcs.travel * (rates[1] * SCALE / 3600))
            cost = cost.astype(np.int64)
            cost[arcs.unreachable] = UNREACHABLE * SCALE
            np.fill_diagonal(cost, 0)
            cost_cbs[rates] = routing.RegisterTransitMatrix(cost.tolist())
        routing.SetArcCostEvaluatorOfVehicle(cost_cbs[rates], v)
        routing.SetFixedCostOfVehicle(VAN_WEIGHT + round(van.fixed_cost * SCALE), v)


def _add_pairs(problem: Problem, model: _Model, allowed_vans: Sequence[Sequence[int]]) -> None:
    """Per shipment: pickup before delivery on one van, the drop penalty of each side's
    options (at most one performed), and the vans allowed to serve it."""
    routing, manager = model.routing, model.manager
    solver, time_dim = routing.solver(), model.time_dim
    all_vans = list(range(len(problem.vans)))
    for k, shipment in enumerate(problem.shipments):
        pickups = [manager.NodeToIndex(n) for n in model.options[2 * k]]
        deliveries = [manager.NodeToIndex(n) for n in model.options[2 * k + 1]]
        penalty = _node_penalty(shipment, locked=shipment.id in problem.locked_van)
        if len(pickups) == 1 and len(deliveries) == 1:
            p, d = pickups[0], deliveries[0]
            routing.AddPickupAndDelivery(p, d)
            solver.Add(routing.VehicleVar(p) == routing.VehicleVar(d))
            solver.Add(time_dim.CumulVar(p) <= time_dim.CumulVar(d))
            routing.AddDisjunction([p], penalty)
            routing.AddDisjunction([d], penalty)
        else:
            # At most one option of each side; the vehicle of a side is the
            # largest of its options' vehicles (-1 when unperformed).
            routing.AddPickupAndDeliverySets(
                routing.AddDisjunction(pickups, penalty, 1),
                routing.AddDisjunction(deliveries, penalty, 1),
            )
            solver.Add(
                solver.Max([routing.VehicleVar(i) for i in pickups])
                == solver.Max([routing.VehicleVar(i) for i in deliveries])
            )
            for p in pickups:
                for d in deliveries:
                    both_off = 2 - routing.ActiveVar(p) - routing.ActiveVar(d)
                    solver.Add(
                        time_dim.CumulVar(p) <= time_dim.CumulVar(d) + problem.horizon * both_off
                    )
        allowed = list(allowed_vans[k])
        if allowed != all_vans:
            # -1 is the vehicle of an unperformed node (SetAllowedVehiclesForIndex
            # refuses Python lists in this release).
            for index in (*pickups, *deliveries):
                routing.VehicleVar(index).SetValues([-1, *allowed])


def _add_locks(problem: Problem, model: _Model) -> None:
    """Each lock's visits in their order, by a count dimension: its cumul is the visit's
    position in the route times ``step``, and each locked visit's cumul is above the one's
    locked before it (so at least one position after it).

    A time constraint (``CumulVar(a) <= CumulVar(b)``) would let two visits at one site
    with no service of their own swap; positions do not. The cumul of a node left out is
    free: with ``step`` above the number of locked visits of any lock, such nodes always
    find room between the positions of those performed around them, so leaving a locked
    visit out never forces the others apart. Of a visit with several nodes (a lunch
    closure), each is ordered against each of its neighbour's: only one is performed,
    the others are free."""
    if not problem.lock_rank:
        return
    routing, manager = model.routing, model.manager
    solver = routing.solver()
    index = {s.id: k for k, s in enumerate(problem.shipments)}
    chains: dict[int, list[tuple[int, int]]] = {}  # lock -> (position, option list index)
    for (sid, vtype), (lock, position) in problem.lock_rank.items():
        option = 2 * index[sid] + (vtype == VisitType.DELIVERY)
        chains.setdefault(lock, []).append((position, option))
    step = 1 + max(len(chain) for chain in chains.values())
    routing.AddConstantDimension(step, step * (model.n_nodes + 1), True, "order")
    order = routing.GetDimensionOrDie("order")
    for chain in chains.values():
        chain.sort()
        for (_, a), (_, b) in itertools.pairwise(chain):
            for p in model.options[a]:
                for q in model.options[b]:
                    first = order.CumulVar(manager.NodeToIndex(p))
                    solver.Add(first + 1 <= order.CumulVar(manager.NodeToIndex(q)))


def _add_breaks(problem: Problem, model: _Model, own: np.ndarray) -> None:
    """Each van's breaks: inside the route, never during a visit's own service (``own``,
    per node). Fills ``model.break_names``."""
    routing, manager = model.routing, model.manager
    solver, time_dim = routing.solver(), model.time_dim
    visit_transits = [0] * routing.Size()
    for index in range(routing.Size()):
        node = manager.IndexToNode(index)
        visit_transits[index] = int(own[node])
    for v, van in enumerate(problem.vans):
        breaks_of_van = []
        for brk in van.breaks:
            windows = brk.time_windows
            name = f"{v}:{brk.id}"
            interval = solver.FixedDurationIntervalVar(
                windows[0].early, windows[-1].late, brk.duration, False, name
            )
            start = interval.StartExpr().Var()
            for prev, nxt in itertools.pairwise(windows):
                start.RemoveInterval(prev.late + 1, nxt.early - 1)
            solver.Add(interval.StartExpr() >= time_dim.CumulVar(routing.Start(v)))
            solver.Add(interval.EndExpr() <= time_dim.CumulVar(routing.End(v)))
            breaks_of_van.append(interval)
            model.break_names[name] = (v, brk.id)
        if breaks_of_van:
            time_dim.SetBreakIntervalsOfVehicle(breaks_of_van, v, visit_transits)


def _search_parameters(params: SolveParams, n_nodes: int) -> pywrapcp.RoutingSearchParameters:
    """The search's parameters, but its time limit (set when it starts, ``_search``)."""
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, params.first_solution
    )
    search.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, params.metaheuristic
    )
    if n_nodes > _FULL_INSERTION_NODES:
        # Cheapest insertion over every node is quadratic per insertion: on
        # 400 nodes it needs most of a 10 s budget for a first solution. Near
        # neighbours only get one in about 2 s, at the price of a van or two
        # more on a 200-shipment day with lunch closures.
        insertion = search.global_cheapest_insertion_first_solution_parameters
        insertion.neighbors_ratio = _INSERTION_NEIGHBORS_RATIO
        insertion.min_neighbors = _INSERTION_MIN_NEIGHBORS
    # OR-Tools restores a warm start (and sets each LNS neighbour's cumuls and
    # breaks) within ``lns_time_limit``; its default, 100 ms, is too short for a
    # day of 200 shipments with breaks: the restore fails and the warm start is
    # lost (measured on the 100-site Beilin benchmark: rejected at 100 ms,
    # restored in about 0.15 s).
    search.lns_time_limit.FromMilliseconds(_LNS_TIME_LIMIT_MS)
    if params.work_limit is not None:
        search.solution_limit = params.work_limit
    search.log_search = params.log_search
    return search


def _search(
    model: _Model,
    search: pywrapcp.RoutingSearchParameters,
    params: SolveParams,
    deadline: float,
    warm_routes: list[list[int]] | None,
    began: float,
    out: RawSolution,
) -> pywrapcp.Assignment | None:
    """Search from the warm start's nodes ``warm_routes`` when given (from scratch when
    it is rejected), until ``deadline``, the work limit or a stall.

    Sets ``out``'s warm start, search seconds, solution count, status and stop reason.
    """
    routing, manager, solver = model.routing, model.manager, model.routing.solver()
    stall = _Stall(routing, began, _stall_seconds(model.n_nodes))
    routing.AddAtSolutionCallback(stall.at_solution)
    if params.work_limit is None:
        # With a work limit the search must end where it ends on any machine: no clock.
        routing.AddSearchMonitor(solver.CustomLimit(stall.stalled))

    def set_clock() -> bool:
        """The search's time limit: what is left to the deadline; False when nothing is."""
        left = deadline - time.perf_counter()
        search.time_limit.FromMilliseconds(max(1, round(left * 1000)))
        return left > 0

    solution = None
    if warm_routes is not None:
        set_clock()
        routing.CloseModelWithParameters(search)
        routes = [[manager.NodeToIndex(n) for n in route] for route in warm_routes]
        assignment = routing.ReadAssignmentFromRoutes(routes, True)
        # Closing the model and reading the routes take a second on big days
        # (400 shipments): the search's clock starts after them.
        if assignment is None:
            out.warm_start = "rejected"
        elif set_clock():
            solution = routing.SolveFromAssignmentWithParameters(assignment, search)
            out.warm_start = "used" if solution is not None else "rejected"
        else:
            out.warm_start = "not searched (no time left)"
        if solution is None and set_clock():
            solution = routing.SolveWithParameters(search)
    elif set_clock():
        solution = routing.SolveWithParameters(search)
    out.search_seconds = time.perf_counter() - began
    out.solutions = stall.solutions
    out.first_solution_at = stall.first_at
    out.status = routing_enums_pb2.RoutingSearchStatus.Value.Name(routing.status())
    out.stopped_by = _stopped_by(params, deadline, stall)
    return solution


def _stopped_by(params: SolveParams, deadline: float, stall: _Stall) -> str:
    """Why the search ended: its work limit, the deadline, a stall, or nothing left to try."""
    if params.work_limit is not None and stall.solutions >= params.work_limit:
        return "work_limit"
    if time.perf_counter() >= deadline - 0.05:
        return "time_limit"
    if stall.stopped:
        return "stalled"
    return "search_done"


def _read_routes(model: _Model, solution: pywrapcp.Assignment, own: np.ndarray) -> Plan:
    """The routes of the used vans in ``solution``, each break after the last visit whose
    own service (``own``, per node) ended by the break's start."""
    routing, manager, time_dim = model.routing, model.manager, model.time_dim
    break_starts: dict[int, dict[str, int]] = {}
    container = solution.IntervalVarContainer()
    for i in range(container.Size()):
        element = container.Element(i)
        name = element.Var().Name()
        if name in model.break_names and element.PerformedValue():
            v, brk_id = model.break_names[name]
            break_starts.setdefault(v, {})[brk_id] = element.StartValue()
    raw_routes: list[PlanRoute] = []
    for v in range(routing.vehicles()):
        visits: list[RawVisit] = []
        ends_of_visits: list[int] = []
        index = solution.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            visits.append(model.node_visit[node])
            ends_of_visits.append(solution.Min(time_dim.CumulVar(index)) + int(own[node]))
            index = solution.Value(routing.NextVar(index))
        if not visits:
            continue
        gaps = {
            brk_id: sum(1 for e in ends_of_visits if e <= b) - 1
            for brk_id, b in break_starts.get(v, {}).items()
        }
        raw_routes.append(PlanRoute(v, tuple(visits), as_gaps(gaps)))
    return tuple(raw_routes)


class _Stall:
    """Counts the search's solutions and tells OR-Tools when it has stalled.

    It holds the model by a weak reference: the model holds this object's callbacks on
    its C++ side, where Python's collector cannot see them, so a strong reference back
    would keep every model (about 8 MB on 100 shipments) alive for the life of the
    process.
    """

    def __init__(self, routing: pywrapcp.RoutingModel, began: float, least: float) -> None:
        self._routing = weakref.ref(routing)
        self._began = began
        self._least = least
        self.solutions = 0
        self.first_at: float | None = None
        self.stopped = False
        self._best: int | None = None
        self._stall_at = began + least + 3600.0  # until a first plan

    def at_solution(self) -> None:
        now = time.perf_counter()
        self.solutions += 1
        if self.first_at is None:
            self.first_at = now
        routing = self._routing()
        assert routing is not None  # the model calls back only while it searches
        cost = routing.CostVar().Value()
        if self._best is None or cost < self._best:
            self._best = cost
            wait = max(self._least, STALL_FACTOR * (now - self._began))
            self._stall_at = now + wait

    def stalled(self) -> bool:
        if time.perf_counter() < self._stall_at:
            return False
        self.stopped = True
        return True


def _initial_nodes(
    problem: Problem,
    van: int,
    visits: Sequence[RawVisit],
    options: Sequence[Sequence[int]],
    node_interval: Sequence[tuple[int, int]],
) -> list[int]:
    """The nodes of a warm-start route: for each visit, the option whose interval
    holds its service start when the route is timed (the first option otherwise)."""
    if not visits:
        return []
    route = PlanRoute(van, tuple(visits))
    timing = best_timing(problem, problem.vans[van], route_visits(problem, route))
    nodes = []
    for (k, vtype), visit in zip(visits, timing.visits, strict=True):
        choices = options[2 * k + (vtype == VisitType.DELIVERY)]
        fitting = [
            n for n in choices if node_interval[n][0] <= visit.service_start <= node_interval[n][1]
        ]
        nodes.append(fitting[0] if fitting else choices[0])
    return nodes


def _node_penalty(shipment: Shipment, *, locked: bool = False) -> int:
    """The objective's cost of leaving out one of the shipment's two nodes."""
    if locked:
        return DROP_PENALTY * LOCK_WEIGHT
    weight = 1 + min(shipment.priority, _MAX_PRIORITY)
    if shipment.deferrable:
        return DEFER_WEIGHT * weight + max(0, round(shipment.penalty * SCALE * weight / 2))
    return DROP_PENALTY * weight


def plan_objective(problem: Problem, plan: Plan) -> int:
    """The search's objective for ``plan`` of ``problem``: what the OR-Tools model would
    charge for it, to compare a warm start with the search's plan."""
    shipments = problem.shipments
    total = 0
    served: set[int] = set()
    for route in plan:
        v, visits = route.van, route.visits
        if not visits:
            continue
        van = problem.vans[v]
        total += VAN_WEIGHT + round(van.fixed_cost * SCALE)
        stops = [problem.index_of(van.start)]
        for k, vtype in visits:
            stops.append(problem.index_of(visit_site(shipments[k], vtype)))
            served.add(k)
        stops.append(problem.index_of(van.end_site))
        for a, b in itertools.pairwise(stops):
            total += round(
                problem.distances[a][b] * van.cost_per_km
                + problem.durations[a][b] * van.cost_per_hour * SCALE / 3600
            )
    return total + sum(
        2 * _node_penalty(s, locked=s.id in problem.locked_van)
        for k, s in enumerate(shipments)
        if k not in served
    )
