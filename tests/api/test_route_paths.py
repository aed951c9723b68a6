"""GET /ui/data/plans/{id}/paths.geojson: each van's route along the Beilin streets, from
stop to stop, for the console's map; plan readers only."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from plan_edit_seed import plan_today
from service_seed import bearer

from geo import haversine_m


@pytest.fixture
def plan_id(app: FastAPI) -> int:
    return plan_today(app.state.services.engine)


@pytest.fixture
def client(app: FastAPI, plan_id: int) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def test_each_route_follows_the_streets_from_stop_to_stop(client: TestClient, plan_id: int) -> None:
    plan = client.get(f"/plans/{plan_id}", headers=bearer("dispatcher")).json()
    sites = {s["code"]: s for s in client.get("/sites", headers=bearer("admin")).json()["items"]}
    response = client.get(f"/ui/data/plans/{plan_id}/paths.geojson", headers=bearer("planner"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["plan_id"] == plan_id
    assert [f["properties"]["van"] for f in body["features"]] == [r["van"] for r in plan["routes"]]
    for feature, route in zip(body["features"], plan["routes"], strict=True):
        line = feature["geometry"]["coordinates"]
        stops = [sites[s["site_code"]] for s in route["stops"] if s["site_code"]]
        # more points than stops: the streets' bends, not straight lines between the sites
        assert len(line) > len({s["code"] for s in stops})
        # it starts and ends at the depot's street, within the snapping distance
        for end, site in ((line[0], stops[0]), (line[-1], stops[-1])):
            assert haversine_m(end[0], end[1], site["lon"], site["lat"]) < 500
        # and passes by every stop's street on the way
        for site in stops:
            nearest = min(haversine_m(x, y, site["lon"], site["lat"]) for x, y in line)
            assert nearest < 500, site["code"]
        # legs are streets, not jumps: no two points more than ~1 km apart
        assert all(haversine_m(*a, *b) < 1500 for a, b in itertools.pairwise(line))


@pytest.mark.parametrize(("who", "status"), [("driver", 403), ("desk.east", 403)])
def test_only_plan_readers_get_the_paths(
    client: TestClient, plan_id: int, who: str, status: int
) -> None:
    response = client.get(f"/ui/data/plans/{plan_id}/paths.geojson", headers=bearer(who))
    assert response.status_code == status


def test_no_such_plan_is_404(client: TestClient, plan_id: int) -> None:
    response = client.get("/ui/data/plans/999/paths.geojson", headers=bearer("dispatcher"))
    assert response.status_code == 404
