"""``shuyun demo``: a day of circulation on the demo network, planned on the real Beilin streets.

The day's work comes from circulation, not from a generator: the demo builds into the
database of ``SHUYUN_DATABASE_URL`` (SQLite or PostgreSQL), which must hold no shuyun data
yet (:func:`shuyun_rows`; :func:`remove_shuyun_rows` empties it for ``--reset``, and removes
nothing but the rows of shuyun's own tables). It fills it with the 39 demo sites, a seeded
demo catalogue (演示数据) and the demo fleet (the ``vans`` table, so that a later plan of
the day finds them), simulates one day of loans, returns, holds and new stock (the day
before the vans drive), and the open transfers become the vans' shipments through
:mod:`dispatch`. The day is planned as the plan worker plans it (a job in the plans tables,
stored done, so that the console shows it at once), recorded back in the catalogue (every
transfer planned on a van's stop or deferred with a reason), the route sheets are written,
and one demo account per role is made, with a password shown once.
"""

from __future__ import annotations

import json
import secrets
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, func, make_url, select
from sqlalchemy.orm import Session

import geo
from api.problem_json import result_to_dict
from api.route_sheets import SiteInfo, write_route_sheets
from catalog.clock import library_today
from catalog.crates import pack
from catalog.db import create_engine, session_factory, upgrade
from catalog.demo_data import demo_sites_from_db, generate_demo_catalogue
from catalog.fleet import get_van, update_van
from catalog.models import Base, Item, Role, Site, SiteKind, Transfer, TransferStatus
from catalog.plans import claim_next, enqueue
from catalog.settings import CirculationSettings
from catalog.simulate import SimulationReport, simulate_day
from catalog.sites import create_site
from catalog.travel import MatrixTravelTimes
from catalog.users import create_user
from dispatch import (
    DayPlan,
    DemoSite,
    SiteNetwork,
    demo_sites,
    demo_vans,
    save_vans,
    site_network,
    summarise,
)
from dispatch.catalog_day import SitePoint, solve_date
from dispatch.problem_json import problem_to_dict
from dispatch.worker import record_job
from optimizer import Problem, Result
from settings import Settings

DEMO_SCALE = 1.0
"""Size of the demo catalogue and day: 1 is the issue's district (~20,000 records, ~60,000
items, ~10,000 patrons; ~820 transfers a day in ~440 shipments). Generating and simulating
take ~13 s and the whole demo ~36 s on two cores (2026-11-26)."""

STAFF = "shuyun demo"
DEMO_ROLES = (Role.dispatcher, Role.driver, Role.branch_staff, Role.planner, Role.admin)
"""One demo account per role, named ``demo-<role>``."""


class DatabaseNotEmptyError(ValueError):
    """The demo's database already holds shuyun data: ``rows`` per table (the non-empty)."""

    def __init__(self, database: str, rows: Mapping[str, int]) -> None:
        self.database = database
        self.rows = dict(rows)
        super().__init__(
            f"数据库已有数据 / the database already holds data: {database} "
            f"({format_rows(rows)}); 用 --reset 清空后重建，"
            "或把 SHUYUN_DATABASE_URL 指向空数据库 / "
            "run with --reset to remove them first, or point SHUYUN_DATABASE_URL at an empty "
            "database"
        )


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """A demo staff account and its generated password (shown once, stored only hashed)."""

    username: str
    role: Role
    site_code: str | None
    password: str


@dataclass(frozen=True)
class DemoReport:
    """What :func:`run_demo` did.

    Attributes
    ----------
    problem, result
        The optimiser's problem (shipments from the day's transfers) and plan.
    sheets
        ``index.html`` then one route sheet per van used.
    timings
        Seconds per stage.
    sites
        The demo sites.
    simulation
        The simulated day of circulation.
    plan
        The dispatch of the day: counts by transfer kind, planned and deferred transfers.
    database
        The database holding the day (its URL, password hidden): transfers with van, stop or
        deferred reason, the fleet, the accounts.
    unrecorded
        Transfers of the day left neither planned nor deferred with a reason (always 0).
    accounts
        The demo accounts, one per role, with their passwords.
    """

    problem: Problem
    result: Result
    sheets: list[Path]
    timings: dict[str, float]
    sites: list[DemoSite]
    simulation: SimulationReport | None = None
    plan: DayPlan | None = None
    database: str | None = None
    unrecorded: int = 0
    accounts: tuple[DemoAccount, ...] = field(default=())


