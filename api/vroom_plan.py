"""VROOM's plan mode (``options.c``, ``vroom -c``, "choose ETA"): the vehicles' steps timed.

Each vehicle's ``steps`` fix its route: the tasks in that order, its breaks where they
stand. Nothing is optimised but the times: ``optimizer.route_timing`` (soft) chooses when
the vehicle leaves, when each task and break starts, with every time window soft, as
VROOM does (the least lead time and delay in seconds, then the shortest route, then the
earliest times). ``service_at``, ``service_after`` and ``service_before`` of a step are
hard bounds on its start. The answer is VROOM's, with the violations VROOM reports:

- on a step: ``lead_time`` and ``delay`` (with their ``duration``), ``load`` (the load
  after the step over the capacity), ``skills``, ``precedence`` (a shipment's pickup
  without its delivery after it on the route, or a delivery without its pickup before),
  ``max_tasks`` (from the task over the bound on), ``max_load`` (a break's);
- on the route: those of its steps (delays and lead times summed), ``missing_break`` (a
  break of the vehicle not in its steps), ``max_travel_time`` (travel over the bound) and
  ``max_distance``; the summary has those of every route.

Tasks in no vehicle's steps are ``unassigned``; a vehicle whose steps hold no task has
no route. A task in the steps twice, an unknown id, or bounds that cannot all be kept are
input errors (``code`` 2), as in VROOM.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from api.vroom_answer import RouteWalk
from api.vroom_problem import Task, VroomProblem
from api.vroom_schema import VehicleIn, VehicleStepIn, VroomInputError
from optimizer import (
    Issue,
    ProblemError,
    Timing,
    TimingBounds,
    Visit,
    VisitType,
    route_timing,
)


@dataclass(slots=True)
class _Route:
    """One vehicle's steps as the optimiser's visits, and where each step is in them."""

    visits: list[Visit] = field(default_factory=list)  # each task's own visit
    places: list[tuple[str, Any]] = field(default_factory=list)  # per step: kind, key
    gaps: dict[str, int] = field(default_factory=dict)  # break id -> visits before it
    bounds: dict[tuple[str, Any], tuple[int | None, int | None]] = field(default_factory=dict)


def plan_answer(built: VroomProblem) -> dict[str, Any]:
    """The plan-mode answer to ``built.request`` (``code`` 0); ``built.paths`` gets each
    route's points (for the geometry).

    Raises
    ------
    VroomInputError
        A step naming an unknown task or break, a task or break twice, or fixed times
        that cannot all be kept; the message names the step.
    """
    request = built.request
    used: dict[tuple[str, int], str] = {}  # (kind, id) -> where it is used first
    routes = []
    for v, vehicle in enumerate(request.vehicles):
        if not vehicle.steps:
            continue
        route = _route(built, v, vehicle, used)
        if not route.visits:
            continue
        routes.append(_route_out(built, v, vehicle, route))
    unassigned = []
    for task in [*built.tasks.values(), *built.deliveries.values()]:
        if (task.kind, task.raw.id) not in used:
            entry: dict[str, Any] = {"id": task.raw.id, "type": task.kind}
            if task.raw.description is not None:
                entry["description"] = task.raw.description
            if task.raw.location is not None:
                entry["location"] = list(task.raw.location)
            if task.raw.location_index is not None:
                entry["location_index"] = task.raw.location_index
            unassigned.append(entry)
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
    summary["violations"] = _merged(v for r in routes for v in r["violations"])
    if built.distances is not None:
        summary["distance"] = sum(r["distance"] for r in routes)
    return {"code": 0, "summary": summary, "unassigned": unassigned, "routes": routes}


def _route(
    built: VroomProblem, v: int, vehicle: VehicleIn, used: dict[tuple[str, int], str]
) -> _Route:
    """The vehicle's steps as visits, checked."""
    by_id: dict[str, dict[int, str]] = {"job": {}, "pickup": {}, "delivery": {}}
    for shipment_id, task in [*built.tasks.items(), *built.deliveries.items()]:
        by_id[task.kind][task.raw.id] = shipment_id
    breaks = {b.id for b in vehicle.breaks}
    route = _Route()
    assert vehicle.steps is not None
    for k, step in enumerate(vehicle.steps):
        where = f"vehicles[{v}].steps[{k}]"
        if step.type in ("start", "end"):
            last = len(vehicle.steps) - 1
            if (step.type == "start" and k != 0) or (step.type == "end" and k != last):
                first = "第一步 / the first step" if step.type == "start" else "最后一步 / the last"
                raise VroomInputError(f"{where}.type: {step.type} 只能是{first} only")
            key: tuple[str, Any] = (step.type, None)
        elif step.type == "break":
            if step.id not in breaks:
                raise VroomInputError(
                    f"{where}.id: 车辆 {vehicle.id} 没有此休息 / vehicle {vehicle.id} has no "
                    f"break {step.id}"
                )
            if str(step.id) in route.gaps:
                raise VroomInputError(f"{where}.id: 休息 {step.id} 重复 / break {step.id} twice")
            route.gaps[str(step.id)] = len(route.visits)
            key = ("break", str(step.id))
        else:
            key = ("task", _task_visit(built, by_id, route, step, where, used))
        route.places.append(key)
        bound = _bound(step, where)
        if bound != (None, None):
            route.bounds[("task", key[1][0]) if key[0] == "task" else key] = bound
    return route


