"""GET /transfers, GET /transfers/unplanned, GET /transfers/{id}, POST /transfers/pickup and
/drop: the lists with their filters, the reasons of the unplanned transfers in Chinese and
English, and scans that are harmless when repeated, refused at the wrong site naming the right
one, and made only by drivers, branch staff at their own site and admins."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from service_seed import CARDS, Seed, bearer, expired

from catalog.transfers import DeferredTransfer, PlannedTransfer, record_plan

ALICE = CARDS["alice"]
PLAN_DAY = date(2026, 12, 7)


def _hold_from_west(client: TestClient, seeded: Seed) -> dict:
    """Alice's hold at east on 活着, filled by W1 from west: a hold transfer west → east."""
    response = client.post(
        "/holds",
        json={"card_number": ALICE, "record_id": seeded.to_live, "pickup_site_code": "east"},
        headers=bearer("desk.east"),
    )
    assert response.status_code == 201, response.text
    return response.json()


def _return_away(client: TestClient) -> dict:
    """E1 (home east) lent at east and returned at west: a return_home transfer west → east."""
    lent = client.post(
        "/loans",
        json={"barcode": "E1", "card_number": ALICE, "site_code": "east"},
        headers=bearer("desk.east"),
    )
    assert lent.status_code == 201, lent.text
    back = client.post(
        "/returns", json={"barcode": "E1", "site_code": "west"}, headers=bearer("desk.west")
    )
    assert back.status_code == 200, back.text
    return back.json()


def _scan(client: TestClient, step: str, barcode: str, site: str, user: str):
    return client.post(
        f"/transfers/{step}", json={"barcode": barcode, "site_code": site}, headers=bearer(user)
    )


def _transfer_ids(client: TestClient) -> dict[str, int]:
    page = client.get("/transfers", headers=bearer("dispatcher")).json()
    return {t["barcode"]: t["id"] for t in page["items"]}


def _plan(app: FastAPI, *, planned=(), deferred=()) -> None:
    with app.state.services.sessions() as session:
        record_plan(session, planned=planned, deferred=deferred, staff="dispatcher")
        session.commit()


def test_the_list_shows_the_days_transfers_and_filters_them(
    client: TestClient, seeded: Seed
) -> None:
    _hold_from_west(client, seeded)
    _return_away(client)
    page = client.get("/transfers", headers=bearer("dispatcher")).json()
    assert page["total"] == 2 and page["limit"] == 50
    assert [(t["barcode"], t["kind"], t["origin_site_code"]) for t in page["items"]] == [
        ("E1", "return_home", "west"),  # newest first
        ("W1", "hold", "west"),
    ]
    hold_only = client.get("/transfers?kind=hold", headers=bearer("planner")).json()
    assert [t["barcode"] for t in hold_only["items"]] == ["W1"] and hold_only["total"] == 1
    to_east = client.get(
        "/transfers?destination=east&status=requested&limit=1", headers=bearer("admin")
    ).json()
    assert (to_east["total"], len(to_east["items"])) == (2, 1)
    none = client.get("/transfers?origin=east", headers=bearer("desk.west")).json()
    assert (none["total"], none["items"]) == (0, [])


@pytest.mark.parametrize(
    ("query", "field", "status"),
    [
        ("origin=nowhere", "origin", 404),  # an unknown site is named
        ("status=flying", "status", 422),  # not a transfer status
        ("planned_for=tomorrow", "planned_for", 422),  # not a date
    ],
)
def test_a_bad_filter_is_refused_naming_it(
    client: TestClient, query: str, field: str, status: int
) -> None:
    response = client.get(f"/transfers?{query}", headers=bearer("dispatcher"))
    assert response.status_code == status
    body = response.json()
    named = body.get("field") or body["detail"][0]["loc"][-1]
    assert named == field


