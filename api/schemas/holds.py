"""Holds (预约): placing one for a patron, reading and cancelling it."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import MAX_ROW_ID, CardNumber, LocalDateTime, SiteCode
from catalog.models import Hold, HoldStatus

__all__ = ["HoldCreate", "HoldRead"]


class HoldCreate(BaseModel):
    """A hold for the card ``card_number`` on ``record_id``, picked up at ``pickup_site_code``."""

    model_config = ConfigDict(extra="forbid")

    card_number: CardNumber
    record_id: int = Field(ge=1, le=MAX_ROW_ID)
    pickup_site_code: SiteCode


class HoldRead(BaseModel):
    """A hold; the patron only by the card's last four digits. ``expected_on`` is the
    预计到馆日期 of an assigned copy; ``barcode`` the copy that fills it, if any."""

    id: int
    record_id: int
    title: str
    card_last4: str
    pickup_site_code: str
    status: HoldStatus
    placed_at: LocalDateTime
    expected_on: date | None
    barcode: str | None

    @classmethod
    def of(cls, hold: Hold) -> HoldRead:
        return cls(
            id=hold.id,
            record_id=hold.record_id,
            title=hold.record.title,
            card_last4=hold.patron.card_last4,
            pickup_site_code=hold.pickup_site.code,
            status=hold.status,
            placed_at=hold.placed_at,
            expected_on=hold.expected_on,
            barcode=hold.item.barcode if hold.item else None,
        )
