"""``shuyun serve`` with its own plan worker (``SHUYUN_SOLVER__WORKERS`` at its default, 1), on
the real Beilin street network: a dispatcher signs in, asks for tomorrow's plan and gets it
done through the API alone; stopping the server stops its worker, whose job-free exit is
recorded. Loopback only, a free port, every wait bounded."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from plan_jobs import wait_for
from service_seed import SECRET, local_now, password, seed_engine, seed_plan_day
from sqlalchemy import select

from catalog.db import create_engine, session_factory, upgrade
from catalog.models import PlanWorker

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_serve_runs_its_worker_and_plans_the_day_on_the_streets(
    tmp_path: Path, beilin_dir: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'serve.sqlite'}"
    engine = create_engine(url)
    upgrade(engine)
    seed = seed_engine(engine)
    with session_factory(engine)() as session:
        seed_plan_day(session, seed)
        session.commit()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SHUYUN_DATABASE_URL": url,
        "SHUYUN_AUTH__SECRET_KEY": SECRET,
        "SHUYUN_DATA_DIR": str(beilin_dir),
        "SHUYUN_SOLVER__HEARTBEAT_SECONDS": "0.5",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("SHUYUN_DATABASE__URL", None)
    env.pop("SHUYUN_SOLVER__WORKERS", None)  # the default: one worker of its own
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        with httpx.Client(base_url=base, timeout=10) as client:

            def worker_up() -> dict[str, object] | None:
                if server.poll() is not None:
                    pytest.fail(f"server exited {server.returncode}:\n{log.read_text()}")
                try:
                    health = client.get("/healthz").json()
                except httpx.TransportError:
                    return None
                return health if health["worker"]["ok"] else None

            health = wait_for(worker_up, timeout=90, every=0.3, what="server and worker")
            assert health["status"] == "ok"
            signed = client.post(
                "/auth/token",
                data={"username": "dispatcher", "password": password("dispatcher")},
            )
            headers = {"Authorization": f"Bearer {signed.json()['access_token']}"}
            day = local_now().date() + timedelta(days=1)
            asked = client.post(
                "/plans", json={"date": day.isoformat(), "time_limit": 3}, headers=headers
            )
            assert asked.status_code == 202, asked.text
            plan_id = asked.json()["id"]

            def done() -> dict[str, object] | None:
                plan = client.get(f"/plans/{plan_id}", headers=headers).json()
                assert plan["status"] in ("queued", "running", "done"), plan
                return plan if plan["status"] == "done" else None

            plan = wait_for(done, timeout=180, every=0.5, what="the plan on the streets")
        assert plan["planned_transfers"] == 3
        (route,) = plan["routes"]  # type: ignore[misc]
        assert route["distance"] > 1000 and route["duration"] > 0  # metres on real streets
        assert route["stops"][-1]["distance"] == route["distance"]  # metres so far, at each
        with session_factory(engine)() as session:
            (worker,) = session.scalars(select(PlanWorker)).all()
        assert worker.plan_id is None and _alive(worker.pid)

        os.kill(server.pid, signal.SIGTERM)  # the server alone: it stops its worker
        server.wait(60)
        deadline = time.monotonic() + 30
        while _alive(worker.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(worker.pid), log.read_text()
        with session_factory(engine)() as session:
            stopped = session.get(PlanWorker, worker.id)
            assert stopped is not None and stopped.stopped_at is not None
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(60)
        engine.dispose()
