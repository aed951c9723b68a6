"""A solve in a child process of the worker, so that it can be stopped at once.

:class:`SolverProcess` keeps one child (``dispatch/_solver_child.py`` run as a script: a
process of its own, in a process group of its own, importing only the optimiser) that runs
:func:`optimizer.solve` for each problem it is sent, pickled over a pipe; its imports are
done once. A solve asked to stop is ended by killing the child's process group, VROOM's
own child with it, and the next solve starts a new child. The child watches its worker and
kills itself and its group when the worker is gone (killed with ``kill -9``, say).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from optimizer import PlannedRoute, Problem, ProblemError, Result, SolveParams

__all__ = ["SOLVE_GRACE", "SolveInterrupted", "SolverProcess"]

SOLVE_GRACE = 30.0
"""Seconds a solve may run past its time limit before the worker gives up on it."""
CHILD = Path(__file__).with_name("_solver_child.py")
ROOT = Path(__file__).resolve().parents[1]


class SolveInterrupted(Exception):
    """The solve was stopped: ``reason`` is ``cancel``, ``lost`` or ``stopping``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SolverProcess:
    """:func:`optimizer.solve` in a child process of the worker, kept between jobs (its
    imports done once) and killed, with its own children, when a solve must stop."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._jobs: IO[bytes] | None = None
        self._answers: IO[bytes] | None = None

    def start(self) -> None:
        """Start the child now (else the first solve does), so its imports are done."""
        if self._process is not None and self._process.poll() is None:
            return
        self.kill()
        job_read, job_write = os.pipe()
        answer_read, answer_write = os.pipe()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path[1:]])}
        self._process = subprocess.Popen(
            [sys.executable, "-P", str(CHILD), str(job_read), str(answer_write), str(os.getpid())],
            pass_fds=(job_read, answer_write),
            start_new_session=True,  # its own process group, killed as one
            env=env,
            stdin=subprocess.DEVNULL,
        )
        os.close(job_read)
        os.close(answer_write)
        self._jobs = os.fdopen(job_write, "wb")
        self._answers = os.fdopen(answer_read, "rb")

    def solve(
        self,
        problem: Problem,
        *,
        time_limit: float,
        seed: int,
        initial_routes: tuple[PlannedRoute, ...] | None = None,
        params: SolveParams | None = None,
        should_stop: Callable[[], str | None] = lambda: None,
    ) -> Result:
        """Solve in the child; ``should_stop`` is asked every tenth of a second.

        Raises
        ------
        SolveInterrupted
            ``should_stop`` gave a reason: the child was killed.
        ProblemError
            The problem is refused by the optimiser.
        RuntimeError
            The child failed, died or overran its time limit by :data:`SOLVE_GRACE`.
        """
        self.start()
        assert self._jobs is not None and self._answers is not None
        kwargs = {
            "time_limit": time_limit,
            "seed": seed,
            "initial_routes": initial_routes,
            "params": params,
        }
        try:
            pickle.dump((problem, kwargs), self._jobs)
            self._jobs.flush()
        except (BrokenPipeError, OSError):
            self.kill()
            raise RuntimeError("求解进程意外退出 / the solver process died") from None
        give_up = time.monotonic() + time_limit + SOLVE_GRACE
        while True:
            reason = should_stop()
            if reason is not None:
                self.kill()
                raise SolveInterrupted(reason)
            if time.monotonic() > give_up:
                self.kill()
                raise RuntimeError(
                    f"求解超时 / the solve ran {SOLVE_GRACE:g} s past its time limit: stopped"
                )
            ready, _, _ = select.select([self._answers], [], [], 0.1)
            if not ready:
                continue
            try:
                kind, value = pickle.load(self._answers)
            except (EOFError, OSError, pickle.UnpicklingError):
                self.kill()
                raise RuntimeError("求解进程意外退出 / the solver process died") from None
            if kind == "ok":
                assert isinstance(value, Result)
                return value
            if kind == "problem":
                raise ProblemError(value)
            raise RuntimeError(f"求解失败 / the solve failed: {value}")

    def kill(self) -> None:
        """Stop the child and its children now."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    process.kill()
            process.wait(10)
        for pipe in (self._jobs, self._answers):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        self._jobs = self._answers = None

    def close(self) -> None:
        """Let the child end (it is killed if it does not within a few seconds)."""
        process = self._process
        if process is not None and process.poll() is None and self._jobs is not None:
            try:
                pickle.dump(None, self._jobs)
                self._jobs.flush()
                process.wait(5)
            except (BrokenPipeError, OSError, subprocess.TimeoutExpired):
                pass
        self.kill()
