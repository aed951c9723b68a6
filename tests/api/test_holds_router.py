"""POST /holds, GET /holds/{id}, POST /holds/{id}/cancel: the catalogue's holds at a desk."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from service_seed import CARDS, Seed, bearer, expired


def _place(client: TestClient, record_id: int, pickup: str, user: str, who: str = "alice"):
    return client.post(
        "/holds",
        json={"card_number": CARDS[who], "record_id": record_id, "pickup_site_code": pickup},
        headers=bearer(user),
    )


def test_a_hold_with_a_copy_on_the_pickup_shelf_is_ready_at_once(
    client: TestClient, seeded: Seed
) -> None:
    response = _place(client, seeded.three_body, "east", "desk.east")
    assert response.status_code == 201
    hold = response.json()
    assert (hold["status"], hold["barcode"], hold["card_last4"]) == ("ready", "E1", "4321")
    assert CARDS["alice"] not in response.text
    assert client.get(f"/holds/{hold['id']}", headers=bearer("driver")).json() == hold


def test_a_hold_filled_from_another_site_is_expected_on_a_day(
    client: TestClient, seeded: Seed
) -> None:
    hold = _place(client, seeded.to_live, "east", "desk.east").json()
    assert (hold["status"], hold["barcode"]) == ("assigned", "W1")
    assert hold["expected_on"] is not None
    item = client.get("/items/W1", headers=bearer("driver")).json()
    assert (item["next_site_code"], item["transfer_kind"], item["hold_id"]) == (
        "east",
        "hold",
        hold["id"],
    )


def test_a_second_hold_on_the_same_record_is_refused_naming_it(
    client: TestClient, seeded: Seed
) -> None:
    _place(client, seeded.three_body, "east", "desk.east")
    response = _place(client, seeded.three_body, "east", "desk.east")
    assert response.status_code == 422
    assert (response.json()["field"], response.json()["value"]) == ("record_id", seeded.three_body)


def test_an_unknown_record_is_404(client: TestClient) -> None:
    response = _place(client, 999_999, "east", "desk.east")
    assert (response.status_code, response.json()["field"]) == (404, "record_id")


def test_cancelling_a_hold_sends_its_copy_back_and_a_second_cancel_is_409(
    client: TestClient, seeded: Seed
) -> None:
    hold = _place(client, seeded.to_live, "east", "desk.east").json()
    response = client.post(f"/holds/{hold['id']}/cancel", headers=bearer("desk.east"))
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert client.get("/items/W1", headers=bearer("driver")).json()["next_site_code"] is None
    again = client.post(f"/holds/{hold['id']}/cancel", headers=bearer("desk.east"))
    assert again.status_code == 409 and "already cancelled" in again.json()["detail"]


def test_branch_staff_place_and_cancel_holds_for_their_own_site_only(
    client: TestClient, seeded: Seed
) -> None:
    assert _place(client, seeded.three_body, "west", "desk.east").status_code == 403
    hold = _place(client, seeded.three_body, "east", "desk.east").json()
    response = client.post(f"/holds/{hold['id']}/cancel", headers=bearer("desk.west"))
    assert response.status_code == 403
    assert client.get(f"/holds/{hold['id']}", headers=bearer("admin")).json()["status"] == "ready"


@pytest.mark.parametrize("user", ["driver", "planner", "dispatcher"])
def test_roles_without_a_desk_cannot_place_or_cancel(
    client: TestClient, seeded: Seed, user: str
) -> None:
    assert _place(client, seeded.three_body, "east", user).status_code == 403
    hold = _place(client, seeded.three_body, "east", "admin").json()
    assert client.post(f"/holds/{hold['id']}/cancel", headers=bearer(user)).status_code == 403


def test_holds_need_a_valid_token(client: TestClient, seeded: Seed) -> None:
    body = {
        "card_number": CARDS["alice"],
        "record_id": seeded.three_body,
        "pickup_site_code": "east",
    }
    assert client.post("/holds", json=body).status_code == 401
    assert client.post("/holds", json=body, headers=expired("admin")).status_code == 401
    hold = _place(client, seeded.three_body, "east", "admin").json()
    assert client.get(f"/holds/{hold['id']}").status_code == 401
    assert client.post(f"/holds/{hold['id']}/cancel", headers=expired("admin")).status_code == 401
