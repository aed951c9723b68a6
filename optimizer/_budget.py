"""The wall-clock budget of one ``solve``: a deadline, and how fast this machine runs now.

Every stage of ``solve`` is given an absolute deadline (``time.perf_counter()``) cut from
one ``Budget``, never a number of seconds predicted from a table: a stage that cannot be
cut (VROOM's construction, building the OR-Tools model, timing the plan in Python) is
either run where it can be stopped (VROOM in a child process) or given time in proportion
to what the machine has shown it can do *now*. ``Budget.slowdown`` is that measure: wall
seconds per CPU second of a single-threaded stage run in this process (the alone test),
1.0 on an idle core and about 1.5 with two CPU-bound processes beside us on two cores.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

USEFUL_BASE_SECONDS = 2.0
USEFUL_SECONDS_PER_SHIPMENT = 0.5
"""Past ``USEFUL_BASE_SECONDS + USEFUL_SECONDS_PER_SHIPMENT * shipments`` no plan measured
got cheaper (the Beilin benchmark's 25 sites: the same cost at 5, 10 and 30 s; Li & Lim
100 at 10 s for about 53 shipments): a larger ``time_limit`` is cut to it, so a small
problem returns once the search has nothing left to do, whatever it was given."""

MIN_STAGE_SECONDS = 0.01


def useful_seconds(shipments: int) -> float:
    """The longest search worth running on a day of ``shipments`` (see above)."""
    return USEFUL_BASE_SECONDS + USEFUL_SECONDS_PER_SHIPMENT * shipments


@dataclass(frozen=True, slots=True)
class Budget:
    """A deadline on ``time.perf_counter()``'s clock and the machine's measured slowdown."""

    began: float
    deadline: float
    slowdown: float = 1.0
    target: float | None = None
    """When the stage should end if it can (a share of the budget, to leave time for what
    follows); ``deadline`` is when it must. A stage that has nothing yet to hand on (a
    specialist with no plan so far) may run past ``target``, never past ``deadline``."""

    @classmethod
    def start(cls, seconds: float, *, began: float | None = None) -> Budget:
        """A budget of ``seconds`` from ``began`` (now by default)."""
        began = time.perf_counter() if began is None else began
        return cls(began=began, deadline=began + seconds)

    @property
    def limit(self) -> float:
        return self.deadline - self.began

    def left(self) -> float:
        """Seconds until the deadline (0 once it has passed)."""
        return max(0.0, self.deadline - time.perf_counter())

    def elapsed(self) -> float:
        return time.perf_counter() - self.began

    def expired(self) -> bool:
        return time.perf_counter() >= self.deadline

    @property
    def aim(self) -> float:
        """``target`` if set, else ``deadline``."""
        return self.deadline if self.target is None else min(self.target, self.deadline)

    def aim_left(self) -> float:
        """Seconds until ``aim`` (0 once it has passed)."""
        return max(0.0, self.aim - time.perf_counter())

    def aiming(self, seconds: float) -> Budget:
        """This budget with a target ``seconds`` from now (its deadline unchanged)."""
        return dataclasses.replace(self, target=min(self.deadline, time.perf_counter() + seconds))

    def until(self, deadline: float) -> Budget:
        """The same clock and slowdown, ending at ``deadline`` (never later than this one)."""
        end = min(self.deadline, deadline)
        target = None if self.target is None else min(self.target, end)
        return dataclasses.replace(self, deadline=end, target=target)

    def within(self, seconds: float) -> Budget:
        """A budget ending ``seconds`` from now, or at this one's deadline if sooner."""
        return self.until(time.perf_counter() + max(0.0, seconds))

    def reserve(self, seconds: float) -> Budget:
        """This budget less ``seconds`` kept back at its end (and its target's)."""
        cut = max(0.0, seconds)
        target = None if self.target is None else self.target - cut
        return dataclasses.replace(self, deadline=self.deadline - cut, target=target)

    def measured(self, wall: float, cpu: float) -> Budget:
        """This budget with the slowdown seen over a single-threaded stage."""
        if wall <= 0.02 or cpu <= 0:
            return self  # too short to say anything
        return dataclasses.replace(self, slowdown=max(1.0, wall / cpu))

    def scaled(self, idle_seconds: float) -> float:
        """``idle_seconds`` of work measured on an idle core, at the current slowdown."""
        return idle_seconds * self.slowdown


class Stopwatch:
    """Wall and CPU seconds of a stage, for ``Budget.measured``."""

    def __init__(self) -> None:
        self.wall0 = time.perf_counter()
        self.cpu0 = time.thread_time()

    def wall(self) -> float:
        return time.perf_counter() - self.wall0

    def cpu(self) -> float:
        return time.thread_time() - self.cpu0
