"""Crates (周转箱) through the service: a return away from home names the crate its copy goes
into; a desk packs a copy; a van takes a crate whole and drops it whole; every scan is harmless
when repeated, refused at the wrong site naming the right one, and made only by those who may;
a crate shows a hold's card by its last four digits only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from service_seed import CARDS, Seed, bearer, expired

ALICE = CARDS["alice"]


def _lend(client: TestClient, barcode: str, site: str) -> None:
    response = client.post(
        "/loans",
        json={"barcode": barcode, "card_number": ALICE, "site_code": site},
        headers=bearer("admin"),
    )
    assert response.status_code == 201, response.text


def _return(client: TestClient, barcode: str, site: str, user: str = "admin") -> dict:
    response = client.post(
        "/returns", json={"barcode": barcode, "site_code": site}, headers=bearer(user)
    )
    assert response.status_code == 200, response.text
    return response.json()


def _hold_from_west(client: TestClient, seeded: Seed) -> None:
    """Alice's hold at east on 活着, filled by W1 from west."""
    response = client.post(
        "/holds",
        json={"card_number": ALICE, "record_id": seeded.to_live, "pickup_site_code": "east"},
        headers=bearer("desk.east"),
    )
    assert response.status_code == 201, response.text


def _pack(client: TestClient, barcode: str, site: str, user: str):
    return client.post(
        "/crates/pack", json={"barcode": barcode, "site_code": site}, headers=bearer(user)
    )


def _crate_scan(client: TestClient, crate: str, step: str, site: str, user: str):
    return client.post(f"/crates/{crate}/{step}", json={"site_code": site}, headers=bearer(user))


def test_a_return_away_from_home_names_the_open_crate_for_its_destination(
    client: TestClient,
) -> None:
    _lend(client, "E1", "east")
    _lend(client, "C1", "central")
    east = _return(client, "E1", "west", "desk.west")
    assert east["crate_id"].startswith("CR")
    assert east["crate_id"] in east["instruction"]
    assert "东关分馆" in east["instruction"] and "Dongguan Branch" in east["instruction"]
    central = _return(client, "C1", "west", "desk.west")
    assert central["crate_id"] not in (None, east["crate_id"])  # another destination
    crate = client.get(f"/crates/{east['crate_id']}", headers=bearer("driver")).json()
    assert (crate["status"], crate["origin_site_code"], crate["destination_site_code"]) == (
        "open",
        "west",
        "east",
    )
    assert (crate["copies"], [i["barcode"] for i in crate["items"]]) == (1, ["E1"])
    assert crate["opened_by"] == "desk.west"


def test_a_return_at_home_names_no_crate(client: TestClient) -> None:
    _lend(client, "C1", "central")
    answer = _return(client, "C1", "central")
    assert (answer["next"], answer["crate_id"]) == ("shelf", None)


def test_a_desk_packs_a_hold_copy_and_packing_again_answers_the_same_crate(
    client: TestClient, seeded: Seed
) -> None:
    _hold_from_west(client, seeded)
    first = _pack(client, "W1", "west", "desk.west")
    assert first.status_code == 200, first.text
    again = _pack(client, "W1", "west", "desk.west")
    assert (again.status_code, again.json()) == (200, first.json())
    crate = first.json()
    assert crate["destination_site_code"] == "east"
    (item,) = crate["items"]
    assert (item["barcode"], item["kind"], item["card_last4"]) == ("W1", "hold", "4321")


def test_a_van_takes_a_crate_whole_and_drops_it_whole_each_scan_harmless_twice(
    client: TestClient, seeded: Seed
) -> None:
    _hold_from_west(client, seeded)
    _lend(client, "E1", "east")
    code = _return(client, "E1", "west")["crate_id"]
    assert _pack(client, "W1", "west", "desk.west").json()["crate_id"] == code  # same trip
    picked = _crate_scan(client, code, "pickup", "west", "admin")
    assert picked.status_code == 200, picked.text
    assert picked.json()["status"] == "in_transit" and picked.json()["picked_up_by"] == "admin"
    assert {i["status"] for i in picked.json()["items"]} == {"picked_up"}
    again = _crate_scan(client, code, "pickup", "west", "admin")
    assert (again.status_code, again.json()) == (200, picked.json())
    dropped = _crate_scan(client, code, "drop", "east", "desk.east")
    assert dropped.status_code == 200, dropped.text
    assert dropped.json()["status"] == "delivered"
    assert {i["status"] for i in dropped.json()["items"]} == {"delivered"}
    again = _crate_scan(client, code, "drop", "east", "admin")
    assert (again.status_code, again.json()) == (200, dropped.json())
    hold_copy = client.get("/items/W1", headers=bearer("admin")).json()
    assert (hold_copy["status"], hold_copy["current_site_code"]) == ("on_hold_shelf", "east")
    home_copy = client.get("/items/E1", headers=bearer("admin")).json()
    assert (home_copy["status"], home_copy["current_site_code"]) == ("available", "east")


