"""A dispatcher's edits of a stored plan: the rows as a plan in memory, the edit, the rows back.

The pieces: :mod:`catalog.plan_edits` (the rows: which plan may be edited, at which version,
how stops are written), :mod:`dispatch.edits` (what an edit does, on the plan in memory) and
:mod:`dispatch.problem_json` (the problem the plan was made for, stored with it). Every edit
is timed and checked again, and the violations are saved on the stops (those of a whole
route on its end), never a reason to refuse the edit.

A re-plan is a new job (:func:`catalog.plans.enqueue`) whose warm start is the edited plan:
``{"routes": [...], "locks": [...]}``, the visits of every route and of its locked stops.

Every function takes the session keyword-only after it and leaves the commit to the caller.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.errors import ConflictError, InvalidValueError
from catalog.models import Plan as PlanRow
from catalog.models import PlanStatus, Transfer, TransferStatus
from catalog.plan_edits import WORK, editable_plan, save_routes
from catalog.plans import enqueue, get_plan
from catalog.settings import CirculationSettings
from dispatch.check_now import check_from_now, rest_from_now
from dispatch.edits import (
    PlanCheck,
    PlanDiff,
    PlanViolation,
    check_plan,
    diff,
    lock_stops,
    move_stop,
)
from dispatch.errors import DispatchError
from dispatch.plan import Plan, PlanRoute, Stop
from dispatch.problem_json import ProblemInputError, problem_from_dict, problem_to_dict
from dispatch.rest_of_day import RestStart, start_of
from dispatch.route_writes import kept_write, planned_write, resumed_write, worked_first
from optimizer import VisitType

__all__ = [
    "Edited",
    "check_stored",
    "diff_stored",
    "lock_stored",
    "move_stored",
    "plan_of",
    "replan_stored",
    "warm_start_of",
]


@dataclass(frozen=True, slots=True)
class Edited:
    """A stored plan after an edit: the row (its new ``version``), the stops that moved
    along (stored ids), the notes for the dispatcher, and the check of the edited plan."""

    row: PlanRow
    along: tuple[int, ...]
    notes: tuple[str, ...]
    check: PlanCheck


def plan_of(row: PlanRow) -> Plan:
    """The stored plan in memory: its problem, and per route its pickups and deliveries
    (stop ids: the rows' ids, as text).

    Raises
    ------
    ConflictError
        The plan has no problem stored (made before plans kept theirs), or an unreadable
        one: it cannot be checked or edited, only planned again.
    """
    if row.problem is None:
        raise ConflictError(
            "plan_id",
            row.id,
            "排班未保存其问题数据，无法调整，请重新排班 / the plan has no stored problem: it "
            "cannot be edited, plan the day again",
        )
    try:
        problem = problem_from_dict(row.problem)
    except ProblemInputError as exc:
        raise ConflictError("plan.problem", row.id, str(exc).splitlines()[0]) from None
    routes = tuple(
        PlanRoute(
            route.van_code,
            tuple(
                Stop(
                    str(s.id),
                    VisitType(s.type.value),
                    s.site_code or "",
                    tuple(s.shipment_ids),
                    # a re-plan's stops are locked by its problem's locks until edited
                    s.locked
                    or any((sid, s.type.value) in problem.lock_rank for sid in s.shipment_ids),
                )
                for s in route.stops
                if s.type in WORK
            ),
        )
        for route in row.routes
    )
    known = {s.id for s in problem.shipments}
    reasons = {u.shipment_id: u.reason for u in row.unplanned if u.shipment_id in known}
    try:
        return Plan(problem, routes, reasons)
    except DispatchError as exc:
        raise ConflictError(
            "plan_id", row.id, f"排班数据不一致 / the stored plan is inconsistent: {exc}"
        ) from None


def _refused(exc: DispatchError) -> InvalidValueError:
    """An edit naming no stop, van or position of the plan, as the catalogue's refusal."""
    message = str(exc).removeprefix(f"{exc.field}={exc.value!r}: ")
    return InvalidValueError(exc.field, exc.value, message)


def _stop_key(stop_id: int) -> str:
    return str(stop_id)


def move_stored(
    session: Session,
    plan_id: int,
    *,
    stop_id: int,
    van: str,
    position: int,
    version: int,
    staff: str,
    settings: CirculationSettings | None = None,
    now: datetime | None = None,
) -> Edited:
    """Move a stored stop to ``position`` (0: the first stop after the start, counting only
    pickups and deliveries) of ``van``'s route, as :func:`dispatch.edits.move_stop` does.

    Raises
    ------
    NotFoundError
        No such plan.
    ConflictError
        The plan is not editable, or no longer at ``version`` (reload); or the drivers'
        scans by ``now`` (default: the clock) say the stop was worked, or that ``van`` has
        worked its stops up to ``position``: that part of the day has happened.
    InvalidValueError
        No such stop (or a start, end or break), van or position.
    """
    row = editable_plan(session, plan_id, version=version)
    plan = plan_of(row)
    start = start_of(session, row, plan.problem, now=now)
    _refuse_into_the_past(plan, start, _stop_key(stop_id), van, position)
    try:
        moved = move_stop(plan, _stop_key(stop_id), van, position)
    except DispatchError as exc:
        raise _refused(exc) from None
    edit = _Edit(start, settings, frozenset({plan.stop(_stop_key(stop_id))[0], van}))
    return _save(session, row, moved.plan, moved.along, moved.notes, edit, staff=staff, now=now)


def lock_stored(
    session: Session,
    plan_id: int,
    *,
    stop_ids: Iterable[int],
    locked: bool,
    version: int,
    staff: str,
    settings: CirculationSettings | None = None,
    now: datetime | None = None,
) -> Edited:
    """Lock (or unlock) stored stops: a re-plan keeps them on their van, in their order.

    Raises
    ------
    NotFoundError, ConflictError, InvalidValueError
        As :func:`move_stored`.
    """
    row = editable_plan(session, plan_id, version=version)
    plan = plan_of(row)
    try:
        edited = lock_stops(plan, [_stop_key(s) for s in stop_ids], locked)
    except DispatchError as exc:
        raise _refused(exc) from None
    edit = _Edit(start_of(session, row, plan.problem, now=now), settings, frozenset())
    return _save(session, row, edited, (), (), edit, staff=staff, now=now)


def check_stored(
    session: Session,
    plan_id: int,
    *,
    settings: CirculationSettings | None = None,
    now: datetime | None = None,
) -> tuple[PlanRow, PlanCheck]:
    """The stored plan and what it breaks now (computed, nothing written): once its vans
    have worked stops (the drivers' scans by ``now``, default the clock), the rest of each
    route from where its van is (:mod:`dispatch.check_now`); ``settings`` load the copies
    on board (default: the catalogue's defaults).

    Raises
    ------
    NotFoundError
        No such plan.
    ConflictError
        The plan is not done, or has no problem stored.
    """
    row = get_plan(session, plan_id)
    _done(row)
    plan = plan_of(row)
    start = start_of(session, row, plan.problem, now=now)
    return row, check_from_now(plan, start, settings or CirculationSettings())


def diff_stored(
    session: Session, plan_id: int, *, against: int | None = None
) -> tuple[int, PlanDiff]:
    """What changed from plan ``against`` (default: the plan this one re-plans) to this one,
    and the id of ``against``.

    Raises
    ------
    NotFoundError
        No such plan (``against`` named as such).
    InvalidValueError
        No ``against`` and the plan re-plans none.
    ConflictError
        Either plan is not done, or has no problem stored.
    """
    row = get_plan(session, plan_id)
    if against is None:
        if row.parent_id is None:
            raise InvalidValueError(
                "against",
                None,
                "排班不是重新排班，请指定比较对象 / the plan re-plans no other: name one",
            )
        against = row.parent_id
    before = get_plan(session, against, field="against")
    _done(row)
    _done(before)
    return against, diff(plan_of(before), plan_of(row))


def replan_stored(
    session: Session,
    plan_id: int,
    *,
    time_limit: float | None = None,
    seed: int | None = None,
    from_now: bool = False,
    staff: str,
    now: datetime | None = None,
) -> PlanRow:
    """Queue a re-plan of a stored plan's day, from its routes and around its locked stops.

    The new job reads the day's open transfers again (some may have changed since), starts
    from this plan's routes and keeps its locked stops on their vans in their order; when
    done it supersedes this plan (kept as history, the new plan's ``parent``).

    ``from_now``: plan the rest of the day from where the vans are when the job runs
    (:mod:`dispatch.rest_of_day`): the stops they worked stay as they were, each van goes on
    from the site it is at with the copies it carries, and what is left (and what was added
    since) is planned around the locked stops still to come.

    Raises
    ------
    NotFoundError, ConflictError
        As :func:`check_stored` (a superseded plan is not re-planned either: its day has a
        newer plan); also locked stops that contradict each other (a shipment locked on two
        vans, a locked delivery before its locked pickup), and copies of the plan on a van
        (picked up, not delivered) unless ``from_now``: the re-plan reads only the
        transfers still to collect, so it would drop their deliveries from the day's routes.
    InvalidValueError
        A bad ``time_limit`` or ``seed`` (by :func:`catalog.plans.enqueue`).
    """
    row = editable_plan(session, plan_id, version=None)
    if not from_now:
        _none_on_board(session, row)
    plan = plan_of(row)
    try:
        plan.locked_problem()
    except DispatchError as exc:
        raise ConflictError(
            exc.field, exc.value, str(exc).removeprefix(f"{exc.field}={exc.value!r}: ")
        ) from None
    return enqueue(
        session,
        day=row.day,
        time_limit=row.time_limit if time_limit is None else time_limit,
        seed=row.seed if seed is None else seed,
        staff=staff,
        parent_id=row.id,
        warm_start=_rest_of_day_start(row, plan) if from_now else warm_start_of(plan),
        now=now,
    )


def _rest_of_day_start(row: PlanRow, plan: Plan) -> dict[str, Any]:
    """A rest-of-day job's warm start: the plan in force, and its locks (no routes: theirs
    start at the depot)."""
    return {"rest_of_day": {"plan": row.id}, "locks": warm_start_of(plan)["locks"]}


def warm_start_of(plan: Plan) -> dict[str, Any]:
    """A plan as a job's warm start: ``{"routes": [{"van", "visits": [{"shipment", "type"}]}],
    "locks": [{"van", "visits": [...]}]}`` (the locked stops' visits of each van, in order)."""

    def visits(stops: Iterable[Stop]) -> list[dict[str, str]]:
        return [
            {"shipment": sid, "type": stop.type.value} for stop in stops for sid in stop.shipments
        ]

    return {
        "routes": [{"van": r.van, "visits": visits(r.stops)} for r in plan.routes if r.stops],
        "locks": [
            {"van": r.van, "visits": visits(s for s in r.stops if s.locked)}
            for r in plan.routes
            if any(s.locked for s in r.stops)
        ],
    }


def _none_on_board(session: Session, row: PlanRow) -> None:
    """Refuse while copies of the plan ride on a van: a re-plan from the depot plans only
    the open transfers and would leave their drops out of the plan that replaces this one
    (the rest-of-day re-plan, ``from_now``, carries them)."""
    ids = {t for route in row.routes for stop in route.stops for t in stop.transfer_ids}
    if not ids:
        return
    riding = session.scalars(
        select(Transfer.id).where(
            Transfer.id.in_(sorted(ids)), Transfer.status == TransferStatus.picked_up
        )
    ).all()
    if riding:
        raise ConflictError(
            "plan_id",
            row.id,
            f"车上已有 {len(riding)} 册在途（已取件、未送达）：从车库重新排班会漏掉它们的送达站，"
            f"请从当前位置重排余下行程（from_now），或直接调整站点 / {len(riding)} copies are on "
            "a van (picked up, not delivered): a re-plan from the depot would leave out their "
            "drops; re-plan the rest of the day from where the vans are (from_now), or move "
            "and lock stops by hand",
        )


def _done(row: PlanRow) -> None:
    if row.status != PlanStatus.done:
        raise ConflictError(
            "plan_id",
            row.id,
            f"排班状态为 {row.status.value}，尚无线路 / the plan is {row.status.value}: it has no "
            "routes yet",
        )


@dataclass(frozen=True, slots=True)
class _Edit:
    """What an edit knows besides the plan: what the vans have done by now (``start``), the
    settings that load their copies on board, and the vans whose routes it changed."""

    start: RestStart
    settings: CirculationSettings | None
    changed: frozenset[str]


def _save(
    session: Session,
    row: PlanRow,
    plan: Plan,
    along: Sequence[str],
    notes: Sequence[str],
    edit: _Edit,
    *,
    staff: str,
    now: datetime | None,
) -> Edited:
    """Time and check the edited plan, write it, and name the stops in their stored ids.

    The check is from now (:mod:`dispatch.check_now`). A van that has worked stops keeps
    them as they happened: its route left as it was keeps its stored times, its route
    changed by the edit is timed from its last scan (:mod:`dispatch.route_writes`)."""
    settings = edit.settings or CirculationSettings()
    rest = rest_from_now(plan, edit.start, settings)
    found = check_plan(plan) if rest is None else rest.check
    worked = {s.van: s for s in edit.start.so_far if s.moved}
    stored = {r.van_code: r for r in row.routes}
    for van in set(worked) & edit.changed:
        plan = plan.with_route(worked_first(plan.route(van), worked[van]))
    writes = []
    for r in plan.routes:
        if not r.stops:
            continue
        if r.van not in worked or r.van not in stored or rest is None:
            writes.append(planned_write(plan, r, found))
        elif r.van in edit.changed:
            writes.append(resumed_write(stored[r.van], worked[r.van], plan, r, rest, found))
        else:
            writes.append(kept_write(stored[r.van], r, found))
    try:
        problem = plan.locked_problem()  # the stored problem's locks follow the flags
    except DispatchError:
        problem = dataclasses.replace(plan.problem, locks=())  # saved; a re-plan refuses them
    save_routes(session, row, writes, problem=problem_to_dict(problem), staff=staff, now=now)
    # New stops (parts split off) got their ids on writing: matched by van and order.
    rows = {r.van_code: r for r in row.routes}
    ids: dict[str, int] = {}
    for route in plan.routes:
        if route.stops:
            work = [s for s in rows[route.van].stops if s.type in WORK]
            ids.update((stop.id, stored.id) for stop, stored in zip(route.stops, work, strict=True))
    return Edited(row, tuple(ids[a] for a in along), tuple(notes), _renamed(found, ids))


def _renamed(found: PlanCheck, ids: dict[str, int]) -> PlanCheck:
    """The check with the stops named by their stored ids."""

    def named(v: PlanViolation) -> PlanViolation:
        stop = v.stop if v.stop is None else str(ids.get(v.stop, v.stop))
        return PlanViolation(v.kind, v.van, stop, v.shipment, v.message_zh, v.message_en)

    return PlanCheck(
        tuple(named(v) for v in found.violations), tuple(named(v) for v in found.unplanned)
    )


def _refuse_into_the_past(
    plan: Plan, start: RestStart, stop_id: str, van: str, position: int
) -> None:
    """A worked stop stays where it was worked, and nothing goes before a van's last worked
    stop: that part of its day has happened.

    Raises
    ------
    ConflictError
        The stop was worked, or ``position`` is at or before the van's last worked stop.
    """
    worked = {s.van: s.worked_stops for s in start.so_far}
    if any(stop_id in ids for ids in worked.values()):
        raise ConflictError(
            "stop_id",
            stop_id,
            "该站已作业（司机已扫描），不能移动 / the stop was worked (its copies were scanned "
            "there): it cannot be moved",
        )
    if van not in {r.van for r in plan.routes} or isinstance(position, bool):
        return  # an unknown van or a bad position: move_stop says so
    others = [s.id for s in plan.route(van).stops if s.id != stop_id]
    done = [i for i, sid in enumerate(others) if sid in worked.get(van, frozenset())]
    if done and isinstance(position, int) and position <= done[-1]:
        first = done[-1] + 1
        raise ConflictError(
            "position",
            position,
            f"{van} 前 {first} 站已作业，位置须不小于 {first} / {van} has worked its stops "
            f"up to position {first - 1}: the position must be {first} or later",
        )
