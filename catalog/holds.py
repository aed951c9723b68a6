"""Holds (预约): placing, choosing the copy, filling, cancelling, hold slips.

The copy for a hold is the available copy that can be on the pickup site's hold shelf
soonest, given each site's van days, opening hours and the van travel time
(:class:`~catalog.travel.TravelTimes`); ties go to the lending site with the fewest holds.
Several waiting holds on one record are served first come, first served, and the copies are
shared out together as a minimum-cost assignment (``scipy.optimize.linear_sum_assignment``).
A service point's last copy of a record is taken only when no other copy will do.

Shelf-time model: a request made today is planned for tomorrow at the earliest. The van
collects at the lending site's first opening on one of its van days, drives straight to the
pickup site, and delivers there the same day if that is a van day and the site is still
open on arrival; otherwise the copy waits at the depot for the pickup site's next van day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from scipy.optimize import linear_sum_assignment
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog._lookup import get_hold, get_item, get_patron, get_record, resolve_now
from catalog.errors import ConflictError, InvalidValueError, NotAvailableError
from catalog.models import (
    ACTIVE_HOLD_STATUSES,
    OPEN_TRANSFER_STATUSES,
    Hold,
    HoldStatus,
    Item,
    ItemStatus,
    Site,
    SiteKind,
    Transfer,
    TransferKind,
    TransferStatus,
)
from catalog.settings import CirculationSettings
from catalog.sites import CALENDAR_HORIZON_DAYS, _at, get_site, next_open_at, open_intervals
from catalog.transfers import _release_item, cancel_open_transfer, create_transfer
from catalog.travel import TravelTimes

__all__ = [
    "HoldSlip",
    "assign_holds",
    "available_copies",
    "cancel_hold",
    "estimate_shelf_time",
    "fill_hold",
    "get_hold",
    "hold_slip",
    "place_hold",
]

_LAST_COPY_PENALTY = 1e13
"""Cost added for taking a service point's last copy: larger than any sum of waits."""
_UNREACHABLE = 1e15
_TIE_WEIGHT = 1000
"""Seconds are multiplied by this so the holds count only breaks ties."""


@dataclass(frozen=True, slots=True)
class HoldSlip:
    """What the hold-shelf slip shows: never the full card number."""

    hold_id: int
    card_last4: str
    title: str
    barcode: str | None
    pickup_site_code: str
    pickup_site_name_zh: str
    pickup_site_name_en: str
    expected_on: date | None


def estimate_shelf_time(
    origin: Site, pickup: Site, *, now: datetime, travel_times: TravelTimes
) -> datetime | None:
    """When a copy now at ``origin`` can be on ``pickup``'s hold shelf.

    Parameters
    ----------
    origin, pickup
        Lending and pickup sites (with calendars loaded).
    now
        Naive local time of the request.
    travel_times
        Van driving seconds between sites.

    Returns
    -------
    datetime or None
        The moment the copy reaches the shelf; None when no van connects the sites within
        the calendar horizon.
    """
    if origin.id == pickup.id:
        return next_open_at(pickup, now)
    drive = timedelta(seconds=travel_times.seconds(origin.id, pickup.id))
    origin_days = origin.van_weekdays
    pickup_days = pickup.van_weekdays
    if not origin_days or not pickup_days:
        return None
    for offset in range(1, CALENDAR_HORIZON_DAYS + 1):
        day = now.date() + timedelta(days=offset)
        if day.weekday() not in origin_days:
            continue
        intervals = open_intervals(origin, day)
        if not intervals:
            continue
        arrival = _at(day, intervals[0][0]) + drive
        return _delivery(pickup, arrival)
    return None


def _delivery(pickup: Site, arrival: datetime) -> datetime | None:
    """First moment at or after ``arrival`` on a van day when ``pickup`` is open."""
    for offset in range(CALENDAR_HORIZON_DAYS):
        day = arrival.date() + timedelta(days=offset)
        if day.weekday() not in pickup.van_weekdays:
            continue
        for open_s, close_s in open_intervals(pickup, day):
            start, end = _at(day, open_s), _at(day, close_s)
            if end > arrival:
                return max(start, arrival)
    return None


