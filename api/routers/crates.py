"""Crates (周转箱): read by every role; packed at a desk (branch staff at their own site,
admins); scanned whole at pickup and drop (drivers, branch staff at their own site, admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from api.deps import (
    CirculationStaff,
    CurrentUser,
    Scanner,
    SessionDep,
    SettingsDep,
    check_scan,
    check_site,
)
from api.schemas.common import MAX_PAGE, MAX_ROW_ID, error_responses
from api.schemas.transfers import (
    CrateDetailRead,
    CratePage,
    CrateRead,
    CrateScanCreate,
    PackCreate,
)
from catalog.crates import (
    crate_contents,
    crate_copies,
    get_crate,
    list_crates,
    pack,
    scan_crate_drop,
    scan_crate_pickup,
)
from catalog.db import write_with_retries
from catalog.models import CRATE_CODE_LENGTH, Crate, CrateStatus

router = APIRouter(
    prefix="/crates", tags=["crates 周转箱"], responses=error_responses(401, 403, 404, 409, 422)
)

CrateId = Annotated[
    str, Path(min_length=1, max_length=CRATE_CODE_LENGTH, description="周转箱条码 / crate barcode")
]
SiteFilter = Annotated[str | None, Query(min_length=1, max_length=32, description="站点代码")]


def _detail(session: Session, crate: Crate) -> CrateDetailRead:
    return CrateDetailRead.of_contents(crate, crate_contents(session, crate))


@router.get("", response_model=CratePage)
def read_crates(
    session: SessionDep,
    _user: CurrentUser,
    status: CrateStatus | None = None,
    origin: SiteFilter = None,
    destination: SiteFilter = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
) -> CratePage:
    """周转箱列表（新的在前）/ Crates, newest first, by status and sites."""
    rows, total = list_crates(
        session, status=status, origin=origin, destination=destination, limit=limit, offset=offset
    )
    copies = crate_copies(session, rows)
    return CratePage(
        items=[CrateRead.of(c, copies[c.code]) for c in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.post("/pack", response_model=CrateDetailRead)
def pack_copy(
    body: PackCreate, session: SessionDep, settings: SettingsDep, user: CirculationStaff
) -> CrateDetailRead:
    """装箱：这册书放入哪个周转箱 / Pack a copy for its trip: the crate it goes into (the open
    crate here for its destination, a new one if none). Packing again answers the same."""
    check_site(user, body.site_code)
    staff = user.username
    crate = write_with_retries(
        session,
        lambda: pack(
            session,
            barcode=body.barcode,
            site_code=body.site_code,
            staff=staff,
            settings=settings.circulation,
        ),
    )
    return _detail(session, crate)


@router.get("/{crate_id}", response_model=CrateDetailRead)
def read_crate(crate_id: CrateId, session: SessionDep, _user: CurrentUser) -> CrateDetailRead:
    """一个周转箱及其中的书 / One crate and the copies in it."""
    return _detail(session, get_crate(session, crate_id))


@router.post("/{crate_id}/pickup", response_model=CrateDetailRead)
def pick_up_crate(
    crate_id: CrateId, body: CrateScanCreate, session: SessionDep, user: Scanner
) -> CrateDetailRead:
    """整箱取件扫描 / Pickup scan of a crate: every copy in it goes into the van. Scanning
    again answers the same state."""
    check_scan(session, user, body.site_code)
    staff = user.username
    crate = write_with_retries(
        session,
        lambda: scan_crate_pickup(session, code=crate_id, site_code=body.site_code, staff=staff),
    )
    return _detail(session, crate)


@router.post("/{crate_id}/drop", response_model=CrateDetailRead)
def drop_crate(
    crate_id: CrateId,
    body: CrateScanCreate,
    session: SessionDep,
    settings: SettingsDep,
    user: Scanner,
) -> CrateDetailRead:
    """整箱送达扫描 / Drop scan of a crate: every copy in it is delivered. Scanning again
    answers the same state."""
    check_scan(session, user, body.site_code)
    staff = user.username
    crate = write_with_retries(
        session,
        lambda: scan_crate_drop(
            session,
            code=crate_id,
            site_code=body.site_code,
            staff=staff,
            settings=settings.circulation,
        ),
    )
    return _detail(session, crate)
