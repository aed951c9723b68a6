"""``GET /me/route/work``: the driver's route with each stop's work (crates and loose copies to
collect or drop, done or not) and the directions from the stop before, on the Beilin streets;
only the driver's own van; the next stop moves on as the scans are recorded.

A real worker process plans the seed's day (three transfers, one van) as in the plans' tests.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from plan_jobs import start_worker, stop_worker, wait_for
from service_seed import CARDS, Seed, bearer, seed_plan_day
from test_plans_router import DAY, ask, plan_of

from catalog.db import create_engine, session_factory

pytestmark = pytest.mark.slow


@pytest.fixture
def planned(sqlite_url: str, seeded: Seed, tmp_path: Path) -> Iterator[dict[str, Any]]:
    engine = create_engine(sqlite_url)
    with session_factory(engine)() as session:
        seed_plan_day(session, seeded)
        session.commit()
    engine.dispose()
    log = tmp_path / "worker.log"
    process: subprocess.Popen[bytes] = start_worker(sqlite_url, log)
    yield {"process": process}
    assert stop_worker(process) == 0, log.read_text()


def done_plan(client: TestClient) -> dict[str, Any]:
    plan_id = ask(client)
    return wait_for(
        lambda: p if (p := plan_of(client, plan_id))["status"] == "done" else None,
        timeout=90,
        every=0.2,
        what=f"plan {plan_id} done",
    )


def work(client: TestClient, user: str = "driver") -> Any:
    return client.get(f"/me/route/work?date={DAY.isoformat()}", headers=bearer(user))


def test_each_stop_has_its_work_and_the_way_there(
    client: TestClient, planned: dict[str, Any]
) -> None:
    done_plan(client)
    answer = work(client)
    assert answer.status_code == 200, answer.text
    route = answer.json()
    assert route["van"] == "van-1"
    stops = route["stops"]
    actions = {s["type"]: s["action"] for s in stops}
    assert actions["pickup"] == "collect" and actions["delivery"] == "drop"
    assert actions["start"] is None and actions["end"] is None
    work_stops = [s for s in stops if s["action"]]
    # Nothing is packed in the seed: every copy is loose, scanned by barcode.
    loose = sorted(c["barcode"] for s in work_stops if s["action"] == "collect" for c in s["loose"])
    assert loose == ["C1", "E1", "W1"]
    assert all(not c["done"] for s in work_stops for c in s["loose"])
    assert route["next_position"] == work_stops[0]["position"]
    # The way to each stop from the one before, in Chinese and English, on the streets.
    legs = [s["leg"] for s in work_stops if s["leg"] is not None]
    assert legs, "no directions between the stops"
    first = legs[0]
    assert first["distance"] > 0 and first["duration"] > 0
    assert first["instructions_zh"] and first["instructions_en"]
    assert any("米" in line for line in first["instructions_zh"])
    # A hold's copy names its patron by the card's last four digits only.
    text = json.dumps(route, ensure_ascii=False)
    for card in CARDS.values():
        assert card not in text
    hold_copy = next(c for s in work_stops for c in s["loose"] if c["kind"] == "hold")
    assert hold_copy["card_last4"] == CARDS["alice"][-4:]


def test_the_next_stop_moves_on_as_scans_are_recorded(
    client: TestClient, planned: dict[str, Any]
) -> None:
    done_plan(client)
    route = work(client).json()
    first = next(s for s in route["stops"] if s["position"] == route["next_position"])
    assert first["action"] == "collect"
    # An admin scans: a driver scans only on today's route, and this plan is for DAY.
    for copy in first["loose"]:
        body = {"barcode": copy["barcode"], "site_code": first["site_code"]}
        scanned = client.post("/transfers/pickup", json=body, headers=bearer("admin"))
        assert scanned.status_code == 200, scanned.text
    after = work(client).json()
    again = next(s for s in after["stops"] if s["position"] == first["position"])
    assert again["done"] and all(c["done"] for c in again["loose"])
    assert after["next_position"] != first["position"]


def test_packed_copies_show_as_their_crate(client: TestClient, planned: dict[str, Any]) -> None:
    done_plan(client)
    route = work(client).json()
    stop = next(s for s in route["stops"] if s["action"] == "collect")
    copy = stop["loose"][0]
    packed = client.post(
        "/crates/pack",
        json={"barcode": copy["barcode"], "site_code": stop["site_code"]},
        headers=bearer("admin"),
    )
    assert packed.status_code == 200, packed.text
    crate_id = packed.json()["crate_id"]
    now = next(s for s in work(client).json()["stops"] if s["position"] == stop["position"])
    assert copy["barcode"] not in {c["barcode"] for c in now["loose"]}
    (crate,) = [c for c in now["crates"] if c["crate_id"] == crate_id]
    assert crate["status"] == "open" and crate["here"] == 1 and not crate["done"]
    assert crate["destination_site_code"] == copy["destination_site_code"]


def test_only_a_driver_reads_it(client: TestClient) -> None:
    for user in ("dispatcher", "admin", "desk.east", "planner"):
        assert work(client, user).status_code == 403, user
    assert client.get("/me/route/work?date=2026-12-01").status_code == 401
    no_van = work(client)  # the seed's fleet is made by the plan fixture only
    assert no_van.status_code == 404 and "you drive no van" in no_van.json()["detail"]
    assert client.get("/me/route/work?date=tomorrow", headers=bearer("driver")).status_code == 422
