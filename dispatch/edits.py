"""A dispatcher's edits of a plan: move a stop, lock stops, check, re-plan around the locks, diff.

Pure functions on a ``dispatch.plan.Plan``. An edit is never refused for the rules it breaks:
the edited plan is *checked* (``check_plan``) and annotated with its violations, as the
dispatcher may know better (VROOM's stance on routes fixed by a person). Only an edit that
names no stop, van or position of the plan is refused, with ``EditError``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from dispatch.plan import (
    EditError,
    Plan,
    PlanRoute,
    Stop,
    plan_from_result,
    route_timing,
    time_route,
    travel_cost,
    van_of,
)
from optimizer import Result, SolveParams, Violation, ViolationKind, VisitType, check, solve

__all__ = [
    "Figures",
    "LeftOut",
    "Moved",
    "PlanCheck",
    "PlanDiff",
    "PlanViolation",
    "Replanned",
    "StopMove",
    "check_plan",
    "diff",
    "lock_stops",
    "move_stop",
    "plan_check",
    "replan",
]


@dataclass(frozen=True, slots=True)
class Moved:
    """What ``move_stop`` did.

    ``along``: ids of the stops that moved with it (the other ends of its shipments);
    ``notes``: one bilingual line ("中文 / English") per consequence the dispatcher should
    know (the other ends taken along, a delivery now before its pickup).
    """

    plan: Plan
    along: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def move_stop(plan: Plan, stop_id: str, to_van: str, to_position: int) -> Moved:
    """Move a stop to position ``to_position`` (0: the first stop) of van ``to_van``.

    Within one van the stop goes exactly where asked; if that puts a delivery before its
    pickup, the move is made and a note says so (``check_plan`` reports the violation). To
    another van, the stop takes the other ends of its shipments along, so that a pair stays
    on one van: the deliveries of a pickup go where they cost least after it, the pickups of
    a delivery where they cost least before it (fewest broken rules, then the least cost).
    Another end that shares its stop with shipments that stay is split from it into a stop of
    its own. A locked stop may be moved; it stays locked.

    Raises
    ------
    EditError
        No such stop or van, or a position outside ``0 … n`` (n: the van's other stops).
    """
    from_van, from_position = plan.stop(stop_id)
    if to_van not in {van.id for van in plan.problem.vans}:
        raise EditError("van", to_van, "未知车辆 / unknown van")
    stop = plan.route(from_van).stops[from_position]
    source = _without(plan.route(from_van).stops, stop.id)
    target = source if to_van == from_van else plan.route(to_van).stops
    if isinstance(to_position, bool) or not isinstance(to_position, int):
        raise EditError("position", to_position, "位置必须是整数 / position must be an integer")
    if not 0 <= to_position <= len(target):
        raise EditError(
            "position",
            to_position,
            f"位置须在 0 … {len(target)} 之间 / position must be within 0 … {len(target)}",
        )
    target = (*target[:to_position], stop, *target[to_position:])
    moved = plan.with_route(PlanRoute(from_van, source)).with_route(PlanRoute(to_van, target))
    if to_van == from_van:
        return Moved(moved, notes=_order_notes(moved, stop, to_van))
    return _take_along(moved, stop, to_van)


def lock_stops(plan: Plan, stop_ids: Iterable[str], locked: bool = True) -> Plan:
    """The plan with ``stop_ids`` locked (a re-plan keeps them on their van, in their order)
    or unlocked.

    Raises
    ------
    EditError
        An id names no stop of the plan.
    """
    wanted = set(stop_ids)
    unknown = sorted(wanted - set(plan.stops))
    if unknown:
        raise EditError("stop_ids", unknown[0], "计划中没有此站点 / no such stop in the plan")
    return dataclasses.replace(
        plan,
        routes=tuple(
            PlanRoute(
                r.van,
                tuple(
                    dataclasses.replace(s, locked=locked) if s.id in wanted else s for s in r.stops
                ),
            )
            for r in plan.routes
        ),
    )


def _without(stops: Sequence[Stop], stop_id: str) -> tuple[Stop, ...]:
    return tuple(s for s in stops if s.id != stop_id)


def _order_notes(plan: Plan, stop: Stop, van: str) -> tuple[str, ...]:
    """A note per shipment of ``stop`` whose delivery is now before its pickup on ``van``."""
    index = {(sid, s.type): i for i, s in enumerate(plan.route(van).stops) for sid in s.shipments}
    notes = []
    for sid in stop.shipments:
        pickup = index.get((sid, VisitType.PICKUP))
        delivery = index.get((sid, VisitType.DELIVERY))
        if pickup is not None and delivery is not None and delivery < pickup:
            notes.append(f"{sid} 现在先送达后取件 / {sid} is now delivered before it is picked up")
    return tuple(notes)


def _take_along(plan: Plan, stop: Stop, van: str) -> Moved:
    """Bring the other ends of ``stop``'s shipments onto ``van``, on the right side of it."""
    other = VisitType.DELIVERY if stop.type == VisitType.PICKUP else VisitType.PICKUP
    # The other ends to move, grouped by the stop they are in now.
    groups: dict[str, list[str]] = {}
    for sid in stop.shipments:
        found = _find_visit(plan, sid, other)
        if found is None:
            continue
        end_van, end_stop = found
        here = [s.id for s in plan.route(van).stops]
        if end_van == van and _right_side(here, stop.id, end_stop.id, stop.type):
            continue
        groups.setdefault(end_stop.id, []).append(sid)
    along: list[str] = []
    notes: list[str] = []
    for end_id, sids in groups.items():
        end_van, _ = plan.stop(end_id)
        end_stop = plan.stops[end_id]
        if len(sids) == len(end_stop.shipments):
            part, rest = end_stop, None
        else:
            part = dataclasses.replace(end_stop, id=_new_id(plan, end_id), shipments=tuple(sids))
            rest = dataclasses.replace(
                end_stop, shipments=tuple(s for s in end_stop.shipments if s not in sids)
            )
        kept = [s for s in plan.route(end_van).stops if s.id != end_id or rest is not None]
        kept = [rest if s.id == end_id and rest is not None else s for s in kept]
        plan = plan.with_route(PlanRoute(end_van, tuple(kept)))
        plan, position = _insert_best(plan, van, part, stop.id, before=other == VisitType.PICKUP)
        along.append(part.id)
        what = "送达" if other == VisitType.DELIVERY else "取件"
        shipments = ", ".join(sids)
        notes.append(
            f"{shipments} 的{what}随之移到 {van} 第 {position + 1} 站 / the {other.value} of "
            f"{shipments} moved along to {van}, stop {position + 1}"
        )
    return Moved(plan, tuple(along), tuple(notes))


def _find_visit(plan: Plan, sid: str, type: VisitType) -> tuple[str, Stop] | None:
    for route in plan.routes:
        for stop in route.stops:
            if stop.type == type and sid in stop.shipments:
                return route.van, stop
    return None


def _right_side(ids: list[str], moved: str, end: str, moved_type: VisitType) -> bool:
    """Is ``end`` after a moved pickup (or before a moved delivery)?"""
    if moved_type == VisitType.PICKUP:
        return ids.index(end) > ids.index(moved)
    return ids.index(end) < ids.index(moved)


def _new_id(plan: Plan, base: str) -> str:
    taken = set(plan.stops)
    n = 1
    while f"{base}.{n}" in taken:
        n += 1
    return f"{base}.{n}"


def _insert_best(
    plan: Plan, van: str, part: Stop, anchor: str, *, before: bool
) -> tuple[Plan, int]:
    """``part`` put on ``van`` after ``anchor`` (``before``: before it) where it costs least:
    fewest broken rules, then the least cost, then the earliest return."""
    stops = plan.route(van).stops
    at = [s.id for s in stops].index(anchor)
    positions = range(0, at + 1) if before else range(at + 1, len(stops) + 1)
    vehicle = van_of(plan.problem, van)
    shipments = {s.id: s for s in plan.problem.shipments}

    def rank(position: int) -> tuple[int, float, int, int]:
        trial = (*stops[:position], part, *stops[position:])
        timing = route_timing(plan.problem, vehicle, trial, shipments)
        return (len(timing.issues), travel_cost(vehicle, timing), timing.end, position)

    best = min(positions, key=rank)
    return plan.with_route(PlanRoute(van, (*stops[:best], part, *stops[best:]))), best


# --- checking -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanViolation:
    """One broken rule of a plan: at a stop, on a van (``stop`` None), or of the plan
    (``van`` None: a shipment in no route). ``kind`` is ``optimizer.ViolationKind``'s code."""

    kind: ViolationKind
    van: str | None
    stop: str | None
    shipment: str | None
    message_zh: str
    message_en: str

    @property
    def message(self) -> str:
        return f"{self.message_zh} / {self.message_en}"


@dataclass(frozen=True, slots=True)
class PlanCheck:
    """The violations of a plan (``check_plan``); ``unplanned`` are kept apart, as a plan
    may leave deferrable shipments for tomorrow."""

    violations: tuple[PlanViolation, ...]
    unplanned: tuple[PlanViolation, ...]

    @property
    def ok(self) -> bool:
        """No rule broken by the routes (shipments left out aside)."""
        return not self.violations

    def at_stop(self, stop_id: str) -> tuple[PlanViolation, ...]:
        return tuple(v for v in self.violations if v.stop == stop_id)

    def on_van(self, van: str) -> tuple[PlanViolation, ...]:
        """The van's violations that belong to no one stop (shift, breaks, duration)."""
        return tuple(v for v in self.violations if v.van == van and v.stop is None)

    def by_stop(self) -> dict[str, tuple[PlanViolation, ...]]:
        out: dict[str, list[PlanViolation]] = {}
        for v in self.violations:
            if v.stop is not None:
                out.setdefault(v.stop, []).append(v)
        return {k: tuple(vs) for k, vs in out.items()}


def check_plan(plan: Plan) -> PlanCheck:
    """Every rule the plan breaks, per stop and per van (``optimizer.check``): a late arrival
    or a closed site (``time_window``), a missed deadline, a van over capacity, the shift or
    the route's maximum duration exceeded, a break that cannot be taken, a shipment picked up
    and delivered by two vans or in the wrong order (``precedence``), a lacking skill; and the
    shipments in no route (``unplanned``). Messages in Chinese and English."""
    routes = plan.planned_routes()
    stop_of: dict[str, list[str]] = {
        r.van: [stop.id for stop in r.stops for _ in stop.shipments] for r in plan.routes
    }
    try:
        problem = plan.locked_problem()
    except EditError:
        # Locks that contradict each other are no locks: the routes' own violations (a pair
        # on two vans, a delivery before its pickup) say what is wrong.
        problem = dataclasses.replace(plan.problem, locks=())
    return plan_check(check(problem, routes), stop_of)


def plan_check(
    found: Iterable[Violation], stop_of: Mapping[str, Sequence[str | None]]
) -> PlanCheck:
    """The optimiser's violations on the plan's stops: ``stop_of[van][step]`` is the stop
    of the route's visit ``step`` (None: a visit of no stop)."""
    violations: list[PlanViolation] = []
    unplanned: list[PlanViolation] = []
    for v in found:
        stop = None
        if v.van is not None and v.step is not None:
            stop = stop_of[v.van][v.step]
        item = PlanViolation(v.kind, v.van, stop, v.shipment, v.message_zh, v.message_en)
        (unplanned if v.kind == ViolationKind.UNPLANNED else violations).append(item)
    return PlanCheck(tuple(violations), tuple(unplanned))


# --- re-planning ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Replanned:
    """A re-plan: the plan it started from, the new plan and the solve's result."""

    before: Plan
    after: Plan
    result: Result


def replan(
    plan: Plan, *, time_limit: float, seed: int = 0, params: SolveParams | None = None
) -> Replanned:
    """Plan the day again from the (edited) plan, around its locked stops: its routes are the
    warm start, its locked stops the locks (each stays on its van, the locked stops of a van
    in their order, other stops may go between; one that cannot is ``lock_infeasible``).

    Parameters
    ----------
    plan
        The plan as the dispatcher left it.
    time_limit, seed, params
        Passed to ``optimizer.solve``.

    Raises
    ------
    EditError
        The locked stops contradict each other (see ``Plan.locked_problem``).
    """
    problem = plan.locked_problem()
    result = solve(
        problem,
        time_limit=time_limit,
        seed=seed,
        initial_routes=plan.planned_routes() or None,
        params=params,
    )
    return Replanned(plan, plan_from_result(problem, result), result)


# --- what changed ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StopMove:
    """Visits of one stop that are on another van or at another position (from 0) after."""

    type: VisitType
    site: str
    shipments: tuple[str, ...]
    from_van: str
    from_position: int
    to_van: str
    to_position: int

    @property
    def van_changed(self) -> bool:
        return self.from_van != self.to_van


@dataclass(frozen=True, slots=True)
class Figures:
    """A van's (or the plan's) distance in metres and duration in seconds, before and after."""

    van: str | None  # None: the whole plan
    distance_before: int
    distance_after: int
    duration_before: int
    duration_after: int


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A shipment planned before and not after, with the reason code the solve gave."""

    shipment: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """What changed from one plan to another (``diff``)."""

    moved: tuple[StopMove, ...]
    newly_planned: tuple[str, ...]
    newly_unplanned: tuple[LeftOut, ...]
    vans: tuple[Figures, ...]
    total: Figures


def diff(before: Plan, after: Plan) -> PlanDiff:
    """The stops moved (to another van or position), the shipments newly planned or left
    out, and each van's distance and duration before and after, and the plan's.

    Visits are matched by shipment and type, so the two plans' stop ids need not match; a
    stop whose visits went to several stops is reported once per part.
    """
    where_before = _positions(before)
    where_after = _positions(after)
    moved: dict[tuple[str, str], list[str]] = {}
    for visit, (stop_b, van_b, pos_b) in where_before.items():
        found = where_after.get(visit)
        if found is not None and (van_b, pos_b) != found[1:]:
            moved.setdefault((stop_b, found[0]), []).append(visit[0])
    stops_b = before.stops
    moves = []
    for (stop_b, _), sids in moved.items():
        first = (sids[0], stops_b[stop_b].type)
        _, van_b, pos_b = where_before[first]
        _, van_a, pos_a = where_after[first]
        stop = stops_b[stop_b]
        moves.append(StopMove(stop.type, stop.site, tuple(sids), van_b, pos_b, van_a, pos_a))
    planned_b, planned_a = set(before.planned), set(after.planned)
    vans = [
        v.id for v in before.problem.vans if before.route(v.id).stops or after.route(v.id).stops
    ]
    figures = []
    for van in vans:
        b, a = time_route(before, van), time_route(after, van)
        figures.append(Figures(van, b.distance, a.distance, b.duration, a.duration))
    total = Figures(
        None,
        sum(f.distance_before for f in figures),
        sum(f.distance_after for f in figures),
        sum(f.duration_before for f in figures),
        sum(f.duration_after for f in figures),
    )
    return PlanDiff(
        moved=tuple(moves),
        newly_planned=tuple(s for s in after.planned if s not in planned_b),
        newly_unplanned=tuple(
            LeftOut(s, after.reasons.get(s)) for s in before.planned if s not in planned_a
        ),
        vans=tuple(figures),
        total=total,
    )


def _positions(plan: Plan) -> dict[tuple[str, VisitType], tuple[str, str, int]]:
    """``(shipment, type)`` → ``(stop id, van, position)``."""
    return {
        (sid, stop.type): (stop.id, route.van, position)
        for route in plan.routes
        for position, stop in enumerate(route.stops)
        for sid in stop.shipments
    }
