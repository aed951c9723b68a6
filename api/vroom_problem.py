"""A VROOM request in the optimiser's model: sites, matrices, vans, shipments and jobs.

See ``api.vroom_json`` for what is translated how. ``to_problem`` keeps, beside the
problem, what the answer needs to speak VROOM again: each shipment's tasks, each van's
vehicle, the travel matrices between the request's places.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from api.vroom_schema import (
    DEFAULT_PER_HOUR,
    Matrix,
    RequestIn,
    TaskIn,
    VehicleIn,
    VroomInputError,
)
from optimizer import (
    AMOUNT_MAX,
    COST_MAX,
    RATE_MAX,
    UNREACHABLE,
    Break,
    PlannedRoute,
    Problem,
    Shipment,
    Site,
    TimeWindow,
    Van,
    Visit,
    VisitType,
)
from optimizer.jobs import Job, JobType, WithJobs, with_jobs

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True, slots=True)
class Task:
    """One task of the request, with where it came from."""

    kind: Literal["job", "pickup", "delivery"]
    field: str  # "jobs[3]", "shipments[0].pickup"
    raw: TaskIn
    point: int  # index into the travel matrices
    amount: tuple[int, ...]  # delivered (job, delivery) or picked up (job, pickup), VROOM's
    priority: int
    collect: tuple[int, ...] = ()  # a delivery job's pickup amount, collected at the same stop


@dataclass(slots=True)
class VroomProblem:
    request: RequestIn
    written: WithJobs
    durations: list[list[int]]  # point × point, speed factor applied
    distances: list[list[int]] | None  # None: the request has no distances
    costs: list[list[int]] | None  # a custom cost matrix
    coordinates: list[tuple[float, float] | None]  # per point
    virtual: int  # the point of "no start / no end": no travel to or from it
    dims: int  # capacity dimensions given (0: none)
    tasks: dict[str, Task] = field(default_factory=dict)  # by shipment id: job, pickup end
    deliveries: dict[str, Task] = field(default_factory=dict)  # by shipment id
    vehicles: dict[str, VehicleIn] = field(default_factory=dict)  # by van id
    task_point: dict[str, int] = field(default_factory=dict)  # by task field
    vehicle_points: dict[str, int | None] = field(default_factory=dict)  # None: no start/end
    snapped: list[Any] | None = None  # each point on the street network (geometry)
    paths: list[list[int]] = field(default_factory=list)  # per answered route
    partners: dict[str, str] = field(default_factory=dict)  # a job's delivery -> its pickup
    _shipments: dict[str, Shipment] = field(default_factory=dict)
    initial_routes: list[PlannedRoute] = field(default_factory=list)

    def shipment(self, shipment_id: str) -> Shipment:
        """The problem's shipment of that id."""
        if not self._shipments:
            self._shipments.update({s.id: s for s in self.written.problem.shipments})
        return self._shipments[shipment_id]

    def site(self, site_id: str) -> Site:
        """The problem's site of that id."""
        problem = self.written.problem
        return problem.sites[problem.index_of(site_id)]


def to_problem(request: RequestIn, graph: nx.MultiDiGraph | None) -> VroomProblem:
    """``request`` in the optimiser's model (see ``api.vroom_json``); in plan mode
    (``options.c``) the bounds VROOM reports as violations are not refused."""
    _check_ids(request)
    tasks = _tasks(request)
    profile = _profile(request)
    points = _Points(request, profile, tasks, graph)
    dims = _dims(request)
    _check_unsupported(request, dims, len(tasks), points)
    built = VroomProblem(
        request=request,
        written=WithJobs(Problem((), (), (), (), ()), {}, {}),
        durations=points.durations,
        distances=points.distances,
        costs=points.costs,
        coordinates=points.coordinates,
        virtual=points.virtual,
        dims=dims,
        task_point=points.task_point,
        vehicle_points=points.vehicle_point,
        snapped=points.snapped,
    )
    if request.options.g:
        built.snapped = _snapped(built, graph)
    built.written = _problem(built)
    built.initial_routes = _initial_routes(built)
    return built


