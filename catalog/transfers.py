"""Transfers (调拨): creation, scans, crates, loss, demand for the planner, plans recorded back.

Status flow: ``requested → planned → picked_up → delivered``; a transfer in the van too long
becomes ``lost``; one not yet picked up is ``cancelled`` when superseded (e.g. a hold takes a
copy that was going home). Every change is a :class:`~catalog.models.TransferEvent` stamped
with time, site and staff member. Scanning the same barcode twice changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog._lookup import get_central, get_item, get_record, resolve_now
from catalog.errors import InvalidValueError, NotAvailableError, NotFoundError
from catalog.models import (
    OPEN_TRANSFER_STATUSES,
    SHIPMENT_ID_LENGTH,
    Hold,
    HoldStatus,
    Item,
    ItemStatus,
    Site,
    Transfer,
    TransferEvent,
    TransferKind,
    TransferStatus,
)
from catalog.policy import TRANSFER_POLICY, DeadlineRule
from catalog.settings import CirculationSettings
from catalog.sites import closing_time, get_site, working_day

__all__ = [
    "DeferredTransfer",
    "NewStockLine",
    "PlannedTransfer",
    "TransferDemand",
    "create_transfer",
    "mark_lost",
    "open_transfer",
    "receive_new_stock",
    "record_plan",
    "scan_delivery",
    "scan_pickup",
    "transfer_deadline",
    "transfer_demand",
]


@dataclass(frozen=True, slots=True)
class NewStockLine:
    """One line of a distribution list: a new item and where it goes."""

    barcode: str
    record_id: int
    destination_site_code: str
    floating: bool = False


@dataclass(frozen=True, slots=True)
class TransferDemand:
    """Open transfers of one kind between one origin and one destination, as van load."""

    origin_site_id: int
    destination_site_id: int
    kind: TransferKind
    items: int
    crates: int
    """``ceil(items / crate_capacity)``."""
    kg: float
    earliest_deadline: datetime
    priority: int
    """The kind's priority in :data:`catalog.policy.TRANSFER_POLICY`."""
    transfer_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class PlannedTransfer:
    """A transfer placed in a van's route: picked up at stop ``stop`` of ``van_id`` on ``day``,
    as part of the dispatch shipment ``shipment_id`` (recorded on the transfer)."""

    transfer_id: int
    van_id: str
    stop: int
    day: date
    shipment_id: str | None = None


@dataclass(frozen=True, slots=True)
class DeferredTransfer:
    """A transfer the plan left out (延后), with the reason staff will see, and the dispatch
    shipment ``shipment_id`` it was left out with (recorded on the transfer)."""

    transfer_id: int
    reason: str
    shipment_id: str | None = None


def _event(
    transfer: Transfer,
    status: TransferStatus,
    *,
    at: datetime,
    site: Site | None,
    staff: str,
    note: str = "",
) -> None:
    transfer.events.append(
        TransferEvent(
            status=status, at=at, site_id=site.id if site else None, staff=staff, note=note
        )
    )


def transfer_deadline(
    kind: TransferKind, destination: Site, *, now: datetime, settings: CirculationSettings
) -> datetime:
    """When a transfer of ``kind`` requested at ``now`` must be delivered.

    By the kind's :class:`~catalog.policy.DeadlineRule`: a hold must be on the pickup shelf
    by closing time of the destination's ``hold_deadline_working_days``-th working day after
    today; the other kinds get ``<kind>_deadline_days`` calendar days (to the end of that day).
    """
    days = {
        TransferKind.hold: settings.hold_deadline_working_days,
        TransferKind.return_home: settings.return_home_deadline_days,
        TransferKind.new_stock: settings.new_stock_deadline_days,
        TransferKind.rebalance: settings.rebalance_deadline_days,
    }[kind]
    if TRANSFER_POLICY[kind].deadline is DeadlineRule.shelf_by_closing:
        return closing_time(destination, working_day(destination, now.date(), days))
    return datetime.combine(now.date() + timedelta(days=days), time(23, 59, 59))


