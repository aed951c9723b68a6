"""Private helpers shared by the service modules: clock and look-ups that raise NotFoundError."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.clock import library_now
from catalog.errors import InvalidValueError, NotFoundError
from catalog.models import Hold, Item, Patron, Record, Site, SiteKind


def resolve_now(now: datetime | None) -> datetime:
    """``now`` if given (must be naive local time), else the clock."""
    if now is None:
        return library_now()
    if now.tzinfo is not None:
        raise InvalidValueError("now", now, "pass naive local (Asia/Shanghai) time")
    return now


def get_item(session: Session, barcode: str, *, lock: bool = False) -> Item:
    """The item with this barcode (row-locked on PostgreSQL when ``lock``)."""
    query = select(Item).where(Item.barcode == barcode)
    if lock:
        # populate_existing: re-read the row we now hold, not the identity map's copy.
        query = query.with_for_update().execution_options(populate_existing=True)
    item = session.scalar(query)
    if item is None:
        raise NotFoundError("barcode", barcode, "no item has this barcode")
    return item


def get_patron(session: Session, card_number: str) -> Patron:
    """The patron with this card number."""
    patron = session.scalar(select(Patron).where(Patron.card_number == card_number))
    if patron is None:
        raise NotFoundError("card_number", card_number, "no patron has this card")
    return patron


def get_record(session: Session, record_id: int) -> Record:
    """The bibliographic record with this id."""
    record = session.get(Record, record_id)
    if record is None:
        raise NotFoundError("record_id", record_id, "no such record")
    return record


def get_hold(session: Session, hold_id: int) -> Hold:
    """The hold with this id."""
    hold = session.get(Hold, hold_id)
    if hold is None:
        raise NotFoundError("hold_id", hold_id, "no such hold")
    return hold


def get_central(session: Session) -> Site:
    """The one central library."""
    sites = list(session.scalars(select(Site).where(Site.kind == SiteKind.central)))
    if len(sites) != 1:
        raise NotFoundError(
            "site.kind", "central", f"expected one central library, found {len(sites)}"
        )
    return sites[0]
