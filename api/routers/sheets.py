"""Route sheets (路单) and crate labels (周转箱标签) of a done plan, as HTML and PDF.

A van's sheet is read by the driver of that van, dispatchers and admins; the labels (A6, one
per crate) by dispatchers and admins. The data is built by :mod:`api.sheets` from the stored
plan; legs and the map's streets come from the Beilin street network, loaded on the first
sheet asked for.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

import geo
from api.deps import SessionDep, SettingsDep, require_role
from api.schemas.common import MAX_ROW_ID, error_responses
from api.sheets import (
    RouteSheet,
    StreetLegs,
    crate_labels,
    labels_pdf,
    route_sheet,
    sheet_html,
    sheet_pdf,
)
from catalog.errors import NotAvailableError
from catalog.fleet import van_of_driver
from catalog.models import Role, User
from catalog.plans import get_plan
from settings import Settings, SettingsError

router = APIRouter(
    prefix="/plans", tags=["route sheets 路单"], responses=error_responses(401, 403, 404, 409, 422)
)

SheetReader = Annotated[User, Depends(require_role(Role.driver, Role.dispatcher, Role.admin))]
LabelReader = Annotated[User, Depends(require_role(Role.dispatcher, Role.admin))]
PlanId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="排班编号 / plan id")]
VanCode = Annotated[str, Path(min_length=1, max_length=32, examples=["van-1"])]
# The page is set as the 200's only content, not as the route's response_class, so that the
# errors stay documented as the JSON they are.
HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}, "description": "HTML"}}
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "PDF"}
}


@cache
def _legs(beilin_dir: FilePath, depart_at: int | None) -> StreetLegs:
    return StreetLegs(beilin_dir, depart_at=depart_at)


def street_legs(settings: Settings) -> StreetLegs:
    """The process's street legs for these settings (the graph loaded once, when first asked).

    Raises
    ------
    HTTPException
        503 when the settings name no Beilin street data (``SHUYUN_DATA_DIR``).
    """
    try:
        beilin_dir = settings.data.beilin_dir
    except SettingsError as error:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"没有街道路网数据，无法生成路线 / no street data to draw the route: {error}",
        ) from None
    return _legs(beilin_dir, settings.solver.depart_at)


def sheet_of(session: Session, plan_id: int, van: str, settings: Settings) -> RouteSheet:
    """The route sheet of ``van`` in plan ``plan_id``, with its legs and map.

    Raises
    ------
    NotFoundError
        No such plan, not done, or no route for this van (404).
    HTTPException
        503 without street data; 409 when a stop's site lies too far from every street.
    """
    plan = get_plan(session, plan_id)
    legs = street_legs(settings)
    try:
        return route_sheet(session, plan, van, legs=legs)
    except geo.SnapError as error:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail=f"站点不在街道路网上，无法生成路线 / a site is off the street network: {error}",
        ) from None


def own_van_only(session: Session, user: User, van: str) -> None:
    """A driver reads only the sheet of the van they drive (403 otherwise)."""
    if user.role is not Role.driver:
        return
    own = van_of_driver(session, user.username)
    if own is None or own.code != van:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"无权限 / forbidden: {user.username!r} drives "
            f"{own.code if own else 'no van'!r}, not {van!r}: a driver reads only their own "
            "route sheet",
        )


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'inline; filename="{name}"'}


@router.get("/{plan_id}/routes/{van}/sheet.html", responses=HTML)
def read_sheet_html(
    plan_id: PlanId,
    van: VanCode,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: SheetReader,
) -> HTMLResponse:
    """路单（手机网页）/ A van's route sheet as one self-contained page for phones."""
    own_van_only(session, user, van)
    sheet = sheet_of(session, plan_id, van, settings)
    return HTMLResponse(sheet_html(sheet, web_fonts=getattr(request.app.state, "web_fonts", ())))


@router.get("/{plan_id}/routes/{van}/sheet.pdf", response_class=Response, responses=PDF)
def read_sheet_pdf(
    plan_id: PlanId, van: VanCode, session: SessionDep, settings: SettingsDep, user: SheetReader
) -> Response:
    """路单（A4 PDF，可打印）/ A van's route sheet as a printable A4 PDF."""
    own_van_only(session, user, van)
    return Response(
        sheet_pdf(sheet_of(session, plan_id, van, settings)),
        media_type="application/pdf",
        headers=_attachment(f"route-sheet-{plan_id}-{van}.pdf"),
    )


@router.get("/{plan_id}/labels.pdf", response_class=Response, responses=PDF)
def read_labels_pdf(plan_id: PlanId, session: SessionDep, _user: LabelReader) -> Response:
    """周转箱标签（A6 PDF，每箱一张）/ The crate labels of a plan: A6, one per crate."""
    plan = get_plan(session, plan_id)
    labels = crate_labels(session, plan)
    if not labels:
        raise NotAvailableError(
            "plan_id",
            plan_id,
            f"排班 {plan_id} 的调拨尚未装箱，没有标签可打印 / no copy of plan {plan_id} is "
            "packed in a crate yet: no labels to print",
        )
    return Response(
        labels_pdf(labels),
        media_type="application/pdf",
        headers=_attachment(f"crate-labels-{plan_id}.pdf"),
    )
