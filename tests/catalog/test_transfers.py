"""Transfers (调拨): scans, events, crates, loss, van demand, plans, new stock."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from catalog_network import MONDAY, Network
from sqlalchemy import func, select

from catalog.errors import CirculationError, InvalidValueError, NotAvailableError, NotFoundError
from catalog.holds import place_hold
from catalog.models import (
    HoldStatus,
    Item,
    ItemStatus,
    Transfer,
    TransferKind,
    TransferStatus,
)
from catalog.settings import CirculationSettings
from catalog.transfers import (
    DeferredTransfer,
    NewStockLine,
    PlannedTransfer,
    create_transfer,
    mark_lost,
    receive_new_stock,
    record_plan,
    scan_delivery,
    scan_pickup,
    transfer_demand,
)

TUESDAY_9 = datetime(2026, 11, 24, 9, 0)
TUESDAY_11 = datetime(2026, 11, 24, 11, 0)


def going_home(net: Network, at: str = "kiosk", home: str = "west") -> Transfer:
    item = net.copy(net.record(), at, home=home)
    return create_transfer(
        net.session,
        item=item,
        kind=TransferKind.return_home,
        destination=net.sites[home],
        now=MONDAY,
        staff="s01",
    )


def test_transfer_goes_requested_picked_up_delivered_each_step_stamped(net: Network) -> None:
    transfer = going_home(net)
    barcode = transfer.item.barcode
    scan_pickup(net.session, barcode=barcode, site_code="kiosk", staff="driver7", now=TUESDAY_9)
    assert transfer.item.status is ItemStatus.in_transit
    scan_delivery(net.session, barcode=barcode, site_code="west", staff="s02", now=TUESDAY_11)
    assert transfer.status is TransferStatus.delivered
    assert transfer.item.status is ItemStatus.available
    assert transfer.item.current_site.code == "west"
    stamps = [(e.status, e.at, e.site.code if e.site else None, e.staff) for e in transfer.events]
    assert stamps == [
        (TransferStatus.requested, MONDAY, "kiosk", "s01"),
        (TransferStatus.picked_up, TUESDAY_9, "kiosk", "driver7"),
        (TransferStatus.delivered, TUESDAY_11, "west", "s02"),
    ]


def test_scanning_the_same_barcode_twice_is_harmless(net: Network) -> None:
    transfer = going_home(net)
    barcode = transfer.item.barcode
    for _ in range(2):
        scan_pickup(net.session, barcode=barcode, site_code="kiosk", staff="d", now=TUESDAY_9)
    for _ in range(2):
        again = scan_delivery(
            net.session, barcode=barcode, site_code="west", staff="s", now=TUESDAY_11
        )
        assert again is transfer
    assert [e.status for e in transfer.events] == [
        TransferStatus.requested,
        TransferStatus.picked_up,
        TransferStatus.delivered,
    ]


def test_delivery_at_the_wrong_site_is_refused_and_changes_nothing(net: Network) -> None:
    transfer = going_home(net)
    barcode = transfer.item.barcode
    scan_pickup(net.session, barcode=barcode, site_code="kiosk", staff="d", now=TUESDAY_9)
    with pytest.raises(InvalidValueError, match="goes to west") as raised:
        scan_delivery(net.session, barcode=barcode, site_code="central", staff="s", now=TUESDAY_11)
    assert raised.value.field == "site_code"
    assert transfer.status is TransferStatus.picked_up
    assert len(transfer.events) == 2


def test_pickup_of_an_item_without_a_transfer_is_refused(net: Network) -> None:
    item = net.copy(net.record(), "west")
    with pytest.raises(NotFoundError, match="no open transfer"):
        scan_pickup(net.session, barcode=item.barcode, site_code="west", staff="d", now=MONDAY)
    with pytest.raises(NotFoundError) as raised:
        scan_pickup(net.session, barcode="UNKNOWN", site_code="west", staff="d", now=MONDAY)
    assert raised.value.field == "barcode"


def test_delivered_hold_copy_goes_onto_the_hold_shelf(net: Network) -> None:
    record = net.record()
    item = net.copy(record, "central")
    hold = place_hold(
        net.session,
        card_number=net.cards["alice"],
        record_id=record.id,
        pickup_site_code="east",
        travel_times=net.travel,
        now=MONDAY,
    )
    scan_pickup(net.session, barcode=item.barcode, site_code="central", staff="d", now=TUESDAY_9)
    scan_delivery(net.session, barcode=item.barcode, site_code="east", staff="s", now=TUESDAY_11)
    assert hold.status is HoldStatus.ready and hold.ready_at == TUESDAY_11
    assert item.status is ItemStatus.on_hold_shelf


def test_a_crate_holds_items_of_one_origin_destination_pair_only(net: Network) -> None:
    first, second = going_home(net), going_home(net)
    other = going_home(net, at="kiosk", home="east")
    for transfer in (first, second):
        scan_pickup(
            net.session,
            barcode=transfer.item.barcode,
            site_code="kiosk",
            staff="d",
            crate_id="C-0001",
            now=TUESDAY_9,
        )
    assert first.crate_id == second.crate_id == "C-0001"
    with pytest.raises(InvalidValueError, match="kiosk → west") as raised:
        scan_pickup(
            net.session,
            barcode=other.item.barcode,
            site_code="kiosk",
            staff="d",
            crate_id="C-0001",
            now=TUESDAY_9,
        )
    assert raised.value.field == "crate_id"
    assert other.status is TransferStatus.requested


def test_a_transfer_in_transit_too_long_is_lost_and_its_hold_queues_again(net: Network) -> None:
    record = net.record()
    item = net.copy(record, "central")
    hold = place_hold(
        net.session,
        card_number=net.cards["alice"],
        record_id=record.id,
        pickup_site_code="east",
        travel_times=net.travel,
        now=MONDAY,
    )
    scan_pickup(net.session, barcode=item.barcode, site_code="central", staff="d", now=TUESDAY_9)
    settings = CirculationSettings(lost_after_days=3)
    assert mark_lost(net.session, now=TUESDAY_9 + timedelta(days=2), settings=settings) == []
    lost = mark_lost(net.session, now=TUESDAY_9 + timedelta(days=3), settings=settings)
    assert [t.item for t in lost] == [item]
    assert lost[0].status is TransferStatus.lost
    assert item.status is ItemStatus.missing
    assert hold.status is HoldStatus.waiting and hold.item is None


def test_demand_counts_crates_and_kg_per_origin_destination_and_kind(net: Network) -> None:
    for _ in range(31):
        going_home(net, at="kiosk", home="west")
    going_home(net, at="central", home="east")
    record = net.record()
    net.copy(record, "central")
    place_hold(
        net.session,
        card_number=net.cards["alice"],
        record_id=record.id,
        pickup_site_code="east",
        travel_times=net.travel,
        now=MONDAY,
    )
    demand = transfer_demand(net.session)
    codes = {site.id: code for code, site in net.sites.items()}
    summary = [(codes[d.origin_site_id], d.kind, d.items, d.crates) for d in demand]
    assert summary == [
        ("central", TransferKind.hold, 1, 1),  # highest priority first
        ("central", TransferKind.return_home, 1, 1),
        ("kiosk", TransferKind.return_home, 31, 2),  # ceil(31 / 30)
    ]
    kiosk = demand[2]
    assert kiosk.kg == pytest.approx(15.5)
    assert kiosk.earliest_deadline == datetime(2026, 11, 30, 23, 59, 59)  # 7 days
    assert len(kiosk.transfer_ids) == 31
    small = transfer_demand(net.session, settings=CirculationSettings(crate_capacity=10))
    assert [d.crates for d in small] == [1, 1, 4]


def test_recording_a_plan_marks_planned_with_van_and_stop_and_keeps_deferral_reasons(
    net: Network,
) -> None:
    planned, deferred = going_home(net), going_home(net)
    record_plan(
        net.session,
        planned=[PlannedTransfer(planned.id, van_id="van-1", stop=3, day=date(2026, 11, 24))],
        deferred=[DeferredTransfer(deferred.id, reason="车辆容量不足 / van full")],
        staff="dispatcher",
        now=MONDAY,
    )
    assert (planned.status, planned.van_id, planned.stop) == (TransferStatus.planned, "van-1", 3)
    assert deferred.status is TransferStatus.requested
    assert deferred.deferred_reason == "车辆容量不足 / van full"
    assert [d.transfer_ids for d in transfer_demand(net.session)] == [(deferred.id,)]
    # Planned the next day: the reason is cleared.
    record_plan(
        net.session,
        planned=[PlannedTransfer(deferred.id, van_id="van-2", stop=1, day=date(2026, 11, 25))],
        staff="dispatcher",
        now=MONDAY,
    )
    assert deferred.deferred_reason is None and deferred.status is TransferStatus.planned


def test_a_plan_with_a_bad_entry_writes_nothing(net: Network) -> None:
    good = going_home(net)
    with pytest.raises(NotFoundError) as raised:
        record_plan(
            net.session,
            planned=[
                PlannedTransfer(good.id, van_id="van-1", stop=0, day=date(2026, 11, 24)),
                PlannedTransfer(987654, van_id="van-1", stop=1, day=date(2026, 11, 24)),
            ],
            staff="dispatcher",
            now=MONDAY,
        )
    assert (raised.value.field, raised.value.value) == ("transfer_id", 987654)
    net.session.expire_all()
    assert good.status is TransferStatus.requested and good.van_id is None
    with pytest.raises(InvalidValueError, match="needs a reason"):
        record_plan(net.session, deferred=[DeferredTransfer(good.id, " ")], staff="d", now=MONDAY)


def test_a_plan_records_the_shipment_each_transfer_rode_in_or_waited_with(
    net: Network,
) -> None:
    # Two parts of one group: one on a van, the other left for tomorrow.
    riding, waiting, plain = going_home(net), going_home(net), going_home(net)
    record_plan(
        net.session,
        planned=[
            PlannedTransfer(riding.id, "van-1", 2, date(2026, 11, 24), "t-g#1/2"),
            PlannedTransfer(plain.id, "van-1", 2, date(2026, 11, 24)),  # no shipment named
        ],
        deferred=[DeferredTransfer(waiting.id, "deferred_capacity: van full", "t-g#2/2")],
        staff="dispatcher",
        now=MONDAY,
    )
    assert (riding.shipment_id, waiting.shipment_id, plain.shipment_id) == (
        "t-g#1/2",
        "t-g#2/2",
        None,
    )
    assert riding.events[-1].note == "van van-1 stop 2 on 2026-11-24 (shipment t-g#1/2)"
    assert waiting.events[-1].note == "deferred: deferred_capacity: van full (shipment t-g#2/2)"
    # Planned again in another shipment: the new one is recorded.
    record_plan(
        net.session,
        planned=[PlannedTransfer(waiting.id, "van-2", 1, date(2026, 11, 25), "t-g")],
        staff="dispatcher",
        now=MONDAY,
    )
    assert waiting.shipment_id == "t-g" and waiting.deferred_reason is None


@pytest.mark.parametrize("shipment_id", ["", "  ", "t" * 121])
def test_a_blank_or_overlong_shipment_id_is_refused(net: Network, shipment_id: str) -> None:
    transfer = going_home(net)
    with pytest.raises(InvalidValueError) as raised:
        record_plan(
            net.session,
            planned=[PlannedTransfer(transfer.id, "van-1", 0, date(2026, 11, 24), shipment_id)],
            staff="d",
            now=MONDAY,
        )
    assert (raised.value.field, raised.value.value) == ("shipment_id", shipment_id)
    assert transfer.status is TransferStatus.requested


def test_a_delivered_transfer_cannot_be_planned(net: Network) -> None:
    transfer = going_home(net)
    scan_delivery(
        net.session, barcode=transfer.item.barcode, site_code="west", staff="s", now=TUESDAY_11
    )
    with pytest.raises(NotAvailableError, match="delivered"):
        record_plan(
            net.session,
            planned=[PlannedTransfer(transfer.id, "van-1", 0, date(2026, 11, 25))],
            staff="d",
            now=MONDAY,
        )


def test_new_stock_at_central_gets_a_transfer_to_each_destination(net: Network) -> None:
    record = net.record("三体")
    lines = [
        NewStockLine("N001", record.id, "east"),
        NewStockLine("N002", record.id, "west"),
        NewStockLine("N003", record.id, "central"),  # stays: no transfer
    ]
    transfers = receive_new_stock(net.session, lines=lines, staff="cat01", now=MONDAY)
    assert [(t.item.barcode, t.kind, t.destination_site.code) for t in transfers] == [
        ("N001", TransferKind.new_stock, "east"),
        ("N002", TransferKind.new_stock, "west"),
    ]
    items = net.session.scalars(select(Item).where(Item.barcode.like("N%"))).all()
    assert {i.current_site.code for i in items} == {"central"}
    assert {i.barcode: i.home_site.code for i in items}["N002"] == "west"


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),  # empty distribution list
        ([("N1", "east"), ("N1", "west")], "lines[1].barcode"),  # duplicate barcode
        ([("N1", "east"), ("N2", "mars")], "lines[1].destination_site_code"),  # unknown site
    ],
)
def test_bad_distribution_list_is_refused_and_creates_nothing(
    net: Network, lines: list[tuple[str, str]], field: str
) -> None:
    record = net.record()
    with pytest.raises(CirculationError) as raised:
        receive_new_stock(
            net.session,
            lines=[NewStockLine(b, record.id, site) for b, site in lines],
            staff="cat01",
            now=MONDAY,
        )
    assert raised.value.field == field
    assert net.session.scalar(select(func.count()).select_from(Item)) == 0
    assert net.session.scalar(select(func.count()).select_from(Transfer)) == 0
