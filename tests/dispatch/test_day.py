"""dispatch.day: a whole day planned and recorded, every transfer planned or deferred.

On the small named day of ``small_day`` (four sites, a real database rolled back per test).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from small_day import DAY, FAST, Day, matrices, run, sites
from sqlalchemy import select

from catalog.models import Transfer, TransferKind, TransferStatus
from catalog.settings import CatalogSettings
from dispatch import plan_day


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
    assert cut_off.events[-1].note.startswith("deferred: unreachable")


def test_hold_past_its_deadline_is_deferred_with_the_reason(day: Day) -> None:
    # Filled two days ago with a same-day deadline: the shelf date has passed.
    same_day = CatalogSettings(hold_deadline_working_days=0)
    late = day.transfer(
        TransferKind.hold,
        "west",
        "east",
        now=datetime.combine(DAY - timedelta(days=2), time(10)),
        settings=same_day,
    )
    on_time = day.transfer(TransferKind.hold, "west", "kiosk")
    plan = run(day)

    assert plan.deferred_reasons == {"deadline": 1}
    day.session.refresh(late)
    day.session.refresh(on_time)
    assert late.status is TransferStatus.requested
    assert late.deferred_reason is not None and late.deferred_reason.startswith("deadline: ")
    assert on_time.status is TransferStatus.planned


def test_no_van_leaves_everything_deferred_for_capacity(day: Day) -> None:
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
    assert plan.deferred_reasons == {"capacity_exceeds_van": 1}


def test_a_day_without_transfers_plans_nothing(day: Day) -> None:
    plan = run(day)
    assert plan.transfers == 0 and plan.result.routes == ()
