"""Routes between two sites and their turn-by-turn directions."""

from __future__ import annotations

import numpy as np
import pytest

import geo
from geo import RoutingError
from geo.routing import _turn

DY = 5 / 111_320.0  # 5 m off a street, in degrees of latitude


@pytest.fixture
def sites(grid):
    """Named sites on the grid (see conftest for the map)."""
    names = ["东大街西", "南大街北", "东大街东", "无名路南", "书院街东"]
    points = [
        [108.9505, 34.2518 + DY],  # 东大街, 46 m east of 101
        [108.95205, 34.2530],  # 南大街, 133 m north of 111
        [108.9535, 34.2518 - DY],  # 东大街, 46 m west of 121
        [108.95395, 34.2505],  # unnamed street, 56 m north of 120
        [108.9535, 34.2536 - DY],  # 书院街 (one-way west), 46 m west of 122
    ]
    return dict(zip(names, geo.snap_points(grid, points, names=names), strict=True))


def _texts(grid, a, b, lang="zh"):
    return [i.text for i in geo.directions(grid, geo.shortest_path(grid, a, b), lang=lang)]


def test_left_turn_from_east_street_into_south_street(grid, sites):
    assert _texts(grid, sites["东大街西"], sites["南大街北"]) == [
        "沿东大街向东行驶 140 米，左转进入南大街",
        "沿南大街向北行驶 130 米",
        "到达目的地",
    ]
    assert _texts(grid, sites["东大街西"], sites["南大街北"], lang="en") == [
        "Head east on 东大街 for 140 m, then turn left onto 南大街",
        "Head north on 南大街 for 130 m",
        "Arrive at the destination",
    ]


def test_the_way_back_turns_right(grid, sites):
    assert _texts(grid, sites["南大街北"], sites["东大街西"]) == [
        "沿南大街向南行驶 130 米，右转进入东大街",
        "沿东大街向西行驶 140 米",
        "到达目的地",
    ]


def test_unnamed_road(grid, sites):
    assert _texts(grid, sites["东大街东"], sites["无名路南"]) == [
        "沿东大街向东行驶 50 米，右转进入无名道路",
        "沿无名道路向南行驶 140 米",
        "到达目的地",
    ]
    assert _texts(grid, sites["东大街东"], sites["无名路南"], lang="en")[0] == (
        "Head east on 东大街 for 50 m, then turn right onto unnamed road"
    )


def test_one_way_street_is_entered_from_its_start(grid, sites):
    # 书院街 runs west only, so reaching its east end from 南大街 goes round by 121 and 122.
    assert _texts(grid, sites["南大街北"], sites["书院街东"]) == [
        "沿南大街向南行驶 130 米，左转进入东大街",
        "沿东大街向东行驶 180 米，左转进入无名道路",
        "沿无名道路向北行驶 200 米，左转进入书院街",
        "沿书院街向西行驶 50 米",
        "到达目的地",
    ]


def test_consecutive_edges_of_one_street_are_one_instruction(grid, sites):
    instructions = geo.directions(
        grid, geo.shortest_path(grid, sites["东大街西"], sites["东大街东"])
    )
    assert [i.text for i in instructions] == ["沿东大街向东行驶 280 米", "到达目的地"]
    assert instructions[0].distance == 276 and instructions[0].turn == "none"
    assert instructions[-1].turn == "arrive"


def test_path_matches_the_matrix(grid, sites):
    pts = list(sites.values())
    seconds, metres = geo.travel_matrices(grid, pts)
    for i, a in enumerate(pts):
        for j, b in enumerate(pts):
            if i != j:
                path = geo.shortest_path(grid, a, b)
                assert path.length == pytest.approx(metres[i, j], abs=1)
                assert path.travel_time == pytest.approx(seconds[i, j], abs=1)


