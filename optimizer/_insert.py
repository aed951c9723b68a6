"""Put one shipment into one van's route: where it fits, cheapest first.

Used by the final repair (``optimizer._serve``) and by the diagnosis of a hold left out
(``optimizer.diagnose.room_for``). A route is feasible when our timing
(``optimizer._simulate``) finds no broken rule; capacity is checked first from the route's
load profile, so only insertions that fit the van are timed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from optimizer._locks import gap_bounds
from optimizer._plan import Gaps, RawVisit, as_gaps
from optimizer._simulate import (
    Interval,
    best_timing,
    earliest_in,
    place_breaks,
    service_starts,
    simulate,
    visit_service,
    visit_site,
    visit_starts,
)
from optimizer.model import Problem, Van, VisitType


@dataclass(frozen=True, slots=True)
class Insertion:
    """A route with a shipment inserted: its pickup before ``i``, its delivery before
    ``j`` of the route it was inserted into (``j >= i``)."""

    route: tuple[RawVisit, ...]
    i: int
    j: int
    gaps: Gaps | None = None  # where the van's breaks go in ``route`` (None: no breaks)


class OutOfTime(Exception):
    """The deadline came before an insertion could be decided."""


def feasible(
    problem: Problem,
    van: Van,
    visits: Sequence[RawVisit],
    *,
    starts: Sequence[tuple[Interval, ...]] | None = None,
) -> bool:
    """Whether ``van`` can drive ``visits`` (shipment indices of ``problem``) by every rule.

    ``starts`` may hand in each visit's ``service_starts``, when many routes alike are
    tried.
    """
    if not visits:
        return True
    route = [(problem.shipments[k], vtype) for k, vtype in visits]
    # Leaving as early as the shift allows is best for every window (a later start only
    # delays what follows), and breaks only delay: without them, one timing rules out
    # most routes, and decides for a van with no breaks and no length limit.
    relaxed = simulate(problem, van, route, depart=van.shift.early, breaks=False, starts=starts)
    if any(issue.kind != "max_duration" for issue in relaxed.issues):
        return False
    if not van.breaks and van.max_route_duration is None:
        return True
    return not best_timing(problem, van, route).issues


def fits(
    problem: Problem, van: Van, visits: Sequence[RawVisit], gaps: dict[str, int] | None
) -> bool:
    """Whether ``visits`` keep every rule with the van's breaks after the visits ``gaps``
    names (breaks not placed anew: a quick test, which may say no to a route that
    ``feasible`` would accept)."""
    route = [(problem.shipments[k], vtype) for k, vtype in visits]
    if not van.breaks:
        return feasible(problem, van, visits)
    timed = simulate(problem, van, route, depart=van.shift.early, break_gaps=gaps or {})
    if not timed.issues:
        return True
    if all(issue.kind == "max_duration" for issue in timed.issues):
        return not best_timing(problem, van, route, break_gaps=gaps or {}).issues
    return False


def latest_in(intervals: Sequence[Interval], t: int) -> int | None:
    """The latest time ``<= t`` inside ``intervals``, or None."""
    for lo, hi in reversed(intervals):
        if t >= lo:
            return min(t, hi)
    return None


def _arc_cost(problem: Problem, van: Van, a: int, b: int) -> float:
    return (
        problem.distances[a][b] * van.cost_per_km / 1000
        + problem.durations[a][b] * van.cost_per_hour / 3600
        + problem.durations[a][b] * 1e-6  # rates of 0: the shortest detour still first
    )


def candidates(
    problem: Problem, van: Van, visits: Sequence[RawVisit], k: int, *, capacity: bool = True
) -> list[tuple[float, int, int]]:
    """Insertions of shipment ``k`` that may keep every rule, cheapest first.

    ``(cost, i, j)``: the pickup goes before ``visits[i]`` and the delivery before
    ``visits[j]`` of the original route (``j >= i``; ``i == j``: delivery right after the
    pickup; ``len(visits)``: at the end). Ruled out without timing the new route: an
    insertion that overloads the van, or where a new visit cannot start in its windows,
    or delays the visit after it past the latest start that keeps the rest of the route
    on time (each bound computed once from the route as it is, without breaks, which
    only delay). What is left may still break a rule: ``insert`` times it. Without
    ``capacity``, overloads are not ruled out (room is to be made for the shipment).
    Only insertions that keep every lock are listed (``optimizer._locks.gap_bounds``):
    none on a van other than the one ``k`` is locked on.
    """
    shipment = problem.shipments[k]
    amount = shipment.amount
    if any(a > c for a, c in zip(amount, van.capacity, strict=True)):
        return []
    bounds = gap_bounds(problem, van, visits, k)
    if bounds is None:
        return []
    (p_lo, p_hi), (d_lo, d_hi) = bounds
    n = len(visits)
    route = [(problem.shipments[m], vtype) for m, vtype in visits]
    # Load after each visit; index 0 is the load leaving the start (empty).
    after = [tuple(0 for _ in amount)]
    load = list(after[0])
    for m, vtype in visits:
        sign = 1 if vtype == VisitType.PICKUP else -1
        load = [x + sign * a for x, a in zip(load, problem.shipments[m].amount, strict=True)]
        after.append(tuple(load))
    room = [
        min(c - x - a for c, x, a in zip(van.capacity, row, amount, strict=True)) if capacity else 0
        for row in after
    ]
    index = problem.index_of
    seq = [index(van.start), *(index(visit_site(s, t)) for s, t in route), index(van.end_site)]
    p, d = index(shipment.pickup), index(shipment.delivery)
    dur = problem.durations
    setup = [site.service_duration for site in problem.sites]
    starts = visit_starts(problem, route)
    # When the van leaves each gap at the earliest, without the new visits (they only
    # delay what follows): a lower bound on when a new visit there can start.
    base = simulate(
        problem, van, route, depart=van.shift.early, breaks=False, deadline=False, shift=False
    )
    leave = [van.shift.early, *(v.end for v in base.visits)]
    # The latest start of each visit that keeps the rest of the route within its windows
    # and the shift (waiting allowed): the later a visit starts, the later all after it.
    latest: list[int | None] = [None] * n + [van.shift.late]
    for m in range(n - 1, -1, -1):
        nxt = latest[m + 1]
        if nxt is None:
            break
        shipment_m, vtype_m = route[m]
        charge = setup[seq[m + 1]] if m + 1 == n or seq[m + 2] != seq[m + 1] else 0
        bound = nxt - dur[seq[m + 1]][seq[m + 2]] - visit_service(shipment_m, vtype_m) - charge
        latest[m] = latest_in(starts[m], bound)
    if n and latest[0] is None:
        return []  # the route as it is breaks a window already: nothing fits into it

    def on_time(site: int, done: int, gap: int) -> bool:
        """Leaving ``site`` at ``done`` (its own service over), the visit after gap
        ``gap`` (or the end) can still start by its latest start."""
        bound = latest[gap]
        if bound is None:
            return False
        ready = done + (setup[site] if seq[gap + 1] != site else 0) + dur[site][seq[gap + 1]]
        if gap == n:
            return ready <= bound
        start = earliest_in(starts[gap], ready)
        return start is not None and start <= bound

    own_p = visit_service(shipment, VisitType.PICKUP)
    own_d = visit_service(shipment, VisitType.DELIVERY)
    pickup_starts = service_starts(problem, shipment, VisitType.PICKUP)
    delivery_starts = service_starts(problem, shipment, VisitType.DELIVERY)
    pickup_at = [earliest_in(pickup_starts, leave[i] + dur[seq[i]][p]) for i in range(n + 1)]
    delivery_at = [earliest_in(delivery_starts, leave[j] + dur[seq[j]][d]) for j in range(n + 1)]
    delivery_ok = [
        start is not None and on_time(d, start + own_d, j) for j, start in enumerate(delivery_at)
    ]

    def cost(a: int, b: int) -> float:
        return _arc_cost(problem, van, a, b)

    detour_p = [
        cost(seq[i], p) + cost(p, seq[i + 1]) - cost(seq[i], seq[i + 1]) for i in range(n + 1)
    ]
    detour_d = [
        cost(seq[j], d) + cost(d, seq[j + 1]) - cost(seq[j], seq[j + 1]) for j in range(n + 1)
    ]
    together: list[tuple[float, int, int]] = []
    apart = np.zeros(n + 1, dtype=bool)  # the pickup at gap i may be followed by other visits
    for i in range(p_lo, p_hi + 1):
        start = pickup_at[i]
        if room[i] < 0 or start is None:
            continue
        then = earliest_in(delivery_starts, start + own_p + setup[p] + dur[p][d])
        if d_lo <= i <= d_hi and then is not None and on_time(d, then + own_d, i):
            extra = cost(seq[i], p) + cost(p, d) + cost(d, seq[i + 1]) - cost(seq[i], seq[i + 1])
            together.append((extra, i, i))
        apart[i] = on_time(p, start + own_p, i)
    # Pickup at gap i, delivery at gap j > i: every load on board between them has room
    # (j before the first gap after i without room), both ends on time.
    gaps = np.arange(n + 1)
    full = np.flatnonzero(np.asarray(room) < 0)
    if full.size:
        after_i = np.searchsorted(full, gaps, side="right")
        limit = np.where(after_i < full.size, full[np.minimum(after_i, full.size - 1)], n + 1)
    else:
        limit = np.full(n + 1, n + 1)
    delivery_ok_at = np.asarray(delivery_ok) & (gaps >= d_lo) & (gaps <= d_hi)
    i_idx, j_idx = np.nonzero(
        apart[:, None]
        & delivery_ok_at[None, :]
        & (gaps[None, :] > gaps[:, None])
        & (gaps[None, :] < limit[:, None])
    )
    costs = np.asarray(detour_p)[i_idx] + np.asarray(detour_d)[j_idx]
    out = together + list(zip(costs.tolist(), i_idx.tolist(), j_idx.tolist(), strict=True))
    out.sort()
    return out


def inserted(visits: Sequence[RawVisit], k: int, i: int, j: int) -> tuple[RawVisit, ...]:
    """``visits`` with ``k``'s pickup before position ``i`` and delivery before ``j``."""
    route = list(visits)
    route.insert(j, (k, VisitType.DELIVERY))
    route.insert(i, (k, VisitType.PICKUP))
    return tuple(route)


