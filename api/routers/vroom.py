"""``POST /vroom``: VROOM's own request in, VROOM's own answer out, solved in a worker.

An existing VROOM client works unchanged against shuyun (``api.vroom_json``). The solve is
CPU-heavy: it runs in a process of the app's pool (``VroomWorkers``), never in the event
loop; the street network is loaded there once, when a request has locations but no matrix.
Answers keep VROOM's codes: 0 ok (HTTP 200), 2 input (400), 1 internal and 3 routing (500).
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from api.deps import ServicesDep, require_role
from catalog.models import Role, User
from settings import SettingsError

router = APIRouter(tags=["vroom VROOM 兼容接口"])

Solver = Annotated[User, Depends(require_role(Role.dispatcher, Role.planner, Role.admin))]

HTTP_STATUS = {0: 200, 1: 500, 2: 400, 3: 500}


class VroomWorkers:
    """The process pool that solves ``/vroom`` requests, started when first needed."""

    def __init__(self, processes: int = 1) -> None:
        self._processes = processes
        self._pool: ProcessPoolExecutor | None = None

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")  # no threads of the server copied
            self._pool = ProcessPoolExecutor(self._processes, mp_context=context)
        return self._pool

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


@lru_cache(maxsize=1)
def _graph(beilin_dir: str) -> Any:
    import geo

    return geo.load_beilin_graph(Path(beilin_dir))


def solve_in_worker(
    payload: dict[str, Any], time_limit: float, seed: int, beilin_dir: str | None
) -> dict[str, Any]:
    """In the worker process: the answer to ``payload`` (never raises)."""
    from api.vroom_json import needs_network, solve_vroom_request

    graph = _graph(beilin_dir) if beilin_dir is not None and needs_network(payload) else None
    return solve_vroom_request(payload, time_limit=time_limit, seed=seed, graph=graph)


@router.post("/vroom")
async def vroom(request: Request, user: Solver, services: ServicesDep) -> JSONResponse:
    """VROOM 兼容求解 / Solve a VROOM request (its JSON as the body), answer as VROOM does."""
    del user
    try:
        payload = await request.json()
    except ValueError:
        return JSONResponse({"code": 2, "error": "请求体不是 JSON / body is not JSON"}, 400)
    if not isinstance(payload, dict):
        return JSONResponse(
            {"code": 2, "error": "请求体应为 JSON 对象 / body must be an object"}, 400
        )
    settings = services.settings
    try:
        beilin_dir: str | None = str(settings.data.beilin_dir)
    except SettingsError:
        beilin_dir = None  # locations without a matrix then get code 2 saying why
    workers: VroomWorkers = request.app.state.vroom_workers
    loop = asyncio.get_running_loop()
    answer = await loop.run_in_executor(
        workers.pool(),
        solve_in_worker,
        payload,
        settings.solver.time_limit,
        settings.solver.seed,
        beilin_dir,
    )
    return JSONResponse(answer, HTTP_STATUS.get(answer.get("code", 1), 500))
