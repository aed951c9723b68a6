"""Private: points of interest on the street graph, and the graph split at them for csgraph.

Every demand point and site becomes a node of its own, inserted into the street it was snapped
to (points on one street are chained in order along it), so that the many-to-many times are
exact to the metre along the street and one Dijkstra per source answers every pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

import geo

Mode = Literal["drive", "walk"]
Direction = Literal["to_site", "from_site"]

MODES: tuple[str, ...] = ("drive", "walk")
DIRECTIONS: tuple[str, ...] = ("to_site", "from_site")

#: csgraph ignores stored zeros: a zero-length piece must still be an arc.
_MIN_WEIGHT = 1e-6

#: A point snapped within this many metres of a street's end stands on that junction.
_AT_NODE_M = 0.5


@dataclass(frozen=True)
class Places:
    """Named [lon, lat] points, some already on a street node (``nodes[i]`` not ``None``)."""

    names: tuple[str, ...]
    lonlat: npt.NDArray[np.float64]
    nodes: tuple[Any, ...]

    def __len__(self) -> int:
        return len(self.names)


def _is_missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def places(obj: Any, *, what: str) -> Places:
    """Read demand points or sites: a GeoDataFrame, ``(code, lon, lat)`` rows, or N×2 [lon, lat].

    A GeoDataFrame's index names the points; an optional ``node`` column holds the street node
    (OSM id) a point stands on, so it is not snapped. Other CRSs are converted to WGS-84.
    """
    if isinstance(obj, gpd.GeoDataFrame):
        frame = obj
        if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
            frame = frame.to_crs("EPSG:4326")
        kinds = frame.geometry.geom_type
        bad = [str(i) for i, k in zip(frame.index, kinds, strict=True) if k != "Point"]
        if bad:
            raise ValueError(
                f"{what} 的几何必须是点 / {what} geometry must be Points; not a Point: "
                f"{', '.join(bad[:5])}"
            )
        lonlat = np.column_stack([frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()])
        names = tuple(str(i) for i in frame.index)
        if "node" in frame.columns:
            nodes = tuple(None if _is_missing(n) else n for n in frame["node"])
        else:
            nodes = (None,) * len(frame)
    else:
        rows = list(obj)
        if rows and len(rows[0]) == 3:
            names = tuple(str(r[0]) for r in rows)
            lonlat = np.array([[r[1], r[2]] for r in rows], dtype=float).reshape(-1, 2)
        else:
            lonlat = np.asarray(rows, dtype=float).reshape(-1, 2) if rows else np.zeros((0, 2))
            if lonlat.ndim != 2 or lonlat.shape[1] != 2:
                raise ValueError(
                    f"{what} 必须是 (代码, 经度, 纬度) 或 [经度, 纬度] / {what} must be "
                    f"(code, lon, lat) rows or N×2 [lon, lat], got shape {lonlat.shape}"
                )
            names = tuple(f"#{i}" for i in range(len(lonlat)))
        nodes = (None,) * len(names)
    bad_xy = ~np.isfinite(lonlat).all(axis=1)
    if bad_xy.any():
        i = int(np.flatnonzero(bad_xy)[0])
        raise ValueError(
            f"{what} '{names[i]}' 的坐标无效 / {what} '{names[i]}' has an invalid coordinate "
            f"[lon, lat] = {lonlat[i].tolist()}"
        )
    return Places(names=names, lonlat=lonlat, nodes=nodes)


@dataclass(frozen=True)
class SplitNetwork:
    """The street graph as arcs, with every place inserted as a node of its own.

    ``arc_edge`` indexes ``edges`` (the base graph's ``(u, v, key)``); an arc runs along its
    edge's geometry from fraction ``arc_from`` to ``arc_to`` (``arc_from > arc_to`` when it runs
    against the drawing direction). ``place_node[i]`` is place ``i``'s network node.
    """

    n_nodes: int
    edges: tuple[tuple[Any, Any, Any], ...]
    arc_tail: npt.NDArray[np.int64]
    arc_head: npt.NDArray[np.int64]
    arc_drive: npt.NDArray[np.float64]  # seconds along the arc (scaled for rush hour)
    arc_delay: npt.NDArray[np.float64]  # seconds paid on entering the head (a junction)
    arc_edge: npt.NDArray[np.int64]
    arc_from: npt.NDArray[np.float64]
    arc_to: npt.NDArray[np.float64]
    place_node: tuple[npt.NDArray[np.int64], ...]

    @property
    def arc_time(self) -> npt.NDArray[np.float64]:
        return self.arc_drive + self.arc_delay

    def csr(self, *, reverse: bool = False) -> sp.csr_matrix:
        """Cheapest arc per (tail, head) pair; ``reverse`` transposes (times *to* a source)."""
        tails, heads = (self.arc_head, self.arc_tail) if reverse else (self.arc_tail, self.arc_head)
        codes = tails * self.n_nodes + heads
        order = np.argsort(codes, kind="stable")
        codes, weights = codes[order], self.arc_time[order]
        first = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        best = np.maximum(np.minimum.reduceat(weights, first), _MIN_WEIGHT)
        unique = codes[first]
        shape = (self.n_nodes, self.n_nodes)
        return sp.csr_matrix((best, (unique // self.n_nodes, unique % self.n_nodes)), shape=shape)


def _twin_key(G: nx.MultiDiGraph, u: Any, v: Any, key: Any) -> Any | None:
    """The key of edge (v, u, k') that is the same street driven backwards, or ``None``.

    The rule of ``geo`` (same length within 1 %, same way preferred), which keeps it private.
    """
    if u == v or not G.has_edge(v, u):
        return None
    length = float(G.edges[u, v, key]["length"])
    osmid = G.edges[u, v, key].get("osmid")
    candidates = []
    for k, data in G[v][u].items():
        diff = abs(float(data["length"]) - length)
        if diff <= max(1.0, 0.01 * length):
            candidates.append((data.get("osmid") != osmid, diff, k))
    return min(candidates)[2] if candidates else None


def _edge_parts(
    data: dict[str, Any], mode: Mode, walk_speed_kph: float, u: Any, v: Any
) -> tuple[float, float]:
    """(seconds along the edge, seconds of delay at its head) in ``mode``."""
    length = float(data["length"])
    if mode == "walk":
        # Pedestrians pay no junction delay: the walking speed holds the waits at crossings.
        return length * 3.6 / walk_speed_kph, 0.0
    if "travel_time" not in data:
        raise ValueError(
            f"路网边 ({u}, {v}) 缺少 travel_time，请先用 geo.routable_graph / edge ({u}, {v}) "
            "lacks travel_time: prepare the graph with geo.routable_graph"
        )
    delay = float(data.get("intersection_delay", 0.0))
    return float(data["travel_time"]) - delay, delay


def _snap(
    G: nx.MultiDiGraph,
    group: Places,
    *,
    what: str,
    max_distance: float,
    index: geo.EdgeIndex | None,
) -> dict[int, geo.SnappedPoint]:
    """Snapped points of the places not standing on a node, by position in ``group``."""
    todo = [i for i, n in enumerate(group.nodes) if n is None]
    if not todo:
        return {}
    try:
        snapped = geo.snap_points(
            G,
            group.lonlat[todo],
            names=[group.names[i] for i in todo],
            max_distance=max_distance,
            index=index,
        )
    except geo.SnapError as exc:
        raise geo.SnapError(f"{what}: {exc}", exc.failures) from None
    return dict(zip(todo, snapped, strict=True))


def split_network(
    G: nx.MultiDiGraph,
    groups: Sequence[tuple[Places, str]],
    *,
    mode: Mode,
    walk_speed_kph: float,
    time_factor: float = 1.0,
    max_distance: float = geo.DEFAULT_MAX_DISTANCE_M,
    index: geo.EdgeIndex | None = None,
) -> SplitNetwork:
    """Arcs of ``G`` in ``mode`` with each group's places inserted (see :class:`SplitNetwork`).

    ``drive``: the graph's directed ``travel_time`` (its ``intersection_delay`` paid on
    entering a junction). ``walk``: every street both ways at ``walk_speed_kph`` on
    ``length``, no junction delay. ``time_factor`` scales every time (rush hour).
    """
    node_index = {node: i for i, node in enumerate(G.nodes)}
    edges: list[tuple[Any, Any, Any]] = []
    edge_pos: dict[tuple[Any, Any, Any], int] = {}
    tail: list[int] = []
    head: list[int] = []
    drive: list[float] = []
    delay: list[float] = []
    arc_edge: list[int] = []
    arc_from: list[float] = []
    arc_to: list[float] = []

    def add(t: int, h: int, d: float, dl: float, e: int, f0: float, f1: float) -> None:
        tail.append(t)
        head.append(h)
        drive.append(d)
        delay.append(dl)
        arc_edge.append(e)
        arc_from.append(f0)
        arc_to.append(f1)

    for u, v, k, data in G.edges(keys=True, data=True):
        e = len(edges)
        edges.append((u, v, k))
        edge_pos[(u, v, k)] = e
        d, dl = _edge_parts(data, mode, walk_speed_kph, u, v)
        add(node_index[u], node_index[v], d, dl, e, 0.0, 1.0)
        if mode == "walk":
            add(node_index[v], node_index[u], d, 0.0, e, 1.0, 0.0)

    n_nodes = len(node_index)
    place_node: list[npt.NDArray[np.int64]] = []
    on_edge: dict[tuple[Any, Any, Any], list[tuple[float, int]]] = {}
    for group, what in groups:
        ids = np.empty(len(group), dtype=np.int64)
        for i, node in enumerate(group.nodes):
            if node is None:
                continue
            if node not in node_index:
                raise ValueError(
                    f"{what} '{group.names[i]}' 的路网节点 {node!r} 不在路网中 / {what} "
                    f"'{group.names[i]}': street node {node!r} is not in the graph"
                )
            ids[i] = node_index[node]
        for i, p in _snap(G, group, what=what, max_distance=max_distance, index=index).items():
            # A point at a street's end is at the junction: it may leave by any street there.
            if p.offset_m <= _AT_NODE_M:
                ids[i] = node_index[p.u]
                continue
            if p.edge_length - p.offset_m <= _AT_NODE_M:
                ids[i] = node_index[p.v]
                continue
            ids[i] = n_nodes
            frac = 0.0 if p.edge_length <= 0 else min(max(p.offset_m / p.edge_length, 0.0), 1.0)
            on_edge.setdefault((p.u, p.v, p.key), []).append((frac, n_nodes))
            n_nodes += 1
        place_node.append(ids)

    for (u, v, k), members in on_edge.items():
        members.sort()
        e = edge_pos[(u, v, k)]
        d, dl = _edge_parts(G.edges[u, v, k], mode, walk_speed_kph, u, v)
        fracs = [0.0, *(f for f, _ in members), 1.0]
        chain = [node_index[u], *(n for _, n in members), node_index[v]]
        last = len(chain) - 2
        for s in range(len(chain) - 1):
            piece = fracs[s + 1] - fracs[s]
            add(
                chain[s],
                chain[s + 1],
                piece * d,
                dl if s == last else 0.0,
                e,
                fracs[s],
                fracs[s + 1],
            )
            if piece == 0 and 0 < s < last:
                # Two places at one spot of the street: each is at the other, either way.
                add(chain[s + 1], chain[s], 0.0, 0.0, e, fracs[s], fracs[s])
        if mode == "walk":
            r_d, r_dl = d, 0.0
        else:
            twin = _twin_key(G, u, v, k)
            if twin is None:
                continue  # a one-way street: a car enters from u and leaves towards v only
            r_d, r_dl = _edge_parts(G.edges[v, u, twin], mode, walk_speed_kph, v, u)
        for s in range(len(chain) - 1, 0, -1):
            piece = fracs[s] - fracs[s - 1]
            add(
                chain[s],
                chain[s - 1],
                piece * r_d,
                r_dl if s == 1 else 0.0,
                e,
                fracs[s],
                fracs[s - 1],
            )

    return SplitNetwork(
        n_nodes=n_nodes,
        edges=tuple(edges),
        arc_tail=np.array(tail, dtype=np.int64),
        arc_head=np.array(head, dtype=np.int64),
        arc_drive=np.array(drive) * time_factor,
        arc_delay=np.array(delay) * time_factor,
        arc_edge=np.array(arc_edge, dtype=np.int64),
        arc_from=np.array(arc_from),
        arc_to=np.array(arc_to),
        place_node=tuple(place_node),
    )


def times_between(
    net: SplitNetwork,
    rows: npt.NDArray[np.int64],
    cols: npt.NDArray[np.int64],
    *,
    rows_to_cols: bool,
) -> npt.NDArray[np.float64]:
    """Seconds between network nodes, ``len(rows)`` × ``len(cols)``; ``inf`` where no path.

    ``rows_to_cols``: entry (i, j) is the time from ``rows[i]`` to ``cols[j]``, else from
    ``cols[j]`` to ``rows[i]``. One multi-source Dijkstra from the smaller side.
    """
    if len(rows) == 0 or len(cols) == 0:
        return np.zeros((len(rows), len(cols)))
    if len(cols) <= len(rows):
        # Sources are the columns; times from rows to cols need the transposed graph.
        dist = dijkstra(net.csr(reverse=rows_to_cols), indices=np.unique(cols))
        src = np.searchsorted(np.unique(cols), cols)
        return dist[src][:, rows].T
    dist = dijkstra(net.csr(reverse=not rows_to_cols), indices=np.unique(rows))
    src = np.searchsorted(np.unique(rows), rows)
    return dist[src][:, cols]


def nearest_source(
    net: SplitNetwork, sources: npt.NDArray[np.int64], *, reverse: bool
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int32]]:
    """Seconds to (``reverse``: from) every node from the nearest source, and which source.

    scipy's multi-source Dijkstra (``min_only``): all sources at once, one pass.
    """
    dist, _, source = dijkstra(
        net.csr(reverse=reverse),
        indices=np.unique(sources),
        min_only=True,
        return_predecessors=True,
    )
    return dist, source


def whole_seconds(times: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Round to integer seconds; no path becomes :data:`geo.UNREACHABLE`."""
    reachable = np.isfinite(times)
    out = np.rint(np.where(reachable, times, 0.0)).astype(np.int64)
    out[~reachable] = geo.UNREACHABLE
    return out


def check_mode(mode: str, direction: str, walk_speed_kph: float) -> None:
    """Refuse an unknown mode or direction or a walking speed that is not positive."""
    if mode not in MODES:
        raise ValueError(
            f"mode 只能是 'drive' 或 'walk' / mode must be 'drive' or 'walk', got {mode!r}"
        )
    if direction not in DIRECTIONS:
        raise ValueError(
            f"direction 只能是 'to_site' 或 'from_site' / direction must be 'to_site' or "
            f"'from_site', got {direction!r}"
        )
    if not (isinstance(walk_speed_kph, int | float) and 0 < walk_speed_kph < 20):
        raise ValueError(
            f"walk_speed_kph 必须在 0 到 20 之间 / walk_speed_kph must be in (0, 20) km/h, "
            f"got {walk_speed_kph!r}"
        )