def _snapped(built: VroomProblem, graph: nx.MultiDiGraph | None) -> list[Any]:
    """Every point on the street network, to draw the routes (``options.g``)."""
    if graph is None:
        raise VroomInputError(
            "options.g: 线路几何需要路网（本服务未加载）/ route geometry needs the street network"
        )
    if built.snapped is not None:
        return built.snapped
    import geo

    used = sorted(
        {*built.task_point.values(), *(p for p in built.vehicle_points.values() if p is not None)}
    )
    missing = [p for p in used if built.coordinates[p] is None]
    if missing:
        raise VroomInputError(
            f"options.g: 线路几何需要每个地点的坐标 / route geometry needs a location for every "
            f"place, matrix index {missing[0]} has none"
        )
    located = [c for p in used if (c := built.coordinates[p]) is not None]
    try:
        points = geo.snap_points(graph, located, names=[f"#{p}" for p in used])
    except geo.SnapError as exc:
        raise VroomInputError(f"options.g: {exc}") from None
    snapped: list[Any] = [None] * len(built.coordinates)
    for p, point in zip(used, points, strict=True):
        snapped[p] = point
    return snapped


def _check_ids(request: RequestIn) -> None:
    for name, ids in (
        ("jobs", [j.id for j in request.jobs]),
        ("shipments[].pickup", [s.pickup.id for s in request.shipments]),
        ("shipments[].delivery", [s.delivery.id for s in request.shipments]),
        ("vehicles", [v.id for v in request.vehicles]),
    ):
        seen: set[int] = set()
        for i, value in enumerate(ids):
            if value in seen:
                where = name.replace("[]", f"[{i}]") if "[]" in name else f"{name}[{i}]"
                raise VroomInputError(f"{where}.id: 重复的 id / duplicate id {value}")
            seen.add(value)
    for v, vehicle in enumerate(request.vehicles):
        seen = set()
        for b, brk in enumerate(vehicle.breaks):
            if brk.id in seen:
                raise VroomInputError(
                    f"vehicles[{v}].breaks[{b}].id: 同一车辆的休息 id 重复 / duplicate break id "
                    f"{brk.id} for vehicle {vehicle.id}"
                )
            seen.add(brk.id)
        if (vehicle.start, vehicle.start_index, vehicle.end, vehicle.end_index) == (None,) * 4:
            raise VroomInputError(
                f"vehicles[{v}]: 需要 start 或 end / needs a start or an end (vehicle {vehicle.id})"
            )


def _tasks(request: RequestIn) -> list[tuple[str, str, TaskIn]]:
    """``(kind, field, task)`` of every task, in request order."""
    out: list[tuple[str, str, TaskIn]] = [
        ("job", f"jobs[{i}]", job) for i, job in enumerate(request.jobs)
    ]
    for i, shipment in enumerate(request.shipments):
        out.append(("pickup", f"shipments[{i}].pickup", shipment.pickup))
        out.append(("delivery", f"shipments[{i}].delivery", shipment.delivery))
    return out


def _profile(request: RequestIn) -> str:
    profiles = sorted({v.profile for v in request.vehicles})
    if len(profiles) > 1:
        raise VroomInputError(
            f"vehicles[].profile: 暂只支持一种路线配置 / only one routing profile is supported, "
            f"got {profiles}"
        )
    return profiles[0] if profiles else "car"


