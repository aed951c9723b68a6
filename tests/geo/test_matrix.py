"""Travel matrices: checked against an independent networkx computation."""

from __future__ import annotations

import itertools
from collections import defaultdict

import networkx as nx
import numpy as np
import pytest

import geo
from geo import UNREACHABLE, SnappedPoint

M_PER_DEG_LAT = 111_320.0


def reference_matrices(G: nx.MultiDiGraph, points: list[SnappedPoint]):
    """Insert each site as a node on its street (both directions if two-way), then run
    networkx's Dijkstra from every site: an independent check of ``travel_matrices``."""
    H = nx.MultiDiGraph()
    for u, v, k, d in G.edges(keys=True, data=True):
        H.add_edge(u, v, k, travel_time=d["travel_time"], length=d["length"])
    on_edge = defaultdict(list)
    for i, p in enumerate(points):
        on_edge[(p.u, p.v, p.key)].append(i)
    for (u, v, k), members in on_edge.items():
        d = G.edges[u, v, k]
        chains = [((u, v, k), d, sorted(members, key=lambda i: points[i].offset_m), False)]
        for rk, rd in G[v][u].items() if G.has_edge(v, u) and u != v else []:
            if abs(rd["length"] - d["length"]) <= 1.0:
                order = sorted(members, key=lambda i: -points[i].offset_m)
                chains.append(((v, u, rk), rd, order, True))
                break
        for (a, b, key), data, order, backwards in chains:
            H.remove_edge(a, b, key)
            drive = data["travel_time"] - data["intersection_delay"]
            length = d["length"]
            stops = [(a, 0.0)]
            for i in order:
                pos = length - points[i].offset_m if backwards else points[i].offset_m
                stops.append((("site", i), pos))
            stops.append((b, length))
            for (n1, x1), (n2, x2) in itertools.pairwise(stops):
                t = (x2 - x1) / length * drive
                if n2 == b:
                    t += data["intersection_delay"]
                H.add_edge(n1, n2, travel_time=t, length=(x2 - x1) / length * data["length"])
    n = len(points)
    seconds = np.full((n, n), UNREACHABLE, dtype=np.int64)
    metres = np.full((n, n), UNREACHABLE, dtype=np.int64)
    for i in range(n):
        dist, paths = nx.single_source_dijkstra(H, ("site", i), weight="travel_time")
        for j in range(n):
            if ("site", j) not in dist:
                continue
            path = paths[("site", j)]
            total = 0.0
            for a, b in itertools.pairwise(path):
                best = min(H[a][b].values(), key=lambda e: e["travel_time"])
                total += best["length"]
            seconds[i, j] = round(dist[("site", j)])
            metres[i, j] = round(total)
    return seconds, metres


def _grid_sites(grid):
    dy = 8 / M_PER_DEG_LAT  # 8 m off the street
    points = [
        [108.9505, 34.2518 + dy],  # 东大街, west block
        [108.9535, 34.2518 - dy],  # 东大街, east block
        [108.9530, 34.2536 - dy],  # 书院街 (one-way west), east half
        [108.9510, 34.2536 - dy],  # 书院街, west half
        [108.9520 + 0.00008, 34.2509],  # 南大街, between 110 and 111
        [108.9540 - 0.00008, 34.2527],  # unnamed east street, north part
        [108.9515, 34.2500 + dy],  # 南关街 (maxspeed 10)
    ]
    return geo.snap_points(grid, points, names=[f"s{i}" for i in range(len(points))])


def test_grid_matrix_matches_networkx_reference(grid):
    sites = _grid_sites(grid)
    seconds, metres = geo.travel_matrices(grid, sites)
    ref_seconds, _ = reference_matrices(grid, sites)
    np.testing.assert_allclose(seconds, ref_seconds, atol=1)
    assert seconds.dtype == np.int64 and metres.dtype == np.int64
    assert (np.diag(seconds) == 0).all() and (np.diag(metres) == 0).all()


