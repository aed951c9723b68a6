"""A plan in memory, for a dispatcher's edits: the problem it was made for, per van its stops.

A stop is one step of the optimiser's route, a pickup or a delivery of one or more shipments
at one site; starts, ends and breaks are not stops (``time_route`` places the breaks again
whenever the stops change). Stops keep their ``id`` through edits, so that a stored plan can
be updated in place. Pure: no database. Times in seconds, distances in metres.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dispatch.errors import DispatchError
from optimizer import (
    Lock,
    PlannedRoute,
    Problem,
    ProblemError,
    Result,
    Shipment,
    StepType,
    Timing,
    Van,
    Visit,
    VisitType,
)
from optimizer import route_timing as optimizer_route_timing

__all__ = [
    "EditError",
    "Plan",
    "PlanRoute",
    "Stop",
    "TimedBreak",
    "TimedRoute",
    "TimedStop",
    "plan_from_result",
    "route_timing",
    "time_route",
    "travel_cost",
]


class EditError(DispatchError):
    """An edit names no stop, van or position of the plan (field and value named)."""


@dataclass(frozen=True, slots=True)
class Stop:
    """A pickup or delivery of ``shipments`` at ``site``; ``locked``: a re-plan keeps it."""

    id: str
    type: VisitType
    site: str
    shipments: tuple[str, ...]
    locked: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", VisitType(self.type))
        object.__setattr__(self, "shipments", tuple(self.shipments))

    @property
    def visits(self) -> tuple[Visit, ...]:
        return tuple(Visit(s, self.type) for s in self.shipments)


@dataclass(frozen=True, slots=True)
class PlanRoute:
    """One van's stops, in order (no stops: the van stays at its depot)."""

    van: str
    stops: tuple[Stop, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "stops", tuple(self.stops))


@dataclass(frozen=True, slots=True)
class Plan:
    """A plan and the problem it was made for.

    Parameters
    ----------
    problem
        The day's problem; the stops name its vans, sites and shipments.
    routes
        At most one route per van.
    reasons
        ``{shipment id: reason code}`` of the shipments the solve left out, when known.

    The locks are the stops' ``locked`` flags (``locks``); the problem's own are not read.

    Raises
    ------
    EditError
        A route of an unknown van or a second route of a van, two stops with one id, a stop
        of an unknown shipment, at the wrong site, or a shipment's pickup or delivery twice.
    """

    problem: Problem
    routes: tuple[PlanRoute, ...]
    reasons: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "routes", tuple(self.routes))
        vans = {van.id for van in self.problem.vans}
        shipments = {s.id: s for s in self.problem.shipments}
        seen_vans: set[str] = set()
        seen_stops: set[str] = set()
        seen_visits: set[tuple[str, VisitType]] = set()
        for route in self.routes:
            if route.van not in vans or route.van in seen_vans:
                why = "未知车辆 / unknown van" if route.van not in vans else "重复 / twice"
                raise EditError("routes.van", route.van, why)
            seen_vans.add(route.van)
            for stop in route.stops:
                if stop.id in seen_stops:
                    raise EditError("stop.id", stop.id, "站点编号重复 / two stops with this id")
                seen_stops.add(stop.id)
                for sid in stop.shipments:
                    shipment = shipments.get(sid)
                    if shipment is None:
                        raise EditError("stop.shipments", sid, "未知调拨 / unknown shipment")
                    if _site(shipment, stop.type) != stop.site:
                        raise EditError(
                            "stop.site",
                            stop.site,
                            f"{sid} 的{_zh(stop.type)}不在此站点 / "
                            f"the {stop.type.value} of {sid} is not at this site",
                        )
                    if (sid, stop.type) in seen_visits:
                        raise EditError(
                            "stop.shipments",
                            sid,
                            f"{_zh(stop.type)}出现两次 / {stop.type.value} planned twice",
                        )
                    seen_visits.add((sid, stop.type))

    def route(self, van: str) -> PlanRoute:
        """The van's route (empty if it has none)."""
        return next((r for r in self.routes if r.van == van), PlanRoute(van))

    def stop(self, stop_id: str) -> tuple[str, int]:
        """``(van, position)`` of a stop.

        Raises
        ------
        EditError
            No stop of the plan has this id.
        """
        for route in self.routes:
            for position, stop in enumerate(route.stops):
                if stop.id == stop_id:
                    return route.van, position
        raise EditError("stop_id", stop_id, "计划中没有此站点 / no such stop in the plan")

    @property
    def stops(self) -> dict[str, Stop]:
        """Every stop by id."""
        return {stop.id: stop for route in self.routes for stop in route.stops}

    @property
    def planned(self) -> tuple[str, ...]:
        """The shipments with a stop, in problem order."""
        on = {sid for route in self.routes for stop in route.stops for sid in stop.shipments}
        return tuple(s.id for s in self.problem.shipments if s.id in on)

    @property
    def unplanned(self) -> tuple[str, ...]:
        """The shipments in no stop, in problem order."""
        on = set(self.planned)
        return tuple(s.id for s in self.problem.shipments if s.id not in on)

    def planned_routes(self) -> tuple[PlannedRoute, ...]:
        """The routes with stops, as the optimiser's ``PlannedRoute`` (for ``check``,
        ``solve(initial_routes=...)``)."""
        return tuple(
            PlannedRoute(r.van, tuple(v for stop in r.stops for v in stop.visits))
            for r in self.routes
            if r.stops
        )

    def locks(self) -> tuple[Lock, ...]:
        """The locked stops as the optimiser's locks: per van, their visits in route order."""
        out = []
        for route in self.routes:
            visits = tuple(v for stop in route.stops if stop.locked for v in stop.visits)
            if visits:
                out.append(Lock(route.van, visits))
        return tuple(out)

    def locked_problem(self) -> Problem:
        """The problem with the plan's locks (``locks``) in place of its own.

        Raises
        ------
        EditError
            The locked stops contradict each other: a shipment locked on two vans, or its
            locked delivery before its locked pickup.
        """
        try:
            return dataclasses.replace(self.problem, locks=self.locks())
        except ProblemError as exc:
            raise EditError(
                "locks",
                len(self.locks()),
                f"锁定的站点互相矛盾 / the locked stops contradict each other: {exc}",
            ) from None

    def with_route(self, route: PlanRoute) -> Plan:
        """This plan with ``route`` in place of the van's route (vans in problem order)."""
        routes = {r.van: r for r in self.routes}
        routes[route.van] = route
        order = [van.id for van in self.problem.vans]
        return dataclasses.replace(self, routes=tuple(routes[v] for v in order if v in routes))


