"""A done plan's exports: the day's routes as CSV and Excel, a van's route as GPX, the plan in
VROOM's answer shape (dispatchers, admins and planners)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response

from api.deps import SessionDep, SettingsDep, require_role
from api.routers.sheets import sheet_of, street_legs
from api.schemas.common import MAX_ROW_ID, error_responses
from api.sheets import done_plan, route_sheets, sheet_sites
from api.sheets.exports import csv_bytes, gpx_bytes, vroom_json, xlsx_bytes
from catalog.models import Role, User
from catalog.plans import get_plan

router = APIRouter(
    prefix="/plans", tags=["exports 导出"], responses=error_responses(401, 403, 404, 409, 422)
)

Reader = Annotated[User, Depends(require_role(Role.dispatcher, Role.admin, Role.planner))]
PlanId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="排班编号 / plan id")]
VanCode = Annotated[str, Path(min_length=1, max_length=32, examples=["van-1"])]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/{plan_id}/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV, UTF-8 with BOM"}},
)
def export_csv(plan_id: PlanId, session: SessionDep, _user: Reader) -> Response:
    """当日线路（CSV，每站一行）/ The day's routes as CSV, one row per stop."""
    sheets = route_sheets(session, get_plan(session, plan_id), legs=None)
    return _file(csv_bytes(sheets), "text/csv; charset=utf-8", f"plan-{plan_id}-routes.csv")


@router.get(
    "/{plan_id}/export.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "Excel workbook"}},
)
def export_xlsx(plan_id: PlanId, session: SessionDep, _user: Reader) -> Response:
    """当日线路（Excel）/ The day's routes as an Excel workbook (stops, and vans)."""
    plan = get_plan(session, plan_id)
    sheets = route_sheets(session, plan, legs=None)
    return _file(xlsx_bytes(plan, sheets), XLSX, f"plan-{plan_id}-routes.xlsx")


@router.get(
    "/{plan_id}/routes/{van}/route.gpx",
    response_class=Response,
    responses={200: {"content": {"application/gpx+xml": {}}, "description": "GPX 1.1"}},
)
def export_gpx(
    plan_id: PlanId, van: VanCode, session: SessionDep, settings: SettingsDep, _user: Reader
) -> Response:
    """一辆车的线路（GPX：沿街道的轨迹与各站航点）/ A van's route as GPX: the track along the
    streets and the stops as waypoints."""
    sheet = sheet_of(session, plan_id, van, settings)
    return _file(gpx_bytes(sheet), "application/gpx+xml", f"plan-{plan_id}-{van}.gpx")


@router.get("/{plan_id}/vroom.json")
def export_vroom(
    plan_id: PlanId, session: SessionDep, settings: SettingsDep, _user: Reader
) -> dict[str, Any]:
    """排班（VROOM 答复格式）/ The plan in VROOM's answer shape, with each route's geometry."""
    plan = done_plan(get_plan(session, plan_id))
    sheets = route_sheets(session, plan, legs=street_legs(settings))
    return vroom_json(plan, sheets, sheet_sites(session, plan.day))
