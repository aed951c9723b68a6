"""The adapter between the catalogue's transfers and the optimiser (api.dispatch).

A small named network on a real database (rolled back per test)::

    central (总馆, 09:00-20:00, the vans' depot)
    east    (分馆, 09:00-12:00 and 14:00-18:00)
    west    (分馆, 09:00-18:00)
    kiosk   (服务点, 08:00-22:00)

every site open every day, 10 minutes' drive between any two of them (4 km). The vans
drive on Tuesday 2026-11-24 (``DAY``); transfers are requested the day before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.dispatch import (
    KIND_POLICY,
    DayPlan,
    DispatchError,
    ShipmentTransfers,
    demand_to_shipments,
    plan_day,
    record_result,
    site_codes,
)
from catalog.holds import place_hold
from catalog.models import (
    Item,
    ItemStatus,
    Patron,
    Record,
    SiteKind,
    Transfer,
    TransferKind,
    TransferStatus,
)
from catalog.models import Site as CatalogSite
from catalog.settings import CatalogSettings
from catalog.sites import create_site
from catalog.transfers import TransferDemand, create_transfer, open_transfer, transfer_demand
from catalog.travel import MatrixTravelTimes
from optimizer import (
    UNREACHABLE,
    Result,
    Shipment,
    ShipmentKind,
    Site,
    SolveParams,
    Summary,
    TimeWindow,
    Unassigned,
    UnassignedReason,
    Van,
)

H = 3600
DAY = date(2026, 11, 24)
"""The van day, a Tuesday."""
EVE = datetime(2026, 11, 23, 15, 0)
"""When the transfers are requested: the afternoon before."""
CODES = ("central", "east", "west", "kiosk")
HOURS = {
    "central": [(9 * H, 20 * H)],
    "east": [(9 * H, 12 * H), (14 * H, 18 * H)],
    "west": [(9 * H, 18 * H)],
    "kiosk": [(8 * H, 22 * H)],
}
KINDS = {
    "central": SiteKind.central,
    "east": SiteKind.branch,
    "west": SiteKind.branch,
    "kiosk": SiteKind.service_point,
}
FAST = SolveParams(work_limit=30)  # a tiny day: stop the search after 30 solutions


@dataclass
class Day:
    """The test network in a session, with helpers to request transfers."""

    session: Session
    ids: dict[str, int]
    travel: MatrixTravelTimes
    barcodes: int = 0
    transfers: list[Transfer] = field(default_factory=list)

    def transfer(
        self,
        kind: TransferKind,
        origin: str,
        destination: str,
        *,
        now: datetime = EVE,
        settings: CatalogSettings | None = None,
    ) -> Transfer:
        """A copy at ``origin`` and a transfer of ``kind`` taking it to ``destination``.

        A hold is a real one: a patron of ``destination`` asks for a record whose only copy
        is at ``origin``, and the catalogue requests the transfer.
        """
        self.barcodes += 1
        record = Record(title=f"白鹿原 {self.barcodes}")
        item = Item(
            barcode=f"D{self.barcodes:07d}",
            record=record,
            home_site_id=self.ids[destination if kind is TransferKind.return_home else origin],
            current_site_id=self.ids[origin],
            status=ItemStatus.available,
        )
        self.session.add(item)
        self.session.flush()
        if kind is TransferKind.hold:
            card = f"CARD{self.barcodes:08d}"
            self.session.add(Patron(card_number=card, home_site_id=self.ids[destination]))
            self.session.flush()
            place_hold(
                self.session,
                card_number=card,
                record_id=record.id,
                pickup_site_code=destination,
                travel_times=self.travel,
                now=now,
                settings=settings,
            )
            transfer = open_transfer(self.session, item)
            assert transfer is not None and transfer.kind is TransferKind.hold
        else:
            site = self.session.get(CatalogSite, self.ids[destination])
            assert site is not None
            transfer = create_transfer(
                self.session,
                item=item,
                kind=kind,
                destination=site,
                now=now,
                staff="test",
                settings=settings,
            )
        self.transfers.append(transfer)
        return transfer


@pytest.fixture
def day(db_session: Session) -> Day:
    ids = {}
    for n, code in enumerate(CODES):
        site = create_site(
            db_session,
            code=code,
            kind=KINDS[code],
            name_zh=f"{code}馆",
            name_en=code,
            lon=108.94 + n / 100,
            lat=34.25,
            opening_hours={weekday: HOURS[code] for weekday in range(7)},
            van_weekdays=range(7),
        )
        ids[code] = site.id
    travel = MatrixTravelTimes({(a, b): 600 for a in ids.values() for b in ids.values() if a != b})
    return Day(db_session, ids, travel)


def sites() -> list[Site]:
    return [
        Site(
            code, service_duration=300, time_windows=tuple(TimeWindow(a, b) for a, b in HOURS[code])
        )
        for code in CODES
    ]


def matrices(unreachable: str | None = None) -> tuple[list[list[int]], list[list[int]]]:
    """10 minutes and 4 km between any two sites; none to or from ``unreachable``."""
    durations: list[list[int]] = []
    distances: list[list[int]] = []
    for a in CODES:
        durations.append([])
        distances.append([])
        for b in CODES:
            cut = a != b and unreachable in (a, b)
            durations[-1].append(0 if a == b else UNREACHABLE if cut else 600)
            distances[-1].append(0 if a == b else UNREACHABLE if cut else 4000)
    return durations, distances


VAN = Van(id="van-1", start="central", capacity=(40, 600), shift=TimeWindow(8 * H, 18 * H))


def run(day: Day, unreachable: str | None = None) -> DayPlan:
    durations, distances = matrices(unreachable)
    return plan_day(
        day.session,
        day=DAY,
        sites=sites(),
        durations=durations,
        distances=distances,
        vans=[VAN],
        time_limit=5.0,
        params=FAST,
        staff="dispatcher",
        now=datetime.combine(DAY, time(7)),
    )


def shipments_of(day: Day) -> tuple[tuple[Shipment, ...], dict[str, ShipmentTransfers]]:
    return demand_to_shipments(
        transfer_demand(day.session), site_code_of=site_codes(day.session), day=DAY
    )


# --- demand to shipments -------------------------------------------------------------------


def test_hold_with_a_deadline_becomes_a_shipment_that_cannot_wait(day: Day) -> None:
    # Hold deadline 0 working days: the shelf by closing time of the day it is filled.
    same_day = CatalogSettings(hold_deadline_working_days=0)
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
    assert shipment.priority == KIND_POLICY[TransferKind.hold].priority
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
    assert shipment.penalty == KIND_POLICY[TransferKind.return_home].penalty_per_crate * crates
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
        (datetime.combine(DAY - timedelta(days=1), time(18)), 0),  # passed: cannot be met
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
    ],
)
def test_bad_demand_is_refused_naming_field_and_value(
    demands: list[TransferDemand], day_: date, field: str, value: str
) -> None:
    with pytest.raises(DispatchError, match="^" + re.escape(field) + "=") as info:
        demand_to_shipments(demands, site_code_of=CODE_OF, day=day_)
    assert info.value.field == field
    assert value in str(info.value)


# --- plan and record -----------------------------------------------------------------------


def test_every_transfer_is_planned_with_van_and_stop(day: Day) -> None:
    day.transfer(TransferKind.hold, "west", "kiosk")
    day.transfer(TransferKind.return_home, "east", "central")
    day.transfer(TransferKind.return_home, "east", "central")
    day.transfer(TransferKind.new_stock, "central", "west")
    plan = run(day)

    assert plan.planned == 4 and plan.deferred == 0
    assert plan.by_kind["return_home"].transfers == 2
    assert plan.by_kind["return_home"].shipments == 1
    (route,) = plan.result.routes
    rows = day.session.scalars(select(Transfer).order_by(Transfer.id)).all()
    for row in rows:
        assert row.status is TransferStatus.planned
        assert row.van_id == "van-1"
        assert row.planned_for == DAY
        assert row.deferred_reason is None
        assert row.stop is not None
        step = route.steps[row.stop]
        assert step.type == "pickup"
        assert step.site == row.origin_site.code  # the stop is where the van takes it


def test_unreachable_site_defers_its_transfers_with_the_reason(day: Day) -> None:
    cut_off = day.transfer(TransferKind.hold, "west", "kiosk")
    day.transfer(TransferKind.hold, "west", "east")
    day.transfer(TransferKind.return_home, "east", "central")
    plan = run(day, unreachable="kiosk")

    assert plan.planned == 2 and plan.deferred == 1
    assert plan.deferred_reasons == {"unreachable": 1}
    day.session.refresh(cut_off)
    assert cut_off.status is TransferStatus.requested
    assert cut_off.van_id is None and cut_off.stop is None
    assert cut_off.deferred_reason is not None
    assert cut_off.deferred_reason.startswith("unreachable: ")
    assert cut_off.events[-1].note.startswith("deferred: unreachable")


def test_hold_past_its_deadline_is_deferred_with_the_reason(day: Day) -> None:
    # Filled two days ago with a same-day deadline: the shelf date has passed.
    same_day = CatalogSettings(hold_deadline_working_days=0)
    late = day.transfer(
        TransferKind.hold,
        "west",
        "east",
        now=datetime.combine(DAY - timedelta(days=2), time(10)),
        settings=same_day,
    )
    on_time = day.transfer(TransferKind.hold, "west", "kiosk")
    plan = run(day)

    assert plan.deferred_reasons == {"deadline": 1}
    day.session.refresh(late)
    day.session.refresh(on_time)
    assert late.status is TransferStatus.requested
    assert late.deferred_reason is not None and late.deferred_reason.startswith("deadline: ")
    assert on_time.status is TransferStatus.planned


def test_no_van_leaves_everything_deferred_for_want_of_a_van(day: Day) -> None:
    day.transfer(TransferKind.rebalance, "west", "east")
    durations, distances = matrices()
    plan = plan_day(
        day.session,
        day=DAY,
        sites=sites(),
        durations=durations,
        distances=distances,
        vans=[],
        time_limit=1.0,
        params=FAST,
    )
    assert plan.deferred == 1 and plan.planned == 0
    assert plan.deferred_reasons == {"no_vehicle": 1}


def test_a_day_without_transfers_plans_nothing(day: Day) -> None:
    plan = run(day)
    assert plan.transfers == 0 and plan.result.routes == ()


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
