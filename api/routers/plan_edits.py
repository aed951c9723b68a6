"""A dispatcher's edits of a plan (调度员调整): move and lock stops, check, re-plan, diff.

Dispatchers and admins edit; planners read the check and the diff; drivers and branch staff
may not (403). Every edit names the plan ``version`` it was made on: a plan changed since
answers 409 (reload it). An edit that breaks rules is saved, with its violations on the stops.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from api.deps import SessionDep, SettingsDep, require_role
from api.routers.plans import PlanId
from api.schemas.common import MAX_ROW_ID, error_responses
from api.schemas.plan_edits import (
    EditRead,
    LockCreate,
    MoveCreate,
    PlanCheckRead,
    PlanDiffRead,
    ReplanCreate,
    ReplanRead,
)
from api.schemas.plans import PlanSummaryRead
from catalog.db import write_with_retries
from catalog.models import Role, User
from catalog.plans import accept
from dispatch.stored_edits import (
    check_stored,
    diff_stored,
    lock_stored,
    move_stored,
    replan_stored,
)

router = APIRouter(
    prefix="/plans",
    tags=["plan edits 调度调整"],
    responses=error_responses(401, 403, 404, 409, 422),
)

Editor = Annotated[User, Depends(require_role(Role.dispatcher, Role.admin))]
AGAINST = "比较对象，默认父排班 / the plan compared with, by default the parent"

Reader = Annotated[User, Depends(require_role(Role.dispatcher, Role.admin, Role.planner))]


@router.post("/{plan_id}/moves", response_model=EditRead)
def move(
    plan_id: PlanId, body: MoveCreate, session: SessionDep, settings: SettingsDep, user: Editor
) -> EditRead:
    """移动站点到另一车辆或位置；取件的送达随之移动 / Move a stop to another van or position;
    a pickup takes its deliveries along (and a delivery its pickups)."""
    staff = user.username
    edited = write_with_retries(
        session,
        lambda: move_stored(
            session,
            plan_id,
            stop_id=body.stop_id,
            van=body.van,
            position=body.position,
            version=body.version,
            staff=staff,
            settings=settings.circulation,
        ),
    )
    return EditRead.of(edited)


@router.post("/{plan_id}/locks", response_model=EditRead)
def lock(
    plan_id: PlanId, body: LockCreate, session: SessionDep, settings: SettingsDep, user: Editor
) -> EditRead:
    """锁定或解锁站点：重新排班时保持其车辆和顺序 / Lock or unlock stops: a re-plan keeps them
    on their van, in their order."""
    staff = user.username
    edited = write_with_retries(
        session,
        lambda: lock_stored(
            session,
            plan_id,
            stop_ids=body.stop_ids,
            locked=body.locked,
            version=body.version,
            staff=staff,
            settings=settings.circulation,
        ),
    )
    return EditRead.of(edited)


@router.get("/{plan_id}/check", response_model=PlanCheckRead)
def check(
    plan_id: PlanId, session: SessionDep, settings: SettingsDep, _user: Reader
) -> PlanCheckRead:
    """检查排班违反的规则 / What the plan breaks, per stop and per van. Once drivers have
    scanned, the stops worked are what happened and the rest is timed from where each van
    is now (from its last scan, not before now)."""
    plan, found = check_stored(session, plan_id, settings=settings.circulation)
    return PlanCheckRead.of(plan, found)


@router.post("/{plan_id}/replan", response_model=ReplanRead, status_code=status.HTTP_202_ACCEPTED)
def replan(
    plan_id: PlanId,
    session: SessionDep,
    user: Editor,
    response: Response,
    body: ReplanCreate | None = None,
) -> ReplanRead:
    """按锁定站点重新排班（后台任务）/ Plan the day again from this plan, around its locked
    stops: a new job, answered at once; poll ``GET /plans/{id}``. Its plan is a proposal
    (``awaiting_acceptance``): this plan stays in force until it is accepted. With
    ``from_now``, the rest of the day from where the vans are (their worked stops kept, the
    copies they carry dropped by them); without it, 409 once copies ride on a van."""
    staff = user.username
    time_limit = body.time_limit if body is not None else None
    from_now = body.from_now if body is not None else False
    job = write_with_retries(
        session,
        lambda: replan_stored(
            session, plan_id, time_limit=time_limit, from_now=from_now, staff=staff
        ),
    )
    response.headers["Location"] = f"/plans/{job.id}"
    return ReplanRead.of(job)


@router.get("/{plan_id}/diff", response_model=PlanDiffRead)
def diff(
    plan_id: PlanId,
    session: SessionDep,
    _user: Reader,
    against: Annotated[
        int | None, Query(ge=1, le=MAX_ROW_ID, description="默认：父排班 / default: the parent")
    ] = None,
) -> PlanDiffRead:
    """与另一排班（默认父排班）比较 / What changed from plan ``against`` (by default the plan
    this one re-plans): stops moved, shipments newly planned or left out, km and hours."""
    compared, changes = diff_stored(session, plan_id, against=against)
    return PlanDiffRead.of(plan_id, compared, changes)


@router.post("/{plan_id}/accept", response_model=PlanSummaryRead)
def accept_replan(plan_id: PlanId, session: SessionDep, user: Editor) -> PlanSummaryRead:
    """采用重新排班：取代原排班，调拨随之更新 / Accept a re-plan (a proposal): it supersedes
    the plan it re-plans, and the day's open transfers follow its stops (or are deferred
    with its reasons). 409 when it awaits no acceptance."""
    staff = user.username
    return PlanSummaryRead.of(
        write_with_retries(session, lambda: accept(session, plan_id, staff=staff))
    )
