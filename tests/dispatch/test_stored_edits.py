"""A dispatcher's edits of a stored plan (``stored_day``), on SQLite and PostgreSQL.

The solve of the day puts everything on one van (the fewest vans first): the tests find
their stops by what they carry, not by where the solve happened to put them.
"""

from __future__ import annotations

from datetime import datetime, time

import pytest
from small_day import DAY, Day
from sqlalchemy import func, select
from stored_day import HOLD, NOW, build, scan, stop_of, work, work_stops

from catalog.errors import ConflictError, InvalidValueError
from catalog.models import Plan, PlanStatus, PlanStepType, PlanStop, Transfer, TransferEvent
from catalog.plans import accept, awaiting_acceptance, get_plan
from catalog.transfers import scan_pickup
from dispatch.catalog_day import warm_locks
from dispatch.errors import DispatchError
from dispatch.stored_edits import (
    check_stored,
    diff_stored,
    lock_stored,
    move_stored,
    plan_of,
    replan_stored,
)
from optimizer import Lock, Visit, VisitType

RETURN = "t-return_home-kiosk-west"


def _places(day: Day, plan: Plan) -> dict[str, tuple[str | None, int | None]]:
    """Per shipment of the plan: the van and stop index its transfers are recorded on,
    checked to be those of its pickup row."""
    out = {}
    for route in plan.routes:
        for stop in route.stops:
            if stop.type == PlanStepType.pickup:
                for sid in stop.shipment_ids:
                    transfers = [day.session.get(Transfer, t) for t in stop.transfer_ids]
                    places = {(t.van_id, t.stop) for t in transfers if t is not None}
                    assert places == {(route.van_code, stop.position)}, sid
                    out[sid] = (route.van_code, stop.position)
    return out


def _events(day: Day) -> int:
    return day.session.scalar(select(func.count()).select_from(TransferEvent)) or 0


def test_the_stored_plan_in_memory(day: Day) -> None:
    plan = build(day)
    memory = plan_of(plan)
    assert memory.problem.vans[0].id == "van-1"
    assert set(memory.planned) == {s.shipment_id for s in plan.shipments}
    stored = [
        s.id
        for r in plan.routes
        for s in r.stops
        if s.type in (PlanStepType.pickup, PlanStepType.delivery)
    ]
    assert sorted(int(i) for i in memory.stops) == sorted(stored)


def test_a_move_is_stored_in_place_and_the_transfers_follow(day: Day) -> None:
    plan = build(day)
    version, events, before = plan.version, _events(day), _places(day, plan)
    pickup = stop_of(plan, PlanStepType.pickup, RETURN)[1]
    edited = move_stored(
        day.session,
        plan.id,
        stop_id=pickup.id,
        van="van-2",
        position=0,
        version=version,
        staff="dispatcher1",
        now=NOW,
    )
    day.session.commit()
    again = get_plan(day.session, plan.id)
    van_2 = next(r for r in again.routes if r.van_code == "van-2")
    assert van_2.driver_username == "driver2"  # a new route gets the van's driver
    types = [s.type for s in van_2.stops]
    assert types == [
        PlanStepType.start,
        PlanStepType.pickup,
        PlanStepType.delivery,
        PlanStepType.end,
    ]
    assert van_2.stops[1].id == pickup.id  # the stop kept its id
    assert van_2.stops[2].shipment_ids == [RETURN]  # its delivery came along
    assert edited.along == (van_2.stops[2].id,)
    assert edited.notes and RETURN in edited.notes[0]
    assert edited.check.ok
    assert (again.version, again.updated_by) == (version + 1, "dispatcher1")
    assert again.vans_used == 2
    # every transfer is where its pickup now is (the returning copy on van-2 at its stop 1,
    # the pickups after the one that left van-1 a stop earlier), with an event if it moved
    after = _places(day, again)
    assert after[RETURN] == ("van-2", 1)
    assert _events(day) == events + sum(after[s] != before[s] for s in before)


def test_violations_are_saved_on_the_stops_not_refused(day: Day) -> None:
    plan = build(day)
    delivery = stop_of(plan, PlanStepType.delivery, HOLD)[1]
    route = next(r for r in plan.routes if delivery in r.stops)
    edited = move_stored(
        day.session,
        plan.id,
        stop_id=delivery.id,
        van=route.van_code,
        position=0,
        version=plan.version,
        staff="d",
        now=NOW,
    )
    day.session.commit()
    stored = day.session.get(PlanStop, delivery.id)
    assert stored is not None
    kinds = {(v["kind"], v["shipment"]) for v in stored.violations}
    assert ("precedence", HOLD) in kinds
    assert all(v["zh"] and v["en"] for v in stored.violations)
    assert not edited.check.ok
    assert {v.stop for v in edited.check.violations} == {str(delivery.id)}
    # the check reads the same from the stored plan
    _, found = check_stored(day.session, plan.id)
    assert found.violations == edited.check.violations


