"""Building graphs: the shapefile export, OSM XML, the routable Beilin graph."""

from __future__ import annotations

import networkx as nx
import pytest

import geo
from geo._errors import GraphDataError


def test_beilin_graph_is_the_largest_strongly_connected_component(beilin_graph):
    assert len(beilin_graph) == 2071  # README: the largest strongly connected part
    assert nx.is_strongly_connected(beilin_graph)
    assert beilin_graph.graph["crs"].to_epsg() == 4326


def test_every_beilin_edge_has_speed_and_float_travel_time(beilin_graph):
    for u, v, k, data in beilin_graph.edges(keys=True, data=True):
        assert data["speed_kph"] > 0, (u, v, k)
        assert isinstance(data["travel_time"], float)
        assert data["travel_time"] >= data["length"] / (data["speed_kph"] / 3.6)


def test_shapefile_attributes_follow_osmnx_conventions(beilin_graph):
    nodes = dict(beilin_graph.nodes(data=True))
    assert all("street_count" in d and "street_cou" not in d for d in nodes.values())
    edges = [d for _, _, d in beilin_graph.edges(data=True)]
    assert all(isinstance(d["oneway"], bool) for d in edges)
    assert all(isinstance(d["osmid"], int | list) for d in edges)
    # Lists written as strings by the shapefile export come back as lists.
    assert any(isinstance(d.get("highway"), list) for d in edges)
    assert any(isinstance(d.get("name"), list) for d in edges)
    assert not any(isinstance(d.get("name"), str) and d["name"].startswith("[") for d in edges)
    assert sum("maxspeed" in d for d in edges) > 0


def test_beilin_graph_is_cached_and_frozen(beilin_graph, beilin_dir):
    assert geo.load_beilin_graph(beilin_dir) is beilin_graph
    assert geo.load_beilin_graph(str(beilin_dir / ".")) is beilin_graph  # same folder
    with pytest.raises(nx.NetworkXError):
        beilin_graph.add_node(1)
    copy = beilin_graph.copy()
    copy.add_node(1)  # a copy is the caller's to change
    assert 1 not in beilin_graph


def test_raw_shapefile_graph_keeps_every_node(beilin_dir):
    G = geo.graph_from_shapefiles(beilin_dir / "osm_drive")
    assert (len(G), G.number_of_edges()) == (2140, 4774)  # README figures
    assert not any("travel_time" in d for _, _, d in G.edges(data=True))


def test_missing_data_folder_is_a_clear_error(tmp_path):
    with pytest.raises(GraphDataError, match=r"nodes\.shp"):
        geo.graph_from_shapefiles(tmp_path)
    with pytest.raises(GraphDataError, match=r"nodes\.shp"):
        geo.load_beilin_graph(tmp_path)


def test_grid_from_osm_xml(grid_raw, grid):
    assert set(grid_raw.nodes) == {100, 101, 102, 110, 111, 112, 120, 121, 122}
    # 书院街 is one-way westbound: 122 -> 112 -> 102 exists, the reverse does not.
    assert grid_raw.has_edge(122, 112) and not grid_raw.has_edge(112, 122)
    assert grid_raw.edges[112, 102, 0]["name"] == "书院街"
    assert grid.number_of_edges() == grid_raw.number_of_edges() == 22
    assert all("travel_time" in d for _, _, d in grid.edges(data=True))


def test_simplified_xml_graph_merges_the_corners(grid_osm):
    G = geo.graph_from_xml(grid_osm)
    # Corners 100, 120 join two two-way streets and are simplified away; 102 and 122 end
    # the one-way street and stay.
    assert 100 not in G and 120 not in G
    assert {101, 111, 121, 110, 112} <= set(G.nodes)


def test_routable_graph_refuses_to_run_twice(grid):
    with pytest.raises(GraphDataError, match="travel_time"):
        geo.routable_graph(grid)


def test_routable_graph_returns_a_new_graph(grid_raw):
    H = geo.routable_graph(grid_raw)
    assert H is not grid_raw
    assert not any("travel_time" in d for _, _, d in grid_raw.edges(data=True))


def test_missing_osm_file(tmp_path):
    with pytest.raises(GraphDataError, match=r"missing\.osm"):
        geo.graph_from_xml(tmp_path / "missing.osm")
