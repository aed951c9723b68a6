"""planning.scenarios: the scenario's fields, the side-by-side frame, new sites by the models."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import networkx as nx
import pytest

import geo
from planning.month import MonthError, month_network, new_service_point
from planning.scenarios import (
    OPENING_HOURS,
    VAN_WEEKDAYS,
    Scenario,
    compare,
    new_site_options,
)

TINY = {"days": 2, "scale": 0.01}


@pytest.fixture(scope="module")
def beilin(beilin_dir: Path) -> nx.MultiDiGraph:
    return geo.load_beilin_graph(beilin_dir)


def test_a_scenario_is_named_by_what_it_changes() -> None:
    base = Scenario()
    assert base.name == "fleet=3 hours=demo van_days=7"
    other = base.replace(fleet=2, breakdown_day=4, shift=(8 * 3600 + 1800, 12 * 3600 + 1800))
    assert other.name == "fleet=2 hours=demo van_days=7 breakdown@4 shift=08:30-12:30"
    assert Scenario(new_sites=(("p-median-1", 108.99, 34.25),)).name.endswith("+p-median-1")
    assert Scenario(name="mine").name == "mine"


def test_a_scenario_is_a_value_that_can_travel_to_a_worker() -> None:
    s = Scenario(fleet=2, new_sites=(("x", 108.9, 34.2),))
    assert pickle.loads(pickle.dumps(s)) == s and hash(s) == hash(Scenario(**_fields(s)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.fleet = 3  # type: ignore[misc]


def _fields(s: Scenario) -> dict[str, object]:
    return {f.name: getattr(s, f.name) for f in dataclasses.fields(s)}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"van_days": 4}, "van_days"),  # no calendar for 4 days a week
        ({"hours": "24h"}, "hours"),
        ({"new_sites": (("x", 108.9),)}, "new_sites"),  # no latitude
    ],
)
def test_a_scenario_that_cannot_run_is_refused_naming_the_field(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(MonthError) as raised:
        Scenario(**changes)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_the_named_calendars() -> None:
    assert VAN_WEEKDAYS[3] == (0, 2, 4) and len(VAN_WEEKDAYS[7]) == 7
    closed = OPENING_HOURS["closed_monday"]
    assert 0 not in closed["branch"] and 0 not in closed["service_point"]
    assert 0 in closed["central"]  # the depot stays open


def test_compare_gives_one_row_per_scenario_side_by_side(beilin_dir: Path) -> None:
    scenarios = [
        Scenario(fleet=2, **TINY),  # type: ignore[arg-type]
        Scenario(fleet=2, van_days=3, hours="closed_monday", **TINY),  # type: ignore[arg-type]
    ]
    frame = compare(scenarios, beilin_dir)
    assert list(frame.index) == [s.name for s in scenarios]
    assert frame.index.name == "scenario"
    assert list(frame["van_days"]) == [7, 3] and list(frame["hours"]) == ["demo", "closed_monday"]
    for column in ("km", "van_hours", "vans_needed", "items_moved", "crates_per_stop",
                   "holds_next_open_day", "holds_by_deadline", "transfer_h_median",
                   "transfer_h_p90"):  # fmt: skip
        assert column in frame.columns
    assert frame["km"].dtype.kind == "f" and frame["fleet"].dtype.kind == "i"
    # Monday closed and no van on Tuesday: nothing moves in the two days.
    assert frame.loc[scenarios[1].name, "items_moved"] == 0
    assert frame.loc[scenarios[0].name, "items_moved"] > 0


def test_two_scenarios_of_one_name_are_refused(beilin_dir: Path) -> None:
    with pytest.raises(MonthError, match="scenarios"):
        compare([Scenario(name="a", **TINY), Scenario(name="a", **TINY)], beilin_dir)  # type: ignore[arg-type]


def test_new_sites_by_the_location_models(beilin: nx.MultiDiGraph, beilin_dir: Path) -> None:
    network = month_network(beilin, beilin_dir)
    existing = [(s.id, s.lon, s.lat) for s in network.sites]
    options = new_site_options(beilin, beilin_dir, existing, k=2)
    assert set(options) == {"p_median", "max_covering"}
    for model, choice in options.items():
        assert choice.result.optimal and choice.result.gap == 0
        assert [code for code, _, _ in choice.sites] == [
            f"{model.replace('_', '-')}-1",
            f"{model.replace('_', '-')}-2",
        ]
        # The chosen points are street nodes of the district, not one of the sites.
        for _, lon, lat in choice.sites:
            assert (lon, lat) not in {(x, y) for _, x, y in existing}
    # A scenario takes them as they are, and the month runs with them.
    bigger = month_network(
        beilin, beilin_dir, added=[new_service_point(*s) for s in options["p_median"].sites]
    )
    assert len(bigger.sites) == len(existing) + 2
    with pytest.raises(MonthError, match="models"):
        new_site_options(beilin, beilin_dir, existing, models=("nearest",))
