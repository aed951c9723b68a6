"""``shuyun demo``: a small demo day from circulation to route sheets, on the real Beilin
streets, built into the database of the settings (SQLite here, PostgreSQL below); a database
that holds data is refused unless ``--reset``, which says what it removes; the demo's vans are
the fleet's; one account per role; the served mode answers and stops on Ctrl-C."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url, select
from typer.testing import CliRunner

from api.cli import app
from api.demo import (
    DEMO_ROLES,
    DatabaseNotEmptyError,
    DemoReport,
    remove_shuyun_rows,
    run_demo,
    shown_url,
    shuyun_rows,
    summary_lines,
)
from catalog.db import create_engine, session_factory
from catalog.fleet import van_of_driver
from catalog.models import PlanStatus, Role, Transfer, TransferStatus
from catalog.plans import current_plan, get_plan
from catalog.settings import DatabaseSettings
from catalog.users import authenticate
from dispatch import vans_for_day
from settings import Settings

ROOT = Path(__file__).resolve().parents[2]
VAN_DAY = date(2026, 11, 27)
"""A Friday; circulation is simulated on Thursday."""
SMALL = ["--scale", "0.02", "--service-points", "5", "--vans", "2", "--time-limit", "2"]
"""The CLI's options for a small demo day."""
STALE = b"not a database"


def _demo(settings: Settings, out: Path, url: str) -> DemoReport:
    """Five service points, a catalogue of ~1,000 items, a 3-second solve, into ``url``."""
    return run_demo(
        settings.model_copy(update={"database": DatabaseSettings(url=url)}),
        out_dir=out,
        time_limit=3.0,
        seed=7,
        vans=2,
        service_points=5,
        scale=0.02,
        day=VAN_DAY,
    )


@pytest.fixture(scope="module")
def small_demo(
    tmp_path_factory: pytest.TempPathFactory, shuyun_settings: Settings
) -> tuple[DemoReport, Path, str]:
    out = tmp_path_factory.mktemp("demo")
    # The file where earlier demos kept their database: the demo must leave it alone.
    (out / "shuyun.sqlite").write_bytes(STALE)
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'shuyun.sqlite'}"
    return _demo(shuyun_settings, out, url), out, url


@pytest.mark.slow
def test_demo_writes_route_sheets_and_the_day(small_demo: tuple[DemoReport, Path, str]) -> None:
    report, out, _ = small_demo
    assert report.sheets[0] == out / "index.html"
    assert len(report.sheets) == 1 + len(report.result.routes) >= 2
    assert all(p.exists() and p.stat().st_size > 0 for p in report.sheets)
    assert (out / "problem.json").exists() and (out / "result.json").exists()
    assert len(report.sites) == 1 + 8 + 5
    assert (out / "shuyun.sqlite").read_bytes() == STALE


@pytest.mark.slow
def test_demo_shipments_come_from_circulation(small_demo: tuple[DemoReport, Path, str]) -> None:
    report, _, _ = small_demo
    assert report.simulation is not None and report.plan is not None
    assert report.simulation.day == date(2026, 11, 26)
    assert report.plan.day == VAN_DAY
    # Every transfer the day left open is in one shipment; shipments are named after them.
    assert report.plan.transfers == report.simulation.items_moved > 0
    assert set(report.plan.by_kind) == set(report.simulation.transfers_by_kind)
    assert all(s.id.startswith(f"t-{s.kind.value}-") for s in report.problem.shipments)
    assert len(report.problem.shipments) == len(report.plan.mapping)


@pytest.mark.slow
def test_demo_records_every_transfer_planned_or_deferred(
    small_demo: tuple[DemoReport, Path, str],
) -> None:
    report, _, url = small_demo
    assert report.plan is not None
    assert report.database == url
    assert report.unrecorded == 0
    engine = create_engine(url)
    try:
        with session_factory(engine)() as session:
            transfers = session.scalars(select(Transfer)).all()
    finally:
        engine.dispose()
    assert len(transfers) == report.plan.transfers
    vans = {v.id for v in report.problem.vans}
    for t in transfers:
        if t.status is TransferStatus.planned:
            assert t.van_id in vans and t.stop is not None and t.planned_for == VAN_DAY
        else:
            assert t.status is TransferStatus.requested
            assert t.deferred_reason, f"transfer {t.id} deferred without a reason"
    planned = sum(t.status is TransferStatus.planned for t in transfers)
    assert planned == report.plan.planned


