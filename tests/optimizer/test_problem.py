"""Problem: the cross-references of sites, matrices, vans and shipments, checked once."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer import (
    MATRIX_MAX,
    TIME_MAX,
    UNREACHABLE,
    Break,
    Problem,
    ProblemError,
    Shipment,
    Site,
    TimeWindow,
    Van,
)

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
        {"durations": np.array(MATRIX, dtype=np.int64)},  # a numpy matrix (geo's)
        {"durations": [np.array([0, 600]), np.array([700, 0])]},  # numpy rows
        {"distances": ((0, UNREACHABLE), (MATRIX_MAX, 0))},  # no path, either way
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
        # a row missing
        ({"durations": ((0, 1),)}, r"Problem\.durations has 1 rows, expected 2 \(one per site\)"),
        # a short row, named
        ({"durations": ((0, 1), (1,))}, r"Problem\.durations\[1\] has 1 entries, expected 2"),
        # a long row, named
        ({"distances": ((0, 1, 2), (1, 0))}, r"Problem\.distances\[0\] has 3 entries, expected 2"),
        ({"distances": ((0, -1), (1, 0))}, r"Problem\.distances\[0\]\[1\] must be >= 0, got -1"),
        # a JSON true once became 1 and changed the route
        (
            {"durations": ((0, True), (1, 0))},
            r"Problem\.durations\[0\]\[1\] must be an integer, got True",
        ),
        # a JSON "300" once became 300
        ({"durations": ((0, "300"), (1, 0))}, r"durations\[0\]\[1\] must be an integer, got '300'"),
        # fractions of a second, even whole ones, are floats
        ({"durations": ((0, 1), (1.5, 0))}, r"durations\[1\]\[0\] must be an integer, got 1\.5"),
        (
            {"distances": ((0, 300.0), (1, 0))},
            r"distances\[0\]\[1\] must be an integer, got 300\.0",
        ),
        # 1e30 once raised OverflowError inside OR-Tools
        ({"distances": ((0, 1e30), (1, 0))}, r"distances\[0\]\[1\] must be an integer, got 1e\+30"),
        ({"durations": ((0, 2**32), (1, 0))}, r"durations\[0\]\[1\] must be <= 4294967295"),
        (
            {"durations": np.array([[0, 1.5], [1, 0]])},
            r"durations\[0\]\[0\] must be an integer, got 0\.0",
        ),
        # a row that is not a row
        ({"durations": ("ab", (1, 0))}, r"Problem\.durations\[0\] must be a sequence, got 'ab'"),
        ({"durations": 5}, r"Problem\.durations must be a sequence, got 5"),
        # items of the wrong type
        ({"vans": ("van_1",)}, r"Problem\.vans\[0\] must be a Van, got 'van_1'"),
        ({"sites": ("central", "branch_a")}, r"Problem\.sites\[0\] must be a Site, got 'central'"),
        # more work than the objective's int64 range holds
        (
            {
                "shipments": tuple(
                    Shipment(f"t{k}", "central", "branch_a", (1, 1)) for k in range(3001)
                )
            },
            r"Problem\.shipments must hold at most 3000, got 3001",
        ),
        (
            {"vans": tuple(Van(f"v{k}", "central", (1, 1)) for k in range(1001))},
            r"Problem\.vans must hold at most 1000, got 1001",
        ),
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


def h(hours: int) -> int:
    return hours * 3600


DAY_SHIFT = Van("van_1", "central", (10, 100), shift=TimeWindow(h(8), h(18)))
OPEN_VAN = Van("van_1", "central", (10, 100))
UNIX = 1_600_000_000


@pytest.mark.parametrize(
    ("kwargs", "horizon"),
    [
        # shuyun's day: from the start of the shift, 3 legs of at most 700 s
        ({"vans": (DAY_SHIFT,)}, h(8) + 3 * 700),
        # VROOM's clients: a shift in UNIX time, far beyond any week
        (
            {"vans": (Van("v", "central", (10, 100), shift=TimeWindow(UNIX, UNIX + h(10))),)},
            UNIX + 2100,
        ),
        # a long day: the end of the shift comes first
        ({"vans": (DAY_SHIFT,), "durations": ((0, h(5)), (h(5), 0))}, h(18)),
        # nothing bounds time: one shipment is 3 legs of at most 700 s
        ({"vans": (OPEN_VAN,)}, 3 * 700),
        # ... after its release, in UNIX time
        (
            {
                "vans": (OPEN_VAN,),
                "shipments": (Shipment("t", "central", "branch_a", (1, 1), release=UNIX),),
            },
            UNIX + 3 * 700,
        ),
        # ... plus the services at both sites, per visit, and the van's breaks
        (
            {
                "sites": (
                    Site("central", service_duration=60),
                    Site("branch_a", service_duration=120),
                ),
                "vans": (Van("v", "central", (1, 1), breaks=(Break("b", (TimeWindow(),), 900),)),),
                "shipments": (
                    Shipment(
                        "t", "central", "branch_a", (1, 1), pickup_service=30, delivery_service=40
                    ),
                ),
            },
            60 + 120 + 30 + 40 + 900 + 3 * 700,
        ),
        # a leg with no path adds nothing
        ({"vans": (OPEN_VAN,), "durations": ((0, 600), (UNREACHABLE, 0))}, 3 * 600),
        # a window that opens after every shift has ended still fits the horizon
        (
            {
                "sites": (
                    Site("central"),
                    Site("branch_a", time_windows=(TimeWindow(h(20), h(21)),)),
                ),
                "vans": (DAY_SHIFT,),
            },
            h(20),
        ),
        # never beyond TIME_MAX
        (
            {
                "vans": (OPEN_VAN,),
                "shipments": (Shipment("t", "central", "branch_a", (1, 1), release=TIME_MAX),),
            },
            TIME_MAX,
        ),
        # no vans, no shipments: only the windows' openings
        ({"vans": (), "shipments": ()}, 700),
    ],
)
def test_horizon_follows_the_data(kwargs: dict, horizon: int) -> None:
    assert make(**kwargs).horizon == horizon
