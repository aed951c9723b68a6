"""``shuyun demo``: a day of circulation on the demo network, planned on the real Beilin streets.

The day's work comes from circulation, not from a generator: a SQLite catalogue is created
under the output folder (``<out>/shuyun.sqlite``, recreated on every run), filled with the 39
demo sites and a seeded demo catalogue (演示数据), one day of loans, returns, holds and new
stock is simulated (the day before the vans drive), and the open transfers become the vans'
shipments through :mod:`dispatch`. The plan is recorded back in the catalogue (every
transfer planned on a van's stop or deferred with a reason) and the route sheets are written.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import geo
from api.problem_json import result_to_dict
from api.route_sheets import SiteInfo, write_route_sheets
from catalog.db import create_engine, session_factory, upgrade
from catalog.demo_data import demo_sites_from_db, generate_demo_catalogue
from catalog.models import Transfer, TransferStatus
from catalog.simulate import SimulationReport, simulate_day
from catalog.sites import create_site
from catalog.travel import MatrixTravelTimes
from dispatch import (
    DayPlan,
    DemoSite,
    SiteNetwork,
    demo_sites,
    demo_vans,
    plan_day,
    site_model,
    site_network,
)
from dispatch.problem_json import problem_to_dict
from optimizer import Problem, Result
from settings import Settings

DEMO_SCALE = 1.0
"""Size of the demo catalogue and day: 1 is the issue's district (~20,000 records, ~60,000
items, ~10,000 patrons; ~820 transfers a day in ~440 shipments). Generating and simulating
take ~13 s and the whole demo ~36 s on two cores (2026-11-26)."""

STAFF = "shuyun demo"
DATABASE_NAME = "shuyun.sqlite"


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
        The SQLite catalogue holding the day (transfers with van, stop or deferred reason).
    unrecorded
        Transfers of the day left neither planned nor deferred with a reason (always 0).
    """

    problem: Problem
    result: Result
    sheets: list[Path]
    timings: dict[str, float]
    sites: list[DemoSite]
    simulation: SimulationReport | None = None
    plan: DayPlan | None = None
    database: Path | None = None
    unrecorded: int = 0


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
    """Simulate a day of circulation, plan the vans' next day, write the plan and route sheets.

    Parameters
    ----------
    settings
        The one settings object: the shared data (``data``) and the circulation rules
        (``circulation``); the demo's catalogue is its own SQLite file, not ``database``.
    out_dir
        Output folder: ``shuyun.sqlite``, ``problem.json``, ``result.json`` and the route
        sheets (HTML). The database is recreated on every run.
    time_limit, seed
        Solver budget in seconds, and the seed of the sites, catalogue, circulation and solver.
    vans
        Number of vans.
    service_points
        Number of 服务点 in the demo network (of about 30).
    scale
        Size of the demo catalogue and of the simulated day (see :data:`DEMO_SCALE`).
    day
        The day the vans drive (default: tomorrow); circulation is simulated the day before.

    Raises
    ------
    settings.SettingsError
        ``SHUYUN_DATA_DIR`` holds no Beilin data.
    """
    plan_for = day if day is not None else date.today() + timedelta(days=1)
    timings: dict[str, float] = {}
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
        graph, [s.id for s in sites], [(s.lon, s.lat) for s in sites], depart_at=8 * 3600 + 1800
    )
    timings["matrix"] = time.perf_counter() - t0

    out_dir.mkdir(parents=True, exist_ok=True)
    database = out_dir / DATABASE_NAME
    for stale in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))):
        stale.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{database}")
    try:
        upgrade(engine)
        with session_factory(engine)() as session:
            t0 = time.perf_counter()
            travel = _load_network(session, sites, net, seed=seed, scale=scale)
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
            plan = plan_day(
                session,
                day=plan_for,
                sites=[site_model(s) for s in sites],
                durations=net.durations.tolist(),
                distances=net.distances.tolist(),
                vans=demo_vans(count=vans),
                time_limit=time_limit,
                seed=seed,
                staff=STAFF,
                settings=settings.circulation,
            )
            session.commit()
            timings["solve"] = time.perf_counter() - t0
            unrecorded = _unrecorded(session)
    finally:
        engine.dispose()

    problem, result = plan.problem, plan.result
    (out_dir / "problem.json").write_text(
        json.dumps(problem_to_dict(problem), ensure_ascii=False), encoding="utf-8"
    )
    (out_dir / "result.json").write_text(
        json.dumps(result_to_dict(result), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    infos = {s.id: SiteInfo(s.id, s.label_zh, s.name_en, s.kind, s.lon, s.lat) for s in sites}
    t0 = time.perf_counter()
    sheets = write_route_sheets(
        result,
        sites=infos,
        shipments={s.id: s for s in problem.shipments},
        leg=net.leg,
        out_dir=out_dir,
        day_label=f"{plan_for.isoformat()}（演示 demo）",
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
    )


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