@pytest.mark.parametrize(
    ("step", "site", "expected"),
    [
        ("pickup", "east", "应在 南院门分馆（west）"),  # the crate starts at west
        ("drop", "central", "应在 东关分馆（east）"),  # and goes to east
    ],
)
def test_a_crate_scanned_at_the_wrong_site_is_refused_naming_the_expected_site(
    client: TestClient, step: str, site: str, expected: str
) -> None:
    _lend(client, "E1", "east")
    code = _return(client, "E1", "west")["crate_id"]
    response = _crate_scan(client, code, step, site, "admin")
    assert response.status_code == 422
    body = response.json()
    assert (body["field"], body["value"]) == ("site_code", site)
    assert expected in body["detail"] and f"crate {code}" in body["detail"]
    assert client.get(f"/crates/{code}", headers=bearer("admin")).json()["status"] == "open"


def test_an_unknown_crate_is_404_and_a_copy_with_no_trip_cannot_be_packed(
    client: TestClient,
) -> None:
    missing = client.get("/crates/CR999999", headers=bearer("driver"))
    assert (missing.status_code, missing.json()["field"]) == (404, "crate_id")
    scan = _crate_scan(client, "CR999999", "pickup", "west", "admin")
    assert scan.status_code == 404
    idle = _pack(client, "C1", "central", "admin")
    assert (idle.status_code, idle.json()["field"]) == (404, "barcode")


def test_the_list_of_crates_filters_by_status_and_site(client: TestClient) -> None:
    _lend(client, "E1", "east")
    _lend(client, "C1", "central")
    to_east = _return(client, "E1", "west")["crate_id"]
    to_central = _return(client, "C1", "west")["crate_id"]
    assert _crate_scan(client, to_east, "pickup", "west", "admin").status_code == 200
    page = client.get("/crates", headers=bearer("planner")).json()
    assert [(c["crate_id"], c["copies"]) for c in page["items"]] == [(to_central, 1), (to_east, 1)]
    open_ = client.get("/crates?status=open", headers=bearer("dispatcher")).json()
    assert [c["crate_id"] for c in open_["items"]] == [to_central] and open_["total"] == 1
    east = client.get("/crates?destination=east&origin=west", headers=bearer("desk.east")).json()
    assert [c["crate_id"] for c in east["items"]] == [to_east]
    unknown = client.get("/crates?origin=nowhere", headers=bearer("driver"))
    assert (unknown.status_code, unknown.json()["field"]) == (404, "origin")


@pytest.mark.parametrize(
    ("user", "site"),
    [
        ("desk.east", "west"),  # branch staff at another site
        ("driver", "west"),  # drivers carry crates, desks pack them
        ("dispatcher", "west"),
        ("planner", "west"),
    ],
)
def test_packing_is_403_outside_ones_desk(
    client: TestClient, seeded: Seed, user: str, site: str
) -> None:
    _hold_from_west(client, seeded)
    assert _pack(client, "W1", site, user).status_code == 403
    assert client.get("/crates", headers=bearer("admin")).json()["total"] == 0


@pytest.mark.parametrize(
    ("user", "step", "site"),
    [
        ("desk.east", "pickup", "west"),  # branch staff at another site
        ("desk.west", "drop", "east"),
        ("dispatcher", "pickup", "west"),  # plans, does not scan
        ("planner", "drop", "east"),  # reads only
    ],
)
def test_crate_scans_are_403_outside_ones_site_or_role(
    client: TestClient, user: str, step: str, site: str
) -> None:
    _lend(client, "E1", "east")
    code = _return(client, "E1", "west")["crate_id"]
    response = _crate_scan(client, code, step, site, user)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("无权限 / forbidden: ")
    assert client.get(f"/crates/{code}", headers=bearer("admin")).json()["status"] == "open"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/crates"),
        ("GET", "/crates/CR000001"),
        ("POST", "/crates/pack"),
        ("POST", "/crates/CR000001/pickup"),
        ("POST", "/crates/CR000001/drop"),
    ],
)
def test_every_crate_route_needs_a_valid_token(client: TestClient, method: str, path: str) -> None:
    body = {"barcode": "E1", "site_code": "west"} if path.endswith("pack") else {"site_code": "w"}
    body = body if method == "POST" else None
    assert client.request(method, path, json=body).status_code == 401
    assert client.request(method, path, json=body, headers=expired("admin")).status_code == 401


def test_no_crate_shows_more_of_a_card_than_its_last_four_digits(
    client: TestClient, seeded: Seed
) -> None:
    _hold_from_west(client, seeded)
    packed = _pack(client, "W1", "west", "desk.west")
    code = packed.json()["crate_id"]
    answers = [
        packed,
        client.get(f"/crates/{code}", headers=bearer("driver")),
        client.get("/crates", headers=bearer("driver")),
        _crate_scan(client, code, "pickup", "west", "admin"),
        _crate_scan(client, code, "drop", "east", "admin"),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert ALICE not in answer.text and ALICE[:-4] not in answer.text
        assert "alice" not in answer.text.lower()
    assert answers[1].json()["items"][0]["card_last4"] == "4321"
