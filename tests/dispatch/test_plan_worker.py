"""The plan worker as a real process on a real database (SQLite, then PostgreSQL): a queued plan
is solved and recorded; a worker killed mid-solve loses nothing and plans nothing twice; two
workers never take the same job; cancels and stops end solves at once.

The workers are ``tests/plan_jobs.py`` run as a script (``api.workers.run_worker`` with
straight-line travel times), on the small named day of ``small_day`` with a fleet of two vans.
Every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from plan_jobs import ROOT, job_database, start_worker, stop_worker, wait_for, worker_env
from small_day import DAY, EVE, H, build_day
from sqlalchemy import Engine, func, select

from catalog.db import create_engine, session_factory
from catalog.fleet import VanSpec, create_van
from catalog.models import (
    Plan,
    PlanPhase,
    PlanStatus,
    PlanWorker,
    Transfer,
    TransferEvent,
    TransferKind,
    TransferStatus,
)
from catalog.plans import cancel, enqueue, get_plan, live_workers

pytestmark = pytest.mark.slow

ROUTES = [
    (TransferKind.hold, "west", "kiosk"),
    (TransferKind.hold, "central", "east"),
    (TransferKind.return_home, "east", "central"),
    (TransferKind.return_home, "kiosk", "west"),
    (TransferKind.new_stock, "central", "west"),
    (TransferKind.rebalance, "west", "east"),
]
"""Six shipments: a search of about five seconds (long enough to be interrupted)."""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The small day committed in a new database, with two vans and six transfers."""
    with job_database(request.param, tmp_path) as url:
        engine = create_engine(url)
        with session_factory(engine)() as session:
            day = build_day(session)
            for kind, origin, destination in ROUTES:
                day.transfer(kind, origin, destination, now=EVE)
            for code in ("van-1", "van-2"):
                spec = VanSpec("central", 40, 600, 8 * H, 18 * H, cost_per_km=2.0)
                create_van(session, code=code, spec=spec, staff="li.dispatch")
            session.commit()
        yield engine
        engine.dispose()


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def ask(engine: Engine, *, time_limit: float = 10, days: int = 0) -> int:
    with session_factory(engine)() as session:
        plan = enqueue(
            session, day=DAY + timedelta(days=days), time_limit=time_limit, staff="li.dispatch"
        )
        session.commit()
        return plan.id


def plan_row(engine: Engine, plan_id: int) -> Plan:
    with session_factory(engine)() as session:
        return get_plan(session, plan_id)


def status_is(engine: Engine, plan_id: int, *statuses: PlanStatus) -> Plan | None:
    plan = plan_row(engine, plan_id)
    return plan if plan.status in statuses else None


def solving(engine: Engine, plan_id: int) -> Plan | None:
    plan = plan_row(engine, plan_id)
    return plan if plan.phase is PlanPhase.solving and plan.status is PlanStatus.running else None


def planned_events(engine: Engine) -> Counter[int]:
    """How many times each transfer was recorded planned."""
    with session_factory(engine)() as session:
        rows = session.execute(
            select(TransferEvent.transfer_id, func.count())
            .where(TransferEvent.status == TransferStatus.planned)
            .group_by(TransferEvent.transfer_id)
        ).all()
    return Counter({transfer_id: count for transfer_id, count in rows})


def recorded_events(engine: Engine) -> Counter[int]:
    """How many times each transfer was recorded by a plan: planned, or deferred."""
    with session_factory(engine)() as session:
        rows = session.execute(
            select(TransferEvent.transfer_id, func.count())
            .where(
                (TransferEvent.status == TransferStatus.planned)
                | TransferEvent.note.startswith("deferred: ")
            )
            .group_by(TransferEvent.transfer_id)
        ).all()
    return Counter({transfer_id: count for transfer_id, count in rows})


def transfers(engine: Engine) -> list[Transfer]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(Transfer).order_by(Transfer.id)))


def test_a_queued_plan_is_solved_and_recorded_by_a_worker(database: Engine, tmp_path: Path) -> None:
    plan_id = ask(database, time_limit=5)
    worker = start_worker(url_of(database), tmp_path / "worker.log")
    try:
        done = wait_for(lambda: status_is(database, plan_id, PlanStatus.done), timeout=90)
    finally:
        assert stop_worker(worker) == 0, (tmp_path / "worker.log").read_text()
    assert done.progress == 1.0 and done.best_cost is not None and done.best_cost > 0
    assert done.attempts == 1 and done.error is None and done.problem is not None
    assert done.planned_transfers == len(ROUTES) and done.deferred_transfers == 0
    stops = [s for r in done.routes for s in r.stops]
    assert {t for s in stops if s.type == "pickup" for t in s.transfer_ids} == {
        t.id for t in transfers(database)
    }
    assert all(t.status is TransferStatus.planned for t in transfers(database))
    assert set(planned_events(database).values()) == {1}
    with session_factory(database)() as session:
        seen = session.execute(select(func.count()).select_from(Plan)).scalar()
    assert seen == 1


