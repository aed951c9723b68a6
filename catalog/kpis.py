"""KPIs for every site and van (绩效考评), computed in SQL over the catalogue.

Every measure is a grouped query (SQLAlchemy Core) that the database aggregates; Python only
merges the few rows per site or van. Medians and 90th percentiles use window functions
(:mod:`catalog._kpi_sql`), so the figures are the same on SQLite and PostgreSQL.

The period is whole local days, ``start`` to ``end`` inclusive: an event counts when its
timestamp falls in ``[start 00:00, end + 1 day 00:00)``; a plan counts when its day does.

Per site
--------
loans
    Check-outs at the site.
returns
    Returns taken at the site; ``returns_from_elsewhere`` of them were lent by another site
    (通借通还), their share is ``away_share``. ``returned_elsewhere``: the site's own loans
    brought back at another site.
holds_placed, holds_filled
    Holds for pickup at the site placed, and put on its hold shelf (``ready_at``), in the
    period. ``fill_median_s`` / ``fill_p90_s``: seconds from placing to the shelf, of the
    holds filled. ``holds_on_time``: holds filled with an expected date (预计到馆日期) that
    reached the shelf on or before it; ``on_time_rate`` is their share of the filled holds
    that had an expected date (holds not yet on the shelf are not counted).
sent, received
    Transfers that left the site (pickup scan) and reached it (delivery scan), by kind.
lost_in_transit
    Transfers picked up at the site in the period that are ``lost``
    (:func:`catalog.transfers.mark_lost`), or still in a van ``lost_after_days`` (the
    circulation setting) or more before the end of the period (or ``now``, if earlier): the
    same threshold, counted before the nightly job has marked them.
visits, crates_handled, crates_per_visit
    Van visits at the site in the period's plans (consecutive pickup and delivery steps of a
    route at one site are one visit) and crates loaded or unloaded there (the change of the
    van's load at each step).

Per van
-------
routes, distance_m, duration_s
    Routes driven (one a day) in the period's plans, metres and seconds.
crates
    Crates loaded (the rises of the van's load along its routes); ``utilisation`` is
    ``crates / (capacity_crates * routes)`` with the van's current capacity (above 1 when
    a van is unloaded and loaded again along its route), and ``peak_load_share`` the
    fullest the van was (the highest load over its capacity).
visits, scanned_visits
    Visits at sites (as for the sites), and those with a driver's scan (see
    :func:`visit_arrivals`); ``delay_median_s`` / ``delay_p90_s``: the first scan minus the
    planned arrival, of the scanned visits.

The period's plans are each day's plan in force: done and not superseded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from catalog import _kpi_routes as plan_sql
from catalog._kpi_sql import epoch_seconds, percentiles
from catalog._lookup import resolve_now
from catalog.errors import InvalidValueError
from catalog.models import (
    Hold,
    Loan,
    PlanRoute,
    Site,
    Transfer,
    TransferKind,
    TransferStatus,
    Van,
)
from catalog.settings import CirculationSettings
from catalog.sites import get_site

__all__ = [
    "KINDS",
    "KpiReport",
    "SiteKpis",
    "VanKpis",
    "VisitArrival",
    "kpi_report",
    "site_kpis",
    "van_kpis",
    "visit_arrivals",
]

KINDS = tuple(k.value for k in TransferKind)
"""The transfer kinds, in the order the tables show them."""


@dataclass(frozen=True, slots=True)
class SiteKpis:
    """One site's KPIs over a period (see the module's docstring for each measure)."""

    site_code: str
    name_zh: str
    name_en: str
    kind: str
    loans: int = 0
    returns: int = 0
    returns_from_elsewhere: int = 0
    returned_elsewhere: int = 0
    holds_placed: int = 0
    holds_filled: int = 0
    fill_median_s: float | None = None
    fill_p90_s: float | None = None
    holds_with_expected: int = 0
    holds_on_time: int = 0
    sent: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    received: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    lost_in_transit: int = 0
    visits: int = 0
    crates_handled: int = 0

    @property
    def away_share(self) -> float | None:
        """Share of the site's returns lent by another site (None without returns)."""
        return self.returns_from_elsewhere / self.returns if self.returns else None

    @property
    def on_time_rate(self) -> float | None:
        """Share of filled holds with an expected date that were on the shelf by it."""
        return self.holds_on_time / self.holds_with_expected if self.holds_with_expected else None

    @property
    def crates_per_visit(self) -> float | None:
        """Crates loaded or unloaded per van visit (None without visits)."""
        return self.crates_handled / self.visits if self.visits else None


