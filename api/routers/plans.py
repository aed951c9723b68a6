"""Day plans (排班) as jobs: ask for one (202, solved by a worker process, never here), follow it
(``GET /plans/{id}``, or its event stream), cancel it, read its routes; a driver reads only
the route of their own van.

Dispatchers and admins ask and cancel; planners read everything and change nothing; a
driver reads their own route (``GET /me/route``, or the plan's route of their van).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated

import anyio
from fastapi import (
    APIRouter,
    Depends,
    Header,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
    status,
)
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep, SessionDep, require_role
from api.directions import leg_between
from api.route_work import route_work
from api.schemas.common import MAX_PAGE, MAX_ROW_ID, error_responses
from api.schemas.plans import (
    PlanCreate,
    PlanCreated,
    PlanPage,
    PlanRead,
    PlanSummaryRead,
    RouteRead,
)
from api.schemas.route_work import RouteWorkRead
from catalog.db import write_with_retries
from catalog.errors import NotFoundError
from catalog.fleet import van_of_driver
from catalog.models import (
    PLAN_TERMINAL_STATUSES,
    Plan,
    PlanRoute,
    PlanStatus,
    Role,
    Site,
    User,
)
from catalog.plans import cancel, current_plan, enqueue, get_plan, list_plans, route_of_van
from dispatch import Leg
from settings import SettingsError

router = APIRouter(
    prefix="/plans", tags=["plans 排班"], responses=error_responses(401, 403, 404, 409, 422)
)
me_router = APIRouter(
    prefix="/me", tags=["plans 排班"], responses=error_responses(401, 403, 404, 409, 422)
)

PLAN_READERS = (Role.dispatcher, Role.admin, Role.planner)
PLAN_WRITERS = (Role.dispatcher, Role.admin)
Reader = Annotated[User, Depends(require_role(*PLAN_READERS))]
Writer = Annotated[User, Depends(require_role(*PLAN_WRITERS))]
RouteReader = Annotated[User, Depends(require_role(*PLAN_READERS, Role.driver))]
Driver = Annotated[User, Depends(require_role(Role.driver))]

PlanId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="排班编号 / plan id")]
VanCode = Annotated[str, Path(min_length=1, max_length=32, examples=["van-1"])]

EVENT_POLL_SECONDS = 0.5
"""How often the event stream looks at the plan."""
KEEPALIVE_SECONDS = 15.0
"""A comment line this often keeps proxies from closing a quiet stream."""


def _sites(session: Session) -> dict[str, Site]:
    return {site.code: site for site in session.scalars(select(Site))}


@router.post(
    "",
    response_model=PlanCreated,
    status_code=status.HTTP_202_ACCEPTED,
    responses={202: {"description": "已排队 / queued: follow it at /plans/{id}"}},
)
def ask_for_plan(
    body: PlanCreate, session: SessionDep, services: ServicesDep, user: Writer, response: Response
) -> PlanCreated:
    """排班：为某日规划车辆线路（后台求解）/ Plan the vans of a day, as a job solved by a worker."""
    solver = services.settings.solver
    plan = write_with_retries(
        session,
        lambda: enqueue(
            session,
            day=body.date,
            time_limit=body.time_limit if body.time_limit is not None else solver.time_limit,
            seed=body.seed if body.seed is not None else solver.seed,
            staff=user.username,
        ),
    )
    response.headers["Location"] = f"/plans/{plan.id}"
    return PlanCreated(id=plan.id, status=plan.status)


@router.get("", response_model=PlanPage)
def read_plans(
    session: SessionDep,
    _user: Reader,
    date: Annotated[date | None, Query(description="van day, YYYY-MM-DD")] = None,
    plan_status: Annotated[PlanStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
) -> PlanPage:
    """排班列表（最新在前，含被替代的历史）/ Plans, newest first, superseded ones included."""
    plans, total = list_plans(session, day=date, status=plan_status, limit=limit, offset=offset)
    return PlanPage(
        items=[PlanSummaryRead.of(p) for p in plans], total=total, limit=limit, offset=offset
    )


@router.get("/{plan_id}", response_model=PlanRead)
def read_plan(plan_id: PlanId, session: SessionDep, _user: Reader) -> PlanRead:
    """一个排班：进度；完成后含线路与未安排的调拨及原因 / A plan: its progress, and when done
    its routes and the shipments left out with their reasons."""
    return PlanRead.of_plan(get_plan(session, plan_id), _sites(session))


@router.post("/{plan_id}/cancel", response_model=PlanSummaryRead)
def cancel_plan(plan_id: PlanId, session: SessionDep, user: Writer) -> PlanSummaryRead:
    """取消排班：排队中的立即取消，求解中的在下次心跳时停止 / Cancel a plan: a queued one at
    once, a running one at its worker's next heartbeat (``cancel_requested`` until then)."""
    staff = user.username
    return PlanSummaryRead.of(
        write_with_retries(session, lambda: cancel(session, plan_id, staff=staff))
    )


