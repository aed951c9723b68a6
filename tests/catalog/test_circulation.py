"""Check-out and return at any site (通借通还), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from catalog_network import MONDAY, Network
from sqlalchemy import func, select

from catalog.circulation import check_in, check_out, item_state
from catalog.errors import CirculationError, NotAvailableError, NotFoundError, SiteClosedError
from catalog.holds import place_hold
from catalog.models import (
    HoldStatus,
    ItemStatus,
    Loan,
    Transfer,
    TransferKind,
    TransferStatus,
)

TUESDAY = MONDAY + timedelta(days=1)


def lend(net: Network, barcode: str, who: str = "alice", at: str = "west") -> Loan:
    return check_out(
        net.session, barcode=barcode, card_number=net.cards[who], site_code=at, now=MONDAY
    )


def test_check_out_lends_an_available_item_for_the_loan_period(net: Network) -> None:
    item = net.copy(net.record(), "west")
    loan = lend(net, item.barcode)
    assert item.status is ItemStatus.on_loan
    assert loan.due_on == date(2026, 12, 23)
    assert loan.returned_at is None


@pytest.mark.parametrize(
    ("field", "kwargs", "error"),
    [
        ("barcode", {"barcode": "NOPE"}, NotFoundError),  # unknown barcode
        ("card_number", {"card_number": "0000"}, NotFoundError),  # unknown card
        ("site_code", {"site_code": "mars"}, NotFoundError),  # unknown site
        ("site_code", {"site_code": "east"}, SiteClosedError),  # east is closed on Mondays
    ],
)
def test_check_out_refuses_bad_input_naming_the_field_and_changes_nothing(
    net: Network, field: str, kwargs: dict[str, str], error: type[CirculationError]
) -> None:
    item = net.copy(net.record(), "west")
    args = {"barcode": item.barcode, "card_number": net.cards["alice"], "site_code": "west"}
    args.update(kwargs)
    with pytest.raises(error) as raised:
        check_out(
            net.session,
            barcode=args["barcode"],
            card_number=args["card_number"],
            site_code=args["site_code"],
            now=MONDAY,
        )
    assert raised.value.field == field
    assert kwargs[field] in str(raised.value)
    assert item.status is ItemStatus.available
    assert net.session.scalar(select(func.count()).select_from(Loan)) == 0


def test_check_out_refuses_an_item_already_on_loan(net: Network) -> None:
    item = net.copy(net.record(), "west")
    lend(net, item.barcode)
    with pytest.raises(NotAvailableError, match="already on loan"):
        lend(net, item.barcode, who="bob")


def test_check_out_refuses_an_item_recorded_at_another_site(net: Network) -> None:
    item = net.copy(net.record(), "central")
    with pytest.raises(NotAvailableError, match="recorded at central"):
        lend(net, item.barcode, at="west")


def test_return_at_home_puts_the_item_back_on_the_shelf(net: Network) -> None:
    item = net.copy(net.record(), "west")
    lend(net, item.barcode)
    result = check_in(
        net.session, barcode=item.barcode, site_code="west", travel_times=net.travel, now=TUESDAY
    )
    assert result.transfer is None and result.hold is None
    assert result.loan.returned_at == TUESDAY
    assert item.status is ItemStatus.available


def test_return_away_from_home_creates_a_return_home_transfer(net: Network) -> None:
    item = net.copy(net.record(), "west")
    lend(net, item.barcode)
    result = check_in(
        net.session, barcode=item.barcode, site_code="kiosk", travel_times=net.travel, now=TUESDAY
    )
    transfer = result.transfer
    assert transfer is not None
    assert transfer.kind is TransferKind.return_home
    assert transfer.status is TransferStatus.requested
    assert (transfer.origin_site.code, transfer.destination_site.code) == ("kiosk", "west")
    assert item.current_site.code == "kiosk"
    assert item.status is ItemStatus.available


def test_return_of_a_floating_item_stays_where_it_is_returned(net: Network) -> None:
    item = net.copy(net.record(), "west", floating=True)
    lend(net, item.barcode)
    result = check_in(
        net.session, barcode=item.barcode, site_code="kiosk", travel_times=net.travel, now=TUESDAY
    )
    assert result.transfer is None
    assert item.current_site.code == "kiosk"


def test_return_of_an_item_not_on_loan_is_refused(net: Network) -> None:
    item = net.copy(net.record(), "west")
    with pytest.raises(NotAvailableError) as raised:
        check_in(
            net.session, barcode=item.barcode, site_code="west", travel_times=net.travel, now=MONDAY
        )
    assert raised.value.field == "barcode"


def test_return_at_a_closed_site_is_refused(net: Network) -> None:
    item = net.copy(net.record(), "west")
    lend(net, item.barcode)
    with pytest.raises(SiteClosedError, match="2026-11-23"):
        check_in(
            net.session, barcode=item.barcode, site_code="east", travel_times=net.travel, now=MONDAY
        )
    assert item.status is ItemStatus.on_loan


def test_return_that_fills_a_waiting_hold_goes_to_the_hold_not_home(net: Network) -> None:
    record = net.record()
    item = net.copy(record, "west")
    lend(net, item.barcode)
    hold = place_hold(
        net.session,
        card_number=net.cards["carol"],
        record_id=record.id,
        pickup_site_code="east",
        travel_times=net.travel,
        now=MONDAY,
    )
    assert hold.status is HoldStatus.waiting and hold.expected_on is None
    result = check_in(
        net.session, barcode=item.barcode, site_code="kiosk", travel_times=net.travel, now=TUESDAY
    )
    assert result.hold is hold
    assert hold.status is HoldStatus.assigned
    assert result.transfer is not None and result.transfer.kind is TransferKind.hold
    assert (result.transfer.origin_site.code, result.transfer.destination_site.code) == (
        "kiosk",
        "east",
    )
    # kiosk's next van day after Tuesday is Friday; east is open and a van day on Saturday?
    # No: the van collects Friday 08:00 and drives 700 s; Friday is no east van day, so the
    # copy waits for Saturday 09:00.
    assert hold.expected_on == date(2026, 11, 28)
    assert (
        net.session.scalar(
            select(func.count())
            .select_from(Transfer)
            .where(Transfer.kind == TransferKind.return_home)
        )
        == 0
    )


def test_return_at_the_pickup_site_goes_straight_onto_the_hold_shelf(net: Network) -> None:
    record = net.record()
    item = net.copy(record, "west")
    lend(net, item.barcode)
    hold = place_hold(
        net.session,
        card_number=net.cards["carol"],
        record_id=record.id,
        pickup_site_code="kiosk",
        travel_times=net.travel,
        now=MONDAY,
    )
    result = check_in(
        net.session, barcode=item.barcode, site_code="kiosk", travel_times=net.travel, now=TUESDAY
    )
    assert result.transfer is None
    assert hold.status is HoldStatus.ready and hold.item is item
    assert item.status is ItemStatus.on_hold_shelf


def test_return_fills_the_oldest_waiting_hold_first(net: Network) -> None:
    record = net.record()
    item = net.copy(record, "west")
    lend(net, item.barcode)
    holds = [
        place_hold(
            net.session,
            card_number=net.cards[who],
            record_id=record.id,
            pickup_site_code="west",
            travel_times=net.travel,
            now=MONDAY + timedelta(minutes=minute),
        )
        for minute, who in [(5, "bob"), (1, "carol")]
    ]
    check_in(
        net.session, barcode=item.barcode, site_code="west", travel_times=net.travel, now=TUESDAY
    )
    assert [h.status for h in holds] == [HoldStatus.waiting, HoldStatus.ready]


def test_hold_shelf_copy_is_lent_only_to_its_hold_patron(net: Network) -> None:
    record = net.record()
    item = net.copy(record, "west")
    hold = place_hold(
        net.session,
        card_number=net.cards["bob"],
        record_id=record.id,
        pickup_site_code="west",
        travel_times=net.travel,
        now=MONDAY,
    )
    assert item.status is ItemStatus.on_hold_shelf
    with pytest.raises(NotAvailableError, match=f"hold {hold.id}"):
        lend(net, item.barcode, who="alice")
    lend(net, item.barcode, who="bob")
    assert hold.status is HoldStatus.collected


def test_lending_an_item_waiting_to_go_home_cancels_its_return_transfer(net: Network) -> None:
    item = net.copy(net.record(), "west")
    lend(net, item.barcode)
    transfer = check_in(
        net.session, barcode=item.barcode, site_code="kiosk", travel_times=net.travel, now=TUESDAY
    ).transfer
    assert transfer is not None
    check_out(
        net.session,
        barcode=item.barcode,
        card_number=net.cards["carol"],
        site_code="kiosk",
        now=TUESDAY,
    )
    assert transfer.status is TransferStatus.cancelled
    assert [e.status for e in transfer.events] == [
        TransferStatus.requested,
        TransferStatus.cancelled,
    ]


def test_item_state_tells_the_loan_and_then_the_way_home(net: Network) -> None:
    item = net.copy(net.record(), "west")
    fresh = item_state(net.session, barcode=item.barcode)
    assert (fresh.loan, fresh.transfer, fresh.hold) == (None, None, None)
    loan = lend(net, item.barcode)
    assert item_state(net.session, barcode=item.barcode).loan is loan
    check_in(
        net.session, barcode=item.barcode, site_code="kiosk", travel_times=net.travel, now=TUESDAY
    )
    state = item_state(net.session, barcode=item.barcode)
    assert state.loan is None
    assert state.transfer is not None and state.transfer.destination_site.code == "west"


def test_item_state_of_an_unknown_barcode_names_it(net: Network) -> None:
    with pytest.raises(NotFoundError, match="NOPE"):
        item_state(net.session, barcode="NOPE")