@dataclass(frozen=True, slots=True)
class VanKpis:
    """One van's KPIs over a period (see the module's docstring for each measure)."""

    van_code: str
    routes: int
    distance_m: int
    duration_s: int
    crates: int
    capacity_crates: int | None
    peak_load: int
    visits: int
    scanned_visits: int
    delay_median_s: float | None = None
    delay_p90_s: float | None = None

    @property
    def km(self) -> float:
        """Kilometres driven."""
        return self.distance_m / 1000

    @property
    def hours(self) -> float:
        """Hours on the road and at stops."""
        return self.duration_s / 3600

    @property
    def utilisation(self) -> float | None:
        """Crates loaded over the capacity of the routes driven (None: capacity unknown)."""
        if not self.capacity_crates or not self.routes:
            return None
        return self.crates / (self.capacity_crates * self.routes)

    @property
    def peak_load_share(self) -> float | None:
        """The highest load over the capacity (None: capacity unknown)."""
        return self.peak_load / self.capacity_crates if self.capacity_crates else None

    @property
    def unscanned_visits(self) -> int:
        """Visits without a driver's scan: their actual arrival is not known."""
        return self.visits - self.scanned_visits


@dataclass(frozen=True, slots=True)
class VisitArrival:
    """A van's visit at a site (its consecutive pickup and delivery steps there), planned
    against the driver's first scan of the visit (see :func:`visit_arrivals`).

    ``actual`` and ``delay_s`` are None when nothing was scanned at the visit.
    """

    day: date
    van_code: str
    visit: int
    """1, 2 ... along the route."""
    position: int
    """The position of the visit's first step in the route."""
    site_code: str
    steps: int
    crates: int
    """Crates loaded or unloaded."""
    planned: datetime
    actual: datetime | None
    delay_s: int | None


@dataclass(frozen=True, slots=True)
class KpiReport:
    """The KPIs of a period: per site, per van, and the vans' visits."""

    start: date
    end: date
    lost_after_days: int
    sites: list[SiteKpis]
    vans: list[VanKpis]
    visits: list[VisitArrival]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    for name, value in (("from", start), ("to", end)):
        if isinstance(value, datetime) or not isinstance(value, date):
            raise InvalidValueError(name, value, "须为日期 / must be a date (YYYY-MM-DD)")
    if start > end:
        raise InvalidValueError(
            "from", start.isoformat(), f"晚于结束日期 / is after to={end.isoformat()}"
        )
    if end >= date.max:
        raise InvalidValueError(
            "to", end.isoformat(), "须早于 9999-12-31 / must be before 9999-12-31"
        )
    return datetime.combine(start, time()), datetime.combine(end + timedelta(days=1), time())


def _within(column: Any, low: datetime, high: datetime) -> ColumnElement[bool]:
    return and_(column >= low, column < high)


def _counts(session: Session, query: Any) -> dict[Any, tuple[Any, ...]]:
    """``{first column: the other columns}`` of a grouped query."""
    return {row[0]: tuple(row[1:]) for row in session.execute(query)}


