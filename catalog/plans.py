"""Day plans as jobs (排班任务): enqueued by a dispatcher, claimed by one worker, stored when done.

A plan's row (:class:`catalog.models.Plan`) is the job and, once done, the plan. Its life:
``queued → running → done``, or ``failed`` with the reason, or ``cancelled``. Every write a
worker makes names the job's claim token (:class:`Claim`), new at each claim, and changes
the row only while the row still holds it (``UPDATE ... WHERE claim_token = :token``), so a
job taken back from a worker that stopped answering (:func:`requeue_stale`) and run again
elsewhere is never recorded by the first worker: the second one's token is the row's.

The writes are single conditional ``UPDATE`` statements whose row counts say whether they
took, on SQLite (one writer at a time) and PostgreSQL (a second writer waits for the first
to commit, then sees its change) alike; the caller commits, e.g. through
:func:`catalog.db.write_with_retries`. The worker's progress writes leave ``version`` (the
dispatchers' edits) alone and grow ``revision`` (the plan's event ids).
"""

from __future__ import annotations

import enum
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, and_, exists, func, select, update
from sqlalchemy.orm import Session, aliased, selectinload

from catalog._lookup import resolve_now
from catalog.errors import ConflictError, InvalidValueError, NotFoundError
from catalog.models import (
    PLAN_TERMINAL_STATUSES,
    Plan,
    PlanPhase,
    PlanRoute,
    PlanShipment,
    PlanStatus,
    PlanStepType,
    PlanStop,
    PlanUnplanned,
    PlanWorker,
    Transfer,
    TransferKind,
    TransferStatus,
    User,
    Van,
)
from catalog.transfers import DeferredTransfer, PlannedTransfer, record_plan

__all__ = [
    "MAX_TIME_LIMIT",
    "Beat",
    "Claim",
    "PlanRecord",
    "RouteRecord",
    "ShipmentRecord",
    "StopRecord",
    "UnplannedRecord",
    "accept",
    "awaiting_acceptance",
    "cancel",
    "claim_next",
    "current_plan",
    "enqueue",
    "fail",
    "finish",
    "get_plan",
    "heartbeat",
    "list_plans",
    "live_workers",
    "release",
    "requeue_stale",
    "route_of_van",
    "stop_cancelled",
    "worker_seen",
    "worker_stopped",
]

MAX_TIME_LIMIT = 3600.0
"""Longest search a plan may ask for (seconds)."""
SEED_MAX = 2**32 - 1


@dataclass(frozen=True, slots=True)
class Claim:
    """A job as one worker holds it: write with ``token`` while the row still holds it."""

    plan_id: int
    token: str
    worker_id: str
    day: date
    time_limit: float
    seed: int
    attempt: int
    requested_by: str
    warm_start: Any = None
    parent_id: int | None = None
    """The plan this job re-plans: its plan is a proposal until accepted (:func:`accept`)."""


class Beat(enum.StrEnum):
    """What a heartbeat learnt: go on, stop because a cancel was asked, or stop because the
    job is no longer this worker's (taken back, cancelled while stale)."""

    ok = "ok"
    cancel = "cancel"
    lost = "lost"


@dataclass(frozen=True, slots=True)
class StopRecord:
    """One stop of a route to store (times in seconds since midnight of the plan's day)."""

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
    transfer_ids: tuple[int, ...] = ()
    break_id: str | None = None

    @classmethod
    def of(cls, stop: PlanStop) -> StopRecord:
        """A stored stop as a record to store again (a rest-of-day plan's worked stops)."""
        return cls(
            type=stop.type,
            site_code=stop.site_code,
            arrival=stop.arrival,
            waiting=stop.waiting,
            service_start=stop.service_start,
            departure=stop.departure,
            load_crates=stop.load_crates,
            load_kg=stop.load_kg,
            distance=stop.distance,
            shipment_ids=tuple(stop.shipment_ids),
            transfer_ids=tuple(stop.transfer_ids),
            break_id=stop.break_id,
        )


@dataclass(frozen=True, slots=True)
class RouteRecord:
    """One van's route to store."""

    van_code: str
    distance: int
    duration: int
    cost: float
    stops: tuple[StopRecord, ...]


