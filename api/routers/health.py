"""``GET /healthz``: is the database answering, is the street network there, is a plan worker
running (seen within ``SHUYUN_SOLVER__STALE_SECONDS``)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import ServicesDep
from api.schemas import CheckRead, HealthRead
from catalog.models import Plan, PlanStatus
from catalog.plans import live_workers
from settings import SettingsError

router = APIRouter(tags=["health 状态"])


@router.get(
    "/healthz",
    response_model=HealthRead,
    responses={503: {"model": HealthRead, "description": "某部分失败 / a part is failing"}},
)
def health(services: ServicesDep, response: Response) -> HealthRead:
    """服务状态 / The service's health; 503 when a part that exists is failing."""
    database = _database(services)
    street = _street_network(services)
    worker = _worker(services)
    healthy = all(c.ok is not False for c in (database, street, worker))
    if not healthy:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return HealthRead(
        status="ok" if healthy else "fail", database=database, street_network=street, worker=worker
    )


def _database(services: ServicesDep) -> CheckRead:
    dialect = services.engine.dialect.name
    try:
        with services.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        return CheckRead(ok=False, detail=f"{dialect}: 无法连接 / cannot connect: {reason}")
    return CheckRead(ok=True, detail=f"{dialect}: SELECT 1")


def _street_network(services: ServicesDep) -> CheckRead:
    try:
        folder = services.settings.data.osm_drive_dir
    except SettingsError as error:
        return CheckRead(ok=False, detail=str(error))
    return CheckRead(ok=True, detail=f"{folder}")


def _worker(services: ServicesDep) -> CheckRead:
    """Live when a worker was seen within the staleness timeout; failing when none is and
    plans are waiting; unknown when there is no worker and nothing to do."""
    timeout = services.settings.solver.stale_seconds
    try:
        with services.sessions() as session:
            live, last = live_workers(session, timeout=timeout)
            waiting = session.scalar(
                select(func.count()).select_from(Plan).where(Plan.status == PlanStatus.queued)
            )
    except SQLAlchemyError:
        return CheckRead(ok=None, detail="数据库不可用 / database unavailable: worker unknown")
    if live:
        newest = max(w.seen_at for w in live)
        return CheckRead(
            ok=True,
            detail=f"{len(live)} 个工作进程 / {len(live)} worker(s); last heartbeat "
            f"{newest.isoformat()}",
        )
    seen = (
        f"last seen {last.seen_at.isoformat()} ({last.id})"
        if last is not None
        else "none yet: no worker has run on this database"
    )
    if waiting:
        return CheckRead(
            ok=False,
            detail=f"无工作进程，{waiting} 个排班等待中 / no worker running and {waiting} "
            f"plan(s) waiting: start `shuyun worker` ({seen})",
        )
    return CheckRead(ok=None, detail=f"无工作进程运行 / no worker running ({seen})")
