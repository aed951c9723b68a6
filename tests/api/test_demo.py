"""``run_demo``: a small demo day from circulation to route sheets, on the real Beilin streets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from api.demo import DATABASE_NAME, DemoReport, run_demo, summary_lines
from catalog.db import create_engine, session_factory
from catalog.models import Transfer, TransferStatus
from settings import Settings

VAN_DAY = date(2026, 11, 27)
"""A Friday; circulation is simulated on Thursday."""


@pytest.fixture(scope="module")
def small_demo(
    tmp_path_factory: pytest.TempPathFactory, shuyun_settings: Settings
) -> tuple[DemoReport, Path]:
    """Five service points, a catalogue of ~1,000 items, a 3-second solve."""
    out = tmp_path_factory.mktemp("demo")
    # A stale file where the database goes: the demo must recreate it, not reuse it.
    (out / DATABASE_NAME).write_bytes(b"not a database")
    report = run_demo(
        shuyun_settings,
        out_dir=out,
        time_limit=3.0,
        seed=7,
        vans=2,
        service_points=5,
        scale=0.02,
        day=VAN_DAY,
    )
    return report, out


@pytest.mark.slow
def test_demo_writes_route_sheets_and_the_day(small_demo: tuple[DemoReport, Path]) -> None:
    report, out = small_demo
    assert report.sheets[0] == out / "index.html"
    assert len(report.sheets) == 1 + len(report.result.routes) >= 2
    assert all(p.exists() and p.stat().st_size > 0 for p in report.sheets)
    assert (out / "problem.json").exists() and (out / "result.json").exists()
    assert len(report.sites) == 1 + 8 + 5


@pytest.mark.slow
def test_demo_shipments_come_from_circulation(small_demo: tuple[DemoReport, Path]) -> None:
    report, _ = small_demo
    assert report.simulation is not None and report.plan is not None
    assert report.simulation.day == date(2026, 11, 26)
    assert report.plan.day == VAN_DAY
    # Every transfer the day left open is in one shipment; shipments are named after them.
    assert report.plan.transfers == report.simulation.items_moved > 0
    assert set(report.plan.by_kind) == set(report.simulation.transfers_by_kind)
    assert all(s.id.startswith(f"t-{s.kind.value}-") for s in report.problem.shipments)
    assert len(report.problem.shipments) == len(report.plan.mapping)


@pytest.mark.slow
def test_demo_records_every_transfer_planned_or_deferred(
    small_demo: tuple[DemoReport, Path],
) -> None:
    report, out = small_demo
    assert report.plan is not None
    assert report.database == out / DATABASE_NAME
    assert report.unrecorded == 0
    engine = create_engine(f"sqlite:///{report.database}")
    try:
        with session_factory(engine)() as session:
            transfers = session.scalars(select(Transfer)).all()
    finally:
        engine.dispose()
    assert len(transfers) == report.plan.transfers
    vans = {v.id for v in report.problem.vans}
    for t in transfers:
        if t.status is TransferStatus.planned:
            assert t.van_id in vans and t.stop is not None and t.planned_for == VAN_DAY
        else:
            assert t.status is TransferStatus.requested
            assert t.deferred_reason, f"transfer {t.id} deferred without a reason"
    planned = sum(t.status is TransferStatus.planned for t in transfers)
    assert planned == report.plan.planned


@pytest.mark.slow
def test_demo_summary_counts_the_day(small_demo: tuple[DemoReport, Path]) -> None:
    report, _ = small_demo
    assert report.plan is not None
    text = "\n".join(summary_lines(report))
    assert f"待运 items to move: {report.plan.transfers} 件" in text
    assert f"已安排 planned: {report.plan.planned} 件" in text
    assert f"延后 deferred: {report.plan.deferred} 件" in text
    for kind, counts in report.plan.by_kind.items():
        assert f"{kind} {counts.transfers} 件/{counts.crates} 箱" in text