def open_transfer(session: Session, item: Item) -> Transfer | None:
    """The item's open (requested, planned or picked-up) transfer, if any."""
    return session.scalar(
        select(Transfer).where(
            Transfer.item_id == item.id, Transfer.status.in_(OPEN_TRANSFER_STATUSES)
        )
    )


def cancel_open_transfer(
    session: Session, item: Item, *, now: datetime, site: Site | None, staff: str, note: str
) -> Transfer | None:
    """Cancel the item's open transfer if it has not been picked up (it is superseded)."""
    transfer = open_transfer(session, item)
    if transfer is None:
        return None
    if transfer.status is TransferStatus.picked_up:
        raise NotAvailableError("barcode", item.barcode, "item is in a van (in transit)")
    transfer.status = TransferStatus.cancelled
    _event(transfer, TransferStatus.cancelled, at=now, site=site, staff=staff, note=note)
    session.flush()
    return transfer


def create_transfer(
    session: Session,
    *,
    item: Item,
    kind: TransferKind,
    destination: Site,
    now: datetime,
    staff: str = "",
    hold: Hold | None = None,
    settings: CirculationSettings | None = None,
) -> Transfer:
    """Request a transfer of ``item`` from where it is to ``destination``.

    An open transfer of the item that has not been picked up yet is cancelled (superseded);
    one already in a van makes this fail.

    Raises
    ------
    CirculationError
        The item is already at ``destination`` or in a van.
    """
    settings = settings or CirculationSettings()
    kind = TransferKind(kind)
    if item.current_site_id == destination.id:
        raise InvalidValueError(
            "destination_site_code", destination.code, f"item {item.barcode} is already there"
        )
    cancel_open_transfer(
        session, item, now=now, site=item.current_site, staff=staff, note=f"superseded by {kind}"
    )
    transfer = Transfer(
        item=item,
        kind=kind,
        status=TransferStatus.requested,
        origin_site_id=item.current_site_id,
        destination_site_id=destination.id,
        hold=hold,
        requested_at=now,
        deadline=transfer_deadline(kind, destination, now=now, settings=settings),
    )
    _event(transfer, TransferStatus.requested, at=now, site=item.current_site, staff=staff)
    session.add(transfer)
    session.flush()
    return transfer


def _release_item(
    session: Session,
    item: Item,
    site: Site,
    *,
    now: datetime,
    staff: str,
    settings: CirculationSettings,
) -> Transfer | None:
    """Put an item that nobody wants back on the shelf at ``site``; send it home if it does
    not float and is away from home."""
    item.status = ItemStatus.available
    item.current_site_id = site.id
    session.flush()
    if not item.floating and item.home_site_id != site.id:
        return create_transfer(
            session,
            item=item,
            kind=TransferKind.return_home,
            destination=item.home_site,
            now=now,
            staff=staff,
            settings=settings,
        )
    return None


def scan_pickup(
    session: Session,
    *,
    barcode: str,
    site_code: str,
    staff: str,
    crate_id: str | None = None,
    now: datetime | None = None,
) -> Transfer:
    """The van takes the item at ``site_code`` (optionally in crate ``crate_id``): in transit.

    Scanning again is harmless: the transfer is returned unchanged.

    Raises
    ------
    CirculationError
        Unknown barcode or site, no open transfer for the item, wrong site, or a crate that
        already holds items for another origin–destination pair.
    """
    now = resolve_now(now)
    with session.begin_nested():
        item = get_item(session, barcode, lock=True)
        site = get_site(session, site_code)
        transfer = open_transfer(session, item)
        if transfer is None:
            raise NotFoundError("barcode", barcode, "item has no open transfer")
        if transfer.status is TransferStatus.picked_up:
            return transfer
        if transfer.origin_site_id != site.id:
            raise InvalidValueError(
                "site_code",
                site_code,
                f"transfer {transfer.id} starts at {transfer.origin_site.code}",
            )
        if crate_id is not None:
            _check_crate(session, crate_id, transfer)
            transfer.crate_id = crate_id
        transfer.status = TransferStatus.picked_up
        transfer.picked_up_at = now
        transfer.deferred_reason = None
        item.status = ItemStatus.in_transit
        _event(transfer, TransferStatus.picked_up, at=now, site=site, staff=staff)
        session.flush()
    return transfer