@dataclass(frozen=True, slots=True)
class ShipmentRecord:
    """One shipment of the plan: the transfers it carries."""

    shipment_id: str
    kind: TransferKind
    pickup_site_code: str
    delivery_site_code: str
    items: int
    crates: int
    kg: int
    transfer_ids: tuple[int, ...]
    part: int = 1
    parts: int = 1


@dataclass(frozen=True, slots=True)
class UnplannedRecord:
    """A shipment left out, with its reason code and detail."""

    shipment_id: str
    kind: TransferKind
    reason: str
    detail: str
    transfer_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class PlanRecord:
    """A finished plan to store (:func:`finish`)."""

    routes: tuple[RouteRecord, ...]
    shipments: tuple[ShipmentRecord, ...]
    unplanned: tuple[UnplannedRecord, ...]
    cost: float
    distance: int
    duration: int
    planned_transfers: int
    deferred_transfers: int
    note: str = ""
    problem: Any = None


def _rows(result: Any) -> int:
    assert isinstance(result, CursorResult)
    return result.rowcount


def enqueue(
    session: Session,
    *,
    day: date,
    time_limit: float,
    staff: str,
    seed: int = 0,
    parent_id: int | None = None,
    warm_start: Any = None,
    now: datetime | None = None,
) -> Plan:
    """Ask for a plan of ``day``: a queued job (flushed; the caller commits).

    Parameters
    ----------
    day
        The day the vans drive.
    time_limit
        Seconds of search, ``0 < time_limit <= MAX_TIME_LIMIT``.
    staff
        Who asks (stamped on the job).
    seed
        The search's seed.
    parent_id
        The plan this one re-plans, if any.
    warm_start
        JSON the worker starts the search from (see :attr:`catalog.models.Plan.warm_start`).

    Raises
    ------
    InvalidValueError
        A datetime for ``day``, a time limit or seed out of range.
    NotFoundError
        No plan ``parent_id``.
    """
    now = resolve_now(now)
    if isinstance(day, datetime) or not isinstance(day, date):
        raise InvalidValueError("date", day, "须为日期 / must be a date (YYYY-MM-DD)")
    if not (isinstance(time_limit, int | float) and 0 < time_limit <= MAX_TIME_LIMIT):
        raise InvalidValueError(
            "time_limit",
            time_limit,
            f"须在 0–{MAX_TIME_LIMIT:g} 秒之间 / must be within 0–{MAX_TIME_LIMIT:g} seconds",
        )
    if not math.isfinite(float(time_limit)):
        raise InvalidValueError("time_limit", time_limit, "must be finite")
    if not 0 <= seed <= SEED_MAX:
        raise InvalidValueError(
            "seed", seed, f"须在 0–{SEED_MAX} 之间 / must be within 0–{SEED_MAX}"
        )
    if parent_id is not None:
        get_plan(session, parent_id, field="parent_id")
    plan = Plan(
        day=day,
        status=PlanStatus.queued,
        progress=0.0,
        time_limit=float(time_limit),
        seed=seed,
        requested_by=staff,
        requested_at=now,
        attempts=0,
        parent_id=parent_id,
        warm_start=warm_start,
        note="",
        revision=0,
        updated_at=now,
        updated_by=staff,
    )
    session.add(plan)
    session.flush()
    return plan


def get_plan(session: Session, plan_id: int, *, field: str = "plan_id") -> Plan:
    """The plan with this id, its routes, stops, shipments and unplanned work loaded.

    Raises
    ------
    NotFoundError
        No such plan.
    """
    plan = session.scalar(
        select(Plan)
        .where(Plan.id == plan_id)
        .options(
            selectinload(Plan.routes).selectinload(PlanRoute.stops),
            selectinload(Plan.shipments),
            selectinload(Plan.unplanned),
        )
        .execution_options(populate_existing=True)
    )
    if plan is None:
        raise NotFoundError(field, plan_id, "没有此排班 / no such plan")
    return plan


def list_plans(
    session: Session,
    *,
    day: date | None = None,
    status: PlanStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Plan], int]:
    """A page of plans, newest first, and how many match (``day``, ``status`` filter).

    Raises
    ------
    InvalidValueError
        ``limit`` not in 1..1000, or a negative ``offset``.
    """
    if not 1 <= limit <= 1000:
        raise InvalidValueError("limit", limit, "must be between 1 and 1000")
    if offset < 0:
        raise InvalidValueError("offset", offset, "must be >= 0")
    query = select(Plan)
    if day is not None:
        query = query.where(Plan.day == day)
    if status is not None:
        query = query.where(Plan.status == PlanStatus(status))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(
        query.order_by(Plan.requested_at.desc(), Plan.id.desc())
        .limit(limit)
        .offset(offset)
        .execution_options(populate_existing=True)
    )
    return list(page), total


