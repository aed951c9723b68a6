"""POST /plans/{id}/accept: a re-plan is a proposal until a dispatcher accepts it; then it
supersedes its parent and the transfers follow its stops (``plan_edit_seed``'s day)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from plan_edit_seed import plan_today, work
from service_seed import bearer
from sqlalchemy import select

from catalog.clock import library_today
from catalog.db import session_factory
from catalog.models import PlanStepType, Transfer

EAST_TO_CENTRAL = "t-rebalance-east-central"


@pytest.fixture
def plan_id(app: FastAPI) -> int:
    return plan_today(app.state.services.engine)


@pytest.fixture
def client(app: FastAPI, plan_id: int) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def _where(app: FastAPI) -> dict[str, tuple[str | None, int | None]]:
    """Each transfer's van and stop, by its shipment."""
    with session_factory(app.state.services.engine)() as session:
        return {t.shipment_id: (t.van_id, t.stop) for t in session.scalars(select(Transfer))}


def _replanned(client: TestClient, app: FastAPI, plan_id: int) -> int:
    """Move E1's pickup (and its delivery along) to van-2, lock it, re-plan, do the job."""
    plan = client.get(f"/plans/{plan_id}", headers=bearer("dispatcher")).json()
    pickup = next(
        s["id"]
        for r in plan["routes"]
        for s in r["stops"]
        if s["type"] == PlanStepType.pickup and EAST_TO_CENTRAL in s["shipment_ids"]
    )
    moved = client.post(
        f"/plans/{plan_id}/moves",
        json={"stop_id": pickup, "van": "van-2", "position": 0, "version": plan["version"]},
        headers=bearer("dispatcher"),
    )
    assert moved.status_code == 200, moved.text
    locked = client.post(
        f"/plans/{plan_id}/locks",
        json={"stop_ids": [pickup], "version": moved.json()["version"]},
        headers=bearer("dispatcher"),
    )
    assert locked.status_code == 200, locked.text
    job = client.post(f"/plans/{plan_id}/replan", json={"time_limit": 3}, headers=bearer("admin"))
    assert job.status_code == 202, job.text
    assert work(app.state.services.engine) == job.json()["id"]
    return int(job.json()["id"])


def test_a_replan_waits_for_acceptance_then_the_transfers_follow_it(
    app: FastAPI, client: TestClient, plan_id: int
) -> None:
    new = _replanned(client, app, plan_id)
    # the edit moved E1's transfer onto van-2 at once (the plan in force was edited)
    assert _where(app)[EAST_TO_CENTRAL][0] == "van-2"
    proposal = client.get(f"/plans/{new}", headers=bearer("planner")).json()
    assert (proposal["status"], proposal["awaiting_acceptance"]) == ("done", True)
    listed = client.get(f"/plans?date={library_today()}", headers=bearer("planner")).json()
    assert [(p["id"], p["awaiting_acceptance"]) for p in listed["items"]] == [
        (new, True),
        (plan_id, False),
    ]
    parent = client.get(f"/plans/{plan_id}", headers=bearer("planner")).json()
    assert parent["superseded_by"] is None  # still the plan in force
    before = _where(app)
    # the driver's route still comes from the parent
    route = client.get(f"/me/route?date={library_today()}", headers=bearer("driver"))
    assert route.status_code == 200 and route.json()["plan_id"] == plan_id

    accepted = client.post(f"/plans/{new}/accept", headers=bearer("dispatcher"))
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert (body["id"], body["awaiting_acceptance"], body["superseded_by"]) == (new, False, None)
    parent = client.get(f"/plans/{plan_id}", headers=bearer("planner")).json()
    assert parent["superseded_by"] == new
    stored = client.get(f"/plans/{new}", headers=bearer("planner")).json()
    pickups = {
        sid: (r["van"], s["position"])
        for r in stored["routes"]
        for s in r["stops"]
        if s["type"] == "pickup"
        for sid in s["shipment_ids"]
    }
    after = _where(app)
    assert set(after) == set(before)
    for shipment, where in after.items():
        assert where == pickups[shipment]  # each transfer on its stop of the accepted plan
    assert after[EAST_TO_CENTRAL][0] == "van-2"  # the lock held
    (kept,) = [
        s
        for r in stored["routes"]
        for s in r["stops"]
        if s["type"] == "pickup" and EAST_TO_CENTRAL in s["shipment_ids"]
    ]
    assert kept["locked"]  # shown locked in the re-plan too
    route = client.get(f"/me/route?date={library_today()}", headers=bearer("driver"))
    assert route.json()["plan_id"] == new


def test_accepting_twice_or_a_plan_that_is_no_replan_is_409(
    app: FastAPI, client: TestClient, plan_id: int
) -> None:
    first = client.post(f"/plans/{plan_id}/accept", headers=bearer("dispatcher"))
    assert first.status_code == 409 and "not a re-plan" in first.json()["detail"]
    new = _replanned(client, app, plan_id)
    assert client.post(f"/plans/{new}/accept", headers=bearer("admin")).status_code == 200
    again = client.post(f"/plans/{new}/accept", headers=bearer("dispatcher"))
    assert again.status_code == 409 and "already accepted" in again.json()["detail"]
    missing = client.post("/plans/999/accept", headers=bearer("dispatcher"))
    assert missing.status_code == 404


@pytest.mark.parametrize("who", ["planner", "driver", "desk.east"])
def test_only_dispatchers_and_admins_accept(client: TestClient, plan_id: int, who: str) -> None:
    response = client.post(f"/plans/{plan_id}/accept", headers=bearer(who))
    assert response.status_code == 403
