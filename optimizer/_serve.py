"""The final repair: what matters most is served before anything that may wait.

Whatever plan the search ends with (OR-Tools', or a specialist's kept as it is), the
objective's first tier must hold in the answer, not only in the weights: after it, every
shipment that may not be deferred (a hold) is in a route unless no van has room for it
even with all of that van's deferrable work set aside; and a deferrable shipment left out
is not waiting behind deferrable work of a lower priority that a van could drop for it.

How, for each shipment left out, most important first (not deferrable, then by priority,
then by penalty): on every van allowed to serve it, it is inserted where it fits
(``optimizer._insert``), else the van's shipments it outranks are set aside (the lowest
``penalty * (1 + priority)`` first, as few as fit it: a bisection on how many) and it is
inserted then. The van that gives up the least value takes it; what it gave up is left out
in turn, and tried again on every van, where it may only displace what it outranks, so the
repair ends. A hold that fits no van even with all of their deferrable work set aside was
tested on every van, exhaustively: its ``deferred_capacity`` is honest.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from optimizer._insert import OutOfTime, insert
from optimizer._plan import Plan, PlanRoute, RawVisit
from optimizer.model import Problem, Shipment

DEFERRABLE_TRIES = 60
"""Insertions timed per van for a deferrable shipment (a hold's are all timed): enough to
find room where there is some, bounded so a tight day of returns does not eat the budget."""


@dataclass(slots=True)
class Served:
    """The repaired plan and what the repair learnt about the shipments left out."""

    plan: Plan
    placed: list[int] = field(default_factory=list)  # put in by the repair
    displaced: list[int] = field(default_factory=list)  # set aside for something that outranks
    no_room: set[int] = field(default_factory=set)  # tested on every van: does not fit
    untried: set[int] = field(default_factory=set)  # the deadline came first


def value(shipment: Shipment) -> float:
    """What leaving ``shipment`` out costs, to rank what is set aside first."""
    return shipment.penalty * (1 + shipment.priority)


def rank(shipment: Shipment) -> tuple[int, int, float]:
    """Lower ranks first: not deferrable, then higher priority, then higher penalty."""
    return (int(shipment.deferrable), -shipment.priority, -shipment.penalty)


def outranks(shipment: Shipment, other: Shipment) -> bool:
    """Whether ``other`` may be set aside to make room for ``shipment``."""
    if not other.deferrable:
        return False
    return not shipment.deferrable or other.priority < shipment.priority


def serve_first(
    problem: Problem,
    plan: Plan,
    allowed: Sequence[Sequence[int]],
    *,
    deadline: float,
) -> Served:
    """Repair ``plan`` of the screened ``problem`` (see the module docstring).

    ``allowed[k]`` are the vans that may serve shipment ``k``; ``deadline`` is on
    ``time.perf_counter()``'s clock: shipments not reached by then are ``untried``.
    """
    routes: dict[int, tuple[RawVisit, ...]] = {r.van: r.visits for r in plan}
    gaps = {r.van: r.break_gaps for r in plan}
    on_van = {k: v for v, visits in routes.items() for k, _ in visits}
    out = Served(plan)
    queue = sorted(
        (k for k in range(len(problem.shipments)) if k not in on_van),
        key=lambda k: rank(problem.shipments[k]),
    )
    changed: set[int] = set()
    while queue:
        k = queue.pop(0)
        if time.perf_counter() >= deadline:
            out.untried.update([k, *queue])
            break
        shipment = problem.shipments[k]
        best: tuple[float, int, tuple[RawVisit, ...], list[int]] | None = None
        exhaustive = True
        for v in allowed[k]:
            try:
                found = _room_on(problem, v, routes.get(v, ()), k, deadline)
            except OutOfTime:
                exhaustive = False
                break
            if found is None:
                continue
            route, removed = found
            lost = sum(value(problem.shipments[m]) for m in removed)
            if best is None or (lost, len(removed)) < (best[0], len(best[3])):
                best = (lost, v, route, removed)
            if not removed:
                break  # room without setting anything aside: no van does better
        if best is None:
            if not exhaustive:
                out.untried.add(k)
            elif not shipment.deferrable:
                out.no_room.add(k)
            continue
        _, v, route, removed = best
        routes[v] = route
        gaps[v] = None  # breaks are placed again by our timing
        changed.add(v)
        out.placed.append(k)
        for m in removed:
            out.displaced.append(m)
            queue.append(m)
        queue.sort(key=lambda m: rank(problem.shipments[m]))
    if changed or out.placed:
        out.plan = tuple(PlanRoute(v, routes[v], gaps.get(v)) for v in sorted(routes) if routes[v])
    return out


def _room_on(
    problem: Problem, v: int, visits: tuple[RawVisit, ...], k: int, deadline: float
) -> tuple[tuple[RawVisit, ...], list[int]] | None:
    """Van ``v``'s route with ``k`` in it and the shipments set aside for it; ``None``
    when it does not fit even with all it outranks set aside (``OutOfTime`` when the
    deadline comes first)."""
    van = problem.vans[v]
    shipment = problem.shipments[k]
    tries = DEFERRABLE_TRIES if shipment.deferrable else None
    direct = insert(problem, van, visits, k, deadline=deadline, tries=tries)
    if direct is not None:
        return direct, []
    aside = sorted(
        {m for m, _ in visits if outranks(shipment, problem.shipments[m])},
        key=lambda m: value(problem.shipments[m]),
    )
    if not aside:
        return None

    def attempt(count: int) -> tuple[RawVisit, ...] | None:
        gone = set(aside[:count])
        kept = tuple(visit for visit in visits if visit[0] not in gone)
        return insert(problem, van, kept, k, deadline=deadline, tries=tries)

    everything = attempt(len(aside))
    if everything is None:
        return None
    # Setting more aside leaves more room: the fewest that make room, by bisection.
    lo, hi, route = 0, len(aside), everything
    while hi - lo > 1:
        mid = (lo + hi) // 2
        found = attempt(mid)
        if found is None:
            lo = mid
        else:
            hi, route = mid, found
    return route, aside[:hi]
