"""Cut a route from another solver back until it keeps every rule of ours."""

from __future__ import annotations

from optimizer._simulate import best_timing
from optimizer.model import PlannedRoute, Problem, VisitType


def repair_route(problem: Problem, route: PlannedRoute) -> PlannedRoute:
    """``route`` timed by ``_simulate`` (breaks placed by ``best_timing``), with one
    shipment removed at a time, the first one that breaks a rule (the last delivered
    when the shift or the route's length is broken), until no rule is broken.

    A warm start must be feasible for OR-Tools to accept it; the removed shipments are
    left for the search to place again.
    """
    van = next(v for v in problem.vans if v.id == route.van)
    by_id = {s.id: s for s in problem.shipments}
    visits = list(route.visits)
    while visits:
        timing = best_timing(problem, van, [(by_id[v.shipment], v.type) for v in visits])
        if not timing.issues:
            break
        culprit = next((i.shipment for i in timing.issues if i.shipment is not None), None)
        if culprit is None:
            culprit = next(v.shipment for v in reversed(visits) if v.type == VisitType.DELIVERY)
        visits = [v for v in visits if v.shipment != culprit]
    return PlannedRoute(van=route.van, visits=tuple(visits))
