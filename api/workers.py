"""The plan workers as programs: ``shuyun worker`` runs one, ``shuyun serve`` starts its own.

:func:`run_worker` builds a :class:`dispatch.worker.Worker` from the one settings object
(the database, the street network, the solver section) and runs it until SIGTERM or
SIGINT, which kill its solve and give its job back to the queue. :class:`WorkerProcesses`
is what ``shuyun serve`` owns: ``settings.solver.workers`` child processes running
``shuyun worker``, stopped when the server stops (and stopping by themselves should the
server die first).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from api.stop_signals import stop_on_signals
from catalog.db import create_engine, session_factory
from dispatch.catalog_day import MatrixSource, SitePoint, StreetMatrices
from dispatch.worker import Worker, WorkerTimings
from settings import Settings, SettingsError, SolverSettings

__all__ = ["WorkerProcesses", "run_worker", "street_matrices", "worker_timings"]

STOP_SECONDS = 15.0
"""How long ``shuyun serve`` waits for its workers to give their jobs back."""


def worker_timings(solver: SolverSettings) -> WorkerTimings:
    """The worker's heartbeat, staleness and polling from the settings."""
    return WorkerTimings(
        heartbeat=solver.heartbeat_seconds,
        stale=solver.stale_seconds,
        poll=solver.poll_seconds,
        max_attempts=solver.max_attempts,
    )


class _NoStreetData:
    """A matrix source that says why there are no street matrices (each job fails so)."""

    def __init__(self, error: SettingsError) -> None:
        self.error = error

    def __call__(self, points: Sequence[SitePoint]) -> tuple[list[list[int]], list[list[int]]]:
        raise self.error


def street_matrices(settings: Settings) -> MatrixSource:
    """The Beilin street matrices of the settings' data folder (kept by this process)."""
    try:
        folder: Path = settings.data.beilin_dir
    except SettingsError as error:
        return _NoStreetData(error)
    return StreetMatrices(folder, depart_at=settings.solver.depart_at)


def run_worker(
    settings: Settings,
    *,
    matrices: MatrixSource | None = None,
    max_jobs: int | None = None,
    parent_pid: int | None = None,
) -> int:
    """Run a plan worker on ``settings.database.url`` until SIGTERM/SIGINT (or ``max_jobs``
    jobs, or the process ``parent_pid`` is gone); returns the number of jobs run.

    Parameters
    ----------
    matrices
        Travel matrices between the catalogue's sites (default: the street network's).
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    engine = create_engine(settings.database.url)
    worker = Worker(
        session_factory(engine),
        matrices=matrices if matrices is not None else street_matrices(settings),
        timings=worker_timings(settings.solver),
        circulation=settings.circulation,
    )

    try:
        with stop_on_signals(worker.stop):
            return worker.run(max_jobs=max_jobs, parent_pid=parent_pid)
    finally:
        engine.dispose()


class WorkerProcesses:
    """``count`` ``shuyun worker`` child processes of the server, on the same settings
    (they read the same ``SHUYUN_`` variables)."""

    def __init__(self, count: int, *, env: dict[str, str] | None = None) -> None:
        self.count = count
        self.env = env
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        """Start the workers (the database is already migrated by the server)."""
        command = [sys.executable, "-m", "api.cli", "worker", "--no-migrate"]
        command += ["--parent-pid", str(os.getpid())]
        self.processes = [subprocess.Popen(command, env=self.env) for _ in range(self.count)]

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Ask each worker to stop (SIGTERM: its job goes back to the queue), then kill
        the ones still running after ``timeout`` seconds."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes = []
