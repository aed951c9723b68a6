"""The plan worker: takes queued plans from the database one at a time, solves and records them.

One loop (:meth:`Worker.run`) per process (``shuyun worker``, or the ones ``shuyun serve``
starts). It claims the oldest queued job atomically (:func:`catalog.plans.claim_next`), then

1. reads the day from the catalogue and the street matrices, kept in this process
   (phases ``loading_network`` and ``building_day``);
2. solves it in a child process (:class:`dispatch.solver_process.SolverProcess`, phase
   ``solving``), so that a cancel, a stop or a lost claim ends the search at once: the
   child is killed with its own children (VROOM's). The phases before it cannot be cut; a
   cancel asked during them takes effect when they end;
3. records it in ONE transaction (phase ``recording``): the transfers planned or deferred,
   the plan's routes, stops and unplanned work, and the job done, and all of it only if
   the job still holds this worker's claim token and no cancel was asked, so a job taken
   back and re-run elsewhere is never recorded twice.

Meanwhile a thread stamps the job's heartbeat every ``heartbeat_seconds`` with its phase
and progress (the solve's share of its time limit as it runs), and learns from it whether
a cancel was asked or the job was taken back. Jobs ``running`` whose heartbeat is older
than ``stale_seconds`` (their worker was killed, or its machine stopped) are put back in
the queue at start-up and every few seconds after, by any worker; after ``max_attempts``
such losses a job fails with the reason. A worker asked to stop (SIGTERM, SIGINT) kills its
solve and gives its job back to the queue, this attempt not counted.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from catalog.db import write_with_retries
from catalog.errors import CirculationError
from catalog.models import PlanPhase
from catalog.plans import (
    Beat,
    Claim,
    claim_next,
    fail,
    finish,
    heartbeat,
    release,
    requeue_stale,
    stop_cancelled,
    worker_seen,
    worker_stopped,
)
from catalog.settings import CirculationSettings
from dispatch.catalog_day import DatePlan, MatrixSource, record_date, solve_date
from dispatch.errors import DispatchError
from dispatch.solver_process import SolveInterrupted, SolverProcess
from optimizer import ProblemError, SolveParams

__all__ = ["PHASE_PROGRESS", "Worker", "WorkerTimings", "record_job"]

log = logging.getLogger("shuyun.worker")

PHASE_PROGRESS: dict[PlanPhase, tuple[float, float]] = {
    PlanPhase.loading_network: (0.0, 0.1),
    PlanPhase.building_day: (0.1, 0.2),
    PlanPhase.solving: (0.2, 0.95),
    PlanPhase.recording: (0.95, 1.0),
}
"""The share of a job's progress each phase covers; the solve's grows with its elapsed time."""


def record_job(session: Session, claim: Claim, plan: DatePlan, *, now: Any = None) -> bool:
    """Record a claimed job's solved day and mark it done (flushed; the caller commits), or
    nothing (rolled back) when the job is no longer ``claim``'s or a cancel was asked.

    A new plan of the day moves the transfers onto its stops (or defers them with their
    reasons) as it is stored. A re-plan (``claim.parent_id``) is a proposal: the transfers
    follow it only once a dispatcher accepts it (:func:`catalog.plans.accept`), so its
    recording is worked out (the counts, who is still open) and rolled back.
    """
    if claim.parent_id is None:
        record = record_date(session, plan, staff=claim.requested_by, now=now)
    else:
        trial = session.begin_nested()
        record = record_date(session, plan, staff=claim.requested_by, now=now)
        trial.rollback()
    if not finish(session, claim, record, now=now):
        session.rollback()
        return False
    return True


@dataclass(frozen=True, slots=True)
class WorkerTimings:
    """How often the worker does what (seconds), from the settings' solver section."""

    heartbeat: float = 2.0
    stale: float = 30.0
    poll: float = 1.0
    max_attempts: int = 3


