"""The transfer kinds in the optimiser's words, with the catalogue's one policy table.

The table itself is :data:`catalog.policy.TRANSFER_POLICY` (priority, deferrable, penalty
per crate, deadline rule); this module only names each kind in the optimiser's vocabulary,
which the catalogue may not import. The dispatch adapter, the demo day and the benchmarks
read the table through here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from catalog.models import TransferKind
from catalog.policy import CRATE_KG, TRANSFER_POLICY, DeadlineRule, TransferPolicy
from optimizer import ShipmentKind

__all__ = [
    "CRATE_KG",
    "SHIPMENT_KIND",
    "TRANSFER_POLICY",
    "DeadlineRule",
    "TransferPolicy",
    "shipment_policy",
]

SHIPMENT_KIND: Mapping[TransferKind, ShipmentKind] = MappingProxyType(
    {
        TransferKind.hold: ShipmentKind.HOLD,
        TransferKind.return_home: ShipmentKind.RETURN_HOME,
        TransferKind.new_stock: ShipmentKind.NEW_STOCK,
        TransferKind.rebalance: ShipmentKind.REBALANCE,
    }
)
"""The optimiser's name of every transfer kind."""

_TRANSFER_KIND = {shipment: transfer for transfer, shipment in SHIPMENT_KIND.items()}


def shipment_policy(kind: ShipmentKind) -> TransferPolicy:
    """The policy of the transfers an optimiser shipment of ``kind`` carries.

    Parameters
    ----------
    kind
        An optimiser shipment kind.

    Returns
    -------
    TransferPolicy
        The row of :data:`TRANSFER_POLICY` for the matching transfer kind.
    """
    return TRANSFER_POLICY[_TRANSFER_KIND[ShipmentKind(kind)]]
