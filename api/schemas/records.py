"""Catalogue search hits with availability per site, and copies by barcode."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from api.schemas.common import Page
from catalog.circulation import ItemState
from catalog.models import ItemStatus, TransferKind
from catalog.search import SearchHit

__all__ = ["ItemRead", "RecordHitRead", "RecordPage", "SiteAvailabilityRead"]


class SiteAvailabilityRead(BaseModel):
    """Copies of a record at one site; ``travel_time_s`` to the pickup site if asked."""

    site_code: str
    site_name_zh: str
    available: int
    copies: int
    travel_time_s: int | None


class RecordHitRead(BaseModel):
    """A record that matched, best sites first."""

    record_id: int
    title: str
    display_title: str
    """The title as a Chinese reader sees it (original script first)."""
    authors: list[str]
    isbn13: str | None
    publisher: str
    year: int | None
    clc: str
    available: int
    sites: list[SiteAvailabilityRead]

    @classmethod
    def of(cls, hit: SearchHit) -> RecordHitRead:
        return cls(
            record_id=hit.record_id,
            title=hit.title,
            display_title=hit.display_title(),
            authors=list(hit.authors),
            isbn13=hit.isbn13,
            publisher=hit.publisher,
            year=hit.year,
            clc=hit.clc,
            available=hit.available,
            sites=[
                SiteAvailabilityRead(
                    site_code=s.site_code,
                    site_name_zh=s.site_name_zh,
                    available=s.available,
                    copies=s.copies,
                    travel_time_s=s.travel_time_s,
                )
                for s in hit.sites
            ],
        )


class RecordPage(Page[RecordHitRead]):
    """A page of search hits, best first."""


class ItemRead(BaseModel):
    """A copy and what it is doing: on loan until ``due_on``, moving to ``next_site_code``,
    filling hold ``hold_id``. No borrower is shown."""

    barcode: str
    record_id: int
    title: str
    status: ItemStatus
    home_site_code: str
    current_site_code: str
    floating: bool
    due_on: date | None
    next_site_code: str | None
    transfer_kind: TransferKind | None
    hold_id: int | None

    @classmethod
    def of(cls, state: ItemState) -> ItemRead:
        item = state.item
        return cls(
            barcode=item.barcode,
            record_id=item.record_id,
            title=item.record.title,
            status=item.status,
            home_site_code=item.home_site.code,
            current_site_code=item.current_site.code,
            floating=item.floating,
            due_on=state.loan.due_on if state.loan else None,
            next_site_code=state.transfer.destination_site.code if state.transfer else None,
            transfer_kind=state.transfer.kind if state.transfer else None,
            hold_id=state.hold.id if state.hold else None,
        )