class _Job:
    """A running job as the worker's threads share it: its phase, and why to stop."""

    def __init__(self, claim: Claim) -> None:
        self.claim = claim
        self.phase: PlanPhase | None = None
        self.phase_began = time.monotonic()
        self.stop_reason: str | None = None
        self.finished = False
        self.changed = threading.Event()
        self.lock = threading.Lock()

    def enter(self, phase: str) -> None:
        if self.stop_reason is not None:
            raise SolveInterrupted(self.stop_reason)  # checked between phases
        with self.lock:
            self.phase = PlanPhase(phase)
            self.phase_began = time.monotonic()
        self.changed.set()

    def progress(self) -> tuple[PlanPhase | None, float]:
        with self.lock:
            phase, began = self.phase, self.phase_began
        if phase is None:
            return None, 0.0
        low, high = PHASE_PROGRESS[phase]
        if phase is PlanPhase.solving:
            share = min(1.0, (time.monotonic() - began) / max(self.claim.time_limit, 0.1))
            return phase, low + (high - low) * share
        return phase, low

    def stop(self, reason: str) -> None:
        if self.stop_reason is None:
            self.stop_reason = reason


class Worker:
    """One plan worker on the database of ``sessions``.

    Parameters
    ----------
    sessions
        Session factory of the catalogue (:func:`catalog.db.session_factory`).
    matrices
        Street matrices between the catalogue's sites (kept by it between jobs:
        :class:`dispatch.catalog_day.StreetMatrices`).
    timings
        Heartbeat, staleness and polling (from ``settings.solver``).
    circulation
        The catalogue's circulation settings.
    params
        Solver parameters for every job (None: the optimiser's defaults).
    worker_id
        Defaults to ``host:pid:random``.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        matrices: MatrixSource,
        timings: WorkerTimings | None = None,
        circulation: CirculationSettings | None = None,
        params: SolveParams | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.matrices = matrices
        self.timings = timings or WorkerTimings()
        self.circulation = circulation or CirculationSettings()
        self.params = params
        self.host = socket.gethostname()
        self.worker_id = worker_id or f"{self.host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.solver = SolverProcess()
        self.stopping = threading.Event()
        self._job: _Job | None = None
        self._last_requeue = 0.0

    # -- the loop -----------------------------------------------------------------------

    def stop(self) -> None:
        """Ask the loop to end: a running job's solve is killed and the job given back."""
        self.stopping.set()
        job = self._job
        if job is not None:
            job.stop("stopping")

    def run(self, *, max_jobs: int | None = None, parent_pid: int | None = None) -> int:
        """Take and run jobs until :meth:`stop` (or ``max_jobs`` jobs, or the process
        ``parent_pid`` is gone). Returns the number of jobs run."""
        done = 0
        try:
            self.solver.start()  # its imports done while the worker looks for work
            self._seen(None)
            self._requeue()
            while not self.stopping.is_set():
                if parent_pid is not None and os.getppid() != parent_pid:
                    log.warning("worker %s: parent %s gone, stopping", self.worker_id, parent_pid)
                    break
                self._requeue_now_and_then()
                claim = self._write(lambda s: claim_next(s, worker_id=self.worker_id))
                if claim is None:
                    self._seen(None)
                    self.stopping.wait(self.timings.poll)
                    continue
                self.run_job(claim)
                done += 1
                if max_jobs is not None and done >= max_jobs:
                    break
        finally:
            self.solver.close()
            self._write(lambda s: worker_stopped(s, worker_id=self.worker_id))
        return done

    def _write(self, work: Callable[[Session], Any]) -> Any:
        with self.sessions() as session:
            return write_with_retries(session, lambda: work(session))

    def _seen(self, plan_id: int | None) -> None:
        self._write(
            lambda s: worker_seen(
                s, worker_id=self.worker_id, host=self.host, pid=os.getpid(), plan_id=plan_id
            )
        )

    def _requeue(self) -> None:
        self._last_requeue = time.monotonic()
        changed = self._write(
            lambda s: requeue_stale(
                s, timeout=self.timings.stale, max_attempts=self.timings.max_attempts
            )
        )
        for plan_id, status in changed.items():
            log.warning("plan %s: its worker stopped answering; now %s", plan_id, status)

    def _requeue_now_and_then(self) -> None:
        if time.monotonic() - self._last_requeue >= self.timings.stale / 2:
            self._requeue()

    # -- one job --------------------------------------------------------------------------

    def run_job(self, claim: Claim) -> None:
        """Run one claimed job to its end: done, failed, cancelled, or given back."""
        job = _Job(claim)
        self._job = job
        if self.stopping.is_set():
            job.stop("stopping")
        beats = threading.Thread(target=self._beat, args=(job,), daemon=True)
        beats.start()
        log.info("plan %s (%s): claimed by %s", claim.plan_id, claim.day, self.worker_id)
        try:
            self._run(job)
        except SolveInterrupted as stop:
            self._interrupted(job, stop.reason)
        except (DispatchError, ProblemError, CirculationError, ValueError) as exc:
            # Bad input of the day (a site off the street network, a refused problem).
            self._fail(job, f"无法排班 / cannot plan the day: {exc}")
        except Exception as exc:
            log.error("plan %s failed:\n%s", claim.plan_id, traceback.format_exc())
            self._fail(job, f"内部错误 / internal error: {type(exc).__name__}: {exc}")
        finally:
            job.finished = True
            job.changed.set()
            beats.join()
            self._job = None
            if not self.stopping.is_set():
                self.solver.start()  # again at once, if a stop killed it

    def _run(self, job: _Job) -> None:
        claim = job.claim
        with self.sessions() as session:
            plan = solve_date(
                session,
                day=claim.day,
                time_limit=claim.time_limit,
                matrices=self.matrices,
                seed=claim.seed,
                params=self.params,
                settings=self.circulation,
                warm_start=claim.warm_start if isinstance(claim.warm_start, dict) else None,
                solver=lambda problem, **kwargs: self.solver.solve(
                    problem, **kwargs, should_stop=lambda: job.stop_reason
                ),
                on_phase=job.enter,
            )
            job.enter(PlanPhase.recording)
            stored = write_with_retries(session, lambda: self._record(session, job, plan))
        if stored:
            log.info("plan %s: done", claim.plan_id)
        else:
            self._interrupted(job, job.stop_reason or "lost")

    def _record(self, session: Session, job: _Job, plan: DatePlan) -> bool:
        """The transfers, the plan and "done" in one transaction, or nothing (rolled back)
        when the job is no longer this worker's or a cancel was asked."""
        return record_job(session, job.claim, plan)

    def _interrupted(self, job: _Job, reason: str) -> None:
        claim = job.claim
        if reason == "stopping":
            self._write(lambda s: release(s, claim))
            log.info("plan %s: given back to the queue (worker stopping)", claim.plan_id)
        elif reason == "cancel" or (reason == "lost" and self._cancel_pending(claim)):
            self._write(lambda s: stop_cancelled(s, claim, phase=job.phase))
            log.info("plan %s: cancelled", claim.plan_id)
        else:
            log.warning("plan %s: no longer this worker's; left alone", claim.plan_id)

    def _cancel_pending(self, claim: Claim) -> bool:
        return bool(self._write(lambda s: heartbeat(s, claim) is Beat.cancel))

    def _fail(self, job: _Job, error: str) -> None:
        log.warning("plan %s failed: %s", job.claim.plan_id, error)
        self._write(lambda s: fail(s, job.claim, error=error))

    def _beat(self, job: _Job) -> None:
        """The heartbeat thread: stamp the job, learn whether to stop, keep others' stale
        jobs moving."""
        while True:
            job.changed.wait(self.timings.heartbeat)
            job.changed.clear()
            if job.finished:
                return
            phase, progress = job.progress()
            try:
                beat = self._write(
                    functools.partial(heartbeat, claim=job.claim, phase=phase, progress=progress)
                )
                self._seen(job.claim.plan_id)
                self._requeue_now_and_then()
            except Exception:  # a database hiccup: try again at the next beat
                log.warning(
                    "plan %s: heartbeat failed:\n%s", job.claim.plan_id, traceback.format_exc()
                )
                continue
            if beat is Beat.cancel:
                job.stop("cancel")
            elif beat is Beat.lost:
                job.stop("lost")
