"""The KPIs of the same simulated days on SQLite and on PostgreSQL are the same, figure for
figure; ours percentiles agree with PostgreSQL's ``percentile_cont`` and with numpy's; the
counts agree with the rows counted one by one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path

import numpy as np
import pytest
from kpi_period import DAYS, FIRST_DAY, play_period
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from catalog.db import create_engine, upgrade
from catalog.kpis import KpiReport, kpi_report
from catalog.models import Base, Hold, Loan, Site

START = FIRST_DAY - timedelta(days=1)
END = FIRST_DAY + timedelta(days=DAYS - 1)


@pytest.fixture(scope="module")
def period_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The simulated period in a SQLite file (committed)."""
    path: Path = tmp_path_factory.mktemp("kpi_period") / "shuyun.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        reports = play_period(session)
    assert sum(r.delivered for r in reports) > 20, reports
    assert sum(r.missed_stops for r in reports) > 0, reports
    yield engine
    engine.dispose()


def _report(engine: Engine) -> KpiReport:
    with Session(engine) as session:
        return kpi_report(
            session, start=START, end=END, now=datetime.combine(END, time()) + timedelta(days=30)
        )


def _copy(source: Engine, target: Engine) -> None:
    """Every row of every table, in dependency order (plans' links to plans set after)."""
    with source.connect() as read, target.begin() as write:
        for table in Base.metadata.sorted_tables:
            rows = [dict(r) for r in read.execute(select(table)).mappings()]
            if not rows:
                continue
            links = {}
            if table.name == "plans":
                links = {r["id"]: (r["superseded_by_id"], r["parent_id"]) for r in rows}
                for r in rows:
                    r["superseded_by_id"] = r["parent_id"] = None
            write.execute(insert(table), rows)
            for plan_id, (superseded_by, parent) in links.items():
                write.execute(
                    table.update()
                    .where(table.c.id == plan_id)
                    .values(superseded_by_id=superseded_by, parent_id=parent)
                )


def test_the_period_is_worth_measuring(period_sqlite: Engine) -> None:
    report = _report(period_sqlite)
    assert sum(s.loans for s in report.sites) > 50
    assert sum(s.returns_from_elsewhere for s in report.sites) > 0
    assert sum(s.holds_filled for s in report.sites) > 3
    assert any(s.fill_median_s is not None for s in report.sites)
    assert sum(sum(s.received.values()) for s in report.sites) > 20
    assert {v.van_code for v in report.vans} <= {"V1", "V2"} and report.vans
    assert all(v.scanned_visits > 0 for v in report.vans)
    assert any(a.actual is None for a in report.visits)  # the missed stops say so
    assert sum(s.visits for s in report.sites) == sum(v.visits for v in report.vans)
    assert len(report.visits) == sum(v.visits for v in report.vans)


def test_counts_agree_with_the_rows(period_sqlite: Engine) -> None:
    report = _report(period_sqlite)
    with Session(period_sqlite) as session:
        codes = {i: c for i, c in session.execute(select(Site.id, Site.code))}
        loans = session.scalars(select(Loan)).all()
        holds = session.scalars(select(Hold)).all()
    low = START
    high = END + timedelta(days=1)

    def within(moment: object) -> bool:
        return moment is not None and low <= moment.date() < high  # type: ignore[attr-defined]

    lent = Counter(codes[x.site_id] for x in loans if within(x.checked_out_at))
    back = Counter(codes[x.return_site_id] for x in loans if within(x.returned_at))  # type: ignore[index]
    away = Counter(
        codes[x.return_site_id]  # type: ignore[index]
        for x in loans
        if within(x.returned_at) and x.return_site_id != x.site_id
    )
    fill: dict[str, list[float]] = {}
    for h in holds:
        if within(h.ready_at):
            seconds = (h.ready_at - h.placed_at).total_seconds()  # type: ignore[operator]
            fill.setdefault(codes[h.pickup_site_id], []).append(int(seconds))
    for site in report.sites:
        assert site.loans == lent[site.site_code]
        assert site.returns == back[site.site_code]
        assert site.returns_from_elsewhere == away[site.site_code]
        assert site.holds_filled == len(fill.get(site.site_code, []))
        if site.site_code in fill:
            values = np.array(fill[site.site_code])
            assert site.fill_median_s == pytest.approx(np.percentile(values, 50))
            assert site.fill_p90_s == pytest.approx(np.percentile(values, 90))
        else:
            assert site.fill_median_s is None


@pytest.mark.postgres
def test_sqlite_and_postgres_agree(period_sqlite: Engine, fresh_postgres_engine: Engine) -> None:
    _copy(period_sqlite, fresh_postgres_engine)
    on_sqlite, on_postgres = _report(period_sqlite), _report(fresh_postgres_engine)
    assert on_postgres.sites == on_sqlite.sites  # floats too: the same doubles
    assert on_postgres.vans == on_sqlite.vans
    assert on_postgres.visits == on_sqlite.visits
    assert on_postgres == on_sqlite


@pytest.mark.postgres
def test_percentiles_are_postgresql_percentile_cont(
    period_sqlite: Engine, fresh_postgres_engine: Engine
) -> None:
    _copy(period_sqlite, fresh_postgres_engine)
    ours = {
        s.site_code: (s.fill_median_s, s.fill_p90_s) for s in _report(fresh_postgres_engine).sites
    }
    seconds = func.extract("epoch", Hold.ready_at - Hold.placed_at)
    with Session(fresh_postgres_engine) as session:
        theirs = session.execute(
            select(
                Site.code,
                func.percentile_cont(0.5).within_group(seconds),
                func.percentile_cont(0.9).within_group(seconds),
            )
            .join(Site, Site.id == Hold.pickup_site_id)
            .where(Hold.ready_at >= START, Hold.ready_at < END + timedelta(days=1))
            .group_by(Site.code)
        ).all()
    assert theirs
    for code, median, p90 in theirs:
        assert ours[code][0] == pytest.approx(median)
        assert ours[code][1] == pytest.approx(p90)