def _dims(request: RequestIn) -> int:
    """The length of every amount and capacity vector (0 when none is given)."""
    found: list[tuple[str, int]] = []
    for v, vehicle in enumerate(request.vehicles):
        if vehicle.capacity is not None:
            found.append((f"vehicles[{v}].capacity", len(vehicle.capacity)))
    for i, job in enumerate(request.jobs):
        for name in ("delivery", "pickup"):
            amount = getattr(job, name)
            if amount is not None:
                found.append((f"jobs[{i}].{name}", len(amount)))
    for i, shipment in enumerate(request.shipments):
        if shipment.amount is not None:
            found.append((f"shipments[{i}].amount", len(shipment.amount)))
    if not found:
        return 0
    first, dims = found[0]
    for name, length in found[1:]:
        if length != dims:
            raise VroomInputError(
                f"{name}: 长度 {length} 与 {first} 的 {dims} 不一致 / has {length} entries, "
                f"{first} has {dims}"
            )
    for v, vehicle in enumerate(request.vehicles):
        if vehicle.capacity is None:
            raise VroomInputError(
                f"vehicles[{v}].capacity: 缺少（任务有数量）/ missing, while tasks have amounts "
                f"of {dims} entries"
            )
    return dims


class _Points:
    """The request's places and the travel matrices between them.

    With matrices, a place is a matrix index; without, each distinct ``[lon, lat]`` routed
    on ``graph``. One more point, ``virtual``, stands for a vehicle without start or end.
    """

    def __init__(
        self,
        request: RequestIn,
        profile: str,
        tasks: Sequence[tuple[str, str, TaskIn]],
        graph: nx.MultiDiGraph | None,
    ) -> None:
        self.coordinates: list[tuple[float, float] | None] = []
        self.task_point: dict[str, int] = {}  # by task field
        self.vehicle_point: dict[str, int | None] = {}  # "vehicles[0].start" -> point
        self.snapped: list[Any] | None = None
        matrices = _matrices(request, profile)
        places: list[tuple[str, tuple[float, float] | None, int | None]] = [
            (where, task.location, task.location_index) for _, where, task in tasks
        ]
        for v, vehicle in enumerate(request.vehicles):
            for end, location, index in (
                ("start", vehicle.start, vehicle.start_index),
                ("end", vehicle.end, vehicle.end_index),
            ):
                if location is None and index is None:
                    self.vehicle_point[f"vehicles[{v}].{end}"] = None
                else:
                    places.append((f"vehicles[{v}].{end}", location, index))
        if matrices is not None:
            durations, distances, costs = matrices
            self._from_matrix(places, len(durations))
        else:
            durations, distances = self._routed(places, graph)
            costs = None
        factors = {v.speed_factor for v in request.vehicles}
        if len(factors) > 1:
            raise VroomInputError(
                f"vehicles[].speed_factor: 暂只支持相同的速度系数 / different speed factors are "
                f"not supported yet, got {sorted(factors)}"
            )
        factor = factors.pop() if factors else 1.0
        if factor != 1.0:
            durations = [[round(d / factor) for d in row] for row in durations]
        n = len(durations)
        self.virtual = n
        self.durations = _with_virtual(durations)
        self.distances = None if distances is None else _with_virtual(distances)
        self.costs = None if costs is None else _with_virtual(costs)
        while len(self.coordinates) < n + 1:
            self.coordinates.append(None)

    def _from_matrix(
        self, places: Sequence[tuple[str, tuple[float, float] | None, int | None]], n: int
    ) -> None:
        self.coordinates = [None] * n
        for where, location, index in places:
            key = "location_index" if where.startswith(("jobs", "shipments")) else None
            name = key or ("start_index" if where.endswith("start") else "end_index")
            shown = where if key else where.rsplit(".", 1)[0]
            if index is None:
                raise VroomInputError(
                    f"{shown}.{name}: 有矩阵时必填 / required with a custom matrix"
                )
            if index >= n:
                raise VroomInputError(
                    f"{shown}.{name}: {index} 超出矩阵范围 / is outside the matrix ({n} rows)"
                )
            if location is not None:
                self.coordinates[index] = location
            self._place(where, index)

    def _routed(
        self,
        places: Sequence[tuple[str, tuple[float, float] | None, int | None]],
        graph: nx.MultiDiGraph | None,
    ) -> tuple[list[list[int]], list[list[int]]]:
        for where, location, _ in places:
            if location is None:
                raise VroomInputError(
                    f"{where}: 没有矩阵时需要坐标 location / needs a location ([lon, lat]) "
                    "when the request has no matrix"
                )
        if graph is None:
            raise VroomInputError(
                "matrices: 需要矩阵（本服务未加载路网）/ a matrix is needed: give matrices "
                "(durations) for the vehicles' profile, or locations with a street network"
            )
        import geo

        index: dict[tuple[float, float], int] = {}
        located: list[tuple[float, float]] = []
        names: list[str] = []
        for where, location, _ in places:
            assert location is not None  # checked above
            if location not in index:
                index[location] = len(located)
                located.append(location)
                names.append(where)
            self._place(where, index[location])
        self.coordinates = list(located)
        try:
            snapped = geo.snap_points(graph, located, names=names)
        except geo.SnapError as exc:
            raise VroomInputError(f"location: {exc}") from None
        self.snapped = snapped
        durations, distances = geo.travel_matrices(graph, snapped)
        return durations.tolist(), distances.tolist()

    def _place(self, where: str, point: int) -> None:
        if where.startswith("vehicles"):
            self.vehicle_point[where] = point
        else:
            self.task_point[where] = point


