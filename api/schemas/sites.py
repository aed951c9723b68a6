"""Sites (站点) with their opening hours and van days."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from api.schemas.common import Page
from catalog.models import Site, SiteKind

__all__ = ["OpeningIntervalRead", "SitePage", "SiteRead"]


class OpeningIntervalRead(BaseModel):
    """Open from ``open_s`` to ``close_s`` (seconds since local midnight) on ``weekday``
    (0 = Monday); a lunch closure is two intervals."""

    weekday: int
    open_s: int
    close_s: int


class SiteRead(BaseModel):
    """A site, its calendar, and where it is ([lon, lat] WGS-84)."""

    code: str
    kind: SiteKind
    name_zh: str
    name_en: str
    address: str
    lon: float
    lat: float
    keeps_stock: bool
    opening_hours: list[OpeningIntervalRead]
    closed_dates: list[date]
    van_weekdays: list[int]

    @classmethod
    def of(cls, site: Site) -> SiteRead:
        return cls(
            code=site.code,
            kind=site.kind,
            name_zh=site.name_zh,
            name_en=site.name_en,
            address=site.address,
            lon=site.lon,
            lat=site.lat,
            keeps_stock=site.keeps_stock,
            opening_hours=[
                OpeningIntervalRead(weekday=i.weekday, open_s=i.open_s, close_s=i.close_s)
                for i in site.opening_hours
            ],
            closed_dates=[c.day for c in site.closed_dates],
            van_weekdays=sorted(site.van_weekdays),
        )


class SitePage(Page[SiteRead]):
    """A page of sites, by code."""
