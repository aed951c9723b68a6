"""The solver child of a plan worker, run as a script (``python -P dispatch/_solver_child.py``)
so that it imports the optimiser alone, not the whole dispatch layer (the street network's
libraries take seconds to import).

It reads ``(problem, kwargs)`` pickles from file descriptor ``argv[1]`` and writes
``("ok", result)``, ``("problem", message)`` or ``("error", message)`` pickles to
``argv[2]``, until it reads ``None`` or the end of the pipe. When its worker (process
``argv[3]``) is gone it kills its own process group, its VROOM child with it: nobody would
read the answer.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
from typing import Any


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os.killpg(0, signal.SIGKILL)


def main(argv: list[str]) -> None:
    """Answer the worker's problems until it says stop."""
    read_fd, write_fd, parent = (int(a) for a in argv[1:4])
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    from optimizer import ProblemError, solve

    with os.fdopen(read_fd, "rb") as jobs, os.fdopen(write_fd, "wb") as answers:
        while True:
            try:
                job = pickle.load(jobs)
            except EOFError:
                return
            if job is None:
                return
            problem, kwargs = job
            try:
                answer: tuple[str, Any] = ("ok", solve(problem, **kwargs))
            except ProblemError as exc:
                answer = ("problem", str(exc))
            except Exception as exc:
                answer = ("error", f"{type(exc).__name__}: {exc}")
            try:
                pickle.dump(answer, answers)
                answers.flush()
            except (BrokenPipeError, OSError):
                return


if __name__ == "__main__":
    main(sys.argv)