def _check_crate(session: Session, crate_id: str, transfer: Transfer) -> None:
    if not crate_id.strip():
        raise InvalidValueError("crate_id", crate_id, "crate id must not be empty")
    other = session.scalar(
        select(Transfer).where(
            Transfer.crate_id == crate_id,
            Transfer.status.in_(OPEN_TRANSFER_STATUSES),
            Transfer.id != transfer.id,
        )
    )
    if other is not None and (
        other.origin_site_id != transfer.origin_site_id
        or other.destination_site_id != transfer.destination_site_id
    ):
        raise InvalidValueError(
            "crate_id",
            crate_id,
            f"crate goes {other.origin_site.code} → {other.destination_site.code}, "
            f"item goes {transfer.origin_site.code} → {transfer.destination_site.code}",
        )


def scan_delivery(
    session: Session,
    *,
    barcode: str,
    site_code: str,
    staff: str,
    now: datetime | None = None,
    settings: CirculationSettings | None = None,
) -> Transfer:
    """The item arrives at ``site_code``: delivered; a hold copy goes onto the hold shelf.

    A copy whose hold was cancelled on the way goes on the shelf (and home, if it does not
    float). Scanning again is harmless.

    Raises
    ------
    CirculationError
        Unknown barcode or site, nothing in transit for the item, or the wrong destination.
    """
    now = resolve_now(now)
    settings = settings or CirculationSettings()
    with session.begin_nested():
        item = get_item(session, barcode, lock=True)
        site = get_site(session, site_code)
        transfer = open_transfer(session, item)
        if transfer is None:
            last = session.scalar(
                select(Transfer)
                .where(Transfer.item_id == item.id)
                .order_by(Transfer.id.desc())
                .limit(1)
            )
            if (
                last is not None
                and last.status is TransferStatus.delivered
                and last.destination_site_id == site.id
                and item.current_site_id == site.id
            ):
                return last  # the same delivery scanned twice
            raise NotFoundError("barcode", barcode, "item has no open transfer")
        if transfer.destination_site_id != site.id:
            raise InvalidValueError(
                "site_code",
                site_code,
                f"transfer {transfer.id} goes to {transfer.destination_site.code}",
            )
        if transfer.status is not TransferStatus.picked_up:
            # Delivered without a pickup scan (e.g. staff carried it): record both steps.
            transfer.picked_up_at = now
            _event(
                transfer,
                TransferStatus.picked_up,
                at=now,
                site=transfer.origin_site,
                staff=staff,
                note="no pickup scan",
            )
        transfer.status = TransferStatus.delivered
        transfer.delivered_at = now
        transfer.deferred_reason = None
        _event(transfer, TransferStatus.delivered, at=now, site=site, staff=staff)
        item.current_site_id = site.id
        hold = transfer.hold
        if hold is not None and hold.status is HoldStatus.assigned and hold.item_id == item.id:
            item.status = ItemStatus.on_hold_shelf
            hold.status = HoldStatus.ready
            hold.ready_at = now
            session.flush()
        else:
            session.flush()
            _release_item(session, item, site, now=now, staff=staff, settings=settings)
    return transfer