def available_copies(session: Session, record_id: int, *, lock: bool = False) -> list[Item]:
    """Copies of a record that a hold may take: on the shelf (``available``), not owned by an
    active hold, not in a van. Ordered by id. With ``lock``, rows locked by another
    transaction are skipped (PostgreSQL ``FOR UPDATE SKIP LOCKED``)."""
    held = select(Hold.item_id).where(
        Hold.item_id.is_not(None), Hold.status.in_(ACTIVE_HOLD_STATUSES)
    )
    query = (
        select(Item)
        .where(
            Item.record_id == record_id,
            Item.status == ItemStatus.available,
            Item.id.not_in(held),
        )
        .order_by(Item.id)
    )
    if lock:
        query = query.with_for_update(skip_locked=True).execution_options(populate_existing=True)
    return list(session.scalars(query))


def _holds_by_site(session: Session, site_ids: set[int]) -> dict[int, int]:
    """Open hold transfers leaving each site (the lending load used to break ties)."""
    rows = session.execute(
        select(Transfer.origin_site_id, func.count())
        .where(
            Transfer.kind == TransferKind.hold,
            Transfer.status.in_(OPEN_TRANSFER_STATUSES),
            Transfer.origin_site_id.in_(site_ids),
        )
        .group_by(Transfer.origin_site_id)
    )
    return {site_id: count for site_id, count in rows}


def _fill(
    session: Session,
    hold: Hold,
    item: Item,
    *,
    shelf_time: datetime | None,
    now: datetime,
    staff: str,
    settings: CirculationSettings,
) -> None:
    """Give ``item`` to ``hold``: onto the hold shelf if it is already at the pickup site,
    else a ``hold`` transfer there."""
    hold.item = item
    if item.current_site_id == hold.pickup_site_id:
        cancel_open_transfer(
            session, item, now=now, site=item.current_site, staff=staff, note="filled a hold here"
        )
        hold.status = HoldStatus.ready
        hold.ready_at = now
        hold.expected_on = now.date()
        item.status = ItemStatus.on_hold_shelf
        session.flush()
        return
    hold.status = HoldStatus.assigned
    hold.expected_on = shelf_time.date() if shelf_time else None
    session.flush()
    create_transfer(
        session,
        item=item,
        kind=TransferKind.hold,
        destination=hold.pickup_site,
        now=now,
        staff=staff,
        hold=hold,
        settings=settings,
    )


def assign_holds(
    session: Session,
    *,
    record_id: int,
    travel_times: TravelTimes,
    staff: str = "",
    now: datetime | None = None,
    settings: CirculationSettings | None = None,
) -> list[Hold]:
    """Share the available copies of a record among its waiting holds.

    The oldest waiting holds (first come, first served) get copies, as many as there are
    copies; which copy goes to which hold minimises the total time until the copies are on
    the hold shelves. Ties go to the lending site with the fewest open hold transfers; a
    service point's last copy is used only if no other copy can serve.

    Returns
    -------
    list of Hold
        The holds filled now, in queue order.
    """
    now = resolve_now(now)
    settings = settings or CirculationSettings()
    try:
        return _assign(session, record_id, travel_times, staff, now, settings)
    except IntegrityError as error:
        raise ConflictError(
            "record_id", record_id, "a copy was just taken by another hold; try again"
        ) from error


