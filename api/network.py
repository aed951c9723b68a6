"""The street network for the composing layer: snapped sites, matrices, route-sheet legs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import networkx as nx
import numpy as np

import geo
from api.route_sheets import Leg


@dataclass(frozen=True, eq=False)  # identity hash: cached legs per network
class SiteNetwork:
    """Sites snapped onto the street graph, with their travel matrices."""

    graph: nx.MultiDiGraph
    ids: tuple[str, ...]
    snapped: tuple[geo.SnappedPoint, ...]
    durations: np.ndarray
    distances: np.ndarray

    def leg(self, origin: str, destination: str) -> Leg:
        return _leg(self, origin, destination)


def site_network(
    graph: nx.MultiDiGraph,
    ids: Sequence[str],
    points: Sequence[tuple[float, float]],
    *,
    depart_at: int | None = None,
    max_distance: float = 300.0,
) -> SiteNetwork:
    """Snap ``points`` ([lon, lat]) named ``ids`` and compute their travel matrices."""
    snapped = geo.snap_points(graph, points, names=ids, max_distance=max_distance)
    durations, distances = geo.travel_matrices(graph, snapped, depart_at=depart_at)
    return SiteNetwork(graph, tuple(ids), tuple(snapped), durations, distances)


@lru_cache(maxsize=4096)
def _leg(net: SiteNetwork, origin: str, destination: str) -> Leg:
    a = net.snapped[net.ids.index(origin)]
    b = net.snapped[net.ids.index(destination)]
    path = geo.shortest_path(net.graph, a, b)
    zh = geo.directions(net.graph, path, lang="zh")
    en = geo.directions(net.graph, path, lang="en")
    return Leg(
        instructions_zh=tuple(i.text for i in zh),
        instructions_en=tuple(i.text for i in en),
        coordinates=tuple(tuple(c) for c in path.coordinates),  # type: ignore[misc]
        distance=round(path.length),
        duration=round(path.travel_time),
    )
