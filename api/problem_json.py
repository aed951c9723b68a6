"""The JSON files of ``shuyun solve``: a VROOM-shaped problem in, a VROOM-shaped result out.

The problem's JSON (conventions, strict types, the refusals) is ``dispatch.problem_json``'s,
shared with the stored plans; this module reads it from a file and writes the result. The
result carries ``Result.stats["notes"]`` as ``notes``: what ``solve`` left out of the problem
and why (a break outside its van's shift, ...).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dispatch.problem_json import ProblemInputError, problem_from_dict
from optimizer import Problem, Result

__all__ = ["load_problem", "result_to_dict"]


def load_problem(path: Path) -> Problem:
    """Read a problem JSON file (UTF-8).

    Raises
    ------
    ProblemInputError
        If the file is missing or unreadable, is not JSON, or is not a valid problem; the
        message names the file (or the field) and the value.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProblemInputError(f"PROBLEM: 文件不存在 / file not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise ProblemInputError(
            f"PROBLEM: {path} 不是 UTF-8 文本 / is not UTF-8 text: {exc.reason} at byte {exc.start}"
        ) from None
    except OSError as exc:
        raise ProblemInputError(f"PROBLEM: 无法读取 / cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProblemInputError(
            f"PROBLEM: {path} 不是有效的 JSON / is not valid JSON: {exc.msg} "
            f"(line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise ProblemInputError(
            f"PROBLEM: {path} 嵌套过深 / is nested too deeply to be a problem"
        ) from None
    return problem_from_dict(data)


def result_to_dict(result: Result) -> dict[str, Any]:
    """A VROOM-shaped result: ``summary``, ``unassigned`` with reasons, ``routes`` of ``steps``,
    and ``notes`` (``Result.stats["notes"]``: what the solve ignored, and why)."""
    s = result.summary
    return {
        "summary": {
            "vans_used": s.vans_used,
            "distance": s.distance,
            "duration": s.duration,
            "cost": round(s.cost, 2),
            "planned": s.planned,
            "unassigned": s.unassigned,
            "per_van": [
                {
                    "van": u.van,
                    "distance": u.distance,
                    "duration": u.duration,
                    "utilisation": [round(x, 3) for x in u.utilisation],
                }
                for u in s.per_van
            ],
        },
        "unassigned": [
            {"id": u.shipment, "reason": u.reason.value, "detail": u.detail}
            for u in result.unassigned
        ],
        "routes": [
            {
                "van": r.van,
                "distance": r.distance,
                "duration": r.duration,
                "cost": round(r.cost, 2),
                "steps": [
                    {
                        "type": st.type.value,
                        "site": st.site,
                        "shipments": list(st.shipments),
                        "break": st.break_id,
                        "arrival": st.arrival,
                        "waiting_time": st.waiting,
                        "service_start": st.service_start,
                        "departure": st.departure,
                        "load": list(st.load),
                        "distance": st.distance,
                    }
                    for st in r.steps
                ],
            }
            for r in result.routes
        ],
        "notes": list(result.stats.notes),
        "runtime": round(result.runtime, 3),
    }
