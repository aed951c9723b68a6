"""KPIs (绩效考评) of a period for planners and admins: JSON, CSV (one table) and Excel.

``from`` and ``to`` are whole local days, both included; ``site`` narrows the sites and the
visits to one site (the vans serve many sites and are always all shown).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.deps import SessionDep, SettingsDep, require_role
from api.kpi_exports import TABLES, Table, report_csv, report_xlsx
from api.schemas.common import SiteCode, error_responses
from api.schemas.kpis import KpiReport
from catalog.kpis import kpi_report
from catalog.models import Role, User

__all__ = ["router"]

router = APIRouter(tags=["kpis 绩效考评"], responses=error_responses(401, 403, 404, 422))

Reader = Annotated[User, Depends(require_role(Role.planner, Role.admin))]
From = Annotated[date, Query(alias="from", description="首日 / first day (YYYY-MM-DD)")]
To = Annotated[date, Query(alias="to", description="末日（含）/ last day, included")]
OneSite = Annotated[SiteCode | None, Query(description="只看此站点 / this site only")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(
    session: SessionDep, settings: SettingsDep, start: date, end: date, site: str | None
) -> KpiReport:
    return KpiReport.of(
        kpi_report(session, start=start, end=end, site_code=site, settings=settings.circulation)
    )


def _filename(start: date, end: date, site: str | None, suffix: str) -> str:
    return f"kpis_{start.isoformat()}_{end.isoformat()}{'_' + site if site else ''}.{suffix}"


@router.get("/kpis", response_model=KpiReport)
def read_kpis(
    session: SessionDep,
    settings: SettingsDep,
    _user: Reader,
    start: From,
    end: To,
    site: OneSite = None,
) -> KpiReport:
    """绩效考评：各站点、各车辆、各次到站 / The KPIs per site, per van and per van visit."""
    return _report(session, settings, start, end, site)


@router.get(
    "/kpis.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "one table as CSV"}},
)
def read_kpis_csv(
    session: SessionDep,
    settings: SettingsDep,
    _user: Reader,
    start: From,
    end: To,
    site: OneSite = None,
    table: Annotated[
        Table, Query(description=f"哪张表 / which table: {', '.join(TABLES)}")
    ] = "sites",
) -> Response:
    """绩效考评表格（CSV，UTF-8）/ One KPI table as CSV (UTF-8 with BOM)."""
    text = report_csv(_report(session, settings, start, end, site), table)
    name = _filename(start, end, site, f"{table}.csv")
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/kpis.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "a sheet per table"}},
)
def read_kpis_xlsx(
    session: SessionDep,
    settings: SettingsDep,
    _user: Reader,
    start: From,
    end: To,
    site: OneSite = None,
) -> Response:
    """绩效考评工作簿（Excel）/ The KPIs as an Excel workbook, one sheet per table."""
    data = report_xlsx(_report(session, settings, start, end, site))
    name = _filename(start, end, site, "xlsx")
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
