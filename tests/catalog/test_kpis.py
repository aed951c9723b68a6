"""The KPIs of a hand-played week (tests/catalog/kpi_week.py), checked figure by figure, on
SQLite and PostgreSQL alike (the ``db_session`` fixture runs each test on both)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from kpi_week import DELAYS, END, FILL_SECONDS, NOW, START, Week, build_week
from sqlalchemy.orm import Session

from catalog.errors import InvalidValueError, NotFoundError
from catalog.kpis import KINDS, SiteKpis, kpi_report, site_kpis, van_kpis, visit_arrivals
from catalog.settings import CirculationSettings


@pytest.fixture
def week(db_session: Session) -> Week:
    return build_week(db_session)


def _by_code(session: Session, settings: CirculationSettings | None = None) -> dict[str, SiteKpis]:
    rows = site_kpis(session, start=START, end=END, now=NOW, settings=settings)
    return {row.site_code: row for row in rows}


def test_circulation_per_site(db_session: Session, week: Week) -> None:
    sites = _by_code(db_session)
    assert list(sites) == ["central", "east", "kiosk", "west"]
    central, west, kiosk = sites["central"], sites["west"], sites["kiosk"]
    # Loans in the week: A at central, B at west, C at the kiosk (X was lent on the Sunday
    # before, so it is not a loan of the week, but its return on Monday is).
    assert (central.loans, west.loans, kiosk.loans) == (1, 1, 1)
    # Returns: X at central (lent there); A and B at west, A lent at central.
    assert (central.returns, central.returns_from_elsewhere) == (1, 0)
    assert (west.returns, west.returns_from_elsewhere) == (2, 1)
    assert west.away_share == 0.5
    assert central.returned_elsewhere == 1
    assert kiosk.away_share is None


def test_holds_fill_time_and_promise(db_session: Session, week: Week) -> None:
    east = _by_code(db_session)["east"]
    assert (east.holds_placed, east.holds_filled) == (3, 3)
    low, middle, high = FILL_SECONDS
    assert (low, middle, high) == (85_320, 168_060, 173_400)
    assert east.fill_median_s == middle
    assert east.fill_p90_s == pytest.approx(middle + 0.8 * (high - middle))
    assert east.fill_p90_s == pytest.approx(172_332)
    # H1 was expected on Wednesday and came on Thursday; H2 and H3 came on their day.
    assert (east.holds_with_expected, east.holds_on_time) == (3, 2)
    assert east.on_time_rate == pytest.approx(2 / 3)


def test_transfers_sent_received_and_lost(db_session: Session, week: Week) -> None:
    sites = _by_code(db_session)
    central, east, west, kiosk = (sites[c] for c in ("central", "east", "west", "kiosk"))
    assert list(central.sent) == list(KINDS)
    assert central.sent == {"hold": 3, "return_home": 0, "new_stock": 1, "rebalance": 0}
    assert central.received["return_home"] == 1
    assert west.sent["return_home"] == 1
    assert east.received["hold"] == 3
    assert sum(kiosk.received.values()) == 0
    # N has been in V2 since Tuesday 09:00: not lost after 14 days, lost after 2.
    assert central.lost_in_transit == 0
    two_days = _by_code(db_session, settings=CirculationSettings(lost_after_days=2))
    assert two_days["central"].lost_in_transit == 1
    # Asked on Thursday morning, two days had not passed yet.
    early = site_kpis(
        db_session,
        start=START,
        end=END,
        settings=CirculationSettings(lost_after_days=2),
        now=datetime(2026, 11, 26, 8, 0),
    )
    assert {r.site_code: r.lost_in_transit for r in early}["central"] == 0


def test_visits_and_crates_per_visit(db_session: Session, week: Week) -> None:
    sites = _by_code(db_session)
    # central: Tue pickup, Wed delivery, Thu pickup; east: Thu delivery and an empty pickup
    # in the same visit; the superseded Wednesday plan counts for nothing.
    assert (sites["central"].visits, sites["central"].crates_handled) == (3, 3)
    assert sites["central"].crates_per_visit == 1.0
    assert (sites["east"].visits, sites["east"].crates_handled) == (1, 1)
    assert (sites["west"].visits, sites["kiosk"].visits) == (1, 1)


def test_vans(db_session: Session, week: Week) -> None:
    v1, v2 = van_kpis(db_session, start=START, end=END)
    assert (v1.van_code, v1.routes, v1.distance_m, v1.duration_s) == ("V1", 2, 13_000, 16_200)
    assert (v1.km, v1.hours) == (13.0, 4.5)
    assert (v1.crates, v1.capacity_crates, v1.peak_load) == (2, 40, 1)
    assert v1.utilisation == pytest.approx(2 / 80)
    assert v1.peak_load_share == pytest.approx(1 / 40)
    # Wed: west, central; Thu: central, east (a delivery and a pickup, one visit).
    assert (v1.visits, v1.scanned_visits, v1.unscanned_visits) == (4, 4, 0)
    assert v1.delay_median_s == (DELAYS[1] + DELAYS[2]) / 2
    assert v1.delay_p90_s == pytest.approx(DELAYS[2] + 0.7 * (DELAYS[3] - DELAYS[2]))
    # V2: only Tuesday's route (Wednesday's was superseded); not in the fleet.
    assert (v2.van_code, v2.routes, v2.distance_m, v2.crates) == ("V2", 1, 8000, 1)
    assert (v2.capacity_crates, v2.utilisation, v2.peak_load_share) == (None, None, None)
    assert (v2.visits, v2.scanned_visits, v2.delay_median_s, v2.delay_p90_s) == (2, 1, 0, 0)


def test_visit_arrivals(db_session: Session, week: Week) -> None:
    rows = visit_arrivals(db_session, start=START, end=END)
    seen = [
        (r.day.day, r.van_code, r.visit, r.position, r.site_code, r.steps, r.crates, r.delay_s)
        for r in rows
    ]
    assert seen == [
        (24, "V2", 1, 1, "central", 1, 1, 0),
        (24, "V2", 2, 2, "kiosk", 1, 1, None),  # N never arrived: no scan
        (25, "V1", 1, 1, "west", 1, 1, 720),
        (25, "V1", 2, 2, "central", 1, 1, -300),
        (26, "V1", 1, 1, "central", 1, 1, 300),
        (26, "V1", 2, 2, "east", 2, 1, 600),  # the delivery and the empty pickup
    ]
    assert rows[2].planned == datetime(2026, 11, 25, 10, 0)
    assert rows[2].actual == datetime(2026, 11, 25, 10, 12)
    east = visit_arrivals(db_session, start=START, end=END, site_code="east")
    assert [(r.day.day, r.position) for r in east] == [(26, 2)]


def test_one_site_and_one_day(db_session: Session, week: Week) -> None:
    (east,) = site_kpis(db_session, start=START, end=END, site_code="east", now=NOW)
    assert east.site_code == "east"
    thursday = date(2026, 11, 26)
    report = kpi_report(db_session, start=thursday, end=thursday, now=NOW)
    assert [v.van_code for v in report.vans] == ["V1"]
    central = next(s for s in report.sites if s.site_code == "central")
    assert (central.loans, central.sent["hold"], central.visits) == (0, 3, 1)
    assert report.lost_after_days == CirculationSettings().lost_after_days


def test_refusals(db_session: Session, week: Week) -> None:
    with pytest.raises(InvalidValueError) as info:
        site_kpis(db_session, start=END, end=START)
    assert info.value.field == "from"
    with pytest.raises(NotFoundError) as missing:
        kpi_report(db_session, start=START, end=END, site_code="nowhere")
    assert missing.value.field == "site"
    with pytest.raises(InvalidValueError):
        van_kpis(db_session, start=datetime(2026, 11, 23), end=END)


def test_the_whole_calendar_is_a_period_too(db_session: Session, week: Week) -> None:
    whole = kpi_report(db_session, start=date(1, 1, 1), end=date(9999, 12, 30), now=NOW)
    week_only = kpi_report(db_session, start=START, end=END, now=NOW)
    # Everything of the week, plus Sunday's loan of X before it.
    assert whole.vans == week_only.vans and whole.visits == week_only.visits
    loans = {s.site_code: s.loans for s in whole.sites}
    assert loans == {"central": 2, "east": 0, "kiosk": 1, "west": 1}
    with pytest.raises(InvalidValueError) as last:
        site_kpis(db_session, start=START, end=date(9999, 12, 31))
    assert last.value.field == "to"
