"""Fixtures of the geo tests: the real Beilin network and a hand-written 3×3 grid.

The grid (tests/geo/data/grid.osm, made up for these tests; columns 200 m apart west–east,
rows 200 m apart south–north)::

    102 ◀─书院街(one-way west)── 112 ◀──书院街── 122
     │西一路                      │南大街           │(unnamed)
    101 ────────东大街────────── 111 ───东大街──── 121
     │                            │                │
    100 ──────南关街(maxspeed 10)── 110 ──南关街─── 120
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

import geo

GRID_OSM = Path(__file__).parent / "data" / "grid.osm"


@pytest.fixture(scope="session")
def beilin_graph(beilin_dir: Path) -> nx.MultiDiGraph:
    """The real, routable Beilin drive graph (frozen, shared; ~1 s to load)."""
    return geo.load_beilin_graph(beilin_dir)


@pytest.fixture(scope="session")
def beilin_index(beilin_graph: nx.MultiDiGraph) -> geo.EdgeIndex:
    """Spatial index of the Beilin graph, built once."""
    return geo.edge_index(beilin_graph)


@pytest.fixture(scope="session")
def grid_osm() -> Path:
    """Path of the hand-written grid .osm file."""
    return GRID_OSM


@pytest.fixture(scope="session")
def grid_raw() -> nx.MultiDiGraph:
    """The grid as osmnx reads it, unsimplified so that every corner stays a node."""
    return nx.freeze(geo.graph_from_xml(GRID_OSM, simplify=False))


@pytest.fixture(scope="session")
def grid(grid_raw: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The routable grid (all of it is strongly connected)."""
    return nx.freeze(geo.routable_graph(grid_raw))
