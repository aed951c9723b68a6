"""VROOM's own JSON contract over shuyun's optimiser: ``solve_vroom_request``.

A request in VROOM's input format (``docs/API.md`` of VROOM-Project/vroom: ``jobs``,
``shipments``, ``vehicles``, ``matrices`` or the legacy ``matrix``, ``options``) is
translated into the optimiser's model, solved by ``optimizer.solve``, and answered in
VROOM's output format (``code``, ``summary``, ``unassigned``, ``routes`` of ``steps``).
Conventions are VROOM's: [lon, lat], seconds, metres, inclusive windows that bound the
start of a task; times may be relative or UNIX timestamps.

The translation:

- tasks (jobs, pickups, deliveries) at one matrix index with the same ``setup`` and
  ``time_windows`` share a site, whose ``service_duration`` is the setup (paid once per
  stop); a task's ``service`` is its own visit's; overlapping windows are merged;
- jobs are ``optimizer.jobs.Job`` (a delivery loaded at the van's start, a pickup brought
  back to its end); a job with both a delivery and a pickup amount is two of them at its
  place, the pickup's copy of the place far (in distance only) from every other site but
  the job's, so that the optimiser serves it straight after the delivery; a plan that
  serves them apart all the same is solved again without that job, which is then
  unassigned (``split_job``; the solves share the time limit);
- a vehicle without ``start`` (``end``) starts (ends) at a point with no travel to (from)
  anywhere: the route starts at its first task (ends at its last), as in VROOM;
- costs: ``fixed``, ``per_hour`` and ``per_km`` as the van's own, in VROOM's cost units;
  a custom ``costs`` matrix drives the objective in place of distances (which are then
  read from ``distances`` for the answer only); ``per_task_hour`` must be 0;
- every task may be left out (VROOM has no mandatory task); higher ``priority`` first;
- ``max_travel_time`` bounds the route's whole duration (stricter than VROOM, which
  bounds travel only); ``max_tasks``, ``max_distance``, a break's ``max_load`` and
  ``*_per_type`` service times are accepted only where they cannot bind, and refused with
  ``code`` 2 otherwise (the optimiser has no such rule yet); so are several profiles and
  different ``speed_factor`` values; in plan mode the first three are reported as
  violations instead;
- a vehicle's ``steps`` are a warm start (VROOM's solving mode); with ``options.c``
  (VROOM's ``-c``, plan mode) they are the routes, only timed (``api.vroom_plan``);
- without a matrix, ``[lon, lat]`` locations are routed on the street network given as
  ``graph`` (``geo``); a location off the network is an input error naming it.

The parts: ``api.vroom_schema`` reads the request, ``api.vroom_problem`` writes it in the
model, ``api.vroom_answer`` writes the answer, ``api.vroom_plan`` the plan mode's. Unknown
keys are refused (VROOM ignores them): a misspelt key would otherwise change the problem
without a word. Every refusal is ``{"code": 2, "error": ...}`` naming the field and the
value; a routing failure is code 3, anything unexpected code 1: never a traceback.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.vroom_answer import RoutingFailure, add_geometry, split_jobs, vroom_answer
from api.vroom_plan import plan_answer
from api.vroom_problem import VroomProblem, to_problem
from api.vroom_schema import RequestIn, VroomInputError, parse_request
from optimizer import Lock, ProblemError, Result, Visit, VisitType, planned_routes, solve
from optimizer.jobs import WithJobs

if TYPE_CHECKING:
    import networkx as nx

OK, INTERNAL_ERROR, INPUT_ERROR, ROUTING_ERROR = 0, 1, 2, 3
"""VROOM's status codes."""


def solve_vroom_request(
    payload: dict[str, Any],
    *,
    time_limit: float,
    seed: int,
    graph: nx.MultiDiGraph | None = None,
) -> dict[str, Any]:
    """Solve a request in VROOM's input format; answer in VROOM's output format.

    Parameters
    ----------
    payload
        The request, as parsed JSON (see the module docstring for what is translated how).
    time_limit
        Seconds of wall-clock time for the optimiser (> 0).
    seed
        Seed of the optimiser's warm start.
    graph
        The routable street graph (``geo.load_beilin_graph``) to route ``[lon, lat]``
        locations on when the request has no matrix, and to draw route geometry
        (``options.g``). Without it such requests get ``code`` 2.

    Returns
    -------
    dict
        VROOM's answer: ``code`` 0 with ``summary``, ``unassigned`` and ``routes``; or a
        non-zero ``code`` (1 internal, 2 input, 3 routing) with an ``error`` message.
    """
    began = time.perf_counter()
    try:
        request = parse_request(payload)
        built = to_problem(request, graph)
        loaded = time.perf_counter()
        if request.options.c:
            answer = plan_answer(built)
            solved = time.perf_counter()
        else:
            built, answer = _solved(request, built, graph, time_limit=time_limit, seed=seed)
            solved = time.perf_counter()
        timings = {"loading": _ms(loaded - began), "solving": _ms(solved - loaded)}
        if request.options.g:
            add_geometry(built, answer, graph)
            timings["routing"] = _ms(time.perf_counter() - solved)
        answer["summary"]["computing_times"] = timings
        return answer
    except (VroomInputError, ProblemError) as exc:
        return {"code": INPUT_ERROR, "error": str(exc)}
    except RoutingFailure as exc:
        return {"code": ROUTING_ERROR, "error": str(exc)}
    except Exception as exc:  # the contract: an answer, never a traceback
        return {
            "code": INTERNAL_ERROR,
            "error": f"内部错误 / internal error: {type(exc).__name__}: {exc}",
        }


