"""POST /plans/{id}/moves, /locks, /replan; GET /plans/{id}/check, /diff (``plan_edit_seed``).

Today's plan puts the three copies on van-1: C1 picked up at central, W1 at west (C1 is
delivered there), W1 delivered at east where E1 is picked up, E1 delivered at central.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from plan_edit_seed import plan_today, work
from service_seed import bearer, expired

from catalog.db import session_factory
from catalog.models import PlanStepType
from catalog.plans import get_plan

EAST_TO_CENTRAL = "t-rebalance-east-central"


@pytest.fixture
def plan_id(app: FastAPI) -> int:
    return plan_today(app.state.services.engine)


@pytest.fixture
def client(app: FastAPI, plan_id: int) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def _stored(app: FastAPI, plan_id: int) -> Any:
    with session_factory(app.state.services.engine)() as session:
        return get_plan(session, plan_id)


def _stop(app: FastAPI, plan_id: int, type: PlanStepType, shipment: str) -> int:
    plan = _stored(app, plan_id)
    return next(
        s.id for r in plan.routes for s in r.stops if s.type == type and shipment in s.shipment_ids
    )


def test_a_dispatcher_moves_a_stop_to_another_van(
    app: FastAPI, client: TestClient, plan_id: int
) -> None:
    version = _stored(app, plan_id).version
    pickup = _stop(app, plan_id, PlanStepType.pickup, EAST_TO_CENTRAL)
    delivery = _stop(app, plan_id, PlanStepType.delivery, EAST_TO_CENTRAL)
    response = client.post(
        f"/plans/{plan_id}/moves",
        json={"stop_id": pickup, "van": "van-2", "position": 0, "version": version},
        headers=bearer("dispatcher"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["plan_id"], body["version"]) == (plan_id, version + 1)
    assert body["moved_along"] == [delivery]  # the delivery went whole, with its id
    assert "van-2" in body["notes"][0]
    assert body["check"]["ok"] is True
    van_2 = next(r for r in _stored(app, plan_id).routes if r.van_code == "van-2")
    assert [s.id for s in van_2.stops][1:3] == [pickup, delivery]
    assert (van_2.driver_username, _stored(app, plan_id).updated_by) == ("driver", "dispatcher")


def test_an_edit_on_an_old_version_is_409_reload(
    app: FastAPI, client: TestClient, plan_id: int
) -> None:
    version = _stored(app, plan_id).version
    pickup = _stop(app, plan_id, PlanStepType.pickup, EAST_TO_CENTRAL)
    move = {"stop_id": pickup, "van": "van-2", "position": 0, "version": version}
    assert client.post(f"/plans/{plan_id}/moves", json=move, headers=bearer("admin")).is_success
    again = client.post(f"/plans/{plan_id}/moves", json=move, headers=bearer("dispatcher"))
    assert again.status_code == 409
    assert again.json()["field"] == "version" and "reload" in again.json()["detail"]


def test_a_move_that_breaks_rules_is_saved_and_checked(
    app: FastAPI, client: TestClient, plan_id: int
) -> None:
    delivery = _stop(app, plan_id, PlanStepType.delivery, EAST_TO_CENTRAL)
    version = _stored(app, plan_id).version
    body = client.post(
        f"/plans/{plan_id}/moves",
        json={"stop_id": delivery, "van": "van-1", "position": 0, "version": version},
        headers=bearer("dispatcher"),
    ).json()
    violation = {
        "kind": "precedence",
        "van": "van-1",
        "stop_id": delivery,
        "shipment": EAST_TO_CENTRAL,
        "message_zh": f"{EAST_TO_CENTRAL} 先送达后取件",
        "message_en": f"{EAST_TO_CENTRAL} is delivered before it is picked up",
    }
    assert body["check"]["ok"] is False and violation in body["check"]["violations"]
    check = client.get(f"/plans/{plan_id}/check", headers=bearer("planner")).json()
    assert violation in check["violations"] and check["version"] == version + 1


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"position": 9}, 422, "position"),  # van-1 has 5 other stops: 0 … 5
        ({"van": "van-9"}, 422, "van"),  # no such van
        ({"stop_id": 99_999}, 422, "stop_id"),  # no such stop in the plan
    ],
)
def test_a_move_naming_nothing_of_the_plan_is_refused(
    app: FastAPI, client: TestClient, plan_id: int, change: dict[str, Any], status: int, field: str
) -> None:
    move = {
        "stop_id": _stop(app, plan_id, PlanStepType.pickup, EAST_TO_CENTRAL),
        "van": "van-1",
        "position": 0,
        "version": _stored(app, plan_id).version,
    } | change
    response = client.post(f"/plans/{plan_id}/moves", json=move, headers=bearer("dispatcher"))
    assert response.status_code == status and response.json()["field"] == field


def test_an_unknown_plan_is_404(client: TestClient) -> None:
    response = client.get("/plans/9999/check", headers=bearer("dispatcher"))
    assert response.status_code == 404 and response.json()["field"] == "plan_id"


def test_locked_stops_go_into_the_replan_which_is_then_diffed(
    app: FastAPI, client: TestClient, plan_id: int
) -> None:
    pickup = _stop(app, plan_id, PlanStepType.pickup, EAST_TO_CENTRAL)
    delivery = _stop(app, plan_id, PlanStepType.delivery, EAST_TO_CENTRAL)
    locked = client.post(
        f"/plans/{plan_id}/locks",
        json={"stop_ids": [pickup, delivery], "version": _stored(app, plan_id).version},
        headers=bearer("dispatcher"),
    )
    assert locked.status_code == 200, locked.text
    response = client.post(
        f"/plans/{plan_id}/replan", json={"time_limit": 3}, headers=bearer("dispatcher")
    )
    assert response.status_code == 202, response.text
    job = response.json()
    assert (job["status"], job["parent_id"]) == ("queued", plan_id)
    assert response.headers["location"] == f"/plans/{job['id']}"
    stored = _stored(app, job["id"])
    assert stored.time_limit == 3.0
    assert stored.warm_start["locks"] == [
        {
            "van": "van-1",
            "visits": [
                {"shipment": EAST_TO_CENTRAL, "type": "pickup"},
                {"shipment": EAST_TO_CENTRAL, "type": "delivery"},
            ],
        }
    ]
    assert work(app.state.services.engine) == job["id"]  # a worker does the job
    diff = client.get(f"/plans/{job['id']}/diff", headers=bearer("planner"))
    assert diff.status_code == 200, diff.text
    body = diff.json()
    assert (body["plan_id"], body["against"]) == (job["id"], plan_id)
    assert body["total"]["distance_after"] == _stored(app, job["id"]).distance
    assert body["total"]["km_after"] == round(body["total"]["distance_after"] / 1000, 1)
    assert (body["newly_planned"], body["newly_unplanned"]) == ([], [])
    # a proposal until accepted; then the old plan is history: editing it is 409
    proposal = client.get(f"/plans/{job['id']}", headers=bearer("planner")).json()
    assert proposal["awaiting_acceptance"] and proposal["superseded_by"] is None
    accepted = client.post(f"/plans/{job['id']}/accept", headers=bearer("dispatcher"))
    assert accepted.status_code == 200, accepted.text
    assert not accepted.json()["awaiting_acceptance"]
    old = client.post(f"/plans/{plan_id}/replan", headers=bearer("dispatcher"))
    assert old.status_code == 409 and "superseded" in old.json()["detail"]


def test_once_a_van_carries_copies_only_the_rest_of_the_day_is_replanned(
    app: FastAPI, client: TestClient, plan_id: int
) -> None:
    """C1 picked up at central: a re-plan from the depot is 409; ``from_now`` plans the rest
    of the day from the van's last scan, keeping the worked pickup and dropping C1."""
    picked = client.post(
        "/transfers/pickup",
        json={"barcode": "C1", "site_code": "central"},
        headers=bearer("admin"),
    )
    assert picked.status_code == 200, picked.text
    c1 = picked.json()["id"]
    refused = client.post(f"/plans/{plan_id}/replan", json={}, headers=bearer("dispatcher"))
    assert refused.status_code == 409 and "on a van" in refused.json()["detail"]
    bad = client.post(
        f"/plans/{plan_id}/replan", json={"from_now": "soon"}, headers=bearer("dispatcher")
    )
    assert bad.status_code == 422 and "from_now" in bad.text
    response = client.post(
        f"/plans/{plan_id}/replan",
        json={"time_limit": 3, "from_now": True},
        headers=bearer("dispatcher"),
    )
    assert response.status_code == 202, response.text
    job = response.json()
    assert _stored(app, job["id"]).warm_start["rest_of_day"] == {"plan": plan_id}
    assert work(app.state.services.engine) == job["id"]
    plan = client.get(f"/plans/{job['id']}", headers=bearer("planner")).json()
    assert plan["status"] == "done", plan
    van = next(r for r in plan["routes"] if c1 in r["stops"][1]["transfer_ids"])
    worked = van["stops"][1]
    assert (worked["type"], worked["site_code"], worked["transfer_ids"]) == (
        "pickup",
        "central",
        [c1],
    )
    # C1 is dropped by this van later, or said to stay on board with a reason
    drops = [s for s in van["stops"][2:] if s["type"] == "delivery" and c1 in s["transfer_ids"]]
    left = [u for u in plan["unplanned"] if c1 in u["transfer_ids"]]
    assert len(drops) + len(left) == 1
    assert {s["site_code"] for r in plan["routes"] for s in r["stops"]} <= {
        "central",
        "east",
        "west",
    }


ROUTES = [
    ("post", "moves", {"stop_id": 1, "van": "van-1", "position": 0, "version": 1}),
    ("post", "locks", {"stop_ids": [1], "version": 1}),
    ("post", "replan", {}),
    ("get", "check", None),
    ("get", "diff", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
@pytest.mark.parametrize("who", ["driver", "desk.east", "planner"])
def test_who_may_edit_and_who_may_read(
    client: TestClient,
    plan_id: int,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    who: str,
) -> None:
    response = client.request(method, f"/plans/{plan_id}/{path}", json=body, headers=bearer(who))
    if who == "planner" and method == "get":
        assert response.status_code != 403  # planners read (the diff: 422, no parent)
    else:
        assert response.status_code == 403
        assert "forbidden" in response.json()["detail"]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
@pytest.mark.parametrize("headers", [{}, expired("dispatcher")])
def test_no_token_is_401(
    client: TestClient,
    plan_id: int,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    headers: dict[str, str],
) -> None:
    response = client.request(method, f"/plans/{plan_id}/{path}", json=body, headers=headers)
    assert response.status_code == 401
