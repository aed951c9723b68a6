"""The service tests' library (imported by conftest.py): three sites, two cards, two records,
and one staff account per role, created through the catalogue's own service functions.

``central`` (总馆), ``east`` and ``west`` (分馆) are open every day 08:00-20:00 and a van
calls every day, so that the tests, which run on the real clock, never meet a closed site.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.security import create_access_token
from catalog.clock import library_now
from catalog.db import session_factory
from catalog.models import Item, Patron, Record, Site, SiteKind
from catalog.settings import DatabaseSettings
from catalog.sites import create_site
from catalog.travel import MatrixTravelTimes
from catalog.users import create_user
from settings import AuthSettings, Settings

H = 3600
SECRET = "a test signing key, 32 characters or more"
CARDS = {"alice": "6100000000004321", "bob": "6100000000008765"}
"""Library cards: alice's home is east, bob's west."""
USERS = {
    "admin": ("admin", None),
    "desk.east": ("branch_staff", "east"),
    "desk.west": ("branch_staff", "west"),
    "dispatcher": ("dispatcher", None),
    "driver": ("driver", None),
    "planner": ("planner", None),
}
"""Staff accounts: username -> (role, site)."""


def password(username: str) -> str:
    """The test password of ``username``."""
    return f"password of {username}"


@dataclass(frozen=True)
class Seed:
    """Ids of what :func:`seed` made."""

    site_ids: dict[str, int]
    three_body: int
    """Record 三体: copy E1 at east (home east), copy C1 at central (home central)."""
    to_live: int
    """Record 活着: copy W1 at west (home west)."""


def seed(session: Session) -> Seed:
    """Fill an empty, migrated database; the caller commits."""
    sites = {}
    for code, kind, name_zh, name_en, lon in [
        ("central", SiteKind.central, "碑林区图书馆", "Beilin District Library", 108.9402),
        ("east", SiteKind.branch, "东关分馆", "Dongguan Branch", 108.9650),
        ("west", SiteKind.branch, "南院门分馆", "Nanyuanmen Branch", 108.9350),
    ]:
        sites[code] = create_site(
            session,
            code=code,
            kind=kind,
            name_zh=name_zh,
            name_en=name_en,
            lon=lon,
            lat=34.2560,
            opening_hours={d: [(8 * H, 20 * H)] for d in range(7)},
            van_weekdays=range(7),
        )
    for name, home in [("alice", "east"), ("bob", "west")]:
        session.add(Patron(card_number=CARDS[name], home_site_id=sites[home].id))
    three_body = Record(title="三体", authors="刘慈欣", isbn13="9787536692930", clc="I247.55")
    to_live = Record(title="活着", authors="余华", clc="I247.57")
    session.add_all([three_body, to_live])
    session.flush()
    for barcode, record, site in [("E1", three_body, "east"), ("C1", three_body, "central")]:
        session.add(
            Item(
                barcode=barcode,
                record=record,
                home_site_id=sites[site].id,
                current_site_id=sites[site].id,
            )
        )
    session.add(
        Item(
            barcode="W1",
            record=to_live,
            home_site_id=sites["west"].id,
            current_site_id=sites["west"].id,
        )
    )
    for username, (role, site) in USERS.items():
        create_user(
            session, username=username, password=password(username), role=role, site_code=site
        )
    session.flush()
    return Seed({c: s.id for c, s in sites.items()}, three_body.id, to_live.id)


def travel_times(site_ids: dict[str, int]) -> MatrixTravelTimes:
    """Van seconds between the three sites (symmetric)."""
    pairs = {("central", "east"): 900, ("central", "west"): 1200, ("east", "west"): 1500}
    return MatrixTravelTimes(
        {(site_ids[a], site_ids[b]): s for (a, b), s in pairs.items()}, symmetric=True
    )


def bearer(username: str) -> dict[str, str]:
    """The ``Authorization`` header of a fresh token for ``username``."""
    token = create_access_token(username, key=SECRET, minutes=60)
    return {"Authorization": f"Bearer {token.token}"}


def expired(username: str) -> dict[str, str]:
    """The header of a token for ``username`` that expired a minute ago."""
    issued = datetime.now(UTC) - timedelta(minutes=61)
    token = create_access_token(username, key=SECRET, minutes=60, now=issued)
    return {"Authorization": f"Bearer {token.token}"}


def service_settings(url: str, **kwargs: object) -> Settings:
    """The settings a test server runs with: its database, the test key."""
    return Settings(
        database=DatabaseSettings(url=url),
        auth=AuthSettings(secret_key=SECRET),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def seed_engine(engine: Engine) -> Seed:
    """Seed a migrated database and commit."""
    with session_factory(engine)() as session:
        made = seed(session)
        session.commit()
    return made


# --- a day to plan (the plans' tests) -------------------------------------------------------


local_now = library_now
"""Now on the library's clock (Asia/Shanghai, naive), as the catalogue stamps it."""


PLAN_VANS = {"van-1": "driver", "van-2": None}
"""The fleet of the day to plan: van code -> its driver (``van-2`` has none, and costs 100
yuan a day out, so that the day's one route is van-1's)."""


def seed_plan_day(session: Session, seed: Seed) -> list[int]:
    """The fleet, and three open transfers between the seed's sites: the hold of alice (home
    east) for 活着 (its copy W1 at west), E1 sent east → west and C1 central → east to
    rebalance. Returns the transfer ids; the caller commits."""
    from catalog.fleet import VanSpec, create_van
    from catalog.holds import place_hold
    from catalog.models import TransferKind
    from catalog.transfers import create_transfer, open_transfer

    for code, driver in PLAN_VANS.items():
        spec = VanSpec(
            "central",
            40,
            600,
            8 * H,
            18 * H,
            cost_per_km=2.0,
            fixed_cost=0.0 if code == "van-1" else 100.0,  # one van will do: van-1
            driver_username=driver,
        )
        create_van(session, code=code, spec=spec, staff="admin")
    place_hold(
        session,
        card_number=CARDS["alice"],
        record_id=seed.to_live,
        pickup_site_code="east",
        travel_times=travel_times(seed.site_ids),
    )
    sites = {s.code: s for s in session.scalars(select(Site))}
    items = {i.barcode: i for i in session.scalars(select(Item))}
    for barcode, destination in (("E1", "west"), ("C1", "east")):
        create_transfer(
            session,
            item=items[barcode],
            kind=TransferKind.rebalance,
            destination=sites[destination],
            now=local_now(),
            staff="admin",
        )
    session.flush()
    transfers = [open_transfer(session, items[b]) for b in ("W1", "E1", "C1")]
    return [t.id for t in transfers if t is not None]
