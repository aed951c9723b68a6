"""Travel-time and distance matrices between snapped sites, one multi-source Dijkstra.

Times are the fastest route's integer seconds; distances are the integer metres *of that
fastest route* (as OSRM's table service returns them), not the shortest distance.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra

from geo._network import Network, build_network, point_access, same_edge_direct
from geo.snapping import SnappedPoint
from geo.speeds import time_of_day_factor

__all__ = ["UNREACHABLE", "travel_matrices"]

#: Marks a pair with no path. Same value as ``optimizer.UNREACHABLE`` (10**9), defined here
#: because ``geo`` imports no project package; keep the two in step.
UNREACHABLE = 10**9


def _tree_lengths(net: Network, pred: npt.NDArray[np.int32]) -> npt.NDArray[np.float64]:
    """Metres from each Dijkstra source to every node along its shortest-time tree.

    Pointer doubling over the predecessor matrix: after step ``s`` each node holds the length
    of its last ``2**s`` tree edges, so ~log2(depth) vectorised gathers replace a Python walk.
    """
    n_src, n = pred.shape
    cols = np.broadcast_to(np.arange(n), pred.shape)
    has_pred = pred >= 0
    acc = np.zeros(pred.shape)
    pos = net.pair_lookup(pred[has_pred].astype(np.int64), cols[has_pred])
    acc[has_pred] = net.length[pos]
    ptr = np.where(has_pred, pred, cols).astype(np.int64)  # roots point to themselves
    rows = np.arange(n_src)[:, None]
    while True:
        nxt = ptr[rows, ptr]
        if np.array_equal(nxt, ptr):
            break
        acc = acc + acc[rows, ptr]
        ptr = nxt
    return acc


def travel_matrices(
    G: nx.MultiDiGraph,
    points: Sequence[SnappedPoint],
    *,
    depart_at: int | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return N×N travel times (s) and distances (m) between snapped sites, asymmetric.

    Parameters
    ----------
    G
        Routable graph (``travel_time``, ``intersection_delay``, ``length`` on edges).
    points
        Sites from :func:`geo.snap_points`. A site leaves along its edge to ``v`` (or, if the
        street is two-way, along the reverse edge to ``u``) and is reached the same way;
        two sites on the same edge in travel order are joined directly along it.
    depart_at
        Departure time, seconds since local midnight; rush hours scale every time by
        :data:`geo.speeds.RUSH_HOUR_FACTOR`. ``None``: off-peak.

    Returns
    -------
    (durations, distances) : tuple of ndarray of int64
        ``durations[i, j]`` is the fastest route's seconds from site i to site j and
        ``distances[i, j]`` that route's metres; the diagonal is 0; a pair with no path is
        :data:`UNREACHABLE` in both.
    """
    factor = time_of_day_factor(depart_at)
    n_pts = len(points)
    if n_pts == 0:
        empty = np.zeros((0, 0), dtype=np.int64)
        return empty, empty.copy()
    net = build_network(G, "travel_time")
    access = [point_access(G, net, p) for p in points]
    leave_node = np.array([a.leave_node for a in access], dtype=np.int64)  # N×2
    leave_time = np.array([a.leave_time for a in access])
    leave_len = np.array([a.leave_length for a in access])
    enter_node = np.array([a.enter_node for a in access], dtype=np.int64)
    enter_time = np.array([a.enter_time for a in access])
    enter_len = np.array([a.enter_length for a in access])

    sources = np.unique(leave_node[leave_node >= 0])
    dist, pred = dijkstra(net.csr, directed=True, indices=sources, return_predecessors=True)
    lengths = _tree_lengths(net, pred)
    src_row = np.searchsorted(sources, np.where(leave_node >= 0, leave_node, sources[0]))

    best_t = np.full((n_pts, n_pts), np.inf)
    best_m = np.full((n_pts, n_pts), np.inf)
    for a in range(2):
        rows = src_row[:, a]
        start_ok = leave_node[:, a] >= 0
        for b in range(2):
            cols = np.where(enter_node[:, b] >= 0, enter_node[:, b], 0)
            end_ok = enter_node[:, b] >= 0
            t = leave_time[:, a, None] + dist[rows][:, cols] + enter_time[None, :, b]
            m = leave_len[:, a, None] + lengths[rows][:, cols] + enter_len[None, :, b]
            t[~start_ok, :] = np.inf
            t[:, ~end_ok] = np.inf
            better = t < best_t
            best_t = np.where(better, t, best_t)
            best_m = np.where(better, m, best_m)

    # Sites on one edge: the direct run along it beats leaving and coming back.
    by_edge: dict[tuple[int, int, int], list[int]] = {}
    for i, p in enumerate(points):
        by_edge.setdefault((p.u, p.v, p.key), []).append(i)
    for members in by_edge.values():
        for i in members:
            for j in members:
                direct = same_edge_direct(points[i], points[j], access[i])
                if direct is not None and direct[0] < best_t[i, j]:
                    best_t[i, j], best_m[i, j] = direct[0], direct[1]
    np.fill_diagonal(best_t, 0.0)
    np.fill_diagonal(best_m, 0.0)

    unreachable = ~np.isfinite(best_t)
    durations = np.rint(np.where(unreachable, 0.0, best_t) * factor).astype(np.int64)
    distances = np.rint(np.where(unreachable, 0.0, best_m)).astype(np.int64)
    durations[unreachable] = UNREACHABLE
    distances[unreachable] = UNREACHABLE
    return durations, distances
