"""dispatch.shipments: open transfers become the optimiser's shipments, and the plan goes back.

On the small named day of ``small_day`` (four sites, a real database rolled back per test).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from small_day import DAY, Day, H

from catalog.models import TransferKind, TransferStatus
from catalog.settings import CirculationSettings
from catalog.transfers import TransferDemand, transfer_demand
from dispatch import (
    TRANSFER_POLICY,
    DispatchError,
    ShipmentTransfers,
    demand_to_shipments,
    record_result,
    site_codes,
)
from optimizer import Result, Shipment, ShipmentKind, Summary, Unassigned, UnassignedReason


def shipments_of(day: Day) -> tuple[tuple[Shipment, ...], dict[str, ShipmentTransfers]]:
    return demand_to_shipments(
        transfer_demand(day.session), site_code_of=site_codes(day.session), day=DAY
    )


# --- demand to shipments -------------------------------------------------------------------


def test_hold_with_a_deadline_becomes_a_shipment_that_cannot_wait(day: Day) -> None:
    # Hold deadline 0 working days: the shelf by closing time of the day it is filled.
    same_day = CirculationSettings(hold_deadline_working_days=0)
    transfer = day.transfer(
        TransferKind.hold, "kiosk", "east", now=datetime.combine(DAY, time(8)), settings=same_day
    )
    shipments, mapping = shipments_of(day)
    (shipment,) = shipments
    assert shipment.id == "t-hold-kiosk-east"
    assert (shipment.pickup, shipment.delivery) == ("kiosk", "east")
    assert shipment.kind is ShipmentKind.HOLD
    assert shipment.deadline == 18 * H  # east closes at 18:00
    assert not shipment.deferrable
    assert shipment.priority == TRANSFER_POLICY[TransferKind.hold].priority
    assert shipment.amount == (1, 1)  # one crate, 0.5 kg rounded up
    assert mapping[shipment.id].transfer_ids == (transfer.id,)


@pytest.mark.parametrize(
    ("items", "crates", "kg"),
    [
        (2, 1, 1),  # two books share a crate; 1 kg
        (31, 2, 16),  # 30 books a crate: 31 need two; 15.5 kg rounded up
    ],
)
def test_returns_of_one_pair_become_one_shipment(
    day: Day, items: int, crates: int, kg: int
) -> None:
    for _ in range(items):
        day.transfer(TransferKind.return_home, "west", "central")
    shipments, mapping = shipments_of(day)
    (shipment,) = shipments
    assert shipment.id == "t-return_home-west-central"
    assert shipment.kind is ShipmentKind.RETURN_HOME
    assert shipment.amount == (crates, kg)
    assert shipment.deferrable
    assert shipment.deadline is None  # a return's deadline is a week away
    assert shipment.penalty == TRANSFER_POLICY[TransferKind.return_home].penalty_per_crate * crates
    assert mapping[shipment.id].items == items
    assert sorted(mapping[shipment.id].transfer_ids) == sorted(t.id for t in day.transfers)


def test_kinds_and_pairs_stay_apart(day: Day) -> None:
    day.transfer(TransferKind.return_home, "west", "central")
    day.transfer(TransferKind.new_stock, "central", "west")
    day.transfer(TransferKind.rebalance, "west", "central")
    shipments, _ = shipments_of(day)
    assert sorted(s.id for s in shipments) == [
        "t-new_stock-central-west",
        "t-rebalance-west-central",
        "t-return_home-west-central",
    ]


def demand(**changes: object) -> TransferDemand:
    """One hold of site 1 to site 2; ``changes`` override fields."""
    values: dict[str, object] = dict(
        origin_site_id=1,
        destination_site_id=2,
        kind=TransferKind.hold,
        items=1,
        crates=1,
        kg=0.5,
        earliest_deadline=datetime.combine(DAY, time(17)),
        priority=3,
        transfer_ids=(10,),
    )
    values.update(changes)
    return TransferDemand(**values)  # type: ignore[arg-type]


CODE_OF = {1: "west", 2: "east"}


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [
        (datetime.combine(DAY, time(17)), 17 * H),  # on the day: kept
        (datetime.combine(DAY, time(12, 30, 30)), 12 * H + 1830),  # to the second
        (datetime.combine(DAY + timedelta(days=1), time(0)), None),  # midnight after: free
        (datetime.combine(DAY + timedelta(days=2), time(18)), None),  # days away: free
        # Passed: a late hold goes as soon as possible, with no deadline left to miss.
        (datetime.combine(DAY - timedelta(days=1), time(18)), None),
        (datetime.combine(DAY, time(0)), None),  # passed at midnight: late all day
    ],
)
def test_hold_deadline_in_seconds_of_the_day(deadline: datetime, expected: int | None) -> None:
    (shipment,), _ = demand_to_shipments(
        [demand(earliest_deadline=deadline)], site_code_of=CODE_OF, day=DAY
    )
    assert shipment.deadline == expected


def test_only_a_holds_deadline_binds_the_vans() -> None:
    overdue = datetime.combine(DAY - timedelta(days=3), time(23, 59))
    (shipment,), _ = demand_to_shipments(
        [demand(kind=TransferKind.return_home, earliest_deadline=overdue, priority=1)],
        site_code_of=CODE_OF,
        day=DAY,
    )
    assert shipment.deadline is None  # overdue, but still worth moving today


def batch(items: int, **changes: object) -> TransferDemand:
    """A new-stock group of ``items`` copies (transfers 1..items) from site 1 to site 2."""
    values: dict[str, object] = dict(
        kind=TransferKind.new_stock,
        items=items,
        crates=-(-items // 30),
        kg=items * 0.5,
        priority=2,
        transfer_ids=tuple(range(1, items + 1)),
        earliest_deadline=datetime.combine(DAY + timedelta(days=14), time(23, 59, 59)),
    )
    values.update(changes)
    return demand(**values)


def test_a_group_bigger_than_the_largest_van_becomes_parts_that_each_fit() -> None:
    shipments, mapping = demand_to_shipments(
        [batch(1790), demand(transfer_ids=(9001,))],  # 60 crates, then one hold
        site_code_of=CODE_OF,
        day=DAY,
        van_capacity=(40, 600),
    )
    assert [(s.id, s.amount) for s in shipments] == [
        ("t-new_stock-west-east#1/2", (30, 450)),
        ("t-new_stock-west-east#2/2", (30, 445)),
        ("t-hold-west-east", (1, 1)),
    ]
    rule = TRANSFER_POLICY[TransferKind.new_stock]
    for shipment in shipments[:2]:
        assert shipment.penalty == rule.penalty_per_crate * 30  # each part its own crates
        assert (shipment.priority, shipment.deferrable) == (rule.priority, rule.deferrable)
    first, second = mapping["t-new_stock-west-east#1/2"], mapping["t-new_stock-west-east#2/2"]
    assert (first.part, first.parts, first.items, first.crates) == (1, 2, 900, 30)
    assert (second.part, second.parts, second.items, second.crates) == (2, 2, 890, 30)
    assert first.group_id == second.group_id == "t-new_stock-west-east"
    assert first.transfer_ids + second.transfer_ids == tuple(range(1, 1791))
    assert mapping["t-hold-west-east"].parts == 1


def test_without_a_van_capacity_no_group_is_split() -> None:
    (shipment,), _ = demand_to_shipments([batch(1800)], site_code_of=CODE_OF, day=DAY)
    assert (shipment.id, shipment.amount) == ("t-new_stock-west-east", (60, 900))


@pytest.mark.parametrize(
    ("demands", "day_", "field", "value"),
    [
        # a site id the catalogue does not know
        ([demand(origin_site_id=99)], DAY, "demands[0].origin_site_id", "99"),
        ([demand(destination_site_id=98)], DAY, "demands[0].destination_site_id", "98"),
        # an empty group
        ([demand(transfer_ids=(), items=0)], DAY, "demands[0].transfer_ids", "()"),
        # items and transfers disagree
        ([demand(items=3)], DAY, "demands[0].items", "3"),
        # no crate
        ([demand(crates=0)], DAY, "demands[0].crates", "0"),
        # one transfer in two groups
        (
            [demand(), demand(kind=TransferKind.new_stock, priority=2)],
            DAY,
            "demands[1].transfer_ids",
            "10",
        ),
        # two groups under one shipment id
        ([demand(), demand(transfer_ids=(11,))], DAY, "demands[1].origin_site_id", "1"),
        # an unknown kind
        ([demand(kind="airmail")], DAY, "demands[0].kind", "airmail"),
        # a moment instead of a day
        ([demand()], datetime.combine(DAY, time(8)), "day", "2026"),
        # a group to split whose crates do not add up at 30 books a crate
        ([batch(1800, crates=45)], DAY, "demands[0].crates", "45"),
    ],
)
def test_bad_demand_is_refused_naming_field_and_value(
    demands: list[TransferDemand], day_: date, field: str, value: str
) -> None:
    with pytest.raises(DispatchError, match="^" + re.escape(field) + "=") as info:
        demand_to_shipments(demands, site_code_of=CODE_OF, day=day_, van_capacity=(40, 600))
    assert info.value.field == field
    assert value in str(info.value)


# --- recording a result --------------------------------------------------------------------


def test_a_shipment_missing_from_the_result_is_an_error_and_nothing_is_written(day: Day) -> None:
    transfer = day.transfer(TransferKind.return_home, "east", "central")
    mapping = {
        "t-return_home-east-central": ShipmentTransfers(
            "t-return_home-east-central", TransferKind.return_home, 1, 1, (transfer.id,)
        )
    }
    empty = Result(routes=(), unassigned=(), summary=Summary(0, 0, 0, 0.0, 0, 0))
    with pytest.raises(DispatchError, match="neither planned nor unassigned"):
        record_result(day.session, empty, mapping, day=DAY, staff="dispatcher")
    day.session.refresh(transfer)
    assert transfer.status is TransferStatus.requested and transfer.deferred_reason is None


def test_a_result_naming_an_unknown_shipment_is_an_error(day: Day) -> None:
    stray = Result(
        routes=(),
        unassigned=(Unassigned("t-hold-nowhere-else", UnassignedReason.SHIFT, "x"),),
        summary=Summary(0, 0, 0, 0.0, 0, 1),
    )
    with pytest.raises(DispatchError, match="unknown shipment"):
        record_result(day.session, stray, {}, day=DAY, staff="dispatcher")


def test_a_crate_without_books_is_refused() -> None:
    with pytest.raises(DispatchError, match=r"^books_per_crate=0: must be >= 1"):
        demand_to_shipments([demand()], site_code_of=CODE_OF, day=DAY, books_per_crate=0)
