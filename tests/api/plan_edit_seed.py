"""A done plan of today in the service tests' library (``service_seed``), made as a worker makes
one, for the plan edit routes.

Two vans at central (40 crates each; ``driver`` drives ``van-2``) and three copies moving
between the three sites: C1 central→west, W1 west→east, E1 east→central (rebalancing). The
sites are 15 to 25 minutes apart (``service_seed.travel_times``), 6 km a quarter hour. The
plan is queued, claimed, solved from the catalogue and stored in-process.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, select

from catalog.clock import library_now
from catalog.db import session_factory
from catalog.fleet import VanSpec, create_van
from catalog.models import Item, Site, TransferKind
from catalog.plans import claim_next, enqueue
from catalog.transfers import create_transfer
from dispatch.catalog_day import solve_date
from dispatch.worker import record_job
from optimizer import SolveParams

H = 3600
MOVES = (("C1", "west"), ("W1", "east"), ("E1", "central"))
SECONDS = {("central", "east"): 900, ("central", "west"): 1200, ("east", "west"): 1500}


def matrices(points: Sequence[object]) -> tuple[list[list[int]], list[list[int]]]:
    """The service seed's van seconds between its sites; 6.67 m a second."""
    codes = [p.code for p in points]  # type: ignore[attr-defined]

    def seconds(a: str, b: str) -> int:
        return 0 if a == b else SECONDS.get((a, b), SECONDS.get((b, a), 1800))

    durations = [[seconds(a, b) for b in codes] for a in codes]
    return durations, [[s * 20 // 3 for s in row] for row in durations]


def plan_today(engine: Engine) -> int:
    """The fleet, the transfers and a done plan of today (committed); its id."""
    now = library_now()
    today = now.date()
    with session_factory(engine)() as session:
        for code, driver in (("van-1", None), ("van-2", "driver")):
            spec = VanSpec(
                depot_code="central",
                capacity_crates=40,
                capacity_kg=600,
                shift_start_s=8 * H,
                shift_end_s=20 * H,
                cost_per_km=1.0,
                driver_username=driver,
            )
            create_van(session, code=code, spec=spec, staff="admin")
        for barcode, to in MOVES:
            item = session.scalars(select(Item).where(Item.barcode == barcode)).one()
            site = session.scalars(select(Site).where(Site.code == to)).one()
            create_transfer(
                session, item=item, kind=TransferKind.rebalance, destination=site, now=now
            )
        enqueue(session, day=today, time_limit=5, staff="dispatcher", now=now)
        session.commit()
    return work(engine)


def work(engine: Engine) -> int:
    """Do the oldest queued job as a worker does (committed); its id."""
    now = library_now()
    with session_factory(engine)() as session:
        claim = claim_next(session, worker_id="test:1:worker", now=now)
        assert claim is not None
        session.commit()
        solved = solve_date(
            session,
            day=claim.day,
            time_limit=5,
            matrices=matrices,
            params=SolveParams(warm_start=False, work_limit=50),
            warm_start=claim.warm_start,
        )
        assert record_job(session, claim, solved, now=now)  # as the worker records it
        session.commit()
        return claim.plan_id
