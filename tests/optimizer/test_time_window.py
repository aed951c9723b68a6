"""TimeWindow: an inclusive [early, late] in seconds, open by default."""

from __future__ import annotations

import pytest

from optimizer import TIME_MAX, ProblemError, TimeWindow


@pytest.mark.parametrize(
    ("early", "late"),
    [
        (0, TIME_MAX),  # the default: open
        (9 * 3600, 17 * 3600),  # office hours
        (43200, 43200),  # one instant
        (1_600_000_000, 1_600_036_000),  # UNIX timestamps, as VROOM clients send them
        (TIME_MAX, TIME_MAX),  # the last representable second
    ],
)
def test_valid_windows(early: int, late: int) -> None:
    window = TimeWindow(early, late)
    assert (window.early, window.late) == (early, late)


@pytest.mark.parametrize(
    ("early", "late", "match"),
    [
        (-1, 10, r"TimeWindow\.early must be >= 0, got -1"),  # before midnight
        (0, -5, r"TimeWindow\.late must be >= 0, got -5"),  # negative end
        (100, 99, r"TimeWindow\.late \(99\) is before TimeWindow\.early \(100\)"),  # reversed
        (1.5, 10, r"TimeWindow\.early must be an integer, got 1\.5"),  # not whole seconds
        (True, 10, r"TimeWindow\.early must be an integer, got True"),  # a bool is no time
        (0, TIME_MAX + 1, r"TimeWindow\.late must be <= 4294967295, got 4294967296"),  # > uint32
        (0, 10**300, r"TimeWindow\.late must be <= 4294967295, got 1000.*\(301 characters\)"),
        (0, 1.6e9, r"TimeWindow\.late must be an integer, got 1600000000\.0"),  # a float
        (0, "300", r"TimeWindow\.late must be an integer, got '300'"),  # text
        (0, float("inf"), r"TimeWindow\.late must be an integer, got inf"),  # no end
    ],
)
def test_invalid_windows(early: object, late: object, match: str) -> None:
    with pytest.raises(ProblemError, match=match):
        TimeWindow(early, late)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("t", "inside"),
    [
        (100, True),  # the early bound is inside
        (200, True),  # the late bound is inside
        (99, False),  # one second early
        (201, False),  # one second late
    ],
)
def test_contains_is_inclusive(t: int, inside: bool) -> None:
    assert TimeWindow(100, 200).contains(t) is inside
