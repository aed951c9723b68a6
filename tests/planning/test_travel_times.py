"""Travel times demand → site: by hand on small graphs, against geo and networkx on Beilin."""

from __future__ import annotations

from pathlib import Path

import access_graphs as ag
import networkx as nx
import numpy as np
import pytest

import geo
import planning

U = geo.UNREACHABLE


@pytest.fixture(scope="module")
def beilin(beilin_dir: Path) -> nx.MultiDiGraph:
    """The real routable Beilin drive graph (cached by geo)."""
    return geo.load_beilin_graph(beilin_dir)


def _random_points(G: nx.MultiDiGraph, n: int, seed: int) -> np.ndarray:
    """``n`` seeded [lon, lat] points near the graph's streets (jittered street nodes)."""
    rng = np.random.default_rng(seed)
    nodes = list(G.nodes)
    picks = rng.choice(len(nodes), size=n, replace=False)
    xy = np.array([[G.nodes[nodes[i]]["x"], G.nodes[nodes[i]]["y"]] for i in picks])
    return xy + rng.normal(0.0, 0.0004, size=xy.shape)  # about 40 m off the junction


# --- known by hand ---------------------------------------------------------------------------


def test_drive_times_follow_the_one_way_ring_in_both_directions() -> None:
    G = ag.ring()
    sites = [ag.site_at(G, "A", 1), ag.site_at(G, "B", 3)]
    demand = ag.demand_at(G, {2: 100, 4: 300})
    to_site = planning.travel_matrix(G, demand, sites)
    from_site = planning.travel_matrix(G, demand, sites, direction="from_site")
    assert to_site.tolist() == [[180, 60], [60, 180]]  # d2→A goes round by 3 and 4
    assert from_site.tolist() == [[60, 180], [180, 60]]


def test_a_one_way_street_is_walked_both_ways_but_driven_one_way() -> None:
    G = ag.one_way()
    at_1, at_2 = ag.demand_at(G, {1: 1}), ag.demand_at(G, {2: 1})
    site_1 = [ag.site_at(G, "s", 1)]
    assert planning.travel_matrix(G, at_2, site_1).tolist() == [[U]]  # against the one-way
    assert planning.travel_matrix(G, at_1, [ag.site_at(G, "s", 2)]).tolist() == [[100]]
    assert planning.travel_matrix(G, at_2, site_1, mode="walk").tolist() == [[900]]
    assert planning.travel_matrix(G, at_1, site_1, mode="walk").tolist() == [[0]]


def test_a_site_halfway_along_a_street_is_reached_along_it() -> None:
    G = ag.one_way()
    demand = ag.demand_at(G, {1: 1, 2: 1})
    quarter = [("q", *ag.lonlat(250.0, 0.0))]  # a quarter of the way from 1 to 2
    assert planning.travel_matrix(G, demand, quarter).tolist() == [[25], [U]]
    from_q = planning.travel_matrix(G, demand, quarter, direction="from_site")
    assert from_q.tolist() == [[U], [75]]
    assert planning.travel_matrix(G, demand, quarter, mode="walk").tolist() == [[225], [675]]


def test_two_points_on_one_street_are_joined_along_it_not_round_the_block() -> None:
    G = ag.one_way()
    # Both snapped onto the street 1 ──▶ 2, demand 200 m before the site.
    demand = [("d", *ag.lonlat(300.0, 0.0))]
    site = [("s", *ag.lonlat(500.0, 0.0))]
    assert planning.travel_matrix(G, demand, site).tolist() == [[20]]
    assert planning.travel_matrix(G, demand, site, direction="from_site").tolist() == [[U]]


def test_a_demand_point_at_the_site_is_zero_seconds_either_way_on_a_one_way_street() -> None:
    G = ag.one_way()
    here = [("here", *ag.lonlat(400.0, 0.0))]
    assert planning.travel_matrix(G, here, here).tolist() == [[0]]
    assert planning.travel_matrix(G, here, here, direction="from_site").tolist() == [[0]]


def test_times_are_rounded_once_at_the_end() -> None:
    G = ag.street()
    demand = ag.demand_at(G, {2: 1, 3: 1})
    # 1,000 m at 4 km/h is 900 s exactly; 1.2 m more is 1.08 s: 901.08 s, rounded to 901.
    walk = planning.travel_matrix(G, demand, [ag.site_at(G, "s", 1)], mode="walk")
    assert walk.tolist() == [[900], [901]]


