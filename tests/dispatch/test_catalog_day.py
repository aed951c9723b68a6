"""dispatch.catalog_day: a day planned from the catalogue alone (its calendar, the fleet, the open
transfers), every transfer planned or deferred with a reason, the calendar's included.

On the small named day of ``small_day`` (four sites, a real database rolled back per test);
10 minutes and 4 km between any two sites.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

import pytest
from small_day import DAY, FAST, Day, H
from sqlalchemy import select

from catalog.fleet import VanSpec, create_van
from catalog.models import Site as CatalogSite
from catalog.models import (
    SiteClosedDate,
    SiteVanDay,
    Transfer,
    TransferEvent,
    TransferKind,
    TransferStatus,
)
from catalog.transfers import cancel_open_transfer
from dispatch.catalog_day import (
    SitePoint,
    day_sites,
    plan_date,
    record_date,
    solve_date,
    warm_routes,
)
from dispatch.errors import DispatchError
from dispatch.plan_reasons import NO_VAN_DAY, PLAN_REASONS, SITE_CLOSED, reason_words
from dispatch.problem_json import problem_from_dict
from optimizer import UnassignedReason

MORNING = datetime.combine(DAY, time(7))


def ten_minutes(points: Sequence[SitePoint]) -> tuple[list[list[int]], list[list[int]]]:
    """The small day's matrices for any sites: 600 s and 4 km between two of them."""
    n = len(points)
    return (
        [[0 if i == j else 600 for j in range(n)] for i in range(n)],
        [[0 if i == j else 4000 for j in range(n)] for i in range(n)],
    )


def fleet(day: Day, *codes: str) -> None:
    for code in codes or ("van-1",):
        create_van(
            day.session,
            code=code,
            spec=VanSpec("central", 40, 600, 8 * H, 18 * H, cost_per_km=2.0),
            staff="li.dispatch",
        )


def plan(day: Day):  # type: ignore[no-untyped-def]
    return plan_date(
        day.session,
        day=DAY,
        time_limit=5,
        matrices=ten_minutes,
        staff="li.dispatch",
        params=FAST,
        now=MORNING,
    )


def site(day: Day, code: str) -> CatalogSite:
    found = day.session.get(CatalogSite, day.ids[code])
    assert found is not None
    return found


def test_every_open_transfer_is_planned_on_the_fleet_and_the_plan_kept(day: Day) -> None:
    fleet(day)
    hold = day.transfer(TransferKind.hold, "west", "kiosk")
    back = day.transfer(TransferKind.return_home, "east", "central")
    solved, record = plan(day)

    assert [v.id for v in solved.problem.vans] == ["van-1"]
    assert {s.id for s in solved.problem.sites} == {"central", "east", "west", "kiosk"}
    assert record.planned_transfers == 2 and record.deferred_transfers == 0
    (route,) = record.routes
    assert route.van_code == "van-1" and route.distance > 0
    by_transfer = {t: s for s in route.stops for t in s.transfer_ids if s.type == "pickup"}
    for transfer in (hold, back):
        day.session.refresh(transfer)
        assert transfer.status is TransferStatus.planned and transfer.van_id == "van-1"
        assert by_transfer[transfer.id].site_code == transfer.origin_site.code
    assert {s.shipment_id for s in record.shipments} == {
        "t-hold-west-kiosk",
        "t-return_home-east-central",
    }
    assert problem_from_dict(record.problem) == solved.problem  # kept for the edits


def test_a_site_closed_that_day_defers_its_transfers_with_the_reason(day: Day) -> None:
    fleet(day)
    day.session.add(SiteClosedDate(site_id=day.ids["kiosk"], day=DAY, reason="盘点"))
    day.session.flush()
    closed = day.transfer(TransferKind.hold, "west", "kiosk")
    fine = day.transfer(TransferKind.rebalance, "west", "east")
    solved, record = plan(day)

    assert "kiosk" not in {s.id for s in solved.problem.sites}
    assert [s.id for s in solved.problem.shipments] == ["t-rebalance-west-east"]
    (left,) = record.unplanned
    assert (left.shipment_id, left.reason, left.transfer_ids) == (
        "t-hold-west-kiosk",
        SITE_CLOSED,
        (closed.id,),
    )
    assert "kiosk" in left.detail and "2026-11-24" in left.detail
    day.session.refresh(closed)
    assert closed.status is TransferStatus.requested
    assert (closed.deferred_reason or "").startswith("site_closed: ")
    day.session.refresh(fine)
    assert fine.status is TransferStatus.planned
    assert record.deferred_transfers == 1 and record.planned_transfers == 1


def test_a_weekday_without_a_van_call_defers_too(day: Day) -> None:
    fleet(day)
    kiosk = site(day, "kiosk")
    kiosk.van_days = [SiteVanDay(weekday=w) for w in range(7) if w != DAY.weekday()]
    day.session.flush()
    waiting = day.transfer(TransferKind.return_home, "kiosk", "central")
    _, record = plan(day)
    (left,) = record.unplanned
    assert left.reason == NO_VAN_DAY and "Tuesdays" in left.detail
    day.session.refresh(waiting)
    assert (waiting.deferred_reason or "").startswith("no_van_day: ")


