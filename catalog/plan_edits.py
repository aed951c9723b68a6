"""A dispatcher's edits of a stored plan (调度员调整): read it at a version, write its routes back.

What an edit changes is worked out elsewhere (``dispatch.edits``, on the plan in memory); this
module keeps the rules of the rows:

- only a done plan still in force (not superseded by a newer one) is edited;
- an edit is made on the ``version`` of the plan it was read at; if someone else changed the
  plan since, it is refused with :class:`~catalog.errors.ConflictError` (reload, edit again),
  also when two edits race (the plan's version column checks the ``UPDATE``);
- the stops are updated in place (a stop keeps its id when it moves); a part split from a stop
  is a new row; the start, end and break rows of a route are reused where they are;
- violations are saved on the stops, never a reason to refuse;
- the plan records who changed it and when; the transfers still planned on it follow their
  stops (van and stop index), each with an event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from catalog._lookup import resolve_now
from catalog.errors import ConflictError, InvalidValueError
from catalog.models import (
    Plan,
    PlanRoute,
    PlanStatus,
    PlanStepType,
    PlanStop,
    Transfer,
    TransferStatus,
    User,
    Van,
)
from catalog.plans import awaiting_acceptance, get_plan
from catalog.transfers import PlannedTransfer, record_plan

__all__ = ["RouteWrite", "StopWrite", "editable_plan", "save_routes"]

WORK = (PlanStepType.pickup, PlanStepType.delivery)
"""The step types a dispatcher moves; starts, ends and breaks follow them."""


@dataclass(frozen=True, slots=True)
class StopWrite:
    """A stop of an edited route, in route order (times in seconds since midnight).

    ``id`` is the stored stop this one is (``None``: a new stop, e.g. a part split from
    another; a start, end or break reuses the route's row of its kind). ``violations`` are
    the check's findings at this stop, as JSON objects.
    """

    id: int | None
    type: PlanStepType | str
    site_code: str | None
    arrival: int
    waiting: int
    service_start: int
    departure: int
    load_crates: int = 0
    load_kg: int = 0
    distance: int = 0
    shipment_ids: tuple[str, ...] = ()
    locked: bool = False
    violations: tuple[Mapping[str, Any], ...] = ()
    break_id: str | None = None


@dataclass(frozen=True, slots=True)
class RouteWrite:
    """An edited van's route: its figures (metres, seconds, yuan) and all its stops."""

    van_code: str
    distance: int
    duration: int
    cost: float
    stops: tuple[StopWrite, ...]


def editable_plan(session: Session, plan_id: int, *, version: int | None) -> Plan:
    """The plan, to be edited at ``version`` (``None``: only to read it for an edit).

    Raises
    ------
    NotFoundError
        No such plan.
    ConflictError
        The plan is not done, is superseded by a newer plan of its day, or is no longer at
        ``version`` (someone else changed it: reload).
    """
    plan = get_plan(session, plan_id)
    if plan.status != PlanStatus.done:
        raise ConflictError(
            "plan_id",
            plan_id,
            f"排班状态为 {plan.status.value}，只能调整已完成的排班 / the plan is "
            f"{plan.status.value}: only a done plan can be edited",
        )
    if plan.superseded_by_id is not None:
        raise ConflictError(
            "plan_id",
            plan_id,
            f"排班已被 {plan.superseded_by_id} 取代，请调整新的排班 / the plan is superseded by "
            f"plan {plan.superseded_by_id}: edit that one",
        )
    if version is not None and plan.version != version:
        raise ConflictError("version", version, _stale(plan.id, f"version {plan.version}"))
    return plan


def _stale(plan_id: int, now: str) -> str:
    return (
        f"排班 {plan_id} 已被他人修改（当前 {now}），请重新加载 / plan {plan_id} was changed by "
        f"someone else (now {now}): reload it and edit again"
    )


def save_routes(
    session: Session,
    plan: Plan,
    routes: Sequence[RouteWrite],
    *,
    problem: Any,
    staff: str,
    now: datetime | None = None,
) -> Plan:
    """Write an edited plan's routes (all of them: a van left out has no route any more),
    its problem (``problem``: the JSON with the new locks), its totals, who and when
    (flushed; the caller commits).

    Raises
    ------
    InvalidValueError
        A stop id not of this plan, given twice, or a van named twice.
    ConflictError
        The plan changed since it was read (the version check of the ``UPDATE``).
    """
    now = resolve_now(now)
    old_routes = {r.van_code: r for r in plan.routes}
    rows = {s.id: s for r in plan.routes for s in r.stops}
    spare = {  # start, end and break rows, to reuse: (van, type, break id) → rows
        key: [s for s in r.stops if (r.van_code, s.type, s.break_id) == key]
        for r in plan.routes
        for key in {(r.van_code, s.type, s.break_id) for s in r.stops if s.type not in WORK}
    }
    transfers_of = {s.shipment_id: list(s.transfer_ids) for s in plan.shipments}
    vans = _vans(session, [r.van_code for r in routes])
    kept_routes: list[PlanRoute] = []
    used: set[int] = set()
    for position, write in enumerate(sorted(routes, key=lambda r: r.van_code)):
        if write.van_code in {r.van_code for r in kept_routes}:
            raise InvalidValueError("van", write.van_code, "同一车辆两条线路 / a van twice")
        route = old_routes.get(write.van_code) or _new_route(plan, write.van_code, vans)
        route.position = position
        route.distance, route.duration, route.cost = write.distance, write.duration, write.cost
        stops: list[PlanStop] = []
        for n, stop in enumerate(write.stops):
            row = _row_for(plan, stop, rows, spare, write.van_code, used)
            _fill(row, stop, n, transfers_of)
            stops.append(row)
        route.stops = stops
        kept_routes.append(route)
    plan.routes = kept_routes  # routes and stops not written are deleted (delete-orphan)
    plan.problem = problem
    plan.vans_used = sum(1 for r in kept_routes if any(s.type in WORK for s in r.stops))
    plan.distance = sum(r.distance for r in kept_routes)
    plan.duration = sum(r.duration for r in kept_routes)
    plan.best_cost = round(sum(r.cost for r in kept_routes), 2)
    plan.updated_at, plan.updated_by = now, staff
    plan_id, read = plan.id, plan.version
    try:
        session.flush()  # UPDATE plans ... WHERE version = the version read
    except StaleDataError:
        # The session must be rolled back now (the caller's): nothing of it is read again.
        raise ConflictError("version", read, _stale(plan_id, "a newer version")) from None
    _follow_stops(session, plan, staff=staff, now=now)
    return plan


def _vans(session: Session, codes: Sequence[str]) -> dict[str, tuple[Van, str | None]]:
    """The fleet's vans by code, with their drivers' usernames."""
    out: dict[str, tuple[Van, str | None]] = {}
    for van in session.scalars(select(Van).where(Van.code.in_(codes))):
        driver = session.get(User, van.driver_id) if van.driver_id is not None else None
        out[van.code] = (van, driver.username if driver is not None else None)
    return out


def _new_route(plan: Plan, van_code: str, vans: Mapping[str, tuple[Van, str | None]]) -> PlanRoute:
    van, driver = vans.get(van_code, (None, None))
    return PlanRoute(
        plan=plan,
        position=0,
        van_code=van_code,
        van_id=van.id if van is not None else None,
        driver_username=driver,
        distance=0,
        duration=0,
        cost=0.0,
    )


def _row_for(
    plan: Plan,
    stop: StopWrite,
    rows: Mapping[int, PlanStop],
    spare: dict[tuple[str, PlanStepType, str | None], list[PlanStop]],
    van_code: str,
    used: set[int],
) -> PlanStop:
    """The row a written stop goes to: its own, a spare start/end/break row, or a new one."""
    kind = PlanStepType(stop.type)
    if stop.id is not None:
        row = rows.get(stop.id)
        if row is None:
            raise InvalidValueError(
                "stop_id", stop.id, f"排班 {plan.id} 中没有此站点 / no such stop in plan {plan.id}"
            )
        if stop.id in used:
            raise InvalidValueError("stop_id", stop.id, "站点写了两次 / a stop written twice")
        used.add(stop.id)
        return row
    pool = spare.get((van_code, kind, stop.break_id)) if kind not in WORK else None
    if pool:
        row = pool.pop(0)
        used.add(row.id)
        return row
    return PlanStop(plan_id=plan.id, position=0, type=kind, arrival=0, service_start=0, departure=0)


def _fill(
    row: PlanStop, stop: StopWrite, position: int, transfers_of: Mapping[str, list[int]]
) -> None:
    row.position = position
    row.type = PlanStepType(stop.type)
    row.site_code = stop.site_code
    row.break_id = stop.break_id
    row.arrival, row.waiting = stop.arrival, stop.waiting
    row.service_start, row.departure = stop.service_start, stop.departure
    row.load_crates, row.load_kg, row.distance = stop.load_crates, stop.load_kg, stop.distance
    # JSON columns are reassigned, never changed in place (the ORM would not see it).
    row.shipment_ids = list(stop.shipment_ids)
    row.transfer_ids = [t for sid in stop.shipment_ids for t in transfers_of.get(sid, [])]
    row.locked = stop.locked
    row.violations = [dict(v) for v in stop.violations]


def _follow_stops(session: Session, plan: Plan, *, staff: str, now: datetime) -> None:
    """The transfers still planned on this plan's day take their pickup's new van and stop
    index (the start being 0), with an event each; a plan not in force (superseded, or a
    re-plan awaiting acceptance) moves none."""
    if plan.superseded_by_id is not None or awaiting_acceptance(session, plan):
        return
    where: dict[int, tuple[str, int, str]] = {}
    for route in plan.routes:
        for stop in route.stops:
            if stop.type == PlanStepType.pickup:
                for sid in stop.shipment_ids:
                    for t in _transfers(plan, sid):
                        where[t] = (route.van_code, stop.position, sid)
    if not where:
        return
    moved = [
        PlannedTransfer(t.id, where[t.id][0], where[t.id][1], plan.day, where[t.id][2])
        for t in session.scalars(select(Transfer).where(Transfer.id.in_(sorted(where))))
        if t.status == TransferStatus.planned
        and t.planned_for == plan.day
        and (t.van_id, t.stop) != where[t.id][:2]
    ]
    if moved:
        record_plan(
            session, planned=sorted(moved, key=lambda p: p.transfer_id), staff=staff, now=now
        )


def _transfers(plan: Plan, shipment_id: str) -> list[int]:
    return next((list(s.transfer_ids) for s in plan.shipments if s.shipment_id == shipment_id), [])
