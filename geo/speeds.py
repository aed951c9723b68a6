"""Urban driving speeds for Beilin, intersection delay and time-of-day factors.

Every number here is explained, with its source, in ``docs/speeds.md``. In short:

* ``URBAN_SPEEDS_KPH`` are *off-peak daytime* speeds per OSM road class that already include
  most of the waiting at signals, like the published Gaode network speeds they are calibrated to
  (GB/T 33171 "mostly free"/"light congestion" bands, scaled so that the modelled network speed
  of Beilin trips at peak is the published 18.5 km/h). **Derived**, not published per class.
* ``INTERSECTION_DELAY_S`` is a small fixed delay per intersection passed (a node where three or
  more streets meet). It is *not* a signal delay (the speeds hold that); it makes routes with
  many junctions slower than straight runs on the same class of road. Because the class speeds
  were calibrated with this delay switched on, the total is not double-counted.
* ``RUSH_HOUR_FACTOR`` multiplies travel times for departures in 07:00–09:00 and 17:00–19:00
  (Gaode's peak windows). **Derived** from Gaode's Xi'an all-day (29.61 km/h) and peak
  (25.02 km/h) speeds.
"""

from __future__ import annotations

import ast
import math
import numbers
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import networkx as nx

__all__ = [
    "FALLBACK_SPEED_KPH",
    "INTERSECTION_DELAY_S",
    "MIN_STREETS_FOR_DELAY",
    "RUSH_HOURS",
    "RUSH_HOUR_FACTOR",
    "URBAN_SPEEDS_KPH",
    "add_edge_speeds",
    "add_edge_travel_times",
    "time_of_day_factor",
]

#: Off-peak daytime speed (km/h) per OSM ``highway`` class, signal waiting included.
#: Derived (see docs/speeds.md): GB/T 33171 bands, calibrated to Beilin's 18.5 km/h at peak.
URBAN_SPEEDS_KPH: Mapping[str, float] = MappingProxyType(
    {
        "motorway": 55.0,
        "motorway_link": 38.0,
        "trunk": 46.0,  # 二环 (elevated ring road); peak 36.5: 快速路 "light congestion" 35–50
        "trunk_link": 33.0,
        "primary": 30.0,  # peak 23.8: 主干路 "light congestion" 20–30
        "primary_link": 24.0,
        "secondary": 28.0,  # peak 22.2: 主干路/次干路 "light congestion"
        "secondary_link": 22.0,
        "tertiary": 23.0,  # peak 18.3: 次干路/支路 "light congestion" 15–25
        "tertiary_link": 20.0,
        "unclassified": 19.0,  # peak 15.1: 支路 "light congestion" 15–25 (lower edge)
        "residential": 16.5,  # peak 13.1: 支路 "moderate congestion" 10–15 (lanes, parking)
        "living_street": 11.0,  # shared space: little more than walking pace
        "service": 11.0,
        "road": 16.5,
    }
)

#: Speed for classes missing from the table (km/h), the residential figure.
FALLBACK_SPEED_KPH = 16.5

#: Extra seconds per intersection passed. Deliberately far below the 32.5 s signal delay
#: measured at Kunming's main-road crossings: the class speeds already contain signal waiting.
INTERSECTION_DELAY_S = 5.0

#: A node counts as an intersection when at least this many streets meet there (osmnx
#: ``street_count``); nodes of two streets are bends or attribute changes, not junctions.
MIN_STREETS_FOR_DELAY = 3

#: Rush-hour windows (seconds since local midnight, start inclusive, end exclusive).
RUSH_HOURS: tuple[tuple[int, int], ...] = ((7 * 3600, 9 * 3600), (17 * 3600, 19 * 3600))

#: Travel-time multiplier for departures in ``RUSH_HOURS``. Derived: Gaode Xi'an all-day speed
#: 29.61 km/h over 06:00–22:00 with 4 peak hours at 25.02 km/h gives an off-peak speed of
#: 31.5 km/h; 31.5 / 25.02 = 1.26.
RUSH_HOUR_FACTOR = 1.26

_SECONDS_PER_DAY = 24 * 3600
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def time_of_day_factor(depart_at: int | None) -> float:
    """Return the travel-time multiplier for a departure time.

    Parameters
    ----------
    depart_at
        Seconds since local midnight (Asia/Shanghai), e.g. ``8 * 3600`` for 08:00. Values of a
        day or more wrap around (a route past midnight); ``None`` means off-peak (factor 1).

    Returns
    -------
    float
        ``RUSH_HOUR_FACTOR`` inside ``RUSH_HOURS``, else 1.0.

    Raises
    ------
    ValueError
        If ``depart_at`` is negative or not an integer.
    """
    if depart_at is None:
        return 1.0
    if isinstance(depart_at, bool) or not isinstance(depart_at, numbers.Integral):
        raise ValueError(
            f"depart_at 必须是整数秒 / depart_at must be integer seconds, got {depart_at!r}"
        )
    if depart_at < 0:
        raise ValueError(f"depart_at 不能为负 / depart_at must not be negative, got {depart_at!r}")
    t = int(depart_at) % _SECONDS_PER_DAY
    if any(start <= t < end for start, end in RUSH_HOURS):
        return RUSH_HOUR_FACTOR
    return 1.0


