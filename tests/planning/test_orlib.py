"""OR-Library's p-median files: the graph, its duplicate edges, the shortest paths, the optima.

The hand-written fixture ``fixtures/tiny_pmed.txt`` (5 vertices, p = 2)::

    1 ──10, then 7── 2 ──3── 3 ──4── 4 ──2── 5
    └────────────20──────────┘

The pair (1, 2) appears twice: first at 10, last at 7; the last one counts. The optimum
(``fixtures/tiny_pmedopt.txt``) is 12, medians 2 and 4.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from planning import read_optima, read_pmed

FIXTURES = Path(__file__).parent / "fixtures"


def test_tiny_instance_keeps_the_last_duplicate_edge() -> None:
    instance = read_pmed(FIXTURES / "tiny_pmed.txt")
    assert (instance.name, instance.n, instance.p) == ("tiny_pmed", 5, 2)
    assert instance.edges == ((0, 1, 7), (0, 2, 20), (1, 2, 3), (2, 3, 4), (3, 4, 2))
    assert instance.costs[0, 1] == 7  # the last occurrence, not the first (10)


def test_costs_are_shortest_paths() -> None:
    costs = read_pmed(FIXTURES / "tiny_pmed.txt").costs
    expected = np.array(
        [
            [0, 7, 10, 14, 16],  # 1 → 3 through 2 (7 + 3), not the direct 20
            [7, 0, 3, 7, 9],
            [10, 3, 0, 4, 6],
            [14, 7, 4, 0, 2],
            [16, 9, 6, 2, 0],
        ]
    )
    np.testing.assert_array_equal(costs, expected)
    assert costs.dtype == np.int64


def test_tiny_optimum_agrees_with_its_optima_file() -> None:
    instance = read_pmed(FIXTURES / "tiny_pmed.txt")
    best = min(
        int(instance.costs[:, list(pair)].min(axis=1).sum())
        for pair in itertools.combinations(range(instance.n), instance.p)
    )
    assert read_optima(FIXTURES / "tiny_pmedopt.txt") == {"tiny_pmed": best, "pmed1": 5819}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5 1\n1 2 3\n", "line 1 must be 'n m p'"),  # header without p
        ("3 1 x\n1 2 3\n", "is not an integer"),  # p not a number
        ("3 2 1\n1 2 3\n", "has 1 edge lines, header says 2"),  # edges missing
        ("3 2 1\n1 2 3\n2 4 1\n", "vertex out of 1..3"),  # vertex 4 of 3
        ("3 2 1\n1 2 3\n2 3 -1\n", "negative edge cost"),  # negative cost
        ("3 1 1\n1 2 3\n", "not connected"),  # vertex 3 unreachable
        ("3 1 4\n1 2 3\n", "needs them"),  # p above n
    ],
)
def test_malformed_files_are_named_with_their_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match=message) as error:
        read_pmed(path)
    assert str(path) in str(error.value)


def test_malformed_optima_line(tmp_path: Path) -> None:
    path = tmp_path / "opt.txt"
    path.write_text("Data file   Optimal solution value\npmed1 5819 extra\n")
    with pytest.raises(ValueError, match=r"opt.txt:2"):
        read_optima(path)


def test_pmed1_from_the_shared_bench(pmed_dir: Path) -> None:
    instance = read_pmed(pmed_dir / "pmed1.txt")
    assert (instance.n, instance.p) == (100, 5)
    assert np.array_equal(instance.costs, instance.costs.T)
    assert (np.diag(instance.costs) == 0).all()
    assert read_optima(pmed_dir / "pmedopt.txt")["pmed1"] == 5819
