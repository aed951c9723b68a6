"""Crates (周转箱): packing copies at a desk, and the van's scans of a whole crate.

A crate makes one trip, from its origin to its destination, under a barcode of its own
(``CR000042``; what ``Transfer.crate_id`` holds): ``open`` while the desk packs it, then
``in_transit`` once a van takes it, then ``delivered``. A copy that must move goes into the
open crate at its site for its destination (:func:`crate_for`; a new one when there is none
or the last is full, ``crate_capacity`` copies). Scanning a crate at pickup takes every copy
in it; at the drop delivers every copy. Scans are harmless when repeated, and refused at the
wrong site with the right one named.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog._lookup import get_item, resolve_now
from catalog.errors import NotAvailableError, NotFoundError
from catalog.models import (
    OPEN_TRANSFER_STATUSES,
    Crate,
    CrateStatus,
    Site,
    Transfer,
    TransferStatus,
)
from catalog.settings import CirculationSettings
from catalog.sites import get_site
from catalog.transfers import (
    _event,
    crate_load,
    crate_of,
    deliver,
    open_transfer,
    pick_up_crate,
    wrong_site,
)

__all__ = [
    "CRATE_PREFIX",
    "crate_contents",
    "crate_copies",
    "crate_for",
    "get_crate",
    "list_crates",
    "pack",
    "scan_crate_drop",
    "scan_crate_pickup",
]

CRATE_PREFIX = "CR"
"""Crate barcodes are this prefix and the crate's number on six digits, e.g. ``CR000042``."""


def get_crate(session: Session, code: str, *, lock: bool = False) -> Crate:
    """The crate with barcode ``code`` (row-locked on PostgreSQL when ``lock``).

    Raises
    ------
    NotFoundError
        No crate has this barcode (field ``crate_id``).
    """
    query = select(Crate).where(Crate.code == code)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    crate = session.scalar(query)
    if crate is None:
        raise NotFoundError("crate_id", code, "no crate has this barcode")
    return crate


def crate_contents(session: Session, crate: Crate) -> list[Transfer]:
    """Every transfer packed in ``crate`` and not cancelled since (a copy lent at the desk
    instead leaves the crate), by id."""
    return list(
        session.scalars(
            select(Transfer)
            .where(Transfer.crate_id == crate.code, Transfer.status != TransferStatus.cancelled)
            .order_by(Transfer.id)
        )
    )


def crate_copies(session: Session, crates: list[Crate]) -> dict[str, int]:
    """How many copies each of ``crates`` holds (as :func:`crate_contents` counts them), by
    barcode."""
    codes = [c.code for c in crates]
    counts = dict.fromkeys(codes, 0)
    rows = session.execute(
        select(Transfer.crate_id, func.count())
        .where(Transfer.crate_id.in_(codes), Transfer.status != TransferStatus.cancelled)
        .group_by(Transfer.crate_id)
    )
    for code, count in rows:
        counts[str(code)] = int(count)
    return counts


def list_crates(
    session: Session,
    *,
    status: CrateStatus | None = None,
    origin: str | None = None,
    destination: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Crate], int]:
    """A page of crates, newest first, and how many match in all; sites by code.

    Raises
    ------
    NotFoundError
        ``origin`` or ``destination`` names no site.
    """
    conditions = []
    if status is not None:
        conditions.append(Crate.status == status)
    if origin is not None:
        conditions.append(Crate.origin_site_id == get_site(session, origin, field="origin").id)
    if destination is not None:
        site = get_site(session, destination, field="destination")
        conditions.append(Crate.destination_site_id == site.id)
    rows = session.scalars(
        select(Crate).where(*conditions).order_by(Crate.id.desc()).limit(limit).offset(offset)
    )
    total = session.scalar(select(func.count()).select_from(Crate).where(*conditions))
    return list(rows), total or 0


def crate_for(
    session: Session,
    transfer: Transfer,
    *,
    staff: str,
    now: datetime | None = None,
    settings: CirculationSettings | None = None,
) -> Crate:
    """Pack ``transfer``'s copy (not yet in a van) into the open crate at its origin for its
    destination, opening a crate when there is none with room; the copy's crate if it is
    packed already.

    Desks packing at one site at the same moment take turns (the site's row is locked on
    PostgreSQL; SQLite has one writer), so that they fill one crate, not one each.
    """
    now = resolve_now(now)
    settings = settings or CirculationSettings()
    current = crate_of(session, transfer)
    if current is not None and current.status is CrateStatus.open:
        return current
    session.scalar(
        select(Site.id).where(Site.id == transfer.origin_site_id).with_for_update(key_share=True)
    )
    crate = _open_crate_with_room(session, transfer, capacity=settings.crate_capacity)
    if crate is None:
        crate = _new_crate(session, transfer, staff=staff, now=now)
    transfer.crate_id = crate.code
    _event(
        transfer,
        transfer.status,
        at=now,
        site=transfer.origin_site,
        staff=staff,
        note=f"packed in crate {crate.code}",
    )
    session.flush()
    return crate


