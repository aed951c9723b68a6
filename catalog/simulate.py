"""Circulation simulator: one day of a library network, played through the service rules.

Every action goes through the circulation service functions (check-out, return, hold,
new-stock receipt) exactly as a desk would call them, so every rule applies: closed sites
refuse, a return away from home sends the item home (``return_home``), a return that can
fill a waiting hold goes to that hold (``hold``), a hold filled from another site moves a
copy (``hold``), new stock received at the central library goes out (``new_stock``). The
transfers the day creates are left in the database, ``requested``, for the van planner.

The day, in order:

1. a backlog of loans made over the previous weeks (so that there is something to return;
   a day of a longer run, ``backlog=False``, returns the loans the run's earlier days made);
2. holds placed by patrons for pickup at their home site (filled at once if a copy is free);
3. returns of part of the backlog, a third of them at another site than the loan's;
4. new loans of copies on the shelves of the sites open that day;
5. a new-stock batch received at the central library for the branches and service points.

Patrons are drawn evenly, or so that each site's share of the day's patrons follows
``site_weights`` (e.g. the residents nearest each site, :mod:`planning.month`).

A request a rule refuses (the site is closed, the patron already holds the record ...) is
counted in :attr:`SimulationReport.refused` by reason, never dropped silently.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.circulation import check_in, check_out
from catalog.errors import CirculationError, InvalidValueError
from catalog.holds import place_hold
from catalog.models import (
    Hold,
    Item,
    ItemStatus,
    Loan,
    Patron,
    Record,
    Site,
    SiteKind,
    Transfer,
    TransferKind,
    TransferStatus,
)
from catalog.settings import CirculationSettings
from catalog.sites import open_intervals
from catalog.transfers import NewStockLine, receive_new_stock
from catalog.travel import TravelTimes

__all__ = ["DAY_VOLUME", "SimulationReport", "simulate_day"]

DAY_VOLUME = {"backlog_loans": 3000, "holds": 200, "returns": 1200, "loans": 1500, "new_stock": 300}
"""Actions in one day of the full demo network (``scale=1``): a district of ~60,000 items."""

STAFF = "simulator"
_AWAY_RETURNS = 0.35
"""Share of returns made at another site than the one that lent the item (通借通还)."""
_BACKLOG_DAYS = 28


@dataclass(frozen=True, slots=True)
class SimulationReport:
    """What one simulated day did.

    Attributes
    ----------
    day
        The simulated day.
    backlog_loans
        Loans made over the previous weeks to prime the day.
    loans, returns
        Check-outs and returns on the day.
    holds
        Holds placed on the day, by status at the end of the day (``ready``, ``assigned``,
        ``waiting``).
    new_stock_items
        New items received at the central library.
    transfers_by_kind
        Transfers requested on the day and still open, by kind (``hold``,
        ``return_home``, ``new_stock``); all of them wait for a van.
    items_moved
        Items those transfers move (one each).
    returns_away
        Returns at another site than the item's home.
    refused
        Requests a rule refused, by reason (exception class and message without values).
    """

    day: date
    backlog_loans: int
    loans: int
    returns: int
    holds: dict[str, int]
    new_stock_items: int
    transfers_by_kind: dict[str, int]
    items_moved: int
    returns_away: int
    refused: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class _Shelf:
    """Available copies per site, kept in step with the loans the simulator makes."""

    by_site: dict[int, list[tuple[int, str, int]]]
    """site id → [(item id, barcode, record id)] of available copies."""

    def take(self, rng: random.Random, site_id: int) -> tuple[int, str, int] | None:
        copies = self.by_site.get(site_id)
        if not copies:
            return None
        index = rng.randrange(len(copies))
        copies[index], copies[-1] = copies[-1], copies[index]
        return copies.pop()


def _moment(rng: random.Random, site: Site, day: date) -> datetime | None:
    """A random moment when ``site`` is open on ``day`` (None when closed all day)."""
    intervals = open_intervals(site, day)
    if not intervals:
        return None
    open_s, close_s = rng.choice(intervals)
    second = rng.randrange(open_s, max(open_s + 1, close_s - 60))
    return datetime.combine(day, time()) + timedelta(seconds=second)


def _reason(error: CirculationError) -> str:
    # The message after the "field=value:" prefix, numbers masked, so reasons group.
    message = re.sub(r"\d+", "N", str(error).split(": ", 1)[-1])
    return f"{type(error).__name__}: {message}"


def simulate_day(
    session: Session,
    *,
    day: date,
    travel_times: TravelTimes,
    seed: int = 0,
    scale: float = 1.0,
    settings: CirculationSettings | None = None,
    backlog: bool = True,
    site_weights: Mapping[int, float] | None = None,
) -> SimulationReport:
    """Play one day of circulation on the catalogue in ``session``.

    Parameters
    ----------
    session
        Session on a catalogue with sites (one ``central``), records, items and patrons,
        e.g. from :func:`catalog.demo_data.generate_demo_catalogue`. The caller commits.
    day
        The day to simulate; the backlog loans fall in the four weeks before it.
    travel_times
        Van travel times between sites (used by holds and returns).
    seed
        Random seed: the same seed on the same catalogue gives the same day.
    scale
        Multiplies every volume in :data:`DAY_VOLUME` (tests use ``scale=0.01``).
    settings
        Circulation settings (loan period, deadlines).
    backlog
        Make the backlog loans first (a day on its own). ``False``: none; the day's returns
        are drawn from the loans still open in the catalogue (a day of a longer run).
    site_weights
        ``{site id: weight}``: each site's share of the patrons who come that day (its
        patrons drawn evenly among themselves); a site missing or of weight 0 sends none.
        None: every patron equally likely.

    Returns
    -------
    SimulationReport
        Counts of what happened and of the transfers left for the vans.

    Raises
    ------
    InvalidValueError
        ``scale`` not positive, no patrons or items to simulate with, or ``site_weights``
        negative, not finite or giving no patron any weight.
    """
    if scale <= 0:
        raise InvalidValueError("scale", scale, "must be > 0")
    settings = settings or CirculationSettings()
    rng = random.Random(seed)
    volume = {k: max(1, round(v * scale)) for k, v in DAY_VOLUME.items()}
    sites = {s.id: s for s in session.scalars(select(Site).order_by(Site.id))}
    patrons = session.execute(select(Patron.card_number, Patron.home_site_id)).all()
    if not patrons:
        raise InvalidValueError("patrons", 0, "the catalogue has no patrons")
    draw_patron = _patron_draw(rng, list(patrons), site_weights)
    shelf = _Shelf(defaultdict(list))
    for item_id, barcode, record_id, site_id in session.execute(
        select(Item.id, Item.barcode, Item.record_id, Item.current_site_id)
        .where(Item.status == ItemStatus.available)
        .order_by(Item.id)
    ):
        shelf.by_site[site_id].append((item_id, barcode, record_id))
    if not shelf.by_site:
        raise InvalidValueError("items", 0, "the catalogue has no available items")
    refused: Counter[str] = Counter()

    def attempt(action: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except CirculationError as error:
            refused[f"{action}: {_reason(error)}"] += 1
            return None

    # 1. Backlog: loans over the previous weeks, each at a site open that day.
    primed: list[tuple[str, int]] = []  # (barcode, lending site id)
    for _ in range(volume["backlog_loans"] if backlog else 0):
        card, home = draw_patron()
        when_day = day - timedelta(days=rng.randint(1, _BACKLOG_DAYS))
        site_id = home if rng.random() < 0.7 else rng.choice(list(sites))
        site = sites[site_id]
        now = _moment(rng, site, when_day)
        copy = shelf.take(rng, site_id) if now is not None else None
        if now is None or copy is None:
            continue
        _, barcode, _ = copy
        loan = attempt(
            "backlog loan",
            partial(
                check_out,
                session,
                barcode=barcode,
                card_number=card,
                site_code=site.code,
                staff=STAFF,
                now=now,
                settings=settings,
            ),
        )
        if loan is not None:
            primed.append((barcode, site_id))
    open_today = [s for s in sites.values() if open_intervals(s, day)]

    # 2. Holds for pickup at the patron's home site: mostly records with copies out on loan.
    on_loan_records = list(
        session.scalars(
            select(Item.record_id).where(Item.status == ItemStatus.on_loan).order_by(Item.id)
        )
    )
    record_ids = list(session.scalars(select(Record.id).order_by(Record.id)))
    placed: list[int] = []
    for _ in range(volume["holds"]):
        card, home = draw_patron()
        pool = on_loan_records if on_loan_records and rng.random() < 0.5 else record_ids
        record_id = rng.choice(pool)
        now = _moment(rng, sites[home], day) or datetime.combine(day, time(10))
        hold = attempt(
            "hold",
            partial(
                place_hold,
                session,
                card_number=card,
                record_id=record_id,
                pickup_site_code=sites[home].code,
                travel_times=travel_times,
                now=now,
                settings=settings,
            ),
        )
        if isinstance(hold, Hold):
            placed.append(hold.id)

    # 3. Returns: part of the backlog (or of the loans still open), some at another open site.
    returnable = primed if backlog else _open_loans(session)
    rng.shuffle(returnable)
    returns = returns_away = 0
    for barcode, lent_at in returnable[: volume["returns"]]:
        if not open_today:
            break
        away = rng.random() < _AWAY_RETURNS
        candidates = [s for s in open_today if s.id != lent_at] if away else []
        site = rng.choice(candidates) if candidates else sites[lent_at]
        now = _moment(rng, site, day)
        if now is None:
            site = rng.choice(open_today)
            now = _moment(rng, site, day)
        result = attempt(
            "return",
            partial(
                check_in,
                session,
                barcode=barcode,
                site_code=site.code,
                travel_times=travel_times,
                staff=STAFF,
                now=now,
                settings=settings,
            ),
        )
        if result is not None:
            returns += 1
            returns_away += result.loan.item.home_site_id != site.id

    # 4. New loans at the sites open today.
    loans = 0
    for _ in range(volume["loans"]):
        if not open_today:
            break
        card, home = draw_patron()
        home_open = sites[home] in open_today and rng.random() < 0.7
        site = sites[home] if home_open else rng.choice(open_today)
        copy = shelf.take(rng, site.id)
        now = _moment(rng, site, day)
        if copy is None or now is None:
            continue
        loan = attempt(
            "loan",
            partial(
                check_out,
                session,
                barcode=copy[1],
                card_number=card,
                site_code=site.code,
                staff=STAFF,
                now=now,
                settings=settings,
            ),
        )
        loans += loan is not None

    # 5. New stock at the central library, for the sites that keep stock.
    new_items = _new_stock_lines(session, rng, sites, record_ids, volume["new_stock"], day)
    if new_items:
        attempt(
            "new stock",
            lambda: receive_new_stock(
                session,
                lines=new_items,
                staff=STAFF,
                now=datetime.combine(day, time(9, 30)),
                settings=settings,
            ),
        )
    session.flush()

    start = datetime.combine(day, time())
    by_kind = {
        kind.value if isinstance(kind, TransferKind) else str(kind): count
        for kind, count in session.execute(
            select(Transfer.kind, func.count())
            .where(
                Transfer.requested_at >= start,
                Transfer.requested_at < start + timedelta(days=1),
                Transfer.status == TransferStatus.requested,
            )
            .group_by(Transfer.kind)
        )
    }
    hold_status = Counter(
        status.value for status in session.scalars(select(Hold.status).where(Hold.id.in_(placed)))
    )
    return SimulationReport(
        day=day,
        backlog_loans=len(primed),
        loans=loans,
        returns=returns,
        holds=dict(sorted(hold_status.items())),
        new_stock_items=len(new_items),
        transfers_by_kind=dict(sorted(by_kind.items())),
        items_moved=sum(by_kind.values()),
        returns_away=returns_away,
        refused=dict(sorted(refused.items())),
    )


def _open_loans(session: Session) -> list[tuple[str, int]]:
    """``(barcode, lending site id)`` of every loan not yet returned, oldest first."""
    return [
        (barcode, site_id)
        for barcode, site_id in session.execute(
            select(Item.barcode, Loan.site_id)
            .join(Loan, Loan.item_id == Item.id)
            .where(Loan.returned_at.is_(None))
            .order_by(Loan.id)
        )
    ]


def _patron_draw(
    rng: random.Random,
    patrons: list[Any],
    site_weights: Mapping[int, float] | None,
) -> Callable[[], tuple[str, int]]:
    """A draw of ``(card number, home site id)``: uniform, or weighted so that each home
    site's share of the draws is its weight's share (split evenly among its patrons)."""
    if site_weights is None:
        return lambda: tuple(rng.choice(patrons))
    for site_id, weight in site_weights.items():
        if not (isinstance(weight, int | float) and math.isfinite(weight) and weight >= 0):
            raise InvalidValueError(f"site_weights[{site_id}]", weight, "must be finite and >= 0")
    per_site = Counter(home for _, home in patrons)
    weights = [site_weights.get(home, 0.0) / per_site[home] for _, home in patrons]
    if not sum(weights) > 0:
        raise InvalidValueError("site_weights", dict(site_weights), "no patron has any weight")
    cumulative = list(itertools.accumulate(weights))
    return lambda: tuple(rng.choices(patrons, cum_weights=cumulative)[0])


def _new_stock_lines(
    session: Session,
    rng: random.Random,
    sites: dict[int, Site],
    record_ids: list[int],
    count: int,
    day: date,
) -> list[NewStockLine]:
    """The distribution list of a new-stock batch: new copies of recent records for the
    sites that keep stock (the central library keeps a share and sends nothing for it)."""
    destinations = [s for s in sites.values() if s.keeps_stock and s.kind != SiteKind.central]
    if not destinations or not record_ids:
        return []
    prefix = f"NEW{day:%Y%m%d}"
    taken = session.scalar(select(func.count()).where(Item.barcode.like(f"{prefix}%")))
    recent = record_ids[-max(1, len(record_ids) // 10) :]
    return [
        NewStockLine(
            barcode=f"{prefix}{(taken or 0) + i + 1:05d}",
            record_id=rng.choice(recent),
            destination_site_code=rng.choice(destinations).code,
        )
        for i in range(count)
    ]
