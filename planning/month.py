"""A month of van work, day after day: circulation, the vans' plan, the deliveries, the figures.

:func:`month_network` fixes what a month runs on: the sites (the demo network, and any new
service point), their van matrices on the street network, and how many residents live
nearest each site on foot (the demand points' population, :func:`planning.district_demand`).
:func:`simulate_month` then plays ``days`` days on a fresh catalogue (SQLite in a temporary
folder unless given a database), each day in order:

1. the vans of the day are planned by the optimiser through :mod:`dispatch`
   (:func:`dispatch.catalog_day.plan_date`: the open transfers, the day's calendar, the
   fleet's active vans), with a work limit so that the same inputs give the same plan;
2. the vans drive: every planned transfer is picked up and delivered at the times of its
   route (the catalogue's scan functions, so a hold's copy goes onto the pickup shelf and a
   return goes home), and what was deferred stays open for the next day;
3. the day's circulation is simulated (:func:`catalog.simulate.simulate_day`): loans,
   returns anywhere, holds and new stock, with patrons coming to each site in proportion
   to the residents nearest it, at the sites open that day; its transfers wait for the
   next day's vans.

A day of circulation before the first van day (with a backlog of loans) starts the month;
the last van day has no circulation after it, so every transfer of the month had at least
one van day. What is reported (:class:`MonthReport`):

* per van day: km, van-hours, vans used, items moved (delivered), crates, stops and crates
  per stop, transfers planned and deferred, the plan's cost, how the search stopped;
* per transfer: kind, requested, delivered, hours in between (open at the end: not
  delivered, counted as taking longer than any delivered one in the quantiles);
* per hold transfer (a copy going to a patron's pickup site): on the pickup shelf by the
  closing time of the site's next opening day after the request (``next_open_day``), and by
  the transfer's deadline (``by_deadline``, ``hold_deadline_working_days`` working days);
* in total (:meth:`MonthReport.summary`): the sums, the peak of vans used, the two hold
  shares, and the median and 90th percentile of the transfer time by kind and for all.

Times are datetimes of the simulated days, durations seconds, distances metres (the frames
give km and hours where named so).
"""

from __future__ import annotations

import dataclasses
import math
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

import planning.demand as demand_points
from catalog.db import create_engine, session_factory, upgrade
from catalog.demo_data import demo_sites_from_db, generate_demo_catalogue
from catalog.errors import CirculationError
from catalog.fleet import get_van, update_van
from catalog.models import Item, Site, SiteKind, Transfer, TransferKind, TransferStatus
from catalog.plans import PlanRecord
from catalog.settings import CirculationSettings
from catalog.simulate import simulate_day
from catalog.sites import closing_time, create_site, working_day
from catalog.transfers import scan_delivery, scan_pickup
from catalog.travel import MatrixTravelTimes
from dispatch import DemoSite, demo_sites, demo_vans, save_vans, site_network
from dispatch.catalog_day import SitePoint, plan_date
from dispatch.demo_sites import BRANCH_HOURS, CENTRAL_HOURS, SERVICE_POINT_HOURS
from optimizer import SolveParams, TimeWindow, Van
from planning.travel_times import nearest_site

__all__ = [
    "DEFAULT_HOURS",
    "DEPART_AT",
    "MonthError",
    "MonthNetwork",
    "MonthReport",
    "month_network",
    "simulate_month",
]

STAFF = "planning.month"
DEPART_AT = 8 * 3600 + 1800
"""The vans leave at 08:30: the van matrices are those of the morning rush hour."""
PLAN_AT = time(7, 0)
"""When each day's plan is made and recorded, before the vans leave."""
WEEK = tuple(range(7))
WORK_LIMIT = 50
"""Solutions of each day's search: on the small days of a simulated month (tens of
shipments) more find little more (measured: 20 solutions left a van more on some days)."""
MORNING_ROUND = (8 * 3600 + 1800, 12 * 3600 + 1800)
"""08:30–12:30: a van round that has the day's books on the shelves by noon."""
SHORT_ROUND = (8 * 3600 + 1800, 11 * 3600)
"""08:30–11:00: a short morning round, every van back by 11:00: the day's books reach the
shelves early in the day's opening (a median transfer is then under a day, since copies
asked for in a morning are delivered the next morning at an earlier hour), at the price of
more vans, each with fewer stops."""