def test_a_worker_killed_mid_solve_loses_nothing_and_plans_nothing_twice(
    database: Engine, tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    plan_id = ask(database, time_limit=10)
    first = start_worker(url_of(database), log)
    wait_for(lambda: solving(database, plan_id), timeout=90, what="the solve to start")
    os.kill(first.pid, signal.SIGKILL)  # no clean-up of any kind
    first.wait(10)
    killed = plan_row(database, plan_id)
    assert killed.status is PlanStatus.running and killed.attempts == 1  # left as it was
    assert planned_events(database) == Counter()  # nothing recorded by the dead worker

    second = start_worker(url_of(database), log)
    try:
        done = wait_for(lambda: status_is(database, plan_id, PlanStatus.done), timeout=120)
    finally:
        assert stop_worker(second) == 0, log.read_text()
    assert done.attempts == 2 and done.worker_id != killed.worker_id
    events = planned_events(database)
    assert set(events) == {t.id for t in transfers(database)} and set(events.values()) == {1}


def test_two_workers_never_take_the_same_job(database: Engine, tmp_path: Path) -> None:
    plans = [ask(database, time_limit=2, days=n) for n in range(4)]  # one day each
    workers = [start_worker(url_of(database), tmp_path / f"w{n}.log") for n in range(2)]
    try:
        for plan_id in plans:
            wait_for(lambda p=plan_id: status_is(database, p, PlanStatus.done), timeout=180)
    finally:
        for worker in workers:
            stop_worker(worker)
    rows = [plan_row(database, p) for p in plans]
    assert [r.attempts for r in rows] == [1, 1, 1, 1]
    # The days share the transfers (their days are past, so each plan takes them all again):
    # every plan recorded each transfer exactly once, planned or deferred.
    assert set(recorded_events(database).values()) == {len(plans)}
    assert {r.worker_id for r in rows} <= {r.worker_id for r in rows if r.worker_id}


def test_a_cancel_ends_a_queued_plan_at_once_and_a_running_solve_at_its_heartbeat(
    database: Engine, tmp_path: Path
) -> None:
    queued = ask(database, days=1)
    with session_factory(database)() as session:
        assert cancel(session, queued, staff="zhao").status is PlanStatus.cancelled
        session.commit()

    running = ask(database, time_limit=30)
    worker = start_worker(url_of(database), tmp_path / "worker.log")
    try:
        wait_for(lambda: solving(database, running), timeout=90)
        with session_factory(database)() as session:
            cancel(session, running, staff="zhao")
            session.commit()
        ended = wait_for(
            lambda: status_is(database, running, PlanStatus.cancelled), timeout=10
        )  # a heartbeat is 0.3 s; the solve had 30 s to go
    finally:
        assert stop_worker(worker) == 0
    assert ended.error is not None and "solving" in ended.error
    assert ended.routes == [] and planned_events(database) == Counter()
    assert plan_row(database, queued).started_at is None  # never claimed


def test_a_stopped_worker_gives_its_job_back_and_another_finishes_it(
    database: Engine, tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    plan_id = ask(database, time_limit=30)
    worker = start_worker(url_of(database), log)
    wait_for(lambda: solving(database, plan_id), timeout=90)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(15) == 0, log.read_text()  # at once, not after the 30 s search
    back = plan_row(database, plan_id)
    assert back.status is PlanStatus.queued and back.attempts == 0 and back.claim_token is None

    again = start_worker(
        url_of(database),
        log,
    )
    try:
        done = wait_for(lambda: status_is(database, plan_id, PlanStatus.done), timeout=120)
    finally:
        stop_worker(again)
    assert done.attempts == 1


def live(engine: Engine) -> tuple[list[PlanWorker], PlanWorker | None]:
    with session_factory(engine)() as session:
        return live_workers(session, timeout=5)


def test_the_worker_command_stops_on_sigint(database: Engine, tmp_path: Path) -> None:
    """``shuyun worker`` itself (on the street network: no plan asked, so none loaded)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker"],
        cwd=ROOT,
        env=worker_env(url_of(database)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: live(database)[0], timeout=60, every=0.2, what="the worker to start")
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, out.decode()
    workers, last = live(database)
    assert workers == [] and last is not None and last.stopped_at is not None
