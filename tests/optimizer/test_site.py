"""Site: a stop with its service time and opening windows."""

from __future__ import annotations

import pytest

from optimizer import ProblemError, Site, TimeWindow

MORNING = TimeWindow(9 * 3600, 12 * 3600)
AFTERNOON = TimeWindow(14 * 3600, 17 * 3600)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},  # only an id: open all week, no service time
        {"service_duration": 300, "name": "碑林区图书馆"},  # a named central library
        {"time_windows": (MORNING, AFTERNOON)},  # a lunch closure
        {"time_windows": [MORNING]},  # a list is taken as a tuple
        {"location": (108.94, 34.25)},  # [lon, lat] in Xi'an
        {"location": [108, 34]},  # whole degrees, as a list
        {"service_duration": 2**32 - 1},  # the longest service
    ],
)
def test_valid_sites(kwargs: dict) -> None:
    site = Site("branch_a", **kwargs)
    assert site.id == "branch_a"
    assert isinstance(site.time_windows, tuple)


@pytest.mark.parametrize(
    ("site_id", "kwargs", "match"),
    [
        ("", {}, r"Site\.id must be a non-empty string"),  # empty id
        (7, {}, r"Site\.id must be a non-empty string, got 7"),  # not a string
        ("a", {"service_duration": -1}, r"Site\[a\]\.service_duration must be >= 0"),
        # never open
        ("a", {"time_windows": ()}, r"Site\[a\]\.time_windows must hold at least one"),
        (
            "a",
            {"time_windows": (AFTERNOON, MORNING)},  # unsorted
            r"Site\[a\]\.time_windows must be sorted and disjoint",
        ),
        (
            "a",
            {"time_windows": (MORNING, TimeWindow(11 * 3600, 15 * 3600))},  # overlapping
            r"sorted and disjoint",
        ),
        # [lat, lon] given the wrong way round
        ("a", {"location": (34.25, 200.0)}, r"Site\[a\]\.location must be \[lon, lat\]"),
        # NaN, a bool, one coordinate only
        ("a", {"location": (float("nan"), 34.25)}, r"Site\[a\]\.location must be \[lon, lat\]"),
        ("a", {"location": (True, 34.25)}, r"Site\[a\]\.location must be \[lon, lat\]"),
        ("a", {"location": (108.9,)}, r"Site\[a\]\.location must be \[lon, lat\]"),
        # service beyond TIME_MAX, or not an integer
        ("a", {"service_duration": 2**32}, r"Site\[a\]\.service_duration must be <= 4294967295"),
        ("a", {"service_duration": True}, r"Site\[a\]\.service_duration must be an integer"),
        # a window given as a pair, not a TimeWindow
        ("a", {"time_windows": ((0, 10),)}, r"Site\[a\]\.time_windows\[0\] must be a TimeWindow"),
        ("a", {"name": 7}, r"Site\[a\]\.name must be a string, got 7"),  # not a name
    ],
)
def test_invalid_sites(site_id: object, kwargs: dict, match: str) -> None:
    with pytest.raises(ProblemError, match=match):
        Site(site_id, **kwargs)  # type: ignore[arg-type]
