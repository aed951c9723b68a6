"""A call run in a child process and stopped at a deadline.

A solver's time limit is checked between its iterations: an iteration on a big day may
take seconds, past any deadline. Run in a forked child, the call is stopped where it
stands when the deadline comes (``SIGKILL``), and what it would have returned is lost,
not the budget. Where no child may be started (a daemonic pool worker), the call runs here.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class ChildFailed(Exception):
    """The call raised in the child: its ``repr`` is the message."""


def call_until(fn: Callable[[], T], deadline: float) -> T | None:
    """``fn()`` in a child process, or ``None`` if it has not returned by ``deadline``
    (``time.perf_counter()``). Raises ``ChildFailed`` when ``fn`` raised."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    try:
        child = context.Process(target=_run, args=(fn, send))
        child.start()
    except (AssertionError, OSError):
        receive.close()
        send.close()
        return fn()  # no child allowed here: in this process, with the call's own limit
    send.close()
    try:
        if not receive.poll(max(0.0, deadline - time.perf_counter())):
            return None
        ok, value = receive.recv()
    except EOFError:
        return None  # the child ended without a word (killed, or out of memory)
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
    if not ok:
        raise ChildFailed(value)
    result: T = value
    return result


def _run(fn: Callable[[], Any], conn: Any) -> None:
    try:
        conn.send((True, fn()))
    except BaseException as exc:  # reported to the parent, which decides
        conn.send((False, repr(exc)))
