"""A stored plan driven as its drivers would scan it: every copy picked up and delivered at its
stops, stamped at the planned arrival plus the running delay; a second drive scans nothing
more; missed stops scan nothing; bad arguments are refused naming the field."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from catalog_network import Network
from sqlalchemy.orm import Session

from catalog.errors import InvalidValueError, NotFoundError
from catalog.models import Transfer, TransferKind, TransferStatus
from catalog.plan_playback import drive_plan
from catalog.plans import PlanRecord, RouteRecord, StopRecord, claim_next, enqueue, finish
from catalog.transfers import PlannedTransfer, create_transfer, record_plan

H = 3600
DAY = date(2026, 11, 24)  # Tuesday: central and the kiosk have a van


def _planned_day(session: Session, net: Network) -> tuple[int, list[int]]:
    """Two copies going central → kiosk on DAY, planned on one route; the plan's id."""
    book = net.record("三体")
    copies = [net.copy(book, "central", home="kiosk") for _ in range(2)]
    when = datetime(2026, 11, 23, 15)
    transfers = [
        create_transfer(
            session, item=c, kind=TransferKind.return_home, destination=net.sites["kiosk"], now=when
        )
        for c in copies
    ]
    ids = tuple(t.id for t in transfers)
    enqueue(session, day=DAY, time_limit=1.0, staff="test", now=when)
    claim = claim_next(session, worker_id="test", now=when)
    assert claim is not None
    record_plan(
        session, planned=[PlannedTransfer(t, "V1", 1, DAY, "s1") for t in ids], staff="test"
    )

    def stop(kind: str, site: str, at: int, load: int, carried: tuple[int, ...] = ()) -> StopRecord:
        return StopRecord(kind, site, at, 0, at, at + 300, load, load * 15, transfer_ids=carried)

    stops = (
        stop("start", "central", 8 * H, 0),
        stop("pickup", "central", 9 * H, 1, ids),
        stop("delivery", "kiosk", 9 * H + 1800, 0, ids),
        stop("end", "central", 10 * H, 0),
    )
    record = PlanRecord(
        (RouteRecord("V1", 5000, 7200, 10.0, stops),), (), (), 10.0, 5000, 7200, 2, 0
    )
    assert finish(session, claim, record, now=when)
    return claim.plan_id, list(ids)


def test_every_copy_is_scanned_at_its_stops(db_session: Session, net: Network) -> None:
    plan_id, ids = _planned_day(db_session, net)
    report = drive_plan(db_session, plan_id, seed=1, step_delay_s=(0, 60))
    assert (report.picked_up, report.delivered, report.missed_stops, report.refused) == (2, 2, 0, 0)

    transfers = [db_session.get(Transfer, t) for t in ids]
    planned_pickup = datetime.combine(DAY, datetime.min.time()) + timedelta(seconds=9 * H)
    for t in transfers:
        assert t is not None and t.status is TransferStatus.delivered
        assert planned_pickup <= t.picked_up_at <= planned_pickup + timedelta(minutes=3)  # type: ignore[operator]
        assert t.delivered_at > t.picked_up_at  # type: ignore[operator]
    again = drive_plan(db_session, plan_id, seed=1)
    assert (again.picked_up, again.delivered) == (0, 0)


def test_missed_stops_scan_nothing(db_session: Session, net: Network) -> None:
    plan_id, _ = _planned_day(db_session, net)
    report = drive_plan(db_session, plan_id, miss_share=1.0)
    assert (report.picked_up, report.delivered, report.missed_stops) == (0, 0, 2)


def test_refusals(db_session: Session, net: Network) -> None:
    plan_id, _ = _planned_day(db_session, net)
    with pytest.raises(InvalidValueError) as share:
        drive_plan(db_session, plan_id, miss_share=1.5)
    assert share.value.field == "miss_share"
    with pytest.raises(InvalidValueError) as delays:
        drive_plan(db_session, plan_id, step_delay_s=(60, 0))
    assert delays.value.field == "step_delay_s"
    with pytest.raises(NotFoundError):
        drive_plan(db_session, 999_999)
    queued = enqueue(db_session, day=DAY + timedelta(days=1), time_limit=1.0, staff="test")
    with pytest.raises(InvalidValueError) as not_done:
        drive_plan(db_session, queued.id)
    assert not_done.value.field == "plan_id"