Hours = Mapping[int, Sequence[tuple[int, int]]]
"""``{weekday (0 = Monday): [(open_s, close_s), ...]}``; a weekday missing is closed."""

DEFAULT_HOURS: Mapping[str, Hours] = {
    SiteKind.central.value: {d: CENTRAL_HOURS for d in WEEK},
    SiteKind.branch.value: {d: BRANCH_HOURS for d in WEEK},
    SiteKind.service_point.value: {d: SERVICE_POINT_HOURS for d in WEEK},
}
"""The demo network's hours, every day of the week, per kind of site."""


class MonthError(ValueError):
    """A month that cannot be simulated as asked; names the field and the value."""

    def __init__(self, field: str, value: object, message: str) -> None:
        super().__init__(f"{field}={value!r}: {message}")
        self.field = field
        self.value = value


@dataclass(frozen=True, slots=True)
class MonthNetwork:
    """The sites a month runs on, their van matrices and their residents; plain data, so
    that it can be sent to another process as it is.

    Attributes
    ----------
    sites
        The demo sites (central first), then any added ones.
    durations, distances
        Van seconds and metres between the sites, in the order of ``sites`` (leaving at
        :data:`DEPART_AT`).
    residents
        ``{site code: residents}``: the population of the demand points nearest it on foot.
    """

    sites: tuple[DemoSite, ...]
    durations: tuple[tuple[int, ...], ...]
    distances: tuple[tuple[int, ...], ...]
    residents: Mapping[str, float]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sites)

    def matrices(self, points: Sequence[SitePoint]) -> tuple[list[list[int]], list[list[int]]]:
        """The matrices between ``points`` (a :class:`dispatch.catalog_day.MatrixSource`)."""
        index = {code: i for i, code in enumerate(self.codes)}
        missing = [p.code for p in points if p.code not in index]
        if missing:
            raise MonthError("sites", missing, "不在本月的站点网络中 / not in the month's network")
        rows = [index[p.code] for p in points]
        return (
            [[self.durations[i][j] for j in rows] for i in rows],
            [[self.distances[i][j] for j in rows] for i in rows],
        )


def new_service_point(code: str, lon: float, lat: float, *, name_zh: str = "") -> DemoSite:
    """A service point to add to the demo network ([lon, lat] WGS-84), with the demo hours."""
    return DemoSite(
        id=code,
        kind=SiteKind.service_point.value,
        name_zh=name_zh or f"新服务点 {code}",
        name_en=f"New service point {code}",
        subdistrict="",
        lon=float(lon),
        lat=float(lat),
        hours=SERVICE_POINT_HOURS,
        service_seconds=180,
    )


