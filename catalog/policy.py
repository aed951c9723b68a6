"""The one table of transfer-kind policy, and the one crate.

Which kind of transfer (调拨) moves first, whether it may wait for another day and what
waiting costs, and how its deadline is set: the circulation rules of the district's
libraries, read by the catalogue (demand order, deadlines), by :mod:`dispatch` (the
optimiser's shipments, the demo day) and by the benchmarks alike. Nobody keeps a copy.

The table lives with the catalogue because the catalogue owns the kinds and applies two of
the rules itself (:func:`catalog.transfers.transfer_deadline`,
:func:`catalog.transfers.transfer_demand`); the catalogue imports no optimiser, so the kinds'
names in the optimiser are mapped in :mod:`dispatch.kinds`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from catalog.models import TransferKind

__all__ = [
    "BOOKS_PER_CRATE",
    "CRATE_KG",
    "KG_PER_BOOK",
    "TRANSFER_POLICY",
    "DeadlineRule",
    "TransferPolicy",
]

BOOKS_PER_CRATE = 30
"""Books in a full crate (周转箱); the default of ``CirculationSettings.crate_capacity``."""
KG_PER_BOOK = 0.5
"""Average weight of a book with its share of the crate; the default of
``CirculationSettings.kg_per_book``."""
CRATE_KG = BOOKS_PER_CRATE * KG_PER_BOOK
"""A full crate: 15 kg, so a van of 40 crates and 600 kg is full by both measures at once."""


class DeadlineRule(enum.StrEnum):
    """How a transfer's deadline is set from its request (the day counts are settings)."""

    shelf_by_closing = "shelf_by_closing"
    """On the destination's shelf by its closing time, ``hold_deadline_working_days`` days it
    is open after the request: a promise to a waiting patron, so it binds the vans."""
    end_of_day = "end_of_day"
    """By the end of the ``<kind>_deadline_days``-th calendar day: days away, and an overdue
    item is still worth moving, so it never makes a van day impossible."""


@dataclass(frozen=True, slots=True)
class TransferPolicy:
    """How one transfer kind is treated.

    Attributes
    ----------
    priority
        Higher moves first (the demand's order; the optimiser's priority). A deferred
        shipment costs ``penalty_per_crate * crates * (1 + priority)`` in the plan.
    deferrable
        Whether a transfer of this kind may wait for another day by choice.
    penalty_per_crate
        Yuan per crate left for another day (before the ``1 + priority`` factor).
    deadline
        How the deadline is set, and so whether it binds the van day.
    """

    priority: int
    deferrable: bool
    penalty_per_crate: float
    deadline: DeadlineRule

    @property
    def binds_van_day(self) -> bool:
        """Whether the deadline is a constraint of the van plan (only a patron's promise is)."""
        return self.deadline is DeadlineRule.shelf_by_closing


TRANSFER_POLICY: Mapping[TransferKind, TransferPolicy] = MappingProxyType(
    {
        # A patron is waiting: never deferred by choice, only when no van can make it.
        TransferKind.hold: TransferPolicy(3, False, 0.0, DeadlineRule.shelf_by_closing),
        # New books on a branch's shelves: 40 yuan a crate, times 3 (priority 2) = 120 yuan.
        TransferKind.new_stock: TransferPolicy(2, True, 40.0, DeadlineRule.end_of_day),
        # Returns going home: 30 yuan a crate, times 2 = 60 yuan, about two detours of a van
        # (2 yuan/km, 60 yuan/h), so a return waits only when it would cost a long detour.
        TransferKind.return_home: TransferPolicy(1, True, 30.0, DeadlineRule.end_of_day),
        # Rebalancing can always wait a day: 20 yuan a crate.
        TransferKind.rebalance: TransferPolicy(0, True, 20.0, DeadlineRule.end_of_day),
    }
)
"""The policy of every transfer kind, in one place (read-only)."""
