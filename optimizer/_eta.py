"""The CP-SAT adapter of the soft timing: the start time of each event of a fixed route.

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
pure integers; OR-Tools' CP-SAT solves it exactly (a route's model is small: one integer
per event, one Boolean per window of an event with several).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

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
    low = max(0, min(values, default=0) - total)
    high = max(values, default=0) + total
    model = cp_model.CpModel()
    times = [model.new_int_var(low, high, f"t{i}") for i in range(len(events))]
    leads: list[cp_model.IntVar] = []
    delays: list[cp_model.IntVar] = []
    for i, (event, t) in enumerate(zip(events, times, strict=True)):
        if event.lo is not None:
            model.add(t >= event.lo)
        if event.hi is not None:
            model.add(t <= event.hi)
        if i + 1 < len(events):
            model.add(times[i + 1] >= t + event.action)
        _soft(model, event, t, high - low, i, leads, delays)
    _legs(model, events, times)
    spent = sum(leads) + sum(delays) if leads or delays else 0
    makespan = times[-1] - times[0]
    middle = sum(times[1:-1]) if len(times) > 2 else 0
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # deterministic, and the machine is shared
    solver.parameters.max_time_in_seconds = ROUND_SECONDS
    solved = False
    for objective in (spent, makespan, middle):
        if isinstance(objective, int):
            continue  # nothing to choose in this round
        model.minimize(objective)
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise EtaInfeasible("the route's fixed times cannot all be kept")
        solved = True
        model.add(objective == int(solver.value(objective)))
        model.clear_hints()
        for t in times:
            model.add_hint(t, solver.value(t))
    if not solved:
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise EtaInfeasible("the route's fixed times cannot all be kept")
    return [int(solver.value(t)) for t in times]


def _soft(
    model: cp_model.CpModel,
    event: Event,
    t: cp_model.IntVar,
    span: int,
    i: int,
    leads: list[cp_model.IntVar],
    delays: list[cp_model.IntVar],
) -> None:
    """The violation variables of one event, appended to ``leads`` and ``delays``: on its
    soft bounds, and from the window it is given (one Boolean per window when it has
    several)."""
    if event.early is not None:
        lead = model.new_int_var(0, span, f"lead{i}")
        model.add(lead >= event.early - t)
        leads.append(lead)
    if event.late is not None:
        delay = model.new_int_var(0, span, f"delay{i}")
        model.add(delay >= t - event.late)
        delays.append(delay)
    if event.windows:
        lead = model.new_int_var(0, span, f"lead_w{i}")
        delay = model.new_int_var(0, span, f"delay_w{i}")
        if len(event.windows) == 1:
            (early, late), *_ = event.windows
            model.add(lead >= early - t)
            model.add(delay >= t - late)
        else:
            chosen = [model.new_bool_var(f"w{i}_{k}") for k in range(len(event.windows))]
            model.add_exactly_one(chosen)
            for (early, late), flag in zip(event.windows, chosen, strict=True):
                model.add(lead >= early - t).only_enforce_if(flag)
                model.add(delay >= t - late).only_enforce_if(flag)
        leads.append(lead)
        delays.append(delay)


def _legs(
    model: cp_model.CpModel, events: Sequence[Event], times: Sequence[cp_model.IntVar]
) -> None:
    """Each leg's travel, between two events that are not breaks, fits in the time
    between them left after their own actions (the breaks' included)."""
    previous = 0
    for i in range(1, len(events)):
        if events[i].is_break:
            continue
        busy = sum(e.action for e in events[previous:i])
        model.add(times[i] >= times[previous] + busy + events[previous].travel)
        previous = i
