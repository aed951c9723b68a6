"""The optimiser's result in VROOM's answer format: summary, unassigned, routes of steps.

Every figure is VROOM's: ``duration`` is travel time, ``load`` counts delivery jobs as on
board from the start and pickup jobs to the end, ``cost`` is the vehicle's ``costs``
applied to travel (or the custom costs matrix). Times are the optimiser's own.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from api.vroom_problem import Task, VroomProblem
from optimizer import Result, Route, Step, StepType, VisitType
from optimizer.jobs import JobType

if TYPE_CHECKING:
    import networkx as nx


class RoutingFailure(Exception):
    """No way on the street network where one is needed (VROOM's ``code`` 3)."""


@dataclass(slots=True)
class RouteWalk:
    """Running totals along one route, in VROOM's terms (the answer's and plan mode's)."""

    point: int
    travel: int = 0
    distance: int = 0
    cost: int = 0
    setup: int = 0
    service: int = 0
    waiting: int = 0
    priority: int = 0
    tasks: int = 0  # visits so far (plan mode's max_tasks)
    load: list[int] = field(default_factory=list)
    delivered: list[int] = field(default_factory=list)
    picked: list[int] = field(default_factory=list)
    path: list[int] = field(default_factory=list)  # the points passed, for the geometry
    site: str | None = None  # the site of the last visit (a stop pays its setup once)

    def drive(self, built: VroomProblem, point: int) -> None:
        self.path.append(point)
        self.travel += built.durations[self.point][point]
        if built.distances is not None:
            self.distance += built.distances[self.point][point]
        if built.costs is not None:
            self.cost += built.costs[self.point][point]
        self.point = point


def vroom_answer(built: VroomProblem, result: Result) -> dict[str, Any]:
    """``result`` as VROOM's answer (``code`` 0); ``built.paths`` gets each route's points.

    Parameters
    ----------
    built
        The request as translated by ``api.vroom_problem.to_problem``.
    result
        What ``optimizer.solve`` made of ``built.written.problem``.

    Returns
    -------
    dict
        ``code``, ``summary`` (without ``computing_times``), ``unassigned``, ``routes``.
    """
    routes = []
    for route in result.routes:
        out, path = _route_out(built, route)
        routes.append(out)
        built.paths.append(path)
    unassigned = []
    partners = set(built.partners.values())
    for u in result.unassigned:
        if u.shipment in partners:
            continue  # the pickup of a job that also delivers: the job says it
        ends = [built.tasks[u.shipment]]
        if u.shipment in built.deliveries:
            ends.append(built.deliveries[u.shipment])
        for task in ends:
            entry = {"id": task.raw.id, "type": task.kind, **_described(task.raw.description)}
            unassigned.append({**_placed(entry, task), "reason": u.reason.value})
    summary: dict[str, Any] = {
        "cost": sum(r["cost"] for r in routes),
        "routes": len(routes),
        "unassigned": len(unassigned),
    }
    for name in ("setup", "service", "duration", "waiting_time", "priority"):
        summary[name] = sum(r[name] for r in routes)
    if built.dims:
        for name in ("delivery", "pickup"):
            summary[name] = [sum(r[name][d] for r in routes) for d in range(built.dims)]
    summary["violations"] = []
    if built.distances is not None:
        summary["distance"] = sum(r["distance"] for r in routes)
    return {"code": 0, "summary": summary, "unassigned": unassigned, "routes": routes}


def split_jobs(built: VroomProblem, result: Result) -> list[int]:
    """The ids of the jobs with both a delivery and a pickup amount that ``result`` does not
    serve at one stop: one part left out, or the parts on two vans or two stops."""
    where: dict[tuple[str, VisitType], tuple[int, int]] = {}
    for r, route in enumerate(result.routes):
        for k, step in enumerate(route.steps):
            if step.type in (StepType.PICKUP, StepType.DELIVERY):
                for sid in step.shipments:
                    where[(sid, VisitType(step.type.value))] = (r, k)
    split = []
    for sid, partner in built.partners.items():
        delivery = where.get((sid, VisitType.DELIVERY))
        pickup = where.get((partner, VisitType.PICKUP))
        if delivery is None and pickup is None:
            continue
        together = (
            delivery is not None
            and pickup is not None
            and delivery[0] == pickup[0]
            and abs(delivery[1] - pickup[1]) == 1
        )
        if not together:
            split.append(built.tasks[sid].raw.id)
    return split


def _described(description: str | None) -> dict[str, Any]:
    return {} if description is None else {"description": description}


def _placed(head: dict[str, Any], task: Task) -> dict[str, Any]:
    """``head`` with the task's location and location index, when the request gave them."""
    out = dict(head)
    if task.raw.location is not None:
        out["location"] = list(task.raw.location)
    if task.raw.location_index is not None:
        out["location_index"] = task.raw.location_index
    return out


def _route_out(built: VroomProblem, route: Route) -> tuple[dict[str, Any], list[int]]:
    """The route in VROOM's terms, and the points it passes."""
    vehicle = built.vehicles[route.van]
    v = built.request.vehicles.index(vehicle)
    start = built.vehicle_points[f"vehicles[{v}].start"]
    end = built.vehicle_points[f"vehicles[{v}].end"]
    width = max(built.dims, 1)  # the model has one dimension when the request has none
    walk = RouteWalk(point=built.virtual if start is None else start, load=_loaded(built, route))
    walk.delivered, walk.picked = [0] * width, [0] * width
    walk.path.append(walk.point)
    steps: list[dict[str, Any]] = []
    for step in route.steps:
        if step.type == StepType.START and start is not None:
            steps.append(_end_step(built, walk, "start", v, step.arrival))
        elif step.type == StepType.END:
            walk.drive(built, built.virtual if end is None else end)
            if end is not None:
                steps.append(_end_step(built, walk, "end", v, step.arrival))
        elif step.type == StepType.BREAK:
            brk = next(b for b in vehicle.breaks if str(b.id) == step.break_id)
            walk.service += brk.service
            head = {"type": "break", "id": brk.id, **_described(brk.description)}
            steps.append(_step(built, walk, head, 0, brk.service, 0, step.arrival))
        elif step.type in (StepType.PICKUP, StepType.DELIVERY):
            steps.extend(_visits_out(built, walk, step))
    costs = vehicle.costs
    if built.costs is not None:
        cost = costs.fixed + walk.cost
    else:
        travel = costs.per_hour * walk.travel / 3600 + costs.per_km * walk.distance / 1000
        cost = round(costs.fixed + travel)
    out: dict[str, Any] = {"vehicle": vehicle.id, "cost": cost, **_described(vehicle.description)}
    out.update(
        {
            "setup": walk.setup,
            "service": walk.service,
            "duration": walk.travel,
            "waiting_time": walk.waiting,
            "priority": walk.priority,
        }
    )
    if built.dims:
        out["delivery"], out["pickup"] = walk.delivered, walk.picked
    if built.distances is not None:
        out["distance"] = walk.distance
    return {**out, "steps": steps, "violations": []}, walk.path


def _loaded(built: VroomProblem, route: Route) -> list[int]:
    """VROOM's load at the start: every delivery job of the route."""
    load = [0] * max(built.dims, 1)
    for step in route.steps:
        for sid in step.shipments:
            placed = built.written.jobs.get(sid)
            if placed is not None and placed.visit == VisitType.DELIVERY == step.type.value:
                load = [a + b for a, b in zip(load, built.tasks[sid].amount, strict=True)]
    return load


def _visits_out(built: VroomProblem, walk: RouteWalk, step: Step) -> list[dict[str, Any]]:
    """The request's tasks among the visits of one step (one site, one type, no wait
    between them): a step each, timed one after the other."""
    vtype = VisitType(step.type.value)
    out = []
    begins = step.service_start
    for m, sid in enumerate(step.shipments):
        shipment = built.shipment(sid)
        site = shipment.pickup if vtype == VisitType.PICKUP else shipment.delivery
        own = (
            shipment.pickup_service if vtype == VisitType.PICKUP else shipment.delivery_service
        ) or 0
        task = _task_of(built, sid, vtype)
        if task is not None:
            walk.drive(built, task.point)
            # The site's service (VROOM's setup) is paid once per stop.
            setup = built.site(site).service_duration if site != walk.site else 0
            placed = built.written.jobs.get(sid)
            delivers = task.kind == "delivery" or (
                placed is not None and placed.job.type == JobType.DELIVERY
            )
            _carry(walk, task.amount, delivers)
            if task.collect:  # its pickup is the next (or the last) step at this place
                _carry(walk, task.collect, False)
            waiting = step.waiting if m == 0 else 0
            walk.setup += setup
            walk.service += own
            walk.waiting += waiting
            walk.priority += task.priority
            head = _placed({"type": task.kind}, task)
            head = {**head, "id": task.raw.id, **_described(task.raw.description)}
            arrival = step.arrival if m == 0 else begins
            out.append(_step(built, walk, head, setup, own, waiting, arrival))
        walk.site = site
        begins += own
    return out


def _task_of(built: VroomProblem, sid: str, vtype: VisitType) -> Task | None:
    """The request's task a visit is, or None for a job's visit at a helper site (or the
    pickup of a job that also delivers, counted with its delivery)."""
    if sid not in built.tasks:
        return None
    placed = built.written.jobs.get(sid)
    if placed is not None:
        return built.tasks[sid] if vtype == placed.visit else None
    return built.tasks[sid] if vtype == VisitType.PICKUP else built.deliveries[sid]


def _carry(walk: RouteWalk, amount: tuple[int, ...], delivers: bool) -> None:
    """VROOM's load after a task: a delivery (job or shipment) leaves, a pickup comes on."""
    sign = -1 if delivers else 1
    walk.load = [a + sign * b for a, b in zip(walk.load, amount, strict=True)]
    if delivers:
        walk.delivered = [a + b for a, b in zip(walk.delivered, amount, strict=True)]
    else:
        walk.picked = [a + b for a, b in zip(walk.picked, amount, strict=True)]


def _end_step(
    built: VroomProblem, walk: RouteWalk, kind: str, v: int, arrival: int
) -> dict[str, Any]:
    vehicle = built.request.vehicles[v]
    head: dict[str, Any] = {"type": kind}
    location = vehicle.start if kind == "start" else vehicle.end
    index = vehicle.start_index if kind == "start" else vehicle.end_index
    if location is not None:
        head["location"] = list(location)
    if index is not None:
        head["location_index"] = index
    return _step(built, walk, head, 0, 0, 0, arrival)


def _step(
    built: VroomProblem,
    walk: RouteWalk,
    head: dict[str, Any],
    setup: int,
    service: int,
    waiting: int,
    arrival: int,
) -> dict[str, Any]:
    """One step of VROOM's answer: ``head`` (type, location, id) and the figures."""
    out = {**head, "setup": setup, "service": service, "waiting_time": waiting}
    if built.dims:
        out["load"] = list(walk.load)
    out.update({"arrival": arrival, "duration": walk.travel, "violations": []})
    if built.distances is not None:
        out["distance"] = walk.distance
    return out


# --- geometry ------------------------------------------------------------------------------


def add_geometry(
    built: VroomProblem, answer: dict[str, Any], graph: nx.MultiDiGraph | None
) -> None:
    """Each route's road geometry as an encoded polyline (VROOM's ``geometry``)."""
    import geo

    assert graph is not None and built.snapped is not None  # checked by to_problem
    for route, path in zip(answer["routes"], built.paths, strict=True):
        stops = [p for p in path if p != built.virtual]
        line: list[list[float]] = []
        for a, b in itertools.pairwise(stops):
            if a == b:
                continue
            try:
                leg = geo.shortest_path(graph, built.snapped[a], built.snapped[b])
            except geo.RoutingError as exc:
                raise RoutingFailure(f"geometry: {exc}") from None
            line.extend(leg.coordinates if not line else leg.coordinates[1:])
        if not line:
            line = [list(built.coordinates[p] or ()) for p in stops[:1]]
        route["geometry"] = polyline(line)


def polyline(coordinates: Sequence[Sequence[float]]) -> str:
    """``[lon, lat]`` points as an encoded polyline (Google's format, 5 decimals, the form
    VROOM and OSRM give ``geometry`` in)."""
    out: list[str] = []
    last = (0, 0)
    for lon, lat in coordinates:
        here = (round(lat * 1e5), round(lon * 1e5))
        for delta in (here[0] - last[0], here[1] - last[1]):
            value = ~(delta << 1) if delta < 0 else delta << 1
            while value >= 0x20:
                out.append(chr((0x20 | (value & 0x1F)) + 63))
                value >>= 5
            out.append(chr(value + 63))
        last = here
    return "".join(out)