def _site(shipment: Shipment, type: VisitType) -> str:
    return shipment.pickup if type == VisitType.PICKUP else shipment.delivery


def _zh(type: VisitType) -> str:
    return "取件" if type == VisitType.PICKUP else "送达"


def van_of(problem: Problem, van_id: str) -> Van:
    """The problem's van of this id."""
    return next(v for v in problem.vans if v.id == van_id)


def route_timing(
    problem: Problem, van: Van, stops: Sequence[Stop], shipments: Mapping[str, Shipment]
) -> Timing:
    """The optimiser's timing of ``stops`` on ``van`` (``shipments``: the problem's by id)."""
    visits = [Visit(shipments[sid].id, stop.type) for stop in stops for sid in stop.shipments]
    return optimizer_route_timing(problem, van, visits)


def travel_cost(van: Van, timing: Timing) -> float:
    """The route's cost in yuan, as ``solve`` counts it (fixed cost aside)."""
    return timing.distance / 1000 * van.cost_per_km + timing.travel / 3600 * van.cost_per_hour


@dataclass(frozen=True, slots=True)
class TimedStop:
    """A stop with its times (seconds) and the van's load after it."""

    stop: Stop
    arrival: int
    waiting: int
    service_start: int
    departure: int
    load: tuple[int, ...]
    distance: int  # metres driven from the start to here


@dataclass(frozen=True, slots=True)
class TimedBreak:
    """A driver break: ``after`` stops of the route (0: before the first)."""

    id: str
    after: int
    start: int
    duration: int
    site: str | None  # None: on the road
    distance: int  # metres driven from the start to here


@dataclass(frozen=True, slots=True)
class TimedRoute:
    """A van's route timed as ``solve`` times its own; ``cost`` in yuan (fixed cost included
    when the van is used)."""

    van: str
    start: int
    end: int
    distance: int
    duration: int
    cost: float
    stops: tuple[TimedStop, ...]
    breaks: tuple[TimedBreak, ...]


def time_route(plan: Plan, van: str) -> TimedRoute:
    """The van's route timed: each stop's arrival, waiting, service start, departure and load,
    the breaks where they do the least harm, the route's distance, duration and cost.

    A route that breaks rules is timed all the same (late starts are late); ``check_plan``
    names what it breaks.
    """
    vehicle = van_of(plan.problem, van)
    stops = plan.route(van).stops
    if not stops:
        return TimedRoute(van, vehicle.shift.early, vehicle.shift.early, 0, 0, 0.0, (), ())
    shipments = {s.id: s for s in plan.problem.shipments}
    timing = route_timing(plan.problem, vehicle, stops, shipments)
    timed: list[TimedStop] = []
    last_visit: list[int] = []  # index of each stop's last visit
    i = 0
    for stop in stops:
        first, last = timing.visits[i], timing.visits[i + len(stop.shipments) - 1]
        timed.append(
            TimedStop(
                stop,
                arrival=first.arrival,
                waiting=first.waiting,
                service_start=first.service_start,
                departure=last.departure,
                load=last.load,
                distance=first.distance,
            )
        )
        i += len(stop.shipments)
        last_visit.append(i - 1)
    breaks = tuple(
        TimedBreak(
            b.brk.id,
            after=sum(1 for v in last_visit if v <= b.gap),
            start=b.start,
            duration=b.brk.duration,
            site=b.site,
            distance=b.distance,
        )
        for b in sorted(timing.breaks, key=lambda b: b.start)
    )
    cost = vehicle.fixed_cost + travel_cost(vehicle, timing)
    return TimedRoute(
        van,
        timing.start,
        timing.end,
        timing.distance,
        timing.duration,
        round(cost, 2),
        tuple(timed),
        breaks,
    )


def plan_from_result(problem: Problem, result: Result) -> Plan:
    """The plan of a solve's result: one stop per pickup or delivery step, ids ``"<van>:<n>"``
    (n counts the van's stops from 0), locked where the problem locks one of its visits, the
    shipments left out with their reason codes."""
    routes = []
    for route in result.routes:
        stops = [
            Stop(
                f"{route.van}:{n}",
                VisitType(step.type.value),
                step.site or "",
                step.shipments,
                # a stop with a locked visit stays locked, so that no lock is lost
                any(
                    (sid, VisitType(step.type.value)) in problem.lock_rank for sid in step.shipments
                ),
            )
            for n, step in enumerate(
                s for s in route.steps if s.type in (StepType.PICKUP, StepType.DELIVERY)
            )
        ]
        routes.append(PlanRoute(route.van, tuple(stops)))
    reasons = {u.shipment: u.reason.value for u in result.unassigned}
    return Plan(problem, tuple(routes), reasons)
