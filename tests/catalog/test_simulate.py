"""One simulated day through the circulation rules leaves transfers for the vans.

The day runs on the test network (``central``; ``east`` closed on Mondays; ``west``;
``kiosk``) stocked with a tiny demo catalogue.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from catalog_network import Network
from sqlalchemy import func, select

from catalog.demo_data import demo_sites_from_db, generate_demo_catalogue
from catalog.errors import InvalidValueError
from catalog.models import Loan, Transfer, TransferKind, TransferStatus
from catalog.simulate import SimulationReport, simulate_day

TUESDAY = date(2026, 11, 24)
MONDAY = date(2026, 11, 23)


@pytest.fixture
def stocked(net: Network) -> Network:
    generate_demo_catalogue(net.session, demo_sites_from_db(net.session), seed=5, scale=0.005)
    return net


def run(net: Network, day: date = TUESDAY, seed: int = 0) -> SimulationReport:
    return simulate_day(net.session, day=day, travel_times=net.travel, seed=seed, scale=0.02)


def on(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time())
    return start, start + timedelta(days=1)


def test_the_day_leaves_transfers_of_every_kind(stocked: Network) -> None:
    report = run(stocked)
    assert report.day == TUESDAY
    assert report.loans > 0 and report.returns > 0 and report.backlog_loans >= report.returns
    assert report.new_stock_items == 6
    # Returns away from home go home; new stock goes out; holds move copies.
    assert report.transfers_by_kind[TransferKind.new_stock] == 6
    assert 0 < report.transfers_by_kind[TransferKind.return_home] <= report.returns_away
    assert report.items_moved == sum(report.transfers_by_kind.values())
    assert sum(report.holds.values()) <= 4


def test_the_report_matches_the_database(stocked: Network) -> None:
    report = run(stocked)
    session = stocked.session
    start, end = on(TUESDAY)
    open_today = session.scalars(
        select(Transfer).where(
            Transfer.requested_at >= start,
            Transfer.requested_at < end,
            Transfer.status == TransferStatus.requested,
        )
    ).all()
    assert len(open_today) == report.items_moved
    assert all(t.origin_site_id != t.destination_site_id for t in open_today)
    assert all(t.hold_id is not None for t in open_today if t.kind is TransferKind.hold)
    loans_today = session.scalar(
        select(func.count()).where(Loan.checked_out_at >= start, Loan.checked_out_at < end)
    )
    assert loans_today == report.loans
    returned_today = session.scalar(
        select(func.count()).where(Loan.returned_at >= start, Loan.returned_at < end)
    )
    assert returned_today == report.returns


def test_no_loan_at_a_closed_site(stocked: Network) -> None:
    run(stocked, day=MONDAY)
    start, end = on(MONDAY)
    at_east = stocked.session.scalar(
        select(func.count()).where(
            Loan.site_id == stocked.sites["east"].id,
            Loan.checked_out_at >= start,
            Loan.checked_out_at < end,
        )
    )
    assert at_east == 0


def test_same_seed_same_day(stocked: Network) -> None:
    session = stocked.session
    savepoint = session.begin_nested()
    first = run(stocked, seed=3)
    savepoint.rollback()
    session.expire_all()
    assert run(stocked, seed=3) == first


def test_bad_scale(stocked: Network) -> None:
    with pytest.raises(InvalidValueError) as error:
        simulate_day(stocked.session, day=TUESDAY, travel_times=stocked.travel, scale=0)
    assert error.value.field == "scale"