def test_an_edit_on_an_old_version_is_refused(day: Day) -> None:
    plan = build(day)
    stop = stop_of(plan, PlanStepType.pickup, HOLD)[1]
    with pytest.raises(ConflictError) as info:
        move_stored(
            day.session,
            plan.id,
            stop_id=stop.id,
            van="van-2",
            position=0,
            version=plan.version - 1,
            staff="d",
            now=NOW,
        )
    assert info.value.field == "version"


@pytest.mark.parametrize("which", ["start", "unknown"])
def test_a_move_of_no_stop_of_the_plan_is_refused(day: Day, which: str) -> None:
    plan = build(day)
    start = plan.routes[0].stops[0]
    stop_id = start.id if which == "start" else 99_999  # a start is not a stop one moves
    with pytest.raises(InvalidValueError) as info:
        move_stored(
            day.session,
            plan.id,
            stop_id=stop_id,
            van="van-1",
            position=0,
            version=plan.version,
            staff="d",
            now=NOW,
        )
    assert (info.value.field, info.value.value) == ("stop_id", str(stop_id))


def test_a_plan_without_its_problem_cannot_be_edited(day: Day) -> None:
    plan = build(day)
    plan.problem = None
    day.session.commit()
    with pytest.raises(ConflictError, match="no stored problem"):
        check_stored(day.session, plan.id)


def test_locks_and_the_replan_that_keeps_them(day: Day) -> None:
    plan = build(day)
    pickup, delivery = (
        stop_of(plan, PlanStepType.pickup, HOLD)[1],
        stop_of(plan, PlanStepType.delivery, HOLD)[1],
    )
    locked = lock_stored(
        day.session,
        plan.id,
        stop_ids=[pickup.id, delivery.id],
        locked=True,
        version=plan.version,
        staff="d",
        now=NOW,
    )
    day.session.commit()
    assert {s.id for r in locked.row.routes for s in r.stops if s.locked} == {
        pickup.id,
        delivery.id,
    }
    job = replan_stored(day.session, plan.id, time_limit=3, staff="dispatcher1", now=NOW)
    day.session.commit()
    assert (job.status, job.parent_id, job.time_limit, job.requested_by) == (
        PlanStatus.queued,
        plan.id,
        3.0,
        "dispatcher1",
    )
    route = next(r for r in plan.routes if pickup in r.stops)
    locks = job.warm_start["locks"]
    assert [lock["van"] for lock in locks] == [route.van_code]
    assert {v["shipment"] for v in locks[0]["visits"]} == set(pickup.shipment_ids) | set(
        delivery.shipment_ids
    )
    assert sum(len(r["visits"]) for r in job.warm_start["routes"]) == 2 * len(plan.shipments)


def test_a_replan_supersedes_its_parent_and_is_diffed_against_it(day: Day) -> None:
    plan = build(day)
    pickup = stop_of(plan, PlanStepType.pickup, RETURN)[1]
    move_stored(
        day.session,
        plan.id,
        stop_id=pickup.id,
        van="van-2",
        position=0,
        version=plan.version,
        staff="d",
        now=NOW,
    )
    day.session.commit()
    job = replan_stored(day.session, plan.id, staff="d", now=NOW)
    day.session.commit()
    new = work(day)
    assert new.id == job.id
    assert awaiting_acceptance(day.session, new)  # a proposal: the parent is in force
    assert get_plan(day.session, plan.id).superseded_by_id is None
    accept(day.session, new.id, staff="d", now=NOW)
    day.session.commit()
    assert get_plan(day.session, plan.id).superseded_by_id == new.id
    against, changes = diff_stored(day.session, new.id)
    assert against == plan.id
    assert changes.total.distance_before == get_plan(day.session, plan.id).distance
    assert changes.total.distance_after == new.distance
    assert (changes.newly_planned, changes.newly_unplanned) == ((), ())
    # the old plan is history now: not edited any more, nor re-planned
    with pytest.raises(ConflictError, match="superseded"):
        replan_stored(day.session, plan.id, staff="d", now=NOW)


def test_no_replan_while_copies_ride_on_a_van(day: Day) -> None:
    """The re-plan reads only the transfers still to collect: once a van carries copies of
    the plan it is refused (409), rather than leaving their drops out of the day's routes."""
    plan = build(day)
    pickup = stop_of(plan, PlanStepType.pickup, HOLD)[1]
    transfer = day.session.get(Transfer, pickup.transfer_ids[0])
    assert transfer is not None
    scan_pickup(
        day.session,
        barcode=transfer.item.barcode,
        site_code=pickup.site_code or "",
        staff="driver",
        now=NOW,
    )
    day.session.commit()
    queued = day.session.scalar(select(func.count()).select_from(Plan))
    with pytest.raises(ConflictError, match="on a van") as refused:
        replan_stored(day.session, plan.id, staff="d", now=NOW)
    assert refused.value.field == "plan_id" and "在途" in str(refused.value)
    day.session.rollback()
    assert day.session.scalar(select(func.count()).select_from(Plan)) == queued  # no job


