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
    ],
)
def test_invalid_breaks(windows: tuple, duration: int, match: str) -> None:
    with pytest.raises(ProblemError, match=match):
        Break("b", windows, duration)
