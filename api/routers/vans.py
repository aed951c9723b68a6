"""The fleet (配送车) and its drivers: dispatchers and admins add and change vans (a change names
the version it was made on; a stale one is refused, 409); planners read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from api.deps import SessionDep, require_role
from api.schemas.common import MAX_PAGE, MAX_ROW_ID, error_responses
from api.schemas.vans import DriverPage, DriverRead, VanCreate, VanPage, VanRead, VanUpdate
from catalog.db import write_with_retries
from catalog.fleet import VanSpec, create_van, get_van, list_drivers, list_vans, update_van
from catalog.models import Role, User

router = APIRouter(
    prefix="/vans", tags=["vans 车辆"], responses=error_responses(401, 403, 404, 409, 422)
)
drivers_router = APIRouter(
    prefix="/drivers", tags=["vans 车辆"], responses=error_responses(401, 403, 404, 409, 422)
)

Reader = Annotated[User, Depends(require_role(Role.dispatcher, Role.admin, Role.planner))]
Writer = Annotated[User, Depends(require_role(Role.dispatcher, Role.admin))]


@router.get("", response_model=VanPage)
def read_vans(
    session: SessionDep,
    _user: Reader,
    active: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
) -> VanPage:
    """车辆列表（按编号）/ The vans, by code."""
    vans, total = list_vans(session, active=active, limit=limit, offset=offset)
    return VanPage(items=[VanRead.of(v) for v in vans], total=total, limit=limit, offset=offset)


@router.get("/{code}", response_model=VanRead)
def read_van(code: str, session: SessionDep, _user: Reader) -> VanRead:
    """一辆车 / One van."""
    return VanRead.of(get_van(session, code))


@router.post("", response_model=VanRead, status_code=status.HTTP_201_CREATED)
def add_van(body: VanCreate, session: SessionDep, user: Writer) -> VanRead:
    """添加车辆 / Add a van to the fleet."""
    spec = VanSpec(**body.model_dump(exclude={"code"}))
    staff = user.username
    van = write_with_retries(
        session, lambda: create_van(session, code=body.code, spec=spec, staff=staff)
    )
    session.refresh(van)  # its depot and driver as stored
    return VanRead.of(van)


@router.patch("/{code}", response_model=VanRead)
def change_van(code: str, body: VanUpdate, session: SessionDep, user: Writer) -> VanRead:
    """修改车辆（须给出读取时的版本）/ Change a van, on the version last read."""
    staff = user.username
    van = write_with_retries(
        session,
        lambda: update_van(
            session, code, version=body.version, changes=body.changes(), staff=staff
        ),
    )
    session.refresh(van)  # its depot and driver as stored (ids changed, not the objects)
    return VanRead.of(van)


@drivers_router.get("", response_model=DriverPage)
def read_drivers(
    session: SessionDep,
    _user: Reader,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
) -> DriverPage:
    """司机及其车辆 / The driver accounts and the van each takes out."""
    rows, total = list_drivers(session, limit=limit, offset=offset)
    return DriverPage(
        items=[
            DriverRead(username=u.username, active=u.active, van=v.code if v else None)
            for u, v in rows
        ],
        total=total,
        limit=limit,
        offset=offset,
    )