def _task_visit(
    built: VroomProblem,
    by_id: dict[str, dict[int, str]],
    route: _Route,
    step: VehicleStepIn,
    where: str,
    used: dict[tuple[str, int], str],
) -> tuple[int, str, Task]:
    """Append the step's task to ``route``: the index of its visit, its shipment's id and
    the task."""
    if step.id is None:
        raise VroomInputError(f"{where}.id: {step.type} 步骤缺少 id / missing for a {step.type}")
    sid = by_id[step.type].get(step.id)
    if sid is None:
        raise VroomInputError(f"{where}.id: 未知的 {step.type} / unknown {step.type} {step.id}")
    if (step.type, step.id) in used:
        raise VroomInputError(
            f"{where}.id: {step.type} {step.id} 已在 {used[(step.type, step.id)]} / is already "
            f"in {used[(step.type, step.id)]}"
        )
    used[(step.type, step.id)] = where
    # Only the task's own visit is timed: a job's helper visits (loading at the start,
    # unloading at the end, a twin, the pickup of a job that also delivers) take no time
    # there, and would tie the job to the depot ``optimizer.jobs`` loads it at, which need
    # not be this vehicle's. Loads are VROOM's own, counted in ``_steps_out``.
    placed = built.written.jobs.get(sid)
    own = len(route.visits)
    route.visits.append(Visit(sid, placed.visit if placed is not None else VisitType(step.type)))
    task = built.deliveries[sid] if step.type == "delivery" else built.tasks[sid]
    return own, sid, task


def _bound(step: VehicleStepIn, where: str) -> tuple[int | None, int | None]:
    lo, hi = step.service_after, step.service_before
    if step.service_at is not None:
        lo = step.service_at if lo is None else max(lo, step.service_at)
        hi = step.service_at if hi is None else min(hi, step.service_at)
    if lo is not None and hi is not None and hi < lo:
        raise VroomInputError(
            f"{where}: service_after/service_at {lo} 晚于 service_before/service_at {hi} / "
            f"the step's earliest service {lo} is after its latest {hi}"
        )
    return lo, hi


def _route_out(built: VroomProblem, v: int, vehicle: VehicleIn, route: _Route) -> dict[str, Any]:
    """The vehicle's route timed, in VROOM's answer shape."""
    gaps = {b: g - 1 for b, g in route.gaps.items()}
    bounds = TimingBounds(
        start=route.bounds.get(("start", None), (None, None)),
        end=route.bounds.get(("end", None), (None, None)),
        visits={key[1]: b for key, b in route.bounds.items() if key[0] == "task"},
        breaks={key[1]: b for key, b in route.bounds.items() if key[0] == "break"},
    )
    van_id = f"v{vehicle.id}"
    try:
        timing = route_timing(
            built.written.problem, van_id, route.visits, break_gaps=gaps, soft=True, bounds=bounds
        )
    except ProblemError:
        raise VroomInputError(
            f"vehicles[{v}].steps: 车辆 {vehicle.id} 的 service_at / service_after / "
            f"service_before 无法同时满足 / infeasible route for vehicle {vehicle.id}: its steps' "
            "service_at, service_after and service_before cannot all be kept"
        ) from None
    return _steps_out(built, v, vehicle, route, timing)


