"""A driver's day as the phone page needs it: each stop of the route with the way there and
the work there (the crates and the loose copies to collect or drop), and which stop is next.

A copy is named by barcode and title; a hold's patron only by the card's last four digits
(the slip travels with the copy).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from api.schemas.plans import RouteRead, StopRead
from catalog.models import CrateStatus, TransferKind, TransferStatus
from dispatch import Leg

__all__ = ["LegRead", "RouteWorkRead", "StopCopyRead", "StopCrateRead", "StopWorkRead"]

Action = Literal["collect", "drop"]
"""``collect`` at a pickup stop (POST …/pickup), ``drop`` at a delivery stop (POST …/drop)."""


class LegRead(BaseModel):
    """The way from the previous stop's site: turn-by-turn directions, metres, seconds."""

    from_site_code: str
    distance: int
    duration: int
    instructions_zh: list[str]
    instructions_en: list[str]

    @classmethod
    def of(cls, from_site_code: str, leg: Leg) -> LegRead:
        return cls(
            from_site_code=from_site_code,
            distance=leg.distance,
            duration=leg.duration,
            instructions_zh=list(leg.instructions_zh),
            instructions_en=list(leg.instructions_en),
        )


class StopCrateRead(BaseModel):
    """A crate (周转箱) to collect or drop at a stop: ``copies`` in it in all, ``here`` of them
    this stop's transfers; ``done`` once its scan of this stop is recorded."""

    crate_id: str
    status: CrateStatus
    origin_site_code: str
    destination_site_code: str
    destination_site_name_zh: str
    destination_site_name_en: str
    copies: int
    here: int
    done: bool


class StopCopyRead(BaseModel):
    """A copy of this stop not packed in a crate, scanned by its barcode instead."""

    barcode: str
    title: str
    transfer_id: int
    kind: TransferKind
    status: TransferStatus
    destination_site_code: str
    card_last4: str | None
    done: bool


class StopWorkRead(StopRead):
    """A stop and its work: ``action`` (``None`` at the start, end and breaks), the ``leg``
    from the previous site (``None`` for the first, or where the street network has no way),
    the ``crates`` and ``loose`` copies, and ``done`` when nothing is left to scan here."""

    action: Action | None
    leg: LegRead | None
    crates: list[StopCrateRead]
    loose: list[StopCopyRead]
    done: bool


class RouteWorkRead(RouteRead):
    """A driver's route with the work of each stop; ``next_position`` is the first stop with
    something left to scan (``None`` when the day's work is done)."""

    stops: list[StopWorkRead]  # type: ignore[assignment]
    next_position: int | None
