"""The routes' side of the KPIs (:mod:`catalog.kpis`): the period's plans, their steps with
the load each changes, the vans' visits, and the drivers' scans matched to them, as
subqueries the KPI queries group. Everything here is SQL (SQLAlchemy Core), portable between
SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import Subquery

from catalog._kpi_sql import epoch_seconds
from catalog.models import (
    Plan,
    PlanRoute,
    PlanStatus,
    PlanStepType,
    PlanStop,
    Site,
    Transfer,
    TransferEvent,
    TransferStatus,
)

__all__ = [
    "NO_PICKUP_SCAN",
    "VISIT_TYPES",
    "arrivals",
    "current_plans",
    "step_scans",
    "steps_with_loads",
    "visit_steps",
    "visits_grouped",
]

NO_PICKUP_SCAN = "no pickup scan"
"""The note of a pickup recorded at delivery (:func:`catalog.transfers.deliver`): no scan."""
VISIT_TYPES = (PlanStepType.pickup, PlanStepType.delivery)
"""The steps of a visit at a site."""


def current_plans(start: date, end: date) -> Subquery:
    """The plans in force of the period's days: done, not superseded."""
    return (
        select(Plan.id, Plan.day)
        .where(
            Plan.status == PlanStatus.done,
            Plan.superseded_by_id.is_(None),
            Plan.day >= start,
            Plan.day <= end,
        )
        .subquery("current_plans")
    )


def steps_with_loads(start: date, end: date) -> Subquery:
    """Every step of the period's routes with the change of load it makes (``delta``)."""
    plans = current_plans(start, end)
    load_before = func.lag(PlanStop.load_crates, 1, 0).over(
        partition_by=PlanStop.route_id, order_by=PlanStop.position
    )
    return (
        select(
            plans.c.day,
            PlanRoute.id.label("route_id"),
            PlanRoute.van_code,
            PlanStop.position,
            PlanStop.type,
            PlanStop.site_code,
            PlanStop.arrival,
            PlanStop.load_crates,
            (PlanStop.load_crates - load_before).label("delta"),
        )
        .join(PlanRoute, PlanRoute.plan_id == plans.c.id)
        .join(PlanStop, PlanStop.route_id == PlanRoute.id)
        .subquery("steps")
    )


def visit_steps(start: date, end: date) -> Subquery:
    """The period's van visits: runs of consecutive pickup and delivery steps of a route at
    one site, numbered along the route (``visit``), with the crates they load or unload."""
    steps = steps_with_loads(start, end)
    at_sites = (
        select(
            steps,
            case(
                (
                    func.lag(steps.c.site_code).over(
                        partition_by=steps.c.route_id, order_by=steps.c.position
                    )
                    == steps.c.site_code,
                    0,
                ),
                else_=1,
            ).label("new_visit"),
        )
        .where(steps.c.type.in_(VISIT_TYPES))
        .subquery("at_sites")
    )
    return (
        select(
            at_sites,
            func.sum(at_sites.c.new_visit)
            .over(partition_by=at_sites.c.route_id, order_by=at_sites.c.position)
            .label("visit"),
        )
    ).subquery("visit_steps")


def visits_grouped(steps: Subquery, site_code: str | None = None) -> Subquery:
    """One row per visit of :func:`visit_steps`'s steps: its day, van, first position,
    site, steps, crates and planned arrival (of ``site_code`` only, if given)."""
    visits = select(
        steps.c.day,
        steps.c.van_code,
        steps.c.route_id,
        steps.c.visit,
        func.min(steps.c.position).label("position"),
        func.max(steps.c.site_code).label("site_code"),
        func.count().label("steps"),
        func.sum(func.abs(steps.c.delta)).label("crates"),
        func.min(steps.c.arrival).label("arrival"),
    ).group_by(steps.c.day, steps.c.van_code, steps.c.route_id, steps.c.visit)
    if site_code is not None:
        visits = visits.having(func.max(steps.c.site_code) == site_code)
    return visits.subquery("visits")