def _driver_may_read(session: Session, user: User, van: str) -> None:
    if user.role is not Role.driver:
        return
    own = van_of_driver(session, user.username)
    if own is None or own.code != van:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"无权限 / forbidden: {user.username!r} drives "
            f"{own.code if own else 'no van'!r}, not {van!r}: a driver reads only their own route",
        )


@router.get("/{plan_id}/routes/{van}", response_model=RouteRead)
def read_route(plan_id: PlanId, van: VanCode, session: SessionDep, user: RouteReader) -> RouteRead:
    """一辆车的线路（司机只能看自己的车）/ One van's route (a driver: only their own van's)."""
    _driver_may_read(session, user, van)
    plan = get_plan(session, plan_id)
    return RouteRead.of(plan, route_of_van(session, plan, van), _sites(session))


@me_router.get("/route", response_model=RouteRead)
def my_route(
    session: SessionDep,
    user: Driver,
    date: Annotated[date, Query(description="van day, YYYY-MM-DD")],
) -> RouteRead:
    """我的线路：该日现行排班中我所驾车辆的线路 / My route: my van's route in the plan of that
    day now in force."""
    plan, route = _my_plan_route(session, user, date)
    return RouteRead.of(plan, route, _sites(session))


def _my_plan_route(session: Session, user: User, day: date) -> tuple[Plan, PlanRoute]:
    van = van_of_driver(session, user.username)
    if van is None:
        raise NotFoundError("van", None, "您未被分配车辆 / you drive no van")
    plan = current_plan(session, day)
    if plan is None:
        raise NotFoundError("date", day.isoformat(), "该日尚无完成的排班 / no plan done that day")
    plan = get_plan(session, plan.id)
    return plan, route_of_van(session, plan, van.code)


@me_router.get("/route/work", response_model=RouteWorkRead)
def my_route_work(
    session: SessionDep,
    services: ServicesDep,
    user: Driver,
    date: Annotated[date, Query(description="van day, YYYY-MM-DD")],
) -> RouteWorkRead:
    """我的线路与各站任务：到站路线、待取/待送的周转箱与散件、下一站 / My route with each
    stop's work: the directions there, the crates and loose copies to collect or drop, and
    the next stop with something left to scan."""
    plan, route = _my_plan_route(session, user, date)
    try:
        data_dir = services.settings.data.beilin_dir
    except SettingsError:
        data_dir = None  # no street data: the stops without directions

    def leg_of(a: Site, b: Site) -> Leg | None:
        if data_dir is None:
            return None
        return leg_between(data_dir, (a.lon, a.lat), (b.lon, b.lat))

    return route_work(session, plan, route, _sites(session), leg_of)


def _state(services: ServicesDep, plan_id: int) -> PlanSummaryRead:
    with services.sessions() as session:
        return PlanSummaryRead.of(get_plan(session, plan_id))


def _event(state: PlanSummaryRead) -> str:
    kind = state.status.value if state.status in PLAN_TERMINAL_STATUSES else "progress"
    data = json.dumps(state.model_dump(mode="json"), ensure_ascii=False)
    return f"id: {state.revision}\nevent: {kind}\ndata: {data}\n\n"


@router.get(
    "/{plan_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-sent events"}},
)
async def plan_events(
    plan_id: PlanId,
    request: Request,
    services: ServicesDep,
    _user: Reader,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """排班进度事件流（SSE）/ The plan's progress as server-sent events.

    One ``progress`` event each time the plan changes (``id`` = its ``revision``; a client
    reconnecting with ``Last-Event-ID`` gets only what is newer), and a last event named by
    the end status (``done``, ``failed``, ``cancelled``), after which the stream ends.
    """
    first = await run_in_threadpool(_state, services, plan_id)  # 404 before the stream
    try:
        seen = int(last_event_id) if last_event_id is not None else -1
    except ValueError:
        seen = -1

    async def stream() -> AsyncIterator[str]:
        nonlocal seen
        state, quiet = first, 0.0
        while True:
            if state.revision != seen:
                seen = state.revision
                quiet = 0.0
                yield _event(state)
            if state.status in PLAN_TERMINAL_STATUSES:
                return
            if quiet >= KEEPALIVE_SECONDS:
                quiet = 0.0
                yield ": keep-alive\n\n"
            await anyio.sleep(EVENT_POLL_SECONDS)
            quiet += EVENT_POLL_SECONDS
            if await request.is_disconnected():
                return
            state = await run_in_threadpool(_state, services, plan_id)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
