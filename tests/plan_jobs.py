"""Plan workers for the tests: real worker processes on a test's database, with the straight-line
travel times of :class:`CrowFlies` instead of the street network (which the slow tests use).

Run as a script it is a plan worker (``api.workers.run_worker``) on the ``SHUYUN_`` settings
of its environment, stopped by SIGTERM like ``shuyun worker``::

    PYTHONPATH=. python tests/plan_jobs.py

Imported, it starts such workers (:func:`start_worker`) and waits on the database
(:func:`wait_for`), every wait bounded.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(__file__).resolve()
SPEED = 8.0
"""Metres per second of the straight-line van (about 29 km/h)."""
_T = TypeVar("_T")


class CrowFlies:
    """Great-circle metres between sites, and seconds at :data:`SPEED`."""

    def __call__(self, points: Sequence[object]) -> tuple[list[list[int]], list[list[int]]]:
        metres = [
            [round(_haversine(a.lon, a.lat, b.lon, b.lat)) for b in points]  # type: ignore[attr-defined]
            for a in points
        ]
        return [[round(m / SPEED) for m in row] for row in metres], metres


def _haversine(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def worker_env(url: str, **solver: object) -> dict[str, str]:
    """The environment of a test worker on ``url``: quick heartbeats, the given solver
    settings (``SHUYUN_SOLVER__<NAME>``)."""
    env = {**os.environ, "SHUYUN_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    env.pop("SHUYUN_DATABASE__URL", None)
    values = {"heartbeat_seconds": 0.3, "stale_seconds": 3, "poll_seconds": 0.1, **solver}
    env.update({f"SHUYUN_SOLVER__{k.upper()}": str(v) for k, v in values.items()})
    return env


def start_worker(url: str, log: Path, **solver: object) -> subprocess.Popen[bytes]:
    """A worker process (this file as a script) on ``url``, logging to ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, str(SCRIPT)],
            cwd=ROOT,
            env=worker_env(url, **solver),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop_worker(process: subprocess.Popen[bytes], *, timeout: float = 20) -> int:
    """SIGTERM, then wait (kill after ``timeout``); the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def wait_for(
    check: Callable[[], _T | None], *, timeout: float = 60, every: float = 0.05, what: str = ""
) -> _T:
    """Ask ``check`` until it answers something, for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = check()
        if answer:
            return answer
        time.sleep(every)
    raise AssertionError(f"not within {timeout:g} s: {what or check}")


def main() -> None:  # pragma: no cover (a worker process)
    from api.workers import run_worker
    from settings import load_settings

    run_worker(load_settings(), matrices=CrowFlies())


if __name__ == "__main__":  # pragma: no cover
    sys.path.insert(0, str(ROOT))
    main()
