"""Catalogue search hits with availability per site, copies by barcode, and the report of a
file of records imported."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from api.schemas.common import Page
from catalog.circulation import ItemState
from catalog.marc_import import ImportIssue
from catalog.models import ItemStatus, TransferKind
from catalog.record_import import ImportReport
from catalog.search import SearchHit

__all__ = [
    "ImportIssueRead",
    "ItemRead",
    "RecordHitRead",
    "RecordImportRead",
    "RecordPage",
    "SiteAvailabilityRead",
]


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


class ImportIssueRead(BaseModel):
    """One record of an imported file that was skipped, or loaded with a field left out:
    its 1-based ``position`` in the file (for CSV: the line), its 001 if read, and why."""

    position: int
    control_number: str
    reason: str

    @classmethod
    def of(cls, issue: ImportIssue) -> ImportIssueRead:
        return cls(
            position=issue.position, control_number=issue.control_number, reason=issue.reason
        )


class RecordImportRead(BaseModel):
    """What ``POST /records/import`` did with a file: the format and encoding it was read
    as, the loaded and skipped counts, each skipped record with its position and reason,
    the warnings of records loaded all the same, and remarks about the whole file."""

    name: str
    format: str
    encoding: str | None
    """``None`` for MARCXML, which declares its own."""
    encoding_evidence: str
    seen: int
    loaded: int
    skipped: int
    record_ids: list[int]
    skipped_records: list[ImportIssueRead]
    warnings: list[ImportIssueRead]
    notes: list[str]
    summary: str

    @classmethod
    def of(cls, report: ImportReport) -> RecordImportRead:
        guess = report.encoding
        return cls(
            name=report.name,
            format=report.format,
            encoding=guess.encoding if guess else None,
            encoding_evidence=guess.evidence if guess else "",
            seen=report.seen,
            loaded=report.loaded,
            skipped=report.skipped_count,
            record_ids=report.record_ids,
            skipped_records=[ImportIssueRead.of(i) for i in report.skipped],
            warnings=[ImportIssueRead.of(i) for i in report.warnings],
            notes=report.notes,
            summary=report.summary(),
        )