def test_a_closed_depot_still_starts_the_vans_but_takes_no_transfers(day: Day) -> None:
    fleet(day)
    day.session.add(SiteClosedDate(site_id=day.ids["central"], day=DAY))
    day.session.flush()
    day.transfer(TransferKind.return_home, "east", "central")
    day.transfer(TransferKind.rebalance, "east", "west")
    solved, record = plan(day)
    depot = next(s for s in solved.problem.sites if s.id == "central")
    assert depot.time_windows[0].early == 0  # open all day as a garage
    assert [u.reason for u in record.unplanned] == [SITE_CLOSED]
    assert record.planned_transfers == 1


def test_sites_of_the_day_keep_their_hours_and_service_times(day: Day) -> None:
    sites, closed = day_sites([site(day, c) for c in ("central", "east", "kiosk")], DAY)
    east = next(s for s in sites if s.id == "east")
    assert [(w.early, w.late) for w in east.time_windows] == [(9 * H, 12 * H), (14 * H, 18 * H)]
    assert east.service_duration == 300  # a branch
    assert next(s for s in sites if s.id == "kiosk").service_duration == 180
    assert closed == {}


def test_a_re_plan_of_the_day_takes_its_planned_transfers_but_not_a_later_days(day: Day) -> None:
    fleet(day)
    today = day.transfer(TransferKind.rebalance, "west", "east")
    later = day.transfer(TransferKind.rebalance, "kiosk", "east")
    plan(day)
    day.session.refresh(later)
    later.planned_for = DAY + timedelta(days=1)  # as if tomorrow's plan had taken it
    day.session.flush()

    solved, record = plan(day)
    assert [s.id for s in solved.problem.shipments] == ["t-rebalance-west-east"]
    assert record.planned_transfers == 1
    day.session.refresh(today)
    assert today.status is TransferStatus.planned and today.planned_for == DAY
    planned_events = day.session.scalars(
        select(TransferEvent).where(
            TransferEvent.transfer_id == today.id, TransferEvent.status == TransferStatus.planned
        )
    ).all()
    assert len(planned_events) == 2  # once per plan: the second supersedes the first


def test_a_transfer_cancelled_while_the_day_is_solved_is_left_out_and_said_so(day: Day) -> None:
    fleet(day)
    kept = day.transfer(TransferKind.return_home, "east", "central")
    gone = day.transfer(TransferKind.return_home, "east", "central")
    solved = solve_date(day.session, day=DAY, time_limit=5, matrices=ten_minutes, params=FAST)
    item = day.session.get(Transfer, gone.id)
    assert item is not None
    cancel_open_transfer(
        day.session, item.item, now=MORNING, site=None, staff="desk", note="superseded"
    )
    record = record_date(day.session, solved, staff="li.dispatch", now=MORNING)

    assert record.planned_transfers == 1
    (shipment,) = record.shipments
    assert shipment.transfer_ids == (kept.id,) and shipment.items == 1
    assert str(gone.id) in record.note and "cancelled or picked up" in record.note
    day.session.refresh(gone)
    assert gone.status is TransferStatus.cancelled  # not planned over the cancel


def test_no_van_in_the_fleet_defers_every_transfer_for_want_of_one(day: Day) -> None:
    day.transfer(TransferKind.rebalance, "west", "east")
    _, record = plan(day)
    assert [u.reason for u in record.unplanned] == ["no_vehicle"]
    assert record.routes == ()


def test_a_warm_start_keeps_what_the_day_still_has(day: Day) -> None:
    fleet(day)
    day.transfer(TransferKind.rebalance, "west", "east")
    solved = solve_date(day.session, day=DAY, time_limit=5, matrices=ten_minutes, params=FAST)
    warm = {
        "routes": [
            {
                "van": "van-1",
                "visits": [
                    {"shipment": "t-rebalance-west-east", "type": "pickup"},
                    {"shipment": "t-gone", "type": "pickup"},
                    {"shipment": "t-rebalance-west-east", "type": "delivery"},
                ],
            },
            {"van": "van-9", "visits": []},
        ]
    }
    routes, notes = warm_routes(warm, solved.problem)
    assert routes is not None and [len(r.visits) for r in routes] == [2]
    assert any("t-gone" in n for n in notes) and any("van-9" in n for n in notes)
    assert warm_routes(None, solved.problem) == (None, ())
    with pytest.raises(DispatchError, match=r"warm_start\.routes\[0\]"):
        warm_routes({"routes": [{"vehicle": 1}]}, solved.problem)


def test_every_reason_code_has_words_in_both_languages() -> None:
    for code in [*(r.value for r in UnassignedReason), SITE_CLOSED, NO_VAN_DAY]:
        words = PLAN_REASONS[code]
        assert words.zh and words.en and words.zh != words.en
    assert reason_words("dispatcher said so").en == "dispatcher said so"
