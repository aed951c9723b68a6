"""dispatch.kinds: the transfer kinds in the optimiser's words, with the one policy table."""

from __future__ import annotations

import pytest

import catalog.policy
import dispatch
from catalog.models import TransferKind
from dispatch import SHIPMENT_KIND, TRANSFER_POLICY, shipment_policy
from optimizer import ShipmentKind


def test_dispatch_reads_the_catalogues_table_not_a_copy() -> None:
    assert dispatch.TRANSFER_POLICY is catalog.policy.TRANSFER_POLICY
    assert dispatch.CRATE_KG == catalog.policy.CRATE_KG


def test_every_transfer_kind_has_one_shipment_kind_and_back() -> None:
    assert set(SHIPMENT_KIND) == set(TransferKind)
    assert sorted(SHIPMENT_KIND.values()) == sorted(ShipmentKind)


@pytest.mark.parametrize("kind", list(TransferKind))
def test_a_shipment_kind_has_its_transfer_kinds_policy(kind: TransferKind) -> None:
    assert shipment_policy(SHIPMENT_KIND[kind]) is TRANSFER_POLICY[kind]


def test_a_shipment_kind_given_as_text_is_understood() -> None:
    assert shipment_policy("hold") is TRANSFER_POLICY[TransferKind.hold]  # type: ignore[arg-type]