@pytest.mark.slow
def test_the_demo_stores_its_plan_done_as_the_worker_does(
    small_demo: tuple[DemoReport, Path, str],
) -> None:
    report, _, url = small_demo
    assert report.plan is not None
    engine = create_engine(url)
    try:
        with session_factory(engine)() as session:
            plan = current_plan(session, VAN_DAY)
            assert plan is not None and plan.status is PlanStatus.done
            plan = get_plan(session, plan.id)
            assert plan.planned_transfers == report.plan.planned
            assert plan.deferred_transfers == report.plan.deferred
            assert [r.van_code for r in plan.routes] == [r.van for r in report.result.routes]
            assert plan.distance == report.result.summary.distance
            assert plan.problem is not None  # so that a dispatcher can edit it
    finally:
        engine.dispose()


@pytest.mark.slow
def test_the_demo_vans_are_the_fleet_a_later_plan_finds(
    small_demo: tuple[DemoReport, Path, str],
) -> None:
    report, _, url = small_demo
    engine = create_engine(url)
    try:
        with session_factory(engine)() as session:
            assert vans_for_day(session, VAN_DAY) == report.problem.vans
            driven = van_of_driver(session, "demo-driver")
            assert driven is not None and driven.code == report.result.routes[0].van
    finally:
        engine.dispose()
    assert [v.id for v in report.problem.vans] == ["van-1", "van-2"]


@pytest.mark.slow
def test_the_demo_makes_one_account_per_role_whose_password_signs_in(
    small_demo: tuple[DemoReport, Path, str],
) -> None:
    report, _, url = small_demo
    assert [a.role for a in report.accounts] == list(DEMO_ROLES)
    assert set(DEMO_ROLES) == set(Role)
    (branch,) = [a for a in report.accounts if a.role is Role.branch_staff]
    assert branch.site_code is not None and branch.site_code.startswith("branch-")
    assert len({a.password for a in report.accounts}) == len(report.accounts)
    engine = create_engine(url)
    try:
        with session_factory(engine)() as session:
            for account in report.accounts:
                user = authenticate(session, username=account.username, password=account.password)
                assert user is not None and user.role is account.role
    finally:
        engine.dispose()


@pytest.mark.slow
def test_demo_summary_counts_the_day(small_demo: tuple[DemoReport, Path, str]) -> None:
    report, _, _ = small_demo
    assert report.plan is not None
    text = "\n".join(summary_lines(report))
    assert f"待运 items to move: {report.plan.transfers} 件" in text
    assert f"已安排 planned: {report.plan.planned} 件" in text
    assert f"延后 deferred: {report.plan.deferred} 件" in text
    for kind, counts in report.plan.by_kind.items():
        assert f"{kind} {counts.transfers} 件/{counts.crates} 箱" in text


@pytest.mark.slow
def test_a_database_holding_data_is_refused_and_left_as_it_was(
    small_demo: tuple[DemoReport, Path, str], shuyun_settings: Settings, tmp_path: Path
) -> None:
    _, _, url = small_demo
    engine = create_engine(url)
    before = shuyun_rows(engine)
    with pytest.raises(DatabaseNotEmptyError) as raised:
        _demo(shuyun_settings, tmp_path, url)
    assert raised.value.rows["sites"] == 14 and raised.value.rows["users"] == len(DEMO_ROLES)
    assert shuyun_rows(engine) == before
    engine.dispose()
    result = CliRunner().invoke(
        app,
        ["demo", "--no-serve", "--out", str(tmp_path), *SMALL],
        env={"SHUYUN_DATABASE_URL": url},
    )
    assert result.exit_code == 2
    assert "数据库已有数据 / the database already holds data" in result.stderr
    assert "sites 14" in result.stderr and "--reset" in result.stderr
    assert not (tmp_path / "index.html").exists()


