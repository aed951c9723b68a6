"""dispatch.day: a whole day planned and recorded, every transfer planned or deferred.

On the small named day of ``small_day`` (four sites, a real database rolled back per test).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from small_day import DAY, FAST, VAN, Day, H, matrices, run, sites
from sqlalchemy import select

from catalog.models import Transfer, TransferKind, TransferStatus
from catalog.settings import CirculationSettings
from dispatch import DayPlan, plan_day
from optimizer import TimeWindow, Van


def test_every_transfer_is_planned_with_van_and_stop(day: Day) -> None:
    day.transfer(TransferKind.hold, "west", "kiosk")
    day.transfer(TransferKind.return_home, "east", "central")
    day.transfer(TransferKind.return_home, "east", "central")
    day.transfer(TransferKind.new_stock, "central", "west")
    plan = run(day)

    assert plan.planned == 4 and plan.deferred == 0
    assert plan.by_kind["return_home"].transfers == 2
    assert plan.by_kind["return_home"].shipments == 1
    (route,) = plan.result.routes
    rows = day.session.scalars(select(Transfer).order_by(Transfer.id)).all()
    for row in rows:
        assert row.status is TransferStatus.planned
        assert row.van_id == "van-1"
        assert row.planned_for == DAY
        assert row.deferred_reason is None
        assert row.stop is not None
        step = route.steps[row.stop]
        assert step.type == "pickup"
        assert step.site == row.origin_site.code  # the stop is where the van takes it
        assert row.shipment_id in step.shipments  # and the shipment it rides in is recorded


def test_unreachable_site_defers_its_transfers_with_the_reason(day: Day) -> None:
    cut_off = day.transfer(TransferKind.hold, "west", "kiosk")
    day.transfer(TransferKind.hold, "west", "east")
    day.transfer(TransferKind.return_home, "east", "central")
    plan = run(day, unreachable="kiosk")

    assert plan.planned == 2 and plan.deferred == 1
    assert plan.deferred_reasons == {"unreachable": 1}
    day.session.refresh(cut_off)
    assert cut_off.status is TransferStatus.requested
    assert cut_off.van_id is None and cut_off.stop is None
    assert cut_off.deferred_reason is not None
    assert cut_off.deferred_reason.startswith("unreachable: ")
    assert cut_off.shipment_id == "t-hold-west-kiosk"
    assert cut_off.events[-1].note.startswith("deferred: unreachable")


def test_hold_past_its_deadline_is_planned_late_not_deferred(day: Day) -> None:
    # Filled two days ago with a same-day deadline: the shelf date has passed. The patron is
    # still waiting: the copy goes today, late, instead of being deferred for "deadline"
    # every day (it used to get a deadline of 0 s, which no van can meet).
    same_day = CirculationSettings(hold_deadline_working_days=0)
    late = day.transfer(
        TransferKind.hold,
        "west",
        "east",
        now=datetime.combine(DAY - timedelta(days=2), time(10)),
        settings=same_day,
    )
    on_time = day.transfer(TransferKind.hold, "west", "kiosk")
    plan = run(day)

    assert plan.deferred_reasons == {}
    assert plan.planned == 2
    day.session.refresh(late)
    day.session.refresh(on_time)
    assert late.status is TransferStatus.planned and late.deferred_reason is None
    assert late.planned_for == DAY and late.deadline < datetime.combine(DAY, time())
    assert on_time.status is TransferStatus.planned


def test_no_van_leaves_everything_deferred_for_want_of_a_van(day: Day) -> None:
    day.transfer(TransferKind.rebalance, "west", "east")
    durations, distances = matrices()
    plan = plan_day(
        day.session,
        day=DAY,
        sites=sites(),
        durations=durations,
        distances=distances,
        vans=[],
        time_limit=1.0,
        params=FAST,
    )
    assert plan.deferred == 1 and plan.planned == 0
    assert plan.deferred_reasons == {"no_vehicle": 1}


def test_a_day_without_transfers_plans_nothing(day: Day) -> None:
    plan = run(day)
    assert plan.transfers == 0 and plan.result.routes == ()


# --- a batch bigger than a van ---------------------------------------------------------------

SMALL_CRATES = CirculationSettings(crate_capacity=3)
"""Crates of 3 books: a batch of 60 crates is 180 copies, quick to catalogue in a test."""
BATCH_PARTS = ("t-new_stock-central-west#1/2", "t-new_stock-central-west#2/2")
ONE_TRIP = Van("van-1", "central", capacity=(40, 600), shift=TimeWindow(9 * H, 9 * H + 2700))
"""09:00-09:45: one trip to west and back takes 30 minutes (10-minute legs, 5-minute stops),
two take an hour, so the van carries one part of 30 crates, never both."""


def plan_batch(day: Day, vans: list[Van], on: date = DAY) -> DayPlan:
    durations, distances = matrices()
    return plan_day(
        day.session,
        day=on,
        sites=sites(),
        durations=durations,
        distances=distances,
        vans=vans,
        time_limit=5.0,
        params=FAST,
        now=datetime.combine(on, time(7)),
        settings=SMALL_CRATES,
    )


def pickups(plan: DayPlan) -> dict[str, tuple[str, int]]:
    """``{shipment id: (van, stop)}`` of every planned shipment."""
    return {
        shipment: (route.van, stop)
        for route in plan.result.routes
        for stop, step in enumerate(route.steps)
        if step.type == "pickup"
        for shipment in step.shipments
    }


def rows_of(day: Day, transfers: list[Transfer]) -> list[Transfer]:
    ids = [t.id for t in transfers]
    day.session.expire_all()
    return list(day.session.scalars(select(Transfer).where(Transfer.id.in_(ids))))


def test_a_batch_of_sixty_crates_rides_in_two_parts_on_a_two_van_day(day: Day) -> None:
    batch = day.new_stock_batch("west", 180)  # 60 crates; the vans hold 40
    plan = plan_batch(day, [VAN, Van(id="van-2", start="central", capacity=(40, 600))])

    assert [(s.id, s.amount) for s in plan.problem.shipments] == [
        (BATCH_PARTS[0], (30, 45)),  # 90 copies, 45 kg
        (BATCH_PARTS[1], (30, 45)),
    ]
    assert plan.planned == 180 and plan.deferred == 0
    assert plan.by_kind["new_stock"].shipments == 2
    where = pickups(plan)
    rows = rows_of(day, batch)
    assert len(rows) == 180
    # Each transfer is recorded once, on the van and stop of its own part.
    assert Counter(r.shipment_id for r in rows) == {BATCH_PARTS[0]: 90, BATCH_PARTS[1]: 90}
    for row in rows:
        assert row.status is TransferStatus.planned and row.deferred_reason is None
        assert row.shipment_id is not None
        assert (row.van_id, row.stop) == where[row.shipment_id]
        assert row.events[-1].note.endswith(f"(shipment {row.shipment_id})")


def test_on_a_one_van_day_one_part_rides_and_the_other_waits_for_room(day: Day) -> None:
    batch = day.new_stock_batch("west", 180)
    plan = plan_batch(day, [ONE_TRIP])

    assert plan.planned == 90 and plan.deferred == 90
    # It fits a van, there is just no room today: not ``capacity_exceeds_van``.
    assert plan.deferred_reasons == {"deferred_capacity": 90}
    (riding,) = pickups(plan)
    (waiting,) = {u.shipment for u in plan.result.unassigned}
    assert {riding, waiting} == set(BATCH_PARTS)
    rows = rows_of(day, batch)
    planned = [r for r in rows if r.status is TransferStatus.planned]
    deferred = [r for r in rows if r.status is TransferStatus.requested]
    assert len(planned) == len(deferred) == 90
    assert {r.shipment_id for r in planned} == {riding}
    assert {r.shipment_id for r in deferred} == {waiting}
    assert all(r.van_id is None and r.stop is None for r in deferred)
    assert all((r.deferred_reason or "").startswith("deferred_capacity") for r in deferred)

    # The next day carries the rest: 30 crates fit the van whole, so they are not split.
    tomorrow = plan_batch(day, [ONE_TRIP], on=DAY + timedelta(days=1))
    assert [s.id for s in tomorrow.problem.shipments] == ["t-new_stock-central-west"]
    assert tomorrow.planned == 90 and tomorrow.deferred == 0
    rows = rows_of(day, batch)
    assert all(r.status is TransferStatus.planned for r in rows)
    assert Counter(r.planned_for for r in rows) == {DAY: 90, DAY + timedelta(days=1): 90}
