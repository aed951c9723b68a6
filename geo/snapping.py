"""Attach sites ([lon, lat], WGS-84) to the nearest street *edge* of the graph.

Snapping to edges rather than nodes matters in Beilin's long blocks: a site halfway along a
400 m street is 200 m from either junction, and a van reaches it along that street.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry import LineString

from geo._errors import SnapError

__all__ = [
    "DEFAULT_MAX_DISTANCE_M",
    "METRIC_CRS",
    "EdgeIndex",
    "SnappedPoint",
    "edge_index",
    "snap_point",
    "snap_points",
]

#: UTM zone 49N: Xi'an (108.9 E) lies in 108–114 E, so scale error is below 0.03 %.
METRIC_CRS = "EPSG:32649"

#: Sites farther than this from every street are refused (metres).
DEFAULT_MAX_DISTANCE_M = 300.0

#: The network's extent is its nodes' bounding box grown by this many metres.
DEFAULT_EXTENT_MARGIN_M = 200.0


@dataclass(frozen=True)
class SnappedPoint:
    """A site attached to a street edge.

    Attributes
    ----------
    name : str
        The site's name (or ``"#i"``, its input position, if none was given).
    lon, lat : float
        The site's own WGS-84 coordinates (not moved onto the street).
    u, v, key : int
        The directed edge ``(u, v, key)`` of the graph; if the street is two-way its
        reverse edge ``(v, u, k')`` is usable too.
    offset_m : float
        Distance along the edge from ``u`` to the foot of the perpendicular (metres, in the
        edge's own ``length`` scale, 0 ≤ offset_m ≤ edge_length).
    edge_length : float
        The edge's ``length`` (metres).
    distance_m : float
        Straight-line distance from the site to the street (metres).
    """

    name: str
    lon: float
    lat: float
    u: int
    v: int
    key: int
    offset_m: float
    edge_length: float
    distance_m: float


@dataclass(frozen=True)
class EdgeIndex:
    """A spatial index of a graph's edges in metres (build once with :func:`edge_index`)."""

    edges: tuple[tuple[int, int, int], ...]
    lengths: npt.NDArray[np.float64]
    lines: npt.NDArray[Any]  # shapely LineStrings in METRIC_CRS
    tree: shapely.STRtree
    bbox: tuple[float, float, float, float]  # lon/lat of the nodes: west, south, east, north
    n_edges: int  # the graph's edge count when built, to catch a stale index


def _to_metric() -> Transformer:
    return Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)


def edge_index(G: nx.MultiDiGraph) -> EdgeIndex:
    """Return a spatial index of ``G``'s edges projected to UTM 49N.

    Parameters
    ----------
    G
        Graph in WGS-84 with osmnx attributes (``x``, ``y``, ``length``, optional ``geometry``).

    Returns
    -------
    EdgeIndex
        One line per street: of a two-way street's two directed edges only the first met is
        indexed (both share one geometry), so snapping is deterministic.
    """
    transformer = _to_metric()
    seen: set[tuple[int, int, float]] = set()
    edges: list[tuple[int, int, int]] = []
    lengths: list[float] = []
    geoms: list[Any] = []
    for u, v, k, data in G.edges(keys=True, data=True):
        length = float(data["length"])
        ident = (min(u, v), max(u, v), round(length, 1))
        if u != v and ident in seen:
            continue
        seen.add(ident)
        geom = data.get("geometry")
        if geom is None:
            nu, nv = G.nodes[u], G.nodes[v]
            geom = LineString([(nu["x"], nu["y"]), (nv["x"], nv["y"])])
        edges.append((u, v, k))
        lengths.append(length)
        geoms.append(geom)
    if not edges:
        raise SnapError("路网没有道路 / the graph has no edges", [])
    lines = shapely.transform(
        np.array(geoms, dtype=object),
        lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])),
    )
    xs = [x for _, x in G.nodes(data="x")]
    ys = [y for _, y in G.nodes(data="y")]
    return EdgeIndex(
        edges=tuple(edges),
        lengths=np.array(lengths),
        lines=lines,
        tree=shapely.STRtree(lines),
        bbox=(min(xs), min(ys), max(xs), max(ys)),
        n_edges=G.number_of_edges(),
    )


def _extent_text(bbox: tuple[float, float, float, float]) -> str:
    w, s, e, n = bbox
    return f"{w:.4f}–{e:.4f} E, {s:.4f}–{n:.4f} N"