def site_kpis(
    session: Session,
    *,
    start: date,
    end: date,
    site_code: str | None = None,
    settings: CirculationSettings | None = None,
    now: datetime | None = None,
) -> list[SiteKpis]:
    """Every site's KPIs over ``start``..``end`` (inclusive), by site code.

    Parameters
    ----------
    start, end
        The period's first and last day.
    site_code
        Only this site.
    settings
        ``lost_after_days``, the threshold of :attr:`SiteKpis.lost_in_transit`.
    now
        The current time (default: the clock), so that a transfer is not counted lost before
        its time.

    Raises
    ------
    InvalidValueError
        ``start`` after ``end`` (field ``from``), or not dates.
    NotFoundError
        No site ``site_code`` (field ``site``).
    """
    low, high = _bounds(start, end)
    settings = settings or CirculationSettings()
    sites_query = select(Site.id, Site.code, Site.name_zh, Site.name_en, Site.kind).order_by(
        Site.code
    )
    if site_code is not None:
        sites_query = sites_query.where(Site.id == get_site(session, site_code, field="site").id)
    sites = session.execute(sites_query).all()

    loans = _counts(
        session,
        select(Loan.site_id, func.count())
        .where(_within(Loan.checked_out_at, low, high))
        .group_by(Loan.site_id),
    )
    returns = _counts(
        session,
        select(
            Loan.return_site_id,
            func.count(),
            func.sum(case((Loan.site_id != Loan.return_site_id, 1), else_=0)),
        )
        .where(_within(Loan.returned_at, low, high))
        .group_by(Loan.return_site_id),
    )
    returned_elsewhere = _counts(
        session,
        select(Loan.site_id, func.count())
        .where(_within(Loan.returned_at, low, high), Loan.return_site_id != Loan.site_id)
        .group_by(Loan.site_id),
    )
    placed = _counts(
        session,
        select(Hold.pickup_site_id, func.count())
        .where(_within(Hold.placed_at, low, high))
        .group_by(Hold.pickup_site_id),
    )
    on_time = and_(Hold.expected_on.is_not(None), func.date(Hold.ready_at) <= Hold.expected_on)
    filled = _counts(
        session,
        select(
            Hold.pickup_site_id,
            func.count(),
            func.count(Hold.expected_on),
            func.sum(case((on_time, 1), else_=0)),
        )
        .where(_within(Hold.ready_at, low, high))
        .group_by(Hold.pickup_site_id),
    )
    fill_times = (
        select(
            Hold.pickup_site_id.label("site_id"),
            (epoch_seconds(Hold.ready_at) - epoch_seconds(Hold.placed_at)).label("seconds"),
        )
        .where(_within(Hold.ready_at, low, high))
        .subquery("fill_times")
    )
    fill = _counts(session, percentiles(fill_times, ["site_id"], "seconds"))
    sent = _by_kind(session, Transfer.origin_site_id, Transfer.picked_up_at, low, high)
    received = _by_kind(session, Transfer.destination_site_id, Transfer.delivered_at, low, high)
    latest, wait = min(high, resolve_now(now)), timedelta(days=settings.lost_after_days)
    cutoff = latest - wait if latest - datetime.min > wait else datetime.min  # periods near year 1
    lost = _counts(
        session,
        select(Transfer.origin_site_id, func.count())
        .where(
            _within(Transfer.picked_up_at, low, high),
            or_(
                Transfer.status == TransferStatus.lost,
                and_(
                    Transfer.status == TransferStatus.picked_up,
                    Transfer.picked_up_at <= cutoff,
                ),
            ),
        )
        .group_by(Transfer.origin_site_id),
    )
    visits = _visits(session, start, end)

    out = []
    for site_id, code, name_zh, name_en, kind in sites:
        returned = returns.get(site_id, (0, 0))
        filled_here = filled.get(site_id, (0, 0, 0))
        fill_here = fill.get(site_id, (0, None, None))
        visits_here = visits.get(code, (0, 0))
        out.append(
            SiteKpis(
                site_code=code,
                name_zh=name_zh,
                name_en=name_en,
                kind=str(getattr(kind, "value", kind)),
                loans=int(loans.get(site_id, (0,))[0]),
                returns=int(returned[0]),
                returns_from_elsewhere=int(returned[1] or 0),
                returned_elsewhere=int(returned_elsewhere.get(site_id, (0,))[0]),
                holds_placed=int(placed.get(site_id, (0,))[0]),
                holds_filled=int(filled_here[0]),
                holds_with_expected=int(filled_here[1]),
                holds_on_time=int(filled_here[2] or 0),
                fill_median_s=fill_here[1],
                fill_p90_s=fill_here[2],
                sent=sent.get(site_id, dict.fromkeys(KINDS, 0)),
                received=received.get(site_id, dict.fromkeys(KINDS, 0)),
                lost_in_transit=int(lost.get(site_id, (0,))[0]),
                visits=int(visits_here[0] or 0),
                crates_handled=int(visits_here[1] or 0),
            )
        )
    return out


def _by_kind(
    session: Session, site: Any, when: Any, low: datetime, high: datetime
) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    for site_id, kind, count in session.execute(
        select(site, Transfer.kind, func.count())
        .where(_within(when, low, high))
        .group_by(site, Transfer.kind)
    ):
        out.setdefault(site_id, dict.fromkeys(KINDS, 0))[TransferKind(kind).value] = int(count)
    return out


def _visits(session: Session, start: date, end: date) -> dict[str, tuple[Any, ...]]:
    """``{site code: (visits, crates handled)}`` over the period's plans."""
    visits = plan_sql.visits_grouped(plan_sql.visit_steps(start, end))
    return _counts(
        session,
        select(visits.c.site_code, func.count(), func.sum(visits.c.crates)).group_by(
            visits.c.site_code
        ),
    )