def run_demo(
    settings: Settings,
    *,
    out_dir: Path,
    time_limit: float = 20.0,
    seed: int = 7,
    vans: int = 3,
    service_points: int = 30,
    scale: float = DEMO_SCALE,
    day: date | None = None,
) -> DemoReport:
    """Build the demo day into the settings' database, plan the vans' next day, write the
    plan and the route sheets, and make the demo accounts.

    Parameters
    ----------
    settings
        The one settings object: the database (``database.url``, which must hold no shuyun
        data yet), the shared data (``data``) and the circulation rules (``circulation``).
    out_dir
        Output folder: ``problem.json``, ``result.json`` and the route sheets (HTML, and
        each as an A4 PDF).
    time_limit, seed
        Solver budget in seconds, and the seed of the sites, catalogue, circulation and solver.
    vans
        Number of vans (stored in the fleet, then read back from it for the plan).
    service_points
        Number of 服务点 in the demo network (of about 30).
    scale
        Size of the demo catalogue and of the simulated day (see :data:`DEMO_SCALE`).
    day
        The day the vans drive (default: tomorrow); circulation is simulated the day before.

    Raises
    ------
    DatabaseNotEmptyError
        The database already holds shuyun data (checked first; nothing is changed).
    settings.SettingsError
        ``SHUYUN_DATA_DIR`` holds no Beilin data.
    sqlalchemy.exc.SQLAlchemyError
        The database cannot be reached.
    """
    plan_for = day if day is not None else library_today() + timedelta(days=1)
    timings: dict[str, float] = {}
    engine = create_engine(settings.database.url)
    database = shown_url(settings.database.url)
    try:
        upgrade(engine)
        rows = {table: n for table, n in shuyun_rows(engine).items() if n}
        if rows:
            raise DatabaseNotEmptyError(database, rows)
        t0 = time.perf_counter()
        graph = geo.load_beilin_graph(settings.data.beilin_dir)
        timings["load_graph"] = time.perf_counter() - t0

        sites = demo_sites(
            subdistrict_points=settings.data.subdistrict_points_file,
            communities=settings.data.communities_file,
            boundary=settings.data.boundary_file,
            service_points=service_points,
            seed=seed,
        )
        t0 = time.perf_counter()
        net = site_network(
            graph,
            [s.id for s in sites],
            [(s.lon, s.lat) for s in sites],
            depart_at=8 * 3600 + 1800,
        )
        timings["matrix"] = time.perf_counter() - t0
        with session_factory(engine)() as session:
            t0 = time.perf_counter()
            travel = _load_network(session, sites, net, seed=seed, scale=scale)
            save_vans(session, demo_vans(count=vans), staff=STAFF)
            session.commit()
            timings["catalogue"] = time.perf_counter() - t0

            t0 = time.perf_counter()
            simulation = simulate_day(
                session,
                day=plan_for - timedelta(days=1),
                travel_times=travel,
                seed=seed,
                scale=scale,
                settings=settings.circulation,
            )
            session.commit()
            timings["circulation"] = time.perf_counter() - t0

            t0 = time.perf_counter()
            plan = _plan_as_the_worker_does(
                session,
                day=plan_for,
                net=net,
                time_limit=time_limit,
                seed=seed,
                circulation=settings.circulation,
            )
            timings["solve"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            _pack_planned(session, plan_for, circulation=settings.circulation)
            session.commit()
            timings["packing"] = time.perf_counter() - t0
            unrecorded = _unrecorded(session)
            accounts = _demo_accounts(session, sites, plan)
            session.commit()
    finally:
        engine.dispose()

    out_dir.mkdir(parents=True, exist_ok=True)
    problem, result = plan.problem, plan.result
    (out_dir / "problem.json").write_text(
        json.dumps(problem_to_dict(problem), ensure_ascii=False), encoding="utf-8"
    )
    (out_dir / "result.json").write_text(
        json.dumps(result_to_dict(result), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    infos = {
        s.id: SiteInfo(s.id, s.label_zh, s.name_en, s.kind, s.lon, s.lat, tuple(s.hours))
        for s in sites
    }
    t0 = time.perf_counter()
    sheets = write_route_sheets(
        result,
        sites=infos,
        shipments={s.id: s for s in problem.shipments},
        leg=net.leg,
        out_dir=out_dir,
        day_label=f"{plan_for.isoformat()}（演示 demo）",
        graph=net.graph,
        day=plan_for,
        items={sid: group.items for sid, group in plan.mapping.items()},
        pdf=True,  # route-<van>.pdf beside each page: the service's A4 sheet
    )
    timings["route_sheets"] = time.perf_counter() - t0
    return DemoReport(
        problem,
        result,
        sheets,
        timings,
        sites,
        simulation=simulation,
        plan=plan,
        database=database,
        unrecorded=unrecorded,
        accounts=accounts,
    )


class _DemoMatrices:
    """The demo network's street matrices as the plan worker asks for them (by site code)."""

    def __init__(self, net: SiteNetwork) -> None:
        self.net = net
        self.index = {code: i for i, code in enumerate(net.ids)}

    def __call__(self, points: Sequence[SitePoint]) -> tuple[list[list[int]], list[list[int]]]:
        rows = [self.index[p.code] for p in points]
        return (
            self.net.durations[np.ix_(rows, rows)].tolist(),
            self.net.distances[np.ix_(rows, rows)].tolist(),
        )


def _plan_as_the_worker_does(
    session: Session,
    *,
    day: date,
    net: SiteNetwork,
    time_limit: float,
    seed: int,
    circulation: CirculationSettings,
) -> DayPlan:
    """Plan the van day through the plans tables, as ``shuyun serve``'s worker does: a job
    queued and claimed, the day solved from the catalogue (on the demo's street matrices,
    already computed), recorded on the transfers and stored done in one transaction, so
    that the console shows the demo day's plan at once (committed)."""
    job = enqueue(session, day=day, time_limit=time_limit, seed=seed, staff=STAFF)
    session.commit()
    claim = claim_next(session, worker_id=STAFF)
    session.commit()
    if claim is None or claim.plan_id != job.id:  # the database was empty: ours is the job
        raise RuntimeError(f"the demo's plan job {job.id} was taken by another worker")
    solved = solve_date(
        session,
        day=day,
        time_limit=time_limit,
        matrices=_DemoMatrices(net),
        seed=seed,
        settings=circulation,
    )
    if not record_job(session, claim, solved):
        raise RuntimeError(f"the demo's plan job {job.id} could not be recorded")
    session.commit()
    return summarise(day, solved.problem, solved.result, solved.mapping)


def shown_url(url: str) -> str:
    """A database URL as it may be printed: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def shuyun_rows(engine: Engine) -> dict[str, int]:
    """Rows in each of shuyun's tables (those of :mod:`catalog.models`, migrated), by name;
    the database's other tables are not looked at."""
    with engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def remove_shuyun_rows(engine: Engine) -> dict[str, int]:
    """Delete every row of shuyun's tables, in one transaction, children first; the tables,
    the migrations' record and the database's other tables stay. Returns the rows removed
    per table (as :func:`shuyun_rows` counted them just before)."""
    with engine.begin() as connection:
        removed = {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    return removed


def format_rows(rows: Mapping[str, int]) -> str:
    """``sites 39, items 1200`` for the tables with rows (``none`` if there are none)."""
    shown = [f"{table} {n}" for table, n in rows.items() if n]
    return ", ".join(shown) or "none"


def _pack_planned(session: Session, day: date, *, circulation: CirculationSettings) -> int:
    """The desks pack the copies the plan moves on ``day`` into crates, as staff do before
    the van comes (so the route sheets, the labels and the drivers' scans have crates)."""
    planned = session.execute(
        select(Item.barcode, Site.code)
        .join(Transfer, Transfer.item_id == Item.id)
        .join(Site, Site.id == Transfer.origin_site_id)
        .where(Transfer.status == TransferStatus.planned, Transfer.planned_for == day)
        .order_by(Transfer.id)
    ).all()
    for barcode, site_code in planned:
        pack(session, barcode=barcode, site_code=site_code, staff=STAFF, settings=circulation)
    return len(planned)


def _demo_accounts(
    session: Session, sites: list[DemoSite], plan: DayPlan
) -> tuple[DemoAccount, ...]:
    """One account per role with a fresh password; branch staff at the first branch; the
    driver on the first van of the day's plan (or of the fleet)."""
    branch = next(s.id for s in sites if s.kind == SiteKind.branch)
    accounts = []
    for role in DEMO_ROLES:
        site = branch if role is Role.branch_staff else None
        password = secrets.token_urlsafe(12)
        user = create_user(
            session, username=f"demo-{role.value}", password=password, role=role, site_code=site
        )
        accounts.append(DemoAccount(user.username, role, site, password))
    used = [r.van for r in plan.result.routes] or [v.id for v in plan.problem.vans]
    van = get_van(session, used[0])
    update_van(
        session,
        van.code,
        version=van.version,
        changes={"driver_username": "demo-driver"},
        staff=STAFF,
    )
    return tuple(accounts)


def _load_network(
    session: Session, sites: list[DemoSite], net: SiteNetwork, *, seed: int, scale: float
) -> MatrixTravelTimes:
    """Insert the demo sites and a demo catalogue; the vans' travel times between the sites."""
    ids: dict[str, int] = {}
    for site in sites:
        row = create_site(
            session,
            code=site.id,
            kind=site.kind,
            name_zh=site.name_zh,
            name_en=site.name_en,
            lon=site.lon,
            lat=site.lat,
            # The demo's hours hold every day (lunch closures included), and a van can call
            # every day, so the simulated day never falls on a closed site.
            opening_hours={weekday: list(site.hours) for weekday in range(7)},
            van_weekdays=range(7),
        )
        ids[site.id] = row.id
    generate_demo_catalogue(session, demo_sites_from_db(session), seed=seed, scale=scale)
    return MatrixTravelTimes(
        {
            (ids[a], ids[b]): int(net.durations[i][j])
            for i, a in enumerate(net.ids)
            for j, b in enumerate(net.ids)
            if i != j
        }
    )


def _unrecorded(session: Session) -> int:
    """Open transfers neither planned nor deferred with a reason."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Transfer)
            .where(
                Transfer.status == TransferStatus.requested,
                Transfer.deferred_reason.is_(None),
            )
        )
        or 0
    )


def _counts(counts: Mapping[str, int]) -> str:
    return "，".join(f"{k} {v}" for k, v in sorted(counts.items()))


def summary_lines(report: DemoReport) -> list[str]:
    """The short bilingual summary printed by ``shuyun demo``: the day's circulation, the
    items to move by transfer kind (items and crates), the vans, and the transfers planned
    and deferred (with the optimiser's reasons)."""
    s = report.result.summary
    lines = ["书运 shuyun 演示日 / demo day (演示数据 demo data; © OpenStreetMap contributors)"]
    sim, plan = report.simulation, report.plan
    if sim is not None:
        lines.append(
            f"流通日 circulation {sim.day.isoformat()}：借出 loans {sim.loans}，"
            f"归还 returns {sim.returns}（异地 away {sim.returns_away}），"
            f"预约 holds {sum(sim.holds.values())}，新书 new stock {sim.new_stock_items}"
        )
    if plan is not None:
        kinds = "，".join(f"{k} {c.transfers} 件/{c.crates} 箱" for k, c in plan.by_kind.items())
        lines += [
            f"站点 sites: {len(report.sites)}；配送日 van day {plan.day.isoformat()}；"
            f"待运 items to move: {plan.transfers} 件 items，{plan.crates} 箱 crates，"
            f"{len(report.problem.shipments)} 批 shipments",
            f"调拨 transfers by kind: {kinds}",
        ]
    else:
        shipment_kinds = Counter(sh.kind.value for sh in report.problem.shipments)
        lines.append(
            f"站点 sites: {len(report.sites)}；批次 shipments: {len(report.problem.shipments)}"
            f"（{_counts(shipment_kinds)}）"
        )
    lines.append(
        f"用车 vans used: {s.vans_used}/{len(report.problem.vans)}；"
        f"里程 distance: {s.distance / 1000:.1f} km；时长 duration: {s.duration / 3600:.1f} h；"
        f"成本 cost: {s.cost:.0f} 元"
    )
    if plan is not None:
        moved = {k: c.planned for k, c in plan.by_kind.items()}
        reasons = f"（{_counts(plan.deferred_reasons)}）" if plan.deferred_reasons else ""
        lines += [
            f"已安排 planned: {plan.planned} 件 items（{_counts(moved)}），"
            f"{s.planned} 批 shipments",
            f"延后 deferred: {plan.deferred} 件 items，{s.unassigned} 批 shipments{reasons}",
        ]
    else:
        by_reason = Counter(u.reason.value for u in report.result.unassigned)
        lines.append(
            f"已安排 planned: {s.planned}；未安排 not planned: {s.unassigned}"
            + (f"（{_counts(by_reason)}）" if by_reason else "")
        )
    lines.append("耗时 timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in report.timings.items()))
    lines.append(
        f"路单 route sheets: {report.sheets[0].parent}/ ({len(report.sheets) - 1} 张 + index.html)"
    )
    if report.database is not None:
        lines.append(
            f"数据库 database: {report.database}"
            f"（未安排也未延后的调拨 unrecorded transfers: {report.unrecorded}）"
        )
    return lines


def account_lines(report: DemoReport) -> list[str]:
    """The demo accounts with their passwords, printed once by ``shuyun demo``."""
    if not report.accounts:
        return []
    lines = ["演示账户（密码只显示这一次）/ demo accounts (passwords shown this once):"]
    for account in report.accounts:
        where = f" @ {account.site_code}" if account.site_code else ""
        lines.append(f"  {account.username:<18} {account.role.value:<13} {account.password}{where}")
    return lines
