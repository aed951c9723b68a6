"""Shipment: a transfer batch picked up at one site and delivered at another."""

from __future__ import annotations

import pytest

from optimizer import ProblemError, Shipment, ShipmentKind, Visit, VisitType


@pytest.mark.parametrize(
    "kwargs",
    [
        {},  # the defaults: a rebalance, not deferrable
        {"kind": "hold", "deadline": 10 * 3600, "priority": 2},  # a hold, as text
        {"kind": ShipmentKind.NEW_STOCK, "release": 8 * 3600},  # new stock, after cataloguing
        {"deferrable": True, "penalty": 30.0},  # may wait for tomorrow
        {"release": 3600, "deadline": 3600},  # released and due at the same instant
        {"pickup_service": 120, "delivery_service": 60},  # per-visit handling
        {"skills": ["lift"]},  # a list becomes a frozenset
        {"priority": 100, "deferrable": True, "penalty": 1e6},  # the top priority, dearest wait
        {"release": 1_600_000_000, "deadline": 1_600_003_600},  # UNIX timestamps
        {"deadline": 2**32 - 1},  # the last representable second
    ],
)
def test_valid_shipments(kwargs: dict) -> None:
    shipment = Shipment("t_1", "central", "branch_a", (2, 30), **kwargs)
    assert isinstance(shipment.kind, ShipmentKind)
    assert isinstance(shipment.skills, frozenset)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"id": ""}, r"Shipment\.id must be a non-empty string"),  # empty id
        ({"delivery": "central"}, r"Shipment\[t\]\.delivery must differ from pickup"),  # no move
        ({"amount": ()}, r"Shipment\[t\]\.amount must have at least one dimension"),
        ({"amount": (1, -2)}, r"Shipment\[t\]\.amount\[1\] must be >= 0, got -2"),
        ({"kind": "loan"}, r"Shipment\[t\]\.kind must be one of .*got 'loan'"),  # not a kind
        ({"priority": -1}, r"Shipment\[t\]\.priority must be >= 0"),
        ({"release": 100, "deadline": 50}, r"deadline \(50\) is before release \(100\)"),
        ({"penalty": -5.0}, r"Shipment\[t\]\.penalty must be a number >= 0"),
        ({"pickup_service": -1}, r"Shipment\[t\]\.pickup_service must be >= 0"),
        # NaN, infinity, too big, a bool: no penalty
        ({"penalty": float("nan")}, r"Shipment\[t\]\.penalty must be a finite number, got nan"),
        ({"penalty": float("inf")}, r"Shipment\[t\]\.penalty must be a finite number, got inf"),
        ({"penalty": 1e300}, r"Shipment\[t\]\.penalty must be <= 1000000, got 1e\+300"),
        ({"penalty": True}, r"Shipment\[t\]\.penalty must be a number >= 0, got True"),
        # priority above the objective's tiers, or not an integer
        ({"priority": 101}, r"Shipment\[t\]\.priority must be <= 100, got 101"),
        ({"priority": True}, r"Shipment\[t\]\.priority must be an integer, got True"),
        ({"priority": 1.0}, r"Shipment\[t\]\.priority must be an integer, got 1\.0"),
        # times beyond TIME_MAX (VROOM's uint32)
        ({"release": 2**32}, r"Shipment\[t\]\.release must be <= 4294967295, got 4294967296"),
        ({"deadline": 2**32}, r"Shipment\[t\]\.deadline must be <= 4294967295"),
        ({"deadline": 1.6e9}, r"Shipment\[t\]\.deadline must be an integer, got 1600000000\.0"),
        # amounts: beyond AMOUNT_MAX, a float, a bool
        ({"amount": (10**10,)}, r"Shipment\[t\]\.amount\[0\] must be <= 1000000000"),
        ({"amount": (1e300,)}, r"Shipment\[t\]\.amount\[0\] must be an integer, got 1e\+300"),
        ({"amount": (True,)}, r"Shipment\[t\]\.amount\[0\] must be an integer, got True"),
        # deferrable is a bool, not a word
        ({"deferrable": "no"}, r"Shipment\[t\]\.deferrable must be True or False, got 'no'"),
        # per-visit service: whole seconds within TIME_MAX
        ({"pickup_service": 1.5}, r"Shipment\[t\]\.pickup_service must be an integer, got 1\.5"),
        ({"delivery_service": 2**32}, r"Shipment\[t\]\.delivery_service must be <= 4294967295"),
        # ids and sites are strings
        ({"pickup": 3}, r"Shipment\[t\]\.pickup must be a site id, got 3"),
        ({"skills": [None]}, r"Shipment\[t\]\.skills must be strings, got None"),
    ],
)
def test_invalid_shipments(kwargs: dict, match: str) -> None:
    fields = {"id": "t", "pickup": "central", "delivery": "branch_a", "amount": (1,)}
    fields.update(kwargs)
    with pytest.raises(ProblemError, match=match):
        Shipment(**fields)


@pytest.mark.parametrize(
    ("visit_type", "ok"),
    [
        ("pickup", True),  # text is accepted
        (VisitType.DELIVERY, True),  # the enum
        ("drop", False),  # not a visit type
    ],
)
def test_visit_types(visit_type: str, ok: bool) -> None:
    if ok:
        assert isinstance(Visit("t", visit_type).type, VisitType)  # type: ignore[arg-type]
    else:
        with pytest.raises(ProblemError, match=r"Visit\[t\]\.type must be 'pickup' or 'delivery'"):
            Visit("t", visit_type)  # type: ignore[arg-type]