def snap_points(
    G: nx.MultiDiGraph,
    points: Sequence[Sequence[float]] | npt.NDArray[np.float64],
    *,
    names: Sequence[str] | None = None,
    max_distance: float = DEFAULT_MAX_DISTANCE_M,
    margin_m: float = DEFAULT_EXTENT_MARGIN_M,
    index: EdgeIndex | None = None,
) -> list[SnappedPoint]:
    """Return each [lon, lat] point attached to its nearest street edge (vectorised).

    Parameters
    ----------
    G
        Routable graph in WGS-84 (osmnx conventions).
    points
        ``N`` pairs ``[lon, lat]`` (WGS-84 degrees).
    names
        ``N`` site names used in results and error messages; default ``"#0"``, ``"#1"``, ...
    max_distance
        Refuse a point farther than this (metres) from every street.
    margin_m
        Refuse a point outside the graph nodes' bounding box grown by this (metres).
    index
        A prebuilt :func:`edge_index` of ``G`` to reuse across calls.

    Returns
    -------
    list of SnappedPoint
        In input order.

    Raises
    ------
    SnapError
        Naming every refused site (invalid coordinate, outside the extent, or too far from
        a street) with its distance; nothing is silently dropped.
    ValueError
        If ``points`` is not N×2 or ``names`` has the wrong length.
    """
    xy = np.asarray(points, dtype=float)
    if xy.size == 0:
        return []
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise ValueError(
            f"points 必须是 N×2 的 [lon, lat] / points must be N×2 [lon, lat], got shape {xy.shape}"
        )
    n = len(xy)
    labels = [f"#{i}" for i in range(n)] if names is None else [str(s) for s in names]
    if len(labels) != n:
        raise ValueError(
            f"names 数量 {len(labels)} 与 points 数量 {n} 不符 / names has {len(labels)} "
            f"entries for {n} points"
        )
    if not max_distance > 0:
        raise ValueError(f"max_distance 必须为正 / must be positive, got {max_distance!r}")
    if index is None or index.n_edges != G.number_of_edges():
        index = edge_index(G)
    lon, lat = xy[:, 0], xy[:, 1]
    valid = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    w, s, e, north = index.bbox
    d_lat = margin_m / 111_320.0
    d_lon = margin_m / (111_320.0 * math.cos(math.radians((s + north) / 2)))
    inside = valid & (lon >= w - d_lon) & (lon <= e + d_lon) & (lat >= s - d_lat)
    inside &= lat <= north + d_lat

    extent = _extent_text(index.bbox)
    refused: list[tuple[int, tuple[str, str, float], str]] = []
    for i in map(int, np.flatnonzero(~valid)):
        refused.append(
            (
                i,
                (labels[i], "invalid_coordinate", float("nan")),
                f"站点 '{labels[i]}' 的坐标无效 [{lon[i]}, {lat[i]}] / site '{labels[i]}' has an "
                f"invalid coordinate [lon, lat] = [{lon[i]}, {lat[i]}]",
            )
        )
    for i in map(int, np.flatnonzero(valid & ~inside)):
        refused.append(
            (
                i,
                (labels[i], "outside_extent", float("nan")),
                f"站点 '{labels[i]}' ({lon[i]:.5f}, {lat[i]:.5f}) 在路网范围之外"
                f"（{extent}）/ site '{labels[i]}' at ({lon[i]:.5f}, "
                f"{lat[i]:.5f}) is outside the street network's extent ({extent})",
            )
        )

    result: list[SnappedPoint | None] = [None] * n
    ok = np.flatnonzero(inside)
    if len(ok):
        mx, my = _to_metric().transform(lon[ok], lat[ok])
        pts = shapely.points(np.asarray(mx), np.asarray(my))
        (q, hit), dist = index.tree.query_nearest(pts, return_distance=True, all_matches=False)
        nearest = np.empty(len(ok), dtype=np.int64)
        nearest[q] = hit
        distance = np.empty(len(ok))
        distance[q] = dist
        lines = index.lines[nearest]
        along = shapely.line_locate_point(lines, pts)
        line_len = shapely.length(lines)
        lengths = index.lengths[nearest]
        # Scale the projected position to the edge's OSM ``length`` so offsets add up exactly.
        frac = np.where(line_len > 0, along / np.where(line_len > 0, line_len, 1.0), 0.0)
        offsets = np.clip(frac, 0.0, 1.0) * lengths
        for j, i in enumerate(map(int, ok)):
            if distance[j] > max_distance:
                d = round(float(distance[j]))
                refused.append(
                    (
                        i,
                        (labels[i], "too_far", float(distance[j])),
                        f"站点 '{labels[i]}' 距最近道路 {d} 米，超过 {max_distance:g} 米上限 / "
                        f"site '{labels[i]}' is {d} m from the nearest street "
                        f"(limit {max_distance:g} m)",
                    )
                )
                continue
            u, v, k = index.edges[nearest[j]]
            result[i] = SnappedPoint(
                name=labels[i],
                lon=float(lon[i]),
                lat=float(lat[i]),
                u=int(u),
                v=int(v),
                key=int(k),
                offset_m=float(offsets[j]),
                edge_length=float(lengths[j]),
                distance_m=float(distance[j]),
            )
    if refused:
        refused.sort(key=lambda r: r[0])  # report in input order
        raise SnapError("; ".join(r[2] for r in refused), [r[1] for r in refused])
    return [p for p in result if p is not None]


def snap_point(
    G: nx.MultiDiGraph,
    lon: float,
    lat: float,
    *,
    name: str = "#0",
    max_distance: float = DEFAULT_MAX_DISTANCE_M,
    index: EdgeIndex | None = None,
) -> SnappedPoint:
    """Return one [lon, lat] point attached to its nearest street edge.

    Parameters
    ----------
    G
        Routable graph in WGS-84.
    lon, lat
        The site (WGS-84 degrees).
    name
        Site name for the result and error messages.
    max_distance
        Refuse the point if farther than this (metres) from every street.
    index
        A prebuilt :func:`edge_index` of ``G``.

    Returns
    -------
    SnappedPoint

    Raises
    ------
    SnapError
        If the point is invalid, outside the network's extent or too far from a street.
    """
    return snap_points(G, [[lon, lat]], names=[name], max_distance=max_distance, index=index)[0]
