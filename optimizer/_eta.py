"""The MIP adapter of the soft timing: the start time of each event of a fixed route.

VROOM's plan mode ("choose ETA", ``vroom -c``) times a route whose order is given, with
every time window soft: a task may start before its window (*lead time*) or after it
(*delay*), and so may the van leave before its shift or come back after it. The times are
chosen in three rounds, each keeping what the one before reached (as VROOM's two rounds
of its MIP do, made strictly lexicographic):

1. the least sum of violation seconds (lead times and delays);
2. then the shortest route (end minus start);
3. then the earliest events (the sum of the events' times, start and end aside).

Plans as far off their windows tie in round 1 however they split lead time and delay;
round 3 then takes the earliest. VROOM bounds how early a route may start by margins of
its own search (``choose_ETA.cpp``), so it may pick another plan of the same total
violation (a later start, with less lead time and more delay).

The events are the route's start, its visits and breaks, and its end, in order. Between
two events the later one starts no earlier than the earlier one's time plus its
``action`` (service); the travel of a leg, between two events that are not breaks, may be
split across the breaks between them (a break is taken on the road or at either end).
``lo`` and ``hi`` are hard bounds (VROOM's ``service_after``/``service_before``/
``service_at``); when they cannot all hold, ``EtaInfeasible`` is raised. The model is
VROOM's mixed-integer program (``src/algorithms/validation/mip.tex`` of VROOM-Project/
vroom: one integer time per event, a lead and a delay per soft bound, one Boolean per
window of an event with several), solved exactly by SCIP through OR-Tools'
``pywraplp``, one round after the other, each round's optimum kept as a constraint.
(CP-SAT took up to 10 s on some routes of 50 tasks with two windows each; SCIP takes
0.1 s at most on them, measured on a loaded machine.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ortools.linear_solver import pywraplp

ROUND_SECONDS = 10.0
"""Most wall-clock seconds of one round; a route's model is solved in milliseconds."""


class EtaInfeasible(Exception):
    """The hard bounds of a route's events contradict each other or its travel."""


@dataclass(frozen=True, slots=True)
class Event:
    """One event of the route, for the solver.

    ``windows`` bound the event's time softly (``()``: none); ``early``/``late`` are soft
    bounds of their own (the van's shift, for the start and the end); ``lo``/``hi`` are
    hard. ``action`` is the time the event takes from its time on; ``travel`` the driving
    from this event to the next event that is not a break (0 for breaks and the end).
    """

    action: int
    travel: int
    is_break: bool = False
    windows: tuple[tuple[int, int], ...] = ()
    early: int | None = None
    late: int | None = None
    lo: int | None = None
    hi: int | None = None


def choose_times(events: Sequence[Event]) -> list[int]:
    """The time of each event (see the module docstring for the order of the rounds).

    Raises
    ------
    EtaInfeasible
        The hard bounds (``lo``, ``hi``) cannot all be kept.
    """
    total = sum(e.action + e.travel for e in events)
    values = [
        v
        for e in events
        for v in (e.lo, e.hi, e.early, e.late, *(x for w in e.windows for x in w))
        if v is not None
    ]
    # Times relative to ``base``: UNIX timestamps would cost the solver its precision.
    base = max(0, min(values, default=0) - total)
    span = max(values, default=0) + total - base
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:  # pragma: no cover - OR-Tools' wheels ship SCIP
        raise RuntimeError("OR-Tools has no SCIP solver")
    solver.SetNumThreads(1)  # deterministic, and the machine is shared
    solver.set_time_limit(int(ROUND_SECONDS * 1000))
    times = [solver.IntVar(0, span, f"t{i}") for i in range(len(events))]
    violations: list[Any] = []
    for i, (event, t) in enumerate(zip(events, times, strict=True)):
        if event.lo is not None:
            solver.Add(t >= event.lo - base)
        if event.hi is not None:
            solver.Add(t <= event.hi - base)
        if i + 1 < len(events):
            solver.Add(times[i + 1] >= t + event.action)
        violations += _soft(solver, event, t, span, base)
    _legs(solver, events, times)
    rounds = [sum(violations), times[-1] - times[0], sum(times[1:-1])]
    exact = pywraplp.MPSolverParameters()
    exact.SetDoubleParam(exact.RELATIVE_MIP_GAP, 0.0)  # SCIP's default 1e-4 is a second here
    chosen: list[int] = []
    for k, objective in enumerate(rounds):
        solver.Minimize(objective)
        status = solver.Solve(exact)
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            raise EtaInfeasible("the route's fixed times cannot all be kept")
        chosen = [round(t.solution_value()) + base for t in times]
        if k + 1 < len(rounds):
            # Keep this round's optimum (integral: half a second of slack is none).
            solver.Add(objective <= solver.Objective().Value() + 0.5)
    return chosen


def _soft(solver: pywraplp.Solver, event: Event, t: Any, span: int, base: int) -> list[Any]:
    """The violation variables of one event: the lead before its ``early`` and the delay
    after its ``late``; the lead and the delay from the window it is given, VROOM's way
    (the chosen window's ends as sums of Booleans, one per window, exactly one true)."""
    out = []
    if event.early is not None:
        lead = solver.NumVar(0, span, "")
        solver.Add(lead >= event.early - base - t)
        out.append(lead)
    if event.late is not None:
        delay = solver.NumVar(0, span, "")
        solver.Add(delay >= t - (event.late - base))
        out.append(delay)
    if event.windows:
        lead, delay = solver.NumVar(0, span, ""), solver.NumVar(0, span, "")
        if len(event.windows) == 1:
            ((early, late),) = event.windows
            solver.Add(lead >= early - base - t)
            solver.Add(delay >= t - (late - base))
        else:
            flags = [solver.BoolVar("") for _ in event.windows]
            solver.Add(sum(flags) == 1)
            pairs = list(zip(event.windows, flags, strict=True))
            solver.Add(lead >= sum((early - base) * x for (early, _), x in pairs) - t)
            solver.Add(delay >= t - sum((late - base) * x for (_, late), x in pairs))
        out += [lead, delay]
    return out


def _legs(solver: pywraplp.Solver, events: Sequence[Event], times: Sequence[Any]) -> None:
    """Each leg's travel, between two events that are not breaks, fits in the time
    between them left after their own actions (the breaks' included)."""
    previous = 0
    for i in range(1, len(events)):
        if events[i].is_break:
            continue
        busy = sum(e.action for e in events[previous:i])
        solver.Add(times[i] >= times[previous] + busy + events[previous].travel)
        previous = i
