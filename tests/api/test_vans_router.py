"""The fleet's routes: vans added and changed by dispatchers and admins (a stale change is a 409
saying to reload), read by planners; drivers and their vans; 401 and 403 on every route."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_seed import bearer, expired

H = 3600
VAN = {
    "code": "van-9",
    "name": "东线小货车",
    "depot_code": "central",
    "capacity_crates": 40,
    "capacity_kg": 600,
    "shift_start_s": 8 * H,
    "shift_end_s": 17 * H,
    "break_start_s": 11 * H,
    "break_end_s": 13 * H,
    "break_s": 45 * 60,
    "cost_per_km": 2.0,
    "driver_username": "driver",
}


def add(client: TestClient, **changes: Any) -> dict[str, Any]:
    response = client.post("/vans", json={**VAN, **changes}, headers=bearer("dispatcher"))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_van_is_added_read_and_stamped_with_who(client: TestClient) -> None:
    van = add(client)
    assert van["code"] == "van-9" and van["driver_username"] == "driver"
    assert van["version"] == 1 and van["updated_by"] == "dispatcher"
    assert client.get("/vans/van-9", headers=bearer("planner")).json() == van
    page = client.get("/vans", headers=bearer("planner")).json()
    assert page["total"] == 1 and page["items"] == [van]
    drivers = client.get("/drivers", headers=bearer("planner")).json()
    assert drivers["items"] == [{"username": "driver", "active": True, "van": "van-9"}]


def test_a_change_on_the_version_read_is_kept_and_a_stale_one_refused(client: TestClient) -> None:
    van = add(client)
    changed = client.patch(
        "/vans/van-9",
        json={"version": van["version"], "capacity_crates": 30, "driver_username": None},
        headers=bearer("admin"),
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["capacity_crates"], body["driver_username"], body["version"]) == (30, None, 2)
    assert body["updated_by"] == "admin" and body["capacity_kg"] == 600  # the rest kept
    stale = client.patch(
        "/vans/van-9", json={"version": 1, "capacity_kg": 500}, headers=bearer("dispatcher")
    )
    assert stale.status_code == 409 and "reload" in stale.json()["detail"]
    assert client.get("/vans/van-9", headers=bearer("planner")).json()["capacity_kg"] == 600


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"depot_code": "nowhere"}, 404, "depot_code"),  # no such site
        ({"driver_username": "planner"}, 422, "driver_username"),  # not a driver
        ({"shift_end_s": 7 * H}, 422, "shift_end_s"),  # ends before it starts
        ({"capacity_crates": 0}, 422, "capacity_crates"),
        ({"colour": "red"}, 422, "colour"),  # not a field of a van
    ],
)
def test_a_bad_van_is_refused_naming_the_field(
    client: TestClient, changes: dict[str, Any], status: int, field: str
) -> None:
    response = client.post("/vans", json={**VAN, **changes}, headers=bearer("dispatcher"))
    assert response.status_code == status, response.text
    assert field in response.text


def test_a_taken_code_or_driver_is_a_conflict(client: TestClient) -> None:
    add(client)
    assert client.post("/vans", json=VAN, headers=bearer("admin")).status_code == 409
    other = client.post(
        "/vans", json={**VAN, "code": "van-10"}, headers=bearer("admin")
    )  # the driver already drives van-9
    assert other.status_code == 409 and "van-9" in other.json()["detail"]
    assert client.get("/vans/van-77", headers=bearer("planner")).status_code == 404


ROUTES = [
    ("GET", "/vans"),
    ("GET", "/vans/van-1"),
    ("POST", "/vans"),
    ("PATCH", "/vans/van-1"),
    ("GET", "/drivers"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_fleet_route_needs_a_valid_token(client: TestClient, method: str, path: str) -> None:
    assert client.request(method, path, json={}).status_code == 401
    assert client.request(method, path, json={}, headers=expired("admin")).status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "users"),
    [
        ("GET", "/vans", ("driver", "desk.east")),
        ("GET", "/vans/van-1", ("driver", "desk.east")),
        ("POST", "/vans", ("planner", "driver", "desk.west")),
        ("PATCH", "/vans/van-1", ("planner", "driver", "desk.west")),
        ("GET", "/drivers", ("driver", "desk.east")),
    ],
)
def test_every_fleet_route_refuses_the_wrong_roles(
    client: TestClient, method: str, path: str, users: tuple[str, ...]
) -> None:
    body = VAN if method == "POST" else {"version": 1} if method == "PATCH" else None
    for user in users:
        response = client.request(method, path, json=body, headers=bearer(user))
        assert response.status_code == 403, (user, response.text)
