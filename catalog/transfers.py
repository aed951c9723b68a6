"""Transfers (调拨): creation, scans, crates, loss, demand for the planner, plans recorded back.

Status flow: ``requested → planned → picked_up → delivered``; a transfer in the van too long
becomes ``lost``; one not yet picked up is ``cancelled`` when superseded (e.g. a hold takes a
copy that was going home). Every change is a :class:`~catalog.models.TransferEvent` stamped
with time, site and staff member. Scanning the same barcode twice changes nothing; a scan at
the wrong site is refused naming the right one. A copy packed in a crate (周转箱,
:mod:`catalog.crates`) moves with its crate: the van takes the crate whole, and the crate is
delivered with its last copy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog._lookup import get_central, get_item, get_record, resolve_now
from catalog.errors import InvalidValueError, NotAvailableError, NotFoundError
from catalog.models import (
    OPEN_TRANSFER_STATUSES,
    SHIPMENT_ID_LENGTH,
    Crate,
    CrateStatus,
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
    "TransferFilter",
    "crate_load",
    "crate_of",
    "create_transfer",
    "deliver",
    "get_transfer",
    "list_transfers",
    "mark_lost",
    "open_transfer",
    "pick_up_crate",
    "receive_new_stock",
    "record_plan",
    "scan_delivery",
    "scan_pickup",
    "transfer_deadline",
    "transfer_demand",
    "wrong_site",
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

    A copy packed in an open crate (:func:`catalog.crates.pack`) travels in it: scanning it
    takes the whole crate, every copy in it. Scanning again is harmless: the transfer is
    returned unchanged.

    Raises
    ------
    CirculationError
        Unknown barcode or site, no open transfer for the item, the wrong site (the message
        names the right one), or a crate that goes another way.
    """
    now = resolve_now(now)
    with session.begin_nested():
        item = get_item(session, barcode, lock=True)
        site = get_site(session, site_code)
        transfer = open_transfer(session, item)
        if transfer is None:
            raise NotFoundError("barcode", barcode, "item has no open transfer")
        if transfer.origin_site_id != site.id:
            raise wrong_site(site_code, transfer.origin_site, f"transfer {transfer.id} starts at")
        if transfer.status is TransferStatus.picked_up:
            return transfer
        if crate_id is not None:
            _check_crate(session, crate_id, transfer)
            transfer.crate_id = crate_id
        crate = crate_of(session, transfer)
        if crate is not None and crate.status is CrateStatus.open:
            pick_up_crate(session, crate, site, staff=staff, now=now)
        else:
            _pick_up(transfer, site, staff=staff, now=now)
        session.flush()
    return transfer


def wrong_site(site_code: str, expected: Site, what: str) -> InvalidValueError:
    """The refusal of a scan at ``site_code`` that belongs at ``expected``: ``what`` is
    e.g. ``"transfer 7 starts at"``; the message names the expected site in both languages."""
    return InvalidValueError(
        "site_code",
        site_code,
        f"扫描站点不对，应在 {expected.name_zh}（{expected.code}）/ wrong site: "
        f"{what} {expected.code} ({expected.name_en})",
    )


def _pick_up(transfer: Transfer, site: Site, *, staff: str, now: datetime, note: str = "") -> None:
    transfer.status = TransferStatus.picked_up
    transfer.picked_up_at = now
    transfer.deferred_reason = None
    transfer.item.status = ItemStatus.in_transit
    _event(transfer, TransferStatus.picked_up, at=now, site=site, staff=staff, note=note)