def step_scans(start: date, end: date) -> Subquery:
    """The drivers' first scan at each step of the period's plans: ``(route_id, position,
    actual)``, for the steps that have one.

    A scan is the pickup or delivery event of a transfer the route's van carries that day
    (``Transfer.van_id``, ``planned_for``), at the step's site, on the plan's day; pickups
    recorded at delivery (no scan) are left out. A pickup belongs to the transfer's pickup
    step (``Transfer.stop``); a delivery to the first delivery step at its site after it.
    Every join goes from the events through indexed columns (the transfer, the day's plan,
    the van's route, the step by route and position).
    """
    plans = current_plans(start, end)
    scan_site = aliased(Site)

    def scanned(*columns: Any) -> Any:
        return (
            select(*columns)
            .select_from(TransferEvent)
            .join(Transfer, Transfer.id == TransferEvent.transfer_id)
            .join(scan_site, scan_site.id == TransferEvent.site_id)
            .join(plans, plans.c.day == Transfer.planned_for)
            .join(
                PlanRoute,
                and_(PlanRoute.plan_id == plans.c.id, PlanRoute.van_code == Transfer.van_id),
            )
            .where(func.date(TransferEvent.at) == plans.c.day)
        )

    pickups = (
        scanned(PlanRoute.id.label("route_id"), PlanStop.position, TransferEvent.at)
        .join(
            PlanStop,
            and_(
                PlanStop.route_id == PlanRoute.id,
                PlanStop.position == Transfer.stop,
                PlanStop.type == PlanStepType.pickup,
                PlanStop.site_code == scan_site.code,
            ),
        )
        .where(
            TransferEvent.status == TransferStatus.picked_up,
            TransferEvent.note != NO_PICKUP_SCAN,
        )
    )
    deliveries = (
        scanned(
            PlanRoute.id.label("route_id"),
            func.min(PlanStop.position).label("position"),
            TransferEvent.at,
        )
        .join(
            PlanStop,
            and_(
                PlanStop.route_id == PlanRoute.id,
                PlanStop.position > Transfer.stop,
                PlanStop.type == PlanStepType.delivery,
                PlanStop.site_code == scan_site.code,
            ),
        )
        .where(TransferEvent.status == TransferStatus.delivered)
        .group_by(TransferEvent.id, PlanRoute.id, TransferEvent.at)
    )
    scans = union_all(pickups, deliveries).subquery("scans")
    return (
        select(scans.c.route_id, scans.c.position, func.min(scans.c.at).label("actual"))
        .group_by(scans.c.route_id, scans.c.position)
        .subquery("step_scans")
    )


def arrivals(start: date, end: date, site_code: str | None = None) -> Subquery:
    """Each van visit of the period's plans with its first scan (``actual``, or NULL) and
    ``delay``, the seconds from the planned arrival to it."""
    steps = visit_steps(start, end)
    scans = step_scans(start, end)
    first_scan = (
        select(steps.c.route_id, steps.c.visit, func.min(scans.c.actual).label("actual"))
        .join(
            scans,
            and_(scans.c.route_id == steps.c.route_id, scans.c.position == steps.c.position),
        )
        .group_by(steps.c.route_id, steps.c.visit)
        .subquery("first_scan")
    )
    by_visit = visits_grouped(steps, site_code)
    return (
        select(
            by_visit,
            first_scan.c.actual,
            (
                epoch_seconds(first_scan.c.actual)
                - epoch_seconds(by_visit.c.day)
                - by_visit.c.arrival
            ).label("delay"),
        )
        .outerjoin(
            first_scan,
            and_(
                first_scan.c.route_id == by_visit.c.route_id,
                first_scan.c.visit == by_visit.c.visit,
            ),
        )
        .subquery("arrivals")
    )
