"""Problem: the cross-references of sites, matrices, vans and shipments, checked once."""

from __future__ import annotations

import pytest

from optimizer import Problem, ProblemError, Shipment, Site, Van

SITES = (Site("central"), Site("branch_a"))
MATRIX = ((0, 600), (700, 0))  # asymmetric: one-way streets


def make(**kwargs: object) -> Problem:
    fields: dict[str, object] = {
        "sites": SITES,
        "durations": MATRIX,
        "distances": MATRIX,
        "vans": (Van("van_1", "central", (10, 100)),),
        "shipments": (Shipment("t_1", "central", "branch_a", (1, 5)),),
    }
    fields.update(kwargs)
    return Problem(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},  # one van, one shipment
        {"shipments": ()},  # nothing to move today
        {"vans": (), "shipments": ()},  # no fleet either
        {"durations": [[0, 600], [700, 0]]},  # lists become tuples
    ],
)
def test_valid_problems(kwargs: dict) -> None:
    problem = make(**kwargs)
    assert problem.index_of("branch_a") == 1
    assert isinstance(problem.durations, tuple)
    assert problem.dimensions == (2 if problem.vans else 1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sites": (Site("central"), Site("central"))}, r"Problem\.sites has a duplicate id"),
        ({"durations": ((0, 1),)}, r"Problem\.durations must be 2x2 .*got 1x2"),  # a row short
        ({"distances": ((0, -1), (1, 0))}, r"Problem\.distances\[0\]\[1\] must be >= 0, got -1"),
        (
            {"vans": (Van("v", "central", (1, 1)), Van("v", "central", (1, 1)))},
            r"Problem\.vans has a duplicate id 'v'",
        ),
        ({"vans": (Van("v", "depot_9", (1, 1)),)}, r"Van\[v\]\.start names an unknown site"),
        (
            {"vans": (Van("v", "central", (1, 1), end="nowhere"),)},
            r"Van\[v\]\.end names an unknown site 'nowhere'",
        ),
        (
            {"vans": (Van("a", "central", (1, 1)), Van("b", "central", (1,)))},
            r"Van\[b\]\.capacity has 1 dimensions, expected 2",
        ),
        (
            {"shipments": (Shipment("t", "central", "branch_z", (1, 1)),)},
            r"Shipment\[t\]\.delivery names an unknown site 'branch_z'",
        ),
        (
            {"shipments": (Shipment("t", "central", "branch_a", (1,)),)},
            r"Shipment\[t\]\.amount has 1 dimensions, expected 2",
        ),
        (
            {
                "shipments": (
                    Shipment("t", "central", "branch_a", (1, 1)),
                    Shipment("t", "branch_a", "central", (1, 1)),
                )
            },
            r"Problem\.shipments has a duplicate id 't'",
        ),
    ],
)
def test_invalid_problems(kwargs: dict, match: str) -> None:
    with pytest.raises(ProblemError, match=match):
        make(**kwargs)
