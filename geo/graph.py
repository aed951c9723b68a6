"""Build the street graph: from the shapefile export, from OSM XML, and the cached Beilin graph.

Graphs follow osmnx conventions: a ``networkx.MultiDiGraph`` with graph attribute ``crs``,
node attributes ``x`` (lon), ``y`` (lat), ``street_count``, and edge attributes ``osmid``,
``highway``, ``oneway``, ``length`` (m), ``name``, ``geometry`` and, once routable,
``speed_kph``, ``intersection_delay`` (s) and ``travel_time`` (s, off-peak).
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import osmnx as ox
import pandas as pd

from geo._errors import GraphDataError
from geo.speeds import INTERSECTION_DELAY_S, add_edge_speeds, add_edge_travel_times

__all__ = ["graph_from_shapefiles", "graph_from_xml", "load_beilin_graph", "routable_graph"]

# Shapefile attributes that osmnx keeps as lists but the export wrote as "['a', 'b']".
_LIST_FIELDS = ("osmid", "highway", "name", "lanes", "maxspeed", "junction", "access", "ref")


def _parse_list_string(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
        if isinstance(parsed, list | tuple):
            return list(parsed)
    return value


def _parse_osmid(value: Any) -> Any:
    """OSM way ids: an int, or a list of ints (merged ways), as osmnx keeps them."""
    value = _parse_list_string(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def graph_from_shapefiles(folder: str | Path) -> nx.MultiDiGraph:
    """Return the raw street graph stored as osmnx-exported ``nodes.shp`` and ``edges.shp``.

    Parameters
    ----------
    folder
        Folder holding ``nodes.*`` and ``edges.*`` (WGS-84).

    Returns
    -------
    networkx.MultiDiGraph
        All nodes and edges, attributes normalised to osmnx conventions: node ``street_cou``
        (cut by the shapefile format) renamed ``street_count``; list-valued tags written as
        strings parsed back into lists; ``oneway`` a bool; the shapefile ``fid`` dropped.
        No speeds or travel times yet (see :func:`routable_graph`).

    Raises
    ------
    GraphDataError
        If a file is missing or a required column is absent.
    """
    folder = Path(folder)
    nodes_path, edges_path = folder / "nodes.shp", folder / "edges.shp"
    for path in (nodes_path, edges_path):
        if not path.is_file():
            raise GraphDataError(f"找不到路网文件 / street-network file not found: {path}")
    nodes = gpd.read_file(nodes_path)
    edges = gpd.read_file(edges_path)
    for label, frame, required in (
        ("nodes", nodes, ("osmid", "x", "y")),
        ("edges", edges, ("u", "v", "key", "length")),
    ):
        missing = [c for c in required if c not in frame.columns]
        if missing:
            raise GraphDataError(
                f"{label}.shp 缺少字段 {missing} / {label}.shp lacks columns {missing}"
            )
    nodes = nodes.rename(columns={"street_cou": "street_count"}).set_index("osmid")
    edges = edges.drop(columns=["fid"], errors="ignore").set_index(["u", "v", "key"])
    for column in _LIST_FIELDS:
        if column in edges.columns:
            parse = _parse_osmid if column == "osmid" else _parse_list_string
            edges[column] = edges[column].map(parse).astype(object)
    if "oneway" in edges.columns:
        edges["oneway"] = (
            edges["oneway"].map(lambda x: bool(int(x)) if pd.notna(x) else False).astype(bool)
        )
    return ox.convert.graph_from_gdfs(nodes, edges)


def graph_from_xml(filepath: str | Path, *, simplify: bool = True) -> nx.MultiDiGraph:
    """Return the raw drivable graph of an OSM XML (``.osm``) file, offline, via osmnx.

    Parameters
    ----------
    filepath
        Path of the ``.osm`` file.
    simplify
        Merge chains of degree-2 nodes into single edges (osmnx default). Tiny hand-made
        grids may want ``False`` to keep every corner as a node.

    Returns
    -------
    networkx.MultiDiGraph
        Every connected part (``retain_all``), with osmnx's ``length``, ``oneway``,
        ``street_count``; no speeds yet (see :func:`routable_graph`).
    """
    path = Path(filepath)
    if not path.is_file():
        raise GraphDataError(f"找不到 OSM 文件 {path} / OSM XML file not found: {path}")
    return ox.graph_from_xml(path, simplify=simplify, retain_all=True)


def routable_graph(
    G: nx.MultiDiGraph,
    *,
    hwy_speeds: dict[str, float] | None = None,
    intersection_delay: float = INTERSECTION_DELAY_S,
    strongly_connected: bool = True,
) -> nx.MultiDiGraph:
    """Return a routable copy of ``G``: largest strongly connected part, speeds, travel times.

    Parameters
    ----------
    G
        A raw graph from :func:`graph_from_shapefiles` or :func:`graph_from_xml`.
    hwy_speeds
        Overrides of the urban speed table (km/h per OSM class), see :mod:`geo.speeds`.
    intersection_delay
        Seconds per intersection passed, see :data:`geo.speeds.INTERSECTION_DELAY_S`.
    strongly_connected
        Keep only the largest strongly connected component, so every site snapped to the
        graph can reach every other (one-way dead ends would otherwise trap a van).

    Returns
    -------
    networkx.MultiDiGraph
        New graph with ``speed_kph``, ``intersection_delay`` and ``travel_time`` per edge.

    Raises
    ------
    GraphDataError
        If the graph already has travel times (this step must not run twice) or is empty.
    """
    if G.number_of_edges() == 0:
        raise GraphDataError("路网为空 / the street graph has no edges")
    if any("travel_time" in d for _, _, d in G.edges(data=True)):
        raise GraphDataError(
            "路网已含 travel_time，不能重复处理 / graph already has travel_time; "
            "routable_graph must run once on a raw graph"
        )
    H = ox.truncate.largest_component(G, strongly=True) if strongly_connected else G
    H = add_edge_speeds(H, hwy_speeds=hwy_speeds)
    return add_edge_travel_times(H, intersection_delay=intersection_delay)


@functools.lru_cache(maxsize=4)
def _cached_beilin_graph(folder: str) -> nx.MultiDiGraph:
    G = routable_graph(graph_from_shapefiles(Path(folder) / "osm_drive"))
    # Shared between callers: freeze so that nobody can change the cached structure.
    return nx.freeze(G)


def load_beilin_graph(data_dir: str | Path) -> nx.MultiDiGraph:
    """Return the routable Beilin drive graph (2,071 nodes), cached per data folder.

    Parameters
    ----------
    data_dir
        Folder holding ``osm_drive/`` (the settings' ``data.beilin_dir``, passed down).

    Returns
    -------
    networkx.MultiDiGraph
        The largest strongly connected component of the OSM drive network, with
        ``speed_kph`` and ``travel_time``. The same object is returned to every caller with
        the same folder, so it is **frozen** (``networkx.freeze``): adding or removing nodes
        or edges raises. Do not edit attributes either; take ``G.copy()`` to modify.
    """
    return _cached_beilin_graph(str(Path(data_dir).resolve()))
