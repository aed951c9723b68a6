"""The files of `shuyun solve`: a problem read from a file names the file when it cannot be read;
the result file carries the solve's notes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from api.problem_json import load_problem, result_to_dict
from dispatch.problem_json import ProblemInputError, problem_from_dict
from optimizer import SolveParams, solve

BASE: dict[str, Any] = {
    "sites": [
        {"id": "central", "location": [108.95, 34.25], "service": 600},
        {"id": "branch-001", "service": 300, "time_windows": [[32400, 43200], [50400, 64800]]},
    ],
    "matrices": {"durations": [[0, 300], [310, 0]], "distances": [[0, 2000], [2100, 0]]},
    "vans": [
        {
            "id": "van-1",
            "start": "central",
            "capacity": [40, 600],
            "time_window": [30600, 63000],
            "breaks": [{"id": "lunch", "time_windows": [[41400, 48600]], "service": 2700}],
            "costs": {"per_km": 2, "per_hour": 60, "fixed": 150},
        }
    ],
    "shipments": [{"id": "s1", "pickup": "central", "delivery": "branch-001", "amount": [2, 24]}],
}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # no file at all
        (None, "PROBLEM: 文件不存在 / file not found"),
        # cut-off JSON: position given
        (b'{"sites": [', "不是有效的 JSON / is not valid JSON"),
        # GBK, not UTF-8
        ('{"sites": "总馆"}'.encode("gbk"), "不是 UTF-8 文本 / is not UTF-8 text"),
    ],
)
def test_load_problem_names_the_file(tmp_path: Path, content: bytes | None, expected: str) -> None:
    path = tmp_path / "problem.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ProblemInputError) as info:
        load_problem(path)
    assert expected in str(info.value) and str(path) in str(info.value)


def test_load_problem_reads_a_written_problem(tmp_path: Path) -> None:
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(BASE, ensure_ascii=False), encoding="utf-8")
    assert load_problem(path) == problem_from_dict(BASE)


def test_nan_and_infinity_in_the_file_are_refused(tmp_path: Path) -> None:
    # Python's JSON reader accepts NaN and Infinity; the problem does not.
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(BASE).replace('"per_km": 2', '"per_km": NaN'), encoding="utf-8")
    with pytest.raises(ProblemInputError, match=r"vans\.0\.costs\.per_km: .*finite.*got nan"):
        load_problem(path)


def test_result_json_carries_the_notes() -> None:
    # A break due before the shift starts is ignored: the result file says so.
    data = json.loads(json.dumps(BASE))
    data["vans"][0]["breaks"].append({"id": "dawn", "time_windows": [[0, 600]], "service": 300})
    result = solve(
        problem_from_dict(data), time_limit=2, params=SolveParams(warm_start=False, work_limit=100)
    )
    notes = result_to_dict(result)["notes"]
    assert notes == ["break dawn of van van-1 cannot be taken within its shift: ignored"]
    # and a plan with nothing to note says so too
    quiet = solve(
        problem_from_dict(BASE), time_limit=2, params=SolveParams(warm_start=False, work_limit=100)
    )
    assert result_to_dict(quiet)["notes"] == []
