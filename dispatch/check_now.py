"""The check of a plan its vans have begun to work: what the rest of it breaks from now.

``edits.check_plan`` times every route from its depot at the start of the shift, as the
solver planned it. Once the drivers scan, that is no longer what will happen: a van late at
its second stop is late at the rest unless the rest was planned from there. So the stops
already worked (a copy scanned there) are what happened and are not checked again, and the
rest of each route is timed as the rest-of-day re-plan would time it (``rest_of_day``): from
the site and hour of the van's last scan (not before now), with the copies it carries to
drop, the breaks it took left out. A van that has worked nothing starts at its depot, not
before now.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from catalog.settings import CirculationSettings
from dispatch.edits import PlanCheck, check_plan, plan_check
from dispatch.plan import EditError, Plan
from dispatch.rest_of_day import RestStart, VanSoFar, rest_of_day, worked_shipments
from optimizer import (
    Lock,
    PlannedRoute,
    Problem,
    Timing,
    Violation,
    ViolationKind,
    Visit,
    VisitType,
    check,
    route_timing,
)

__all__ = ["RestFromNow", "check_from_now", "rest_from_now"]


@dataclass(frozen=True, slots=True)
class RestFromNow:
    """The rest of a plan from where its vans are: what it breaks (``check``, the stops named
    as the plan names them) and each van's rest as the search problem of the rest of the
    day (``problem``) has it: its visits still to make (``routes``), and the plan's stop of
    each visit (``stop_of``; None: loading the copies on board at the van's start)."""

    check: PlanCheck
    problem: Problem
    helpers: Mapping[str, str]
    routes: Mapping[str, PlannedRoute]
    stop_of: Mapping[str, Sequence[str | None]]

    def timing(self, van: str) -> Timing:
        """The rest of the van's route timed from where the van is, not before now."""
        return route_timing(self.problem, van, self.routes[van].visits)


def check_from_now(plan: Plan, start: RestStart, settings: CirculationSettings) -> PlanCheck:
    """Every rule the rest of ``plan`` breaks from where its vans are (``start``: the
    scans read now); ``check_plan`` itself while no van has worked a stop.

    Parameters
    ----------
    plan
        The stored plan (``stored_edits.plan_of``).
    start
        What each of its vans has done by now (``rest_of_day.rest_start``).
    settings
        Books per crate and kg per book, to load the copies on board.
    """
    rest = rest_from_now(plan, start, settings)
    return check_plan(plan) if rest is None else rest.check


def rest_from_now(
    plan: Plan, start: RestStart, settings: CirculationSettings
) -> RestFromNow | None:
    """The rest of ``plan`` from where its vans are (see :func:`check_from_now`); None while
    no van has worked a stop (the plan is then the whole of the rest)."""
    if not any(s.moved for s in start.so_far):
        return None
    try:
        problem = plan.locked_problem()
    except EditError:
        problem = dataclasses.replace(plan.problem, locks=())
    done = set(worked_shipments(start.so_far))
    still = dataclasses.replace(
        problem,
        shipments=tuple(s for s in problem.shipments if s.id not in done),
        locks=_locks_without(problem.locks, done),
    )
    rest = rest_of_day(
        still,
        before=plan.problem,
        before_shipments=start.before_shipments,
        so_far=start.so_far,
        at=start.at,
        settings=settings,
    )
    search = rest.search.problem
    routes, stop_of = _rest_routes(plan, start.so_far, search, set(rest.aboard))
    found = check(search, routes)
    return RestFromNow(
        plan_check(_named_unscanned(found, _left_unscanned(plan, start.so_far, search)), stop_of),
        search,
        rest.search.helpers,
        {r.van: r for r in routes},
        stop_of,
    )


def _rest_routes(
    plan: Plan, so_far: Sequence[VanSoFar], search: Problem, aboard: set[str]
) -> tuple[list[PlannedRoute], dict[str, list[str | None]]]:
    """Each van's visits still to make, as the search problem names them: the loading of
    the copies it carries first (at its start, no stop of the plan), then the visits of its
    stops not worked, in their order; and, per van, the plan's stop of each visit."""
    known = {s.id for s in search.shipments}
    worked = {s.van: s for s in so_far}
    routes: list[PlannedRoute] = []
    stop_of: dict[str, list[str | None]] = {}
    for route in plan.routes:
        van = worked.get(route.van)
        done = van.worked_stops if van is not None else frozenset()
        mine = set(van.aboard) & aboard if van is not None else set()
        visits = [Visit(sid, VisitType.PICKUP) for sid in sorted(mine)]
        stops: list[str | None] = [None] * len(visits)
        for stop in route.stops:
            if stop.id in done:
                continue
            for sid in stop.shipments:
                carried = sid in mine and stop.type == VisitType.DELIVERY
                if sid in known and (sid not in aboard or carried):
                    visits.append(Visit(sid, stop.type))
                    stops.append(stop.id)
        routes.append(PlannedRoute(route.van, tuple(visits)))
        stop_of[route.van] = stops
    return routes, stop_of


def _left_unscanned(plan: Plan, so_far: Sequence[VanSoFar], search: Problem) -> dict[str, str]:
    """The shipments still to collect whose pickup stop was worked without a scan of their
    copies (the driver scanned others there), each with the site of that stop."""
    known = {s.id for s in search.shipments}
    worked = {stop for s in so_far for stop in s.worked_stops}
    return {
        sid: stop.site
        for route in plan.routes
        for stop in route.stops
        if stop.id in worked and stop.type == VisitType.PICKUP
        for sid in stop.shipments
        if sid in known
    }


def _named_unscanned(found: Sequence[Violation], left: Mapping[str, str]) -> list[Violation]:
    """The drop of a shipment left unscanned at a worked pickup, said as what happened: its
    copies are not on the van because nobody scanned them there (not "never picked up")."""
    out = []
    for v in found:
        site = left.get(v.shipment or "")
        if v.kind == ViolationKind.PRECEDENCE and site is not None:
            v = dataclasses.replace(
                v,
                message_zh=f"{v.shipment} 的书在 {site} 取件时没有扫描，车上没有可送达的；"
                "请重新规划当天剩余线路以再次取件",
                message_en=f"{v.shipment}: its copies were not scanned at pickup at {site}, "
                "so the van has none to drop; re-plan the rest of the day to collect them",
            )
        out.append(v)
    return out


def _locks_without(locks: Sequence[Lock], done: set[str]) -> tuple[Lock, ...]:
    """The locks on the shipments not yet worked (a worked stop is locked as it happened)."""
    out = []
    for lock in locks:
        visits = tuple(v for v in lock.visits if v.shipment not in done)
        if visits:
            out.append(Lock(lock.van, visits))
    return tuple(out)