def _assign(
    session: Session,
    record_id: int,
    travel_times: TravelTimes,
    staff: str,
    now: datetime,
    settings: CirculationSettings,
) -> list[Hold]:
    with session.begin_nested():
        waiting = list(
            session.scalars(
                select(Hold)
                .where(Hold.record_id == record_id, Hold.status == HoldStatus.waiting)
                .order_by(Hold.placed_at, Hold.id)
            )
        )
        if not waiting:
            return []
        copies = available_copies(session, record_id, lock=True)
        if not copies:
            return []
        queue = waiting[: len(copies)]
        per_site: dict[int, int] = {}
        for item in copies:
            per_site[item.current_site_id] = per_site.get(item.current_site_id, 0) + 1
        load = _holds_by_site(session, set(per_site))
        shelf_cache: dict[tuple[int, int], datetime | None] = {}
        shelf = np.empty((len(queue), len(copies)), dtype=object)
        cost = np.zeros((len(queue), len(copies)))
        for row, hold in enumerate(queue):
            for col, item in enumerate(copies):
                key = (item.current_site_id, hold.pickup_site_id)
                if key not in shelf_cache:
                    shelf_cache[key] = estimate_shelf_time(
                        item.current_site, hold.pickup_site, now=now, travel_times=travel_times
                    )
                when = shelf_cache[key]
                shelf[row, col] = when
                if when is None:
                    cost[row, col] = _UNREACHABLE
                    continue
                wait = (when - now).total_seconds()
                cost[row, col] = wait * _TIE_WEIGHT + load.get(item.current_site_id, 0)
                site = item.current_site
                if (
                    site.kind is SiteKind.service_point
                    and site.id != hold.pickup_site_id
                    and per_site[site.id] == 1
                ):
                    cost[row, col] += _LAST_COPY_PENALTY
        rows, cols = linear_sum_assignment(cost)
        filled: list[Hold] = []
        for row, col in sorted(zip(rows.tolist(), cols.tolist(), strict=True)):
            if cost[row, col] >= _UNREACHABLE:
                continue
            hold, item = queue[row], copies[col]
            _fill(
                session,
                hold,
                item,
                shelf_time=shelf[row, col],
                now=now,
                staff=staff,
                settings=settings,
            )
            filled.append(hold)
        session.flush()
    return filled


def place_hold(
    session: Session,
    *,
    card_number: str,
    record_id: int,
    pickup_site_code: str,
    travel_times: TravelTimes,
    assign: bool = True,
    now: datetime | None = None,
    settings: CirculationSettings | None = None,
) -> Hold:
    """Place a hold on a record for pickup at a site and fill it at once if a copy is free.

    With ``assign=False`` the hold only joins the queue; :func:`assign_holds` later shares
    the copies among all waiting holds together.

    Returns
    -------
    Hold
        ``ready`` (a copy was on the pickup site's shelf), ``assigned`` (a copy is coming;
        ``expected_on`` is the 预计到馆日期), or ``waiting`` (queued behind others or all
        copies out).

    Raises
    ------
    CirculationError
        Unknown card, record or site; a pickup site that never opens; a record with no
        copies; the patron already holds this record.
    """
    now = resolve_now(now)
    settings = settings or CirculationSettings()
    with session.begin_nested():
        patron = get_patron(session, card_number)
        record = get_record(session, record_id)
        pickup = get_site(session, pickup_site_code, field="pickup_site_code")
        if next_open_at(pickup, now) is None:
            raise NotAvailableError("pickup_site_code", pickup_site_code, "site never opens")
        copies = session.scalar(
            select(func.count())
            .select_from(Item)
            .where(
                Item.record_id == record.id,
                Item.status.not_in([ItemStatus.missing, ItemStatus.withdrawn]),
            )
        )
        if not copies:
            raise NotAvailableError("record_id", record_id, "record has no copies to hold")
        duplicate = session.scalar(
            select(Hold.id).where(
                Hold.patron_id == patron.id,
                Hold.record_id == record.id,
                Hold.status.in_([HoldStatus.waiting, *ACTIVE_HOLD_STATUSES]),
            )
        )
        if duplicate is not None:
            raise InvalidValueError(
                "record_id", record_id, f"card already has hold {duplicate} on this record"
            )
        hold = Hold(
            record=record,
            patron=patron,
            pickup_site=pickup,
            status=HoldStatus.waiting,
            placed_at=now,
        )
        session.add(hold)
        session.flush()
        if assign:
            assign_holds(
                session, record_id=record.id, travel_times=travel_times, now=now, settings=settings
            )
    return hold