def month_network(
    G: nx.MultiDiGraph,
    beilin_dir: str | Path,
    *,
    added: Sequence[DemoSite] = (),
    demand: Any = None,
) -> MonthNetwork:
    """The demo network (and ``added`` sites) with its van matrices and residents per site.

    Parameters
    ----------
    G
        The street graph (``geo.load_beilin_graph``).
    beilin_dir
        The shared ``beilin/`` folder (``settings.data.beilin_dir``): the demo sites and
        the census figures are read there.
    added
        Sites to add, e.g. :func:`new_service_point` at a location model's choice.
    demand
        Demand points with a ``population`` column (:func:`planning.district_demand`, the
        default, or :func:`planning.load_demand`).

    Returns
    -------
    MonthNetwork

    Raises
    ------
    MonthError
        An added site whose code is taken.
    geo.SnapError
        A site too far from the streets.
    """
    folder = Path(beilin_dir)
    sites = demo_sites(
        subdistrict_points=folder / "subdistricts" / "subdistrict_points_vonng_adcode.geojson",
        communities=folder / "subdistricts" / "communities_nbs2020.csv",
        boundary=folder / "boundary" / "beilin_610103_datav_wgs84.geojson",
    )
    codes = {s.id for s in sites}
    for site in added:
        if site.id in codes:
            raise MonthError("added", site.id, "站点代码已存在 / a site with this code exists")
        codes.add(site.id)
    sites = [*sites, *added]
    net = site_network(
        G, [s.id for s in sites], [(s.lon, s.lat) for s in sites], depart_at=DEPART_AT
    )
    points = demand if demand is not None else demand_points.district_demand(G, folder)
    nearest, _ = nearest_site(G, points, [(s.id, s.lon, s.lat) for s in sites], mode="walk")
    population = np.asarray(points["population"], dtype=float)
    reached = nearest >= 0
    per_site = np.bincount(nearest[reached], weights=population[reached], minlength=len(sites))
    return MonthNetwork(
        sites=tuple(sites),
        durations=tuple(tuple(int(v) for v in row) for row in net.durations),
        distances=tuple(tuple(int(v) for v in row) for row in net.distances),
        residents={s.id: float(per_site[i]) for i, s in enumerate(sites)},
    )


@dataclass(frozen=True)
class MonthReport:
    """What a simulated month did (see the module docstring for each measure).

    Attributes
    ----------
    days
        One row per van day: ``day``, ``fleet`` (vans in service), ``vans``, ``km``,
        ``van_hours``, ``items_moved``, ``crates``, ``stops``, ``crates_per_stop``,
        ``planned``, ``deferred``, ``deferred_holds``, ``cost``, ``stopped_by``, then the
        next circulation: ``loans``, ``returns``, ``holds``, ``requested``.
    transfers
        One row per transfer requested in the month: ``transfer_id``, ``kind``,
        ``requested_at``, ``delivered_at`` (NaT when open at the end), ``hours``.
    holds
        One row per hold transfer: ``transfer_id``, ``requested_at``, ``delivered_at``,
        ``next_open_day`` (the closing time of the pickup site's next opening day),
        ``deadline``, ``on_shelf_next_open_day``, ``on_shelf_by_deadline``.
    refused
        Circulation requests the rules refused, by reason, over the month.
    undelivered
        Deliveries the catalogue refused (a van at the wrong site ...): always 0 when the
        plan and the catalogue agree.
    config
        What the month was asked (days, scale, fleet, seed, limits).
    """

    days: pd.DataFrame
    transfers: pd.DataFrame
    holds: pd.DataFrame
    refused: dict[str, int] = field(default_factory=dict)
    undelivered: int = 0
    config: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> pd.Series:
        """The month in one row: sums, peaks, the hold shares and the transfer times.

        ``transfer_h_median`` and ``transfer_h_p90`` are over every transfer of the month
        (``transfer_h_median_<kind>`` ... per kind), an open one counting as longer than
        any delivered (so a quantile is never made smaller by what did not arrive): inf
        when more than that share is still open.
        """
        d, t, h = self.days, self.transfers, self.holds
        # A hold whose measure falls after the last van day could not be judged.
        end = pd.Timestamp(self.config["end"]) if "end" in self.config else pd.Timestamp.max
        stops = int(d["stops"].sum())
        out: dict[str, Any] = {
            "days": len(d),
            "km": round(float(d["km"].sum()), 3),
            "van_hours": round(float(d["van_hours"].sum()), 3),
            "vans_needed": int(d["vans"].max()) if len(d) else 0,
            "vans_mean": round(float(d["vans"].mean()), 3) if len(d) else 0.0,
            "items_moved": int(d["items_moved"].sum()),
            "crates": int(d["crates"].sum()),
            "crates_per_stop": round(2 * float(d["crates"].sum()) / stops, 3) if stops else 0.0,
            "cost": round(float(d["cost"].sum()), 2),
            "transfers": len(t),
            "open_at_end": int(t["delivered_at"].isna().sum()),
            "holds": len(h),
            "holds_next_open_day": _share(
                h.loc[h["next_open_day"] <= end, "on_shelf_next_open_day"]
            ),
            "holds_by_deadline": _share(h.loc[h["deadline"] <= end, "on_shelf_by_deadline"]),
            "transfer_h_median": _quantile(t["hours"], 0.5),
            "transfer_h_p90": _quantile(t["hours"], 0.9),
        }
        for kind in sorted(t["kind"].unique()):
            hours = t.loc[t["kind"] == kind, "hours"]
            out[f"transfer_h_median_{kind}"] = _quantile(hours, 0.5)
            out[f"transfer_h_p90_{kind}"] = _quantile(hours, 0.9)
        out["undelivered"] = self.undelivered
        return pd.Series(out, name="month")