def test_walking_speed_is_a_parameter() -> None:
    G = ag.street()
    demand = ag.demand_at(G, {2: 1})
    fast = planning.travel_matrix(
        G, demand, [ag.site_at(G, "s", 1)], mode="walk", walk_speed_kph=5.0
    )
    assert fast.tolist() == [[720]]  # 1,000 m at 5 km/h


def test_rush_hour_scales_driving_not_walking() -> None:
    G = ag.one_way()
    demand = ag.demand_at(G, {1: 1})
    site = [ag.site_at(G, "s", 2)]
    peak = planning.travel_matrix(G, demand, site, depart_at=8 * 3600)
    assert peak.tolist() == [[round(100 * geo.RUSH_HOUR_FACTOR)]]
    walk = planning.travel_matrix(G, demand, site, mode="walk", depart_at=8 * 3600)
    assert walk.tolist() == [[900]]


def test_nearest_site_names_the_column_and_its_time() -> None:
    G = ag.ring()
    sites = [ag.site_at(G, "A", 1), ag.site_at(G, "B", 3)]
    site, seconds = planning.nearest_site(G, ag.demand_at(G, {2: 1, 4: 1}), sites)
    assert site.tolist() == [1, 0]
    assert seconds.tolist() == [60, 60]


def test_nearest_site_is_minus_one_where_no_site_is_reached() -> None:
    G = ag.one_way()
    site, seconds = planning.nearest_site(G, ag.demand_at(G, {2: 1}), [ag.site_at(G, "s", 1)])
    assert site.tolist() == [-1]
    assert seconds.tolist() == [U]


def test_walk_graph_adds_the_reverse_of_one_way_streets_only() -> None:
    W = planning.walk_graph(ag.one_way())
    assert sorted(W.edges()) == [(1, 2), (2, 1)]
    assert W.edges[2, 1, 0]["travel_time"] == pytest.approx(900.0)
    assert W.edges[2, 1, 0]["reversed"] is True
    two_way = planning.walk_graph(ag.street())
    assert two_way.number_of_edges() == ag.street().number_of_edges()  # already both ways


def test_the_input_graph_is_left_unchanged() -> None:
    G = ag.one_way()
    planning.walk_graph(G)
    planning.travel_matrix(G, ag.demand_at(G, {1: 1}), [ag.site_at(G, "s", 2)], mode="walk")
    assert G.number_of_edges() == 1
    assert G.edges[1, 2, 0]["travel_time"] == 100.0


# --- input errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keyword", "value", "named"),
    [
        ("mode", "bike", "mode"),  # neither drive nor walk
        ("direction", "both", "direction"),  # neither to_site nor from_site
        ("walk_speed_kph", 0.0, "walk_speed_kph"),  # standing still
        ("walk_speed_kph", 40.0, "walk_speed_kph"),  # nobody walks at 40 km/h
    ],
)
def test_an_unknown_option_is_named(keyword: str, value: object, named: str) -> None:
    G = ag.one_way()
    with pytest.raises(ValueError, match=named):
        planning.travel_matrix(
            G, ag.demand_at(G, {1: 1}), [ag.site_at(G, "s", 2)], **{keyword: value}
        )


def test_a_site_far_from_every_street_is_named() -> None:
    G = ag.one_way()
    far = [("far-away", *ag.lonlat(500.0, 150.0))]  # 150 m off the street
    with pytest.raises(geo.SnapError, match="far-away") as caught:
        planning.travel_matrix(G, ag.demand_at(G, {1: 1}), far, max_distance=100.0)
    assert caught.value.failures[0][1] == "too_far"


def test_a_demand_node_not_in_the_graph_is_named() -> None:
    G = ag.one_way()
    demand = ag.demand_at(G, {1: 1})
    demand["node"] = demand["node"].astype("Int64") + 99
    with pytest.raises(ValueError, match="100"):
        planning.travel_matrix(G, demand, [ag.site_at(G, "s", 2)])


def test_a_bad_coordinate_is_named() -> None:
    G = ag.one_way()
    with pytest.raises(ValueError, match="broken"):
        planning.travel_matrix(G, [("broken", float("nan"), 34.25)], [ag.site_at(G, "s", 2)])


def test_no_sites_gives_an_empty_matrix() -> None:
    G = ag.one_way()
    assert planning.travel_matrix(G, ag.demand_at(G, {1: 1}), []).shape == (1, 0)