def _steps_out(
    built: VroomProblem, v: int, vehicle: VehicleIn, route: _Route, timing: Timing
) -> dict[str, Any]:
    start = built.vehicle_points[f"vehicles[{v}].start"]
    end = built.vehicle_points[f"vehicles[{v}].end"]
    width = max(built.dims, 1)
    capacity = list(vehicle.capacity) if vehicle.capacity else None
    load = [0] * width
    for kind, key in route.places:
        if kind == "task" and key[2].kind == "job" and _delivers(built, key[1], key[2]):
            load = _plus(load, key[2].amount)  # VROOM: delivery jobs are on board from the start
    delivered, picked = [0] * width, [0] * width
    walk = RouteWalk(point=built.virtual if start is None else start)
    walk.path.append(walk.point)
    issues = _issues_by_place(timing)
    breaks = {str(b.brk.id): b for b in timing.breaks}
    on_route: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    places = list(route.places)
    if not any(kind == "start" for kind, _ in places):
        places.insert(0, ("start", None))
    if not any(kind == "end" for kind, _ in places):
        places.append(("end", None))
    pickups_open: dict[str, int] = {}  # shipment id -> index in steps of its pickup
    ready = timing.start  # when the step before ends
    for kind, key in places:
        violations: list[dict[str, Any]] = []
        if kind == "start":
            violations += issues.get(("start", None), [])
            head = _end_head(vehicle, "start")
            step = _step(built, head, 0, 0, 0, load, timing.start, walk)
        elif kind == "end":
            walk.drive(built, built.virtual if end is None else end)
            violations += issues.get(("end", None), [])
            head = _end_head(vehicle, "end")
            step = _step(built, head, 0, 0, 0, load, timing.end, walk)
        elif kind == "break":
            b = breaks[key]
            brk = next(x for x in vehicle.breaks if str(x.id) == key)
            walk.service += brk.service
            walk.waiting += b.waiting
            violations += issues.get(("break", key), [])
            if brk.max_load is not None and any(
                a > m for a, m in zip(load, brk.max_load, strict=False)
            ):
                violations.append({"cause": "max_load"})
            head = {"type": "break", "id": brk.id}
            if brk.description is not None:
                head["description"] = brk.description
            arrival = b.start - b.waiting
            step = _step(built, head, 0, brk.service, b.waiting, load, arrival, walk)
            step["duration"] += arrival - ready  # the travel driven before the break
            ready = b.start + brk.service
        else:
            own, sid, task = key
            timed = timing.visits[own]
            previous = walk.point
            walk.drive(built, task.point)
            setup = task.raw.setup if previous != task.point else 0  # VROOM: a new place
            walk.setup += setup
            walk.service += task.raw.service
            walk.waiting += timed.waiting
            walk.priority += task.priority
            walk.tasks += 1
            delivers = _delivers(built, sid, task)
            load = _minus(load, task.amount) if delivers else _plus(load, task.amount)
            if delivers:
                delivered = _plus(delivered, task.amount)
            else:
                picked = _plus(picked, task.amount)
            if task.collect:
                load = _plus(load, task.collect)
                picked = _plus(picked, task.collect)
            violations += issues.get(("task", own), [])
            shipment = built.shipment(sid)
            if not shipment.skills <= built.written.problem.vans[v].skills:
                violations.append({"cause": "skills"})
            if vehicle.max_tasks is not None and walk.tasks > vehicle.max_tasks:
                violations.append({"cause": "max_tasks"})
            if task.kind == "pickup":
                pickups_open[sid] = len(steps)
            elif task.kind == "delivery" and pickups_open.pop(sid, None) is None:
                violations.append({"cause": "precedence"})
            head = {"type": task.kind, "id": task.raw.id}
            if task.raw.description is not None:
                head["description"] = task.raw.description
            if task.raw.location is not None:
                head["location"] = list(task.raw.location)
            if task.raw.location_index is not None:
                head["location_index"] = task.raw.location_index
            step = _step(
                built, head, setup, task.raw.service, timed.waiting, load, timed.arrival, walk
            )
            ready = timed.departure
        if capacity is not None and any(a > c for a, c in zip(load, capacity, strict=True)):
            violations.append({"cause": "load"})
        if vehicle.max_travel_time is not None and step["duration"] > vehicle.max_travel_time:
            violations.append({"cause": "max_travel_time"})
        if vehicle.max_distance is not None and step.get("distance", 0) > vehicle.max_distance:
            violations.append({"cause": "max_distance"})
        step["violations"] = violations
        on_route += violations
        steps.append(step)
    for index in pickups_open.values():  # a pickup whose delivery is not on the route
        steps[index]["violations"].append({"cause": "precedence"})
        on_route.append({"cause": "precedence"})
    if any(i.kind == "missing_break" for i in timing.issues):
        on_route.append({"cause": "missing_break"})
    built.paths.append(walk.path)
    costs = vehicle.costs
    if built.costs is not None:
        cost = costs.fixed + walk.cost
    else:
        travel = costs.per_hour * walk.travel / 3600 + costs.per_km * walk.distance / 1000
        cost = round(costs.fixed + travel)
    out: dict[str, Any] = {"vehicle": vehicle.id, "cost": cost}
    if vehicle.description is not None:
        out["description"] = vehicle.description
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
        out["delivery"], out["pickup"] = delivered, picked
    if built.distances is not None:
        out["distance"] = walk.distance
    return {**out, "steps": steps, "violations": _merged(on_route)}


