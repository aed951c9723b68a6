"""Workers in separate processes claiming queued plans at the same moment: every job is taken by
exactly one of them, on SQLite and on PostgreSQL."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from catalog.db import create_engine, session_factory, upgrade, write_with_retries
from catalog.models import Plan, PlanStatus
from catalog.plans import claim_next, enqueue

JOBS = 24
CLAIMERS = 4


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database whose commits are real, for several processes."""
    if request.param == "postgresql":
        yield request.getfixturevalue("fresh_postgres_engine")
        return
    engine = create_engine(f"sqlite:///{tmp_path / 'claims.sqlite'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def claimer(
    url: str,
    worker_id: str,
    start: threading.Barrier,
    out: multiprocessing.Queue,  # type: ignore[type-arg]
) -> None:
    """One worker: claim until the queue is empty, report the plan ids taken (or its error)."""
    engine = create_engine(url)
    taken: list[int] = []
    try:
        with session_factory(engine)() as session:
            session.execute(select(Plan.id).limit(1))  # connected before the start
            session.commit()
            # All start together however long each took to import (a busy machine).
            start.wait(timeout=120)
            while True:
                claim = write_with_retries(
                    session, lambda: claim_next(session, worker_id=worker_id)
                )
                if claim is None:
                    break
                taken.append(claim.plan_id)
                # A worker solves what it claimed before it asks again (and a writer that
                # just committed would otherwise win SQLite's write lock straight back).
                time.sleep(0.01)
        out.put((worker_id, taken))
    except Exception as exc:
        out.put((worker_id, f"{type(exc).__name__}: {exc}"))
    finally:
        engine.dispose()


def _url(engine: Engine) -> str:
    """The engine's URL, with its schema when on PostgreSQL (set by the fixture's options)."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        with engine.connect() as connection:
            schema = connection.exec_driver_sql("SHOW search_path").scalar()
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def test_each_queued_plan_is_claimed_by_exactly_one_worker(shared_engine: Engine) -> None:
    with session_factory(shared_engine)() as session:
        for n in range(JOBS):  # one day each, so that no job waits for another of its day
            enqueue(session, day=date(2026, 12, 1) + timedelta(days=n), time_limit=5, staff="li")
        session.commit()
    url = _url(shared_engine)
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    start = context.Barrier(CLAIMERS)
    processes = [
        context.Process(target=claimer, args=(url, f"w{n}", start, out)) for n in range(CLAIMERS)
    ]
    for process in processes:
        process.start()
    results = dict(out.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(30)

    errors = {w: r for w, r in results.items() if isinstance(r, str)}
    assert not errors
    taken = Counter(plan_id for ids in results.values() for plan_id in ids)
    assert sum(taken.values()) == JOBS and set(taken.values()) == {1}
    with session_factory(shared_engine)() as session:
        rows = session.execute(select(Plan.status, Plan.attempts, Plan.worker_id)).all()
    assert {(status, attempts) for status, attempts, _ in rows} == {(PlanStatus.running, 1)}
    assert {worker for _, _, worker in rows} <= set(results)
    assert sum(1 for ids in results.values() if ids) >= 2  # they did race