def mark_lost(
    session: Session,
    *,
    staff: str = "system",
    now: datetime | None = None,
    settings: CirculationSettings | None = None,
) -> list[Transfer]:
    """Mark transfers in a van for ``lost_after_days`` or more as lost; their items go missing
    and their holds go back to the queue (at their original place)."""
    now = resolve_now(now)
    settings = settings or CirculationSettings()
    cutoff = now - timedelta(days=settings.lost_after_days)
    with session.begin_nested():
        lost = list(
            session.scalars(
                select(Transfer)
                .where(
                    Transfer.status == TransferStatus.picked_up,
                    Transfer.picked_up_at <= cutoff,
                )
                .order_by(Transfer.id)
            )
        )
        for transfer in lost:
            transfer.status = TransferStatus.lost
            _event(
                transfer,
                TransferStatus.lost,
                at=now,
                site=None,
                staff=staff,
                note=f"in transit for more than {settings.lost_after_days} days",
            )
            transfer.item.status = ItemStatus.missing
            hold = transfer.hold
            if hold is not None and hold.status is HoldStatus.assigned:
                hold.status = HoldStatus.waiting
                hold.item = None
                hold.expected_on = None
        session.flush()
    return lost


def receive_new_stock(
    session: Session,
    *,
    lines: Sequence[NewStockLine],
    staff: str,
    now: datetime | None = None,
    settings: CirculationSettings | None = None,
) -> list[Transfer]:
    """The central library receives new items; each gets a ``new_stock`` transfer home.

    Items are created at the central library with their destination as home site; an item
    whose destination is the central library itself needs no transfer.

    Returns
    -------
    list of Transfer
        One per line whose destination is not the central library, in line order.

    Raises
    ------
    CirculationError
        Empty list, duplicate or existing barcode, unknown record or site.
    """
    now = resolve_now(now)
    settings = settings or CirculationSettings()
    if not lines:
        raise InvalidValueError("lines", [], "distribution list is empty")
    with session.begin_nested():
        central = get_central(session)
        seen: set[str] = set()
        transfers: list[Transfer] = []
        for number, line in enumerate(lines):
            if not line.barcode.strip():
                raise InvalidValueError(f"lines[{number}].barcode", line.barcode, "empty barcode")
            if line.barcode in seen or session.scalar(
                select(Item.id).where(Item.barcode == line.barcode)
            ):
                raise InvalidValueError(
                    f"lines[{number}].barcode", line.barcode, "barcode already in use"
                )
            seen.add(line.barcode)
            record = get_record(session, line.record_id)
            destination = get_site(
                session, line.destination_site_code, field=f"lines[{number}].destination_site_code"
            )
            item = Item(
                barcode=line.barcode,
                record=record,
                home_site_id=destination.id,
                current_site_id=central.id,
                status=ItemStatus.available,
                floating=line.floating,
            )
            session.add(item)
            session.flush()
            if destination.id != central.id:
                transfers.append(
                    create_transfer(
                        session,
                        item=item,
                        kind=TransferKind.new_stock,
                        destination=destination,
                        now=now,
                        staff=staff,
                        settings=settings,
                    )
                )
    return transfers


def transfer_demand(
    session: Session,
    *,
    statuses: Iterable[TransferStatus] = (TransferStatus.requested,),
    settings: CirculationSettings | None = None,
    planned_until: date | None = None,
) -> list[TransferDemand]:
    """Summarise open transfers into van load per (origin, destination, kind).

    Deferred transfers are ``requested`` and so are counted again. Crates are
    ``ceil(items / crate_capacity)``, weight ``items * kg_per_book``. With
    ``planned_until``, a ``planned`` transfer counts only when planned for that day or
    before: one planned for a later day stays with that day's plan.

    Returns
    -------
    list of TransferDemand
        Sorted by priority (highest first), earliest deadline, origin, destination.
    """
    settings = settings or CirculationSettings()
    groups: dict[tuple[int, int, TransferKind], list[Transfer]] = {}
    query = select(Transfer).where(Transfer.status.in_(list(statuses)))
    if planned_until is not None:
        query = query.where(
            (Transfer.status != TransferStatus.planned) | (Transfer.planned_for <= planned_until)
        )
    for transfer in session.scalars(query.order_by(Transfer.id)):
        key = (transfer.origin_site_id, transfer.destination_site_id, transfer.kind)
        groups.setdefault(key, []).append(transfer)
    demand = [
        TransferDemand(
            origin_site_id=origin,
            destination_site_id=destination,
            kind=kind,
            items=len(rows),
            crates=math.ceil(len(rows) / settings.crate_capacity),
            kg=len(rows) * settings.kg_per_book,
            earliest_deadline=min(t.deadline for t in rows),
            priority=TRANSFER_POLICY[kind].priority,
            transfer_ids=tuple(t.id for t in rows),
        )
        for (origin, destination, kind), rows in groups.items()
    ]
    demand.sort(
        key=lambda d: (-d.priority, d.earliest_deadline, d.origin_site_id, d.destination_site_id)
    )
    return demand


