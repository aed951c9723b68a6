"""A week of the four-site test network with every KPI worked out by hand (imported by the
KPI tests and by the API's KPI tests).

Everything goes through the catalogue's service functions (loans, returns, holds, new stock,
the plans as jobs, the drivers' scans); only the plans' routes are written by hand, as the
worker would record them. The week is Monday 23 to Sunday 29 November 2026:

* Sun 22 10:00 ``dan`` borrows copy X at central (before the week); he returns it there on
  Mon 23 14:00.
* Mon 23 10:00 ``dan`` borrows copy A (home central) at central; Tue 24 10:00 he returns it
  at west (通借通还): a ``return_home`` transfer west → central.
* Mon 23 11:00 ``bob`` borrows copy B at west, returns it there on Wed 25 11:00.
* Mon 23 12:00 ``carol`` borrows copy C at the kiosk (still out).
* Mon 23 09:30 new stock N for the kiosk is received at central (``new_stock``).
* ``alice`` places holds for pickup at east on three records whose one copy is at central:
  H1 Tue 24 09:30 (expected Wed 25), H2 Tue 24 11:00 (expected Thu 26), H3 Wed 25 10:00
  (expected Thu 26).
* Plans: Tue 24 van V2 takes N at central (scan 09:00, planned 09:00) for the kiosk
  (planned 09:30, never scanned: N stays in the van). Wed 25 has two plans: an older one
  (V2, 99 km, superseded) and the one in force: V1 takes A at west (planned 10:00, scan
  10:12) to central (planned 10:40, scan 10:35). Thu 26 V1 takes H1..H3's copies at central
  (planned 09:00, scans 09:05-09:07) to east (planned 09:30, scans 09:40-09:42), where a
  second step (a pickup) of the same visit carries nothing.
* V1 is in the fleet (40 crates); V2 is not (capacity unknown).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from catalog_network import Network, build_network
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.circulation import check_in, check_out
from catalog.fleet import VanSpec, create_van
from catalog.holds import place_hold
from catalog.models import Hold, Item, Transfer, TransferKind
from catalog.plans import PlanRecord, RouteRecord, StopRecord, claim_next, enqueue, finish
from catalog.transfers import (
    NewStockLine,
    PlannedTransfer,
    receive_new_stock,
    record_plan,
    scan_delivery,
    scan_pickup,
)

H = 3600
START = date(2026, 11, 23)
END = date(2026, 11, 29)
NOW = datetime(2026, 11, 30, 12, 0)
"""The clock when the KPIs are asked for: Monday after the week, noon."""
STAFF = "kpi-week"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """November ``day``, 2026, at ``hour:minute``."""
    return datetime(2026, 11, day, hour, minute)


@dataclass(frozen=True)
class Week:
    """The week's network and the ids the tests look at."""

    net: Network
    hold_ids: tuple[int, ...]


def _stop(kind: str, site: str | None, arrival: int, load: int = 0) -> StopRecord:
    return StopRecord(
        type=kind,
        site_code=site,
        arrival=arrival,
        waiting=0,
        service_start=arrival,
        departure=arrival + 300,
        load_crates=load,
        load_kg=load * 15,
    )


def _store_plan(
    session: Session,
    day: date,
    van: str,
    distance: int,
    duration: int,
    stops: tuple[StopRecord, ...],
    *,
    planned: tuple[tuple[int, int], ...] = (),
    now: datetime,
) -> None:
    """A done plan of ``day`` with one route, its transfers planned on their stops."""
    enqueue(session, day=day, time_limit=1.0, staff=STAFF, now=now)
    claim = claim_next(session, worker_id="kpi-week-worker", now=now)
    assert claim is not None and claim.day == day
    record_plan(
        session,
        planned=[PlannedTransfer(t, van, stop, day, f"s-{van}-{stop}") for t, stop in planned],
        staff=STAFF,
        now=now,
    )
    route = RouteRecord(van, distance, duration, cost=distance / 500, stops=stops)
    record = PlanRecord(
        routes=(route,),
        shipments=(),
        unplanned=(),
        cost=route.cost,
        distance=distance,
        duration=duration,
        planned_transfers=len(planned),
        deferred_transfers=0,
    )
    assert finish(session, claim, record, now=now)
    session.flush()


