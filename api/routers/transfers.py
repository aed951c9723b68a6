"""Transfers (调拨): the lists, the ones the last plan left out with their reasons, and the
scans of a copy at its pickup and its drop (drivers, branch staff at their own site, admins)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.deps import Scanner, SessionDep, SettingsDep, check_scan, require_role
from api.schemas.common import MAX_PAGE, MAX_ROW_ID, error_responses
from api.schemas.transfers import (
    ScanCreate,
    TransferDetailRead,
    TransferPage,
    TransferRead,
    UnplannedPage,
    UnplannedRead,
)
from catalog.db import write_with_retries
from catalog.models import Role, TransferKind, TransferStatus, User
from catalog.transfers import (
    TransferFilter,
    get_transfer,
    list_transfers,
    scan_delivery,
    scan_pickup,
)

router = APIRouter(
    prefix="/transfers", tags=["transfers 调拨"], responses=error_responses(401, 403, 404, 409, 422)
)

READ_ROLES = (Role.dispatcher, Role.planner, Role.branch_staff, Role.admin)
"""Who reads the transfers of every site (a driver reads their route instead)."""
Reader = Annotated[User, Depends(require_role(*READ_ROLES))]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=MAX_ROW_ID)]
SiteFilter = Annotated[str | None, Query(min_length=1, max_length=32, description="站点代码")]
TransferId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="调拨编号 / transfer id")]


@router.get("", response_model=TransferPage)
def read_transfers(
    session: SessionDep,
    _user: Reader,
    status: TransferStatus | None = None,
    kind: TransferKind | None = None,
    origin: SiteFilter = None,
    destination: SiteFilter = None,
    planned_for: date | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> TransferPage:
    """调拨列表（新的在前）/ Transfers, newest first, by status, kind, sites, planned day."""
    where = TransferFilter(
        status=status, kind=kind, origin=origin, destination=destination, planned_for=planned_for
    )
    rows, total = list_transfers(session, where, limit=limit, offset=offset)
    return TransferPage(
        items=[TransferRead.of(t) for t in rows], total=total, limit=limit, offset=offset
    )


@router.get("/unplanned", response_model=UnplannedPage)
def read_unplanned(
    session: SessionDep,
    _user: Reader,
    kind: TransferKind | None = None,
    origin: SiteFilter = None,
    destination: SiteFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> UnplannedPage:
    """未安排的调拨及原因（中英文）/ Transfers the last plan left out, with the reasons."""
    where = TransferFilter(kind=kind, origin=origin, destination=destination)
    rows, total = list_transfers(session, where, unplanned=True, limit=limit, offset=offset)
    return UnplannedPage(
        items=[UnplannedRead.of(t) for t in rows], total=total, limit=limit, offset=offset
    )


@router.get("/{transfer_id}", response_model=TransferDetailRead)
def read_transfer(
    transfer_id: TransferId, session: SessionDep, _user: Reader
) -> TransferDetailRead:
    """一条调拨及其每一步 / One transfer with every step it has taken."""
    return TransferDetailRead.of(get_transfer(session, transfer_id))


@router.post("/pickup", response_model=TransferRead)
def pick_up(body: ScanCreate, session: SessionDep, user: Scanner) -> TransferRead:
    """取件扫描：装车（在周转箱中则整箱装车）/ Pickup scan: the copy (its crate, if packed)
    goes into the van. Scanning again answers the same state."""
    check_scan(session, user, body.site_code)
    staff = user.username
    transfer = write_with_retries(
        session,
        lambda: scan_pickup(session, barcode=body.barcode, site_code=body.site_code, staff=staff),
    )
    return TransferRead.of(transfer)


@router.post("/drop", response_model=TransferRead)
def drop(
    body: ScanCreate, session: SessionDep, settings: SettingsDep, user: Scanner
) -> TransferRead:
    """送达扫描：预约书上预约书架，其余上架或回原馆 / Drop scan: a hold's copy goes onto the
    hold shelf, others onto the shelf or on home. Scanning again answers the same state."""
    check_scan(session, user, body.site_code)
    staff = user.username
    transfer = write_with_retries(
        session,
        lambda: scan_delivery(
            session,
            barcode=body.barcode,
            site_code=body.site_code,
            staff=staff,
            settings=settings.circulation,
        ),
    )
    return TransferRead.of(transfer)