def test_the_replan_keeps_the_locked_stops_and_so_does_the_next(day: Day) -> None:
    plan = build(day)
    # the returning copy on van-2, locked there
    pickup = stop_of(plan, PlanStepType.pickup, RETURN)[1]
    moved = move_stored(
        day.session,
        plan.id,
        stop_id=pickup.id,
        van="van-2",
        position=0,
        version=plan.version,
        staff="d",
        now=NOW,
    )
    delivery = moved.along[0]
    lock_stored(
        day.session,
        plan.id,
        stop_ids=[pickup.id, delivery],
        locked=True,
        version=moved.row.version,
        staff="d",
        now=NOW,
    )
    day.session.commit()
    job = replan_stored(day.session, plan.id, staff="d", now=NOW)
    day.session.commit()
    new = work(day)
    assert new.id == job.id
    # alone, the day fits one van; the lock keeps the returning copy on van-2
    on_van_2 = {
        s for r in new.routes if r.van_code == "van-2" for st in r.stops for s in st.shipment_ids
    }
    assert RETURN in on_van_2
    assert new.problem["locks"] == [
        {
            "van": "van-2",
            "visits": [
                {"shipment": RETURN, "type": "pickup"},
                {"shipment": RETURN, "type": "delivery"},
            ],
        }
    ]
    # in memory the new plan's stops of the copy are locked, and a re-plan of it keeps them
    memory = plan_of(new)
    assert [s.locked for s in memory.stops.values() if RETURN in s.shipments] == [True, True]
    assert (
        replan_stored(day.session, new.id, staff="d", now=NOW).warm_start["locks"]
        == new.problem["locks"]
    )
    # unlocking takes them out of the stored problem too
    stops = [int(i) for i, s in memory.stops.items() if RETURN in s.shipments]
    unlocked = lock_stored(
        day.session, new.id, stop_ids=stops, locked=False, version=new.version, staff="d", now=NOW
    )
    assert unlocked.row.problem["locks"] == []
    assert not any(s.locked for s in plan_of(unlocked.row).stops.values())


def test_a_warm_start_keeps_the_locks_the_day_still_knows(day: Day) -> None:
    problem = plan_of(build(day)).problem
    locks, notes = warm_locks(
        {
            "locks": [
                {"van": "van-9", "visits": [{"shipment": RETURN, "type": "pickup"}]},
                {
                    "van": "van-2",
                    "visits": [
                        {"shipment": "gone", "type": "pickup"},
                        {"shipment": HOLD, "type": "delivery"},
                    ],
                },
            ]
        },
        problem,
    )
    assert locks == (Lock("van-2", (Visit(HOLD, VisitType.DELIVERY),)),)
    assert notes == (
        "locks: van van-9 is not in today's fleet: its locks dropped",
        "locks: gone no longer open: unlocked",
    )
    with pytest.raises(DispatchError) as info:
        warm_locks({"locks": [{"van": "van-1"}]}, problem)
    assert info.value.field == "warm_start.locks[0]"


def test_a_diff_needs_a_plan_to_compare_with(day: Day) -> None:
    plan = build(day)
    with pytest.raises(InvalidValueError) as info:
        diff_stored(day.session, plan.id)
    assert info.value.field == "against"
    assert diff_stored(day.session, plan.id, against=plan.id)[1].moved == ()


# --- edits once the vans are out ------------------------------------------------------------


def _collected(day: Day, plan: Plan, shipment: str, at: datetime) -> PlanStop:
    """The driver scans the shipment's first copy at its pickup stop at ``at``; the stop."""
    _, pickup = stop_of(plan, PlanStepType.pickup, shipment)
    scan(day, pickup, at, staff="driver")
    return pickup


def _route_of(plan: Plan, stop: PlanStop) -> list[PlanStop]:
    route = next(r for r in plan.routes if any(s.id == stop.id for s in r.stops))
    return work_stops(route.stops)