def visit_arrivals(
    session: Session, *, start: date, end: date, site_code: str | None = None
) -> list[VisitArrival]:
    """Every van visit of the period's plans, planned against the driver's first scan there
    (a pickup scan of a transfer picked up at the visit, or a delivery scan of one delivered
    there), by day, van and visit.

    A delivery is put on the first delivery step at its site after its pickup: a route that
    comes back to a site to deliver more has the scans of the second visit on the first when
    both visits could have delivered them.

    Raises
    ------
    InvalidValueError
        ``start`` after ``end``.
    NotFoundError
        No site ``site_code`` (field ``site``).
    """
    _bounds(start, end)
    if site_code is not None:
        get_site(session, site_code, field="site")
    arrivals = plan_sql.arrivals(start, end, site_code)
    rows = session.execute(
        select(arrivals).order_by(arrivals.c.day, arrivals.c.van_code, arrivals.c.visit)
    )
    out = []
    for row in rows:
        day = row.day if isinstance(row.day, date) else date.fromisoformat(str(row.day))
        out.append(
            VisitArrival(
                day=day,
                van_code=row.van_code,
                visit=int(row.visit),
                position=int(row.position),
                site_code=row.site_code,
                steps=int(row.steps),
                crates=int(row.crates or 0),
                planned=datetime.combine(day, time()) + timedelta(seconds=int(row.arrival)),
                actual=row.actual,
                delay_s=None if row.delay is None else int(row.delay),
            )
        )
    return out


def van_kpis(session: Session, *, start: date, end: date) -> list[VanKpis]:
    """Every van's KPIs over ``start``..``end`` (inclusive), by van code: the vans with a
    route in the period's plans.

    Raises
    ------
    InvalidValueError
        ``start`` after ``end``.
    """
    _bounds(start, end)
    plans = plan_sql.current_plans(start, end)
    routes = _counts(
        session,
        select(
            PlanRoute.van_code,
            func.count(),
            func.sum(PlanRoute.distance),
            func.sum(PlanRoute.duration),
            func.max(Van.capacity_crates),
        )
        .join(plans, plans.c.id == PlanRoute.plan_id)
        .outerjoin(Van, Van.id == PlanRoute.van_id)
        .group_by(PlanRoute.van_code),
    )
    steps = plan_sql.steps_with_loads(start, end)
    loads = _counts(
        session,
        select(
            steps.c.van_code,
            func.sum(case((steps.c.delta > 0, steps.c.delta), else_=0)),
            func.max(steps.c.load_crates),
        ).group_by(steps.c.van_code),
    )
    arrivals = plan_sql.arrivals(start, end)
    scanned = _counts(
        session,
        select(arrivals.c.van_code, func.count(), func.count(arrivals.c.actual)).group_by(
            arrivals.c.van_code
        ),
    )
    delays = _counts(session, percentiles(arrivals, ["van_code"], "delay"))
    out = []
    for code in sorted(routes):
        count, distance, duration, capacity = routes[code]
        crates, peak = loads.get(code, (0, 0))
        visits, with_scan = scanned.get(code, (0, 0))
        _, median, p90 = delays.get(code, (0, None, None))
        out.append(
            VanKpis(
                van_code=code,
                routes=int(count),
                distance_m=int(distance or 0),
                duration_s=int(duration or 0),
                crates=int(crates or 0),
                capacity_crates=None if capacity is None else int(capacity),
                peak_load=int(peak or 0),
                visits=int(visits),
                scanned_visits=int(with_scan),
                delay_median_s=median,
                delay_p90_s=p90,
            )
        )
    return out


def kpi_report(
    session: Session,
    *,
    start: date,
    end: date,
    site_code: str | None = None,
    settings: CirculationSettings | None = None,
    now: datetime | None = None,
) -> KpiReport:
    """The KPIs of a period: :func:`site_kpis` (of ``site_code`` only, if given),
    :func:`van_kpis` (every van) and :func:`visit_arrivals` (at ``site_code`` only, if given).

    Raises
    ------
    InvalidValueError
        ``start`` after ``end`` (field ``from``).
    NotFoundError
        No site ``site_code`` (field ``site``).
    """
    settings = settings or CirculationSettings()
    sites = site_kpis(
        session, start=start, end=end, site_code=site_code, settings=settings, now=now
    )
    return KpiReport(
        start=start,
        end=end,
        lost_after_days=settings.lost_after_days,
        sites=sites,
        vans=van_kpis(session, start=start, end=end),
        visits=visit_arrivals(session, start=start, end=end, site_code=site_code),
    )
