"""dispatch.network: sites on the real Beilin street network, their matrices and their legs."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

import geo
from dispatch.network import SiteNetwork, site_leg, site_network

#: Real places in Beilin, [lon, lat] WGS-84.
BELL_TOWER = (108.9425, 34.2611)  # 钟楼
STELE_FOREST = (108.9535, 34.2560)  # 碑林博物馆
SOUTH_GATE = (108.9446, 34.2525)  # 南门（永宁门）


@pytest.fixture(scope="session")
def beilin_graph(beilin_dir: Path) -> nx.MultiDiGraph:
    """The real, routable Beilin drive graph (frozen, shared; ~1 s to load)."""
    return geo.load_beilin_graph(beilin_dir)


@pytest.fixture(scope="module")
def three_sites(beilin_graph: nx.MultiDiGraph) -> SiteNetwork:
    """Bell Tower, Stele Forest and South Gate, off-peak."""
    return site_network(
        beilin_graph, ["bell", "stele", "south_gate"], [BELL_TOWER, STELE_FOREST, SOUTH_GATE]
    )


def test_matrices_are_integer_seconds_and_metres_with_zero_diagonal(
    three_sites: SiteNetwork,
) -> None:
    for matrix in (three_sites.durations, three_sites.distances):
        assert matrix.shape == (3, 3)
        assert matrix.dtype.kind == "i"
        assert matrix.diagonal().tolist() == [0, 0, 0]
        off_diagonal = [matrix[i, j] for i in range(3) for j in range(3) if i != j]
        assert all(0 < v < geo.UNREACHABLE for v in off_diagonal)


def test_leg_between_two_beilin_points_has_directions_in_both_languages(
    three_sites: SiteNetwork,
) -> None:
    leg = three_sites.leg("bell", "stele")
    assert leg.distance > 0 and leg.duration > 0
    assert leg.instructions_zh and leg.instructions_en
    assert len(leg.instructions_zh) == len(leg.instructions_en)
    assert any("米" in line for line in leg.instructions_zh)
    assert any(" m" in line for line in leg.instructions_en)
    assert "到达" in leg.instructions_zh[-1]
    # the polyline runs from near the Bell Tower to near the museum ([lon, lat])
    assert geo.haversine_m(*leg.coordinates[0], *BELL_TOWER) < 100
    assert geo.haversine_m(*leg.coordinates[-1], *STELE_FOREST) < 100


def test_leg_is_the_route_the_matrices_time(three_sites: SiteNetwork) -> None:
    # The route sheet must show the same way the optimiser planned with.
    for a, origin in enumerate(three_sites.ids):
        for b, destination in enumerate(three_sites.ids):
            if a != b:
                leg = three_sites.leg(origin, destination)
                assert leg.distance == three_sites.distances[a, b]
                assert leg.duration == three_sites.durations[a, b]


def test_legs_are_cached_per_network(three_sites: SiteNetwork) -> None:
    assert three_sites.leg("stele", "bell") is three_sites.leg("stele", "bell")


def test_rush_hour_network_gives_slower_legs(
    beilin_graph: nx.MultiDiGraph, three_sites: SiteNetwork
) -> None:
    rush = site_network(
        beilin_graph,
        list(three_sites.ids),
        [BELL_TOWER, STELE_FOREST, SOUTH_GATE],
        depart_at=8 * 3600,
    )
    assert rush.leg("bell", "stele").duration > three_sites.leg("bell", "stele").duration
    assert rush.leg("bell", "stele").duration == rush.durations[0, 1]


def test_site_leg_works_on_snapped_points_directly(
    beilin_graph: nx.MultiDiGraph, three_sites: SiteNetwork
) -> None:
    leg = site_leg(beilin_graph, three_sites.snapped[2], three_sites.snapped[0])
    assert leg == three_sites.leg("south_gate", "bell")


def test_unknown_site_id_is_a_key_error_naming_it(three_sites: SiteNetwork) -> None:
    with pytest.raises(KeyError, match="'library-x'"):
        three_sites.leg("bell", "library-x")


def test_site_outside_the_network_is_refused_with_its_distance(
    beilin_graph: nx.MultiDiGraph,
) -> None:
    # Xianyang, ~25 km west: geo reports it outside the extent; we add how far it is.
    with pytest.raises(geo.SnapError) as info:
        site_network(beilin_graph, ["bell", "xianyang"], [BELL_TOWER, (108.71, 34.33)])
    message = str(info.value)
    assert "'xianyang'" in message and "'bell'" not in message
    assert "km from the street network" in message and "公里" in message
    [(name, reason, distance)] = info.value.failures
    assert (name, reason) == ("xianyang", "outside_extent")
    assert 15_000 < distance < 40_000