@pytest.mark.slow
def test_reset_says_what_it_removes_then_builds_the_day_again(
    small_demo: tuple[DemoReport, Path, str], tmp_path: Path
) -> None:
    _, _, url = small_demo
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(make_url(url).database or "", copy)
    copy_url = f"sqlite:///{copy}"
    engine = create_engine(copy_url)
    before = {t: n for t, n in shuyun_rows(engine).items() if n}
    engine.dispose()
    out = tmp_path / "sheets"
    result = CliRunner().invoke(
        app,
        ["demo", "--no-serve", "--reset", "--out", str(out), *SMALL],
        env={"SHUYUN_DATABASE_URL": copy_url},
    )
    assert result.exit_code == 0, result.output
    first, second, *rest = result.stdout.splitlines()
    assert first.startswith(f"--reset: 将删除 / removing from {copy_url}: ")
    for table, count in before.items():
        assert f"{table} {count}" in first
    assert second == f"--reset: 已删除 / removed {sum(before.values())} rows"
    assert (out / "index.html").exists()
    assert any(line.startswith("  demo-admin ") for line in rest)
    engine = create_engine(copy_url)
    assert shuyun_rows(engine)["sites"] == 14  # built again, not added to
    engine.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL naming a new, empty schema of the test PostgreSQL (dropped afterwards)."""
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
    yield url.render_as_string(hide_password=False)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_the_demo_builds_on_postgresql_and_reset_empties_only_shuyuns_rows(
    postgres_url: str, shuyun_settings: Settings, tmp_path: Path
) -> None:
    report = _demo(shuyun_settings, tmp_path, postgres_url)
    assert report.database == shown_url(postgres_url) and report.unrecorded == 0
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE not_ours (n integer)")
            connection.exec_driver_sql("INSERT INTO not_ours VALUES (1)")
        with pytest.raises(DatabaseNotEmptyError):
            _demo(shuyun_settings, tmp_path, postgres_url)
        removed = remove_shuyun_rows(engine)
        assert removed["sites"] == 14 and removed["vans"] == 2
        assert set(shuyun_rows(engine).values()) == {0}
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM not_ours").scalar() == 1
            assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    finally:
        engine.dispose()


# --- the served demo ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(log: Path, text: str, proc: subprocess.Popen[bytes], seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        content = log.read_text(encoding="utf-8", errors="replace")
        if text in content:
            return content
        if proc.poll() is not None:
            pytest.fail(f"demo exited {proc.returncode}:\n{content}")
        time.sleep(0.3)
    pytest.fail(f"{text!r} not printed within {seconds} s:\n{log.read_text()}")


@pytest.mark.slow
def test_the_served_demo_answers_with_its_accounts_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SHUYUN_DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite'}",
        "PYTHONPATH": str(ROOT),
    }
    for name in ("SHUYUN_AUTH__SECRET_KEY", "SHUYUN_DATABASE__URL"):
        env.pop(name, None)
    out, log = tmp_path / "out.log", tmp_path / "server.log"
    command = [sys.executable, "-m", "api.cli", "demo", "--out", str(tmp_path / "sheets")]
    with out.open("wb") as stdout, log.open("wb") as stderr:
        proc = subprocess.Popen(
            [*command, "--port", str(port), *SMALL],
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,  # its own process group, stopped whole if the test fails
        )
    try:
        printed = _wait_for(out, "服务 serving", proc, 300)
        assert "SHUYUN_AUTH__SECRET_KEY is unset" in printed
        accounts = dict(re.findall(r"^  (demo-\S+)\s+\S+\s+(\S+)", printed, re.MULTILINE))
        assert set(accounts) == {f"demo-{r.value}" for r in DEMO_ROLES}
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        assert health.json()["database"]["ok"] is True
        van_day = re.search(r"van day (\d{4}-\d{2}-\d{2})", printed)
        assert van_day is not None, printed
        with httpx.Client(base_url=base, timeout=30) as client:
            signed = client.post(
                "/auth/token",
                data={"username": "demo-dispatcher", "password": accounts["demo-dispatcher"]},
            )
            assert signed.status_code == 200, signed.text
            auth = {"Authorization": f"Bearer {signed.json()['access_token']}"}
            me = client.get("/auth/me", headers=auth).json()
            assert (me["username"], me["role"]) == ("demo-dispatcher", "dispatcher")
            unplanned = client.get("/transfers/unplanned", headers=auth)
            assert unplanned.status_code == 200
            # The served demo runs its plan worker: a dispatcher's new plan gets solved.
            job = client.post(
                "/plans", json={"date": van_day.group(1), "time_limit": 2}, headers=auth
            )
            assert job.status_code in (200, 201, 202), job.text
            plan = job.json()
            deadline = time.monotonic() + 120
            while plan["status"] not in ("done", "failed", "cancelled"):
                assert time.monotonic() < deadline, (plan, log.read_text())
                time.sleep(0.5)
                plan = client.get(f"/plans/{plan['id']}", headers=auth).json()
            assert plan["status"] == "done", plan
            assert client.get("/healthz").json()["worker"]["ok"] is True
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    assert "已停止 / stopped" in out.read_text(encoding="utf-8")
    assert "Traceback" not in log.read_text(encoding="utf-8"), log.read_text()
