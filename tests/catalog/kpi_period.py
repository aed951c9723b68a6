"""A few simulated days on the four-site test network, planned and driven (imported by the KPI
tests): circulation by :func:`catalog.simulate.simulate_day`, each day's vans planned through
:mod:`dispatch` as the plan worker does (a job claimed, solved, recorded, finished), and the
plans driven by :func:`catalog.plan_playback.drive_plan` with a stop missed now and then.

Travel is straight-line (:class:`plan_jobs.CrowFlies`): the street network is not needed. The
solver stops on a work limit, so the same seed gives the same days.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from catalog_network import build_network
from plan_jobs import CrowFlies
from sqlalchemy.orm import Session

from catalog.demo_data import demo_sites_from_db, generate_demo_catalogue
from catalog.fleet import VanSpec, create_van
from catalog.plan_playback import DriveReport, drive_plan
from catalog.plans import claim_next, enqueue, finish
from catalog.simulate import simulate_day
from dispatch.catalog_day import record_date, solve_date
from optimizer import SolveParams

FIRST_DAY = date(2026, 11, 24)
"""Tuesday: east is open (it closes on Mondays)."""
DAYS = 4
STAFF = "kpi-period"
H = 3600


def play_period(session: Session, *, seed: int = 3, scale: float = 0.03) -> list[DriveReport]:
    """Fill ``session``'s empty database with the period (committing day by day)."""
    net = build_network(session)
    generate_demo_catalogue(session, demo_sites_from_db(session), seed=seed, scale=scale)
    for code in ("V1", "V2"):
        create_van(
            session,
            code=code,
            spec=VanSpec("central", 12, 180, 8 * H, 18 * H, cost_per_km=2.0, fixed_cost=100.0),
            staff=STAFF,
            now=datetime(2026, 11, 20, 9),
        )
    session.commit()
    monday = FIRST_DAY - timedelta(days=1)
    simulate_day(session, day=monday, travel_times=net.travel, seed=seed, scale=scale)
    session.commit()
    reports = []
    for n in range(DAYS):
        day = FIRST_DAY + timedelta(days=n)
        evening_before = datetime.combine(day - timedelta(days=1), time(19))
        enqueue(session, day=day, time_limit=5.0, staff=STAFF, seed=seed, now=evening_before)
        claim = claim_next(session, worker_id="kpi-period", now=evening_before)
        assert claim is not None
        plan = solve_date(
            session,
            day=day,
            time_limit=5.0,
            matrices=CrowFlies(),
            seed=seed,
            params=SolveParams(work_limit=30),
            now=evening_before,
        )
        record = record_date(session, plan, staff=STAFF, now=evening_before)
        assert finish(session, claim, record, now=evening_before)
        session.commit()
        reports.append(drive_plan(session, claim.plan_id, seed=seed + n, miss_share=0.1))
        simulate_day(session, day=day, travel_times=net.travel, seed=seed + n + 1, scale=scale)
        session.commit()
    return reports
