"""Private: the graph as arrays for scipy's csgraph, and the partial edges of snapped points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from geo._errors import RoutingError

if TYPE_CHECKING:
    from geo.snapping import SnappedPoint

# A zero-length edge must still be an edge for csgraph, which ignores stored zeros.
_MIN_WEIGHT = 1e-6


@dataclass(frozen=True)
class Network:
    """The graph's cheapest parallel edge per (tail, head) pair, as sorted arrays and a CSR."""

    nodes: npt.NDArray[np.int64]
    index: dict[Any, int]
    codes: npt.NDArray[np.int64]  # tail * n + head, sorted
    keys: npt.NDArray[np.int64]
    time: npt.NDArray[np.float64]  # travel_time (s, off-peak) of the chosen parallel edge
    length: npt.NDArray[np.float64]  # length (m) of the chosen parallel edge
    csr: sp.csr_matrix  # weights of the chosen edges

    def pair_lookup(
        self, tails: npt.NDArray[np.int64], heads: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        """Positions in the pair arrays of (tail, head) index pairs (must exist)."""
        codes = tails.astype(np.int64) * len(self.nodes) + heads
        return np.searchsorted(self.codes, codes)


def edge_time_parts(data: dict[str, Any]) -> tuple[float, float]:
    """(driving seconds, intersection-delay seconds) of one edge's ``travel_time``."""
    if "travel_time" not in data:
        raise RoutingError(
            "路网缺少 travel_time，请先用 routable_graph / graph lacks travel_time: "
            "prepare it with geo.routable_graph"
        )
    delay = float(data.get("intersection_delay", 0.0))
    return float(data["travel_time"]) - delay, delay


def build_network(G: nx.MultiDiGraph, weight: str = "travel_time") -> Network:
    """Arrays of ``G`` choosing, per node pair, the parallel edge with the least ``weight``."""
    if weight not in ("travel_time", "length"):
        raise ValueError(
            f"weight 只能是 'travel_time' 或 'length' / weight must be 'travel_time' or "
            f"'length', got {weight!r}"
        )
    nodes = np.fromiter(G.nodes, dtype=np.int64, count=len(G))
    index = {node: i for i, node in enumerate(G.nodes)}
    n = len(nodes)
    best: dict[int, tuple[float, int, float, float]] = {}
    for u, v, k, data in G.edges(keys=True, data=True):
        if "travel_time" not in data:
            edge_time_parts(data)  # raises the clear error
        w = float(data[weight])
        code = index[u] * n + index[v]
        current = best.get(code)
        if current is None or w < current[0]:
            best[code] = (w, int(k), float(data["travel_time"]), float(data["length"]))
    codes = np.fromiter(sorted(best), dtype=np.int64, count=len(best))
    rows = [best[int(c)] for c in codes]
    w_arr = np.maximum(np.array([r[0] for r in rows]), _MIN_WEIGHT)
    csr = sp.csr_matrix((w_arr, (codes // n, codes % n)), shape=(n, n))
    return Network(
        nodes=nodes,
        index=index,
        codes=codes,
        keys=np.array([r[1] for r in rows], dtype=np.int64),
        time=np.array([r[2] for r in rows]),
        length=np.array([r[3] for r in rows]),
        csr=csr,
    )


def reverse_key(G: nx.MultiDiGraph, u: Any, v: Any, key: Any) -> int | None:
    """Key of the edge (v, u, k') that is the same street driven backwards, or ``None``."""
    if u == v or not G.has_edge(v, u):
        return None
    forward = G.edges[u, v, key]
    length = float(forward["length"])
    osmid = forward.get("osmid")
    candidates = []
    for k, data in G[v][u].items():
        # Same way (osmid) and same length means the same carriageway in reverse; a parallel
        # street between the same two junctions would differ in one of them.
        diff = abs(float(data["length"]) - length)
        if diff <= max(1.0, 0.01 * length):
            candidates.append((data.get("osmid") != osmid, diff, k))
    return int(min(candidates)[2]) if candidates else None


@dataclass(frozen=True)
class Access:
    """How a snapped point joins the graph: up to two nodes with partial-edge costs.

    ``leave_*``: from the point to a node (departing). ``enter_*``: from a node to the point
    (arriving). Index 0 uses the point's own edge (u, v, key), index 1 its reverse edge.
    A missing option has node -1 and infinite cost.
    """

    leave_node: tuple[int, int]
    leave_time: tuple[float, float]
    leave_length: tuple[float, float]
    enter_node: tuple[int, int]
    enter_time: tuple[float, float]
    enter_length: tuple[float, float]
    reverse_key: int | None
    drive_time: float  # driving seconds of the whole own edge (no delay)
    reverse_drive_time: float


def point_access(G: nx.MultiDiGraph, net: Network, p: SnappedPoint) -> Access:
    """Partial-edge costs of a snapped point (seconds off-peak, metres)."""
    if not G.has_edge(p.u, p.v, p.key):
        raise RoutingError(
            f"站点 '{p.name}' 的道路 ({p.u}, {p.v}, {p.key}) 不在路网中 / site '{p.name}': "
            f"edge ({p.u}, {p.v}, {p.key}) is not in the graph"
        )
    data = G.edges[p.u, p.v, p.key]
    length = float(data["length"])
    drive, delay = edge_time_parts(data)
    frac = 0.0 if length <= 0 else min(max(p.offset_m / length, 0.0), 1.0)
    iu, iv = net.index[p.u], net.index[p.v]
    inf = float("inf")
    leave_node, leave_time, leave_len = (
        [iv, -1],
        [(1 - frac) * drive + delay, inf],
        [
            (1 - frac) * length,
            inf,
        ],
    )
    enter_node, enter_time, enter_len = [iu, -1], [frac * drive, inf], [frac * length, inf]
    rkey = reverse_key(G, p.u, p.v, p.key)
    r_drive = inf
    if rkey is not None:
        rdata = G.edges[p.v, p.u, rkey]
        r_length = float(rdata["length"])
        r_drive, r_delay = edge_time_parts(rdata)
        # On the reverse edge the point sits at (1 - frac) of the way from v to u.
        leave_node[1], leave_time[1], leave_len[1] = iu, frac * r_drive + r_delay, frac * r_length
        enter_node[1] = iv
        enter_time[1], enter_len[1] = (1 - frac) * r_drive, (1 - frac) * r_length
    return Access(
        leave_node=(leave_node[0], leave_node[1]),
        leave_time=(leave_time[0], leave_time[1]),
        leave_length=(leave_len[0], leave_len[1]),
        enter_node=(enter_node[0], enter_node[1]),
        enter_time=(enter_time[0], enter_time[1]),
        enter_length=(enter_len[0], enter_len[1]),
        reverse_key=rkey,
        drive_time=drive,
        reverse_drive_time=r_drive,
    )


def same_edge_direct(
    a: SnappedPoint, b: SnappedPoint, acc_a: Access
) -> tuple[float, float, bool] | None:
    """(seconds, metres, forward?) of driving from a to b along their shared edge, if possible."""
    if (a.u, a.v, a.key) != (b.u, b.v, b.key):
        return None
    length = a.edge_length if a.edge_length > 0 else 1.0
    if b.offset_m >= a.offset_m:
        d = b.offset_m - a.offset_m
        return d / length * acc_a.drive_time, d, True
    if acc_a.reverse_key is not None:
        d = a.offset_m - b.offset_m
        return d / length * acc_a.reverse_drive_time, d, False
    return None
