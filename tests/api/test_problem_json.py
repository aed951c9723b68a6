"""The JSON contract of `shuyun solve`: valid problems load, invalid ones name field and value."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from api.problem_json import ProblemInputError, load_problem, problem_from_dict, problem_to_dict

BASE: dict[str, Any] = {
    "sites": [
        {"id": "central", "location": [108.95, 34.25], "service": 600},
        {"id": "branch-001", "service": 300, "time_windows": [[32400, 43200], [50400, 64800]]},
        {"id": "sp-1", "service": 180},
    ],
    "matrices": {
        "durations": [[0, 300, 400], [310, 0, 200], [420, 190, 0]],
        "distances": [[0, 2000, 2500], [2100, 0, 1200], [2600, 1100, 0]],
    },
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
    "shipments": [
        {"id": "s1", "pickup": "central", "delivery": "branch-001", "amount": [2, 24]},
        {
            "id": "s2",
            "pickup": "sp-1",
            "delivery": "branch-001",
            "amount": [1, 12],
            "kind": "hold",
            "deadline": 61200,
        },
    ],
}


def test_valid_problem_loads_and_round_trips() -> None:
    problem = problem_from_dict(BASE)
    assert [s.id for s in problem.sites] == ["central", "branch-001", "sp-1"]
    assert problem.sites[1].time_windows[1].early == 50400  # lunch closure 12:00-14:00
    assert problem.vans[0].breaks[0].duration == 2700
    again = problem_from_dict(problem_to_dict(problem))
    assert again == problem


def _with(path: list[Any], value: Any) -> Any:
    if not path:
        return [BASE]  # the whole problem replaced
    data = copy.deepcopy(BASE)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        # negative capacity: named by the van and the value
        (["vans", 0, "capacity"], [-1, 600], "Van[van-1].capacity[0] must be >= 0, got -1"),
        # a window that ends before it starts
        (
            ["sites", 1, "time_windows"],
            [[43200, 32400]],
            "sites.1.time_windows.0: 时间窗结束早于开始 / window ends before it starts "
            "(got [43200, 32400])",
        ),
        # the same for a van's shift and its break, each named by its JSON path
        (["vans", 0, "time_window"], [63000, 30600], "vans.0.time_window: 时间窗结束早于开始"),
        (
            ["vans", 0, "breaks", 0, "time_windows"],
            [[48600, 41400]],
            "vans.0.breaks.0.time_windows.0: 时间窗结束早于开始",
        ),
        # a missing field names its path; the parent object is shortened, not dumped
        (["vans", 0, "capacity"], None, "vans.0.capacity: Input should be a valid list"),
        # a problem that is not an object at all
        ([], None, "(top level): Input should be a valid dictionary"),
        # a shipment to a site that does not exist
        (["shipments", 0, "delivery"], "nowhere", "Shipment[s1].delivery names an unknown site"),
        # a matrix of the wrong shape
        (["matrices", "durations"], [[0, 1], [1, 0]], "Problem.durations has 2 rows, expected 3"),
        # a kind outside the glossary
        (["shipments", 0, "kind"], "teleport", "shipments.0.kind"),
        # an unknown field is refused, not ignored
        (["vans", 0, "colour"], "red", "vans.0.colour"),
        # amount vector of the wrong length
        (["shipments", 1, "amount"], [1], "Shipment[s2].amount has 1 dimensions, expected 2"),
        # a van based at an unknown depot
        (["vans", 0, "start"], "depot-x", "Van[van-1].start names an unknown site 'depot-x'"),
    ],
)
def test_invalid_problem_names_field_and_value(path: list[Any], value: Any, expected: str) -> None:
    with pytest.raises(ProblemInputError) as info:
        problem_from_dict(_with(path, value))
    message = str(info.value)
    assert message.startswith("问题 JSON 无效 / invalid problem JSON")
    assert expected in message
    assert all(len(line) < 200 for line in message.splitlines())


def test_missing_required_field_is_named_without_dumping_the_problem() -> None:
    data = copy.deepcopy(BASE)
    del data["vans"]
    with pytest.raises(ProblemInputError) as info:
        problem_from_dict(data)
    assert "vans: Field required" in str(info.value)
    assert len(str(info.value)) < 200


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