def build_week(session: Session) -> Week:
    """Play the week into ``session`` (flushed, not committed)."""
    net = build_network(session)
    travel = net.travel
    create_van(
        session,
        code="V1",
        spec=VanSpec("central", 40, 600, 8 * H, 18 * H),
        staff=STAFF,
        now=at(20, 9),
    )
    book = net.record("活着")
    x, a = net.copy(book, "central"), net.copy(book, "central")
    b = net.copy(net.record("平凡的世界"), "west")
    c = net.copy(net.record("白鹿原"), "kiosk")
    wanted = [net.copy(net.record(title), "central") for title in ("三体", "围城", "长恨歌")]
    cards = net.cards

    def lend(item: Item, card: str, site: str, when: datetime) -> None:
        check_out(session, barcode=item.barcode, card_number=cards[card], site_code=site, now=when)

    def give_back(item: Item, site: str, when: datetime) -> None:
        check_in(session, barcode=item.barcode, site_code=site, travel_times=travel, now=when)

    lend(x, "dan", "central", at(22, 10))
    receive_new_stock(
        session,
        lines=[NewStockLine("N0000001", book.id, "kiosk")],
        staff=STAFF,
        now=at(23, 9, 30),
    )
    lend(a, "dan", "central", at(23, 10))
    lend(b, "bob", "west", at(23, 11))
    lend(c, "carol", "kiosk", at(23, 12))
    give_back(x, "central", at(23, 14))

    def hold(item: Item, placed: datetime, expected: date) -> Hold:
        made = place_hold(
            session,
            card_number=cards["alice"],
            record_id=item.record_id,
            pickup_site_code="east",
            travel_times=travel,
            now=placed,
        )
        assert made.item_id == item.id, "the hold takes the one copy, at central"
        made.expected_on = expected  # the promise the week is measured against
        return made

    holds = [hold(wanted[0], at(24, 9, 30), date(2026, 11, 25))]
    give_back(a, "west", at(24, 10))
    holds.append(hold(wanted[1], at(24, 11), date(2026, 11, 26)))
    holds.append(hold(wanted[2], at(25, 10), date(2026, 11, 26)))
    session.flush()
    transfers = list(session.scalars(select(Transfer).order_by(Transfer.id)))
    (new_stock,) = [t for t in transfers if t.kind is TransferKind.new_stock]
    (a_return,) = [t for t in transfers if t.kind is TransferKind.return_home]
    hold_transfers = [t for t in transfers if t.kind is TransferKind.hold]
    assert len(hold_transfers) == 3

    # Tue 24: V2 (not in the fleet) takes N at central for the kiosk; it never arrives.
    _store_plan(
        session,
        date(2026, 11, 24),
        "V2",
        8000,
        5400,
        (
            _stop("start", "central", 8 * H + 1800),
            _stop("pickup", "central", 9 * H, 1),
            _stop("delivery", "kiosk", 9 * H + 1800),
            _stop("end", "central", 10 * H),
        ),
        planned=((new_stock.id, 1),),
        now=at(23, 18),
    )
    scan_pickup(session, barcode="N0000001", site_code="central", staff="driver", now=at(24, 9))

    # Wed 25: a first plan (superseded), then the one in force.
    _store_plan(
        session,
        date(2026, 11, 25),
        "V2",
        99_000,
        30_000,
        (
            _stop("start", "central", 8 * H),
            _stop("pickup", "west", 9 * H, 5),
            _stop("delivery", "central", 10 * H),
            _stop("end", "central", 11 * H),
        ),
        now=at(24, 17),
    )
    _store_plan(
        session,
        date(2026, 11, 25),
        "V1",
        6000,
        9000,
        (
            _stop("start", "central", 8 * H + 1800),
            _stop("pickup", "west", 10 * H, 1),
            _stop("delivery", "central", 10 * H + 2400),
            _stop("end", "central", 11 * H),
        ),
        planned=((a_return.id, 1),),
        now=at(24, 18),
    )
    scan_pickup(session, barcode=a.barcode, site_code="west", staff="driver", now=at(25, 10, 12))
    scan_delivery(
        session, barcode=a.barcode, site_code="central", staff="driver", now=at(25, 10, 35)
    )
    give_back(b, "west", at(25, 11))

    # Thu 26: V1 takes the three hold copies from central to east.
    _store_plan(
        session,
        date(2026, 11, 26),
        "V1",
        7000,
        7200,
        (
            _stop("start", "central", 8 * H + 1800),
            _stop("pickup", "central", 9 * H, 1),
            _stop("delivery", "east", 9 * H + 1800),
            _stop("pickup", "east", 9 * H + 2100),
            _stop("end", "central", 10 * H + 1800),
        ),
        planned=tuple((t.id, 1) for t in hold_transfers),
        now=at(25, 18),
    )
    for minute, item in enumerate(wanted):
        scan_pickup(
            session,
            barcode=item.barcode,
            site_code="central",
            staff="driver",
            now=at(26, 9, 5 + minute),
        )
    for minute, item in enumerate(wanted):
        scan_delivery(
            session,
            barcode=item.barcode,
            site_code="east",
            staff="driver",
            now=at(26, 9, 40 + minute),
        )
    session.flush()
    return Week(net=net, hold_ids=tuple(h.id for h in holds))


FILL_SECONDS = sorted(
    int((ready - placed).total_seconds())
    for placed, ready in [
        (at(24, 9, 30), at(26, 9, 40)),
        (at(24, 11), at(26, 9, 41)),
        (at(25, 10), at(26, 9, 42)),
    ]
)
"""85,320 s, 168,060 s, 173,400 s: the median is the middle one, the 90th percentile 80 % of
the way from the second to the third (rank 1 + 0.9 * 2 = 2.8)."""
DELAYS = (-300, 300, 600, 720)
"""V1's scanned stops: central Wed -5 min, central Thu +5 min, east Thu +10 min, west Wed
+12 min; median (300 + 600) / 2, 90th percentile 600 + 0.7 * 120 (rank 3.7)."""