def fill_hold(
    session: Session,
    *,
    hold_id: int,
    barcode: str,
    travel_times: TravelTimes,
    staff: str,
    now: datetime | None = None,
    settings: CirculationSettings | None = None,
) -> Hold:
    """Staff fill a waiting hold with a copy they have in hand.

    The copy's row is locked; if two staff fill holds with the same copy at the same moment,
    exactly one succeeds and the other gets :class:`~catalog.errors.ConflictError` or
    :class:`~catalog.errors.NotAvailableError`.

    Raises
    ------
    CirculationError
        Unknown hold or barcode, a hold that is not waiting, a copy of another record, a copy
        not on the shelf or already owned by a hold.
    """
    now = resolve_now(now)
    settings = settings or CirculationSettings()
    try:
        with session.begin_nested():
            hold = get_hold(session, hold_id)
            item = get_item(session, barcode, lock=True)
            if hold.status is not HoldStatus.waiting:
                raise NotAvailableError("hold_id", hold_id, f"hold is {hold.status.value}")
            if item.record_id != hold.record_id:
                raise InvalidValueError(
                    "barcode",
                    barcode,
                    f"copy of record {item.record_id}, hold is for record {hold.record_id}",
                )
            owner = session.scalar(
                select(Hold.id).where(
                    Hold.item_id == item.id, Hold.status.in_(ACTIVE_HOLD_STATUSES)
                )
            )
            if owner is not None:
                raise NotAvailableError("barcode", barcode, f"copy already fills hold {owner}")
            if item.status is not ItemStatus.available:
                raise NotAvailableError("barcode", barcode, f"copy is {item.status.value}")
            shelf_time = estimate_shelf_time(
                item.current_site, hold.pickup_site, now=now, travel_times=travel_times
            )
            _fill(
                session, hold, item, shelf_time=shelf_time, now=now, staff=staff, settings=settings
            )
            session.flush()
    except IntegrityError as error:
        raise ConflictError(
            "barcode", barcode, "copy was just taken by another hold; try again"
        ) from error
    return hold


def cancel_hold(
    session: Session,
    *,
    hold_id: int,
    staff: str = "",
    now: datetime | None = None,
    settings: CirculationSettings | None = None,
) -> Hold:
    """Cancel a hold. A copy not yet picked up stays where it is (its hold transfer is
    cancelled); a copy on the hold shelf goes back on the shelf or home; a copy in a van is
    shelved on delivery.

    Raises
    ------
    CirculationError
        Unknown hold, or a hold already collected or cancelled.
    """
    now = resolve_now(now)
    settings = settings or CirculationSettings()
    with session.begin_nested():
        hold = get_hold(session, hold_id)
        if hold.status in (HoldStatus.collected, HoldStatus.cancelled):
            raise NotAvailableError("hold_id", hold_id, f"hold is already {hold.status.value}")
        item = hold.item
        previous = hold.status
        hold.status = HoldStatus.cancelled
        hold.closed_at = now
        session.flush()
        if item is not None and previous is HoldStatus.assigned:
            transfer = session.scalar(
                select(Transfer).where(
                    Transfer.hold_id == hold.id, Transfer.status.in_(OPEN_TRANSFER_STATUSES)
                )
            )
            if transfer is not None and transfer.status is not TransferStatus.picked_up:
                cancel_open_transfer(
                    session, item, now=now, site=None, staff=staff, note="hold cancelled"
                )
                _release_item(
                    session, item, item.current_site, now=now, staff=staff, settings=settings
                )
        elif item is not None and previous is HoldStatus.ready:
            _release_item(session, item, item.current_site, now=now, staff=staff, settings=settings)
    return hold


def hold_slip(hold: Hold) -> HoldSlip:
    """The hold-shelf slip for a hold: the card's last four digits only."""
    return HoldSlip(
        hold_id=hold.id,
        card_last4=hold.patron.card_last4,
        title=hold.record.title,
        barcode=hold.item.barcode if hold.item else None,
        pickup_site_code=hold.pickup_site.code,
        pickup_site_name_zh=hold.pickup_site.name_zh,
        pickup_site_name_en=hold.pickup_site.name_en,
        expected_on=hold.expected_on,
    )