def insert(
    problem: Problem,
    van: Van,
    visits: Sequence[RawVisit],
    k: int,
    *,
    deadline: float,
    tries: int | None = None,
    gaps: dict[str, int] | None = None,
    exact: bool = True,
) -> Insertion | None:
    """The cheapest feasible route with ``k`` added to ``visits``.

    Each candidate (``candidates``) is first timed without breaks, which only delay; one
    that passes is timed with the van's breaks where they were (``gaps``, placed by
    ``place_breaks`` when not given), shifted past the new visits: the first that keeps
    every rule is the answer. When none does and ``exact``, the candidates that passed are
    timed again with the breaks placed anew (``best_timing``), cheapest first.

    Returns the new route, where ``k`` went and where the breaks go; ``None`` when no
    insertion keeps every rule (every candidate was timed, or ``tries`` of them). Raises
    ``OutOfTime`` when ``deadline`` (``time.perf_counter()``) comes first, so nothing can
    be said.
    """
    shipment = problem.shipments[k]
    route_of = [(problem.shipments[m], t) for m, t in visits]
    starts = visit_starts(problem, route_of)
    pickup = service_starts(problem, shipment, VisitType.PICKUP)
    delivery = service_starts(problem, shipment, VisitType.DELIVERY)
    if van.breaks and gaps is None:
        gaps = place_breaks(problem, van, route_of, starts=starts) if visits else {}
    simple = not van.breaks and van.max_route_duration is None
    passed: list[tuple[tuple[RawVisit, ...], int, int]] = []
    for n, (_, i, j) in enumerate(candidates(problem, van, visits, k)):
        if tries is not None and n >= tries:
            break
        if time.perf_counter() >= deadline:
            raise OutOfTime
        route = inserted(visits, k, i, j)
        trial = inserted_starts(starts, pickup, delivery, i, j)
        timed = [(problem.shipments[m], t) for m, t in route]
        if van.breaks and gaps is not None:
            # The breaks where they were first: one timing, which usually decides.
            moved = {b: g + (i <= g) + (j <= g) for b, g in gaps.items()}
            with_breaks = simulate(
                problem, van, timed, depart=van.shift.early, break_gaps=moved, starts=trial
            )
            if not with_breaks.issues:
                return Insertion(route, i, j, as_gaps(moved))
            if not exact:
                continue
        relaxed = simulate(problem, van, timed, depart=van.shift.early, breaks=False, starts=trial)
        if any(issue.kind != "max_duration" for issue in relaxed.issues):
            continue
        if simple:
            return Insertion(route, i, j)
        passed.append((route, i, j))
    for route, i, j in passed if exact else ():
        if time.perf_counter() >= deadline:
            raise OutOfTime
        timing = best_timing(problem, van, [(problem.shipments[m], t) for m, t in route])
        if not timing.issues:
            placed = {bt.brk.id: bt.gap for bt in timing.breaks}
            return Insertion(route, i, j, as_gaps(placed) if van.breaks else None)
    return None


def inserted_starts(
    starts: Sequence[tuple[Interval, ...]],
    pickup: tuple[Interval, ...],
    delivery: tuple[Interval, ...],
    i: int,
    j: int,
) -> list[tuple[Interval, ...]]:
    """``starts`` of a route with a pickup inserted before ``i`` and a delivery before ``j``."""
    out = list(starts)
    out.insert(j, delivery)
    out.insert(i, pickup)
    return out
