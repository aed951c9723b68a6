"""SIGTERM as a call from a watcher thread (``api.stop_signals``), in a process of its own
whose main thread goes in and out of ``Event.wait`` as the worker's loop does, thousands of
times a second: a handler that set the event itself would now and then wait on a lock its
own thread held, and the process would hang (the CI run of 2026-12-07 killed such a worker).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from plan_jobs import ROOT

CHILD = """
import sys, threading
from api.stop_signals import stop_on_signals

stopped, finished = threading.Event(), threading.Event()
callers = []

def stop():
    callers.append(threading.current_thread().name)
    stopped.set()

def read_end():
    sys.stdin.readline()
    finished.set()

with stop_on_signals(stop):
    threading.Thread(target=read_end, daemon=True).start()
    print("ready", flush=True)
    while not finished.is_set():
        stopped.wait(0.00001)
        stopped.clear()
print(len(callers), *sorted(set(callers)), flush=True)
"""


def test_a_storm_of_sigterms_never_hangs_the_loop_and_each_reaches_the_watcher() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == "ready"
        sent, end = 0, time.monotonic() + 2
        while time.monotonic() < end:
            child.send_signal(signal.SIGTERM)
            sent += 1
            time.sleep(0.0005)
        child.stdin.write("end\n")
        child.stdin.flush()
        out, _ = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 0, out
    calls, *threads = out.split()
    assert 1 <= int(calls) <= sent and threads == ["shuyun-stop-signals"], out


def test_the_previous_handlers_are_back_after_the_block() -> None:
    from api.stop_signals import stop_on_signals

    before = {n: signal.getsignal(n) for n in (signal.SIGTERM, signal.SIGINT)}
    wakeup = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(wakeup)
    with stop_on_signals(lambda: None):
        assert signal.getsignal(signal.SIGTERM) is not before[signal.SIGTERM]
    assert {n: signal.getsignal(n) for n in before} == before
    assert signal.set_wakeup_fd(wakeup) == wakeup
