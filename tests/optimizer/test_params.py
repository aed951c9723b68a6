"""SolveParams: how solve searches; names are checked against OR-Tools' own."""

from __future__ import annotations

import pytest
from ortools.constraint_solver import routing_enums_pb2

from optimizer import SolveParams
from optimizer.params import FIRST_SOLUTION_STRATEGIES, METAHEURISTICS


@pytest.mark.parametrize(
    "kwargs",
    [
        {},  # the defaults
        {"work_limit": 500, "warm_start": False},  # reproducible
        {"first_solution": "SAVINGS", "metaheuristic": "TABU_SEARCH"},  # other strategies
        {"warm_start_share": 0.6, "log_search": True},  # less time for PyVRP, verbose
    ],
)
def test_valid_params(kwargs: dict) -> None:
    assert SolveParams(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"work_limit": 0}, r"SolveParams\.work_limit must be an integer >= 1, got 0"),
        ({"work_limit": 2.5}, r"SolveParams\.work_limit must be an integer"),  # not a count
        ({"warm_start_share": 1.0}, r"SolveParams\.warm_start_share must be in \(0, 1\)"),
        ({"first_solution": "GREEDY"}, r"SolveParams\.first_solution must be one of"),  # unknown
        ({"metaheuristic": "guided_local_search"}, r"SolveParams\.metaheuristic must be one of"),
    ],
)
def test_invalid_params(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SolveParams(**kwargs)


def test_every_accepted_name_exists_in_this_ortools_release() -> None:
    first = routing_enums_pb2.FirstSolutionStrategy
    meta = routing_enums_pb2.LocalSearchMetaheuristic
    assert all(hasattr(first, name) for name in FIRST_SOLUTION_STRATEGIES)
    assert all(hasattr(meta, name) for name in METAHEURISTICS)
