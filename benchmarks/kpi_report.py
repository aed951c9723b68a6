"""Benchmark: the KPI report (绩效考评) of a simulated period, computed in SQL.

Builds its own period in a temporary SQLite file (or, with ``--url``, a throwaway schema of
a PostgreSQL database): the demo network (1 central library, 8 branches, ``--service-points``
service points) on the Beilin streets, a demo catalogue at ``--scale``, ``--vans`` vans, and
``--days`` days, each planned by the optimiser as the plan worker does (``--time-limit``
seconds), driven by :func:`catalog.plan_playback.drive_plan` and followed by a day of
circulation (:func:`catalog.simulate.simulate_day`). Building is reported, not timed as a
figure.

Then it times :func:`catalog.kpis.kpi_report` over the whole period (``--repeats`` runs, the
median), against the anchor: only fetching into Python the rows the report aggregates (loans,
holds, transfers, their events, the plans' stops), which any computation outside the database
would have to do first.

Usage::

    .venv/bin/python benchmarks/kpi_report.py [--days 10] [--scale 0.3] [--vans 3]
        [--service-points 30] [--time-limit 5] [--repeats 5] [--json OUT] [--url PG_URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

import geo
from catalog.db import create_engine, upgrade
from catalog.demo_data import demo_sites_from_db, generate_demo_catalogue
from catalog.kpis import kpi_report
from catalog.models import Hold, Loan, PlanStop, Site, Transfer, TransferEvent
from catalog.plan_playback import drive_plan
from catalog.plans import claim_next, enqueue, finish
from catalog.simulate import simulate_day
from catalog.sites import create_site
from catalog.travel import MatrixTravelTimes
from dispatch import demo_sites, demo_vans, save_vans, site_network
from dispatch.catalog_day import StreetMatrices, record_date, solve_date
from settings import load_settings

FIRST_DAY = date(2026, 11, 3)
STAFF = "benchmark"
AGGREGATED = (Loan, Hold, Transfer, TransferEvent, PlanStop)


@contextmanager
def database(url: str | None) -> Iterator[Engine]:
    """A new, migrated database: a temporary SQLite file, or a throwaway PostgreSQL schema."""
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            engine = create_engine(f"sqlite:///{Path(folder) / 'kpis.sqlite'}")
            upgrade(engine)
            try:
                yield engine
            finally:
                engine.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def build_period(engine: Engine, args: argparse.Namespace) -> dict[str, int]:
    """Fill ``engine`` with the period; the rows per aggregated table."""
    settings = load_settings()
    graph = geo.load_beilin_graph(settings.data.beilin_dir)
    sites = demo_sites(
        subdistrict_points=settings.data.subdistrict_points_file,
        communities=settings.data.communities_file,
        boundary=settings.data.boundary_file,
        service_points=args.service_points,
        seed=args.seed,
    )
    net = site_network(graph, [s.id for s in sites], [(s.lon, s.lat) for s in sites])
    matrices = StreetMatrices(settings.data.beilin_dir)
    with Session(engine, expire_on_commit=False) as session:
        for n, s in enumerate(sites):
            create_site(
                session,
                code=s.id,
                kind=s.kind,
                name_zh=s.name_zh,
                name_en=s.name_en,
                lon=s.lon,
                lat=s.lat,
                opening_hours={weekday: list(s.hours) for weekday in range(7)},
                van_weekdays=range(7) if s.kind != "service_point" else {n % 7, (n + 3) % 7},
            )
        generate_demo_catalogue(
            session, demo_sites_from_db(session), seed=args.seed, scale=args.scale
        )
        save_vans(session, demo_vans(count=args.vans), staff=STAFF)
        session.commit()
        ids = {code: id_ for id_, code in session.execute(select(Site.id, Site.code))}
        travel = MatrixTravelTimes(
            {
                (ids[a], ids[b]): int(net.durations[i][j])
                for i, a in enumerate(net.ids)
                for j, b in enumerate(net.ids)
                if i != j
            }
        )
        before = FIRST_DAY - timedelta(days=1)
        simulate_day(session, day=before, travel_times=travel, seed=args.seed, scale=args.scale)
        session.commit()
        for n in range(args.days):
            day = FIRST_DAY + timedelta(days=n)
            evening = datetime.combine(day - timedelta(days=1), clock(19))
            enqueue(session, day=day, time_limit=args.time_limit, staff=STAFF, now=evening)
            claim = claim_next(session, worker_id=STAFF, now=evening)
            assert claim is not None
            solved = solve_date(
                session, day=day, time_limit=args.time_limit, matrices=matrices, now=evening
            )
            assert finish(session, claim, record_date(session, solved, staff=STAFF, now=evening))
            session.commit()
            drive_plan(session, claim.plan_id, seed=args.seed + n, miss_share=0.05)
            session.commit()
            simulate_day(
                session, day=day, travel_times=travel, seed=args.seed + n, scale=args.scale
            )
            session.commit()
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in AGGREGATED
        }


def timed(work: object, repeats: int) -> float:
    """The median seconds of ``repeats`` runs of ``work()`` after one warm-up run."""
    assert callable(work)
    work()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--scale", type=float, default=0.3)
    parser.add_argument("--vans", type=int, default=3)
    parser.add_argument("--service-points", type=int, default=30)
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--url", help="a PostgreSQL URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with database(args.url) as engine:
        t0 = time.perf_counter()
        rows = build_period(engine, args)
        built = time.perf_counter() - t0
        start, end = FIRST_DAY - timedelta(days=1), FIRST_DAY + timedelta(days=args.days - 1)
        with Session(engine) as session:

            def ours() -> None:
                kpi_report(session, start=start, end=end)

            def anchor() -> None:
                for model in AGGREGATED:
                    session.execute(select(model.__table__)).all()

            ours_s = timed(ours, args.repeats)
            anchor_s = timed(anchor, args.repeats)
            report = kpi_report(session, start=start, end=end)
    backend = engine.url.get_backend_name()
    print(f"period {start}..{end} on {backend}, built in {built:.0f} s; rows: {rows}")
    print(f"{'measure':<40} {'ours (s)':>10} {'anchor (s)':>11} {'ratio':>7}")
    print(
        f"{'kpi_report vs fetching the rows':<40} {ours_s:>10.3f} {anchor_s:>11.3f} "
        f"{ours_s / anchor_s:>7.2f}"
    )
    print(
        f"sites {len(report.sites)}, vans {len(report.vans)}, visits {len(report.visits)} "
        f"({sum(v.actual is None for v in report.visits)} without a scan)"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "backend": backend,
                    "days": args.days,
                    "scale": args.scale,
                    "rows": rows,
                    "kpi_report_s": ours_s,
                    "fetch_rows_s": anchor_s,
                    "build_s": built,
                },
                indent=1,
            ),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
