"""A stored plan played back as its drivers would scan it (for simulated periods and notebooks).

Each van drives its route of :class:`catalog.models.Plan`: at every pickup step the driver
scans the copies of the step's transfers (:func:`catalog.transfers.scan_pickup`), at every
delivery step the copies it brings (:func:`catalog.transfers.scan_delivery`), through the
same service functions as the drivers' phones, so every rule applies (a copy lent at the desk
meanwhile is not there to take, a hold copy goes onto the hold shelf). The scans are stamped
with the step's planned arrival plus the route's running delay, a seeded random walk: a van
late at one stop stays late at the next. A share of stops may be missed (the van does not
get there): their copies stay where they are, or in the van.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.errors import CirculationError, InvalidValueError
from catalog.models import Item, PlanStatus, PlanStepType, Transfer, TransferStatus
from catalog.plans import get_plan
from catalog.settings import CirculationSettings
from catalog.transfers import scan_delivery, scan_pickup

__all__ = ["DriveReport", "drive_plan"]


@dataclass(frozen=True, slots=True)
class DriveReport:
    """What the drivers scanned.

    Attributes
    ----------
    picked_up, delivered
        Copies scanned at pickup and at delivery.
    missed_stops
        Pickup and delivery steps the vans did not get to (nothing scanned there).
    refused
        Scans the rules refused (e.g. a copy lent at the desk since the plan was made).
    """

    picked_up: int
    delivered: int
    missed_stops: int
    refused: int


def drive_plan(
    session: Session,
    plan_id: int,
    *,
    seed: int = 0,
    step_delay_s: tuple[int, int] = (-150, 210),
    miss_share: float = 0.0,
    staff: str = "driver",
    settings: CirculationSettings | None = None,
) -> DriveReport:
    """Scan the copies of a done plan along its routes (flushed; the caller commits).

    Parameters
    ----------
    session
        Session on the catalogue.
    plan_id
        A done plan (:func:`catalog.plans.finish`).
    seed
        Seeds the delays and the missed stops.
    step_delay_s
        The range the route's running delay moves by at each step (seconds; the delay never
        goes below five minutes early). The default drifts late by half a minute a step on
        average, as a day of city traffic does.
    miss_share
        Share of pickup and delivery steps missed, ``0 <= miss_share <= 1``.
    staff
        Who scans.
    settings
        Circulation settings for the deliveries.

    Raises
    ------
    NotFoundError
        No such plan.
    InvalidValueError
        The plan is not done, or ``miss_share`` or ``step_delay_s`` out of range.
    """
    if not 0.0 <= miss_share <= 1.0:
        raise InvalidValueError("miss_share", miss_share, "must be within 0..1")
    low, high = step_delay_s
    if low > high:
        raise InvalidValueError("step_delay_s", step_delay_s, "needs low <= high")
    plan = get_plan(session, plan_id)
    if plan.status is not PlanStatus.done:
        raise InvalidValueError("plan_id", plan_id, f"plan is {plan.status.value}, not done")
    rng = random.Random(seed)
    midnight = datetime.combine(plan.day, time())
    picked = delivered = missed = refused = 0
    for route in plan.routes:
        delay = 0
        for stop in route.stops:
            delay = max(-300, delay + rng.randint(low, high))
            if stop.type not in (PlanStepType.pickup, PlanStepType.delivery):
                continue
            if stop.site_code is None:
                continue
            if rng.random() < miss_share:
                missed += 1
                continue
            when = midnight + timedelta(seconds=stop.arrival + delay)
            barcodes = _barcodes(session, stop.transfer_ids, stop.type, route.van_code)
            for n, barcode in enumerate(barcodes):
                moment = when + timedelta(seconds=20 * n)  # a scan every 20 s
                try:
                    if stop.type is PlanStepType.pickup:
                        scan_pickup(
                            session,
                            barcode=barcode,
                            site_code=stop.site_code,
                            staff=staff,
                            now=moment,
                        )
                        picked += 1
                    else:
                        scan_delivery(
                            session,
                            barcode=barcode,
                            site_code=stop.site_code,
                            staff=staff,
                            now=moment,
                            settings=settings,
                        )
                        delivered += 1
                except CirculationError:
                    refused += 1
    session.flush()
    return DriveReport(picked, delivered, missed, refused)


def _barcodes(
    session: Session, transfer_ids: list[int], step: PlanStepType, van_code: str
) -> list[str]:
    """The copies to scan at a step: its transfers still waiting for it (planned on this
    van for a pickup, in transit for a delivery), by transfer id."""
    if not transfer_ids:
        return []
    waiting = TransferStatus.planned if step is PlanStepType.pickup else TransferStatus.picked_up
    return list(
        session.scalars(
            select(Item.barcode)
            .join(Transfer, Transfer.item_id == Item.id)
            .where(
                Transfer.id.in_(transfer_ids),
                Transfer.status == waiting,
                Transfer.van_id == van_code,
            )
            .order_by(Transfer.id)
        )
    )
