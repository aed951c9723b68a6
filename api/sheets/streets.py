"""The street network behind the route sheets: legs between sites and the streets to draw.

The Beilin graph is loaded on the first sheet asked for (about 2 s) and kept for the
process; the sites are snapped once per set of sites (through :func:`dispatch.site_network`)
and each leg is computed once (:meth:`dispatch.SiteNetwork.leg`, cached there).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geo
from dispatch import Leg, SiteNetwork, site_network

__all__ = ["StreetLegs", "StreetLine", "street_lines"]

MAJOR = frozenset({"motorway", "trunk", "primary", "secondary"})
"""Road classes drawn wide on the map (and named)."""
MEDIUM = frozenset({"tertiary", "unclassified"})
"""Road classes drawn thin; the others (residential, living streets) thinner, and only on a
map small enough for them to be told apart."""
MINOR_SPAN_M = 6000.0
"""Residential streets are drawn on maps spanning less than this (metres, the longer side)."""


@dataclass(frozen=True, slots=True)
class StreetLine:
    """One street edge to draw: its rank (2 major, 1 medium, 0 minor), name and [lon, lat]
    line."""

    rank: int
    name: str
    coordinates: tuple[tuple[float, float], ...]


class StreetLegs:
    """Legs between sites on the Beilin street network, for one process.

    Parameters
    ----------
    beilin_dir
        The ``beilin/`` folder (``settings.data.beilin_dir``).
    depart_at
        Seconds since midnight whose traffic the legs assume (None: off-peak), as the plans'.
    keep
        How many sets of sites to keep snapped.
    """

    def __init__(self, beilin_dir: Path, *, depart_at: int | None = None, keep: int = 4) -> None:
        self.beilin_dir = beilin_dir
        self.depart_at = depart_at
        self.keep = keep
        self._graph: Any = None
        self._networks: dict[tuple[tuple[str, float, float], ...], SiteNetwork] = {}
        self._lock = threading.Lock()

    def graph(self) -> Any:
        """The routable street graph (loaded once)."""
        with self._lock:
            if self._graph is None:
                self._graph = geo.load_beilin_graph(self.beilin_dir)
            return self._graph

    def network(self, sites: Sequence[tuple[str, float, float]]) -> SiteNetwork:
        """The sites ``(code, lon, lat)`` snapped onto the graph (kept per set of sites).

        Raises
        ------
        geo.SnapError
            A site too far from every street.
        """
        key = tuple(sorted(set(sites)))
        graph = self.graph()
        with self._lock:
            found = self._networks.get(key)
        if found is not None:
            return found
        net = site_network(
            graph, [c for c, _, _ in key], [(x, y) for _, x, y in key], depart_at=self.depart_at
        )
        with self._lock:
            if len(self._networks) >= self.keep:
                self._networks.pop(next(iter(self._networks)))
            self._networks[key] = net
        return net

    def leg(self, net: SiteNetwork, origin: str, destination: str) -> Leg:
        """The way from one site of ``net`` to another (directions in Chinese and English)."""
        with self._lock:  # the network's leg cache is a plain dict
            return net.leg(origin, destination)


def _highway(value: Any) -> str:
    if isinstance(value, list | tuple):
        return str(value[0]) if value else ""
    return str(value or "")


def _name(value: Any) -> str:
    if isinstance(value, list | tuple):
        return str(value[0]) if value else ""
    return "" if value is None or value != value else str(value)  # NaN from shapefiles


def street_lines(graph: Any, bbox: tuple[float, float, float, float]) -> list[StreetLine]:
    """The street edges of ``graph`` that touch ``bbox`` (lon0, lat0, lon1, lat1), one line
    per street (a two-way street's second direction is skipped), minor streets first so
    that the major ones are drawn on top; residential streets only on a small map
    (:data:`MINOR_SPAN_M`)."""
    lon0, lat0, lon1, lat1 = bbox
    span = max(geo.haversine_m(lon0, lat0, lon1, lat0), geo.haversine_m(lon0, lat0, lon0, lat1))
    least = 0 if span < MINOR_SPAN_M else 1
    seen: set[frozenset[Any]] = set()
    lines: list[StreetLine] = []
    for u, v, data in graph.edges(data=True):
        pair = frozenset((u, v))
        if pair in seen:
            continue
        geom = data.get("geometry")
        if geom is not None:
            coords = [(float(x), float(y)) for x, y in geom.coords]
        else:
            a, b = graph.nodes[u], graph.nodes[v]
            coords = [(float(a["x"]), float(a["y"])), (float(b["x"]), float(b["y"]))]
        xs = [c[0] for c in coords]
        ys = [c[1] for c in coords]
        if max(xs) < lon0 or min(xs) > lon1 or max(ys) < lat0 or min(ys) > lat1:
            continue
        highway = _highway(data.get("highway")).removesuffix("_link")
        rank = 2 if highway in MAJOR else 1 if highway in MEDIUM else 0
        if rank < least:
            continue
        seen.add(pair)
        lines.append(StreetLine(rank, _name(data.get("name")), tuple(coords)))
    lines.sort(key=lambda line: line.rank)
    return lines
