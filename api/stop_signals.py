"""SIGTERM and SIGINT as a call from a thread of their own, for the worker processes.

A Python signal handler runs in the main thread between two bytecodes, which may be while
that thread holds the lock of the very :class:`threading.Event` the handler would set
(``Event.wait`` takes its condition's lock back as it returns): a handler that set the
worker's stop event then waited on itself for ever, and the worker had to be killed. Here
the Python handler does nothing; the interpreter's wake-up file descriptor (written in C,
with no lock) carries the signal to a watcher thread, which makes the call.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from types import FrameType
from typing import Any

__all__ = ["STOP_SIGNALS", "stop_on_signals"]

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _nothing(_signum: int, _frame: FrameType | None) -> None:
    """A Python handler must be set for the wake-up descriptor to be written."""


@contextlib.contextmanager
def stop_on_signals(
    stop: Callable[[], None], numbers: tuple[signal.Signals, ...] = STOP_SIGNALS
) -> Iterator[None]:
    """Within the block, call ``stop`` from a watcher thread on each of ``numbers``.

    The previous handlers and wake-up descriptor are put back at the end. Only the main
    thread may enter (as for :func:`signal.signal`).
    """
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)  # the interpreter drops a byte rather than block
    wanted = {int(n) for n in numbers}

    def watch() -> None:
        while data := os.read(read_fd, 64):  # b"": the write end closed, the block left
            if wanted.intersection(data):
                stop()

    try:
        previous_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    except BaseException:
        os.close(read_fd)
        os.close(write_fd)
        raise
    watcher = threading.Thread(target=watch, name="shuyun-stop-signals", daemon=True)
    watcher.start()
    # The descriptor before the handlers, and back in the reverse order: a signal is never
    # caught by the do-nothing handler without reaching the watcher.
    previous = {n: signal.signal(n, _nothing) for n in numbers}
    try:
        yield
    finally:
        _restore(previous)
        signal.set_wakeup_fd(previous_fd)
        os.close(write_fd)
        watcher.join(5)
        os.close(read_fd)


def _restore(previous: Mapping[signal.Signals, Any]) -> None:
    for number, handler in previous.items():
        if handler is not None:  # None: not set from Python, nothing to put back
            signal.signal(number, handler)
