"""GET /sites and /sites/{code}: any signed-in account reads the sites with their hours."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from service_seed import USERS, bearer, expired


def test_sites_are_listed_by_code_a_page_at_a_time(client: TestClient) -> None:
    page = client.get("/sites", params={"limit": 2, "offset": 1}, headers=bearer("driver")).json()
    assert [s["code"] for s in page["items"]] == ["east", "west"]
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 1)


def test_a_site_comes_with_its_opening_hours_and_van_days(client: TestClient) -> None:
    site = client.get("/sites/east", headers=bearer("desk.west")).json()
    assert site["name_zh"] == "东关分馆" and site["kind"] == "branch"
    assert site["opening_hours"][0] == {"weekday": 0, "open_s": 8 * 3600, "close_s": 20 * 3600}
    assert len(site["opening_hours"]) == 7 and site["van_weekdays"] == list(range(7))


def test_an_unknown_site_is_404_naming_it(client: TestClient) -> None:
    response = client.get("/sites/nowhere", headers=bearer("admin"))
    assert response.status_code == 404
    assert response.json() == {
        "detail": "未找到 / not found: code='nowhere': no such site",
        "field": "code",
        "value": "nowhere",
    }


@pytest.mark.parametrize("limit", [0, 201])
def test_a_page_out_of_range_is_422_naming_limit(client: TestClient, limit: int) -> None:
    response = client.get("/sites", params={"limit": limit}, headers=bearer("admin"))
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["loc"], error["input"]) == (["query", "limit"], str(limit))


@pytest.mark.parametrize("username", sorted(USERS))
def test_every_role_may_read_the_sites(client: TestClient, username: str) -> None:
    assert client.get("/sites", headers=bearer(username)).status_code == 200


@pytest.mark.parametrize("path", ["/sites", "/sites/east"])
def test_sites_need_a_valid_token(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401
    assert client.get(path, headers=expired("admin")).status_code == 401