def _as_list(value: Any) -> list[Any]:
    """OSM tags may be scalars, lists, or lists written as strings ("['a', 'b']")."""
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return [value]
        return list(parsed) if isinstance(parsed, list | tuple) else [parsed]
    return [value]


def _maxspeed_kph(value: Any) -> float | None:
    """Smallest numeric km/h in an OSM ``maxspeed`` tag, ``None`` if there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    speeds = []
    for item in _as_list(value):
        text = str(item)
        match = _NUMBER.search(text)
        if match is None:
            continue  # e.g. "signals", "none": no number to respect
        kph = float(match.group())
        if "mph" in text:
            kph *= 1.609344
        if kph > 0:
            speeds.append(kph)
    return min(speeds) if speeds else None


def _class_speed(highway: Any, table: Mapping[str, float]) -> float:
    """Mean table speed over the edge's road classes (osmnx aggregates lists the same way)."""
    classes = [str(h) for h in _as_list(highway) if h is not None]
    speeds = [table.get(h, FALLBACK_SPEED_KPH) for h in classes]
    return sum(speeds) / len(speeds) if speeds else FALLBACK_SPEED_KPH


def add_edge_speeds(
    G: nx.MultiDiGraph, *, hwy_speeds: Mapping[str, float] | None = None
) -> nx.MultiDiGraph:
    """Return a copy of ``G`` with edge attribute ``speed_kph`` from the urban speed table.

    Parameters
    ----------
    G
        Graph with osmnx edge attributes (``highway``, optionally ``maxspeed``).
    hwy_speeds
        Speeds (km/h) per road class overriding ``URBAN_SPEEDS_KPH`` entries.

    Returns
    -------
    networkx.MultiDiGraph
        A new graph; ``speed_kph`` is the class speed, lowered to ``maxspeed`` where that is
        posted and smaller (a posted limit never raises the urban class speed).
    """
    table = dict(URBAN_SPEEDS_KPH)
    if hwy_speeds is not None:
        for cls, kph in hwy_speeds.items():
            if not (isinstance(kph, int | float) and kph > 0):
                raise ValueError(
                    f"hwy_speeds[{cls!r}] 必须为正数 / must be a positive number, got {kph!r}"
                )
            table[cls] = float(kph)
    H = G.copy()
    for _, _, data in H.edges(data=True):
        speed = _class_speed(data.get("highway"), table)
        posted = _maxspeed_kph(data.get("maxspeed"))
        if posted is not None:
            speed = min(speed, posted)
        data["speed_kph"] = speed
    return H


def add_edge_travel_times(
    G: nx.MultiDiGraph, *, intersection_delay: float = INTERSECTION_DELAY_S
) -> nx.MultiDiGraph:
    """Return a copy of ``G`` with ``intersection_delay`` and ``travel_time`` on every edge.

    Parameters
    ----------
    G
        Graph whose edges have ``length`` (m) and ``speed_kph``; nodes ideally carry
        ``street_count`` (osmnx); a node without it counts as an intersection if its degree
        in the undirected sense is three or more.
    intersection_delay
        Seconds added to an edge whose head node ``v`` is an intersection (a vehicle passing a
        junction pays it once, on the edge that enters the junction).

    Returns
    -------
    networkx.MultiDiGraph
        A new graph; ``travel_time`` (s, float, off-peak) = ``length / speed`` + the edge's
        ``intersection_delay``. Multiply by :func:`time_of_day_factor` for a departure time.
    """
    if intersection_delay < 0:
        raise ValueError(
            f"intersection_delay 不能为负 / must not be negative, got {intersection_delay!r}"
        )
    H = G.copy()
    undirected_degree = {n: len(set(H.predecessors(n)) | set(H.successors(n))) for n in H.nodes}
    for u, v, k, data in H.edges(keys=True, data=True):
        if "length" not in data or "speed_kph" not in data:
            missing = "length" if "length" not in data else "speed_kph"
            raise ValueError(
                f"边 ({u}, {v}, {k}) 缺少属性 {missing} / edge ({u}, {v}, {k}) lacks '{missing}'"
            )
        streets = H.nodes[v].get("street_count", undirected_degree[v])
        delay = intersection_delay if int(streets) >= MIN_STREETS_FOR_DELAY else 0.0
        data["intersection_delay"] = delay
        data["travel_time"] = float(data["length"]) / (float(data["speed_kph"]) / 3.6) + delay
    return H
