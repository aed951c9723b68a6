"""The plans' routes: a plan asked for is a job (202 at once), solved by a real worker process on
the test's database, followed by GET and by its event stream; cancels; a newer plan of the
day supersedes the older one, both kept; drivers read only their own van's route; every
route refuses the unsigned (401) and the wrong roles (403); no patron data in any answer.

The worker is ``tests/plan_jobs.py`` (straight-line travel times), started per test.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from plan_jobs import start_worker, stop_worker, wait_for
from service_seed import CARDS, Seed, bearer, expired, local_now, seed_plan_day
from sqlalchemy import select

from catalog.db import create_engine, session_factory
from catalog.models import Site, SiteClosedDate

pytestmark = pytest.mark.slow

DAY = (local_now() + timedelta(days=1)).date()
"""Tomorrow: the day planned (every seed site is open and called at every day)."""


@pytest.fixture
def transfer_ids(sqlite_url: str, seeded: Seed) -> list[int]:
    engine = create_engine(sqlite_url)
    with session_factory(engine)() as session:
        ids = seed_plan_day(session, seeded)
        session.commit()
    engine.dispose()
    return ids


@pytest.fixture
def worker(
    sqlite_url: str, transfer_ids: list[int], tmp_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    process = start_worker(sqlite_url, tmp_path / "worker.log")
    yield process
    assert stop_worker(process) == 0, (tmp_path / "worker.log").read_text()


def ask(client: TestClient, *, day: date = DAY, time_limit: float = 2) -> int:
    response = client.post(
        "/plans",
        json={"date": day.isoformat(), "time_limit": time_limit},
        headers=bearer("dispatcher"),
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "queued" and response.headers["location"] == f"/plans/{body['id']}"
    return int(body["id"])


def plan_of(client: TestClient, plan_id: int, user: str = "dispatcher") -> dict[str, Any]:
    response = client.get(f"/plans/{plan_id}", headers=bearer(user))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def until(client: TestClient, plan_id: int, status: str, timeout: float = 90) -> dict[str, Any]:
    return wait_for(
        lambda: p if (p := plan_of(client, plan_id))["status"] == status else None,
        timeout=timeout,
        every=0.2,
        what=f"plan {plan_id} {status}",
    )


def no_patron_data(answer: object) -> None:
    text = json.dumps(answer, ensure_ascii=False)
    for card in CARDS.values():
        assert card not in text
    assert "card" not in text and "alice" not in text and "patron" not in text


def test_a_plan_is_queued_at_once_and_done_by_the_worker_with_routes(
    client: TestClient, worker: subprocess.Popen[bytes], transfer_ids: list[int]
) -> None:
    plan_id = ask(client)
    done = until(client, plan_id, "done")
    no_patron_data(done)
    assert done["date"] == DAY.isoformat() and done["progress"] == 1.0
    assert done["planned_transfers"] == 3 and done["deferred_transfers"] == 0
    assert done["unplanned"] == [] and done["best_cost"] > 0
    (route,) = done["routes"]  # one van is enough for three crates
    assert route["van"] == "van-1" and route["plan_id"] == plan_id
    stops = route["stops"]
    assert [s["type"] for s in (stops[0], stops[-1])] == ["start", "end"]
    pickups = [s for s in stops if s["type"] == "pickup"]
    assert sorted(t for s in pickups for t in s["transfer_ids"]) == sorted(transfer_ids)
    assert sum(sum(s["transfers"].values()) for s in pickups) == 3
    assert {k for s in pickups for k in s["transfers"]} == {"hold", "rebalance"}
    west = next(s for s in pickups if s["site_code"] == "west")
    assert west["site_name_zh"] == "南院门分馆" and west["site_name_en"] == "Nanyuanmen Branch"
    assert west["load"]["crates"] >= 1 and west["arrival"] <= west["departure"]
    assert all(s["locked"] is False and s["violations"] == [] for s in stops)

    page = client.get(f"/plans?date={DAY.isoformat()}&status=done", headers=bearer("planner"))
    assert page.status_code == 200 and [p["id"] for p in page.json()["items"]] == [plan_id]
    health = client.get("/healthz").json()["worker"]
    assert health["ok"] is True and "worker" in health["detail"]


def test_a_site_closed_that_day_leaves_its_transfers_unplanned_with_reasons_in_both_languages(
    client: TestClient, worker: subprocess.Popen[bytes], sqlite_url: str
) -> None:
    engine = create_engine(sqlite_url)
    with session_factory(engine)() as session:
        west = session.scalar(select(Site).where(Site.code == "west"))
        assert west is not None
        session.add(SiteClosedDate(site_id=west.id, day=DAY, reason="盘点"))
        session.commit()
    engine.dispose()
    done = until(client, ask(client), "done")
    by_reason = {u["shipment_id"]: u for u in done["unplanned"]}
    assert set(by_reason) == {"t-hold-west-east", "t-rebalance-east-west"}
    hold = by_reason["t-hold-west-east"]
    assert (hold["reason"], hold["kind"], hold["transfers"]) == ("site_closed", "hold", 1)
    assert hold["reason_zh"] == "站点当日闭馆，延后"
    assert hold["reason_en"] == "a site is closed that day: deferred"
    assert "west" in hold["detail"] and DAY.isoformat() in hold["detail"]
    assert done["planned_transfers"] == 1 and done["deferred_transfers"] == 2
    no_patron_data(done)


def test_the_event_stream_pushes_progress_and_ends_with_the_plan(
    client: TestClient, worker: subprocess.Popen[bytes]
) -> None:
    plan_id = ask(client, time_limit=3)
    events: list[tuple[int, str, dict[str, Any]]] = []
    with client.stream("GET", f"/plans/{plan_id}/events", headers=bearer("planner")) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        fields: dict[str, str] = {}
        for line in stream.iter_lines():
            if line.startswith(":"):
                continue  # keep-alive
            if not line:
                events.append((int(fields["id"]), fields["event"], json.loads(fields["data"])))
                fields = {}
                continue
            name, _, value = line.partition(": ")
            fields[name] = value
    assert events[-1][1] == "done" and events[-1][2]["status"] == "done"
    assert {e[1] for e in events[:-1]} <= {"progress"} and len(events) >= 3
    ids = [e[0] for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    progress = [e[2]["progress"] for e in events if e[2]["status"] == "running"]
    assert progress == sorted(progress) and any(0 < p < 1 for p in progress)
    assert {e[2]["phase"] for e in events} >= {"solving", "recording"}

    # A client that saw the end and reconnects gets nothing more.
    last = str(ids[-1])
    again = client.get(
        f"/plans/{plan_id}/events", headers={**bearer("planner"), "Last-Event-ID": last}
    )
    assert again.status_code == 200 and again.text == ""


def test_a_queued_plan_is_cancelled_at_once_and_a_finished_one_cannot_be(
    client: TestClient, transfer_ids: list[int]
) -> None:
    plan_id = ask(client)  # no worker: it stays queued
    response = client.post(f"/plans/{plan_id}/cancel", headers=bearer("admin"))
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = client.post(f"/plans/{plan_id}/cancel", headers=bearer("dispatcher"))
    assert again.status_code == 409 and "already ended" in again.json()["detail"]
    assert client.post("/plans/999/cancel", headers=bearer("dispatcher")).status_code == 404


def test_a_waiting_plan_with_no_worker_makes_the_health_check_fail(
    client: TestClient, transfer_ids: list[int]
) -> None:
    ask(client)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"]["ok"] is False
    assert "shuyun worker" in response.json()["worker"]["detail"]


def test_a_running_plan_is_cancelled_at_its_workers_next_heartbeat(
    client: TestClient, worker: subprocess.Popen[bytes]
) -> None:
    plan_id = ask(client, time_limit=30)
    wait_for(lambda: plan_of(client, plan_id)["phase"] == "solving", timeout=60, every=0.1)
    response = client.post(f"/plans/{plan_id}/cancel", headers=bearer("dispatcher"))
    assert response.status_code == 200 and response.json()["cancel_requested"] is True
    ended = until(client, plan_id, "cancelled", timeout=10)
    assert ended["routes"] == [] and "solving" in ended["error"]


def test_a_newer_plan_of_the_day_supersedes_the_older_and_both_are_kept(
    client: TestClient, worker: subprocess.Popen[bytes]
) -> None:
    first = until(client, ask(client), "done")
    second = until(client, ask(client), "done")
    older = plan_of(client, first["id"])
    assert older["superseded_by"] == second["id"] and older["routes"]  # history kept
    assert plan_of(client, second["id"])["superseded_by"] is None
    listed = client.get(f"/plans?date={DAY.isoformat()}", headers=bearer("dispatcher")).json()
    assert [p["id"] for p in listed["items"]] == [second["id"], first["id"]]
    mine = client.get(f"/me/route?date={DAY.isoformat()}", headers=bearer("driver"))
    assert mine.status_code == 200 and mine.json()["plan_id"] == second["id"]


def test_a_driver_reads_only_their_own_vans_route(
    client: TestClient, worker: subprocess.Popen[bytes]
) -> None:
    done = until(client, ask(client), "done")
    (route,) = done["routes"]
    assert route["van"] == "van-1" and route["driver"] == "driver"
    plan_id = done["id"]
    own = client.get(f"/plans/{plan_id}/routes/van-1", headers=bearer("driver"))
    assert own.status_code == 200 and own.json()["stops"] == route["stops"]
    other = client.get(f"/plans/{plan_id}/routes/van-2", headers=bearer("driver"))
    assert other.status_code == 403 and "van-1" in other.json()["detail"]
    mine = client.get(f"/me/route?date={DAY.isoformat()}", headers=bearer("driver"))
    assert mine.status_code == 200 and mine.json() == own.json()
    no_patron_data(mine.json())
    stayed_home = client.get(f"/plans/{plan_id}/routes/van-2", headers=bearer("planner"))
    assert stayed_home.status_code == 404
    nothing = client.get(
        f"/me/route?date={(DAY + timedelta(days=5)).isoformat()}", headers=bearer("driver")
    )
    assert nothing.status_code == 404 and "no plan done" in nothing.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2026-13-01"}, "date"),
        ({"date": "tomorrow"}, "date"),
        ({"date": "2026-12-01", "time_limit": 0}, "time_limit"),
        ({"date": "2026-12-01", "time_limit": 7200}, "time_limit"),
        ({"date": "2026-12-01", "seed": -1}, "seed"),
        ({"date": "2026-12-01", "vans": 3}, "vans"),
    ],
)
def test_a_bad_plan_request_is_refused_naming_the_field(
    client: TestClient, body: dict[str, object], field: str
) -> None:
    response = client.post("/plans", json=body, headers=bearer("dispatcher"))
    assert response.status_code == 422
    assert field in {str(part) for e in response.json()["detail"] for part in e["loc"]}


def test_an_unknown_plan_is_not_found(client: TestClient) -> None:
    for path in ("/plans/999", "/plans/999/events", "/plans/999/routes/van-1"):
        response = client.get(path, headers=bearer("dispatcher"))
        assert response.status_code == 404, path


ROUTES = [
    ("POST", "/plans"),
    ("GET", "/plans"),
    ("GET", "/plans/1"),
    ("POST", "/plans/1/cancel"),
    ("GET", "/plans/1/events"),
    ("GET", "/plans/1/routes/van-1"),
    ("GET", "/me/route?date=2026-12-01"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_plan_route_needs_a_valid_token(client: TestClient, method: str, path: str) -> None:
    body = {"date": "2026-12-01"} if method == "POST" else None
    assert client.request(method, path, json=body).status_code == 401
    response = client.request(method, path, json=body, headers=expired("dispatcher"))
    assert response.status_code == 401


FORBIDDEN = [
    ("POST", "/plans", ("planner", "driver", "desk.east")),
    ("GET", "/plans", ("driver", "desk.east")),
    ("GET", "/plans/1", ("driver", "desk.west")),
    ("POST", "/plans/1/cancel", ("planner", "driver", "desk.east")),
    ("GET", "/plans/1/events", ("driver", "desk.east")),
    ("GET", "/plans/1/routes/van-1", ("desk.east",)),
    ("GET", "/me/route?date=2026-12-01", ("dispatcher", "planner", "admin", "desk.east")),
]


@pytest.mark.parametrize(("method", "path", "users"), FORBIDDEN)
def test_every_plan_route_refuses_the_wrong_roles(
    client: TestClient, method: str, path: str, users: tuple[str, ...]
) -> None:
    body = {"date": "2026-12-01"} if method == "POST" else None
    for user in users:
        response = client.request(method, path, json=body, headers=bearer(user))
        assert response.status_code == 403, (user, response.text)
