"""One route between two snapped sites, drawn and described turn by turn (zh-CN / English)."""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx
import numpy as np
import shapely
from osmnx.bearing import calculate_bearing
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString
from shapely.ops import substring

from geo._errors import RoutingError
from geo._network import Access, build_network, point_access, same_edge_direct
from geo.snapping import SnappedPoint
from geo.speeds import time_of_day_factor

__all__ = ["Instruction", "Path", "directions", "shortest_path"]

Lang = Literal["zh", "en"]


@dataclass(frozen=True)
class Path:
    """A route from one snapped site to another.

    Attributes
    ----------
    nodes : list of int
        Graph nodes passed, in order (empty when both sites lie on one edge in travel order).
    coordinates : list of [lon, lat]
        Polyline for drawing, from the foot of site ``a`` on its street to that of site ``b``.
    length : int
        Metres.
    travel_time : int
        Seconds (scaled for ``depart_at`` if one was given).
    edges : list of (u, v, key)
        Edges driven, in order; the first and last are driven only in part.
    start_offset, end_offset : float
        Metres along ``edges[0]`` where the route starts and along ``edges[-1]`` where it ends.
    """

    nodes: list[int]
    coordinates: list[list[float]]
    length: int
    travel_time: int
    edges: list[tuple[int, int, int]]
    start_offset: float
    end_offset: float


@dataclass(frozen=True)
class Instruction:
    """One leg of turn-by-turn directions.

    Attributes
    ----------
    text : str
        The sentence for the driver, e.g. "沿东大街向东行驶 350 米，右转进入南大街".
    street : str
        Street driven in this leg ("无名道路" / "unnamed road" if it has no name).
    distance : int
        Metres of this leg (0 for the arrival).
    heading : str
        Compass direction of the leg ("东", "东北", ... / "east", "northeast", ...).
    turn : str
        Manoeuvre at the end of the leg: "straight", "slight_left", "left", "slight_right",
        "right", "uturn", "none" (last leg) or "arrive" (the final instruction).
    next_street : str or None
        Street entered after the turn.
    """

    text: str
    street: str
    distance: int
    heading: str
    turn: str
    next_street: str | None


def _edge_line(G: nx.MultiDiGraph, u: Any, v: Any, k: Any) -> LineString:
    data = G.edges[u, v, k]
    geom = data.get("geometry")
    if geom is None:
        nu, nv = G.nodes[u], G.nodes[v]
        geom = LineString([(nu["x"], nu["y"]), (nv["x"], nv["y"])])
    return geom


def _piece(
    G: nx.MultiDiGraph, edge: tuple[int, int, int], start_m: float, end_m: float
) -> list[tuple[float, float]]:
    """[lon, lat] coordinates of the part of ``edge`` between two offsets (metres from u)."""
    line = _edge_line(G, *edge)
    length = float(G.edges[edge]["length"]) or 1.0
    a, b = min(max(start_m / length, 0.0), 1.0), min(max(end_m / length, 0.0), 1.0)
    if a <= 0.0 and b >= 1.0:
        return [(float(x), float(y)) for x, y in line.coords]
    part = substring(line, a, b, normalized=True)
    coords = shapely.get_coordinates(part)
    return [(float(x), float(y)) for x, y in coords]


def _reverse_edge(p: SnappedPoint, acc: Access) -> tuple[int, int, int]:
    if acc.reverse_key is None:  # cannot happen: only two-way streets offer option 1
        raise RoutingError(f"站点 '{p.name}' 的道路是单行道 / site '{p.name}' is on a one-way edge")
    return (p.v, p.u, int(acc.reverse_key))


