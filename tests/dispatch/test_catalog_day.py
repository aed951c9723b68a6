"""dispatch.catalog_day: a day planned from the catalogue alone (its calendar, the fleet, the open
transfers), every transfer planned or deferred with a reason, the calendar's included.

On the small named day of ``small_day`` (four sites, a real database rolled back per test);
10 minutes and 4 km between any two sites.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from pathlib import Path

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
from catalog.plans import PlanRecord
from catalog.transfers import cancel_open_transfer
from dispatch.catalog_day import (
    DatePlan,
    SitePoint,
    StreetMatrices,
    day_sites,
    plan_date,
    record_date,
    solve_date,
    warm_routes,
)
from dispatch.errors import DispatchError
from dispatch.problem_json import problem_from_dict
from dispatch.reasons import NO_VAN_DAY, REASONS, SITE_CLOSED, reason_text
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


def plan(day: Day) -> tuple[DatePlan, PlanRecord]:
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


def test_a_re_plan_takes_the_days_planned_transfers_and_overdue_ones_not_anothers(
    day: Day,
) -> None:
    fleet(day)
    today = day.transfer(TransferKind.rebalance, "west", "east")
    tomorrow = day.transfer(TransferKind.rebalance, "kiosk", "east")
    overdue = day.transfer(TransferKind.rebalance, "kiosk", "west")
    plan(day)
    for transfer, planned_for in (
        (tomorrow, DAY + timedelta(days=1)),
        (overdue, DAY - timedelta(days=1)),
    ):
        day.session.refresh(transfer)
        transfer.planned_for = planned_for  # tomorrow's plan took one; yesterday's van missed one
    day.session.flush()

    solved, record = plan(day)  # planned on the morning of DAY
    assert {s.id for s in solved.problem.shipments} == {
        "t-rebalance-west-east",
        "t-rebalance-kiosk-west",
    }
    assert record.planned_transfers == 2
    day.session.refresh(today)
    assert today.status is TransferStatus.planned and today.planned_for == DAY
    day.session.refresh(tomorrow)
    assert tomorrow.planned_for == DAY + timedelta(days=1)  # left to its own day
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
        words = REASONS[code]
        assert words.zh and words.en and words.zh != words.en
    assert reason_text("dispatcher said so").en == "dispatcher said so"


@pytest.mark.slow
def test_the_street_matrices_are_computed_once_per_set_of_sites(beilin_dir: Path) -> None:
    streets = StreetMatrices(beilin_dir, depart_at=8 * H + 1800)
    points = [
        SitePoint("central", 108.9402, 34.2560),
        SitePoint("east", 108.9650, 34.2560),
        SitePoint("west", 108.9350, 34.2560),
    ]
    durations, distances = streets(points)
    assert len(durations) == 3 and all(len(row) == 3 for row in distances)
    assert durations[0][0] == 0 and durations[0][1] > 0 and distances[1][2] > 2000
    assert streets(list(points)) == (durations, distances)
    assert streets(points)[0] is durations  # kept, not computed again
    graph = streets.graph()
    moved = [*points[:2], SitePoint("west", 108.9300, 34.2600)]
    assert streets(moved)[1][1][2] != distances[1][2]  # a site moved: computed anew
    assert streets.graph() is graph  # on the same graph, loaded once