def current_plan(session: Session, day: date) -> Plan | None:
    """The plan of ``day`` now in force: the newest done plan not superseded and not a
    re-plan awaiting acceptance (:func:`awaiting_acceptance`)."""
    return session.scalar(
        select(Plan)
        .where(
            Plan.day == day,
            Plan.status == PlanStatus.done,
            Plan.superseded_by_id.is_(None),
            ~_is_proposal(),
        )
        .order_by(Plan.finished_at.desc(), Plan.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )


def route_of_van(session: Session, plan: Plan, van_code: str) -> PlanRoute:
    """The route of ``van_code`` in ``plan``.

    Raises
    ------
    NotFoundError
        The plan has no route for this van (it is not done, or the van stayed home).
    """
    for route in plan.routes:
        if route.van_code == van_code:
            return route
    raise NotFoundError(
        "van", van_code, f"排班 {plan.id} 中没有此车线路 / no route in plan {plan.id}"
    )


def claim_next(session: Session, *, worker_id: str, now: datetime | None = None) -> Claim | None:
    """Claim the oldest queued job for this worker, or None when there is none.

    A job whose day already has a running job waits for it, so that plans of one day are
    solved one after another, each reading what the previous one recorded (on PostgreSQL two
    workers claiming at the same instant may still both start one day's jobs; the later to
    finish then supersedes the other, see :func:`finish`).
    """
    now = resolve_now(now)
    busy = aliased(Plan)
    running_same_day = exists().where(busy.day == Plan.day, busy.status == PlanStatus.running)
    candidates = session.scalars(
        select(Plan.id)
        .where(Plan.status == PlanStatus.queued, ~running_same_day)
        .order_by(Plan.requested_at, Plan.id)
        .limit(5)
        # PostgreSQL: skip jobs another worker is claiming right now. Waiting on its row lock
        # and then finding the row taken would end this worker's look with "nothing queued"
        # while jobs wait (SQLite has one writer at a time and ignores this).
        .with_for_update(skip_locked=True, of=Plan)
    ).all()
    for plan_id in candidates:
        token = uuid.uuid4().hex
        taken = _rows(
            session.execute(
                update(Plan)
                .where(Plan.id == plan_id, Plan.status == PlanStatus.queued, ~running_same_day)
                .values(
                    status=PlanStatus.running,
                    claim_token=token,
                    worker_id=worker_id,
                    attempts=Plan.attempts + 1,
                    started_at=now,
                    heartbeat_at=now,
                    phase=None,
                    progress=0.0,
                    error=None,
                    revision=Plan.revision + 1,
                )
                .execution_options(synchronize_session=False)
            )
        )
        if taken == 1:
            row = session.execute(
                select(
                    Plan.day,
                    Plan.time_limit,
                    Plan.seed,
                    Plan.attempts,
                    Plan.requested_by,
                    Plan.warm_start,
                    Plan.parent_id,
                ).where(Plan.id == plan_id)
            ).one()
            return Claim(
                plan_id=plan_id,
                token=token,
                worker_id=worker_id,
                day=row.day,
                time_limit=row.time_limit,
                seed=row.seed,
                attempt=row.attempts,
                requested_by=row.requested_by,
                warm_start=row.warm_start,
                parent_id=row.parent_id,
            )
    return None


def _claimed(claim: Claim) -> Any:
    return and_(
        Plan.id == claim.plan_id,
        Plan.claim_token == claim.token,
        Plan.status == PlanStatus.running,
    )


def heartbeat(
    session: Session,
    claim: Claim,
    *,
    phase: PlanPhase | None = None,
    progress: float | None = None,
    best_cost: float | None = None,
    now: datetime | None = None,
) -> Beat:
    """The worker is alive: stamp the heartbeat, and the phase, progress and best cost if
    given; say whether to go on.

    Returns
    -------
    Beat
        ``lost``: the row no longer holds this claim (nothing written); ``cancel``: a cancel
        was asked; ``ok``: go on.
    """
    now = resolve_now(now)
    values: dict[str, Any] = {"heartbeat_at": now}
    if phase is not None:
        values["phase"] = PlanPhase(phase)
    if progress is not None:
        values["progress"] = min(1.0, max(0.0, float(progress)))
    if best_cost is not None:
        values["best_cost"] = float(best_cost)
    if len(values) > 1:
        values["revision"] = Plan.revision + 1
    written = _rows(
        session.execute(
            update(Plan)
            .where(_claimed(claim))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    )
    if written != 1:
        return Beat.lost
    asked = session.scalar(select(Plan.cancel_requested_at).where(Plan.id == claim.plan_id))
    return Beat.cancel if asked is not None else Beat.ok


def _end(
    session: Session, claim: Claim, values: dict[str, Any], *, now: datetime, extra: Any = None
) -> bool:
    where = _claimed(claim) if extra is None else and_(_claimed(claim), extra)
    return (
        _rows(
            session.execute(
                update(Plan)
                .where(where)
                .values(
                    finished_at=now,
                    heartbeat_at=now,
                    claim_token=None,
                    revision=Plan.revision + 1,
                    version=Plan.version + 1,
                    updated_at=now,
                    **values,
                )
                .execution_options(synchronize_session=False)
            )
        )
        == 1
    )


def finish(
    session: Session, claim: Claim, record: PlanRecord, *, now: datetime | None = None
) -> bool:
    """Store the plan of a claimed job and mark it done, if this worker still holds it and no
    cancel was asked; older done plans of the same day are superseded by it (history kept).

    The caller records the transfers in the same transaction and commits; when this returns
    False nothing was written and the caller rolls back.

    A re-plan (a job with a parent) supersedes nothing: its plan is a proposal until a
    dispatcher accepts it (:func:`accept`), and the caller records no transfers for it.

    Returns
    -------
    bool
        Whether the plan was stored.
    """
    now = resolve_now(now)
    parent_id = session.scalar(select(Plan.parent_id).where(Plan.id == claim.plan_id))
    stored = _end(
        session,
        claim,
        {
            "status": PlanStatus.done,
            "phase": PlanPhase.recording,
            "progress": 1.0,
            "best_cost": record.cost,
            "vans_used": len(record.routes),
            "distance": record.distance,
            "duration": record.duration,
            "planned_transfers": record.planned_transfers,
            "deferred_transfers": record.deferred_transfers,
            "note": record.note,
            "problem": record.problem,
            "updated_by": claim.worker_id,
        },
        now=now,
        extra=Plan.cancel_requested_at.is_(None),
    )
    if not stored:
        return False
    vans = {
        van.code: van
        for van in session.scalars(
            select(Van).where(Van.code.in_([r.van_code for r in record.routes]))
        )
    }
    drivers = {
        user_id: username
        for user_id, username in session.execute(
            select(User.id, User.username).where(
                User.id.in_([v.driver_id for v in vans.values() if v.driver_id is not None])
            )
        )
    }
    # A re-plan's stops that its problem locks show locked (and stay so through edits).
    locked = (
        {
            (str(visit.get("shipment")), str(visit.get("type")))
            for lock in (record.problem or {}).get("locks", []) or []
            for visit in lock.get("visits", [])
        }
        if isinstance(record.problem, dict)
        else set()
    )
    for position, route in enumerate(sorted(record.routes, key=lambda r: r.van_code)):
        van = vans.get(route.van_code)
        row = PlanRoute(
            plan_id=claim.plan_id,
            position=position,
            van_code=route.van_code,
            van_id=van.id if van is not None else None,
            driver_username=drivers.get(van.driver_id) if van and van.driver_id else None,
            distance=route.distance,
            duration=route.duration,
            cost=route.cost,
        )
        row.stops = [
            PlanStop(
                plan_id=claim.plan_id,
                position=n,
                type=PlanStepType(stop.type),
                site_code=stop.site_code,
                break_id=stop.break_id,
                arrival=stop.arrival,
                waiting=stop.waiting,
                service_start=stop.service_start,
                departure=stop.departure,
                load_crates=stop.load_crates,
                load_kg=stop.load_kg,
                distance=stop.distance,
                shipment_ids=list(stop.shipment_ids),
                transfer_ids=list(stop.transfer_ids),
                locked=any((sid, str(stop.type)) in locked for sid in stop.shipment_ids),
                violations=[],
            )
            for n, stop in enumerate(route.stops)
        ]
        session.add(row)
    session.add_all(
        PlanShipment(
            plan_id=claim.plan_id,
            shipment_id=s.shipment_id,
            kind=TransferKind(s.kind),
            pickup_site_code=s.pickup_site_code,
            delivery_site_code=s.delivery_site_code,
            items=s.items,
            crates=s.crates,
            kg=s.kg,
            part=s.part,
            parts=s.parts,
            transfer_ids=list(s.transfer_ids),
        )
        for s in record.shipments
    )
    session.add_all(
        PlanUnplanned(
            plan_id=claim.plan_id,
            shipment_id=u.shipment_id,
            kind=TransferKind(u.kind),
            reason=u.reason,
            detail=u.detail,
            transfer_ids=list(u.transfer_ids),
        )
        for u in record.unplanned
    )
    if parent_id is None:
        _supersede_others(session, claim.day, claim.plan_id, by=claim.worker_id, now=now)
    session.flush()
    return True


def _supersede_others(session: Session, day: date, plan_id: int, *, by: str, now: datetime) -> None:
    """Every other done plan of ``day`` still in force (proposals too) is history now."""
    session.execute(
        update(Plan)
        .where(
            Plan.day == day,
            Plan.status == PlanStatus.done,
            Plan.superseded_by_id.is_(None),
            Plan.id != plan_id,
        )
        .values(
            superseded_by_id=plan_id,
            revision=Plan.revision + 1,
            version=Plan.version + 1,
            updated_at=now,
            updated_by=by,
        )
        .execution_options(synchronize_session=False)
    )


def _is_proposal() -> Any:
    """SQL: the plan re-plans another that it has not superseded (not yet accepted)."""
    parent = aliased(Plan)
    return and_(
        Plan.parent_id.is_not(None),
        ~exists().where(parent.id == Plan.parent_id, parent.superseded_by_id == Plan.id),
    )


def awaiting_acceptance(session: Session, plan: Plan) -> bool:
    """Is ``plan`` a re-plan done and awaiting a dispatcher's acceptance (a proposal)?

    A re-plan's plan supersedes its parent only when accepted (:func:`accept`); until then
    the parent stays in force. A proposal is history (superseded) once the day has a newer
    plan in force: another re-plan accepted, or a new plan of the day done.
    """
    if plan.status != PlanStatus.done or plan.parent_id is None or plan.superseded_by_id:
        return False
    parent = session.scalar(select(Plan.superseded_by_id).where(Plan.id == plan.parent_id))
    return parent != plan.id


def accept(session: Session, plan_id: int, *, staff: str, now: datetime | None = None) -> Plan:
    """Accept a re-plan (a proposal): it becomes the day's plan in force, superseding its
    parent (and any other plan of the day in force), and the day's transfers follow it: each
    one still open is planned on its van and stop, or deferred with the proposal's reason
    (flushed; the caller commits).

    Raises
    ------
    NotFoundError
        No such plan.
    ConflictError
        The plan is not a re-plan awaiting acceptance: not done, no re-plan, already
        accepted, or superseded (the day has a newer plan).
    """
    now = resolve_now(now)
    plan = get_plan(session, plan_id)
    if not awaiting_acceptance(session, plan):
        if plan.status != PlanStatus.done:
            why = f"排班状态为 {plan.status.value} / the plan is {plan.status.value}"
        elif plan.parent_id is None:
            why = "不是重新排班，完成即生效 / not a re-plan: it was in force when done"
        elif plan.superseded_by_id is not None:
            why = (
                f"已被排班 {plan.superseded_by_id} 取代 / superseded by plan "
                f"{plan.superseded_by_id}"
            )
        else:
            why = "已采用 / already accepted"
        zh, en = why.split(" / ")
        raise ConflictError("plan_id", plan_id, f"无法采用：{zh} / cannot accept: {en}")
    _supersede_others(session, plan.day, plan.id, by=staff, now=now)
    # The ORM's version check bumps ``version``: an edit read before this is refused.
    plan.updated_at, plan.updated_by = now, staff
    plan.revision += 1
    session.flush()
    transfers_of = {s.shipment_id: list(s.transfer_ids) for s in plan.shipments}
    planned = [
        PlannedTransfer(t, route.van_code, stop.position, plan.day, sid)
        for route in plan.routes
        for stop in route.stops
        if stop.type == PlanStepType.pickup
        for sid in stop.shipment_ids
        for t in transfers_of.get(sid, [])
    ]
    deferred = [
        DeferredTransfer(t, f"{u.reason}: {u.detail}" if u.detail else u.reason, u.shipment_id)
        for u in plan.unplanned
        for t in u.transfer_ids
    ]
    # Only what may still be planned follows (a copy picked up meanwhile stays in its van).
    ids = [p.transfer_id for p in planned] + [d.transfer_id for d in deferred]
    open_ids = set(
        session.scalars(
            select(Transfer.id).where(
                Transfer.id.in_(ids),
                Transfer.status.in_((TransferStatus.requested, TransferStatus.planned)),
            )
        )
    )
    record_plan(
        session,
        planned=[p for p in planned if p.transfer_id in open_ids],
        deferred=[d for d in deferred if d.transfer_id in open_ids],
        staff=staff,
        now=now,
    )
    return get_plan(session, plan_id)


def fail(session: Session, claim: Claim, *, error: str, now: datetime | None = None) -> bool:
    """Mark a claimed job failed with ``error`` (中文 / English), if this worker holds it.

    A cancel asked meanwhile wins: the job ends cancelled, with ``error`` kept as the note.
    """
    now = resolve_now(now)
    if _end(
        session,
        claim,
        {"status": PlanStatus.cancelled, "error": error},
        now=now,
        extra=Plan.cancel_requested_at.is_not(None),
    ):
        return True
    return _end(session, claim, {"status": PlanStatus.failed, "error": error}, now=now)


def stop_cancelled(
    session: Session, claim: Claim, *, phase: PlanPhase | None, now: datetime | None = None
) -> bool:
    """End a claimed job whose cancel the worker has seen: cancelled, saying in which phase."""
    now = resolve_now(now)
    doing = phase.value if phase is not None else "starting"
    return _end(
        session,
        claim,
        {"status": PlanStatus.cancelled, "error": f"已取消 / cancelled while {doing}"},
        now=now,
    )


def release(session: Session, claim: Claim, *, now: datetime | None = None) -> bool:
    """Give a claimed job back to the queue (the worker is stopping): queued again, this
    attempt not counted; a cancel asked meanwhile ends it cancelled instead."""
    now = resolve_now(now)
    if _cancel_asked(session, claim):
        return stop_cancelled(session, claim, phase=None, now=now)
    written = _rows(
        session.execute(
            update(Plan)
            .where(_claimed(claim))
            .values(
                status=PlanStatus.queued,
                claim_token=None,
                attempts=Plan.attempts - 1,
                phase=None,
                progress=0.0,
                revision=Plan.revision + 1,
                heartbeat_at=now,
            )
            .execution_options(synchronize_session=False)
        )
    )
    return written == 1


def _cancel_asked(session: Session, claim: Claim) -> bool:
    asked = session.scalar(select(Plan.cancel_requested_at).where(_claimed(claim)))
    return asked is not None


def cancel(session: Session, plan_id: int, *, staff: str, now: datetime | None = None) -> Plan:
    """Cancel a job: a queued one at once, a running one at its worker's next heartbeat (the
    worker stops its solve then). Flushed; the caller commits.

    Raises
    ------
    NotFoundError
        No such plan.
    ConflictError
        The job has already ended (done, failed or cancelled).
    """
    now = resolve_now(now)
    for _ in range(3):
        queued = _rows(
            session.execute(
                update(Plan)
                .where(Plan.id == plan_id, Plan.status == PlanStatus.queued)
                .values(
                    status=PlanStatus.cancelled,
                    finished_at=now,
                    cancel_requested_at=now,
                    cancel_requested_by=staff,
                    error="已取消 / cancelled before it started",
                    revision=Plan.revision + 1,
                    version=Plan.version + 1,
                    updated_at=now,
                    updated_by=staff,
                )
                .execution_options(synchronize_session=False)
            )
        )
        if queued == 1:
            return get_plan(session, plan_id)
        running = _rows(
            session.execute(
                update(Plan)
                .where(Plan.id == plan_id, Plan.status == PlanStatus.running)
                .values(
                    cancel_requested_at=func.coalesce(Plan.cancel_requested_at, now),
                    cancel_requested_by=func.coalesce(Plan.cancel_requested_by, staff),
                    revision=Plan.revision + 1,
                    version=Plan.version + 1,
                    updated_at=now,
                    updated_by=staff,
                )
                .execution_options(synchronize_session=False)
            )
        )
        if running == 1:
            return get_plan(session, plan_id)
        plan = get_plan(session, plan_id)
        if plan.status in PLAN_TERMINAL_STATUSES:
            raise ConflictError(
                "plan_id",
                plan_id,
                f"排班已结束（{plan.status.value}），无法取消 / the plan has already ended "
                f"({plan.status.value}): nothing to cancel",
            )
    raise ConflictError("plan_id", plan_id, "排班状态正在变化 / the plan is changing: retry")


def requeue_stale(
    session: Session,
    *,
    timeout: float,
    max_attempts: int,
    now: datetime | None = None,
) -> dict[int, PlanStatus]:
    """Take back running jobs whose heartbeat is older than ``timeout`` seconds: queued
    again, or failed after ``max_attempts`` attempts, or cancelled when a cancel was asked.

    Returns
    -------
    dict
        ``{plan id: its new status}``.
    """
    now = resolve_now(now)
    cutoff = now - timedelta(seconds=timeout)
    stale = session.execute(
        select(Plan.id, Plan.attempts, Plan.cancel_requested_at, Plan.worker_id).where(
            Plan.status == PlanStatus.running, Plan.heartbeat_at < cutoff
        )
    ).all()
    changed: dict[int, PlanStatus] = {}
    for plan_id, attempts, cancel_asked, worker_id in stale:
        values: dict[str, Any]
        if cancel_asked is not None:
            values = {
                "status": PlanStatus.cancelled,
                "finished_at": now,
                "error": "已取消 / cancelled (its worker had stopped answering)",
            }
        elif attempts >= max_attempts:
            values = {
                "status": PlanStatus.failed,
                "finished_at": now,
                "error": f"工作进程在求解中停止 {attempts} 次 / the worker stopped during the job "
                f"{attempts} times (last {worker_id}): not tried again",
            }
        else:
            values = {"status": PlanStatus.queued, "phase": None, "progress": 0.0}
        written = _rows(
            session.execute(
                update(Plan)
                .where(
                    Plan.id == plan_id,
                    Plan.status == PlanStatus.running,
                    Plan.heartbeat_at < cutoff,
                )
                .values(claim_token=None, revision=Plan.revision + 1, **values)
                .execution_options(synchronize_session=False)
            )
        )
        if written == 1:
            changed[plan_id] = values["status"]
    return changed


def worker_seen(
    session: Session,
    *,
    worker_id: str,
    host: str,
    pid: int,
    plan_id: int | None,
    now: datetime | None = None,
) -> None:
    """Stamp a worker's sign of life (added the first time)."""
    now = resolve_now(now)
    written = _rows(
        session.execute(
            update(PlanWorker)
            .where(PlanWorker.id == worker_id)
            .values(seen_at=now, plan_id=plan_id, stopped_at=None)
            .execution_options(synchronize_session=False)
        )
    )
    if written == 0:
        session.add(
            PlanWorker(
                id=worker_id, host=host, pid=pid, started_at=now, seen_at=now, plan_id=plan_id
            )
        )
        session.flush()


def worker_stopped(session: Session, *, worker_id: str, now: datetime | None = None) -> None:
    """A worker stopped cleanly."""
    now = resolve_now(now)
    session.execute(
        update(PlanWorker)
        .where(PlanWorker.id == worker_id)
        .values(stopped_at=now, seen_at=now, plan_id=None)
        .execution_options(synchronize_session=False)
    )


def live_workers(
    session: Session, *, timeout: float, now: datetime | None = None
) -> tuple[list[PlanWorker], PlanWorker | None]:
    """Workers seen within ``timeout`` seconds and not stopped, and the last one seen at all."""
    now = resolve_now(now)
    workers: Sequence[PlanWorker] = session.scalars(
        select(PlanWorker)
        .order_by(PlanWorker.seen_at.desc())
        .execution_options(populate_existing=True)
    ).all()
    cutoff = now - timedelta(seconds=timeout)
    live = [w for w in workers if w.stopped_at is None and w.seen_at >= cutoff]
    return live, (workers[0] if workers else None)
