"""``GET /healthz``: is the database answering, is the street network there, is a worker."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import ServicesDep
from api.schemas import CheckRead, HealthRead
from settings import SettingsError

router = APIRouter(tags=["health 状态"])


@router.get("/healthz", response_model=HealthRead)
def health(services: ServicesDep, response: Response) -> HealthRead:
    """服务状态 / The service's health; 503 when a part that exists is failing."""
    database = _database(services)
    street = _street_network(services)
    worker = CheckRead(ok=None, detail="尚无后台任务进程 / none yet: solves do not run here yet")
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
