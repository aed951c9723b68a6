"""GET /records/search (the catalogue's search, with copies per site) and GET /items/{barcode}."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from service_seed import bearer, expired


def test_search_finds_a_record_by_pinyin_with_copies_per_site(client: TestClient) -> None:
    page = client.get(
        "/records/search", params={"q": "santi", "pickup_site": "west"}, headers=bearer("driver")
    ).json()
    assert page["total"] == 1 and page["offset"] == 0
    (hit,) = page["items"]
    assert (hit["title"], hit["authors"], hit["available"]) == ("三体", ["刘慈欣"], 2)
    # Nearest to the west branch first: central is 1,200 s away, east 1,500 s.
    assert [(s["site_code"], s["travel_time_s"]) for s in hit["sites"]] == [
        ("central", 1200),
        ("east", 1500),
    ]


def test_search_pages_carry_the_total_of_every_page(client: TestClient) -> None:
    page = client.get(
        "/records/search",
        params={"q": "I247", "field": "call_number", "limit": 1},
        headers=bearer("planner"),
    ).json()
    assert (len(page["items"]), page["total"]) == (1, 2)


@pytest.mark.parametrize(
    ("params", "loc", "value"),
    [
        # a field the search does not have
        ({"q": "santi", "field": "colour"}, ["query", "field"], "colour"),
        # nothing to search for
        ({"q": ""}, ["query", "q"], ""),
    ],
)
def test_a_bad_search_is_422_naming_the_field_and_value(
    client: TestClient, params: dict[str, str], loc: list[str], value: str
) -> None:
    response = client.get("/records/search", params=params, headers=bearer("admin"))
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["loc"], error["input"]) == (loc, value)


def test_a_query_of_punctuation_only_is_refused_by_the_catalogue(client: TestClient) -> None:
    response = client.get("/records/search", params={"q": "！？"}, headers=bearer("admin"))
    assert response.status_code == 422
    assert response.json()["field"] == "query"


def test_an_unknown_pickup_site_is_404(client: TestClient) -> None:
    response = client.get(
        "/records/search", params={"q": "santi", "pickup_site": "x"}, headers=bearer("admin")
    )
    assert (response.status_code, response.json()["field"]) == (404, "pickup_site")


def test_an_item_by_barcode_says_where_it_is(client: TestClient) -> None:
    item = client.get("/items/E1", headers=bearer("driver")).json()
    assert item == {
        "barcode": "E1",
        "record_id": item["record_id"],
        "title": "三体",
        "status": "available",
        "home_site_code": "east",
        "current_site_code": "east",
        "floating": False,
        "due_on": None,
        "next_site_code": None,
        "transfer_kind": None,
        "hold_id": None,
    }


def test_an_unknown_barcode_is_404_naming_it(client: TestClient) -> None:
    response = client.get("/items/NOPE", headers=bearer("driver"))
    assert (response.status_code, response.json()["value"]) == (404, "NOPE")


@pytest.mark.parametrize("path", ["/records/search?q=santi", "/items/E1"])
def test_records_and_items_need_a_valid_token(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401
    assert client.get(path, headers=expired("admin")).status_code == 401
