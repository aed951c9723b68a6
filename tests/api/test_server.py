"""The real server: ``shuyun serve`` (uvicorn, two worker processes) on 127.0.0.1, and desks
in separate processes returning the same copies at the same moment. Each copy's returns end
in one success and clear 409s, never a raw database error, on SQLite and on PostgreSQL.

Loopback only, a free port, every wait bounded; the server is stopped at the end.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from service_seed import SECRET, password, seed_engine
from sqlalchemy import make_url

from catalog.db import create_engine, upgrade

ROOT = Path(__file__).resolve().parents[2]
DESKS_PER_COPY = 3
COPIES = {"E1": "east", "C1": "central", "W1": "west"}
"""The copies returned at once, each at its home site (so each success shelves it there)."""

# One desk: wait for the common start, return the copy, print the status and the answer.
DESK = """
import json, sys, time
import httpx
base, token, barcode, site, start = sys.argv[1:6]
with httpx.Client(base_url=base, timeout=30) as client:
    time.sleep(max(0.0, float(start) - time.time()))
    r = client.post("/returns", json={"barcode": barcode, "site_code": site},
                    headers={"Authorization": "Bearer " + token})
print(json.dumps({"status": r.status_code, "body": r.json()}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server_sqlite(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    engine = create_engine(url)
    upgrade(engine)
    seed_engine(engine)
    engine.dispose()
    return url


@pytest.fixture
def server_postgres() -> Iterator[str]:
    base = os.environ.get("SHUYUN_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        if os.environ.get("CI") == "true":
            pytest.fail("SHUYUN_DATABASE_URL names no PostgreSQL database; CI must run it")
        pytest.skip("SHUYUN_DATABASE_URL names no PostgreSQL database")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    text_url = url.render_as_string(hide_password=False)
    engine = create_engine(text_url)
    upgrade(engine)
    seed_engine(engine)
    engine.dispose()
    yield text_url
    with admin.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


def _serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SHUYUN_DATABASE_URL": url,
        "SHUYUN_AUTH__SECRET_KEY": SECRET,
        "SHUYUN_SOLVER__WORKERS": "0",  # no plan worker: this is about the desks
        "PYTHONPATH": str(ROOT),
    }
    env.pop("SHUYUN_DATABASE__URL", None)
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers stop with it
        )


def _wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"server exited {server.returncode}:\n{log.read_text()}")
        try:
            httpx.get(f"{base}/healthz", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"server not up within 60 s:\n{log.read_text()}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def _desks_return_at_once(base: str, token: str) -> list[dict[str, object]]:
    start = time.time() + 4  # every desk process started and waiting by then
    desks = [
        subprocess.Popen(
            [sys.executable, "-c", DESK, base, token, barcode, site, str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for barcode, site in COPIES.items()
        for _ in range(DESKS_PER_COPY)
    ]
    answers = []
    for desk, barcode in zip(
        desks, [b for b in COPIES for _ in range(DESKS_PER_COPY)], strict=True
    ):
        out, err = desk.communicate(timeout=90)
        assert desk.returncode == 0, err.decode()
        answers.append({"barcode": barcode, **json.loads(out)})
    return answers


def _run(url: str, tmp_path: Path) -> list[dict[str, object]]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    server = _serve(url, port, log)
    try:
        _wait_until_up(base, server, log)
        with httpx.Client(base_url=base, timeout=30) as client:
            signed = client.post(
                "/auth/token", data={"username": "admin", "password": password("admin")}
            )
            assert signed.status_code == 200, signed.text
            token = signed.json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            for barcode, site in COPIES.items():
                card = "6100000000004321"
                lent = client.post(
                    "/loans",
                    json={"barcode": barcode, "card_number": card, "site_code": site},
                    headers=auth,
                )
                assert lent.status_code == 201, lent.text
        answers = _desks_return_at_once(base, token)
        with httpx.Client(base_url=base, timeout=30) as client:
            for barcode in COPIES:
                item = client.get(f"/items/{barcode}", headers=auth).json()
                assert item["status"] == "available", item
    finally:
        _stop(server)
    assert "Traceback" not in log.read_text(), log.read_text()
    return answers


def _check(answers: list[dict[str, object]]) -> None:
    for barcode in COPIES:
        mine = [a for a in answers if a["barcode"] == barcode]
        assert Counter(a["status"] for a in mine) == {200: 1, 409: DESKS_PER_COPY - 1}, mine
        for refused in (a for a in mine if a["status"] == 409):
            body = refused["body"]
            assert isinstance(body, dict)
            assert body["field"] == "barcode" and body["value"] == barcode
            assert "item is not on loan (available)" in body["detail"]


@pytest.mark.slow
def test_desks_returning_one_copy_at_once_on_sqlite(server_sqlite: str, tmp_path: Path) -> None:
    _check(_run(server_sqlite, tmp_path))


@pytest.mark.slow
@pytest.mark.postgres
def test_desks_returning_one_copy_at_once_on_postgres(server_postgres: str, tmp_path: Path) -> None:
    _check(_run(server_postgres, tmp_path))


# --- crates: desks packing into one crate, vans scanning it, all at the same moment --------

# One desk or van: wait for the common start, POST the body, print the status and the answer.
POST_AT_ONCE = """
import json, sys, time
import httpx
base, token, path, body, start = sys.argv[1:6]
with httpx.Client(base_url=base, timeout=30) as client:
    time.sleep(max(0.0, float(start) - time.time()))
    r = client.post(path, json=json.loads(body), headers={"Authorization": "Bearer " + token})
print(json.dumps({"status": r.status_code, "body": r.json()}))
"""
HOMES_EAST = ("E1", "E2", "E3")
"""Copies of 三体 at home at east, lent there and returned at west at the same moment."""


def _add_copies_at_east(url: str, barcodes: tuple[str, ...]) -> None:
    from sqlalchemy import select

    from catalog.db import session_factory
    from catalog.models import Item, Record, Site

    engine = create_engine(url)
    try:
        with session_factory(engine)() as session:
            record = session.scalars(select(Record).where(Record.title == "三体")).one()
            east = session.scalars(select(Site).where(Site.code == "east")).one()
            for barcode in barcodes:
                session.add(
                    Item(
                        barcode=barcode,
                        record=record,
                        home_site_id=east.id,
                        current_site_id=east.id,
                    )
                )
            session.commit()
    finally:
        engine.dispose()


def _post_at_once(base: str, calls: list[tuple[str, str, dict[str, str]]]) -> list[dict]:
    """POST each ``(token, path, body)`` from its own process, all at the same moment."""
    start = time.time() + 3  # every process started and waiting by then
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", POST_AT_ONCE, base, token, path, json.dumps(body), str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for token, path, body in calls
    ]
    answers = []
    for proc in procs:
        out, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err.decode()
        answers.append(json.loads(out))
    return answers


def _token(client: httpx.Client, username: str) -> str:
    signed = client.post("/auth/token", data={"username": username, "password": password(username)})
    assert signed.status_code == 200, signed.text
    return str(signed.json()["access_token"])


def _run_crates(url: str, tmp_path: Path) -> None:
    _add_copies_at_east(url, HOMES_EAST[1:])
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    server = _serve(url, port, log)
    try:
        _wait_until_up(base, server, log)
        with httpx.Client(base_url=base, timeout=30) as client:
            tokens = {u: _token(client, u) for u in ("admin", "desk.west", "desk.east", "driver")}
            admin = {"Authorization": f"Bearer {tokens['admin']}"}
            for barcode in HOMES_EAST:
                lent = client.post(
                    "/loans",
                    json={
                        "barcode": barcode,
                        "card_number": "6100000000004321",
                        "site_code": "east",
                    },
                    headers=admin,
                )
                assert lent.status_code == 201, lent.text
        returns = _post_at_once(
            base,
            [
                (tokens["desk.west"], "/returns", {"barcode": b, "site_code": "west"})
                for b in HOMES_EAST
            ],
        )
        assert [r["status"] for r in returns] == [200] * len(HOMES_EAST), returns
        crates = {r["body"]["crate_id"] for r in returns}
        assert len(crates) == 1, returns  # one open crate west → east, not one per desk
        (code,) = crates
        for step, site, user, state in [
            ("pickup", "west", "admin", "in_transit"),  # a driver: only on a route
            ("drop", "east", "desk.east", "delivered"),
        ]:
            scans = _post_at_once(
                base, [(tokens[user], f"/crates/{code}/{step}", {"site_code": site})] * 3
            )
            assert [s["status"] for s in scans] == [200] * 3, scans
            assert {s["body"]["status"] for s in scans} == {state}, scans
            assert all(s["body"] == scans[0]["body"] for s in scans), scans  # the same state
        with httpx.Client(base_url=base, timeout=30) as client:
            page = client.get("/transfers?destination=east", headers=admin).json()
            assert page["total"] == len(HOMES_EAST)
            for transfer in page["items"]:
                detail = client.get(f"/transfers/{transfer['id']}", headers=admin).json()
                steps = Counter(e["status"] for e in detail["events"])
                assert (steps["picked_up"], steps["delivered"]) == (1, 1), detail
    finally:
        _stop(server)
    assert "Traceback" not in log.read_text(), log.read_text()


@pytest.mark.slow
def test_desks_and_vans_filling_and_scanning_one_crate_at_once_on_sqlite(
    server_sqlite: str, tmp_path: Path
) -> None:
    _run_crates(server_sqlite, tmp_path)


@pytest.mark.slow
@pytest.mark.postgres
def test_desks_and_vans_filling_and_scanning_one_crate_at_once_on_postgres(
    server_postgres: str, tmp_path: Path
) -> None:
    _run_crates(server_postgres, tmp_path)