def _share(flags: pd.Series) -> float:
    return round(float(flags.mean()), 4) if len(flags) else math.nan


def _quantile(hours: pd.Series, q: float) -> float:
    """The ``q`` quantile with NaN (open at the end) as +inf: the lower of the two middle
    values, so that it is a time some transfer took, never an interpolation with inf."""
    if not len(hours):
        return math.nan
    values = np.sort(hours.fillna(math.inf).to_numpy(dtype=float))
    value = float(np.quantile(values, q, method="lower"))
    return round(value, 3) if math.isfinite(value) else math.inf


def simulate_month(
    network: MonthNetwork,
    *,
    days: int = 30,
    start: date = date(2026, 3, 2),
    scale: float = 0.05,
    fleet: int = 3,
    seed: int = 0,
    hours: Mapping[str, Hours] | None = None,
    van_weekdays: Sequence[int] = WEEK,
    breakdown_day: int | None = None,
    shift: tuple[int, int] | None = None,
    time_limit: float = 60.0,
    work_limit: int = WORK_LIMIT,
    database_url: str | None = None,
    settings: CirculationSettings | None = None,
) -> MonthReport:
    """Simulate ``days`` van days of the network on a fresh catalogue.

    Parameters
    ----------
    network
        The sites, their matrices and residents (:func:`month_network`).
    days
        Van days to simulate (30: a month).
    start
        The first van day (a Monday by default).
    scale
        Size of the catalogue and of each day's circulation
        (:func:`catalog.demo_data.generate_demo_catalogue`,
        :data:`catalog.simulate.DAY_VOLUME`): 1 is the whole district, some 820 transfers
        a day; 0.05 about 45.
    fleet
        Vans at the central library (:func:`dispatch.demo_vans`: 40 crates, 08:30–17:30).
    seed
        Seeds the catalogue, each day's circulation and each day's solve: the same
        arguments give the same month.
    hours
        Opening hours per kind of site (``central``, ``branch``, ``service_point``), as
        :data:`DEFAULT_HOURS`; a kind missing keeps its default.
    van_weekdays
        The weekdays (0 = Monday) a van calls at the branches and service points; the
        central library, the depot, is served every day.
    breakdown_day
        A van day (0 = ``start``) on which the first van is off the road.
    shift
        The vans' shift ``(start_s, end_s)``, e.g. a morning round ``(30600, 45000)``
        (08:30–12:30): the books are on the shelves by noon. The lunch break stays only
        when its window lies inside the shift. None: the demo's 08:30–17:30.
    time_limit
        Seconds per day's solve: the safety net; the search stops at ``work_limit``.
    work_limit
        Solutions of the search per day (:class:`optimizer.SolveParams`), the limit that
        makes a day's plan the same on any machine however busy.
    database_url
        A database holding no shuyun data yet (it is migrated and filled, and kept). None:
        SQLite in a temporary folder, removed at the end.
    settings
        Circulation rules (loan period, hold deadline, crate size).

    Returns
    -------
    MonthReport

    Raises
    ------
    MonthError
        A number out of range, an unknown kind of site, or a database that holds data.
    """
    _check(days=days, scale=scale, fleet=fleet, breakdown_day=breakdown_day, hours=hours)
    vans = _vans(fleet, shift)
    settings = settings or CirculationSettings()
    weekdays = sorted(set(van_weekdays))
    if any(not 0 <= w <= 6 for w in weekdays):
        raise MonthError("van_weekdays", list(van_weekdays), "星期须为 0..6 / weekdays are 0..6")
    kind_hours = {**DEFAULT_HOURS, **(hours or {})}
    params = SolveParams(work_limit=work_limit)
    rows: list[dict[str, Any]] = []
    refused: dict[str, int] = {}
    undelivered = 0
    with _database(database_url) as engine, session_factory(engine)() as session:
        site_ids = _fill(session, network, kind_hours, weekdays, vans=vans, seed=seed, scale=scale)
        travel = MatrixTravelTimes(
            {
                (site_ids[a], site_ids[b]): network.durations[i][j]
                for i, a in enumerate(network.codes)
                for j, b in enumerate(network.codes)
                if i != j
            }
        )
        weights = {site_ids[code]: w for code, w in network.residents.items()}

        def circulate(day: date, n: int) -> dict[str, int]:
            report = simulate_day(
                session,
                day=day,
                travel_times=travel,
                seed=seed * 1_000 + n,
                scale=scale,
                settings=settings,
                backlog=n == 0,
                site_weights=weights,
            )
            session.commit()
            for reason, count in report.refused.items():
                refused[reason] = refused.get(reason, 0) + count
            return {
                "loans": report.loans,
                "returns": report.returns,
                "holds": sum(report.holds.values()),
                "requested": report.items_moved,
            }

        circulate(start - timedelta(days=1), 0)
        for n in range(days):
            day = start + timedelta(days=n)
            broken = _take_off_road(session, breakdown_day == n)
            plan, record = plan_date(
                session,
                day=day,
                time_limit=time_limit,
                matrices=network.matrices,
                staff=STAFF,
                seed=seed + n,
                params=params,
                settings=settings,
                now=datetime.combine(day, PLAN_AT),
            )
            session.commit()
            moved, refused_here = _drive(session, day, record, settings)
            session.commit()
            undelivered += refused_here
            if broken is not None:
                _back_on_road(session, broken)
            row = _day_row(day, record, plan.problem.vans, moved)
            row["stopped_by"] = plan.result.stats.stopped_by
            if n < days - 1:
                row.update(circulate(day, n + 1))
            rows.append(row)
        transfers, holds = _transfer_frames(session)
    config = {
        "days": days,
        "start": start.isoformat(),
        "scale": scale,
        "fleet": fleet,
        "seed": seed,
        "van_weekdays": weekdays,
        "breakdown_day": breakdown_day,
        "shift": list(shift) if shift else None,
        "work_limit": work_limit,
        "sites": len(network.sites),
        "end": datetime.combine(start + timedelta(days=days), time()).isoformat(),
    }
    return MonthReport(
        days=pd.DataFrame(rows),
        transfers=transfers,
        holds=holds,
        refused=dict(sorted(refused.items())),
        undelivered=undelivered,
        config=config,
    )


