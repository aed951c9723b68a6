"""``POST /vroom``: VROOM's documented matrix example through the service, in a worker."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from service_seed import bearer

FIXTURES = Path(__file__).parent / "fixtures" / "vroom"


def example(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_the_documented_matrix_example_gets_vroom_s_answer_or_a_cheaper_one(
    client: TestClient,
) -> None:
    response = client.post("/vroom", json=example("example_2.json"), headers=bearer("dispatcher"))
    assert response.status_code == 200
    answer = response.json()
    assert answer["code"] == 0
    assert answer["summary"]["cost"] <= example("example_2_sol.json")["summary"]["cost"]
    assert answer["unassigned"] == []


def test_bad_input_comes_back_as_vroom_does(client: TestClient) -> None:
    response = client.post("/vroom", json={"vehicles": "x"}, headers=bearer("admin"))
    assert response.status_code == 400
    assert response.json()["code"] == 2
    assert "vehicles" in response.json()["error"]


def test_vroom_needs_a_planning_role(client: TestClient) -> None:
    body = example("example_2.json")
    assert client.post("/vroom", json=body).status_code == 401
    assert client.post("/vroom", json=body, headers=bearer("driver")).status_code == 403