def shortest_path(
    G: nx.MultiDiGraph,
    a: SnappedPoint,
    b: SnappedPoint,
    *,
    weight: str = "travel_time",
    depart_at: int | None = None,
) -> Path:
    """Return the best route from site ``a`` to site ``b``.

    Parameters
    ----------
    G
        Routable graph (see :func:`geo.routable_graph`).
    a, b
        Snapped sites; partial edges at both ends are driven as in :func:`geo.travel_matrices`.
    weight
        ``"travel_time"`` (fastest, default) or ``"length"`` (shortest).
    depart_at
        Seconds since local midnight; rush hours scale ``travel_time``. ``None``: off-peak.

    Returns
    -------
    Path

    Raises
    ------
    RoutingError
        If no route exists (possible only on graphs that are not strongly connected).
    """
    factor = time_of_day_factor(depart_at)
    net = build_network(G, weight)
    acc_a, acc_b = point_access(G, net, a), point_access(G, net, b)
    use_time = weight == "travel_time"

    direct = same_edge_direct(a, b, acc_a)
    best: tuple[float, Any] | None = None
    if direct is not None:
        cost = direct[0] if use_time else direct[1]
        best = (cost, ("direct", direct))

    starts = [(i, n) for i, n in enumerate(acc_a.leave_node) if n >= 0]
    ends = [(j, n) for j, n in enumerate(acc_b.enter_node) if n >= 0]
    src = np.array(sorted({n for _, n in starts}))
    dist, pred = dijkstra(net.csr, directed=True, indices=src, return_predecessors=True)
    for i, s in starts:
        row = int(np.searchsorted(src, s))
        head = acc_a.leave_time[i] if use_time else acc_a.leave_length[i]
        for j, e in ends:
            tail = acc_b.enter_time[j] if use_time else acc_b.enter_length[j]
            cost = head + float(dist[row, e]) + tail
            if math.isfinite(cost) and (best is None or cost < best[0]):
                best = (cost, ("graph", (i, j, row, s, e)))
    if best is None:
        raise RoutingError(
            f"从 '{a.name}' 到 '{b.name}' 没有可行路线 / no route from '{a.name}' to '{b.name}'"
        )

    kind, info = best[1]
    if kind == "direct":
        seconds, metres, forward = info
        if forward:
            edge = (a.u, a.v, a.key)
            s_off, e_off = a.offset_m, b.offset_m
        else:
            edge = _reverse_edge(a, acc_a)
            rlen = float(G.edges[edge]["length"])
            scale = rlen / a.edge_length if a.edge_length > 0 else 1.0
            s_off, e_off = (
                (a.edge_length - a.offset_m) * scale,
                (b.edge_length - b.offset_m) * scale,
            )
        coords = _piece(G, edge, s_off, e_off)
        return Path(
            nodes=[],
            coordinates=[list(c) for c in coords],
            length=round(metres),
            travel_time=round(seconds * factor),
            edges=[edge],
            start_offset=s_off,
            end_offset=e_off,
        )

    i, j, row, s, e = info
    idx_path = [e]
    while idx_path[-1] != s:
        prev = int(pred[row, idx_path[-1]])
        if prev < 0:
            raise RoutingError(f"路线重建失败 / could not rebuild the route {a.name} -> {b.name}")
        idx_path.append(prev)
    idx_path.reverse()
    nodes = [int(net.nodes[k]) for k in idx_path]

    first = (a.u, a.v, a.key) if i == 0 else _reverse_edge(a, acc_a)
    last = (b.u, b.v, b.key) if j == 0 else _reverse_edge(b, acc_b)
    scale_a = float(G.edges[first]["length"]) / a.edge_length if a.edge_length > 0 else 1.0
    scale_b = float(G.edges[last]["length"]) / b.edge_length if b.edge_length > 0 else 1.0
    s_off = a.offset_m * scale_a if i == 0 else (a.edge_length - a.offset_m) * scale_a
    e_off = b.offset_m * scale_b if j == 0 else (b.edge_length - b.offset_m) * scale_b

    middle = []
    if len(idx_path) > 1:
        pos = net.pair_lookup(np.array(idx_path[:-1]), np.array(idx_path[1:]))
        middle = [(nodes[q], nodes[q + 1], int(net.keys[p])) for q, p in enumerate(pos)]
    edges = [first, *middle, last]

    coords = _piece(G, first, s_off, float(G.edges[first]["length"]))
    for edge in middle:
        coords.extend(_piece(G, edge, 0.0, float(G.edges[edge]["length"]))[1:])
    coords.extend(_piece(G, last, 0.0, e_off)[1:])

    seconds = acc_a.leave_time[i] + acc_b.enter_time[j]
    metres = acc_a.leave_length[i] + acc_b.enter_length[j]
    for edge in middle:
        seconds += float(G.edges[edge]["travel_time"])
        metres += float(G.edges[edge]["length"])
    return Path(
        nodes=nodes,
        coordinates=[list(c) for c in coords],
        length=round(metres),
        travel_time=round(seconds * factor),
        edges=edges,
        start_offset=s_off,
        end_offset=e_off,
    )


