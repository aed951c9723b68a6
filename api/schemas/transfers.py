"""Transfers (调拨), the reasons of the unplanned ones, scans, and crates (周转箱).

A transfer or a crate shows a hold's patron only by the card's last four digits, never more.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from api.schemas.common import Barcode, LocalDateTime, Page, SiteCode
from catalog.models import (
    Crate,
    CrateStatus,
    ItemStatus,
    Transfer,
    TransferEvent,
    TransferKind,
    TransferStatus,
)
from dispatch.reasons import read_reason

__all__ = [
    "CrateDetailRead",
    "CrateItemRead",
    "CratePage",
    "CrateRead",
    "CrateScanCreate",
    "PackCreate",
    "ReasonRead",
    "ScanCreate",
    "TransferDetailRead",
    "TransferEventRead",
    "TransferPage",
    "TransferRead",
    "UnplannedPage",
    "UnplannedRead",
]


def _card_last4(transfer: Transfer) -> str | None:
    return transfer.hold.patron.card_last4 if transfer.hold is not None else None


class ReasonRead(BaseModel):
    """Why the last plan left a transfer out (延后): the optimiser's ``code`` (or ``other``),
    its wording in Chinese and English, and the optimiser's ``detail`` (English)."""

    code: str
    zh: str
    en: str
    detail: str

    @classmethod
    def of(cls, stored: str) -> ReasonRead:
        reason = read_reason(stored)
        return cls(code=reason.code, zh=reason.zh, en=reason.en, detail=reason.detail)


class TransferRead(BaseModel):
    """A transfer: which copy goes where, why, and how far it has come. ``card_last4`` is
    the last four digits of the card of the hold it fills (``None`` for other kinds);
    ``reason`` is set while the last plan has left it out."""

    id: int
    barcode: str
    title: str
    item_status: ItemStatus
    kind: TransferKind
    status: TransferStatus
    origin_site_code: str
    destination_site_code: str
    hold_id: int | None
    card_last4: str | None
    requested_at: LocalDateTime
    deadline: LocalDateTime
    crate_id: str | None
    van_id: str | None
    stop: int | None
    planned_for: date | None
    picked_up_at: LocalDateTime | None
    delivered_at: LocalDateTime | None
    reason: ReasonRead | None

    @classmethod
    def of(cls, transfer: Transfer) -> TransferRead:
        return cls.model_validate(_transfer_fields(transfer))


def _transfer_fields(transfer: Transfer) -> dict[str, object]:
    deferred = transfer.deferred_reason
    return {
        "id": transfer.id,
        "barcode": transfer.item.barcode,
        "title": transfer.item.record.title,
        "item_status": transfer.item.status,
        "kind": transfer.kind,
        "status": transfer.status,
        "origin_site_code": transfer.origin_site.code,
        "destination_site_code": transfer.destination_site.code,
        "hold_id": transfer.hold_id,
        "card_last4": _card_last4(transfer),
        "requested_at": transfer.requested_at,
        "deadline": transfer.deadline,
        "crate_id": transfer.crate_id,
        "van_id": transfer.van_id,
        "stop": transfer.stop,
        "planned_for": transfer.planned_for,
        "picked_up_at": transfer.picked_up_at,
        "delivered_at": transfer.delivered_at,
        "reason": ReasonRead.of(deferred) if deferred else None,
    }


class TransferEventRead(BaseModel):
    """One step of a transfer: its new status, when, where, by whom."""

    status: TransferStatus
    at: LocalDateTime
    site_code: str | None
    staff: str
    note: str

    @classmethod
    def of(cls, event: TransferEvent) -> TransferEventRead:
        return cls(
            status=event.status,
            at=event.at,
            site_code=event.site.code if event.site else None,
            staff=event.staff,
            note=event.note,
        )


class TransferDetailRead(TransferRead):
    """A transfer with every step it has taken, oldest first."""

    events: list[TransferEventRead]

    @classmethod
    def of(cls, transfer: Transfer) -> TransferDetailRead:
        events = [TransferEventRead.of(e) for e in transfer.events]
        return cls.model_validate({**_transfer_fields(transfer), "events": events})


class TransferPage(Page[TransferRead]):
    """A page of transfers, newest first."""


