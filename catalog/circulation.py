"""Circulation (通借通还): check-out and return at any site.

A return at a site other than the item's home sends it home (a ``return_home`` transfer)
unless the item floats; a return that can fill a waiting hold goes to the oldest such hold
instead (onto the hold shelf if returned at the pickup site, else a ``hold`` transfer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog._lookup import get_item, get_patron, resolve_now
from catalog.errors import ConflictError, NotAvailableError
from catalog.holds import _fill, estimate_shelf_time
from catalog.models import (
    ACTIVE_HOLD_STATUSES,
    Hold,
    HoldStatus,
    Item,
    ItemStatus,
    Loan,
    Transfer,
)
from catalog.settings import CirculationSettings
from catalog.sites import get_site, require_open
from catalog.transfers import _release_item, cancel_open_transfer, open_transfer
from catalog.travel import TravelTimes

__all__ = ["ItemState", "ReturnResult", "check_in", "check_out", "item_state"]


@dataclass(frozen=True, slots=True)
class ReturnResult:
    """What a return did: the closed loan, and where the item goes next.

    ``hold`` is set when the return filled a hold (``hold.status`` is ``ready`` when it went
    onto the hold shelf here); ``transfer`` is the ``hold`` or ``return_home`` transfer, if
    the item must move.
    """

    loan: Loan
    hold: Hold | None
    transfer: Transfer | None


@dataclass(frozen=True, slots=True)
class ItemState:
    """Where a copy stands: its row, its open loan, its open transfer (where it goes next),
    and the active hold it fills, each None when there is none."""

    item: Item
    loan: Loan | None
    transfer: Transfer | None
    hold: Hold | None


def item_state(session: Session, *, barcode: str) -> ItemState:
    """The copy with this barcode and what it is doing now.

    Raises
    ------
    NotFoundError
        No item has this barcode.
    """
    item = get_item(session, barcode)
    loan = session.scalar(select(Loan).where(Loan.item_id == item.id, Loan.returned_at.is_(None)))
    hold = session.scalar(
        select(Hold).where(Hold.item_id == item.id, Hold.status.in_(ACTIVE_HOLD_STATUSES))
    )
    return ItemState(item=item, loan=loan, transfer=open_transfer(session, item), hold=hold)


def check_out(
    session: Session,
    *,
    barcode: str,
    card_number: str,
    site_code: str,
    staff: str = "",
    now: datetime | None = None,
    settings: CirculationSettings | None = None,
) -> Loan:
    """Lend an item at a site.

    An item on the hold shelf can only go to the patron whose hold it fills (the hold is then
    collected); an available item with a pending return or new-stock transfer is simply lent
    here (the transfer is cancelled).

    Raises
    ------
    CirculationError
        Unknown barcode, card or site; site closed today; item on loan, in transit, missing,
        withdrawn, recorded at another site, or owned by another patron's hold.
    """
    now = resolve_now(now)
    settings = settings or CirculationSettings()
    try:
        with session.begin_nested():
            site = get_site(session, site_code)
            require_open(site, now.date())
            patron = get_patron(session, card_number)
            item = get_item(session, barcode, lock=True)
            hold = session.scalar(
                select(Hold).where(Hold.item_id == item.id, Hold.status.in_(ACTIVE_HOLD_STATUSES))
            )
            if item.status is ItemStatus.on_loan:
                raise NotAvailableError("barcode", barcode, "item is already on loan")
            if item.status not in (ItemStatus.available, ItemStatus.on_hold_shelf):
                raise NotAvailableError("barcode", barcode, f"item is {item.status.value}")
            if item.current_site_id != site.id:
                raise NotAvailableError(
                    "barcode",
                    barcode,
                    f"item is recorded at {item.current_site.code}; scan its delivery first",
                )
            if hold is not None and hold.patron_id != patron.id:
                raise NotAvailableError(
                    "barcode", barcode, f"item is reserved for hold {hold.id} (another card)"
                )
            if hold is not None:
                hold.status = HoldStatus.collected
                hold.closed_at = now
            cancel_open_transfer(
                session, item, now=now, site=site, staff=staff, note="lent here instead"
            )
            loan = Loan(
                item=item,
                patron=patron,
                site_id=site.id,
                checked_out_at=now,
                due_on=now.date() + timedelta(days=settings.loan_days),
            )
            item.status = ItemStatus.on_loan
            session.add(loan)
            session.flush()
    except IntegrityError as error:
        raise ConflictError("barcode", barcode, "item was just lent at another desk") from error
    return loan


def check_in(
    session: Session,
    *,
    barcode: str,
    site_code: str,
    travel_times: TravelTimes,
    staff: str = "",
    now: datetime | None = None,
    settings: CirculationSettings | None = None,
) -> ReturnResult:
    """Take back a lent item at any site and route it: to the oldest waiting hold on its
    record, else home (unless it floats or is home), else onto the shelf here.

    Raises
    ------
    CirculationError
        Unknown barcode or site; site closed today; item not on loan.
    """
    now = resolve_now(now)
    settings = settings or CirculationSettings()
    with session.begin_nested():
        site = get_site(session, site_code)
        require_open(site, now.date())
        item = get_item(session, barcode, lock=True)
        loan = session.scalar(
            select(Loan).where(Loan.item_id == item.id, Loan.returned_at.is_(None))
        )
        if loan is None or item.status is not ItemStatus.on_loan:
            raise NotAvailableError(
                "barcode", barcode, f"item is not on loan ({item.status.value})"
            )
        loan.returned_at = now
        loan.return_site_id = site.id
        item.status = ItemStatus.available
        item.current_site_id = site.id
        session.flush()
        session.refresh(item, ["current_site"])
        hold = session.scalar(
            select(Hold)
            .where(Hold.record_id == item.record_id, Hold.status == HoldStatus.waiting)
            .order_by(Hold.placed_at, Hold.id)
            .limit(1)
            .with_for_update()
        )
        if hold is not None:
            shelf_time = estimate_shelf_time(
                site, hold.pickup_site, now=now, travel_times=travel_times
            )
            _fill(
                session, hold, item, shelf_time=shelf_time, now=now, staff=staff, settings=settings
            )
            transfer = session.scalar(
                select(Transfer).where(Transfer.hold_id == hold.id, Transfer.status == "requested")
            )
            return ReturnResult(loan=loan, hold=hold, transfer=transfer)
        transfer = _release_item(session, item, site, now=now, staff=staff, settings=settings)
    return ReturnResult(loan=loan, hold=None, transfer=transfer)
