"""A re-plan of the rest of the day from where the vans are (``dispatch.rest_of_day``), on
SQLite and PostgreSQL: the small named day, planned at 06:00, its vans out by 10:00."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from small_day import DAY, FAST, Day, H
from stored_day import (
    HOLD,
    build,
    fleet,
    matrices,
    scan,
    stop_of,
    stored_plan,
    transfers,
    work,
    work_stops,
)

from catalog.models import Plan, PlanStepType, PlanStop, Transfer, TransferKind, TransferStatus
from catalog.plans import accept, claim_next, get_plan
from dispatch.catalog_day import solve_date
from dispatch.rest_of_day import aboard_skill
from dispatch.stored_edits import check_stored, plan_of, replan_stored
from optimizer import Problem, solve

LATER = datetime.combine(DAY, time(10))
"""When the rest of the day is planned."""


def _rest_of_day(day: Day, plan: Plan, at: datetime = LATER) -> Plan:
    replan_stored(day.session, plan.id, from_now=True, staff="dispatcher", now=at)
    day.session.commit()
    return work(day, now=at)


def _hold(day: Day, stop: PlanStop) -> int:
    return next(
        t for t in stop.transfer_ids if day.session.get(Transfer, t).kind == TransferKind.hold
    )


def test_the_van_goes_on_from_its_last_scan_with_the_copies_it_carries(day: Day) -> None:
    plan = build(day)
    van, pickup = stop_of(plan, PlanStepType.pickup, HOLD)
    hold = _hold(day, pickup)
    scan(day, pickup, transfer_id=hold, at=datetime.combine(DAY, time(9, 30)))
    day.session.commit()

    new = _rest_of_day(day, plan)
    assert new.parent_id == plan.id and new.status.value == "done"
    route = next(r for r in new.routes if r.van_code == van)
    work = work_stops(route.stops)
    # the worked stop first, as it happened (at its scan), with the copy scanned there only
    first = work[0]
    assert (first.type, first.site_code, first.transfer_ids) == (
        PlanStepType.pickup,
        pickup.site_code,
        [hold],
    )
    assert first.shipment_ids == [HOLD]
    at_scan = 9 * H + 30 * 60
    assert (first.service_start, first.departure) == (at_scan,) * 2
    # out of the depot when the route starts, there after the 10 minutes' drive: the rest of
    # the time to the scan is waiting, not driving
    left = route.stops[0].departure
    assert route.stops[0].type == PlanStepType.start and left + 600 < at_scan
    assert (first.arrival, first.waiting) == (left + 600, at_scan - left - 600)
    # then the drop of the copy on board, after 10:00, with its transfer
    drop = next(s for s in work[1:] if s.type == PlanStepType.delivery and HOLD in s.shipment_ids)
    assert drop.site_code == "east" and hold in drop.transfer_ids
    assert all(s.arrival >= 10 * H for s in work[1:])
    # no loading steps at helper sites, nothing at a site the catalogue does not know
    assert {s.site_code for s in route.stops} <= {"central", "east", "west", "kiosk"}
    # every other transfer of the day is planned again (or deferred with a reason)
    rest = {t for r in new.routes for s in work_stops(r.stops)[1:] for t in s.transfer_ids}
    left = {t for u in new.unplanned for t in u.transfer_ids}
    open_ids = {t.id for t in day.transfers if t.id != hold}
    assert open_ids <= rest | left
    # the stored plan reads back whole: the worked stop locked, the check names no pair split
    memory = plan_of(new)
    assert memory.stops[str(first.id)].locked
    # checked from where the vans are now, the rest breaks nothing: it was planned from there
    _, found = check_stored(day.session, new.id, now=LATER)
    assert found.ok, found.violations

    accepted = accept(day.session, new.id, staff="dispatcher", now=LATER)
    day.session.commit()
    assert accepted.superseded_by_id is None
    transfer = day.session.get(Transfer, hold)
    assert transfer is not None and transfer.status == TransferStatus.picked_up
    # the driver drops it where the new plan says
    scan(day, drop, transfer_id=hold, at=datetime.combine(DAY, time(11)))
    day.session.commit()
    assert transfer.status == TransferStatus.delivered


def test_a_van_that_worked_nothing_starts_at_its_depot_not_before_now(day: Day) -> None:
    plan = build(day)
    new = _rest_of_day(day, plan)
    for route in new.routes:
        start = route.stops[0]
        assert start.type == PlanStepType.start and start.site_code == "central"
        assert all(s.arrival >= 10 * H for s in work_stops(route.stops))
    visits = {
        (sid, s.type) for r in new.routes for s in work_stops(r.stops) for sid in s.shipment_ids
    }
    assert len(visits) == 2 * 4  # every transfer planned again, picked up and dropped


def test_copies_left_behind_at_a_worked_stop_are_planned_again(day: Day) -> None:
    fleet(day.session)
    transfers(day)
    extra = day.transfer(TransferKind.new_stock, "central", "east")
    day.session.commit()
    plan = stored_plan(day)
    sid = "t-new_stock-central-east"
    van, pickup = stop_of(plan, PlanStepType.pickup, sid)
    taken = next(t for t in pickup.transfer_ids if t != extra.id)
    scan(day, pickup, transfer_id=taken, at=datetime.combine(DAY, time(9, 5)))
    day.session.commit()

    new = _rest_of_day(day, plan)
    ids = {s.shipment_id: list(s.transfer_ids) for s in new.shipments}
    assert ids[sid] == [taken]
    again = next(k for k in ids if k.startswith(f"{sid}~"))
    assert ids[again] == [extra.id]
    planned = {t for r in new.routes for s in r.stops[1:] for t in s.transfer_ids}
    assert extra.id in planned | {t for u in new.unplanned for t in u.transfer_ids}
    assert plan_of(get_plan(day.session, new.id)).problem.shipments  # reads back
    del van


def test_a_second_rest_of_day_keeps_what_the_first_kept(day: Day) -> None:
    plan = build(day)
    van, pickup = stop_of(plan, PlanStepType.pickup, HOLD)
    hold = _hold(day, pickup)
    scan(day, pickup, transfer_id=hold, at=datetime.combine(DAY, time(9, 30)))
    day.session.commit()
    first = _rest_of_day(day, plan)
    accept(day.session, first.id, staff="dispatcher", now=LATER)
    day.session.commit()
    drop = next(
        s
        for r in first.routes
        for s in r.stops
        if s.type == PlanStepType.delivery and hold in s.transfer_ids
    )
    scan(day, drop, transfer_id=hold, at=datetime.combine(DAY, time(10, 40)))
    day.session.commit()

    second = _rest_of_day(day, first, datetime.combine(DAY, time(11)))
    route = next(r for r in second.routes if r.van_code == van)
    worked = work_stops(route.stops)[:2]
    assert [(s.type, s.transfer_ids) for s in worked] == [
        (PlanStepType.pickup, [hold]),
        (PlanStepType.delivery, [hold]),  # only the copy dropped there
    ]
    scanned = [9 * H + 30 * 60, 10 * H + 40 * 60]
    assert [s.service_start for s in worked] == scanned
    # each reached a drive (10 minutes) after the one before, as the first re-plan had it
    assert [s.arrival for s in worked] == [
        min(scanned[0], route.stops[0].departure + 600),
        min(scanned[1], worked[0].departure + 600),
    ]
    kept = work_stops(next(r for r in first.routes if r.van_code == van).stops)[0]
    assert (kept.arrival, kept.waiting) == (worked[0].arrival, worked[0].waiting)
    assert all(s.arrival >= 11 * H for s in work_stops(route.stops)[2:])


def test_every_van_of_the_search_starts_not_before_now(day: Day) -> None:
    """Also a van with no route in the plan in force (the day fits on one van): the search
    the solver gets starts each van at its depot or its last scan, from now on."""
    plan = build(day)
    van, pickup = stop_of(plan, PlanStepType.pickup, HOLD)
    hold = _hold(day, pickup)
    scan(day, pickup, transfer_id=hold, at=datetime.combine(DAY, time(9, 30)))
    day.session.commit()
    replan_stored(day.session, plan.id, from_now=True, staff="dispatcher", now=LATER)
    day.session.commit()
    claim = claim_next(day.session, worker_id="test:1:worker", now=LATER)
    assert claim is not None
    day.session.commit()
    searched: list[Problem] = []

    def solver(problem: Problem, **kwargs: Any) -> Any:
        searched.append(problem)
        return solve(problem, **kwargs)

    solve_date(
        day.session,
        day=DAY,
        time_limit=5,
        matrices=matrices,
        params=FAST,
        warm_start=claim.warm_start,
        solver=solver,
        now=LATER,
    )
    (problem,) = searched
    assert {v.id for v in problem.vans} == {"van-1", "van-2"}
    assert all(v.shift.early >= 10 * H for v in problem.vans)
    carrying = next(v for v in problem.vans if v.id == van)
    assert aboard_skill(van) in carrying.skills
    assert all(aboard_skill(van) not in v.skills for v in problem.vans if v.id != van)
    # the copy on board is a shipment loaded where the van is, for it alone
    (job,) = [s for s in problem.shipments if aboard_skill(van) in s.skills]
    assert job.id == HOLD and job.delivery == "east" and not job.deferrable