def _check(
    *,
    days: int,
    scale: float,
    fleet: int,
    breakdown_day: int | None,
    hours: Mapping[str, Hours] | None,
) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise MonthError("days", days, "须为正整数 / must be a whole number >= 1")
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise MonthError("scale", scale, "须为正数 / must be > 0")
    if isinstance(fleet, bool) or not isinstance(fleet, int) or fleet < 1:
        raise MonthError("fleet", fleet, "至少一辆车 / must be a whole number >= 1")
    if breakdown_day is not None and not 0 <= breakdown_day < days:
        raise MonthError("breakdown_day", breakdown_day, f"须在 0..{days - 1} / must be in range")
    kinds = {k.value for k in SiteKind}
    for kind in hours or {}:
        if kind not in kinds:
            raise MonthError("hours", kind, f"站点类型须为 {sorted(kinds)} / unknown kind of site")


@contextmanager
def _database(url: str | None) -> Iterator[Engine]:
    """A migrated database: ``url`` (must hold no sites) or SQLite in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="shuyun-month-") as folder:
        engine = create_engine(url or f"sqlite:///{Path(folder) / 'month.sqlite'}")
        try:
            upgrade(engine)
            with session_factory(engine)() as session:
                sites = session.scalar(select(func.count()).select_from(Site)) or 0
            if sites:
                raise MonthError(
                    "database_url",
                    engine.url.render_as_string(hide_password=True),
                    f"数据库已有 {sites} 个站点 / the database already holds {sites} sites: "
                    "a month needs an empty one",
                )
            yield engine
        finally:
            engine.dispose()


def _fill(
    session: Session,
    network: MonthNetwork,
    hours: Mapping[str, Hours],
    weekdays: Sequence[int],
    *,
    vans: Sequence[Van],
    seed: int,
    scale: float,
) -> dict[str, int]:
    """The sites, a demo catalogue and the fleet; ``{site code: site id}``."""
    ids: dict[str, int] = {}
    for site in network.sites:
        central = site.kind == SiteKind.central.value
        row = create_site(
            session,
            code=site.id,
            kind=site.kind,
            name_zh=site.name_zh,
            name_en=site.name_en,
            lon=site.lon,
            lat=site.lat,
            opening_hours={d: list(iv) for d, iv in hours[site.kind].items()},
            van_weekdays=WEEK if central else weekdays,
        )
        ids[site.id] = row.id
    generate_demo_catalogue(session, demo_sites_from_db(session), seed=seed, scale=scale)
    save_vans(session, vans, staff=STAFF)
    session.commit()
    return ids


def _vans(fleet: int, shift: tuple[int, int] | None) -> tuple[Van, ...]:
    """The demo's vans, on ``shift`` when given (the lunch break kept if it fits)."""
    vans = demo_vans(count=fleet)
    if shift is None:
        return vans
    begin, end = shift
    if not (isinstance(begin, int) and isinstance(end, int) and 0 <= begin < end <= 86400):
        raise MonthError(
            "shift",
            shift,
            "须为 0 <= 开始 < 结束 <= 86400 秒 / must be 0 <= start < end <= 86400 s",
        )
    return tuple(
        dataclasses.replace(
            van,
            shift=TimeWindow(begin, end),
            breaks=tuple(
                b
                for b in van.breaks
                if begin <= b.time_windows[0].early and b.time_windows[-1].late <= end
            ),
            max_route_duration=min(van.max_route_duration or end - begin, end - begin),
        )
        for van in vans
    )