def _matrices(
    request: RequestIn, profile: str
) -> tuple[Matrix, Matrix | None, Matrix | None] | None:
    """``(durations, distances, costs)`` given for ``profile``, or None (route instead)."""
    if request.matrices is not None and profile in request.matrices:
        given = request.matrices[profile]
        where = f"matrices.{profile}"
        if given.durations is None:
            raise VroomInputError(f"{where}.durations: 缺少 / missing (travel times are needed)")
        found = (given.durations, given.distances, given.costs)
    elif request.matrix is not None:
        where = "matrix"
        found = (request.matrix, None, None)
    else:
        return None
    n = len(found[0])
    for name, matrix in zip(("durations", "distances", "costs"), found, strict=True):
        if matrix is None:
            continue
        label = where if where == "matrix" else f"{where}.{name}"
        if len(matrix) != n:
            raise VroomInputError(
                f"{label}: {len(matrix)} 行，应为 {n} / has {len(matrix)} rows, expected {n}"
            )
        for i, row in enumerate(matrix):
            if len(row) != n:
                raise VroomInputError(
                    f"{label}[{i}]: {len(row)} 项，应为 {n} / has {len(row)} entries, expected {n}"
                )
    return found


def _with_virtual(matrix: Sequence[Sequence[int]]) -> list[list[int]]:
    """The matrix with one more point, at no travel from or to any other."""
    return [[*row, 0] for row in matrix] + [[0] * (len(matrix) + 1)]