_COMPASS = {
    "zh": ("北", "东北", "东", "东南", "南", "西南", "西", "西北"),
    "en": ("north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest"),
}
_TURN_WORDS = {
    "zh": {
        "straight": "直行",
        "slight_left": "稍向左",
        "left": "左转",
        "slight_right": "稍向右",
        "right": "右转",
        "uturn": "掉头",
    },
    "en": {
        "straight": "continue straight",
        "slight_left": "keep slightly left",
        "left": "turn left",
        "slight_right": "keep slightly right",
        "right": "turn right",
        "uturn": "make a U-turn",
    },
}
_UNNAMED = {"zh": "无名道路", "en": "unnamed road"}
_ROUNDABOUT = {"zh": "环岛", "en": "roundabout"}
_ARRIVE = {"zh": "到达目的地", "en": "Arrive at the destination"}


def _as_list(value: Any) -> list[Any]:
    """OSM tags may be scalars, lists, or lists written as strings ("['a', 'b']")."""
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return [value]
        return list(parsed) if isinstance(parsed, list | tuple) else [parsed]
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _street_name(value: Any) -> str:
    """First name of an edge (names may be lists, or lists written as strings)."""
    names = [
        str(v)
        for v in _as_list(value)
        if v is not None and not (isinstance(v, float) and math.isnan(v)) and str(v)
    ]
    return names[0] if names else ""


def _bearing(p: tuple[float, float], q: tuple[float, float]) -> float:
    return float(calculate_bearing(p[1], p[0], q[1], q[0]))