def _check_crate(session: Session, crate_id: str, transfer: Transfer) -> None:
    if not crate_id.strip():
        raise InvalidValueError("crate_id", crate_id, "crate id must not be empty")
    crate = session.scalar(select(Crate).where(Crate.code == crate_id))
    if crate is not None:
        goes = (crate.origin_site, crate.destination_site)
        if crate.status is CrateStatus.delivered:
            raise InvalidValueError("crate_id", crate_id, "crate was delivered already")
    else:
        other = session.scalar(
            select(Transfer).where(
                Transfer.crate_id == crate_id,
                Transfer.status.in_(OPEN_TRANSFER_STATUSES),
                Transfer.id != transfer.id,
            )
        )
        if other is None:
            return
        goes = (other.origin_site, other.destination_site)
    if goes != (transfer.origin_site, transfer.destination_site):
        raise InvalidValueError(
            "crate_id",
            crate_id,
            f"crate goes {goes[0].code} → {goes[1].code}, "
            f"item goes {transfer.origin_site.code} → {transfer.destination_site.code}",
        )


def crate_of(session: Session, transfer: Transfer) -> Crate | None:
    """The crate row the transfer is packed in (row-locked on PostgreSQL), if any."""
    if transfer.crate_id is None:
        return None
    return session.scalar(
        select(Crate)
        .where(Crate.code == transfer.crate_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def crate_load(session: Session, crate: Crate, *, lock: bool = False) -> list[Transfer]:
    """The open transfers packed in ``crate``, by id; with ``lock``, their items are
    row-locked first (on PostgreSQL) and the transfers read again."""
    query = select(Transfer).where(
        Transfer.crate_id == crate.code, Transfer.status.in_(OPEN_TRANSFER_STATUSES)
    )
    if lock:
        item_ids = select(Transfer.item_id).where(
            Transfer.crate_id == crate.code, Transfer.status.in_(OPEN_TRANSFER_STATUSES)
        )
        session.scalars(
            select(Item)
            .where(Item.id.in_(item_ids))
            .order_by(Item.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
        query = query.execution_options(populate_existing=True)
    return list(session.scalars(query.order_by(Transfer.id)))


def pick_up_crate(
    session: Session, crate: Crate, site: Site, *, staff: str, now: datetime
) -> list[Transfer]:
    """The van takes ``crate`` (checked to be open at ``site``) with every copy in it."""
    load = crate_load(session, crate, lock=True)
    for transfer in load:
        if transfer.status is not TransferStatus.picked_up:
            _pick_up(transfer, site, staff=staff, now=now, note=f"in crate {crate.code}")
    crate.status = CrateStatus.in_transit
    crate.picked_up_at = now
    crate.picked_up_by = staff
    session.flush()
    return load


def _settle_crate(session: Session, crate: Crate, *, staff: str, now: datetime) -> None:
    """A crate whose every copy has arrived is delivered."""
    if crate.status is not CrateStatus.delivered and not crate_load(session, crate):
        crate.status = CrateStatus.delivered
        crate.delivered_at = now
        crate.delivered_by = staff
        session.flush()


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
    float). A crate is delivered with its last copy. Scanning again is harmless, also once
    the copy has a new transfer from here (home, after a cancelled hold).

    Raises
    ------
    CirculationError
        Unknown barcode or site, nothing in transit for the item, or the wrong destination
        (the message names the right one).
    """
    now = resolve_now(now)
    settings = settings or CirculationSettings()
    with session.begin_nested():
        item = get_item(session, barcode, lock=True)
        site = get_site(session, site_code)
        again = _delivered_here(session, item, site)
        if again is not None:
            return again
        transfer = open_transfer(session, item)
        if transfer is None:
            raise NotFoundError("barcode", barcode, "item has no open transfer")
        if transfer.destination_site_id != site.id:
            raise wrong_site(
                site_code, transfer.destination_site, f"transfer {transfer.id} goes to"
            )
        deliver(session, transfer, site, staff=staff, now=now, settings=settings)
        crate = crate_of(session, transfer)
        if crate is not None:
            _settle_crate(session, crate, staff=staff, now=now)
    return transfer


def _delivered_here(session: Session, item: Item, site: Site) -> Transfer | None:
    """The item's last delivery, when it was to ``site`` and nothing has moved the item
    since (a new transfer from here may have been requested, none picked up)."""
    last = session.scalar(
        select(Transfer)
        .where(Transfer.item_id == item.id, Transfer.status == TransferStatus.delivered)
        .order_by(Transfer.id.desc())
        .limit(1)
    )
    if last is None or last.destination_site_id != site.id or item.current_site_id != site.id:
        return None
    current = open_transfer(session, item)
    if current is None or (
        current.id > last.id
        and current.status is not TransferStatus.picked_up
        and current.origin_site_id == site.id
    ):
        return last
    return None


def deliver(
    session: Session,
    transfer: Transfer,
    site: Site,
    *,
    staff: str,
    now: datetime,
    settings: CirculationSettings,
) -> None:
    """Record ``transfer``'s arrival at ``site`` (its destination, checked by the caller)
    and put its item where it goes: the hold shelf, the shelf, or on its way home."""
    item = transfer.item
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
) -> list[TransferDemand]:
    """Summarise open transfers into van load per (origin, destination, kind).

    Deferred transfers are ``requested`` and so are counted again. Crates are
    ``ceil(items / crate_capacity)``, weight ``items * kg_per_book``.

    Returns
    -------
    list of TransferDemand
        Sorted by priority (highest first), earliest deadline, origin, destination.
    """
    settings = settings or CirculationSettings()
    groups: dict[tuple[int, int, TransferKind], list[Transfer]] = {}
    for transfer in session.scalars(
        select(Transfer).where(Transfer.status.in_(list(statuses))).order_by(Transfer.id)
    ):
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


def get_transfer(session: Session, transfer_id: int) -> Transfer:
    """The transfer with this id.

    Raises
    ------
    NotFoundError
        No such transfer.
    """
    transfer = session.get(Transfer, transfer_id)
    if transfer is None:
        raise NotFoundError("transfer_id", transfer_id, "no such transfer")
    return transfer


@dataclass(frozen=True, slots=True)
class TransferFilter:
    """Which transfers a list shows; ``None`` leaves a field free. Sites are by code."""

    status: TransferStatus | None = None
    kind: TransferKind | None = None
    origin: str | None = None
    destination: str | None = None
    planned_for: date | None = None


def list_transfers(
    session: Session,
    where: TransferFilter | None = None,
    *,
    unplanned: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Transfer], int]:
    """A page of transfers matching ``where``, and how many match in all.

    Parameters
    ----------
    where
        The filter; an unknown site code is refused (``origin`` or ``destination``).
    unplanned
        Only the transfers the last plan deferred (延后): ``requested`` with a reason; they
        come by deadline, then id. Otherwise the newest come first.
    limit, offset
        The page.

    Raises
    ------
    NotFoundError
        ``origin`` or ``destination`` names no site.
    """
    where = where or TransferFilter()
    conditions = []
    if unplanned:
        conditions += [
            Transfer.status == TransferStatus.requested,
            Transfer.deferred_reason.is_not(None),
        ]
    if where.status is not None:
        conditions.append(Transfer.status == where.status)
    if where.kind is not None:
        conditions.append(Transfer.kind == where.kind)
    if where.origin is not None:
        conditions.append(
            Transfer.origin_site_id == get_site(session, where.origin, field="origin").id
        )
    if where.destination is not None:
        site = get_site(session, where.destination, field="destination")
        conditions.append(Transfer.destination_site_id == site.id)
    if where.planned_for is not None:
        conditions.append(Transfer.planned_for == where.planned_for)
    order = (Transfer.deadline, Transfer.id) if unplanned else (Transfer.id.desc(),)
    rows = session.scalars(
        select(Transfer).where(*conditions).order_by(*order).limit(limit).offset(offset)
    )
    total = session.scalar(select(func.count()).select_from(Transfer).where(*conditions))
    return list(rows), total or 0