def _check_unsupported(request: RequestIn, dims: int, n_tasks: int, points: _Points) -> None:
    """Refuse what the optimiser cannot enforce yet, unless it cannot bind."""
    types = {v.type for v in request.vehicles if v.type is not None}
    for _, where, task in _tasks(request):
        for name in ("setup_per_type", "service_per_type"):
            used = sorted(types & set(getattr(task, name) or {}))
            if used:
                raise VroomInputError(
                    f"{where}.{name}: 暂不支持按车型的时间 / times per vehicle type are not "
                    f"supported yet (types {used})"
                )
    longest = max((d for row in points.distances or () for d in row if d < UNREACHABLE), default=0)
    plan = request.options.c  # plan mode reports these bounds as violations
    for v, vehicle in enumerate(request.vehicles):
        where = f"vehicles[{v}]"
        if vehicle.costs.per_task_hour:
            raise VroomInputError(
                f"{where}.costs.per_task_hour: 暂只支持 0 / only 0 is supported yet, got "
                f"{vehicle.costs.per_task_hour}"
            )
        if not plan and vehicle.max_tasks is not None and vehicle.max_tasks < n_tasks:
            raise VroomInputError(
                f"{where}.max_tasks: 暂不支持限制任务数 / a bound on the number of tasks is not "
                f"supported yet, got {vehicle.max_tasks} for {n_tasks} tasks"
            )
        if not plan and (
            vehicle.max_distance is not None
            and (points.distances is None or vehicle.max_distance < (n_tasks + 1) * longest)
        ):
            raise VroomInputError(
                f"{where}.max_distance: 暂不支持限制里程 / a bound on the distance is not "
                f"supported yet, got {vehicle.max_distance}"
            )
        for b, brk in enumerate(vehicle.breaks):
            if (
                not plan
                and brk.max_load is not None
                and any(m < c for m, c in zip(brk.max_load, vehicle.capacity or [], strict=False))
            ):
                raise VroomInputError(
                    f"{where}.breaks[{b}].max_load: 暂不支持休息时的载重上限 / a load bound "
                    f"during breaks is not supported yet, got {brk.max_load}"
                )
            if brk.max_load is not None and len(brk.max_load) != dims:
                raise VroomInputError(
                    f"{where}.breaks[{b}].max_load: 长度应为 {dims} / must have {dims} entries"
                )
        costs = vehicle.costs
        for name, value, most in (
            ("per_hour", costs.per_hour, RATE_MAX),
            ("per_km", costs.per_km, RATE_MAX),
            ("fixed", costs.fixed, COST_MAX),
        ):
            if value > most:
                raise VroomInputError(
                    f"{where}.costs.{name}: 应不超过 {most:g} / must be at most {most:g}, got "
                    f"{value}"
                )
        if points.costs is not None and (costs.per_hour != DEFAULT_PER_HOUR or costs.per_km):
            raise VroomInputError(
                f"{where}.costs: 有成本矩阵时不可再设 per_hour / per_km / per_hour and per_km "
                "cannot be set with a custom costs matrix"
            )
        if costs.per_km and points.distances is None:
            raise VroomInputError(
                f"{where}.costs.per_km: 需要距离矩阵 / needs a distances matrix (or locations "
                "routed on the street network)"
            )


def _windows(windows: Sequence[tuple[int, int]] | None) -> tuple[TimeWindow, ...]:
    """Sorted windows, overlapping ones merged (the model wants them disjoint)."""
    if not windows:
        return (TimeWindow(),)
    merged: list[list[int]] = []
    for early, late in sorted(windows):
        if merged and early <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], late)
        else:
            merged.append([early, late])
    return tuple(TimeWindow(early, late) for early, late in merged)


