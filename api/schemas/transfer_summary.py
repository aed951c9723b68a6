"""The open transfers of a van day at a glance (``GET /transfers/summary``): per site and kind,
the crates, and the holds by deadline. No patron data."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from catalog.models import SiteKind, TransferKind, TransferStatus
from catalog.transfer_summary import TransferSummary

__all__ = ["HoldDueRead", "SiteSummaryRead", "TransferSummaryRead"]


class SiteSummaryRead(BaseModel):
    """One site: transfers picked up here (``outgoing``) and delivered here (``incoming``) by
    kind, the crates leaving it, its holds and their earliest deadline."""

    site_code: str
    site_kind: SiteKind
    name_zh: str
    name_en: str
    outgoing: dict[TransferKind, int]
    incoming: dict[TransferKind, int]
    crates_out: int
    holds: int
    hold_deadline: datetime | None


class HoldDueRead(BaseModel):
    """A hold's transfer: from where to where, by when (local time), in which state."""

    transfer_id: int
    origin_site_code: str
    destination_site_code: str
    deadline: datetime
    status: TransferStatus


class TransferSummaryRead(BaseModel):
    """The open transfers of ``planned_for``: waiting to be planned, or planned for that day
    (in a van already: ``picked_up``); ``crates`` counts packed crates and the loose copies in
    crates of the circulation settings' size."""

    planned_for: date
    total: int
    crates: int
    by_status: dict[TransferStatus, int]
    by_kind: dict[TransferKind, int]
    sites: list[SiteSummaryRead]
    holds: list[HoldDueRead]

    @classmethod
    def of(cls, s: TransferSummary) -> TransferSummaryRead:
        return cls(
            planned_for=s.day,
            total=s.total,
            crates=s.crates,
            by_status=s.by_status,
            by_kind=s.by_kind,
            sites=[
                SiteSummaryRead(
                    site_code=site.code,
                    site_kind=site.kind,
                    name_zh=site.name_zh,
                    name_en=site.name_en,
                    outgoing=dict(sorted(site.outgoing.items())),
                    incoming=dict(sorted(site.incoming.items())),
                    crates_out=site.crates_out,
                    holds=site.holds,
                    hold_deadline=site.hold_deadline,
                )
                for site in s.sites
            ],
            holds=[
                HoldDueRead(
                    transfer_id=h.transfer_id,
                    origin_site_code=h.origin,
                    destination_site_code=h.destination,
                    deadline=h.deadline,
                    status=h.status,
                )
                for h in s.holds
            ],
        )
