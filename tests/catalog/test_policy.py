"""catalog.policy: the one table of transfer-kind policy, and the one crate."""

from __future__ import annotations

from datetime import datetime

import pytest
from catalog_network import MONDAY, Network

from catalog.models import Site, TransferKind
from catalog.policy import (
    BOOKS_PER_CRATE,
    CRATE_KG,
    KG_PER_BOOK,
    TRANSFER_POLICY,
    DeadlineRule,
)
from catalog.settings import CirculationSettings
from catalog.transfers import transfer_deadline


def test_every_kind_has_one_row() -> None:
    assert set(TRANSFER_POLICY) == set(TransferKind)


def test_the_table_cannot_be_changed_by_a_caller() -> None:
    with pytest.raises(TypeError):
        TRANSFER_POLICY[TransferKind.hold] = TRANSFER_POLICY[TransferKind.rebalance]  # type: ignore[index]


def test_a_hold_moves_first_never_waits_by_choice_and_its_deadline_binds_the_vans() -> None:
    hold = TRANSFER_POLICY[TransferKind.hold]
    others = [p for kind, p in TRANSFER_POLICY.items() if kind is not TransferKind.hold]
    assert all(hold.priority > p.priority for p in others)
    assert not hold.deferrable and hold.binds_van_day
    # Every other kind may wait, at a price, and its deadline (days away) never binds.
    assert all(p.deferrable and p.penalty_per_crate > 0 and not p.binds_van_day for p in others)


def test_new_stock_outranks_returns_which_outrank_rebalancing() -> None:
    order = sorted(TRANSFER_POLICY, key=lambda k: -TRANSFER_POLICY[k].priority)
    assert order == [
        TransferKind.hold,
        TransferKind.new_stock,
        TransferKind.return_home,
        TransferKind.rebalance,
    ]


def test_the_crate_is_one_definition_the_settings_default_to() -> None:
    settings = CirculationSettings()
    assert (settings.crate_capacity, settings.kg_per_book) == (BOOKS_PER_CRATE, KG_PER_BOOK)
    assert pytest.approx(15.0) == CRATE_KG  # 30 books at 0.5 kg


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        # shelf_by_closing: the 2nd day after Monday that east is open is Wednesday; by 18:00
        (TransferKind.hold, datetime(2026, 11, 25, 18, 0)),
        # end_of_day: 7 and 14 calendar days, to the end of the day
        (TransferKind.return_home, datetime(2026, 11, 30, 23, 59, 59)),
        (TransferKind.new_stock, datetime(2026, 12, 7, 23, 59, 59)),
        (TransferKind.rebalance, datetime(2026, 12, 7, 23, 59, 59)),
    ],
)
def test_a_deadline_follows_its_kinds_rule(
    net: Network, kind: TransferKind, expected: datetime
) -> None:
    east: Site = net.sites["east"]
    rule = TRANSFER_POLICY[kind].deadline
    assert rule is (
        DeadlineRule.shelf_by_closing if kind is TransferKind.hold else DeadlineRule.end_of_day
    )
    deadline = transfer_deadline(kind, east, now=MONDAY, settings=CirculationSettings())
    assert deadline == expected
