"""Scenario sweeps on Dask (``dask.distributed``): each scenario one task, one frame back.

:func:`sweep` sends every :class:`~planning.scenarios.Scenario` to a Dask cluster as one task
(:func:`planning.scenarios.run_scenario`) and gathers the rows into one data frame, in the
order of the scenarios, with a progress bar while they run. The cluster is the caller's
``client``, or the scheduler at ``scheduler`` (an existing cluster: the entry points read
the address from the settings, ``SHUYUN_DASK__SCHEDULER``), or else a ``LocalCluster`` of
worker processes started for the sweep and stopped after it. The planner's code is the
same in all three.

The numbers do not depend on where a task ran: a scenario carries its seed, each day's
solve stops at a work limit (a number of solutions, not a time), and the catalogue is a
fresh SQLite database per task; :func:`serial` runs the same in this process, so the two
frames can be compared (:func:`same_numbers`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from planning.scenarios import Scenario, _check_names, compare, results_frame, run_scenario

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["SweepTiming", "same_numbers", "serial", "sweep", "timed_sweeps"]

_ROOT = Path(__file__).resolve().parents[1]
"""The repository: worker processes find the packages there (a notebook runs elsewhere)."""

LOCAL_WORKER_CONFIG = {"distributed.worker.profile.enabled": False}
"""Dask settings for the workers of a cluster started for the sweep. Dask's statistical
profiler samples each running task's stack every 10 ms, taking the GIL from the task each
time; nobody reads a sweep's profile, and the scenarios run measurably faster without it
(``benchmarks/RESULTS.md``). An existing cluster (``scheduler``) keeps its own settings."""


@contextmanager
def _client(client: Client | None, scheduler: str | None, workers: int | None) -> Iterator[Client]:
    """The caller's client, one connected to ``scheduler``, or a local cluster's."""
    # Imported here: ``import planning`` (the service's too) need not load distributed.
    import dask
    from distributed import Client, LocalCluster

    if client is not None:
        yield client
        return
    if scheduler is not None:
        with Client(scheduler) as connected:
            yield connected
        return
    path = os.pathsep.join(p for p in (str(_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    with (
        dask.config.set(LOCAL_WORKER_CONFIG),  # the nannies hand it to their workers
        LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,  # one solve per process: the optimiser is single-threaded
            processes=True,
            # Its HTTP routes on a free local port: a planner's own cluster often holds 8787.
            dashboard_address="127.0.0.1:0",
            env={"PYTHONPATH": path},
        ) as cluster,
        Client(cluster) as local,
    ):
        yield local


def sweep(
    scenarios: Sequence[Scenario],
    beilin_dir: str | Path,
    *,
    client: Client | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    show_progress: bool = True,
) -> pd.DataFrame:
    """Run ``scenarios`` on Dask, one task each; their rows as one frame.

    Parameters
    ----------
    scenarios
        What to run (distinct names).
    beilin_dir
        The shared ``beilin/`` folder, as the workers see it (``settings.data.beilin_dir``).
    client
        A connected :class:`distributed.Client` to use (left open).
    scheduler
        Else the address of an existing cluster's scheduler (``tcp://host:8786``).
    workers
        Else a ``LocalCluster`` of this many worker processes (default: one per core),
        one thread each, stopped at the end.
    show_progress
        Print a progress bar while the tasks run.

    Returns
    -------
    pandas.DataFrame
        As :func:`planning.scenarios.compare`: one row per scenario, in their order.

    Raises
    ------
    MonthError
        Two scenarios with the same name, or a scenario that cannot run (raised as the
        task raised it).
    """
    _check_names(scenarios)
    with _client(client, scheduler, workers) as dask:
        futures = dask.map(
            run_scenario,
            list(scenarios),
            beilin_dir=str(beilin_dir),
            key=[f"scenario-{n}-{s.name}" for n, s in enumerate(scenarios)],
            pure=False,
        )
        if show_progress:
            from distributed import progress

            progress(futures, notebook=False, interval="1s")
        rows = dask.gather(futures)
    return results_frame(rows)


def serial(scenarios: Sequence[Scenario], beilin_dir: str | Path) -> pd.DataFrame:
    """The same scenarios one after another in this process (:func:`compare`)."""
    return compare(scenarios, beilin_dir)


def same_numbers(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Whether two sweeps' frames hold the same rows, columns and values, exactly."""
    return a.shape == b.shape and bool(a.equals(b))


@dataclass(frozen=True, slots=True)
class SweepTiming:
    """A sweep run serially and on Dask: seconds each, and whether the numbers agree."""

    scenarios: int
    workers: int
    serial_s: float
    dask_s: float
    identical: bool
    frame: pd.DataFrame

    @property
    def speedup(self) -> float:
        return self.serial_s / self.dask_s if self.dask_s > 0 else float("nan")


def timed_sweeps(
    scenarios: Sequence[Scenario],
    beilin_dir: str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    show_progress: bool = False,
) -> SweepTiming:
    """Run ``scenarios`` serially, then on Dask (the cluster's start-up counted), and
    compare: the measure of :mod:`benchmarks.planning`'s sweep case and notebook 04."""
    started = time.perf_counter()
    alone = serial(scenarios, beilin_dir)
    serial_s = time.perf_counter() - started
    n_workers = workers or os.cpu_count() or 1
    started = time.perf_counter()
    spread = sweep(
        scenarios,
        beilin_dir,
        scheduler=scheduler,
        workers=n_workers,
        show_progress=show_progress,
    )
    dask_s = time.perf_counter() - started
    return SweepTiming(
        scenarios=len(scenarios),
        workers=n_workers,
        serial_s=round(serial_s, 3),
        dask_s=round(dask_s, 3),
        identical=same_numbers(alone, spread),
        frame=spread,
    )
