"""Crates (周转箱): packed at the desk, taken whole by the van, delivered whole or copy by copy;
every scan harmless when repeated and refused at the wrong site naming the right one."""

from __future__ import annotations

from datetime import datetime

import pytest
from catalog_network import MONDAY, Network
from sqlalchemy import select

from catalog.circulation import check_out
from catalog.crates import (
    crate_contents,
    get_crate,
    list_crates,
    pack,
    scan_crate_drop,
    scan_crate_pickup,
)
from catalog.errors import InvalidValueError, NotAvailableError, NotFoundError
from catalog.holds import place_hold
from catalog.models import Crate, CrateStatus, ItemStatus, Transfer, TransferKind, TransferStatus
from catalog.settings import CirculationSettings
from catalog.transfers import create_transfer, scan_delivery, scan_pickup

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


def packed(net: Network, transfer: Transfer, site: str = "kiosk", **kwargs: object) -> Crate:
    return pack(
        net.session,
        barcode=transfer.item.barcode,
        site_code=site,
        staff="desk",
        now=MONDAY,
        **kwargs,  # type: ignore[arg-type]
    )


def test_copies_for_one_destination_go_into_one_open_crate_with_a_printable_barcode(
    net: Network,
) -> None:
    first, second = going_home(net), going_home(net)
    crate = packed(net, first)
    assert packed(net, second) is crate
    assert crate.code.startswith("CR") and len(crate.code) == 8
    assert (crate.origin_site.code, crate.destination_site.code) == ("kiosk", "west")
    assert (crate.status, crate.opened_by, crate.opened_at) == (CrateStatus.open, "desk", MONDAY)
    assert first.crate_id == second.crate_id == crate.code
    assert crate_contents(net.session, crate) == [first, second]
    assert first.events[-1].note == f"packed in crate {crate.code}"


def test_packing_a_copy_again_answers_the_same_crate(net: Network) -> None:
    transfer = going_home(net)
    assert packed(net, transfer) is packed(net, transfer)
    assert len(net.session.scalars(select(Crate)).all()) == 1


def test_another_destination_gets_another_crate_and_a_full_crate_a_new_one(net: Network) -> None:
    settings = CirculationSettings(crate_capacity=2)
    west = [packed(net, going_home(net), settings=settings) for _ in range(3)]
    east = packed(net, going_home(net, home="east"), settings=settings)
    assert west[0] is west[1] and west[2] is not west[0]
    assert east not in west and east.destination_site.code == "east"


def test_packing_refuses_a_copy_with_no_trip_one_at_another_site_and_one_in_a_van(
    net: Network,
) -> None:
    idle = net.copy(net.record(), "kiosk")
    with pytest.raises(NotFoundError, match="no open transfer"):
        pack(net.session, barcode=idle.barcode, site_code="kiosk", staff="d", now=MONDAY)
    transfer = going_home(net)
    with pytest.raises(InvalidValueError, match="应在 文艺路社区书屋（kiosk）") as wrong:
        packed(net, transfer, site="east")
    assert (wrong.value.field, wrong.value.value) == ("site_code", "east")
    scan_pickup(
        net.session, barcode=transfer.item.barcode, site_code="kiosk", staff="d", now=MONDAY
    )
    with pytest.raises(NotAvailableError, match="already in a van"):
        packed(net, transfer)


def test_the_van_takes_a_crate_whole_and_a_second_scan_changes_nothing(net: Network) -> None:
    transfers = [going_home(net) for _ in range(3)]
    crate, *_ = (packed(net, t) for t in transfers)
    for _ in range(2):
        scanned = scan_crate_pickup(
            net.session, code=crate.code, site_code="kiosk", staff="driver7", now=TUESDAY_9
        )
        assert scanned is crate
    assert (crate.status, crate.picked_up_by, crate.picked_up_at) == (
        CrateStatus.in_transit,
        "driver7",
        TUESDAY_9,
    )
    for transfer in transfers:
        assert transfer.status is TransferStatus.picked_up
        assert transfer.item.status is ItemStatus.in_transit
        assert [e.status for e in transfer.events].count(TransferStatus.picked_up) == 1


def test_scanning_one_packed_copy_at_pickup_takes_its_whole_crate(net: Network) -> None:
    first, second = going_home(net), going_home(net)
    crate = packed(net, first)
    packed(net, second)
    scan_pickup(net.session, barcode=first.item.barcode, site_code="kiosk", staff="d", now=MONDAY)
    assert crate.status is CrateStatus.in_transit
    assert second.status is TransferStatus.picked_up
    # The crate has left: a copy packed now goes into a new one.
    assert packed(net, going_home(net)) is not crate


