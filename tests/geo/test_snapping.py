"""Attaching sites to the nearest street edge, and refusing the ones we cannot attach."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import geo
from geo import SnapError, SnappedPoint

M_PER_DEG_LAT = 111_320.0


def _offset_from(p: SnappedPoint, node: int) -> float:
    """Metres along the street from ``node`` whichever direction the snapped edge runs."""
    return p.offset_m if p.u == node else p.edge_length - p.offset_m


def test_point_snaps_to_the_nearest_edge_not_node(grid):
    # 20 m north of 东大街, a quarter of the way from 101 to 111 (184 m apart): the nearest
    # node is 46 m away, the street only 20 m.
    p = geo.snap_point(grid, 108.9505, 34.2518 + 20 / M_PER_DEG_LAT, name="书屋")
    assert {p.u, p.v} == {101, 111}
    assert p.distance_m == pytest.approx(20.0, abs=0.5)
    assert _offset_from(p, 101) == pytest.approx(p.edge_length / 4, abs=1.0)
    assert p.name == "书屋" and (p.lon, p.lat) == (108.9505, 34.2518 + 20 / M_PER_DEG_LAT)


def test_one_way_street_snaps_to_its_only_direction(grid):
    # 10 m south of 书院街 between 122 (east) and 112: the street runs west only.
    p = geo.snap_point(grid, 108.9525, 34.2536 - 10 / M_PER_DEG_LAT)
    assert (p.u, p.v) == (122, 112)


def test_snapped_point_is_frozen(grid):
    p = geo.snap_point(grid, 108.9505, 34.2518)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.offset_m = 0.0  # type: ignore[misc]


def test_too_far_from_a_street_is_refused_with_site_and_distance(grid):
    # Centre of the south-west block: 92 m from the nearest street.
    with pytest.raises(SnapError) as err:
        geo.snap_point(grid, 108.951, 34.2509, name="书屋A", max_distance=50)
    assert "站点 '书屋A' 距最近道路 92 米，超过 50 米上限" in str(err.value)
    assert "site '书屋A' is 92 m from the nearest street (limit 50 m)" in str(err.value)
    [(name, reason, distance)] = err.value.failures
    assert (name, reason) == ("书屋A", "too_far")
    assert distance == pytest.approx(92, abs=1)


def test_outside_the_network_extent_is_refused(grid):
    with pytest.raises(SnapError, match=r"站点 '城外' .*在路网范围之外") as err:
        geo.snap_point(grid, 108.96, 34.25, name="城外", max_distance=10_000)
    assert err.value.failures[0][:2] == ("城外", "outside_extent")


def test_every_refused_site_is_reported_in_input_order(grid):
    points = [[108.96, 34.25], [108.9505, 34.2518], [math.nan, 34.25], [108.951, 34.2509]]
    with pytest.raises(SnapError) as err:
        geo.snap_points(grid, points, names=["东", "好", "空", "远"], max_distance=50)
    assert [(n, r) for n, r, _ in err.value.failures] == [
        ("东", "outside_extent"),
        ("空", "invalid_coordinate"),
        ("远", "too_far"),
    ]


@pytest.mark.parametrize(
    ("points", "names", "match"),
    [
        ([108.95, 34.25], None, "points"),  # a single pair, not N×2
        ([[108.95, 34.25, 0.0]], None, "points"),  # three columns
        ([[108.95, 34.25]], ["a", "b"], "names"),  # names do not match points
    ],
)
def test_malformed_input_names_the_field(grid, points, names, match):
    with pytest.raises(ValueError, match=match):
        geo.snap_points(grid, points, names=names)


def test_default_names_are_input_positions(grid):
    ps = geo.snap_points(grid, [[108.9505, 34.2518], [108.9525, 34.2536]])
    assert [p.name for p in ps] == ["#0", "#1"]
    assert geo.snap_points(grid, []) == []


def test_bell_tower_snaps_onto_the_roundabout_area(beilin_graph, beilin_index):
    p = geo.snap_point(beilin_graph, 108.9425, 34.2611, name="钟楼", index=beilin_index)
    assert p.distance_m < 60
    assert 0.0 <= p.offset_m <= p.edge_length
    assert beilin_graph.has_edge(p.u, p.v, p.key)


def test_real_site_far_from_any_drivable_street_is_refused(beilin_graph, beilin_index):
    # Inside a large campus block east of the old city: no drivable street within 300 m in
    # the OSM drive graph.
    with pytest.raises(SnapError, match=r"超过 300 米上限") as err:
        geo.snap_point(beilin_graph, 108.97918, 34.24670, name="校园深处", index=beilin_index)
    name, reason, distance = err.value.failures[0]
    assert (name, reason) == ("校园深处", "too_far") and distance > 300


def test_vectorised_snapping_equals_one_by_one(beilin_graph, beilin_index):
    rng = np.random.default_rng(11)
    pts = np.column_stack([rng.uniform(108.93, 109.0, 40), rng.uniform(34.215, 34.275, 40)])
    many = geo.snap_points(beilin_graph, pts, max_distance=5_000, index=beilin_index)
    one_by_one = [
        geo.snap_point(beilin_graph, x, y, name=f"#{i}", max_distance=5_000)
        for i, (x, y) in enumerate(pts)
    ]
    assert many == one_by_one
    for p in many:
        assert 0.0 <= p.offset_m <= p.edge_length
