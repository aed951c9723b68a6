"""Sites: creation checks, GCJ-02 at the edge, opening hours with lunch, holidays, van days."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from catalog_network import Network
from sqlalchemy.orm import Session

from catalog.errors import CirculationError, InvalidValueError, NotFoundError, SiteClosedError
from catalog.models import SiteKind
from catalog.sites import (
    create_site,
    get_site,
    is_open_on,
    list_sites,
    next_open_at,
    open_intervals,
    require_open,
    van_calls_on,
    working_day,
)
from catalog.travel import MatrixTravelTimes

H = 3600
BELL_TOWER_WGS84 = (108.94236, 34.26109)  # 钟楼, Xi'an


def new_site(session: Session, **changes: Any) -> Any:
    args: dict[str, Any] = {
        "code": "SP99",
        "kind": "service_point",
        "name_zh": "测试服务点",
        "name_en": "Test point",
        "lon": 108.95,
        "lat": 34.25,
    }
    return create_site(session, **(args | changes))


def test_a_site_keeps_its_hours_holidays_and_van_days(db_session: Session) -> None:
    site = new_site(
        db_session,
        opening_hours={0: [(14 * H, 18 * H), (9 * H, 12 * H)]},
        closed_dates=[date(2026, 10, 1)],
        van_weekdays=[4, 0],
    )
    assert site.kind is SiteKind.service_point
    assert open_intervals(site, date(2026, 11, 23)) == [(9 * H, 12 * H), (14 * H, 18 * H)]
    assert site.van_weekdays == frozenset({0, 4})
    assert get_site(db_session, "SP99") is site


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": " "}, "code"),  # empty code
        ({"kind": "library"}, "kind"),  # not central / branch / service_point
        ({"lon": 200.0}, "lon"),
        ({"lat": -91.0}, "lat"),
        ({"crs": "bd09"}, "crs"),  # Baidu coordinates are not accepted
        ({"opening_hours": {7: [(9 * H, 10 * H)]}}, "opening_hours.weekday"),
        ({"opening_hours": {0: [(18 * H, 9 * H)]}}, "opening_hours[0]"),  # closes before opening
        ({"opening_hours": {0: [(9 * H, 13 * H), (12 * H, 18 * H)]}}, "opening_hours[0]"),
        ({"van_weekdays": [1, 9]}, "van_weekdays"),
    ],
)
def test_bad_site_input_is_refused_naming_the_field(
    db_session: Session, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValueError) as raised:
        new_site(db_session, **changes)
    assert raised.value.field == field


def test_a_site_code_is_unique(db_session: Session) -> None:
    new_site(db_session)
    with pytest.raises(InvalidValueError, match="exists"):
        new_site(db_session)


def test_gcj02_coordinates_are_stored_as_wgs84(db_session: Session) -> None:
    from geo.coords import wgs84_to_gcj02

    gcj_lon, gcj_lat = wgs84_to_gcj02(*BELL_TOWER_WGS84)
    site = new_site(db_session, lon=float(gcj_lon), lat=float(gcj_lat), crs="gcj02")
    assert (site.lon, site.lat) == pytest.approx(BELL_TOWER_WGS84, abs=1e-7)
    assert abs(float(gcj_lon) - BELL_TOWER_WGS84[0]) > 1e-3  # the offset is real  # type: ignore[arg-type]


def test_unknown_site_code_names_the_field(db_session: Session) -> None:
    with pytest.raises(NotFoundError) as raised:
        get_site(db_session, "nowhere", field="pickup_site_code")
    assert (raised.value.field, raised.value.value) == ("pickup_site_code", "nowhere")


def test_a_closed_date_and_a_weekday_without_hours_close_the_site(net: Network) -> None:
    west, east = net.sites["west"], net.sites["east"]
    assert not is_open_on(west, date(2026, 12, 2))  # holiday
    assert not van_calls_on(west, date(2026, 12, 2))  # no van on a closed day
    assert not is_open_on(east, date(2026, 11, 23))  # east is closed on Mondays
    with pytest.raises(SiteClosedError, match="2026-11-23") as raised:
        require_open(east, date(2026, 11, 23))
    assert isinstance(raised.value, CirculationError) and raised.value.value == "east"


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (datetime(2026, 11, 24, 8, 0), datetime(2026, 11, 24, 9, 0)),  # before opening
        (datetime(2026, 11, 24, 10, 0), datetime(2026, 11, 24, 10, 0)),  # open now
        (datetime(2026, 11, 24, 12, 30), datetime(2026, 11, 24, 14, 0)),  # lunch closure
        (datetime(2026, 11, 29, 19, 0), datetime(2026, 12, 1, 9, 0)),  # Sunday night → Tuesday
    ],
)
def test_next_opening_respects_lunch_closures_and_closed_days(
    net: Network, after: datetime, expected: datetime
) -> None:
    assert next_open_at(net.sites["east"], after) == expected


def test_working_days_skip_days_the_site_is_closed(net: Network) -> None:
    # Counting from Saturday 28 November: Sunday 29, (Monday closed), Tuesday 1 December.
    assert working_day(net.sites["east"], date(2026, 11, 28), 2) == date(2026, 12, 1)
    assert working_day(net.sites["east"], date(2026, 11, 28), 0) == date(2026, 11, 28)


def test_travel_matrix_answers_pairs_and_refuses_missing_ones() -> None:
    travel = MatrixTravelTimes({(1, 2): 300}, symmetric=True)
    assert (travel.seconds(1, 2), travel.seconds(2, 1), travel.seconds(3, 3)) == (300, 300, 0)
    with pytest.raises(NotFoundError, match=r"\(1, 3\)"):
        travel.seconds(1, 3)
    assert MatrixTravelTimes({(1, 2): 300}).seconds(1, 2) == 300
    with pytest.raises(NotFoundError):
        MatrixTravelTimes({(1, 2): 300}).seconds(2, 1)
    with pytest.raises(InvalidValueError, match="whole number"):
        MatrixTravelTimes({(1, 2): 12.5})  # type: ignore[dict-item]


def test_sites_are_listed_by_code_with_the_total(net: Network) -> None:
    page, total = list_sites(net.session, limit=2, offset=1)
    assert ([s.code for s in page], total) == (["east", "kiosk"], 4)


@pytest.mark.parametrize(("limit", "offset", "field"), [(0, 0, "limit"), (10, -1, "offset")])
def test_a_page_out_of_range_is_refused(net: Network, limit: int, offset: int, field: str) -> None:
    with pytest.raises(InvalidValueError) as error:
        list_sites(net.session, limit=limit, offset=offset)
    assert error.value.field == field
