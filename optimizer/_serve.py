"""The final repair: what matters most is served before anything that may wait.

Whatever plan the search ends with (OR-Tools', or a specialist's kept as it is), the
objective's first tier must hold in the answer, not only in the weights: after it, every
shipment that may not be deferred (a hold) is in a route unless no van has room for it
even with all of that van's deferrable work set aside; and a deferrable shipment left out
is not waiting behind deferrable work of a lower priority that a van could drop for it.

Locked shipments (``Problem.locks``) come before everything: a dispatcher's lock outranks
the engine's choices. A locked one goes only onto its van, only where the locks allow
(``optimizer._locks.gap_bounds``), and sets aside only deferrable work, as a hold does; a
locked shipment is never set aside, nor moved, for anything. One that does not fit even
then is ``no_room`` (``lock_infeasible`` in the answer).

How, for each shipment left out, most important first (locked, not deferrable, then by
priority, then by penalty): on every van allowed to serve it, it is inserted where it fits
(``optimizer._insert``), else the van's shipments it outranks are all set aside, it is
inserted, and then what was set aside is put back in its place where it still fits, the
most valuable (``penalty * (1 + priority)``) first. The van that gives up the least value
takes it; what it gave up is left out in turn, and tried again on every van, where it
may only displace what it outranks, so the repair ends. A hold that fits no van even with
all of their deferrable work set aside was tested on every van, exhaustively: its
``deferred_capacity`` is honest.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from optimizer._insert import OutOfTime, candidates, fits, insert
from optimizer._locks import is_locked
from optimizer._plan import Plan, PlanRoute, RawVisit, as_gaps
from optimizer.model import Problem, Shipment, VisitType

ROOM_TRIES = 8
"""Places tried for a shipment by setting aside only what rides past it there, before the
van's deferrable work is set aside as a whole (which is exhaustive, and slow on long
routes)."""

DEFERRABLE_TRIES = 60
"""Insertions timed per van for a deferrable shipment (a hold's are all timed): enough to
find room where there is some, bounded so a tight day of returns does not eat the budget."""


Stage = Callable[[Problem, int, PlanRoute, int, float], "tuple[PlanRoute, list[int]] | None"]


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


def rank(problem: Problem, shipment: Shipment) -> tuple[int, int, float]:
    """Lower ranks first: locked, not deferrable, then higher priority, then higher penalty."""
    if is_locked(problem, shipment):
        return (0, -shipment.priority, -shipment.penalty)
    return (1 + int(shipment.deferrable), -shipment.priority, -shipment.penalty)


def outranks(problem: Problem, shipment: Shipment, other: Shipment) -> bool:
    """Whether ``other`` may be set aside to make room for ``shipment``: deferrable work
    that is not locked, for a locked shipment, a hold, or deferrable work of a higher
    priority."""
    if not other.deferrable or is_locked(problem, other):
        return False
    return (
        is_locked(problem, shipment)
        or not shipment.deferrable
        or other.priority < shipment.priority
    )


def _may_wait(problem: Problem, shipment: Shipment) -> bool:
    """Deferrable and not locked: its insertions are tried ``DEFERRABLE_TRIES`` at most."""
    return shipment.deferrable and not is_locked(problem, shipment)


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
    routes: dict[int, PlanRoute] = {r.van: r for r in plan}
    on_van = {k: v for v, route in routes.items() for k, _ in route.visits}
    out = Served(plan)
    queue = sorted(
        (k for k in range(len(problem.shipments)) if k not in on_van),
        key=lambda k: rank(problem, problem.shipments[k]),
    )
    changed: set[int] = set()
    while queue:
        k = queue.pop(0)
        if time.perf_counter() >= deadline:
            out.untried.update([k, *queue])
            break
        shipment = problem.shipments[k]
        best: tuple[float, int, PlanRoute, list[int]] | None = None
        exhaustive = True
        # Cheapest first: room as it is on some van; room made by setting aside what
        # rides past its place; then, the exhaustive test, all its van's deferrable work
        # set aside and what still fits put back.
        for stage in STAGES:
            for v in allowed[k]:
                try:
                    found = stage(problem, v, routes.get(v, PlanRoute(v, ())), k, deadline)
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
            if best is not None or not exhaustive:
                break
        if best is None:
            if not exhaustive:
                out.untried.add(k)
            elif not _may_wait(problem, shipment):
                out.no_room.add(k)
            continue
        _, v, route, removed = best
        routes[v] = route
        changed.add(v)
        out.placed.append(k)
        for m in removed:
            out.displaced.append(m)
            queue.append(m)
        queue.sort(key=lambda m: rank(problem, problem.shipments[m]))
    if changed or out.placed:
        out.plan = tuple(routes[v] for v in sorted(routes) if routes[v].visits)
    return out


def _as_it_is(
    problem: Problem, v: int, route: PlanRoute, k: int, deadline: float
) -> tuple[PlanRoute, list[int]] | None:
    """Van ``v``'s route with ``k`` where it fits as the route is (nothing set aside).

    Exhaustive for a shipment with nothing to set aside on that van; otherwise only the
    quick test of each place (the exhaustive one comes with ``_all_aside``)."""
    van = problem.vans[v]
    shipment = problem.shipments[k]
    tries = DEFERRABLE_TRIES if _may_wait(problem, shipment) else None
    aside = any(outranks(problem, shipment, problem.shipments[m]) for m, _ in route.visits)
    found = insert(
        problem,
        van,
        route.visits,
        k,
        deadline=deadline,
        tries=tries,
        gaps=route.gaps(),
        exact=not aside,
    )
    return None if found is None else (PlanRoute(v, found.route, found.gaps), [])


def _room_made(
    problem: Problem, v: int, route: PlanRoute, k: int, deadline: float
) -> tuple[PlanRoute, list[int]] | None:
    """``_made_room`` with what ``k`` outranks on van ``v``."""
    shipment = problem.shipments[k]
    aside = {m for m, _ in route.visits if outranks(problem, shipment, problem.shipments[m])}
    return _made_room(problem, v, route, k, aside, deadline) if aside else None


def _all_aside(
    problem: Problem, v: int, route: PlanRoute, k: int, deadline: float
) -> tuple[PlanRoute, list[int]] | None:
    """Van ``v``'s route with ``k`` in it once all it outranks is set aside, then put back
    in its place where it still fits, the most valuable first; ``None`` when ``k`` does not
    fit even then (every place timed: the honest test of ``deferred_capacity``)."""
    van = problem.vans[v]
    shipment = problem.shipments[k]
    tries = DEFERRABLE_TRIES if _may_wait(problem, shipment) else None
    visits = route.visits
    aside = {m for m, _ in visits if outranks(problem, shipment, problem.shipments[m])}
    if not aside:
        return None
    stripped = tuple(visit for visit in visits if visit[0] not in aside)
    found = insert(problem, van, stripped, k, deadline=deadline, tries=tries)
    if found is None:
        return None
    # Then back what still fits, in its old place, the most valuable first; each break
    # stays after the visit it followed.
    before_p = stripped[found.i] if found.i < len(stripped) else None
    before_d = stripped[found.j] if found.j < len(stripped) else None
    after = {b: (found.route[g] if g >= 0 else None) for b, g in (found.gaps or ())}
    keep = set(range(len(problem.shipments))) - aside
    now = PlanRoute(v, found.route, found.gaps)
    for m in sorted(aside, key=lambda m: -value(problem.shipments[m])):
        if time.perf_counter() >= deadline:
            raise OutOfTime
        trial = _with(visits, keep | {m}, k, before_p, before_d)
        gaps = {b: (trial.index(x) if x is not None else -1) for b, x in after.items()}
        if fits(problem, van, trial, gaps if van.breaks else None):
            keep.add(m)
            now = PlanRoute(v, trial, as_gaps(gaps) if van.breaks else None)
    return now, sorted(aside - keep)


def _made_room(
    problem: Problem, v: int, route: PlanRoute, k: int, aside: set[int], deadline: float
) -> tuple[PlanRoute, list[int]] | None:
    """Room for ``k`` at one of its ``ROOM_TRIES`` cheapest places on van ``v``, made by
    setting aside the deferrable shipments on board there (``aside``), the least valuable
    first, until the van has the room; ``None`` when none of those places works."""
    van = problem.vans[v]
    shipment = problem.shipments[k]
    visits = route.visits
    after = {b: (visits[g] if g >= 0 else None) for b, g in (route.break_gaps or ())}
    pickup_at = {m: p for p, (m, t) in enumerate(visits) if t == VisitType.PICKUP}
    delivery_at = {m: p for p, (m, t) in enumerate(visits) if t == VisitType.DELIVERY}
    loads: list[list[int]] = []  # leaving the start, then after each visit
    load = [0] * len(van.capacity)
    loads.append(list(load))
    for m, t in visits:
        sign = 1 if t == VisitType.PICKUP else -1
        load = [x + sign * a for x, a in zip(load, problem.shipments[m].amount, strict=True)]
        loads.append(list(load))
    best: tuple[float, PlanRoute, list[int]] | None = None
    places = candidates(problem, van, visits, k, capacity=False)[:ROOM_TRIES]
    for _, i, j in places:
        if time.perf_counter() >= deadline:
            raise OutOfTime
        # On board from gap i to gap j: the loads after visits i-1 .. j-1 (gap g is before
        # visit g), each must leave room for the shipment.
        segment = range(i, j + 1)
        over = [
            [x + a - c for x, a, c in zip(loads[g], shipment.amount, van.capacity, strict=True)]
            for g in segment
        ]
        tight = [g for g, row in zip(segment, over, strict=True) if max(row) > 0]
        riding = sorted(
            (m for m in aside if any(pickup_at[m] < g <= delivery_at[m] for g in tight)),
            key=lambda m: value(problem.shipments[m]),
        )
        removed: list[int] = []
        for m in riding:
            if all(max(row) <= 0 for row in over):
                break
            removed.append(m)
            amount = problem.shipments[m].amount
            over = [[x - a for x, a in zip(row, amount, strict=True)] for row in over]
        if not all(max(row) <= 0 for row in over):
            continue
        lost = sum(value(problem.shipments[m]) for m in removed)
        if best is not None and lost >= best[0]:
            continue
        before_p = visits[i] if i < len(visits) else None
        before_d = visits[j] if j < len(visits) else None
        trial = _with(
            visits, set(range(len(problem.shipments))) - set(removed), k, before_p, before_d
        )
        gaps = {b: (trial.index(x) if x is not None else -1) for b, x in after.items()}
        if fits(problem, van, trial, gaps if van.breaks else None):
            best = (lost, PlanRoute(v, trial, as_gaps(gaps) if van.breaks else None), removed)
    return None if best is None else (best[1], sorted(best[2]))


def _with(
    visits: tuple[RawVisit, ...],
    keep: set[int],
    k: int,
    before_p: RawVisit | None,
    before_d: RawVisit | None,
) -> tuple[RawVisit, ...]:
    """The visits of ``keep``, in their order, with ``k``'s pickup before ``before_p`` and
    its delivery before ``before_d`` (``None``: at the end; delivery after the pickup)."""
    out: list[RawVisit] = []
    picked = False
    for visit in visits:
        if visit == before_p:
            out.append((k, VisitType.PICKUP))
            picked = True
        if visit == before_d and picked:
            out.append((k, VisitType.DELIVERY))
        if visit[0] in keep:
            out.append(visit)
    if not picked:
        out.append((k, VisitType.PICKUP))
    if (k, VisitType.DELIVERY) not in out:
        out.append((k, VisitType.DELIVERY))
    return tuple(out)


STAGES: tuple[Stage, ...] = (_as_it_is, _room_made, _all_aside)
"""The ways of making room for a shipment, cheapest first (see ``serve_first``)."""
