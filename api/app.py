"""The shuyun service (FastAPI): ``create_app(settings)`` builds it, ``shuyun serve`` runs it.

The one settings object is built once (:func:`settings.load_settings`) and passed in; the
app makes its engine, session factory and signing key from it at once, so that a missing
secret or a bad database URL stops the start, not the first request. The schema is the
migrations' business (``shuyun serve`` runs them before it starts the server).

OpenAPI: ``/docs`` (Swagger UI) and ``/openapi.json``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import Depends, FastAPI

from api.deps import Services, check_text
from api.errors import install_error_handlers
from api.routers import auth, circulation, health, holds, plans, records, sites, vans, vroom
from api.routers.crates import router as crates_router
from api.routers.exports import router as exports_router
from api.routers.kpis import router as kpis_router
from api.routers.plan_edits import router as plan_edits_router
from api.routers.sheets import router as sheets_router
from api.routers.transfers import router as transfers_router
from api.security import secret_key
from api.travel import StreetTravelTimes
from api.web import install_web
from catalog.db import create_engine, session_factory
from catalog.travel import TravelTimes
from settings import Settings, SettingsError, load_settings

__all__ = ["app_from_environment", "create_app"]

DESCRIPTION = (
    "碑林区图书馆总分馆物流服务：站点、馆藏检索、借还（通借通还）、预约、车辆与排班。\n\n"
    "Book logistics for the Beilin District library network: sites, catalogue search, "
    "loans and returns at any site, holds, the fleet, and day plans solved as jobs by "
    "worker processes (`POST /plans`, then `GET /plans/{id}` or its `/events`). Sign in at "
    "`POST /auth/token` (OAuth2 password flow) and send the token as "
    "`Authorization: Bearer ...`. Times are local (Asia/Shanghai), durations in seconds, "
    "coordinates [lon, lat] WGS-84."
)


def create_app(settings: Settings, *, travel_times: TravelTimes | None = None) -> FastAPI:
    """The service for ``settings``.

    Parameters
    ----------
    settings
        The one settings object: its database, data folder and auth section are used.
    travel_times
        Van seconds between sites for holds and returns; by default they come from the
        Beilin street network (:class:`api.travel.StreetTravelTimes`, computed at start-up).

    Raises
    ------
    SettingsError
        No signing key, or one too short (``SHUYUN_AUTH__SECRET_KEY``).
    """
    key = secret_key(settings.auth)
    engine = create_engine(settings.database.url)
    sessions = session_factory(engine)
    if travel_times is None:
        try:
            data_dir = settings.data.beilin_dir
        except SettingsError:
            data_dir = settings.data.dir  # healthz says what is missing; asking will too
        travel_times = StreetTravelTimes(data_dir, sessions)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await _prepare(travel_times)
        yield
        app.state.vroom_workers.shutdown()
        engine.dispose()

    app = FastAPI(
        title="书运 shuyun",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs",
        dependencies=[Depends(check_text)],  # no NUL or lone surrogate reaches the database
    )
    app.state.services = Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        signing_key=key,
        travel_times=travel_times,
    )
    app.state.vroom_workers = vroom.VroomWorkers()
    install_error_handlers(app)
    for router in (health, auth, sites, records, circulation, holds, vroom):
        app.include_router(router.router)
    app.include_router(transfers_router)
    app.include_router(crates_router)
    for extra in (plans.router, plans.me_router, vans.router, vans.drivers_router):
        app.include_router(extra)
    app.include_router(plan_edits_router)
    app.include_router(kpis_router)
    for view in (sheets_router, exports_router):  # route sheets, labels, exports
        app.include_router(view)
    install_web(app, settings.web)
    return app


async def _prepare(travel_times: TravelTimes) -> None:
    """Compute the street travel times before the first request (in a thread: the event loop
    stays free); a failure is logged, not fatal (``/healthz`` names what is missing, and the
    first question asks again)."""
    prepare = getattr(travel_times, "prepare", None)
    if prepare is None:
        return
    try:
        await anyio.to_thread.run_sync(prepare)
    except Exception as error:
        logging.getLogger(__name__).warning("travel times not prepared: %s", error)


def app_from_environment() -> FastAPI:
    """The app of ``shuyun serve``: settings from the ``SHUYUN_`` variables (uvicorn's
    ``--factory``, so that each worker process builds its own)."""
    return create_app(load_settings())
