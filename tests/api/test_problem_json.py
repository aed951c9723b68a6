"""The JSON contract of `shuyun solve`: valid problems load, invalid ones name field and value."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from api.problem_json import ProblemInputError, problem_from_dict, problem_to_dict

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


def _with(path: list[Any], value: Any) -> dict[str, Any]:
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
        (["sites", 1, "time_windows"], [[43200, 32400]], "TimeWindow.late (32400)"),
        # a shipment to a site that does not exist
        (["shipments", 0, "delivery"], "nowhere", "Shipment[s1].delivery names an unknown site"),
        # a matrix of the wrong shape
        (["matrices", "durations"], [[0, 1], [1, 0]], "Problem.durations must be 3x3"),
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
    assert expected in str(info.value)