def _end_bearings(coords: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Bearing of the first and of the last non-degenerate segment."""
    pts = [c for k, c in enumerate(coords) if k == 0 or c != coords[k - 1]]
    if len(pts) < 2:
        return None
    return _bearing(pts[0], pts[1]), _bearing(pts[-2], pts[-1])


def _turn(delta: float) -> str:
    """Manoeuvre from the change of bearing (degrees, positive = clockwise = right)."""
    a = abs(delta)
    if a < 20:
        return "straight"
    if a <= 45:
        return "slight_right" if delta > 0 else "slight_left"
    if a <= 150:
        return "right" if delta > 0 else "left"
    return "uturn"


def _compass(bearing: float, lang: Lang) -> str:
    return _COMPASS[lang][round(bearing / 45.0) % 8]


def _distance_text(metres: float, lang: Lang) -> str:
    """Distances a driver can use: tens of metres below 1 km, then tenths of a kilometre."""
    if metres >= 1000:
        km = f"{metres / 1000:.1f}"
        return f"{km} 公里" if lang == "zh" else f"{km} km"
    rounded = max(10, round(metres / 10.0) * 10)
    return f"{rounded} 米" if lang == "zh" else f"{rounded} m"


@dataclass
class _Leg:
    name: str
    length: float
    coords: list[tuple[float, float]]
    first_bearing: float
    last_bearing: float
    roundabout: bool


def _joins(prev: _Leg, piece: _Leg) -> bool:
    """Whether ``piece`` continues the leg ``prev`` without a new instruction."""
    delta = (piece.first_bearing - prev.last_bearing + 540.0) % 360.0 - 180.0
    turn = _turn(delta)
    if prev.roundabout and piece.roundabout:
        return True  # one instruction for the whole way round (e.g. the Bell Tower)
    if piece.roundabout or prev.roundabout:
        return False
    if piece.name:
        return piece.name == prev.name and turn != "uturn"
    if not prev.name:
        return turn in ("straight", "slight_left", "slight_right")
    # An unnamed piece carrying straight on from a named street (a ramp, a stretch whose
    # name tag is missing) belongs to that street for the driver.
    return turn == "straight"


def directions(G: nx.MultiDiGraph, path: Path, *, lang: Lang = "zh") -> list[Instruction]:
    """Return turn-by-turn instructions for a :class:`Path`.

    Consecutive edges of the same street are one leg; a leg ends where the street name
    changes (or, on unnamed roads, where the route turns). Turns come from the change of
    bearing: under 20° straight, up to 45° slight, up to 150° a turn, beyond that a U-turn.

    Parameters
    ----------
    G
        The graph the path was computed on.
    path
        From :func:`shortest_path`.
    lang
        ``"zh"`` (default) or ``"en"``; street names stay as in the data.

    Returns
    -------
    list of Instruction
        One per leg, e.g. "沿东大街向东行驶 350 米，右转进入南大街", then "到达目的地".
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang 只能是 'zh' 或 'en' / lang must be 'zh' or 'en', got {lang!r}")
    pieces: list[_Leg] = []
    last = len(path.edges) - 1
    for q, edge in enumerate(path.edges):
        length = float(G.edges[edge]["length"])
        start = path.start_offset if q == 0 else 0.0
        end = path.end_offset if q == last else length
        coords = _piece(G, edge, start, end)
        ends = _end_bearings(coords)
        if ends is None or end - start <= 0.5:
            continue  # a point sitting on a node: nothing driven on this edge
        data = G.edges[edge]
        name = _street_name(data.get("name"))
        roundabout = "roundabout" in [str(j) for j in _as_list(data.get("junction"))]
        pieces.append(_Leg(name, end - start, coords, ends[0], ends[1], roundabout))

    legs: list[_Leg] = []
    for piece in pieces:
        if legs and _joins(legs[-1], piece):
            prev = legs[-1]
            prev.length += piece.length
            prev.coords.extend(piece.coords[1:])
            prev.last_bearing = piece.last_bearing
            prev.name = prev.name or piece.name
            continue
        legs.append(piece)

    out: list[Instruction] = []

    def label(leg: _Leg) -> str:
        return leg.name or (_ROUNDABOUT[lang] if leg.roundabout else _UNNAMED[lang])

    for n, leg in enumerate(legs):
        street = label(leg)
        overall = _end_bearings([leg.coords[0], leg.coords[-1]])
        heading = _compass(overall[0] if overall else leg.first_bearing, lang)
        dist = _distance_text(leg.length, lang)
        if leg.roundabout and not leg.name:
            # Going round, a compass heading says nothing useful.
            text = f"沿环岛行驶 {dist}" if lang == "zh" else f"Go round the roundabout for {dist}"
        elif lang == "zh":
            text = f"沿{street}向{heading}行驶 {dist}"
        else:
            text = f"Head {heading} on {street} for {dist}"
        turn, next_street = "none", None
        if n + 1 < len(legs):
            nxt = legs[n + 1]
            delta = (nxt.first_bearing - leg.last_bearing + 540.0) % 360.0 - 180.0
            turn = _turn(delta)
            next_street = label(nxt)
            word = _TURN_WORDS[lang][turn]
            text += (
                f"，{word}进入{next_street}"
                if lang == "zh"
                else f", then {word} onto {next_street}"
            )
        out.append(Instruction(text, street, round(leg.length), heading, turn, next_street))
    final_street = out[-1].street if out else ""
    out.append(Instruction(_ARRIVE[lang], final_street, 0, "", "arrive", None))
    return out