def test_a_crate_dropped_at_its_destination_delivers_every_copy_once(net: Network) -> None:
    transfers = [going_home(net) for _ in range(2)]
    crate, *_ = (packed(net, t) for t in transfers)
    scan_crate_pickup(net.session, code=crate.code, site_code="kiosk", staff="d", now=TUESDAY_9)
    for _ in range(2):
        scan_crate_drop(net.session, code=crate.code, site_code="west", staff="s02", now=TUESDAY_11)
    assert (crate.status, crate.delivered_by, crate.delivered_at) == (
        CrateStatus.delivered,
        "s02",
        TUESDAY_11,
    )
    for transfer in transfers:
        assert transfer.status is TransferStatus.delivered
        assert transfer.item.current_site.code == "west"
        assert transfer.item.status is ItemStatus.available
        assert [e.status for e in transfer.events].count(TransferStatus.delivered) == 1


def test_a_crate_is_delivered_with_its_last_copy_scanned_by_barcode(net: Network) -> None:
    first, second = going_home(net), going_home(net)
    crate = packed(net, first)
    packed(net, second)
    scan_crate_pickup(net.session, code=crate.code, site_code="kiosk", staff="d", now=TUESDAY_9)
    scan_delivery(net.session, barcode=first.item.barcode, site_code="west", staff="s", now=MONDAY)
    assert crate.status is CrateStatus.in_transit
    scan_delivery(net.session, barcode=second.item.barcode, site_code="west", staff="s", now=MONDAY)
    assert crate.status is CrateStatus.delivered


@pytest.mark.parametrize(
    ("scan", "site", "expected"),
    [
        (scan_crate_pickup, "west", "应在 文艺路社区书屋（kiosk）"),  # pickup at the destination
        (scan_crate_drop, "central", "应在 南院门分馆（west）"),  # drop at a third site
    ],
)
def test_a_crate_scanned_at_the_wrong_site_is_refused_naming_the_right_one(
    net: Network, scan, site: str, expected: str
) -> None:
    transfer = going_home(net)
    crate = packed(net, transfer)
    with pytest.raises(InvalidValueError, match=expected) as raised:
        scan(net.session, code=crate.code, site_code=site, staff="d", now=TUESDAY_9)
    assert (raised.value.field, raised.value.value) == ("site_code", site)
    assert crate.status is CrateStatus.open
    assert transfer.status is TransferStatus.requested


def test_an_unknown_crate_is_not_found_and_an_emptied_crate_not_picked_up(net: Network) -> None:
    with pytest.raises(NotFoundError) as raised:
        scan_crate_pickup(net.session, code="CR999999", site_code="kiosk", staff="d", now=MONDAY)
    assert (raised.value.field, raised.value.value) == ("crate_id", "CR999999")
    transfer = going_home(net)
    crate = packed(net, transfer)
    # The copy is lent at the desk instead: it leaves the crate, which is now empty.
    check_out(
        net.session,
        barcode=transfer.item.barcode,
        card_number=net.cards["carol"],
        site_code="kiosk",
        now=MONDAY,
    )
    assert crate_contents(net.session, crate) == []
    with pytest.raises(NotAvailableError, match="crate is empty"):
        scan_crate_pickup(net.session, code=crate.code, site_code="kiosk", staff="d", now=MONDAY)


def test_a_hold_copy_dropped_in_a_crate_goes_onto_the_hold_shelf(net: Network) -> None:
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
    crate = pack(net.session, barcode=item.barcode, site_code="central", staff="d", now=MONDAY)
    scan_crate_pickup(net.session, code=crate.code, site_code="central", staff="d", now=TUESDAY_9)
    scan_crate_drop(net.session, code=crate.code, site_code="east", staff="s", now=TUESDAY_11)
    assert item.status is ItemStatus.on_hold_shelf and hold.ready_at == TUESDAY_11


def test_a_second_drop_scan_is_harmless_after_the_copy_was_sent_on_home(net: Network) -> None:
    # A copy delivered where it does not belong goes home at once (a new transfer from
    # here); scanning its delivery again still answers the delivery, not a refusal.
    transfer = going_home(net, at="kiosk", home="west")
    item = transfer.item
    item.home_site_id = net.sites["east"].id  # its home changed while it travelled
    net.session.flush()
    first = scan_delivery(
        net.session, barcode=item.barcode, site_code="west", staff="s", now=MONDAY
    )
    onward = net.session.scalar(
        select(Transfer).where(Transfer.item_id == item.id, Transfer.id != transfer.id)
    )
    assert onward is not None and onward.destination_site.code == "east"
    again = scan_delivery(
        net.session, barcode=item.barcode, site_code="west", staff="s", now=MONDAY
    )
    assert again is first is transfer


def test_crates_list_by_status_and_site(net: Network) -> None:
    to_west = packed(net, going_home(net))
    to_east = packed(net, going_home(net, home="east"))
    scan_crate_pickup(net.session, code=to_east.code, site_code="kiosk", staff="d", now=MONDAY)
    rows, total = list_crates(net.session, status=CrateStatus.open)
    assert (rows, total) == ([to_west], 1)
    rows, total = list_crates(net.session, origin="kiosk", limit=1)
    assert (rows, total) == ([to_east], 2)
    assert list_crates(net.session, destination="east") == ([to_east], 1)
    with pytest.raises(NotFoundError) as raised:
        list_crates(net.session, origin="nowhere")
    assert raised.value.field == "origin"
    assert get_crate(net.session, to_west.code) is to_west
