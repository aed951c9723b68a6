"""GET /transfers/summary: a van day's open transfers per site and kind, the crates (packed
ones and loose copies in crates), the holds by deadline; the roles that read transfers only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from service_seed import Seed, bearer, seed_plan_day

from catalog.errors import InvalidValueError
from catalog.transfer_summary import transfer_summary
from catalog.transfers import PlannedTransfer, record_plan

DAY = date(2026, 12, 7)


@pytest.fixture
def transfers(app: FastAPI, seeded: Seed) -> list[int]:
    """The hold W1 west → east, E1 east → west and C1 central → east (both rebalance)."""
    with app.state.services.sessions() as session:
        ids = seed_plan_day(session, seeded)
        session.commit()
    return ids


def test_the_days_open_transfers_by_site_and_kind(
    app: FastAPI, client: TestClient, transfers: list[int]
) -> None:
    hold, east_to_west, _central_to_east = transfers
    with app.state.services.sessions() as session:
        # E1 planned for another day: not this day's
        record_plan(
            session,
            planned=[PlannedTransfer(east_to_west, "van-1", 1, DAY + timedelta(days=1))],
            staff="dispatcher",
        )
        session.commit()
    response = client.get(f"/transfers/summary?planned_for={DAY}", headers=bearer("dispatcher"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["planned_for"], body["total"]) == (DAY.isoformat(), 2)
    assert body["by_kind"] == {"hold": 1, "rebalance": 1}
    assert body["by_status"] == {"requested": 2}
    sites = {s["site_code"]: s for s in body["sites"]}
    assert set(sites) == {"central", "east", "west"}
    assert sites["west"]["outgoing"] == {"hold": 1} and sites["west"]["incoming"] == {}
    assert sites["east"]["incoming"] == {"hold": 1, "rebalance": 1}
    assert sites["central"]["outgoing"] == {"rebalance": 1}
    # one loose copy each from west and central: one crate each, none from east
    assert [sites[c]["crates_out"] for c in ("central", "east", "west")] == [1, 0, 1]
    assert body["crates"] == 2
    (due,) = body["holds"]
    assert (due["transfer_id"], due["origin_site_code"], due["destination_site_code"]) == (
        hold,
        "west",
        "east",
    )
    assert sites["east"]["holds"] == sites["west"]["holds"] == 1
    assert sites["east"]["hold_deadline"] == due["deadline"]
    assert sites["central"]["hold_deadline"] is None
    assert sites["east"]["site_kind"] == "branch" and sites["east"]["name_zh"] == "东关分馆"
    # on its own day E1 counts, as planned
    later = client.get(
        f"/transfers/summary?planned_for={DAY + timedelta(days=1)}", headers=bearer("planner")
    ).json()
    assert (later["total"], later["by_status"]) == (3, {"planned": 1, "requested": 2})


def test_a_day_with_nothing_open_is_empty(client: TestClient, seeded: Seed) -> None:
    body = client.get(f"/transfers/summary?planned_for={DAY}", headers=bearer("admin")).json()
    assert (body["total"], body["crates"], body["sites"], body["holds"]) == (0, 0, [], [])


@pytest.mark.parametrize(
    ("query", "status"), [("", 422), ("planned_for=tomorrow", 422), ("planned_for=2026-13-01", 422)]
)
def test_a_missing_or_bad_day_is_refused_naming_it(
    client: TestClient, seeded: Seed, query: str, status: int
) -> None:
    response = client.get(f"/transfers/summary?{query}", headers=bearer("dispatcher"))
    assert response.status_code == status
    assert response.json()["detail"][0]["loc"][-1] == "planned_for"


@pytest.mark.parametrize(("who", "status"), [("driver", 403), ("desk.east", 200), ("planner", 200)])
def test_who_reads_the_summary(client: TestClient, seeded: Seed, who: str, status: int) -> None:
    response = client.get(f"/transfers/summary?planned_for={DAY}", headers=bearer(who))
    assert response.status_code == status


@pytest.mark.parametrize("capacity", [0, -3, True, 2.5])
def test_a_crate_capacity_that_is_no_positive_whole_number_is_refused(
    app: FastAPI, seeded: Seed, capacity: object
) -> None:
    with app.state.services.sessions() as session, pytest.raises(InvalidValueError) as raised:
        transfer_summary(session, day=DAY, crate_capacity=capacity)  # type: ignore[arg-type]
    assert raised.value.field == "crate_capacity"
