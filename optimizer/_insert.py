"""Put one shipment into one van's route: where it fits, cheapest first.

Used by the final repair (``optimizer._serve``) and by the diagnosis of a hold left out
(``optimizer.diagnose.room_for``). A route is feasible when our timing
(``optimizer._simulate``) finds no broken rule; capacity is checked first from the route's
load profile, so only insertions that fit the van are timed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from optimizer._plan import RawVisit
from optimizer._simulate import (
    best_timing,
    earliest_in,
    service_starts,
    simulate,
    visit_service,
    visit_site,
)
from optimizer.model import Problem, Van, VisitType


class OutOfTime(Exception):
    """The deadline came before an insertion could be decided."""


def feasible(problem: Problem, van: Van, visits: Sequence[RawVisit]) -> bool:
    """Whether ``van`` can drive ``visits`` (shipment indices of ``problem``) by every rule."""
    if not visits:
        return True
    route = [(problem.shipments[k], vtype) for k, vtype in visits]
    # Leaving as early as the shift allows is best for every window (a later start only
    # delays what follows), and breaks only delay: without them, one timing rules out
    # most routes, and decides for a van with no breaks and no length limit.
    relaxed = simulate(problem, van, route, depart=van.shift.early, breaks=False)
    if any(issue.kind != "max_duration" for issue in relaxed.issues):
        return False
    if not van.breaks and van.max_route_duration is None:
        return True
    return not best_timing(problem, van, route).issues


def _arc_cost(problem: Problem, van: Van, a: int, b: int) -> float:
    return (
        problem.distances[a][b] * van.cost_per_km / 1000
        + problem.durations[a][b] * van.cost_per_hour / 3600
        + problem.durations[a][b] * 1e-6  # rates of 0: the shortest detour still first
    )


def candidates(
    problem: Problem, van: Van, visits: Sequence[RawVisit], k: int
) -> list[tuple[float, int, int]]:
    """Insertions of shipment ``k`` that keep ``van`` within its capacity, cheapest first.

    ``(cost, i, j)``: the pickup goes before ``visits[i]`` and the delivery before
    ``visits[j]`` of the original route (``j >= i``; ``i == j``: delivery right after the
    pickup; ``len(visits)``: at the end).
    """
    shipment = problem.shipments[k]
    amount = shipment.amount
    if any(a > c for a, c in zip(amount, van.capacity, strict=True)):
        return []
    n = len(visits)
    # Load after each visit; index 0 is the load leaving the start (empty).
    after = [tuple(0 for _ in amount)]
    load = list(after[0])
    for m, vtype in visits:
        sign = 1 if vtype == VisitType.PICKUP else -1
        load = [x + sign * a for x, a in zip(load, problem.shipments[m].amount, strict=True)]
        after.append(tuple(load))
    room = [
        min(c - x - a for c, x, a in zip(van.capacity, row, amount, strict=True)) for row in after
    ]
    index = problem.index_of
    seq = [
        index(van.start),
        *(index(visit_site(problem.shipments[m], vtype)) for m, vtype in visits),
        index(van.end_site),
    ]
    p, d = index(shipment.pickup), index(shipment.delivery)
    durations = problem.durations
    # When the van can leave each gap at the earliest, without the new visits (they only
    # delay what follows): a lower bound that rules out windows the visits cannot make.
    base = simulate(
        problem,
        van,
        [(problem.shipments[m], vtype) for m, vtype in visits],
        depart=van.shift.early,
        breaks=False,
        deadline=False,
        shift=False,
    )
    leave = [van.shift.early, *(v.end for v in base.visits)]
    pickup_starts = service_starts(problem, shipment, VisitType.PICKUP)
    delivery_starts = service_starts(problem, shipment, VisitType.DELIVERY)
    own = visit_service(shipment, VisitType.PICKUP)

    def pickup_at(i: int) -> int | None:
        return earliest_in(pickup_starts, leave[i] + durations[seq[i]][p])

    def delivery_can(j: int, after: int) -> bool:
        return earliest_in(delivery_starts, after + durations[seq[j]][d]) is not None

    def cost(a: int, b: int) -> float:
        return _arc_cost(problem, van, a, b)

    detour_p = [
        cost(seq[i], p) + cost(p, seq[i + 1]) - cost(seq[i], seq[i + 1]) for i in range(n + 1)
    ]
    detour_d = [
        cost(seq[j], d) + cost(d, seq[j + 1]) - cost(seq[j], seq[j + 1]) for j in range(n + 1)
    ]
    out: list[tuple[float, int, int]] = []
    for i in range(n + 1):
        start = pickup_at(i)
        if room[i] < 0 or start is None:
            continue
        if earliest_in(delivery_starts, start + own + durations[p][d]) is not None:
            together = cost(seq[i], p) + cost(p, d) + cost(d, seq[i + 1]) - cost(seq[i], seq[i + 1])
            out.append((together, i, i))
        for j in range(i + 1, n + 1):
            if room[j] < 0:
                break  # the load on board between pickup and delivery exceeds the van
            if delivery_can(j, leave[j]):
                out.append((detour_p[i] + detour_d[j], i, j))
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
) -> tuple[RawVisit, ...] | None:
    """The cheapest feasible route with ``k`` added to ``visits``.

    Returns the new visits; ``None`` when no insertion keeps every rule (every candidate
    was timed, or ``tries`` of them). Raises ``OutOfTime`` when ``deadline``
    (``time.perf_counter()``) comes first, so nothing can be said.
    """
    for n, (_, i, j) in enumerate(candidates(problem, van, visits, k)):
        if tries is not None and n >= tries:
            return None
        if time.perf_counter() >= deadline:
            raise OutOfTime
        route = inserted(visits, k, i, j)
        if feasible(problem, van, route):
            return route
    return None