class UnplannedRead(BaseModel):
    """A transfer the last plan left out (延后), and why (中文 and English)."""

    id: int
    barcode: str
    title: str
    kind: TransferKind
    origin_site_code: str
    destination_site_code: str
    hold_id: int | None
    card_last4: str | None
    deadline: LocalDateTime
    shipment_id: str | None
    reason: ReasonRead

    @classmethod
    def of(cls, transfer: Transfer) -> UnplannedRead:
        return cls(
            id=transfer.id,
            barcode=transfer.item.barcode,
            title=transfer.item.record.title,
            kind=transfer.kind,
            origin_site_code=transfer.origin_site.code,
            destination_site_code=transfer.destination_site.code,
            hold_id=transfer.hold_id,
            card_last4=_card_last4(transfer),
            deadline=transfer.deadline,
            shipment_id=transfer.shipment_id,
            reason=ReasonRead.of(transfer.deferred_reason or ""),
        )


class UnplannedPage(Page[UnplannedRead]):
    """A page of unplanned transfers, the nearest deadline first."""


class ScanCreate(BaseModel):
    """The copy ``barcode`` scanned at ``site_code`` (its pickup or its drop)."""

    model_config = ConfigDict(extra="forbid")

    barcode: Barcode
    site_code: SiteCode


class PackCreate(BaseModel):
    """The copy ``barcode`` packed at the desk of ``site_code`` for its next trip."""

    model_config = ConfigDict(extra="forbid")

    barcode: Barcode
    site_code: SiteCode


class CrateScanCreate(BaseModel):
    """A crate scanned at ``site_code`` (its pickup or its drop)."""

    model_config = ConfigDict(extra="forbid")

    site_code: SiteCode


class CrateRead(BaseModel):
    """A crate on its trip: where from, where to, how far, who did each step, and how many
    copies are in it (``copies``: those not lent out at the desk since)."""

    crate_id: str
    status: CrateStatus
    origin_site_code: str
    destination_site_code: str
    destination_site_name_zh: str
    destination_site_name_en: str
    copies: int
    opened_at: LocalDateTime
    opened_by: str
    picked_up_at: LocalDateTime | None
    picked_up_by: str | None
    delivered_at: LocalDateTime | None
    delivered_by: str | None

    @classmethod
    def of(cls, crate: Crate, copies: int) -> CrateRead:
        return cls.model_validate(_crate_fields(crate, copies))


def _crate_fields(crate: Crate, copies: int) -> dict[str, object]:
    return {
        "crate_id": crate.code,
        "status": crate.status,
        "origin_site_code": crate.origin_site.code,
        "destination_site_code": crate.destination_site.code,
        "destination_site_name_zh": crate.destination_site.name_zh,
        "destination_site_name_en": crate.destination_site.name_en,
        "copies": copies,
        "opened_at": crate.opened_at,
        "opened_by": crate.opened_by,
        "picked_up_at": crate.picked_up_at,
        "picked_up_by": crate.picked_up_by,
        "delivered_at": crate.delivered_at,
        "delivered_by": crate.delivered_by,
    }


class CrateItemRead(BaseModel):
    """A copy in a crate, as its slip shows it: a hold's card by its last four digits only."""

    barcode: str
    title: str
    transfer_id: int
    kind: TransferKind
    status: TransferStatus
    hold_id: int | None
    card_last4: str | None

    @classmethod
    def of(cls, transfer: Transfer) -> CrateItemRead:
        return cls(
            barcode=transfer.item.barcode,
            title=transfer.item.record.title,
            transfer_id=transfer.id,
            kind=transfer.kind,
            status=transfer.status,
            hold_id=transfer.hold_id,
            card_last4=_card_last4(transfer),
        )


class CrateDetailRead(CrateRead):
    """A crate with its copies, by transfer id."""

    items: list[CrateItemRead]

    @classmethod
    def of_contents(cls, crate: Crate, contents: list[Transfer]) -> CrateDetailRead:
        items = [CrateItemRead.of(t) for t in contents]
        return cls.model_validate({**_crate_fields(crate, len(contents)), "items": items})


class CratePage(Page[CrateRead]):
    """A page of crates, newest first."""