def _take_off_road(session: Session, broken: bool) -> str | None:
    """Take the first van out of service for the day (a breakdown); its code."""
    if not broken:
        return None
    van = get_van(session, "van-1")
    update_van(session, van.code, version=van.version, changes={"active": False}, staff=STAFF)
    session.commit()
    return van.code


def _back_on_road(session: Session, code: str) -> None:
    van = get_van(session, code)
    update_van(session, code, version=van.version, changes={"active": True}, staff=STAFF)
    session.commit()


def _drive(
    session: Session, day: date, record: PlanRecord, settings: CirculationSettings
) -> tuple[int, int]:
    """The vans drive the day's plan: each transfer picked up at its pickup stop's service
    start and delivered at its delivery stop's departure. Items delivered, and scans the
    catalogue refused."""
    ids = {t for route in record.routes for stop in route.stops for t in stop.transfer_ids}
    barcodes = dict(
        session.execute(
            select(Transfer.id, Item.barcode)
            .join(Item, Item.id == Transfer.item_id)
            .where(Transfer.id.in_(sorted(ids)))
        ).all()
    )
    midnight = datetime.combine(day, time())
    delivered = refused = 0
    for route in record.routes:
        for stop in route.stops:
            kind = getattr(stop.type, "value", stop.type)
            if kind not in ("pickup", "delivery") or stop.site_code is None:
                continue
            for transfer_id in stop.transfer_ids:
                try:
                    if kind == "pickup":
                        scan_pickup(
                            session,
                            barcode=barcodes[transfer_id],
                            site_code=stop.site_code,
                            staff=route.van_code,
                            now=midnight + timedelta(seconds=stop.service_start),
                        )
                    else:
                        scan_delivery(
                            session,
                            barcode=barcodes[transfer_id],
                            site_code=stop.site_code,
                            staff=route.van_code,
                            now=midnight + timedelta(seconds=stop.departure),
                            settings=settings,
                        )
                        delivered += 1
                except CirculationError:
                    refused += 1
    return delivered, refused


