"""The street network of a dispatch day: snapped sites, matrices, route-sheet legs.

A thin wrapper over ``geo`` (``snap_points``, ``travel_matrices``, ``shortest_path``,
``directions``): [lon, lat] WGS-84 in, integer seconds and metres out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import numpy.typing as npt

import geo

__all__ = ["Leg", "SiteNetwork", "site_leg", "site_network"]


@dataclass(frozen=True, slots=True)
class Leg:
    """The way from one stop to the next: directions and a polyline of [lon, lat].

    Attributes
    ----------
    instructions_zh, instructions_en
        Turn-by-turn directions, zh-CN and English.
    coordinates
        The polyline, [lon, lat] WGS-84.
    distance, duration
        Metres and seconds.
    """

    instructions_zh: tuple[str, ...]
    instructions_en: tuple[str, ...]
    coordinates: tuple[tuple[float, float], ...]
    distance: int
    duration: int


@dataclass(frozen=True, eq=False)
class SiteNetwork:
    """Sites snapped onto the street graph, with their travel matrices.

    Attributes
    ----------
    graph
        The routable street graph the sites were snapped onto.
    ids
        Site ids, in matrix order.
    snapped
        Each site attached to its street edge (``geo.SnappedPoint``).
    durations, distances
        N×N integer seconds and metres of the fastest route, asymmetric, zero diagonal.
    depart_at
        Seconds since midnight used for rush-hour times (``None``: off-peak); legs use it too.
    """

    graph: nx.MultiDiGraph
    ids: tuple[str, ...]
    snapped: tuple[geo.SnappedPoint, ...]
    durations: npt.NDArray[np.int64]
    distances: npt.NDArray[np.int64]
    depart_at: int | None = None
    # Per network, not module-global: a route sheet asks for the same leg once per stop.
    _legs: dict[tuple[str, str], Leg] = field(default_factory=dict, repr=False)

    def leg(self, origin: str, destination: str) -> Leg:
        """Return the way from site ``origin`` to site ``destination`` (cached).

        Parameters
        ----------
        origin, destination
            Site ids of this network.

        Returns
        -------
        Leg
            Directions in zh-CN and English, the polyline, metres and seconds.

        Raises
        ------
        KeyError
            If either id is not a site of this network.
        """
        key = (origin, destination)
        if key not in self._legs:
            self._legs[key] = site_leg(
                self.graph,
                self._site(origin),
                self._site(destination),
                depart_at=self.depart_at,
            )
        return self._legs[key]

    def _site(self, site_id: str) -> geo.SnappedPoint:
        try:
            return self.snapped[self.ids.index(site_id)]
        except ValueError:
            raise KeyError(
                f"站点 {site_id!r} 不在路网中 / site {site_id!r} is not in this network"
            ) from None


def site_network(
    graph: nx.MultiDiGraph,
    ids: Sequence[str],
    points: Sequence[tuple[float, float]],
    *,
    depart_at: int | None = None,
    max_distance: float = geo.DEFAULT_MAX_DISTANCE_M,
) -> SiteNetwork:
    """Snap ``points`` named ``ids`` and compute their travel matrices.

    Parameters
    ----------
    graph
        Routable street graph (``geo.load_beilin_graph``).
    ids
        Site ids, used in messages and as matrix order.
    points
        ``[lon, lat]`` WGS-84 of each site.
    depart_at
        Seconds since midnight for rush-hour times; ``None`` for off-peak.
    max_distance
        Refuse a site farther than this many metres from every street.

    Returns
    -------
    SiteNetwork

    Raises
    ------
    geo.SnapError
        Naming every site that cannot be snapped and its distance to the network (for a
        site outside the network's extent, the distance to its nearest junction).
    """
    try:
        snapped = geo.snap_points(graph, points, names=ids, max_distance=max_distance)
    except geo.SnapError as exc:
        raise _with_distances(graph, exc, ids, points) from None
    durations, distances = geo.travel_matrices(graph, snapped, depart_at=depart_at)
    return SiteNetwork(graph, tuple(ids), tuple(snapped), durations, distances, depart_at)


def site_leg(
    graph: nx.MultiDiGraph,
    origin: geo.SnappedPoint,
    destination: geo.SnappedPoint,
    *,
    depart_at: int | None = None,
) -> Leg:
    """Return the fastest way between two snapped sites, with directions in zh-CN and English.

    Parameters
    ----------
    graph
        The graph both sites were snapped onto.
    origin, destination
        From ``geo.snap_points``.
    depart_at
        Seconds since midnight for rush-hour times; ``None`` for off-peak.

    Returns
    -------
    Leg
        The same route ``geo.travel_matrices`` times (fastest by ``travel_time``).
    """
    path = geo.shortest_path(graph, origin, destination, depart_at=depart_at)
    return Leg(
        instructions_zh=tuple(i.text for i in geo.directions(graph, path, lang="zh")),
        instructions_en=tuple(i.text for i in geo.directions(graph, path, lang="en")),
        coordinates=tuple((float(c[0]), float(c[1])) for c in path.coordinates),
        distance=int(path.length),
        duration=int(path.travel_time),
    )


def _with_distances(
    graph: nx.MultiDiGraph,
    exc: geo.SnapError,
    ids: Sequence[str],
    points: Sequence[tuple[float, float]],
) -> geo.SnapError:
    """``exc`` with a distance for sites outside the extent (geo reports those without one)."""
    where = {str(name): i for i, name in enumerate(ids)}
    xs = np.array([x for _, x in graph.nodes(data="x")], dtype=float)
    ys = np.array([y for _, y in graph.nodes(data="y")], dtype=float)
    failures: list[tuple[str, str, float]] = []
    notes: list[str] = []
    for name, reason, distance in exc.failures:
        i = where.get(name)
        if reason == "outside_extent" and i is not None and math.isnan(distance):
            lon, lat = points[i]
            distance = float(np.min(geo.haversine_m(lon, lat, xs, ys)))
            km = distance / 1000
            notes.append(
                f"站点 '{name}' 距路网约 {km:.1f} 公里 / site '{name}' is about {km:.1f} km "
                "from the street network"
            )
        failures.append((name, reason, distance))
    message = "; ".join([str(exc), *notes])
    return geo.SnapError(message, failures)