def test_unplanned_transfers_come_with_their_reason_in_chinese_and_english(
    app: FastAPI, client: TestClient, seeded: Seed
) -> None:
    _hold_from_west(client, seeded)
    _return_away(client)
    ids = _transfer_ids(client)
    _plan(
        app,
        planned=[PlannedTransfer(ids["E1"], "van-1", 2, PLAN_DAY)],
        deferred=[
            DeferredTransfer(
                ids["W1"], "deadline: delivery cannot start before 17:00", "t-hold-west-east"
            )
        ],
    )
    page = client.get("/transfers/unplanned", headers=bearer("dispatcher")).json()
    assert page["total"] == 1
    (unplanned,) = page["items"]
    assert (unplanned["barcode"], unplanned["shipment_id"]) == ("W1", "t-hold-west-east")
    assert unplanned["reason"] == {
        "code": "deadline",
        "zh": "无法在预约期限前送达",
        "en": "cannot be delivered before its deadline",
        "detail": "delivery cannot start before 17:00",
    }
    # The planned one is in the list with its van and stop, and no reason.
    planned = client.get(f"/transfers/{ids['E1']}", headers=bearer("planner")).json()
    assert (planned["status"], planned["van_id"], planned["stop"], planned["reason"]) == (
        "planned",
        "van-1",
        2,
        None,
    )
    by_day = client.get(
        f"/transfers?planned_for={PLAN_DAY.isoformat()}", headers=bearer("dispatcher")
    ).json()
    assert [t["barcode"] for t in by_day["items"]] == ["E1"]
    assert (
        client.get("/transfers/unplanned?kind=return_home", headers=bearer("admin")).json()["total"]
        == 0
    )


def test_a_transfer_shows_every_step_stamped_and_an_unknown_one_is_404(
    client: TestClient,
) -> None:
    _return_away(client)
    transfer_id = _transfer_ids(client)["E1"]
    detail = client.get(f"/transfers/{transfer_id}", headers=bearer("dispatcher")).json()
    assert [(e["status"], e["site_code"], e["staff"]) for e in detail["events"]] == [
        ("requested", "west", "desk.west"),
        ("requested", "west", "desk.west"),  # packed into its crate
    ]
    assert detail["events"][1]["note"] == f"packed in crate {detail['crate_id']}"
    missing = client.get("/transfers/999999", headers=bearer("dispatcher"))
    assert (missing.status_code, missing.json()["field"]) == (404, "transfer_id")


def test_pickup_and_drop_scans_move_the_copy_and_a_second_scan_answers_the_same(
    client: TestClient, seeded: Seed
) -> None:
    _hold_from_west(client, seeded)
    first = _scan(client, "pickup", "W1", "west", "admin")
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["item_status"]) == ("picked_up", "in_transit")
    again = _scan(client, "pickup", "W1", "west", "admin")
    assert (again.status_code, again.json()) == (200, first.json())
    dropped = _scan(client, "drop", "W1", "east", "desk.east")
    assert dropped.status_code == 200, dropped.text
    assert (dropped.json()["status"], dropped.json()["item_status"]) == (
        "delivered",
        "on_hold_shelf",
    )
    again = _scan(client, "drop", "W1", "east", "admin")
    assert (again.status_code, again.json()) == (200, dropped.json())
    events = client.get(f"/transfers/{first.json()['id']}", headers=bearer("admin")).json()
    assert [e["status"] for e in events["events"]] == ["requested", "picked_up", "delivered"]
    assert [e["staff"] for e in events["events"]][1:] == ["admin", "desk.east"]


@pytest.mark.parametrize(
    ("step", "site", "expected"),
    [
        ("pickup", "central", "应在 南院门分馆（west）"),  # W1 starts at west
        ("drop", "west", "应在 东关分馆（east）"),  # W1 goes to east
    ],
)
def test_a_scan_at_the_wrong_site_is_refused_naming_the_expected_site(
    client: TestClient, seeded: Seed, step: str, site: str, expected: str
) -> None:
    _hold_from_west(client, seeded)
    if step == "drop":
        assert _scan(client, "pickup", "W1", "west", "admin").status_code == 200
    response = _scan(client, step, "W1", site, "admin")
    assert response.status_code == 422
    body = response.json()
    assert (body["field"], body["value"]) == ("site_code", site)
    assert expected in body["detail"] and "wrong site" in body["detail"]