def _day_row(day: date, record: PlanRecord, fleet: Sequence[Any], delivered: int) -> dict[str, Any]:
    """The van day's figures from its plan."""
    crates_of = {s.shipment_id: s.crates for s in record.shipments}
    crates = stops = 0
    for route in record.routes:
        last = None
        for stop in route.stops:
            kind = getattr(stop.type, "value", stop.type)
            if kind not in ("pickup", "delivery"):
                continue
            if kind == "pickup":
                crates += sum(crates_of.get(s, 0) for s in stop.shipment_ids)
            # One stop per arrival at a site: the steps done there in a row.
            if stop.site_code != last:
                stops += 1
            last = stop.site_code
    deferred_holds = sum(
        len(u.transfer_ids) for u in record.unplanned if u.kind == TransferKind.hold
    )
    return {
        "day": day,
        "fleet": len(fleet),
        "vans": len(record.routes),
        "km": round(record.distance / 1000, 3),
        "van_hours": round(record.duration / 3600, 3),
        "items_moved": delivered,
        "crates": crates,
        "stops": stops,
        # Each crate is handled at two stops: loaded at one, unloaded at another.
        "crates_per_stop": round(2 * crates / stops, 3) if stops else 0.0,
        "planned": record.planned_transfers,
        "deferred": record.deferred_transfers,
        "deferred_holds": deferred_holds,
        "cost": round(record.cost, 2),
    }


def _transfer_frames(session: Session) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every transfer of the month with its time, and every hold transfer with its two
    shelf measures."""
    sites = {s.id: s for s in session.scalars(select(Site))}
    rows = session.execute(
        select(
            Transfer.id,
            Transfer.kind,
            Transfer.status,
            Transfer.requested_at,
            Transfer.delivered_at,
            Transfer.deadline,
            Transfer.destination_site_id,
        )
        .where(Transfer.status != TransferStatus.cancelled)
        .order_by(Transfer.id)
    ).all()
    transfers = pd.DataFrame(
        {
            "transfer_id": [r.id for r in rows],
            "kind": [TransferKind(r.kind).value for r in rows],
            "requested_at": pd.to_datetime([r.requested_at for r in rows]),
            "delivered_at": pd.to_datetime([r.delivered_at for r in rows]),
        }
    )
    transfers["hours"] = (
        transfers["delivered_at"] - transfers["requested_at"]
    ).dt.total_seconds() / 3600
    hold_rows = [r for r in rows if TransferKind(r.kind) is TransferKind.hold]
    next_open = [
        closing_time(
            sites[r.destination_site_id],
            working_day(sites[r.destination_site_id], r.requested_at.date(), 1),
        )
        for r in hold_rows
    ]
    holds = pd.DataFrame(
        {
            "transfer_id": [r.id for r in hold_rows],
            "requested_at": pd.to_datetime([r.requested_at for r in hold_rows]),
            "delivered_at": pd.to_datetime([r.delivered_at for r in hold_rows]),
            "next_open_day": pd.to_datetime(next_open),
            "deadline": pd.to_datetime([r.deadline for r in hold_rows]),
        }
    )
    holds["on_shelf_next_open_day"] = holds["delivered_at"] <= holds["next_open_day"]
    holds["on_shelf_by_deadline"] = holds["delivered_at"] <= holds["deadline"]
    return transfers, holds
