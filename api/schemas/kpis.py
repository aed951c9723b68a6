"""KPIs (绩效考评) per site, per van and per van visit over a period of whole local days.

Durations are seconds, distances metres (``km`` and ``hours`` are given too), shares 0..1
(None where there is nothing to divide by). See :mod:`catalog.kpis` for how each figure is
counted.
"""

from __future__ import annotations

from datetime import date
from typing import Self

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import LocalDateTime
from catalog.kpis import KpiReport as CatalogReport
from catalog.kpis import SiteKpis, VanKpis, VisitArrival

__all__ = ["KpiReport", "KpiSiteRead", "KpiVanRead", "KpiVisitRead"]


class KpiSiteRead(BaseModel):
    """One site's KPIs over the period."""

    model_config = ConfigDict(extra="forbid")

    site_code: str
    name_zh: str
    name_en: str
    kind: str
    loans: int = Field(description="借出 / check-outs at the site")
    returns: int = Field(description="归还 / returns taken at the site")
    returns_from_elsewhere: int = Field(
        description="通借通还：他馆借出、本馆归还 / returns here of loans made elsewhere"
    )
    away_share: float | None = Field(description="通借通还占比 / share of those in returns")
    returned_elsewhere: int = Field(
        description="本馆借出、他馆归还 / the site's loans returned at another site"
    )
    holds_placed: int
    holds_filled: int = Field(description="上取书架 / holds put on the hold shelf")
    fill_median_s: float | None = Field(description="预约到上架时间中位数（秒）/ median s")
    fill_p90_s: float | None = Field(description="预约到上架时间 90 分位（秒）/ 90th pct s")
    holds_with_expected: int
    holds_on_time: int
    on_time_rate: float | None = Field(
        description="按预计到馆日期上架的比例 / share on the shelf by the expected date"
    )
    sent: dict[str, int] = Field(description="发出调拨（按类型）/ transfers sent, by kind")
    received: dict[str, int] = Field(description="收到调拨（按类型）/ received, by kind")
    lost_in_transit: int
    visits: int = Field(description="配送车到站次数 / van visits")
    crates_handled: int
    crates_per_visit: float | None

    @classmethod
    def of(cls, kpis: SiteKpis) -> Self:
        """The schema of a site's KPIs."""
        return cls(
            site_code=kpis.site_code,
            name_zh=kpis.name_zh,
            name_en=kpis.name_en,
            kind=kpis.kind,
            loans=kpis.loans,
            returns=kpis.returns,
            returns_from_elsewhere=kpis.returns_from_elsewhere,
            away_share=kpis.away_share,
            returned_elsewhere=kpis.returned_elsewhere,
            holds_placed=kpis.holds_placed,
            holds_filled=kpis.holds_filled,
            fill_median_s=kpis.fill_median_s,
            fill_p90_s=kpis.fill_p90_s,
            holds_with_expected=kpis.holds_with_expected,
            holds_on_time=kpis.holds_on_time,
            on_time_rate=kpis.on_time_rate,
            sent=dict(kpis.sent),
            received=dict(kpis.received),
            lost_in_transit=kpis.lost_in_transit,
            visits=kpis.visits,
            crates_handled=kpis.crates_handled,
            crates_per_visit=kpis.crates_per_visit,
        )


class KpiVanRead(BaseModel):
    """One van's KPIs over the period."""

    model_config = ConfigDict(extra="forbid")

    van_code: str
    routes: int
    distance_m: int
    km: float
    duration_s: int
    hours: float
    crates: int = Field(description="装车箱数 / crates loaded")
    capacity_crates: int | None = Field(description="None: not in the fleet now")
    utilisation: float | None = Field(
        description="turnover: crates loaded / (capacity x routes); above 1 when a van "
        "unloads and loads again along its route (peak_load_share is how full it was)"
    )
    peak_load: int
    peak_load_share: float | None
    visits: int
    scanned_visits: int
    unscanned_visits: int = Field(description="无扫描、实际到达未知 / no scan: arrival unknown")
    delay_median_s: float | None = Field(description="实际减计划到达 / first scan - planned")
    delay_p90_s: float | None

    @classmethod
    def of(cls, kpis: VanKpis) -> Self:
        """The schema of a van's KPIs."""
        return cls(
            van_code=kpis.van_code,
            routes=kpis.routes,
            distance_m=kpis.distance_m,
            km=kpis.km,
            duration_s=kpis.duration_s,
            hours=kpis.hours,
            crates=kpis.crates,
            capacity_crates=kpis.capacity_crates,
            utilisation=kpis.utilisation,
            peak_load=kpis.peak_load,
            peak_load_share=kpis.peak_load_share,
            visits=kpis.visits,
            scanned_visits=kpis.scanned_visits,
            unscanned_visits=kpis.unscanned_visits,
            delay_median_s=kpis.delay_median_s,
            delay_p90_s=kpis.delay_p90_s,
        )


class KpiVisitRead(BaseModel):
    """A van's visit at a site: planned arrival against the driver's first scan."""

    model_config = ConfigDict(extra="forbid")

    day: date
    van_code: str
    visit: int
    position: int
    site_code: str
    steps: int
    crates: int
    planned: LocalDateTime
    actual: LocalDateTime | None = Field(description="None: 无扫描 / no scan at this visit")
    delay_s: int | None

    @classmethod
    def of(cls, visit: VisitArrival) -> Self:
        """The schema of a visit."""
        return cls(
            day=visit.day,
            van_code=visit.van_code,
            visit=visit.visit,
            position=visit.position,
            site_code=visit.site_code,
            steps=visit.steps,
            crates=visit.crates,
            planned=visit.planned,
            actual=visit.actual,
            delay_s=visit.delay_s,
        )


class KpiReport(BaseModel):
    """The KPIs of ``start``..``end`` (inclusive): per site, per van, per van visit."""

    model_config = ConfigDict(extra="forbid")

    start: date
    end: date
    lost_after_days: int = Field(description="在途超过此天数计为丢失 / lost after days")
    sites: list[KpiSiteRead]
    vans: list[KpiVanRead]
    visits: list[KpiVisitRead]

    @classmethod
    def of(cls, report: CatalogReport) -> Self:
        """The schema of a report."""
        return cls(
            start=report.start,
            end=report.end,
            lost_after_days=report.lost_after_days,
            sites=[KpiSiteRead.of(s) for s in report.sites],
            vans=[KpiVanRead.of(v) for v in report.vans],
            visits=[KpiVisitRead.of(v) for v in report.visits],
        )
