"""A stored plan of the small named day (``small_day``), made as a worker makes one.

Two vans at central (``van-1`` carries 40 crates, ``van-2`` 40), a driver on ``van-2``, and
four transfers requested the day before: new stock central→east and central→west, a copy
returning home from kiosk to west, a hold from west to east. The plan is queued, claimed,
solved from the catalogue (10 minutes and 4 km between any two sites) and stored in-process,
as ``dispatch.worker`` does it in its own process.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from small_day import DAY, FAST, Day, H
from sqlalchemy.orm import Session

from catalog.fleet import VanSpec, create_van
from catalog.models import Plan, PlanStepType, PlanStop, Role, Transfer, TransferKind
from catalog.plans import claim_next, enqueue, get_plan
from catalog.transfers import scan_delivery, scan_pickup
from catalog.users import create_user
from dispatch.catalog_day import solve_date
from dispatch.worker import record_job

NOW = datetime.combine(DAY, time(6))
"""When the plan is made: early on the van day."""

HOLD = "t-hold-west-east"
"""The hold of the day, from west to east."""

WORK = (PlanStepType.pickup, PlanStepType.delivery)


def matrices(points: Sequence[object]) -> tuple[list[list[int]], list[list[int]]]:
    """10 minutes and 4 km between any two of the catalogue's sites."""
    n = len(points)
    durations = [[0 if i == j else 600 for j in range(n)] for i in range(n)]
    distances = [[0 if i == j else 4000 for j in range(n)] for i in range(n)]
    return durations, distances


def fleet(session: Session) -> None:
    """The day's two vans, and ``driver2`` on ``van-2``."""
    create_user(session, username="driver2", password="driver2-secret", role=Role.driver)
    for code, driver in (("van-1", None), ("van-2", "driver2")):
        spec = VanSpec(
            depot_code="central",
            capacity_crates=40,
            capacity_kg=600,
            shift_start_s=8 * H,
            shift_end_s=18 * H,
            cost_per_km=1.0,
            driver_username=driver,
        )
        create_van(session, code=code, spec=spec, staff="admin")


def transfers(day: Day) -> None:
    """The four transfers of the day (see the module docstring)."""
    day.transfer(TransferKind.new_stock, "central", "east")
    day.transfer(TransferKind.new_stock, "central", "west")
    day.transfer(TransferKind.return_home, "kiosk", "west")
    day.transfer(TransferKind.hold, "west", "east")


def stored_plan(day: Day) -> Plan:
    """A done plan of ``DAY`` made from the catalogue's open transfers (committed)."""
    enqueue(day.session, day=DAY, time_limit=5, staff="dispatcher", now=NOW)
    day.session.commit()
    return work(day)


def work(day: Day, *, now: datetime | None = None) -> Plan:
    """Do the oldest queued job as a worker does (committed): claim it, solve the day from
    the catalogue with the job's warm start, record it on the transfers, store it. ``now``:
    the worker's clock (default: the real one)."""
    session = day.session
    claim = claim_next(session, worker_id="test:1:worker", now=NOW)
    assert claim is not None
    session.commit()  # the worker's claim is its own transaction, as the solve's read is
    solved = solve_date(
        session,
        day=DAY,
        time_limit=5,
        matrices=matrices,
        params=FAST,
        warm_start=claim.warm_start,
        now=now,
    )
    assert record_job(session, claim, solved, now=NOW)  # as the worker records it
    session.commit()
    return get_plan(session, claim.plan_id)


def build(day: Day) -> Plan:
    """The fleet, the transfers and the stored plan."""
    fleet(day.session)
    transfers(day)
    day.session.commit()
    return stored_plan(day)


# --- the drivers' side ----------------------------------------------------------------------


def stop_of(plan: Plan, type: PlanStepType, shipment: str) -> tuple[str, PlanStop]:
    """The van and the stop of the plan that picks up (or drops) ``shipment``."""
    return next(
        (r.van_code, s)
        for r in plan.routes
        for s in r.stops
        if s.type == type and shipment in s.shipment_ids
    )


def work_stops(stops: Sequence[PlanStop]) -> list[PlanStop]:
    """The pickups and drops among a route's rows, in order."""
    return [s for s in stops if s.type in WORK]


def scan(
    day: Day,
    stop: PlanStop,
    at: datetime,
    *,
    transfer_id: int | None = None,
    staff: str = "driver2",
) -> None:
    """The driver scans a copy of the stop (its first, or ``transfer_id``) there at ``at``,
    as a pickup or a drop as the stop is (committed)."""
    transfer = day.session.get(Transfer, transfer_id or stop.transfer_ids[0])
    assert transfer is not None
    scanned = scan_pickup if stop.type == PlanStepType.pickup else scan_delivery
    scanned(
        day.session,
        barcode=transfer.item.barcode,
        site_code=stop.site_code or "",
        staff=staff,
        now=at,
    )
    day.session.commit()
