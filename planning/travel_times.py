"""Travel times from demand points to sites, by car and on foot, many-to-many in one pass.

Conventions: [lon, lat] WGS-84 in; **integer seconds** out, rows demand points, columns sites;
a pair with no path is :data:`geo.UNREACHABLE` (10**9). Every site and every demand point
that does not stand on a street node is snapped to its nearest street (``geo.snap_points``)
and inserted there as a node of its own, so times are exact along the street (a point that
snaps to a street's very end, within 0.5 m, stands on that junction and may leave by any of its
streets; ``geo.travel_matrices`` keeps such a site on its one street); then one
multi-source Dijkstra (``scipy.sparse.csgraph``) runs from the smaller side, never one path
per pair.

Modes:

* ``"drive"``: the graph's own ``travel_time`` (``geo.routable_graph``), directed: one-way
  streets are driven one way only, and each junction's ``intersection_delay`` is paid.
* ``"walk"``: the same street network, **every street walkable both ways** (one-way streets
  included), at :data:`WALK_SPEED_KPH` on each edge's ``length``, no junction delay.

Directions: ``"to_site"`` (the default) is the time *from* each demand point *to* each site,
the trip a reader makes to a library; ``"from_site"`` is the way back (a van's delivery, or
a library's reach). On foot the two are equal; by car they differ where streets are one-way.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt

import geo
from planning._network import (
    Direction,
    Mode,
    SplitNetwork,
    check_mode,
    nearest_source,
    places,
    split_network,
    times_between,
    whole_seconds,
)

__all__ = ["WALK_SPEED_KPH", "nearest_site", "travel_matrix", "walk_graph"]

#: Walking speed (km/h) on the street network, crossings and waits at signals included.
#: 4 km/h is 1,000 m in 15 minutes: the "15 minutes ≈ 1 km" of the 15-minute reading circle,
#: and the top of the 800–1,000 m that GB 50180-2018 gives for a 15-minute walk. A free walking
#: pace is nearer 4.5–5 km/h (osmnx's isochrone example uses 4.5); waiting at Beilin's signals
#: brings the door-to-door figure down. Change it per call with ``walk_speed_kph``.
WALK_SPEED_KPH = 4.0


def walk_graph(G: nx.MultiDiGraph, *, speed_kph: float = WALK_SPEED_KPH) -> nx.MultiDiGraph:
    """Return a walking copy of ``G``: every street both ways, ``travel_time`` at walking speed.

    Parameters
    ----------
    G
        A street graph with osmnx attributes (``length`` on every edge).
    speed_kph
        Walking speed in km/h (default :data:`WALK_SPEED_KPH`).

    Returns
    -------
    networkx.MultiDiGraph
        A new graph (``G`` is not changed): each one-way edge gains its reverse (geometry
        reversed, ``oneway`` False, ``reversed`` True), and every edge gets
        ``speed_kph = speed_kph``, ``intersection_delay = 0`` and ``travel_time = length /
        speed`` in seconds. osmnx's routing and plotting take it as it is; it gives the same
        times as ``mode="walk"`` on ``G``.
    """
    check_mode("walk", "to_site", speed_kph)
    H = G.copy()  # independent attribute dicts; a frozen graph gives an unfrozen copy
    H.graph = dict(G.graph)
    for u, v, _k, data in list(G.edges(keys=True, data=True)):
        if H.has_edge(v, u) and any(
            abs(float(d["length"]) - float(data["length"]))
            <= max(1.0, 0.01 * float(data["length"]))
            for d in H[v][u].values()
        ):
            continue
        back = dict(data)
        back["oneway"] = False
        back["reversed"] = True
        if "geometry" in back:
            back["geometry"] = back["geometry"].reverse()
        H.add_edge(v, u, **back)
    for _, _, data in H.edges(data=True):
        data["oneway"] = False
        data["speed_kph"] = float(speed_kph)
        data["intersection_delay"] = 0.0
        data["travel_time"] = float(data["length"]) * 3.6 / float(speed_kph)
    return H


def _network(
    G: nx.MultiDiGraph,
    demand: Any,
    sites: Any,
    *,
    mode: Mode,
    direction: Direction,
    walk_speed_kph: float,
    depart_at: int | None,
    max_distance: float,
    index: geo.EdgeIndex | None,
) -> SplitNetwork:
    check_mode(mode, direction, walk_speed_kph)
    factor = geo.time_of_day_factor(depart_at) if mode == "drive" else 1.0
    return split_network(
        G,
        [
            (places(demand, what="demand"), "需求点 / demand"),
            (places(sites, what="sites"), "站点 / sites"),
        ],
        mode=mode,
        walk_speed_kph=walk_speed_kph,
        time_factor=factor,
        max_distance=max_distance,
        index=index,
    )


def travel_matrix(
    G: nx.MultiDiGraph,
    demand: Any,
    sites: Any,
    *,
    mode: Mode = "drive",
    direction: Direction = "to_site",
    walk_speed_kph: float = WALK_SPEED_KPH,
    depart_at: int | None = None,
    max_distance: float = geo.DEFAULT_MAX_DISTANCE_M,
    index: geo.EdgeIndex | None = None,
) -> npt.NDArray[np.int64]:
    """Return the seconds between every demand point and every site (rows demand, columns sites).

    Parameters
    ----------
    G
        Routable street graph (``geo.load_beilin_graph``; ``travel_time`` on every edge).
    demand, sites
        A GeoDataFrame of points (index = names; an optional ``node`` column puts a point on
        that street node, unsnapped, as :func:`planning.district_demand` does), a sequence of
        ``(code, lon, lat)``, or an N×2 array of [lon, lat]; WGS-84.
    mode
        ``"drive"`` or ``"walk"`` (see the module notes).
    direction
        ``"to_site"``: entry (i, j) is the time from demand point i to site j (a reader's
        trip). ``"from_site"``: from site j to demand point i.
    walk_speed_kph
        Walking speed for ``mode="walk"``.
    depart_at
        Seconds since midnight; drive times in rush hours are scaled by
        ``geo.RUSH_HOUR_FACTOR``. ``None``: off-peak. Walking has no rush hour.
    max_distance
        A point farther than this (metres) from every street is refused.
    index
        A prebuilt ``geo.edge_index(G)`` to reuse across calls.

    Returns
    -------
    ndarray of int64, shape (len(demand), len(sites))
        Whole seconds (rounded once, at the end); :data:`geo.UNREACHABLE` where no path.

    Raises
    ------
    geo.SnapError
        Naming every point that cannot be attached to a street.
    ValueError
        For an unknown mode or direction, a bad speed, a malformed point or an unknown node.
    """
    net = _network(
        G,
        demand,
        sites,
        mode=mode,
        direction=direction,
        walk_speed_kph=walk_speed_kph,
        depart_at=depart_at,
        max_distance=max_distance,
        index=index,
    )
    rows, cols = net.place_node
    return whole_seconds(times_between(net, rows, cols, rows_to_cols=direction == "to_site"))


def nearest_site(
    G: nx.MultiDiGraph,
    demand: Any,
    sites: Any,
    *,
    mode: Mode = "drive",
    direction: Direction = "to_site",
    walk_speed_kph: float = WALK_SPEED_KPH,
    depart_at: int | None = None,
    max_distance: float = geo.DEFAULT_MAX_DISTANCE_M,
    index: geo.EdgeIndex | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return each demand point's nearest site and its time, from one multi-source Dijkstra.

    Parameters
    ----------
    G, demand, sites, mode, direction, walk_speed_kph, depart_at, max_distance, index
        As for :func:`travel_matrix`.

    Returns
    -------
    (site, seconds) : tuple of ndarray of int64
        ``site[i]`` is the column (position in ``sites``) of the nearest site, ``-1`` if none
        can be reached; ``seconds[i]`` its whole seconds, :data:`geo.UNREACHABLE` if none. The
        same times as the row minima of :func:`travel_matrix` (a tie may name another site).
    """
    net = _network(
        G,
        demand,
        sites,
        mode=mode,
        direction=direction,
        walk_speed_kph=walk_speed_kph,
        depart_at=depart_at,
        max_distance=max_distance,
        index=index,
    )
    rows, cols = net.place_node
    if len(cols) == 0:
        return np.full(len(rows), -1, dtype=np.int64), np.full(len(rows), geo.UNREACHABLE)
    seconds, source = nearest_source(net, cols, reverse=direction == "to_site")
    # Two sites on one street node share a network node: the first in ``sites`` is named.
    column_of = {int(node): j for j, node in reversed(list(enumerate(cols)))}
    site = np.array([column_of.get(int(s), -1) for s in source[rows]], dtype=np.int64)
    site[~np.isfinite(seconds[rows])] = -1
    return site, whole_seconds(seconds[rows])
