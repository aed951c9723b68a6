"""POST /loans and POST /returns: scans at a desk, branch staff at their own site only, and
never more of a card than its last four digits in an answer."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from service_seed import CARDS, bearer, expired

ALICE = CARDS["alice"]


def _lend(client: TestClient, barcode: str, site: str, user: str, card: str = ALICE):
    return client.post(
        "/loans",
        json={"barcode": barcode, "card_number": card, "site_code": site},
        headers=bearer(user),
    )


def _return(client: TestClient, barcode: str, site: str, user: str):
    return client.post(
        "/returns", json={"barcode": barcode, "site_code": site}, headers=bearer(user)
    )


def test_a_desk_lends_a_copy_and_shows_only_the_cards_last_four_digits(
    client: TestClient,
) -> None:
    response = _lend(client, "E1", "east", "desk.east")
    assert response.status_code == 201
    loan = response.json()
    assert (loan["barcode"], loan["site_code"], loan["card_last4"]) == ("E1", "east", "4321")
    assert ALICE not in response.text
    assert client.get("/items/E1", headers=bearer("driver")).json()["status"] == "on_loan"


def test_a_return_away_from_home_says_where_the_copy_goes_next(client: TestClient) -> None:
    assert _lend(client, "E1", "east", "desk.east").status_code == 201
    response = _return(client, "E1", "west", "desk.west")
    assert response.status_code == 200
    answer = response.json()
    assert (answer["next"], answer["next_site_code"], answer["transfer_kind"]) == (
        "transfer",
        "east",
        "return_home",
    )
    assert "东关分馆" in answer["instruction"] and "Dongguan Branch" in answer["instruction"]
    item = client.get("/items/E1", headers=bearer("driver")).json()
    assert (item["current_site_code"], item["next_site_code"]) == ("west", "east")


def test_a_return_at_home_goes_back_on_the_shelf(client: TestClient) -> None:
    _lend(client, "C1", "central", "admin")
    answer = _return(client, "C1", "central", "admin").json()
    assert (answer["next"], answer["next_site_code"], answer["transfer_kind"]) == (
        "shelf",
        "central",
        None,
    )


def test_a_return_that_fills_a_hold_here_goes_on_the_hold_shelf(client: TestClient, seeded) -> None:
    _lend(client, "W1", "west", "desk.west")  # the only copy of 活着
    hold = client.post(
        "/holds",
        json={"card_number": CARDS["bob"], "record_id": seeded.to_live, "pickup_site_code": "west"},
        headers=bearer("desk.west"),
    ).json()
    assert hold["status"] == "waiting"
    answer = _return(client, "W1", "west", "desk.west").json()
    assert (answer["next"], answer["hold_id"]) == ("hold_shelf", hold["id"])


def test_the_second_return_of_one_copy_is_a_409_a_person_can_act_on(client: TestClient) -> None:
    _lend(client, "E1", "east", "desk.east")
    assert _return(client, "E1", "east", "desk.east").status_code == 200
    response = _return(client, "E1", "east", "desk.east")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "当前不可办理 / not possible now: barcode='E1': item is not on loan (available)",
        "field": "barcode",
        "value": "E1",
    }


def test_lending_a_copy_already_on_loan_is_409(client: TestClient) -> None:
    _lend(client, "E1", "east", "desk.east")
    response = _lend(client, "E1", "east", "desk.east", card=CARDS["bob"])
    assert response.status_code == 409 and "already on loan" in response.json()["detail"]


def test_an_unknown_card_is_404_showing_only_its_last_four_digits(client: TestClient) -> None:
    response = _lend(client, "E1", "east", "desk.east", card="6100000000009999")
    assert response.status_code == 404
    assert response.json()["value"] == "****9999"
    assert "6100000000009999" not in response.text


def test_a_bad_body_is_422_and_still_hides_the_card(client: TestClient) -> None:
    response = client.post(
        "/loans", json={"card_number": ALICE, "site_code": "east"}, headers=bearer("desk.east")
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "barcode"]
    assert ALICE not in response.text and "****4321" in response.text


def test_a_card_number_too_long_is_422_without_echoing_it(client: TestClient) -> None:
    card = "6" * 80
    response = _lend(client, "E1", "east", "desk.east", card=card)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["loc"], error["input"]) == (["body", "card_number"], "****6666")


@pytest.mark.parametrize(
    ("user", "site"),
    [
        ("desk.east", "west"),  # branch staff at another site
        ("driver", "east"),  # roles that work no desk
        ("planner", "east"),
        ("dispatcher", "east"),
    ],
)
def test_loans_and_returns_are_403_outside_ones_desk(
    client: TestClient, user: str, site: str
) -> None:
    assert _lend(client, "E1", site, user).status_code == 403
    assert _return(client, "E1", site, user).status_code == 403
    assert client.get("/items/E1", headers=bearer("admin")).json()["status"] == "available"


def test_the_403_names_the_site_and_the_accounts_own(client: TestClient) -> None:
    detail = _lend(client, "E1", "west", "desk.east").json()["detail"]
    assert "site_code='west'" in detail and "works at 'east'" in detail


@pytest.mark.parametrize("path", ["/loans", "/returns"])
def test_loans_and_returns_need_a_valid_token(client: TestClient, path: str) -> None:
    body = {"barcode": "E1", "card_number": ALICE, "site_code": "east"}
    if path == "/returns":
        del body["card_number"]
    assert client.post(path, json=body).status_code == 401
    assert client.post(path, json=body, headers=expired("desk.east")).status_code == 401