def _solved(
    request: RequestIn,
    built: VroomProblem,
    graph: nx.MultiDiGraph | None,
    *,
    time_limit: float,
    seed: int,
) -> tuple[VroomProblem, dict[str, Any]]:
    """The request solved, in VROOM's answer.

    A job with both a delivery and a pickup amount is two visits at one place for the
    optimiser; should a plan serve them apart (one left out, or on two stops), it is solved
    again with each such job's two visits locked on the van serving one of them; if that
    splits them still, the request is solved without those jobs, which are then
    unassigned (``split_job``). The three solves share ``time_limit``: with such jobs in
    the request the first gets ``COMBINED_FIRST_SHARE`` of it, the locked one
    ``LOCKED_SHARE`` of what is left, the last the rest.
    """
    deadline = time.perf_counter() + time_limit
    first = time_limit * (COMBINED_FIRST_SHARE if built.partners else 1.0)
    result = solve(
        built.written.problem,
        time_limit=first,
        seed=seed,
        initial_routes=built.initial_routes or None,
    )
    split = split_jobs(built, result)
    if not split:
        return built, vroom_answer(built, result)
    locked = _locked(built, result, split)
    if locked is not None:
        result = solve(
            locked.written.problem,
            time_limit=_left(deadline, LOCKED_SHARE),
            seed=seed,
            initial_routes=planned_routes(result.routes),
        )
        if not split_jobs(locked, result):
            return locked, vroom_answer(locked, result)
    kept = [job for job in request.jobs if job.id not in split]
    again = to_problem(request.model_copy(update={"jobs": kept}), graph)
    result = solve(again.written.problem, time_limit=_left(deadline, 1.0), seed=seed)
    answer = vroom_answer(again, result)
    left = [job for job in request.jobs if job.id in split]
    for job in left:
        entry: dict[str, Any] = {"id": job.id, "type": "job"}
        if job.description is not None:
            entry["description"] = job.description
        if job.location is not None:
            entry["location"] = list(job.location)
        if job.location_index is not None:
            entry["location_index"] = job.location_index
        answer["unassigned"].append({**entry, "reason": "split_job"})
    answer["summary"]["unassigned"] += len(left)
    return again, answer


COMBINED_FIRST_SHARE = 0.5
"""Of the time limit, the first solve's when the request has jobs with both a delivery and a
pickup (which a plan may serve apart and then be solved again, ``_solved``)."""

LOCKED_SHARE = 2 / 3
"""Of the time left after the first solve, the locked solve's; the last solve gets the rest."""

LAST_SOLVE_SECONDS = 0.2
"""The least a solve after the first is given, even past the deadline: the answer needs a
plan (a small overrun of the time limit, on this rare path only)."""


def _left(deadline: float, share: float) -> float:
    return max(LAST_SOLVE_SECONDS, share * (deadline - time.perf_counter()))


def _locked(built: VroomProblem, result: Result, split: list[int]) -> VroomProblem | None:
    """``built`` with each split job's delivery and pickup locked, in that order, on the
    van that serves one of them (None when no van does): the optimiser then keeps them on
    one van, and the distance glue (``api.vroom_problem._glue``) at one stop."""
    van_of: dict[str, str] = {}
    for route in result.routes:
        for step in route.steps:
            for sid in step.shipments:
                van_of[sid] = route.van
    locks = []
    for job in split:
        sid = f"j{job}"
        partner = built.partners[sid]
        van = van_of.get(sid) or van_of.get(partner)
        if van is not None:
            visits = (Visit(sid, VisitType.DELIVERY), Visit(partner, VisitType.PICKUP))
            locks.append(Lock(van, visits))
    if not locks:
        return None
    written = built.written
    problem = dataclasses.replace(written.problem, locks=tuple(locks))
    return dataclasses.replace(built, written=WithJobs(problem, written.jobs, written.helpers))


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def load_vroom_request(path: Path) -> dict[str, Any]:
    """Read a request file (UTF-8 JSON) for ``solve_vroom_request``.

    Raises
    ------
    VroomInputError
        If the file is missing or unreadable, is not JSON, or is not a JSON object; the
        message names the file and what is wrong.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise VroomInputError(f"PROBLEM: 文件不存在 / file not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise VroomInputError(
            f"PROBLEM: {path} 不是 UTF-8 文本 / is not UTF-8 text: {exc.reason} at byte {exc.start}"
        ) from None
    except OSError as exc:
        raise VroomInputError(f"PROBLEM: 无法读取 / cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise VroomInputError(
            f"PROBLEM: {path} 不是有效的 JSON / is not valid JSON: {exc.msg} "
            f"(line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise VroomInputError(f"PROBLEM: {path} 嵌套过深 / is nested too deeply") from None
    if not isinstance(data, dict):
        raise VroomInputError(f"PROBLEM: {path} 应为 JSON 对象 / must hold a JSON object")
    return data


def needs_network(payload: dict[str, Any]) -> bool:
    """Whether the request needs the street network: no matrix to solve on, or geometry."""
    options = payload.get("options")
    geometry = isinstance(options, dict) and options.get("g") is True
    return geometry or (payload.get("matrix") is None and not payload.get("matrices"))