def _problem(built: VroomProblem) -> WithJobs:
    request = built.request
    dims = max(built.dims, 1)
    zero = (0,) * dims
    sites: list[Site] = []
    site_point: list[int] = []
    by_key: dict[tuple[Any, ...], str] = {}

    def site(point: int, setup: int = 0, windows: tuple[TimeWindow, ...] = (TimeWindow(),)) -> str:
        key = (point, setup, windows)
        if key not in by_key:
            by_key[key] = f"p{point}" if key[1:] == (0, (TimeWindow(),)) else f"t{len(sites)}"
            sites.append(
                Site(
                    by_key[key],
                    location=built.coordinates[point],
                    service_duration=setup,
                    time_windows=windows,
                )
            )
            site_point.append(point)
        return by_key[key]

    task_point = built.task_point
    glued: list[tuple[str, str]] = []  # (a job's site, its pickup's site) of jobs doing both
    jobs: list[Job] = []
    for i, job in enumerate(request.jobs):
        where = f"jobs[{i}]"
        delivery = tuple(job.delivery or zero)
        pickup = tuple(job.pickup or zero)
        both = any(delivery) and any(pickup)
        is_pickup = any(pickup) and not both
        shipment_id = f"j{job.id}"
        point = task_point[where]
        if both:
            # The pickup of a job that also delivers: a job of its own at the same place,
            # to be served right after the delivery (``api.vroom_answer.split_jobs``).
            partner = f"j{job.id}+pickup"
            glue = f"b{job.id}"  # the pickup's own copy of the place, dear to reach but from it
            sites.append(Site(glue, location=built.coordinates[point]))
            site_point.append(point)
            glued.append((site(point, job.setup, _windows(job.time_windows)), glue))
            jobs.append(
                Job(
                    partner,
                    glue,
                    JobType.PICKUP,
                    pickup,
                    priority=job.priority,
                    skills=frozenset(str(s) for s in job.skills),
                )
            )
            built.partners[shipment_id] = partner
        jobs.append(
            Job(
                shipment_id,
                site(point, job.setup, _windows(job.time_windows)),
                JobType.PICKUP if is_pickup else JobType.DELIVERY,
                pickup if is_pickup else delivery,
                service=job.service,
                priority=job.priority,
                skills=frozenset(str(s) for s in job.skills),
            )
        )
        built.tasks[shipment_id] = Task(
            "job",
            where,
            job,
            point,
            pickup if is_pickup else delivery,
            job.priority,
            pickup if both else (),
        )
    shipments: list[Shipment] = []
    for i, item in enumerate(request.shipments):
        shipment_id = f"s{item.pickup.id}"
        amount = tuple(item.amount or zero)
        ends = []
        for kind, task in (("pickup", item.pickup), ("delivery", item.delivery)):
            where = f"shipments[{i}].{kind}"
            point = task_point[where]
            ends.append((site(point, task.setup, _windows(task.time_windows)), point, where))
        shipments.append(
            Shipment(
                shipment_id,
                ends[0][0],
                ends[1][0],
                amount,
                priority=item.priority,
                skills=frozenset(str(s) for s in item.skills),
                pickup_service=item.pickup.service,
                delivery_service=item.delivery.service,
            )
        )
        built.tasks[shipment_id] = Task(
            "pickup", ends[0][2], item.pickup, ends[0][1], amount, item.priority
        )
        built.deliveries[shipment_id] = Task(
            "delivery", ends[1][2], item.delivery, ends[1][1], amount, item.priority
        )
    vans: list[Van] = []
    for v, vehicle in enumerate(request.vehicles):
        start = built.vehicle_points[f"vehicles[{v}].start"]
        end = built.vehicle_points[f"vehicles[{v}].end"]
        start = built.virtual if start is None else start
        end = built.virtual if end is None else end
        van_id = f"v{vehicle.id}"
        built.vehicles[van_id] = vehicle
        vans.append(_van(built, vehicle, van_id, site(start), site(end), dims))
    n = len(sites)
    durations = [
        [built.durations[site_point[i]][site_point[j]] for j in range(n)] for i in range(n)
    ]
    money = built.costs if built.costs is not None else built.distances
    distances = (
        [[money[site_point[i]][site_point[j]] for j in range(n)] for i in range(n)]
        if money is not None
        else [[0] * n for _ in range(n)]
    )
    if glued:
        vans, distances = _glue(built, vans, distances, [s.id for s in sites], glued)
    problem = Problem(
        tuple(sites),
        tuple(map(tuple, durations)),
        tuple(map(tuple, distances)),
        tuple(vans),
        tuple(shipments),
    )
    return with_jobs(problem, jobs)


GLUE_METRES = 10**8
"""Added to the distance into the pickup of a job that also delivers from anywhere but the
job's own site: at ``GLUE_RATE`` yuan/km, 10⁷ yuan, above any route's cost difference, so
the optimiser serves the pickup straight after the delivery whenever it can."""

GLUE_RATE = 100.0
"""The least ``cost_per_km`` at which ``GLUE_METRES`` binds."""


def _glue(
    built: VroomProblem,
    vans: list[Van],
    distances: list[list[int]],
    ids: list[str],
    glued: Sequence[tuple[str, str]],
) -> tuple[list[Van], list[list[int]]]:
    """The vans and distances that keep the two visits of each job doing both together.

    The pickup's site is a copy of the job's place: as near as it in time, but
    ``GLUE_METRES`` further from every other site. Distances price the vans' routes at
    ``cost_per_km``: below ``GLUE_RATE`` (VROOM's default is 0) the distances are scaled
    down and the rate up by the same factor, so that every route costs what it did. With
    vans at different rates below it, no scale fits them all, and nothing is added: the
    optimiser may then serve the two apart, and the job is left out (``split_job``).
    """
    rates = {van.cost_per_km for van in vans}
    if min(rates, default=GLUE_RATE) < GLUE_RATE:
        if len(rates) > 1:
            return vans, distances
        (rate,) = rates
        factor = rate / GLUE_RATE
        distances = [[round(d * factor) for d in row] for row in distances]
        vans = [dataclasses.replace(van, cost_per_km=GLUE_RATE) for van in vans]
    index = {site_id: i for i, site_id in enumerate(ids)}
    for job_site, glue in glued:
        s, g = index[job_site], index[glue]
        for i, row in enumerate(distances):
            if i not in (s, g):
                row[g] = min(row[g] + GLUE_METRES, UNREACHABLE - 1)
        distances[s][g] = 0
    return vans, distances


