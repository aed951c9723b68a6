"""A planned day for the route sheets' and the exports' tests (imported by them): the service
seed's three sites, its three transfers (a hold of alice's, two to rebalance), two of the copies
packed in crates at their desks, the day solved on the real Beilin streets and stored as a done
plan the way a plan worker stores it (``dispatch.catalog_day.plan_date``, then
``catalog.plans.finish``). A second driver drives van-2, which stays home.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from service_seed import CARDS, local_now, password, seed_engine, seed_plan_day

from catalog.crates import pack
from catalog.db import create_engine, session_factory, upgrade
from catalog.fleet import get_van, update_van
from catalog.plans import claim_next, enqueue, finish
from catalog.users import create_user
from dispatch.catalog_day import StreetMatrices, plan_date

DEPART_AT = 8 * 3600 + 1800
SECOND_DRIVER = "driver.two"


@dataclass(frozen=True)
class PlannedDay:
    """What :func:`planned_day` made: the database, the plan, the crates packed."""

    url: str
    day: date
    plan_id: int
    crates: dict[str, str]
    """Crate barcode by the copy packed in it (``E1``, ``W1``)."""
    cards: tuple[str, ...] = tuple(CARDS.values())


def planned_day(path: Path, beilin_dir: Path) -> PlannedDay:
    """Build the day into a new SQLite database at ``path``."""
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    upgrade(engine)
    seeded = seed_engine(engine)
    day = (local_now() + timedelta(days=1)).date()
    try:
        with session_factory(engine)() as session:
            seed_plan_day(session, seeded)
            create_user(
                session, username=SECOND_DRIVER, password=password(SECOND_DRIVER), role="driver"
            )
            session.flush()
            van = get_van(session, "van-2")
            update_van(
                session,
                "van-2",
                version=van.version,
                changes={"driver_username": SECOND_DRIVER},
                staff="admin",
            )
            crates = {
                "E1": pack(session, barcode="E1", site_code="east", staff="desk.east").code,
                "W1": pack(session, barcode="W1", site_code="west", staff="desk.west").code,
            }
            session.commit()
            queued = enqueue(session, day=day, time_limit=2, staff="dispatcher")
            session.commit()
            claim = claim_next(session, worker_id="tests:sheets")
            assert claim is not None and claim.plan_id == queued.id
            _, record = plan_date(
                session,
                day=day,
                time_limit=2,
                matrices=StreetMatrices(beilin_dir, depart_at=DEPART_AT),
                staff="dispatcher",
                seed=1,
            )
            assert finish(session, claim, record)
            session.commit()
            return PlannedDay(url, day, queued.id, crates)
    finally:
        engine.dispose()