def test_a_worked_stop_is_not_moved_nor_anything_put_before_it(day: Day) -> None:
    plan = build(day)
    at = datetime.combine(DAY, time(9, 30))
    worked = _collected(day, plan, HOLD, at)
    stops = _route_of(plan, worked)
    van = next(r.van_code for r in plan.routes if any(s.id == worked.id for s in r.stops))
    last = stops.index(next(s for s in stops if s.id == worked.id))
    with pytest.raises(ConflictError, match="worked") as refused:
        move_stored(
            day.session,
            plan.id,
            stop_id=worked.id,
            van="van-2" if van == "van-1" else "van-1",
            position=0,
            version=plan.version,
            staff="d",
            now=at,
        )
    assert (refused.value.field, refused.value.value) == ("stop_id", str(worked.id))
    later = next(s for s in stops[last + 1 :])
    with pytest.raises(ConflictError) as refused:
        move_stored(
            day.session,
            plan.id,
            stop_id=later.id,
            van=van,
            position=last,
            version=plan.version,
            staff="d",
            now=at,
        )
    assert (refused.value.field, refused.value.value) == ("position", last)
    assert "已作业" in str(refused.value) and f"{last + 1} or later" in str(refused.value)
    day.session.rollback()
    # after the worked stop, the move is made
    edited = move_stored(
        day.session,
        plan.id,
        stop_id=later.id,
        van=van,
        position=len(stops) - 1,
        version=plan.version,
        staff="d",
        now=at,
    )
    day.session.commit()
    assert [s.id for s in _route_of(edited.row, worked)][-1] == later.id


def test_a_lock_on_a_worked_day_keeps_the_worked_stops_as_they_happened(day: Day) -> None:
    plan = build(day)
    worked = _collected(day, plan, HOLD, datetime.combine(DAY, time(9, 30)))
    late = datetime.combine(DAY, time(10))
    replan_stored(day.session, plan.id, from_now=True, staff="d", now=late)
    day.session.commit()
    rest = work(day, now=late)
    first = stop_of(rest, PlanStepType.pickup, HOLD)[1]  # the worked stop, stored as it happened
    assert first.site_code == worked.site_code
    scanned = 9 * 3600 + 30 * 60
    # worked at its scan, reached a drive (10 minutes) after leaving the depot: then waiting
    assert first.service_start == scanned
    assert first.arrival < scanned and first.arrival + first.waiting == scanned
    other = next(s for r in rest.routes for s in r.stops if s.type == PlanStepType.delivery)
    edited = lock_stored(
        day.session,
        rest.id,
        stop_ids=[other.id],
        locked=True,
        version=rest.version,
        staff="d",
        now=late,
    )
    day.session.commit()
    again = day.session.get(PlanStop, first.id)
    assert again is not None
    assert (again.arrival, again.waiting, again.service_start) == (
        first.arrival,
        first.waiting,
        scanned,
    )
    # the saved violations are the check's from now (the stored times of the rest, planned
    # from 10:00, are kept too)
    _, found = check_stored(day.session, rest.id, now=late)
    assert edited.check.violations == found.violations
    assert edited.row.routes[0].stops[-1].arrival == rest.routes[0].stops[-1].arrival


def test_a_route_changed_on_a_worked_day_goes_on_from_the_last_scan(day: Day) -> None:
    """The hold is collected late, its van's stops before it passed over (not scanned):
    they come after it, timed from the scan, as the van will work them."""
    plan = build(day)
    scanned = 11 * 3600  # late: the rest of the route was planned for the early morning
    worked = _collected(day, plan, HOLD, datetime.combine(DAY, time(11)))
    stops = _route_of(plan, worked)
    van = next(r.van_code for r in plan.routes if any(s.id == worked.id for s in r.stops))
    last = [s.id for s in stops].index(worked.id)
    assert last + 2 < len(stops), [(s.type, s.site_code) for s in stops]
    moved = stops[last + 1]
    assert moved.arrival < scanned
    now = datetime.combine(DAY, time(11, 5))
    edited = move_stored(
        day.session,
        plan.id,
        stop_id=moved.id,
        van=van,
        position=len(stops) - 1,
        version=plan.version,
        staff="d",
        now=now,
    )
    day.session.commit()
    route = next(r for r in edited.row.routes if r.van_code == van)
    rows = work_stops(route.stops)
    others = [s.id for s in stops if s.id not in (worked.id, moved.id)]
    assert [s.id for s in rows] == [worked.id, *others, moved.id]
    assert (rows[0].service_start, rows[0].departure) == (scanned,) * 2
    # there a drive after the van left its depot, waiting until the scan (not driving)
    left = route.stops[0].departure
    assert (rows[0].arrival, rows[0].waiting) == (left + 600, scanned - left - 600)
    # the rest from the last scan, not before now (11:05), in order
    assert rows[1].arrival >= scanned + 5 * 60
    times = [t for s in rows for t in (s.arrival, s.service_start, s.departure)]
    assert times == sorted(times)
    end = route.stops[-1]
    assert end.type == PlanStepType.end and end.arrival >= rows[-1].departure
    assert route.duration == end.arrival - route.stops[0].departure
    assert [s.distance for s in route.stops] == sorted(s.distance for s in route.stops)
    # what was stored is what the check from now finds
    _, found = check_stored(day.session, plan.id, now=now)
    assert edited.check.violations == found.violations
