"""Sites and their calendars: creation, opening hours, closed dates, van days.

Times are naive local datetimes; opening intervals are seconds since midnight per weekday
(``0`` = Monday). A site is open on a day when that weekday has intervals and the date is not
in its closed dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.errors import InvalidValueError, NotFoundError, SiteClosedError
from catalog.models import OpeningInterval, Site, SiteClosedDate, SiteKind, SiteVanDay

__all__ = [
    "CALENDAR_HORIZON_DAYS",
    "create_site",
    "get_site",
    "is_open_on",
    "list_sites",
    "next_open_at",
    "open_intervals",
    "require_open",
    "van_calls_on",
    "working_day",
]

CALENDAR_HORIZON_DAYS = 366
"""How far ahead calendar searches look before giving up (a site never open)."""

OpeningHours = Mapping[int, Sequence[tuple[int, int]]]
"""``{weekday: [(open_s, close_s), ...]}``,
e.g. ``{0: [(9 * 3600, 12 * 3600), (14 * 3600, 18 * 3600)]}``."""


def _check_hours(opening_hours: OpeningHours) -> list[tuple[int, int, int]]:
    rows: list[tuple[int, int, int]] = []
    for weekday, intervals in opening_hours.items():
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise InvalidValueError("opening_hours.weekday", weekday, "weekday must be 0..6")
        previous_close = -1
        for open_s, close_s in sorted(intervals):
            if not (0 <= open_s < close_s <= 86400):
                raise InvalidValueError(
                    f"opening_hours[{weekday}]",
                    (open_s, close_s),
                    "need 0 <= open < close <= 86400 seconds",
                )
            if open_s < previous_close:
                raise InvalidValueError(
                    f"opening_hours[{weekday}]", (open_s, close_s), "intervals overlap"
                )
            previous_close = close_s
            rows.append((weekday, open_s, close_s))
    return rows


def create_site(
    session: Session,
    *,
    code: str,
    kind: SiteKind | str,
    name_zh: str,
    name_en: str,
    lon: float,
    lat: float,
    crs: str = "wgs84",
    address: str = "",
    keeps_stock: bool = True,
    opening_hours: OpeningHours | None = None,
    closed_dates: Iterable[date] = (),
    van_weekdays: Iterable[int] = (),
) -> Site:
    """Add a site with its opening hours, closed dates and van days.

    Parameters
    ----------
    session
        Open session; the site is flushed, not committed.
    code
        Short unique code, e.g. ``"central"``, ``"B03"``, ``"SP17"``.
    kind
        ``central``, ``branch`` or ``service_point``.
    lon, lat
        Location in degrees, in ``crs``.
    crs
        ``"wgs84"`` (stored as is) or ``"gcj02"`` (converted with
        :func:`geo.coords.gcj02_to_wgs84`, as given by Chinese web maps).
    opening_hours
        ``{weekday: [(open_s, close_s), ...]}``; a lunch closure is two intervals.
    closed_dates
        Holidays and other closed days.
    van_weekdays
        Weekdays (0 = Monday) on which a van calls.

    Raises
    ------
    CirculationError
        Duplicate code, unknown kind or crs, coordinates or hours out of range.
    """
    if not code.strip():
        raise InvalidValueError("code", code, "site code must not be empty")
    if session.scalar(select(Site.id).where(Site.code == code)) is not None:
        raise InvalidValueError("code", code, "a site with this code exists")
    try:
        kind = SiteKind(kind)
    except ValueError:
        raise InvalidValueError(
            "kind", kind, f"must be one of {[k.value for k in SiteKind]}"
        ) from None
    if crs == "gcj02":
        from geo.coords import gcj02_to_wgs84  # geo is optional until a GCJ-02 point arrives

        w_lon, w_lat = gcj02_to_wgs84(lon, lat)
        lon, lat = float(w_lon), float(w_lat)
    elif crs != "wgs84":
        raise InvalidValueError("crs", crs, "must be 'wgs84' or 'gcj02'")
    if not -180 <= lon <= 180:
        raise InvalidValueError("lon", lon, "longitude must be within [-180, 180]")
    if not -90 <= lat <= 90:
        raise InvalidValueError("lat", lat, "latitude must be within [-90, 90]")
    days = sorted(set(van_weekdays))
    for weekday in days:
        if not 0 <= weekday <= 6:
            raise InvalidValueError("van_weekdays", weekday, "weekday must be 0..6")
    site = Site(
        code=code,
        kind=kind,
        name_zh=name_zh,
        name_en=name_en,
        address=address,
        lon=float(lon),
        lat=float(lat),
        keeps_stock=keeps_stock,
    )
    site.opening_hours = [
        OpeningInterval(weekday=w, open_s=o, close_s=c)
        for w, o, c in _check_hours(opening_hours or {})
    ]
    site.closed_dates = [SiteClosedDate(day=d) for d in sorted(set(closed_dates))]
    site.van_days = [SiteVanDay(weekday=w) for w in days]
    session.add(site)
    session.flush()
    return site


def get_site(session: Session, code: str, *, field: str = "site_code") -> Site:
    """The site with this code, or :class:`NotFoundError` naming ``field``."""
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise NotFoundError(field, code, "no such site")
    return site


def list_sites(session: Session, *, limit: int = 50, offset: int = 0) -> tuple[list[Site], int]:
    """A page of the sites, by code, and how many sites there are in all.

    Raises
    ------
    InvalidValueError
        ``limit`` not in 1..1000, or a negative ``offset``.
    """
    if not 1 <= limit <= 1000:
        raise InvalidValueError("limit", limit, "must be between 1 and 1000")
    if offset < 0:
        raise InvalidValueError("offset", offset, "must be >= 0")
    total = session.scalar(select(func.count()).select_from(Site)) or 0
    page = session.scalars(select(Site).order_by(Site.code).limit(limit).offset(offset))
    return list(page), total


def open_intervals(site: Site, day: date) -> list[tuple[int, int]]:
    """Opening intervals ``(open_s, close_s)`` of ``site`` on ``day``; empty when closed."""
    if any(c.day == day for c in site.closed_dates):
        return []
    return [(i.open_s, i.close_s) for i in site.opening_hours if i.weekday == day.weekday()]


def is_open_on(site: Site, day: date) -> bool:
    """Whether ``site`` opens at all on ``day``."""
    return bool(open_intervals(site, day))


def require_open(site: Site, day: date) -> None:
    """Raise :class:`SiteClosedError` (field ``site_code``) when ``site`` is closed on ``day``."""
    if not is_open_on(site, day):
        raise SiteClosedError("site_code", site.code, f"site is closed on {day.isoformat()}")


def van_calls_on(site: Site, day: date) -> bool:
    """Whether a van calls at ``site`` on ``day`` (a van day and the site is open)."""
    return day.weekday() in site.van_weekdays and is_open_on(site, day)


def _at(day: date, seconds: int) -> datetime:
    return datetime.combine(day, time()) + timedelta(seconds=seconds)


def next_open_at(site: Site, after: datetime) -> datetime | None:
    """The first moment at or after ``after`` when ``site`` is open, or None within the
    calendar horizon."""
    for offset in range(CALENDAR_HORIZON_DAYS):
        day = after.date() + timedelta(days=offset)
        for open_s, close_s in open_intervals(site, day):
            start, end = _at(day, open_s), _at(day, close_s)
            if end > after:
                return max(start, after)
    return None


def working_day(site: Site, after: date, n: int) -> date:
    """The ``n``-th day after ``after`` on which ``site`` is open (``n = 0``: ``after`` itself).

    Raises
    ------
    SiteClosedError
        The site does not open ``n`` times within the calendar horizon.
    """
    if n == 0:
        return after
    count = 0
    for offset in range(1, CALENDAR_HORIZON_DAYS + 1):
        day = after + timedelta(days=offset)
        if is_open_on(site, day):
            count += 1
            if count == n:
                return day
    raise SiteClosedError("site_code", site.code, f"site does not open {n} times within a year")


def closing_time(site: Site, day: date) -> datetime:
    """End of the last opening interval of ``site`` on ``day`` (midnight if closed)."""
    intervals = open_intervals(site, day)
    return _at(day, max((c for _, c in intervals), default=86400))