def _delivers(built: VroomProblem, sid: str, task: Task) -> bool:
    """Whether the task drops its amount (a shipment's delivery, a delivery job)."""
    placed = built.written.jobs.get(sid)
    return task.kind == "delivery" or (placed is not None and placed.visit == VisitType.DELIVERY)


def _plus(a: list[int], b: tuple[int, ...] | list[int]) -> list[int]:
    return [x + y for x, y in zip(a, b, strict=True)]


def _minus(a: list[int], b: tuple[int, ...] | list[int]) -> list[int]:
    return [x - y for x, y in zip(a, b, strict=True)]


def _end_head(vehicle: VehicleIn, kind: str) -> dict[str, Any]:
    head: dict[str, Any] = {"type": kind}
    location = vehicle.start if kind == "start" else vehicle.end
    index = vehicle.start_index if kind == "start" else vehicle.end_index
    if location is not None:
        head["location"] = list(location)
    if index is not None:
        head["location_index"] = index
    return head


def _step(
    built: VroomProblem,
    head: dict[str, Any],
    setup: int,
    service: int,
    waiting: int,
    load: list[int],
    arrival: int,
    walk: RouteWalk,
) -> dict[str, Any]:
    """One step of VROOM's answer: ``head`` (type, id, location) and the figures."""
    out = {**head, "setup": setup, "service": service, "waiting_time": waiting}
    if built.dims:
        out["load"] = list(load)
    out.update({"arrival": arrival, "duration": walk.travel})
    if built.distances is not None:
        out["distance"] = walk.distance
    return out


def _issues_by_place(timing: Timing) -> dict[tuple[str, Any], list[dict[str, Any]]]:
    """The timing's lead times and delays by where they are: the start, the end, a break
    (by id), a task (by its visit's index)."""
    out: dict[tuple[str, Any], list[dict[str, Any]]] = {}
    for issue in timing.issues:
        if issue.kind not in ("lead_time", "delay"):
            continue
        place = _place(issue)
        out.setdefault(place, []).append({"cause": issue.kind, "duration": issue.seconds})
    return out


def _place(issue: Issue) -> tuple[str, Any]:
    if issue.break_id is not None:
        return ("break", issue.break_id)
    if issue.visit is None:
        return ("start", None) if issue.kind == "lead_time" else ("end", None)
    return ("task", issue.visit)


def _merged(violations: Any) -> list[dict[str, Any]]:
    """Violations of several steps (or routes) as VROOM sums them: one per cause, the
    durations of lead times and delays added."""
    seconds: Counter[str] = Counter()
    causes: list[str] = []
    for violation in violations:
        cause = violation["cause"]
        if cause not in causes:
            causes.append(cause)
        seconds[cause] += violation.get("duration", 0)
    return [
        {"cause": c, "duration": seconds[c]} if c in ("lead_time", "delay") else {"cause": c}
        for c in causes
    ]
