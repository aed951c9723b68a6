"""The fleet: vans with their depot, capacity, shift and break; drivers; stale edits refused."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from catalog_network import MONDAY, Network
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from catalog.db import create_engine, upgrade, write_with_retries
from catalog.errors import CirculationError, ConflictError, NotFoundError
from catalog.fleet import VanSpec, create_van, get_van, list_vans, update_van, van_of_driver
from catalog.models import Site, SiteKind
from catalog.users import create_user

H = 3600
SPEC = VanSpec(
    depot_code="central",
    capacity_crates=40,
    capacity_kg=600,
    shift_start_s=8 * H,
    shift_end_s=17 * H,
    break_start_s=11 * H,
    break_end_s=13 * H,
    break_s=45 * 60,
    cost_per_km=2.0,
    cost_per_hour=60.0,
    fixed_cost=150.0,
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database whose commits are real (two sessions see each other's work)."""
    if request.param == "postgresql":
        yield request.getfixturevalue("fresh_postgres_engine")
        return
    engine = create_engine(f"sqlite:///{tmp_path / 'fleet.sqlite'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def _driver(net: Network, name: str = "wang.driver") -> str:
    create_user(net.session, username=name, password="long enough pw", role="driver")
    return name


def test_a_van_is_stored_with_its_depot_shift_break_and_driver(net: Network) -> None:
    driver = _driver(net)
    van = create_van(
        net.session,
        code="van-1",
        spec=dataclasses.replace(SPEC, driver_username=driver),
        staff="li.dispatch",
        now=MONDAY,
    )
    assert get_van(net.session, "van-1") is van
    assert (van.depot.code, van.capacity_crates, van.break_s) == ("central", 40, 2700)
    assert (van.version, van.updated_at, van.updated_by) == (1, MONDAY, "li.dispatch")
    assert van_of_driver(net.session, driver) is van
    assert van_of_driver(net.session, "nobody") is None


@pytest.mark.parametrize(
    ("changes", "field", "value"),
    [
        ({"capacity_crates": 0}, "capacity_crates", 0),
        ({"capacity_kg": -5}, "capacity_kg", -5),
        ({"shift_end_s": 7 * H}, "shift_end_s", 7 * H),
        ({"break_end_s": None}, "break_end_s", None),
        ({"break_start_s": 6 * H}, "break_start_s", 6 * H),
        ({"break_s": 0}, "break_s", 0),
        ({"cost_per_km": float("nan")}, "cost_per_km", float("nan")),
        ({"max_route_s": 0}, "max_route_s", 0),
        ({"depot_code": "mars"}, "depot_code", "mars"),
        ({"driver_username": "ghost"}, "username", "ghost"),
    ],
)
def test_bad_values_are_refused_naming_the_field(
    net: Network, changes: dict[str, object], field: str, value: object
) -> None:
    with pytest.raises(CirculationError) as caught:
        create_van(net.session, code="van-1", spec=dataclasses.replace(SPEC, **changes), staff="x")
    assert caught.value.field == field
    if value == value:  # NaN is not equal to itself
        assert caught.value.value == value


def test_codes_are_unique_and_checked(net: Network) -> None:
    create_van(net.session, code="van-1", spec=SPEC, staff="x")
    with pytest.raises(ConflictError, match="exists"):
        create_van(net.session, code="van-1", spec=SPEC, staff="x")
    with pytest.raises(CirculationError) as caught:
        create_van(net.session, code=" van-2", spec=SPEC, staff="x")
    assert caught.value.field == "code"
    with pytest.raises(NotFoundError):
        get_van(net.session, "van-9")


def test_only_a_driver_account_drives_and_one_van_each(net: Network) -> None:
    create_user(net.session, username="li.dispatch", password="long enough pw", role="dispatcher")
    with pytest.raises(CirculationError, match="not a driver"):
        create_van(
            net.session,
            code="van-1",
            spec=dataclasses.replace(SPEC, driver_username="li.dispatch"),
            staff="x",
        )
    driver = _driver(net)
    create_van(
        net.session, code="van-1", spec=dataclasses.replace(SPEC, driver_username=driver), staff="x"
    )
    with pytest.raises(ConflictError, match="already drives van-1"):
        create_van(
            net.session,
            code="van-2",
            spec=dataclasses.replace(SPEC, driver_username=driver),
            staff="x",
        )


def test_an_edit_names_the_version_it_was_made_on(net: Network) -> None:
    create_van(net.session, code="van-1", spec=SPEC, staff="x", now=MONDAY)
    van = update_van(net.session, "van-1", version=1, changes={"capacity_crates": 30}, staff="zhao")
    assert (van.capacity_crates, van.version, van.updated_by) == (30, 2, "zhao")
    with pytest.raises(ConflictError, match="version 2"):
        update_van(net.session, "van-1", version=1, changes={"capacity_crates": 20}, staff="qian")
    with pytest.raises(CirculationError) as caught:
        update_van(net.session, "van-1", version=2, changes={"wheels": 6}, staff="qian")
    assert caught.value.field == "wheels"
    assert get_van(net.session, "van-1").capacity_crates == 30


def test_lists_page_by_code_and_filter_active(net: Network) -> None:
    for code in ("van-3", "van-1", "van-2"):
        create_van(net.session, code=code, spec=SPEC, staff="x")
    update_van(net.session, "van-2", version=1, changes={"active": False}, staff="x")
    vans, total = list_vans(net.session, limit=2)
    assert ([v.code for v in vans], total) == (["van-1", "van-2"], 3)
    active, total_active = list_vans(net.session, active=True)
    assert ([v.code for v in active], total_active) == (["van-1", "van-3"], 2)


def test_two_sessions_editing_one_van_get_one_success_and_one_conflict(
    fresh_engine: Engine,
) -> None:
    with Session(fresh_engine) as setup:
        setup.add(
            Site(code="central", kind=SiteKind.central, name_zh="总馆", name_en="C", lon=0, lat=0)
        )
        setup.flush()
        create_van(setup, code="van-1", spec=SPEC, staff="x")
        setup.commit()
    first, second = Session(fresh_engine), Session(fresh_engine)
    try:
        a = get_van(first, "van-1")
        b = get_van(second, "van-1")
        assert a.version == b.version == 1
        update_van(first, "van-1", version=1, changes={"capacity_crates": 30}, staff="zhao")
        first.commit()
        with pytest.raises(ConflictError, match=r"just now|version 2"):
            write_with_retries(
                second,
                lambda: update_van(
                    second, "van-1", version=1, changes={"capacity_crates": 20}, staff="qian"
                ),
            )
    finally:
        first.close()
        second.close()
    with Session(fresh_engine) as check:
        assert get_van(check, "van-1").capacity_crates == 30
