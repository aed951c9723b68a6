"""A driver scans only at the stops of their van's route in today's plan (``api.deps``).

Today's plan has one van, ``van-1`` driven by ``driver``, carrying alice's hold copy W1 from
west to east: its route stops at central (the depot), west and east. A fourth site, north,
has nothing to move and is not on the route.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from plan_edit_seed import work
from service_seed import CARDS, H, Seed, bearer

from api.deps import route_sites
from catalog.clock import library_now, library_today
from catalog.db import session_factory
from catalog.fleet import VanSpec, create_van
from catalog.models import SiteKind, User
from catalog.plans import enqueue
from catalog.sites import create_site


def _scan(client: TestClient, step: str, barcode: str, site: str, user: str = "driver"):
    return client.post(
        f"/transfers/{step}", json={"barcode": barcode, "site_code": site}, headers=bearer(user)
    )


@pytest.fixture
def client(app: FastAPI, seeded: Seed) -> Iterator[TestClient]:
    engine = app.state.services.engine
    with session_factory(engine)() as session:
        create_site(
            session,
            code="north",
            kind=SiteKind.service_point,
            name_zh="北门服务点",
            name_en="North Gate Service Point",
            lon=108.9450,
            lat=34.2700,
            opening_hours={d: [(8 * H, 20 * H)] for d in range(7)},
            van_weekdays=range(7),
        )
        spec = VanSpec("central", 40, 600, 8 * H, 20 * H, cost_per_km=1.0, driver_username="driver")
        create_van(session, code="van-1", spec=spec, staff="admin")
        session.commit()
    with TestClient(app) as test_client:
        held = test_client.post(
            "/holds",
            json={
                "card_number": CARDS["alice"],
                "record_id": seeded.to_live,
                "pickup_site_code": "east",
            },
            headers=bearer("desk.east"),
        )
        assert held.status_code == 201, held.text
        now = library_now()
        with session_factory(engine)() as session:
            enqueue(session, day=now.date(), time_limit=5, staff="dispatcher", now=now)
            session.commit()
        work(engine)
        yield test_client


def test_the_drivers_route_today_stops_at_the_depot_and_the_copys_two_sites(
    app: FastAPI, client: TestClient
) -> None:
    with app.state.services.sessions() as session:
        driver = session.query(User).filter_by(username="driver").one()
        van, sites = route_sites(session, driver, library_today())
    assert (van, sites) == ("van-1", ["central", "west", "east"])


def test_a_driver_scans_at_the_stops_of_their_route(client: TestClient) -> None:
    picked = _scan(client, "pickup", "W1", "west")
    assert picked.status_code == 200, picked.text
    dropped = _scan(client, "drop", "W1", "east")
    assert dropped.status_code == 200, dropped.text
    assert dropped.json()["status"] == "delivered"


@pytest.mark.parametrize("step", ["pickup", "drop"])
def test_a_scan_off_the_route_is_403_naming_the_site_and_the_stops(
    client: TestClient, step: str
) -> None:
    response = _scan(client, step, "W1", "north")
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert detail.startswith("无权限 / forbidden: ")
    assert "site_code='north'" in detail and "'van-1'" in detail
    assert "stops at central, west, east" in detail
    item = client.get("/items/W1", headers=bearer("admin")).json()
    assert (item["status"], item["current_site_code"]) == ("available", "west")


def test_a_crate_scan_off_the_route_is_refused_the_same_way(client: TestClient) -> None:
    packed = client.post(
        "/crates/pack", json={"barcode": "W1", "site_code": "west"}, headers=bearer("desk.west")
    )
    assert packed.status_code == 200, packed.text
    code = packed.json()["crate_id"]
    refused = client.post(
        f"/crates/{code}/pickup", json={"site_code": "north"}, headers=bearer("driver")
    )
    assert refused.status_code == 403 and "stops at central, west, east" in refused.json()["detail"]
    picked = client.post(
        f"/crates/{code}/pickup", json={"site_code": "west"}, headers=bearer("driver")
    )
    assert picked.status_code == 200, picked.text