def test_path_geometry_runs_from_site_to_site(grid, sites):
    a, b = sites["南大街北"], sites["书院街东"]
    path = geo.shortest_path(grid, a, b)
    assert path.nodes == [111, 121, 122]
    assert path.edges == [(112, 111, 0), (111, 121, 0), (121, 122, 0), (122, 112, 0)]
    start, end = path.coordinates[0], path.coordinates[-1]
    assert geo.haversine_m(*start, a.lon, a.lat) == pytest.approx(a.distance_m, abs=0.5)
    assert geo.haversine_m(*end, b.lon, b.lat) == pytest.approx(b.distance_m, abs=0.5)


def test_two_sites_on_one_edge_need_no_node(grid):
    p, q = geo.snap_points(grid, [[108.9505, 34.2518 + DY], [108.9515, 34.2518 + DY]])
    path = geo.shortest_path(grid, q, p)  # westwards on the two-way street: reverse edge
    assert path.nodes == [] and path.edges == [(111, 101, 0)]
    assert path.length == pytest.approx(92, abs=2)


def test_rush_hour_and_length_weight(grid, sites):
    a, b = sites["南大街北"], sites["书院街东"]
    off = geo.shortest_path(grid, a, b)
    peak = geo.shortest_path(grid, a, b, depart_at=17 * 3600 + 1800)
    assert peak.travel_time == pytest.approx(off.travel_time * geo.RUSH_HOUR_FACTOR, abs=1)
    assert geo.shortest_path(grid, a, b, weight="length").length <= off.length
    with pytest.raises(ValueError, match="weight"):
        geo.shortest_path(grid, a, b, weight="cost")


def test_no_route_is_a_routing_error(grid_raw):
    G = grid_raw.copy()
    G.remove_edge(121, 120, 0)
    G.remove_edge(110, 120, 0)
    G = geo.routable_graph(G, strongly_connected=False)
    a, b = geo.snap_points(G, [[108.9505, 34.2519], [108.95395, 34.2505]], names=["甲", "乙"])
    with pytest.raises(RoutingError, match="'甲' 到 '乙'"):
        geo.shortest_path(G, a, b)


@pytest.mark.parametrize(
    ("delta", "turn"),
    [
        (0.0, "straight"),
        (-19.9, "straight"),
        (30.0, "slight_right"),
        (-30.0, "slight_left"),
        (90.0, "right"),
        (-90.0, "left"),
        (149.0, "right"),
        (170.0, "uturn"),
        (-180.0, "uturn"),
    ],
)
def test_turn_from_change_of_bearing(delta, turn):
    assert _turn(delta) == turn


def test_bad_language(grid, sites):
    path = geo.shortest_path(grid, sites["东大街西"], sites["南大街北"])
    with pytest.raises(ValueError, match="lang"):
        geo.directions(grid, path, lang="fr")  # type: ignore[arg-type]


def test_beilin_route_from_the_bell_tower(beilin_graph, beilin_index):
    # Bell Tower roundabout to a point 2 km south-east, on the real network.
    a, b = geo.snap_points(
        beilin_graph,
        [[108.9425, 34.2611], [108.9600, 34.2480]],
        names=["钟楼", "东南"],
        index=beilin_index,
    )
    path = geo.shortest_path(beilin_graph, a, b)
    seconds, metres = geo.travel_matrices(beilin_graph, [a, b])
    assert path.length == pytest.approx(metres[0, 1], abs=1)
    assert path.travel_time == pytest.approx(seconds[0, 1], abs=1)
    lons, lats = np.array(path.coordinates).T
    assert lons.min() > 108.92 and lons.max() < 109.01
    assert 34.20 < lats.min() < lats.max() < 34.28
    zh = geo.directions(beilin_graph, path)
    assert zh[-1].text == "到达目的地"
    assert zh[0].text.startswith("沿环岛行驶")  # the Bell Tower roundabout, one instruction
    assert all(i.text.startswith("沿") and "[" not in i.text for i in zh[:-1])
    assert sum(i.distance for i in zh) == pytest.approx(path.length, abs=len(zh))
    en = geo.directions(beilin_graph, path, lang="en")
    assert en[-1].text == "Arrive at the destination" and len(en) == len(zh)
