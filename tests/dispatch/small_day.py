"""The dispatch tests' small named day.

A small named network on a real database (rolled back per test)::

    central (总馆, 09:00-20:00, the vans' depot)
    east    (分馆, 09:00-12:00 and 14:00-18:00)
    west    (分馆, 09:00-18:00)
    kiosk   (服务点, 08:00-22:00)

every site open every day, 10 minutes' drive between any two of them (4 km). The vans
drive on Tuesday 2026-11-24 (``DAY``); transfers are requested the day before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from catalog.holds import place_hold
from catalog.models import Item, ItemStatus, Patron, Record, SiteKind, Transfer, TransferKind
from catalog.models import Site as CatalogSite
from catalog.settings import CirculationSettings
from catalog.sites import create_site
from catalog.transfers import NewStockLine, create_transfer, open_transfer, receive_new_stock
from catalog.travel import MatrixTravelTimes
from dispatch import DayPlan, plan_day
from optimizer import UNREACHABLE, Site, SolveParams, TimeWindow, Van

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
        settings: CirculationSettings | None = None,
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

    def new_stock_batch(
        self, destination: str, items: int, *, now: datetime = EVE
    ) -> list[Transfer]:
        """The central library receives ``items`` new copies of one record for
        ``destination``: one distribution list, one ``new_stock`` transfer per copy."""
        record = Record(title="长安十二时辰")
        self.session.add(record)
        self.session.flush()
        first = self.barcodes + 1
        self.barcodes += items
        lines = [
            NewStockLine(f"N{n:07d}", record.id, destination) for n in range(first, first + items)
        ]
        batch = receive_new_stock(self.session, lines=lines, staff="cataloguer", now=now)
        self.transfers += batch
        return batch


def build_day(db_session: Session) -> Day:
    """The four sites in ``db_session``, every site open every day, 10 minutes apart."""
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