def test_a_copy_with_no_trip_is_404(client: TestClient) -> None:
    response = _scan(client, "pickup", "C1", "central", "admin")
    assert (response.status_code, response.json()["field"]) == (404, "barcode")


@pytest.mark.parametrize(
    ("user", "site"),
    [
        ("desk.east", "west"),  # branch staff at another site
        ("dispatcher", "west"),  # plans, does not scan
        ("planner", "west"),  # reads only
    ],
)
@pytest.mark.parametrize("step", ["pickup", "drop"])
def test_scans_are_403_outside_ones_site_or_role(
    client: TestClient, seeded: Seed, user: str, site: str, step: str
) -> None:
    _hold_from_west(client, seeded)
    response = _scan(client, step, "W1", site, user)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("无权限 / forbidden: ")
    item = client.get("/items/W1", headers=bearer("admin")).json()
    assert item["status"] == "available"


def test_the_403_of_branch_staff_names_the_site_and_their_own(
    client: TestClient, seeded: Seed
) -> None:
    _hold_from_west(client, seeded)
    detail = _scan(client, "pickup", "W1", "west", "desk.east").json()["detail"]
    assert "site_code='west'" in detail and "works at 'east'" in detail


def test_an_admin_scans_at_any_site_and_a_driver_with_no_route_today_nowhere(
    client: TestClient, seeded: Seed
) -> None:
    # A driver scans only at the stops of their route (tests/api/test_driver_scans.py).
    _hold_from_west(client, seeded)
    refused = _scan(client, "pickup", "W1", "west", "driver")
    assert refused.status_code == 403 and "drives no van" in refused.json()["detail"]
    assert _scan(client, "pickup", "W1", "west", "admin").status_code == 200
    assert _scan(client, "drop", "W1", "east", "admin").status_code == 200


@pytest.mark.parametrize("path", ["/transfers", "/transfers/unplanned", "/transfers/1"])
def test_a_driver_reads_no_list_of_transfers(client: TestClient, path: str) -> None:
    assert client.get(path, headers=bearer("driver")).status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/transfers"),
        ("GET", "/transfers/unplanned"),
        ("GET", "/transfers/1"),
        ("POST", "/transfers/pickup"),
        ("POST", "/transfers/drop"),
    ],
)
def test_every_transfer_route_needs_a_valid_token(
    client: TestClient, method: str, path: str
) -> None:
    body = {"barcode": "W1", "site_code": "west"} if method == "POST" else None
    assert client.request(method, path, json=body).status_code == 401
    assert client.request(method, path, json=body, headers=expired("admin")).status_code == 401


def test_no_transfer_shows_more_of_a_card_than_its_last_four_digits(
    app: FastAPI, client: TestClient, seeded: Seed
) -> None:
    _hold_from_west(client, seeded)
    ids = _transfer_ids(client)
    _plan(app, deferred=[DeferredTransfer(ids["W1"], "time_limit", None)])
    answers = [
        client.get("/transfers", headers=bearer("dispatcher")),
        client.get("/transfers/unplanned", headers=bearer("dispatcher")),
        client.get(f"/transfers/{ids['W1']}", headers=bearer("dispatcher")),
        _scan(client, "pickup", "W1", "west", "admin"),
        _scan(client, "drop", "W1", "east", "admin"),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert ALICE not in answer.text and ALICE[:-4] not in answer.text
        assert "alice" not in answer.text.lower()
    assert answers[0].json()["items"][0]["card_last4"] == "4321"
    assert answers[1].json()["items"][0]["card_last4"] == "4321"
