"""The check of a plan its vans have begun to work (``dispatch.check_now``), on SQLite and
PostgreSQL: the small named day planned at 06:00, its hold collected at west (east, where it
goes, is open 9–12 and 14–18; the vans' shift ends at 18:00)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from small_day import DAY, Day
from stored_day import HOLD, build, scan, stop_of

from catalog.models import Plan, PlanStepType, PlanStop
from dispatch.edits import check_plan
from dispatch.stored_edits import check_stored, plan_of


def _collect_hold(day: Day, plan: Plan, at: time) -> PlanStop:
    """The driver scans the hold's copy at its pickup stop at ``at``; the stop."""
    _, pickup = stop_of(plan, PlanStepType.pickup, HOLD)
    scan(day, pickup, datetime.combine(DAY, at))
    return pickup


def _on_time(plan: Plan, day: Day, now: datetime) -> bool:
    return check_stored(day.session, plan.id, now=now)[1].ok


def test_before_any_scan_the_check_is_the_plans_own(day: Day) -> None:
    plan = build(day)
    early = datetime.combine(DAY, time(7))
    _, found = check_stored(day.session, plan.id, now=early)
    assert found == check_plan(plan_of(plan))
    assert found.ok and not found.unplanned


def test_a_copy_collected_late_makes_its_drop_late_from_the_van_where_it_is(day: Day) -> None:
    plan = build(day)
    assert _on_time(plan, day, datetime.combine(DAY, time(7)))
    pickup = _collect_hold(day, plan, time(17, 55))
    van, drop = stop_of(plan, PlanStepType.delivery, HOLD)

    now = datetime.combine(DAY, time(17, 56))
    _, found = check_stored(day.session, plan.id, now=now)
    # the copy rides to east from 17:55 + 10 minutes: after east and the shift close
    late = [v for v in found.violations if v.shipment == HOLD]
    assert late, found
    assert {v.van for v in late} == {van}
    assert str(drop.id) in {v.stop for v in late if v.kind.value == "time_window"}
    # the stop worked is what happened, not checked again; no pair is split by the scan
    assert str(pickup.id) not in {v.stop for v in found.violations}
    assert not [v for v in found.violations if v.kind.value == "precedence"]
    assert all(v.message_zh and v.message_en for v in found.violations)
    # timed from the depot at the start of the shift, as planned, nothing was late
    assert check_plan(plan_of(plan)).ok


def test_a_copy_collected_on_time_keeps_the_rest_on_time(day: Day) -> None:
    plan = build(day)
    _, planned = stop_of(plan, PlanStepType.pickup, HOLD)
    scan = datetime.combine(DAY, time()) + _seconds(planned.service_start)
    _collect_hold(day, plan, scan.time())
    _, found = check_stored(day.session, plan.id, now=scan)
    assert found.ok, found.violations
    # every shipment not yet delivered is still in a route: the hold's drop included
    assert not found.unplanned


def test_the_rest_of_a_day_long_past_is_all_late(day: Day) -> None:
    """Read the day after, the stops not worked could only be made after the shift."""
    plan = build(day)
    _collect_hold(day, plan, time(9, 30))
    next_day = datetime.combine(DAY, time(23, 59))
    _, found = check_stored(day.session, plan.id, now=next_day)
    assert not found.ok


def _seconds(value: int) -> timedelta:
    return timedelta(seconds=value)


def test_copies_left_unscanned_at_a_worked_pickup_are_named_as_such(day: Day) -> None:
    """The driver scans one shipment's copy at a pickup stop that collects two: the other's
    copies were not collected, and the check says so at its drop, not that it is dropped
    without ever being picked up."""
    plan = build(day)
    pickup = next(
        s
        for r in plan.routes
        for s in r.stops
        if s.type == PlanStepType.pickup and len(s.shipment_ids) > 1
    )
    scan(day, pickup, datetime.combine(DAY, time(8, 5)), transfer_id=pickup.transfer_ids[0])
    _, found = check_stored(day.session, plan.id, now=datetime.combine(DAY, time(8, 6)))
    left = [v for v in found.violations if v.kind.value == "precedence"]
    assert left, found.violations
    for v in left:
        assert "没有扫描" in v.message_zh, v
        assert "not scanned" in v.message_en, v
        assert pickup.site_code in v.message_en
    # one shipment's copy was scanned: the others, and only they, were left behind
    named = {v.shipment for v in left}
    assert named < set(pickup.shipment_ids)
    assert len(named) == len(pickup.shipment_ids) - 1