def record_plan(
    session: Session,
    *,
    planned: Iterable[PlannedTransfer] = (),
    deferred: Iterable[DeferredTransfer] = (),
    staff: str,
    now: datetime | None = None,
) -> None:
    """Write a day's plan back: planned transfers get van, stop and day; deferred ones keep
    (or return to) ``requested`` with their reason. Either way the transfer records the
    shipment it was planned or deferred in (``shipment_id``; NULL when the entry names none).

    Raises
    ------
    CirculationError
        Unknown transfer id, a transfer no longer requested or planned, an empty reason, or a
        transfer both planned and deferred. Nothing is written then.
    """
    now = resolve_now(now)
    planned = list(planned)
    deferred = list(deferred)
    both = {p.transfer_id for p in planned} & {d.transfer_id for d in deferred}
    if both:
        raise InvalidValueError("transfer_id", min(both), "both planned and deferred")
    with session.begin_nested():
        for entry in planned:
            transfer = _plannable(session, entry.transfer_id)
            if not entry.van_id.strip():
                raise InvalidValueError("van_id", entry.van_id, "van id must not be empty")
            if entry.stop < 0:
                raise InvalidValueError("stop", entry.stop, "stop index must be >= 0")
            _check_shipment_id(entry.shipment_id)
            transfer.status = TransferStatus.planned
            transfer.van_id = entry.van_id
            transfer.stop = entry.stop
            transfer.planned_for = entry.day
            transfer.deferred_reason = None
            transfer.shipment_id = entry.shipment_id
            _event(
                transfer,
                TransferStatus.planned,
                at=now,
                site=None,
                staff=staff,
                note=f"van {entry.van_id} stop {entry.stop} on {entry.day.isoformat()}"
                + _in_shipment(entry.shipment_id),
            )
        for later in deferred:
            transfer = _plannable(session, later.transfer_id)
            if not later.reason.strip():
                raise InvalidValueError(
                    "reason", later.reason, "a deferred transfer needs a reason"
                )
            _check_shipment_id(later.shipment_id)
            transfer.status = TransferStatus.requested
            transfer.van_id = None
            transfer.stop = None
            transfer.planned_for = None
            transfer.deferred_reason = later.reason
            transfer.shipment_id = later.shipment_id
            _event(
                transfer,
                TransferStatus.requested,
                at=now,
                site=None,
                staff=staff,
                note=f"deferred: {later.reason}" + _in_shipment(later.shipment_id),
            )
        session.flush()


def _check_shipment_id(shipment_id: str | None) -> None:
    limit = SHIPMENT_ID_LENGTH
    if shipment_id is not None and not (0 < len(shipment_id.strip()) <= limit):
        raise InvalidValueError(
            "shipment_id", shipment_id, f"must be 1 to {limit} characters, not blank"
        )


def _in_shipment(shipment_id: str | None) -> str:
    return f" (shipment {shipment_id})" if shipment_id else ""


def _plannable(session: Session, transfer_id: int) -> Transfer:
    transfer = session.get(Transfer, transfer_id)
    if transfer is None:
        raise NotFoundError("transfer_id", transfer_id, "no such transfer")
    if transfer.status not in (TransferStatus.requested, TransferStatus.planned):
        raise NotAvailableError(
            "transfer_id", transfer_id, f"transfer is {transfer.status.value}, cannot be planned"
        )
    return transfer
