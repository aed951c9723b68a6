"""Cut a route from another solver back until it keeps every rule of ours."""

from __future__ import annotations

import time

from optimizer._simulate import best_timing
from optimizer.model import PlannedRoute, Problem, Shipment, Visit, VisitType

SPARE_TRIES = 3
"""Deferrable shipments given up, at most, to keep one hold on the route; then the hold."""


class RepairTimeout(Exception):
    """The deadline came before the route kept every rule."""


def repair_route(
    problem: Problem, route: PlannedRoute, *, deadline: float | None = None
) -> PlannedRoute:
    """``route`` timed by ``_simulate`` (breaks placed by ``best_timing``), with one
    shipment removed at a time until no rule is broken.

    The one removed is, among the deferrable shipments picked up by the first visit that
    breaks a rule (they delay it, or fill the van), the one worth least
    (``penalty * (1 + priority)``); the culprit itself when there is none (and the last
    delivered when the shift or the route's length is broken): a hold is given up only
    after ``SPARE_TRIES`` deferrable shipments before it did not save it. A warm start
    must be feasible for OR-Tools to accept it; the removed
    shipments are left for the search and the final repair to place again. Raises
    ``RepairTimeout`` when ``deadline`` (``time.perf_counter()``) comes first.
    """
    van = next(v for v in problem.vans if v.id == route.van)
    by_id = {s.id: s for s in problem.shipments}
    visits = list(route.visits)
    spared: dict[str, int] = {}  # holds kept so far by giving up deferrable work before them
    while visits:
        if deadline is not None and time.perf_counter() >= deadline:
            raise RepairTimeout
        timing = best_timing(problem, van, [(by_id[v.shipment], v.type) for v in visits])
        if not timing.issues:
            break
        issue = next((i for i in timing.issues if i.shipment is not None), None)
        if issue is None or issue.visit is None:
            culprit = next(v.shipment for v in reversed(visits) if v.type == VisitType.DELIVERY)
        else:
            culprit = issue.shipment or ""
            if spared.get(culprit, 0) < SPARE_TRIES:
                spared[culprit] = spared.get(culprit, 0) + 1
                culprit = _given_up(by_id, visits[: issue.visit + 1], by_id[culprit])
        visits = [v for v in visits if v.shipment != culprit]
    return PlannedRoute(van=route.van, visits=tuple(visits))


def _given_up(by_id: dict[str, Shipment], before: list[Visit], culprit: Shipment) -> str:
    if culprit.deferrable:
        return culprit.id
    earlier = [
        by_id[v.shipment]
        for v in before
        if v.type == VisitType.PICKUP and by_id[v.shipment].deferrable
    ]
    if not earlier:
        return culprit.id
    return min(earlier, key=lambda s: s.penalty * (1 + s.priority)).id
