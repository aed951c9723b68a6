"""Small named street graphs whose travel times are known by hand (made up, near Xi'an).

Nodes are placed in UTM 49N metres (the CRS ``geo`` snaps in) and stored in WGS-84, so an
edge's ``length`` is its drawn length. Drive times are set by hand (``travel_time``, no
junction delay); walking times follow from ``length`` at 4 km/h: 1,000 m = 900 s.

``ring()``, a one-way square, 500 m sides, 60 s each by car::

    4 ◀──── 3          site B at 3, site A at 1
    │       ▲          demand d2 at 2 (100 residents), d4 at 4 (300 residents)
    ▼       │          by car, to the site: d2→A 180 s, d2→B 60 s, d4→A 60 s, d4→B 180 s
    1 ────▶ 2          from the site:       A→d2 60 s, A→d4 180 s, B→d2 180 s, B→d4 60 s

``street()``, one two-way street 1 ── 2 ── 3: 1,000 m then 1.2 m (walk 900 s, then 901 s).

``one_way()``, one one-way street 1 ──▶ 2, 1,000 m, 100 s by car.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import networkx as nx
import pandas as pd
from pyproj import Transformer
from shapely.geometry import Point

X0, Y0 = 311_000.0, 3_791_000.0  # UTM 49N metres: about 108.95 E, 34.25 N (Beilin)
_TO_LONLAT = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True)


def lonlat(x: float, y: float) -> tuple[float, float]:
    """WGS-84 of a point ``x``, ``y`` metres east and north of the graphs' origin."""
    lon, lat = _TO_LONLAT.transform(X0 + x, Y0 + y)
    return float(lon), float(lat)


def graph(
    nodes: dict[int, tuple[float, float]],
    edges: Sequence[tuple[int, int, float, float, bool]],
) -> nx.MultiDiGraph:
    """An osmnx-style graph: ``nodes`` {id: (x m, y m)}; ``edges`` (u, v, length, seconds,
    oneway); a two-way edge is stored both ways, as osmnx does."""
    G = nx.MultiDiGraph(crs="EPSG:4326")
    for n, (x, y) in nodes.items():
        lon, lat = lonlat(x, y)
        G.add_node(n, x=lon, y=lat, street_count=2)
    for way, (u, v, length, seconds, oneway) in enumerate(edges, start=1):
        data = {
            "osmid": way,
            "highway": "residential",
            "oneway": oneway,
            "length": length,
            "speed_kph": length / seconds * 3.6,
            "intersection_delay": 0.0,
            "travel_time": seconds,
        }
        G.add_edge(u, v, **data)
        if not oneway:
            G.add_edge(v, u, **data)
    return G


def ring() -> nx.MultiDiGraph:
    """The one-way square of the module notes."""
    corners = {1: (0.0, 0.0), 2: (500.0, 0.0), 3: (500.0, 500.0), 4: (0.0, 500.0)}
    return graph(corners, [(1, 2, 500.0, 60.0, True), (2, 3, 500.0, 60.0, True),
                           (3, 4, 500.0, 60.0, True), (4, 1, 500.0, 60.0, True)])  # fmt: skip


def street() -> nx.MultiDiGraph:
    """The two-way street 1 ── 2 ── 3 (1,000 m, then 1.2 m more)."""
    nodes = {1: (0.0, 0.0), 2: (1000.0, 0.0), 3: (1001.2, 0.0)}
    return graph(nodes, [(1, 2, 1000.0, 100.0, False), (2, 3, 1.2, 0.12, False)])


def one_way() -> nx.MultiDiGraph:
    """The one-way street 1 ──▶ 2 (1,000 m, 100 s)."""
    return graph({1: (0.0, 0.0), 2: (1000.0, 0.0)}, [(1, 2, 1000.0, 100.0, True)])


def site_at(G: nx.MultiDiGraph, code: str, node: int) -> tuple[str, float, float]:
    """A ``(code, lon, lat)`` site standing on ``node``."""
    return code, G.nodes[node]["x"], G.nodes[node]["y"]


def demand_at(G: nx.MultiDiGraph, people: dict[int, float]) -> gpd.GeoDataFrame:
    """Demand points on nodes (``node`` column set), ``population`` as given."""
    ids = list(people)
    return gpd.GeoDataFrame(
        {
            "node": pd.array(ids, dtype="Int64"),
            "population": [float(people[n]) for n in ids],
        },
        geometry=[Point(G.nodes[n]["x"], G.nodes[n]["y"]) for n in ids],
        crs="EPSG:4326",
        index=pd.Index([f"d{n}" for n in ids], name="demand_id"),
    )
