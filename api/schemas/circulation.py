"""Loans (借出) and returns (归还) by barcode scan, at any site (通借通还)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from api.schemas.common import Barcode, CardNumber, LocalDateTime, SiteCode
from catalog.circulation import ReturnResult
from catalog.models import Crate, HoldStatus, Loan, TransferKind

__all__ = ["LoanCreate", "LoanRead", "ReturnCreate", "ReturnRead"]


class LoanCreate(BaseModel):
    """Lend the copy ``barcode`` to the card ``card_number`` at the desk of ``site_code``."""

    model_config = ConfigDict(extra="forbid")

    barcode: Barcode
    card_number: CardNumber
    site_code: SiteCode


class LoanRead(BaseModel):
    """A loan; the borrower only by the card's last four digits."""

    id: int
    barcode: str
    title: str
    card_last4: str
    site_code: str
    checked_out_at: LocalDateTime
    due_on: date
    returned_at: LocalDateTime | None

    @classmethod
    def of(cls, loan: Loan, site_code: str) -> LoanRead:
        return cls(
            id=loan.id,
            barcode=loan.item.barcode,
            title=loan.item.record.title,
            card_last4=loan.patron.card_last4,
            site_code=site_code,
            checked_out_at=loan.checked_out_at,
            due_on=loan.due_on,
            returned_at=loan.returned_at,
        )


class ReturnCreate(BaseModel):
    """The copy ``barcode`` handed back at the desk of ``site_code``."""

    model_config = ConfigDict(extra="forbid")

    barcode: Barcode
    site_code: SiteCode


Destination = Literal["shelf", "hold_shelf", "transfer"]


class ReturnRead(BaseModel):
    """A return and where the copy goes next.

    ``next`` is ``shelf`` (on the shelf here), ``hold_shelf`` (on the hold shelf here, for
    ``hold_id``) or ``transfer`` (into crate ``crate_id`` for ``next_site_code``: home, or to
    fill ``hold_id`` there); ``instruction`` says it for the desk (中文 / English).
    """

    loan_id: int
    barcode: str
    title: str
    site_code: str
    returned_at: LocalDateTime
    next: Destination
    next_site_code: str
    next_site_name_zh: str
    transfer_kind: TransferKind | None
    hold_id: int | None
    crate_id: str | None
    """The crate (周转箱) to put the copy in, open here for ``next_site_code``."""
    instruction: str

    @classmethod
    def of(cls, result: ReturnResult, site_code: str, crate: Crate | None = None) -> ReturnRead:
        loan, hold, transfer = result.loan, result.hold, result.transfer
        item = loan.item
        if transfer is not None:
            site = transfer.destination_site
            next_: Destination = "transfer"
            zh_crate, en_crate = (
                (f"周转箱 {crate.code}", f"crate {crate.code}") if crate else ("周转箱", "a crate")
            )
            instruction = (
                f"放入送往 {site.name_zh}（{site.code}）的{zh_crate} / "
                f"put it in {en_crate} for {site.name_en} ({site.code})"
            )
        elif hold is not None and hold.status is HoldStatus.ready:
            site = hold.pickup_site
            next_ = "hold_shelf"
            instruction = (
                f"放上预约书架（预约 {hold.id}）/ put it on the hold shelf (hold {hold.id})"
            )
        else:
            site = item.current_site
            next_ = "shelf"
            instruction = "放回本馆书架 / put it back on the shelf here"
        return cls(
            loan_id=loan.id,
            barcode=item.barcode,
            title=item.record.title,
            site_code=site_code,
            returned_at=loan.returned_at or loan.checked_out_at,
            next=next_,
            next_site_code=site.code,
            next_site_name_zh=site.name_zh,
            transfer_kind=transfer.kind if transfer else None,
            hold_id=hold.id if hold else None,
            crate_id=crate.code if crate is not None and transfer is not None else None,
            instruction=instruction,
        )
