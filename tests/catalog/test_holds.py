"""Holds (预约): which copy, when it is on the shelf, and who gets the last one."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from catalog_network import MONDAY, Network
from sqlalchemy import select

from catalog.errors import InvalidValueError, NotAvailableError, NotFoundError
from catalog.holds import (
    assign_holds,
    cancel_hold,
    estimate_shelf_time,
    hold_slip,
    place_hold,
)
from catalog.models import (
    Hold,
    HoldStatus,
    Item,
    ItemStatus,
    Record,
    SiteKind,
    TransferStatus,
)
from catalog.sites import create_site
from catalog.transfers import open_transfer
from catalog.travel import MatrixTravelTimes

TUESDAY = date(2026, 11, 24)
WEDNESDAY = date(2026, 11, 25)


def hold(net: Network, record: Record, pickup: str, who: str = "alice", **kwargs: object) -> Hold:
    return place_hold(
        net.session,
        card_number=net.cards[who],
        record_id=record.id,
        pickup_site_code=pickup,
        travel_times=net.travel,
        now=kwargs.pop("now", MONDAY),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def copy_of(h: Hold) -> Item:
    assert h.item is not None
    return h.item


def test_hold_takes_the_copy_that_reaches_the_pickup_shelf_soonest(net: Network) -> None:
    record = net.record()
    net.copy(record, "west")  # west van Wed 09:00, kiosk van Fri: on the shelf Friday
    central = net.copy(record, "central")  # van Tue 09:00 + 10 min: on the shelf Tuesday
    h = hold(net, record, "kiosk")
    assert h.status is HoldStatus.assigned
    assert h.item is central
    assert h.expected_on == TUESDAY


def test_hold_shows_the_expected_pickup_date_and_requests_a_hold_transfer(net: Network) -> None:
    record = net.record()
    item = net.copy(record, "central")
    h = hold(net, record, "east")
    transfer = open_transfer(net.session, item)
    assert transfer is not None and transfer.hold is h
    assert transfer.status is TransferStatus.requested
    # Van leaves central Tuesday 09:00, 15 minutes to east (a van day, open 09:00-12:00).
    assert h.expected_on == TUESDAY
    # Deadline: closing time of east's 2nd working day after Monday (Tue, Wed) = Wed 18:00.
    assert transfer.deadline == datetime(2026, 11, 25, 18, 0)
    assert item.status is ItemStatus.available  # still on the shelf until the van scans it


def test_hold_with_a_copy_at_the_pickup_site_goes_onto_the_hold_shelf_now(net: Network) -> None:
    record = net.record()
    net.copy(record, "central")
    here = net.copy(record, "west")
    h = hold(net, record, "west")
    assert h.status is HoldStatus.ready and h.item is here
    assert here.status is ItemStatus.on_hold_shelf
    assert h.expected_on == MONDAY.date()


def test_hold_deadline_is_configurable_in_working_days(net: Network) -> None:
    from catalog.settings import CirculationSettings

    record = net.record()
    item = net.copy(record, "central")
    hold(net, record, "east", settings=CirculationSettings(hold_deadline_working_days=4))
    transfer = open_transfer(net.session, item)
    assert transfer is not None
    assert transfer.deadline == datetime(2026, 11, 27, 18, 0)  # Tue, Wed, Thu, Fri


def test_ties_go_to_the_lending_site_with_fewest_holds(net: Network) -> None:
    # north is a twin of west: same calendar, same drive to central.
    sites = net.sites
    north = create_site(
        net.session,
        code="north",
        kind=SiteKind.branch,
        name_zh="北分馆",
        name_en="North Branch",
        lon=108.94,
        lat=34.27,
        opening_hours={d: [(9 * 3600, 18 * 3600)] for d in range(7)},
        van_weekdays=[0, 2, 4],
    )
    sites["north"] = north
    matrix = {(a.id, b.id): 1000 for a in sites.values() for b in sites.values() if a != b}
    net.travel = MatrixTravelTimes(matrix)
    other = net.record("另一本书")
    net.copy(other, "west")
    assert hold(net, other, "central", who="bob").status is HoldStatus.assigned  # west lends one
    record = net.record()
    net.copy(record, "west")  # lower id, same shelf time, but west already lends one
    quiet = net.copy(record, "north")
    assert hold(net, record, "central").item is quiet


def test_competing_holds_are_assigned_together_at_least_total_wait(net: Network) -> None:
    record = net.record()
    east_copy = net.copy(record, "east")
    west_copy = net.copy(record, "west")
    first = hold(net, record, "central", who="alice", assign=False)
    second = hold(net, record, "east", who="bob", assign=False, now=MONDAY + timedelta(minutes=1))
    # Greedy in queue order would give the first hold east's copy (Tuesday) and send west's
    # copy to east (Thursday); together, the west copy goes to central (Wednesday) and the
    # east copy is already on east's hold shelf.
    filled = assign_holds(net.session, record_id=record.id, travel_times=net.travel, now=MONDAY)
    assert filled == [first, second]
    assert first.item is west_copy and first.expected_on == WEDNESDAY
    assert second.item is east_copy and second.status is HoldStatus.ready


def test_holds_are_first_come_first_served_per_record(net: Network) -> None:
    record = net.record()
    only = net.copy(record, "central")
    late = hold(net, record, "central", who="alice", assign=False, now=MONDAY)
    early = hold(net, record, "west", who="bob", assign=False, now=MONDAY - timedelta(hours=1))
    assign_holds(net.session, record_id=record.id, travel_times=net.travel, now=MONDAY)
    assert early.item is only
    assert late.status is HoldStatus.waiting and late.item is None


def test_a_service_points_last_copy_is_kept_when_another_copy_exists(net: Network) -> None:
    record = net.record()
    net.copy(record, "kiosk")  # on central's shelf Tuesday, but the kiosk's only copy
    west = net.copy(record, "west")  # Wednesday
    assert hold(net, record, "central").item is west


def test_a_service_points_second_copy_may_go(net: Network) -> None:
    record = net.record()
    kiosk = [net.copy(record, "kiosk"), net.copy(record, "kiosk")]
    net.copy(record, "west")
    assert hold(net, record, "central").item in kiosk


def test_a_service_points_last_copy_goes_when_no_other_copy_exists(net: Network) -> None:
    record = net.record()
    only = net.copy(record, "kiosk")
    assert hold(net, record, "central").item is only


def test_hold_on_a_record_with_all_copies_out_waits_in_the_queue(net: Network) -> None:
    record = net.record()
    net.copy(record, "west", status=ItemStatus.on_loan)
    h = hold(net, record, "east")
    assert h.status is HoldStatus.waiting
    assert h.item is None and h.expected_on is None


def test_copy_at_a_site_no_van_calls_at_is_never_chosen_for_elsewhere(net: Network) -> None:
    record = net.record()
    net.sites["west"].van_days.clear()
    net.session.flush()
    net.copy(record, "west")
    assert hold(net, record, "east").status is HoldStatus.waiting


@pytest.mark.parametrize(
    ("field", "change", "error"),
    [
        ("card_number", {"card_number": "nobody"}, NotFoundError),
        ("record_id", {"record_id": 999_999}, NotFoundError),
        ("pickup_site_code", {"pickup_site_code": "mars"}, NotFoundError),
    ],
)
def test_hold_with_unknown_keys_is_refused_naming_the_field(
    net: Network, field: str, change: dict[str, object], error: type[Exception]
) -> None:
    record = net.record()
    net.copy(record, "west")
    args: dict[str, object] = {
        "card_number": net.cards["alice"],
        "record_id": record.id,
        "pickup_site_code": "east",
    }
    args |= change
    with pytest.raises(error) as raised:
        place_hold(net.session, travel_times=net.travel, now=MONDAY, **args)  # type: ignore[arg-type]
    assert getattr(raised.value, "field", None) == field
    assert net.session.scalars(select(Hold)).all() == []


def test_hold_on_a_record_with_no_copies_is_refused(net: Network) -> None:
    record = net.record()
    net.copy(record, "west", status=ItemStatus.withdrawn)
    with pytest.raises(NotAvailableError, match="no copies") as raised:
        hold(net, record, "east")
    assert raised.value.field == "record_id"
    assert net.session.scalars(select(Hold)).all() == []


def test_a_card_cannot_hold_the_same_record_twice(net: Network) -> None:
    record = net.record()
    net.copy(record, "west", status=ItemStatus.on_loan)
    hold(net, record, "east")
    with pytest.raises(InvalidValueError, match="already has hold"):
        hold(net, record, "west")


def test_hold_slip_shows_only_the_last_four_digits_of_the_card(net: Network) -> None:
    record = net.record("平凡的世界")
    net.copy(record, "central")
    slip = hold_slip(hold(net, record, "east", who="alice"))
    assert slip.card_last4 == net.cards["alice"][-4:]
    assert net.cards["alice"] not in repr(slip)
    assert (slip.title, slip.pickup_site_name_zh, slip.expected_on) == (
        "平凡的世界",
        "东关分馆",
        TUESDAY,
    )


def test_cancelling_a_hold_before_pickup_cancels_its_transfer(net: Network) -> None:
    record = net.record()
    item = net.copy(record, "central")
    h = hold(net, record, "east")
    transfer = open_transfer(net.session, item)
    assert transfer is not None
    cancel_hold(net.session, hold_id=h.id, now=MONDAY)
    assert h.status is HoldStatus.cancelled
    assert transfer.status is TransferStatus.cancelled
    assert item.status is ItemStatus.available and open_transfer(net.session, item) is None


def test_cancelling_a_ready_hold_sends_the_copy_home(net: Network) -> None:
    record = net.record()
    item = net.copy(record, "east", home="west")
    h = hold(net, record, "east")
    assert h.status is HoldStatus.ready
    cancel_hold(net.session, hold_id=h.id, now=MONDAY)
    transfer = open_transfer(net.session, item)
    assert transfer is not None and transfer.destination_site.code == "west"
    with pytest.raises(NotAvailableError, match="already cancelled"):
        cancel_hold(net.session, hold_id=h.id, now=MONDAY)


@pytest.mark.parametrize(
    ("origin", "pickup", "expected"),
    [
        ("west", "west", MONDAY),  # same site, open now
        ("central", "kiosk", datetime(2026, 11, 24, 9, 10)),  # Tue van 09:00 + 600 s
        ("kiosk", "central", datetime(2026, 11, 24, 9, 0)),  # Tue 08:10 arrival, opens 09:00
        ("west", "kiosk", datetime(2026, 11, 27, 8, 0)),  # Wed van; kiosk's next van Fri
        ("central", "east", datetime(2026, 11, 24, 9, 15)),
    ],
)
def test_shelf_time_follows_van_days_opening_hours_and_travel_time(
    net: Network, origin: str, pickup: str, expected: datetime
) -> None:
    shelf = estimate_shelf_time(
        net.sites[origin], net.sites[pickup], now=MONDAY, travel_times=net.travel
    )
    assert shelf == expected


def test_shelf_time_skips_a_closed_date_at_the_pickup_site(net: Network) -> None:
    # The van takes it from central on Wednesday 2 December, but west is closed that day:
    # the copy waits at the depot for west's next van day, Friday 4 December, at opening.
    shelf = estimate_shelf_time(
        net.sites["central"],
        net.sites["west"],
        now=datetime(2026, 12, 1, 10, 0),
        travel_times=net.travel,
    )
    assert shelf == datetime(2026, 12, 4, 9, 0)
