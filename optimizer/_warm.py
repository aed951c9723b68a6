"""The warm-start pipeline: a specialist solver's plan for OR-Tools to start from.

A ``WarmStarter`` is a specialist behind its adapter: it plans the screened problem by
its deadline, or declines (``None``) when it cannot express the problem. The starters are
tried in order, best first for what they can express; the first plan is used:

1. PyVRP (``optimizer._pyvrp``): one window per visit, no breaks (Li & Lim's kind); on a
   spare core VROOM plans beside PyVRP's first solve, and the cheaper first plan is where
   PyVRP's search goes on from;
2. VROOM (``optimizer._vroom``, run in a child process stopped at its deadline): several
   windows per visit (lunch closures), breaks, skills; then polished by PyVRP with each
   visit's window fixed, when the polish is cheaper by the search's measure.

Either library may be missing: the pipeline then has fewer starters, and OR-Tools may
search alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from optimizer._budget import Budget
from optimizer.model import PlannedRoute, Problem

# Imported here, not in the first solve: importing them (VROOM brings pandas) takes a
# few tenths of a second, which a first solve's budget would otherwise pay.
try:
    from optimizer import _pyvrp
except ImportError:  # pragma: no cover - PyVRP is a dependency; the pipeline copes without
    _pyvrp = None  # type: ignore[assignment]
try:
    from optimizer import _vroom
except ImportError:  # pragma: no cover
    _vroom = None  # type: ignore[assignment]

POLISH_SERVED = 0.9
"""A plan is polished only when it serves at least this share of the shipments."""

Judge = Callable[[Sequence[PlannedRoute]], int]
"""The search's objective of a plan (lower is better), to compare two plans."""


class WarmStarter(Protocol):
    """A specialist solver that plans a problem by a deadline, or declines."""

    @property
    def name(self) -> str: ...

    def plan(self, problem: Problem, budget: Budget, seed: int) -> list[PlannedRoute] | None:
        """Routes for ``problem`` by ``budget.deadline``; ``None`` to decline."""
        ...


class Polisher(Protocol):
    """Improves another solver's plan by a deadline."""

    @property
    def name(self) -> str: ...

    def polish(
        self, problem: Problem, routes: Sequence[PlannedRoute], budget: Budget, seed: int
    ) -> list[PlannedRoute] | None: ...


@dataclass(frozen=True, slots=True)
class WarmPlan:
    """What the pipeline found: the routes, who found them, and what the polish did."""

    routes: tuple[PlannedRoute, ...] = ()
    source: str = "none"
    polish: str = "none"
    seconds: float = 0.0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Polished:
    """A starter whose plan is then polished, within the same budget.

    The starter aims at all but ``share`` of the time to the budget's target (and may run
    to its deadline while it has no plan); the polisher gets what is left to the target;
    the polished plan is kept only when ``judge`` prices it lower.
    """

    starter: WarmStarter
    polisher: Polisher
    share: float
    judge: Judge
    log: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.starter.name

    def plan(self, problem: Problem, budget: Budget, seed: int) -> list[PlannedRoute] | None:
        first = budget.aiming((1 - self.share) * budget.aim_left())
        routes = self.starter.plan(problem, first, seed)
        served = sum(len(r.visits) for r in routes or ()) // 2
        if not routes or budget.aim_left() < 0.1 or served < POLISH_SERVED * len(problem.shipments):
            # PyVRP's local search puts what is missing in one at a time: on a plan that
            # leaves much out, one pass takes minutes (55 s with 560 of 800 missing).
            self.log.append("none")
            return routes
        try:
            polished = self.polisher.polish(problem, routes, budget.until(budget.aim), seed)
        except Exception as exc:  # the polish never costs the plan it was given
            self.log.append(f"{self.polisher.name} failed: {exc!r}")
            return routes
        if polished is None:
            self.log.append(f"{self.polisher.name} gave no plan (not in time, or not for this day)")
            return routes
        if polished and self.judge(polished) < self.judge(routes):
            self.log.append(f"{self.polisher.name} improved the warm start")
            return polished
        self.log.append(f"{self.polisher.name} found nothing better")
        return routes


def warm_plan(
    problem: Problem, budget: Budget, seed: int, starters: Sequence[WarmStarter]
) -> WarmPlan:
    """The first plan of ``starters`` for ``problem``, within ``budget``.

    A starter that fails is noted and the next one tried: a warm start never sinks a solve.
    """
    began = time.perf_counter()
    notes: list[str] = []
    source = "none (no warm-start solver can express the problem)"
    for starter in starters:
        if budget.expired():
            source = "none (no time left)"
            break
        try:
            routes = starter.plan(problem, budget, seed)
        except Exception as exc:  # a warm start must never sink the solve
            notes.append(f"{starter.name} warm start failed: {exc!r}")
            source = f"none ({starter.name} failed)"
            continue
        if routes:
            polish = starter.log[-1] if isinstance(starter, Polished) and starter.log else "none"
            return WarmPlan(
                tuple(routes),
                starter.name,
                polish,
                time.perf_counter() - began,
                tuple(notes),
            )
    return WarmPlan(source=source, seconds=time.perf_counter() - began, notes=tuple(notes))


def default_starters(judge: Judge, polish_share: float) -> list[WarmStarter]:
    """The specialists installed, in the order of the module docstring."""
    starters: list[WarmStarter] = []
    if _pyvrp is not None:
        beside = None if _vroom is None else _vroom.VroomStart().beside
        starters.append(_pyvrp.PyvrpStart(second=beside))
    if _vroom is None:
        return starters
    vroom: WarmStarter = _vroom.VroomStart()
    if _pyvrp is not None:
        vroom = Polished(vroom, _pyvrp.PyvrpPolish(), polish_share, judge)
    starters.append(vroom)
    return starters
