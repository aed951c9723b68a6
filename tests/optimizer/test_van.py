"""Van: capacity vector, shift, breaks, costs and skills."""

from __future__ import annotations

import pytest

from optimizer import Break, ProblemError, TimeWindow, Van

LUNCH_BREAK = Break("lunch", (TimeWindow(12 * 3600, 13 * 3600),), 1800)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},  # the defaults: all-week shift, 1 yuan/km, no fixed cost
        {"end": "branch_a"},  # ends somewhere else
        {"shift": TimeWindow(8 * 3600, 17 * 3600), "breaks": [LUNCH_BREAK]},  # a driver's day
        {"max_route_duration": 4 * 3600},  # four hours at most
        {"cost_per_km": 1.2, "cost_per_hour": 40, "fixed_cost": 80},  # realistic costs
        {"skills": ["lift"]},  # a list of skills becomes a frozenset
        {"cost_per_km": 100_000, "cost_per_hour": 1e5, "fixed_cost": 1e6},  # the largest costs
        {"cost_per_km": 0, "cost_per_hour": 0.0},  # free to run
        {"max_route_duration": 2**32 - 1},  # the longest duration
        {"shift": TimeWindow(1_600_000_000, 1_600_036_000)},  # a shift in UNIX time
    ],
)
def test_valid_vans(kwargs: dict) -> None:
    van = Van("van_1", "central", (20, 500), **kwargs)
    assert van.capacity == (20, 500)
    assert isinstance(van.skills, frozenset)
    assert van.end_site == kwargs.get("end", "central")


@pytest.mark.parametrize(
    ("van_id", "capacity", "kwargs", "match"),
    [
        ("", (1,), {}, r"Van\.id must be a non-empty string"),  # empty id
        ("v", (), {}, r"Van\[v\]\.capacity must have at least one dimension"),  # no capacity
        ("v", (10, -1), {}, r"Van\[v\]\.capacity\[1\] must be >= 0, got -1"),  # negative kg
        ("v", (1.5,), {}, r"Van\[v\]\.capacity\[0\] must be an integer"),  # half a crate
        ("v", (1,), {"max_route_duration": -60}, r"Van\[v\]\.max_route_duration must be >= 0"),
        ("v", (1,), {"cost_per_km": -1}, r"Van\[v\]\.cost_per_km must be a number >= 0"),
        ("v", (1,), {"fixed_cost": "80"}, r"Van\[v\]\.fixed_cost must be a number >= 0"),  # text
        # a bool is no number
        ("v", (1,), {"fixed_cost": True}, r"Van\[v\]\.fixed_cost must be a number >= 0, got True"),
        # NaN and infinity are no cost (NaN once planned nothing, silently)
        ("v", (1,), {"cost_per_km": float("nan")}, r"Van\[v\]\.cost_per_km must be a finite .*nan"),
        ("v", (1,), {"cost_per_km": float("inf")}, r"Van\[v\]\.cost_per_km must be a finite .*inf"),
        # above the objective's range
        ("v", (1,), {"cost_per_hour": 1e300}, r"cost_per_hour must be <= 100000, got 1e\+300"),
        ("v", (1,), {"fixed_cost": 1e300}, r"Van\[v\]\.fixed_cost must be <= 1000000, got 1e\+300"),
        ("v", (1,), {"fixed_cost": float("inf")}, r"Van\[v\]\.fixed_cost must be a finite"),
        # a capacity beyond AMOUNT_MAX, or not an integer
        ("v", (10**10,), {}, r"Van\[v\]\.capacity\[0\] must be <= 1000000000, got 10000000000"),
        ("v", (float("inf"),), {}, r"Van\[v\]\.capacity\[0\] must be an integer, got inf"),
        ("v", (True,), {}, r"Van\[v\]\.capacity\[0\] must be an integer, got True"),
        ("v", ("40",), {}, r"Van\[v\]\.capacity\[0\] must be an integer, got '40'"),
        # a maximum route duration beyond TIME_MAX, or in float seconds
        ("v", (1,), {"max_route_duration": 2**32}, r"max_route_duration must be <= 4294967295"),
        ("v", (1,), {"max_route_duration": 1e300}, r"max_route_duration must be an integer"),
        # wrong types for the shift, a break, the depot and a skill
        ("v", (1,), {"shift": (0, 10)}, r"Van\[v\]\.shift must be a TimeWindow, got \(0, 10\)"),
        ("v", (1,), {"breaks": ["lunch"]}, r"Van\[v\]\.breaks\[0\] must be a Break, got 'lunch'"),
        ("v", (1,), {"end": 7}, r"Van\[v\]\.end must be a site id, got 7"),
        ("v", (1,), {"skills": [3]}, r"Van\[v\]\.skills must be strings, got 3"),
        ("v", 40, {}, r"Van\[v\]\.capacity must be a sequence, got 40"),  # a scalar
    ],
)
def test_invalid_vans(van_id: str, capacity: tuple, kwargs: dict, match: str) -> None:
    with pytest.raises(ProblemError, match=match):
        Van(van_id, "central", capacity, **kwargs)


@pytest.mark.parametrize(
    ("windows", "duration", "match"),
    [
        ((), 600, r"Break\[b\]\.time_windows must hold at least one window"),  # never due
        ((TimeWindow(),), -1, r"Break\[b\]\.duration must be >= 0"),  # negative length
        ((TimeWindow(),), 2**32, r"Break\[b\]\.duration must be <= 4294967295"),  # > uint32
        ((TimeWindow(),), 1800.0, r"Break\[b\]\.duration must be an integer, got 1800\.0"),
        (((0, 10),), 600, r"Break\[b\]\.time_windows\[0\] must be a TimeWindow"),  # a pair
    ],
)
def test_invalid_breaks(windows: tuple, duration: int, match: str) -> None:
    with pytest.raises(ProblemError, match=match):
        Break("b", windows, duration)