# --- the Beilin network ----------------------------------------------------------------------


@pytest.mark.slow
def test_site_to_site_times_equal_geo_travel_matrices(beilin: nx.MultiDiGraph) -> None:
    points = _random_points(beilin, 40, seed=11)
    names = [f"s{i}" for i in range(len(points))]
    snapped = geo.snap_points(beilin, points, names=names)
    # geo keeps a site at a street's very end on its one street; planning puts it on the
    # junction. Compare the sites strictly inside their street.
    inner = [i for i, p in enumerate(snapped) if 0.5 < p.offset_m < p.edge_length - 0.5]
    assert len(inner) >= 30
    expected, _ = geo.travel_matrices(beilin, [snapped[i] for i in inner])
    sites = [(names[i], *points[i]) for i in inner]
    ours = planning.travel_matrix(beilin, sites, sites)
    assert np.abs(ours - expected).max() <= 1  # float sums in another order, rounded once
    back = planning.travel_matrix(beilin, sites, sites, direction="from_site")
    assert np.abs(back - expected.T).max() <= 1


@pytest.mark.slow
def test_node_times_equal_networkx_dijkstra_by_car_and_on_foot(beilin: nx.MultiDiGraph) -> None:
    nodes = list(beilin.nodes)[::97]  # 22 street nodes spread over the graph
    demand = ag.demand_at(beilin, dict.fromkeys(nodes, 1.0))
    site_node = nodes[3]
    site = [ag.site_at(beilin, "s", site_node)]
    drive = planning.travel_matrix(beilin, demand, site)[:, 0]
    to_site = nx.single_source_dijkstra_path_length(
        beilin.reverse(copy=False), site_node, weight="travel_time"
    )
    assert drive.tolist() == [round(to_site[n]) for n in nodes]
    walk = planning.travel_matrix(beilin, demand, site, mode="walk")[:, 0]
    on_foot = nx.single_source_dijkstra_path_length(
        planning.walk_graph(beilin), site_node, weight="travel_time"
    )
    assert walk.tolist() == [round(on_foot[n]) for n in nodes]


@pytest.mark.slow
def test_from_site_is_to_site_with_the_roles_swapped(beilin: nx.MultiDiGraph) -> None:
    a = [(f"a{i}", *p) for i, p in enumerate(_random_points(beilin, 25, seed=3))]
    b = [(f"b{i}", *p) for i, p in enumerate(_random_points(beilin, 7, seed=4))]
    forward = planning.travel_matrix(beilin, a, b, direction="from_site")
    swapped = planning.travel_matrix(beilin, b, a, direction="to_site")
    assert np.array_equal(forward, swapped.T)
    drive_to = planning.travel_matrix(beilin, a, b)
    assert not np.array_equal(drive_to, forward)  # one-way streets make driving asymmetric
    walk_to = planning.travel_matrix(beilin, a, b, mode="walk")
    assert np.array_equal(walk_to, planning.travel_matrix(beilin, a, b, mode="walk",
                                                          direction="from_site"))  # fmt: skip


@pytest.mark.slow
def test_nearest_site_agrees_with_the_matrix_row_minima(beilin: nx.MultiDiGraph) -> None:
    demand = _random_points(beilin, 300, seed=8)
    sites = [(f"s{i}", *p) for i, p in enumerate(_random_points(beilin, 12, seed=9))]
    for mode in ("drive", "walk"):
        matrix = planning.travel_matrix(beilin, demand, sites, mode=mode)
        site, seconds = planning.nearest_site(beilin, demand, sites, mode=mode)
        assert np.array_equal(seconds, matrix.min(axis=1))
        assert np.array_equal(matrix[np.arange(len(demand)), site], seconds)


@pytest.mark.slow
def test_walk_graph_gives_the_walk_mode_times(beilin: nx.MultiDiGraph) -> None:
    demand = _random_points(beilin, 50, seed=5)
    sites = [(f"s{i}", *p) for i, p in enumerate(_random_points(beilin, 5, seed=6))]
    walk = planning.travel_matrix(beilin, demand, sites, mode="walk")
    # On the walking copy every street is two-way at walking speed: its own travel_time is
    # the walking time.
    on_copy = planning.travel_matrix(planning.walk_graph(beilin), demand, sites, mode="drive")
    assert np.abs(walk - on_copy).max() <= 1