def _open_crate_with_room(session: Session, transfer: Transfer, *, capacity: int) -> Crate | None:
    load = (
        select(func.count())
        .select_from(Transfer)
        .where(Transfer.crate_id == Crate.code, Transfer.status.in_(OPEN_TRANSFER_STATUSES))
        .scalar_subquery()
    )
    return session.scalar(
        select(Crate)
        .where(
            Crate.origin_site_id == transfer.origin_site_id,
            Crate.destination_site_id == transfer.destination_site_id,
            Crate.status == CrateStatus.open,
            load < capacity,
        )
        .order_by(Crate.id)
        .limit(1)
    )


def _new_crate(session: Session, transfer: Transfer, *, staff: str, now: datetime) -> Crate:
    # The barcode comes from the row's number, known once the row is in.
    crate = Crate(
        code=f"new-{uuid.uuid4().hex}",
        origin_site_id=transfer.origin_site_id,
        destination_site_id=transfer.destination_site_id,
        status=CrateStatus.open,
        opened_at=now,
        opened_by=staff,
    )
    session.add(crate)
    session.flush()
    crate.code = f"{CRATE_PREFIX}{crate.id:06d}"
    session.flush()
    return crate


def pack(
    session: Session,
    *,
    barcode: str,
    site_code: str,
    staff: str,
    now: datetime | None = None,
    settings: CirculationSettings | None = None,
) -> Crate:
    """The desk at ``site_code`` packs the copy ``barcode`` for its next trip: the crate it
    goes into (see :func:`crate_for`). Packing again answers the same crate.

    Raises
    ------
    CirculationError
        Unknown barcode or site; the copy has no trip to make, is already in a van, or
        starts at another site (the message names it).
    """
    now = resolve_now(now)
    with session.begin_nested():
        item = get_item(session, barcode, lock=True)
        site = get_site(session, site_code)
        transfer = open_transfer(session, item)
        if transfer is None:
            raise NotFoundError("barcode", barcode, "item has no open transfer: it stays here")
        if transfer.origin_site_id != site.id:
            raise wrong_site(site_code, transfer.origin_site, f"transfer {transfer.id} starts at")
        if transfer.status is TransferStatus.picked_up:
            raise NotAvailableError(
                "barcode", barcode, f"item is already in a van (crate {transfer.crate_id})"
            )
        crate = crate_for(session, transfer, staff=staff, now=now, settings=settings)
    return crate


def scan_crate_pickup(
    session: Session,
    *,
    code: str,
    site_code: str,
    staff: str,
    now: datetime | None = None,
) -> Crate:
    """The van takes crate ``code`` at ``site_code``, every copy in it. Scanning again is
    harmless: the crate is answered as it is.

    Raises
    ------
    CirculationError
        Unknown crate or site, the wrong site (the message names the crate's origin), or a
        crate with no copy left in it.
    """
    now = resolve_now(now)
    with session.begin_nested():
        crate = get_crate(session, code, lock=True)
        site = get_site(session, site_code)
        if crate.origin_site_id != site.id:
            raise wrong_site(site_code, crate.origin_site, f"crate {code} starts at")
        if crate.status is not CrateStatus.open:
            return crate
        if not crate_load(session, crate):
            raise NotAvailableError("crate_id", code, "crate is empty: nothing to pick up")
        pick_up_crate(session, crate, site, staff=staff, now=now)
    return crate


def scan_crate_drop(
    session: Session,
    *,
    code: str,
    site_code: str,
    staff: str,
    now: datetime | None = None,
    settings: CirculationSettings | None = None,
) -> Crate:
    """Crate ``code`` arrives at ``site_code``: every copy in it is delivered (onto the hold
    shelf, the shelf, or on its way home). Scanning again is harmless.

    Raises
    ------
    CirculationError
        Unknown crate or site, the wrong site (the message names the crate's destination),
        or a crate with no copy in it.
    """
    now = resolve_now(now)
    settings = settings or CirculationSettings()
    with session.begin_nested():
        crate = get_crate(session, code, lock=True)
        site = get_site(session, site_code)
        if crate.destination_site_id != site.id:
            raise wrong_site(site_code, crate.destination_site, f"crate {code} goes to")
        if crate.status is CrateStatus.delivered:
            return crate
        load = crate_load(session, crate, lock=True)
        if not load:
            raise NotAvailableError("crate_id", code, "crate is empty: nothing to deliver")
        for transfer in load:
            deliver(session, transfer, site, staff=staff, now=now, settings=settings)
        crate.status = CrateStatus.delivered
        crate.delivered_at = now
        crate.delivered_by = staff
        if crate.picked_up_at is None:  # carried without a pickup scan
            crate.picked_up_at, crate.picked_up_by = now, staff
        session.flush()
    return crate