def _van(
    built: VroomProblem, vehicle: VehicleIn, van_id: str, start: str, end: str, dims: int
) -> Van:
    costs = vehicle.costs
    custom = built.costs is not None
    capacity = tuple(vehicle.capacity) if vehicle.capacity else (AMOUNT_MAX,) * dims
    shift = TimeWindow(*vehicle.time_window) if vehicle.time_window else TimeWindow()
    return Van(
        van_id,
        start,
        capacity,
        end=end,
        shift=shift,
        breaks=tuple(Break(str(b.id), _windows(b.time_windows), b.service) for b in vehicle.breaks),
        max_route_duration=vehicle.max_travel_time,
        # A custom cost matrix stands in the distances: one cost unit per "metre".
        cost_per_km=1000.0 if custom else float(costs.per_km),
        cost_per_hour=0.0 if custom else float(costs.per_hour),
        fixed_cost=float(costs.fixed),
        skills=frozenset(str(s) for s in vehicle.skills),
    )


def _initial_routes(built: VroomProblem) -> list[PlannedRoute]:
    """The vehicles' ``steps`` as a warm start (VROOM's solving mode: only the order of the
    tasks counts; a delivery job is loaded at the start, a pickup job unloaded at the end)."""
    written = built.written
    shipments = {s.id: s for s in written.problem.shipments}
    by_id: dict[str, dict[int, str]] = {"job": {}, "pickup": {}, "delivery": {}}
    for shipment_id, task in [*built.tasks.items(), *built.deliveries.items()]:
        by_id[task.kind][task.raw.id] = shipment_id
    routes = []
    for v, vehicle in enumerate(built.request.vehicles):
        if not vehicle.steps:
            continue
        first: list[Visit] = []
        middle: list[Visit] = []
        last: list[Visit] = []
        for k, step in enumerate(vehicle.steps):
            where = f"vehicles[{v}].steps[{k}].id"
            if step.type in ("start", "end", "break"):
                continue
            if step.id is None:
                raise VroomInputError(
                    f"{where}: {step.type} 步骤缺少 id / missing for a {step.type} step"
                )
            sid = by_id[step.type].get(step.id)
            if sid is None:
                raise VroomInputError(
                    f"{where}: 未知的 {step.type} / unknown {step.type} id {step.id}"
                )
            placed = written.jobs.get(sid)
            if placed is None:
                middle.append(Visit(sid, VisitType(step.type)))
            elif placed.visit == VisitType.DELIVERY:
                first.append(Visit(sid, VisitType.PICKUP))
                middle.append(Visit(sid, VisitType.DELIVERY))
            elif written.helpers.get(shipments[sid].delivery) == shipments[sid].pickup:
                middle += [Visit(sid, VisitType.PICKUP), Visit(sid, VisitType.DELIVERY)]
            else:
                middle.append(Visit(sid, VisitType.PICKUP))
                last.append(Visit(sid, VisitType.DELIVERY))
            partner = built.partners.get(sid)
            if partner is not None:  # the pickup of a job that also delivers, right after
                middle.append(Visit(partner, VisitType.PICKUP))
                last.append(Visit(partner, VisitType.DELIVERY))
        routes.append(PlannedRoute(f"v{vehicle.id}", (*first, *middle, *last)))
    return routes