def test_one_way_street_makes_the_matrix_asymmetric(grid):
    dy = 5 / M_PER_DEG_LAT
    a, b = geo.snap_points(grid, [[108.953, 34.2536 - dy], [108.951, 34.2536 - dy]])
    assert (a.u, a.v) == (122, 112) and (b.u, b.v) == (112, 102)
    seconds, metres = geo.travel_matrices(grid, [a, b])
    # a -> b: straight on westwards along 书院街, 92 + 92 m.
    assert metres[0, 1] == pytest.approx(184, abs=2)
    # b -> a: round the block: 102, 101, 111, 121, 122 and back along 书院街.
    assert metres[1, 0] == pytest.approx(92 + 200 + 184 + 184 + 200 + 92, abs=5)
    assert seconds[1, 0] > 3 * seconds[0, 1]


def test_two_sites_on_one_edge_are_joined_directly_in_travel_order(grid):
    dy = 5 / M_PER_DEG_LAT
    # Two-way 东大街 (101–111): either order is a direct run of half the block.
    p, q = geo.snap_points(grid, [[108.9505, 34.2518 + dy], [108.9515, 34.2518 + dy]])
    assert (p.u, p.v, p.key) == (q.u, q.v, q.key)
    _, metres = geo.travel_matrices(grid, [p, q])
    assert metres[0, 1] == pytest.approx(92, abs=2) and metres[1, 0] == pytest.approx(92, abs=2)
    # One-way 书院街 (122 -> 112): only the westward order is direct.
    e, w = geo.snap_points(grid, [[108.9535, 34.2536 - dy], [108.9525, 34.2536 - dy]])
    _, metres = geo.travel_matrices(grid, [e, w])
    assert metres[0, 1] == pytest.approx(92, abs=2)
    # Back east means round the block: 112, 111, 121, 122, then 46 m along 书院街 again.
    assert metres[1, 0] == pytest.approx(46 + 200 + 184 + 200 + 46, abs=3)


def test_rush_hour_departure_is_slower_by_the_rush_factor(grid):
    sites = _grid_sites(grid)
    peak, peak_m = geo.travel_matrices(grid, sites, depart_at=8 * 3600)
    off, off_m = geo.travel_matrices(grid, sites, depart_at=10 * 3600)
    off_none, _ = geo.travel_matrices(grid, sites)
    np.testing.assert_array_equal(off, off_none)
    np.testing.assert_array_equal(peak_m, off_m)  # same routes, same metres
    assert (peak[~np.eye(len(sites), dtype=bool)] > off[~np.eye(len(sites), dtype=bool)]).all()
    np.testing.assert_allclose(peak, off * geo.RUSH_HOUR_FACTOR, atol=1)


def test_unreachable_pairs_get_the_unreachable_value(grid_raw):
    # Take away both ways into corner 120: a site on 120 -> 121 can be left but not reached.
    G = grid_raw.copy()
    G.remove_edge(121, 120, 0)
    G.remove_edge(110, 120, 0)
    G = geo.routable_graph(G, strongly_connected=False)
    sites = geo.snap_points(G, [[108.9540 - 0.00008, 34.2505], [108.9505, 34.2519]])
    assert (sites[0].u, sites[0].v) == (120, 121)
    seconds, metres = geo.travel_matrices(G, sites)
    assert seconds[1, 0] == metres[1, 0] == UNREACHABLE == 10**9
    assert seconds[0, 1] < UNREACHABLE


def test_unreachable_value_is_the_optimizers():
    from optimizer import UNREACHABLE as OPTIMIZER_UNREACHABLE

    assert UNREACHABLE == OPTIMIZER_UNREACHABLE


def test_no_sites_gives_empty_matrices(grid):
    seconds, metres = geo.travel_matrices(grid, [])
    assert seconds.shape == metres.shape == (0, 0)


def test_beilin_matrix_matches_networkx_reference(beilin_graph, beilin_index):
    rng = np.random.default_rng(5)
    pts = np.column_stack([rng.uniform(108.93, 109.0, 25), rng.uniform(34.215, 34.275, 25)])
    sites = geo.snap_points(beilin_graph, pts, max_distance=5_000, index=beilin_index)
    seconds, metres = geo.travel_matrices(beilin_graph, sites)
    ref_seconds, ref_metres = reference_matrices(beilin_graph, sites)
    np.testing.assert_allclose(seconds, ref_seconds, atol=1)
    np.testing.assert_allclose(metres, ref_metres, atol=1)
    assert (seconds != seconds.T).any()  # one-way streets: not symmetric
    assert (seconds < UNREACHABLE).all()  # strongly connected
