"""A small named library network for the catalogue tests (imported by conftest.py).

``central`` (总馆, open every day 09:00-20:00, van Mon-Sat), ``east`` (分馆, closed Mondays,
09:00-12:00 and 14:00-18:00 with a lunch closure, van Tue/Thu/Sat), ``west`` (分馆, 09:00-18:00
every day, van Mon/Wed/Fri) and ``kiosk`` (服务点, 08:00-22:00 every day, van Tue/Fri).
The clock starts on Monday 2026-11-23 10:00 local time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from catalog.models import Item, ItemStatus, Patron, Record, Site, SiteKind
from catalog.sites import create_site
from catalog.travel import MatrixTravelTimes

H = 3600
MONDAY = datetime(2026, 11, 23, 10, 0)
"""Monday 23 November 2026, 10:00."""
EVERY_DAY = range(7)


@dataclass
class Network:
    """The test network: sites by code, travel times, patrons, and helpers to add stock."""

    session: Session
    sites: dict[str, Site]
    travel: MatrixTravelTimes
    cards: dict[str, str] = field(default_factory=dict)
    _barcodes: int = 0

    def record(self, title: str = "活着", **kwargs: object) -> Record:
        """A new bibliographic record."""
        record = Record(title=title, **kwargs)
        self.session.add(record)
        self.session.flush()
        return record

    def copy(
        self,
        record: Record,
        at: str,
        *,
        home: str | None = None,
        status: ItemStatus = ItemStatus.available,
        floating: bool = False,
    ) -> Item:
        """A copy of ``record`` sitting at site ``at`` (home ``home``, default ``at``)."""
        self._barcodes += 1
        item = Item(
            barcode=f"T{self._barcodes:07d}",
            record=record,
            home_site_id=self.sites[home or at].id,
            current_site_id=self.sites[at].id,
            status=status,
            floating=floating,
        )
        self.session.add(item)
        self.session.flush()
        return item


def build_network(session: Session) -> Network:
    days = {d: [(9 * H, 20 * H)] for d in EVERY_DAY}
    sites = {
        "central": create_site(
            session,
            code="central",
            kind=SiteKind.central,
            name_zh="碑林区图书馆",
            name_en="Beilin District Library",
            lon=108.9402,
            lat=34.2583,
            opening_hours=days,
            van_weekdays=range(6),
        ),
        "east": create_site(
            session,
            code="east",
            kind=SiteKind.branch,
            name_zh="东关分馆",
            name_en="Dongguan Branch",
            lon=108.9650,
            lat=34.2560,
            opening_hours={d: [(9 * H, 12 * H), (14 * H, 18 * H)] for d in range(1, 7)},
            van_weekdays=[1, 3, 5],
        ),
        "west": create_site(
            session,
            code="west",
            kind=SiteKind.branch,
            name_zh="南院门分馆",
            name_en="Nanyuanmen Branch",
            lon=108.9350,
            lat=34.2550,
            opening_hours={d: [(9 * H, 18 * H)] for d in EVERY_DAY},
            van_weekdays=[0, 2, 4],
            closed_dates=[date(2026, 12, 2)],
        ),
        "kiosk": create_site(
            session,
            code="kiosk",
            kind=SiteKind.service_point,
            name_zh="文艺路社区书屋",
            name_en="Wenyi Road Reading Room",
            lon=108.9500,
            lat=34.2500,
            opening_hours={d: [(8 * H, 22 * H)] for d in EVERY_DAY},
            van_weekdays=[1, 4],
            keeps_stock=True,
        ),
    }
    ids = {code: site.id for code, site in sites.items()}
    pairs = {
        ("central", "east"): 900,
        ("central", "west"): 1200,
        ("central", "kiosk"): 600,
        ("east", "west"): 1500,
        ("east", "kiosk"): 700,
        ("west", "kiosk"): 1300,
    }
    travel = MatrixTravelTimes({(ids[a], ids[b]): s for (a, b), s in pairs.items()}, symmetric=True)
    network = Network(session=session, sites=sites, travel=travel)
    for name, home in [("alice", "east"), ("bob", "west"), ("carol", "kiosk"), ("dan", "central")]:
        card = f"6100{len(network.cards) + 1:012d}"
        session.add(Patron(card_number=card, home_site_id=sites[home].id))
        network.cards[name] = card
    session.flush()
    return network
