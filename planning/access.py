"""Coverage, isochrones and accessibility scores of the sites, as GeoDataFrames.

Conventions: times are whole seconds from :mod:`planning.travel_times`, oriented **from each
demand point to each site** (``direction="to_site"``, the trip a reader makes); a point is
*within* a cutoff when its time is ``<= cutoff_s`` (the boundary counts as reached).

Two-step floating catchment (2SFCA, Luo & Wang 2003) and its gravity form (Shen 1998) both
weigh the same trips, the residents' trips to the sites, in both steps: step 1 counts the
residents who can reach site j (``times[:, j]``), step 2 sums the sites that resident i can
reach (``times[i, :]``). A drive matrix is asymmetric on one-way streets, so computing step 1
from the site's side (times *from* the site, as PySAL's ``access`` did by swapping origins and
destinations; pysal/access issue #18) gives another, wrong answer; the tests hold a graph where
it does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
import shapely.ops
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString

import geo
from geo.snapping import METRIC_CRS
from planning._network import Direction, Mode, SplitNetwork, check_mode, places, split_network
from planning.travel_times import WALK_SPEED_KPH, travel_matrix

__all__ = [
    "DEFAULT_BUFFER_M",
    "PER_RESIDENTS",
    "accessibility",
    "coverage_summary",
    "gravity_access",
    "isochrones",
    "two_step_fca",
    "within",
]

#: Isochrones are the reached streets buffered by this many metres (a short walk off the
#: street to a door; osmnx's isochrone example buffers edges by 25 m and nodes by 50 m).
DEFAULT_BUFFER_M = 50.0

#: Accessibility scores in :func:`accessibility` are supply per this many residents.
PER_RESIDENTS = 10_000


def _reachable(times: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    return np.asarray(times) < geo.UNREACHABLE


def within(times: npt.NDArray[np.int64], cutoff_s: float) -> npt.NDArray[np.bool_]:
    """Return which pairs are within the cutoff: ``times <= cutoff_s``, the boundary included.

    Parameters
    ----------
    times
        Whole seconds, any shape; :data:`geo.UNREACHABLE` is never within.
    cutoff_s
        Seconds (e.g. ``15 * 60`` for the 15-minute reading circle).

    Returns
    -------
    ndarray of bool
        Same shape as ``times``.
    """
    if not cutoff_s >= 0:
        raise ValueError(f"cutoff_s 不能为负 / cutoff_s must not be negative, got {cutoff_s!r}")
    return (np.asarray(times) <= cutoff_s) & _reachable(times)


def _check_weights(
    times: npt.NDArray[np.int64], supply: npt.ArrayLike, demand: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    m, k = np.shape(times)
    s = np.asarray(supply, dtype=float).reshape(-1)
    p = np.asarray(demand, dtype=float).reshape(-1)
    for name, values, size, side in (("supply", s, k, "columns"), ("demand", p, m, "rows")):
        if len(values) != size:
            raise ValueError(
                f"{name} 有 {len(values)} 个值，times 有 {size} {side} / {name} has "
                f"{len(values)} values for {size} {side} of times"
            )
        if not (np.isfinite(values).all() and (values >= 0).all()):
            raise ValueError(
                f"{name} 必须是非负数 / {name} must be finite and non-negative, got "
                f"{values.tolist()[:5]}"
            )
    return s, p


def two_step_fca(
    times: npt.NDArray[np.int64],
    supply: npt.ArrayLike,
    demand: npt.ArrayLike,
    *,
    cutoff_s: float,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Return the two-step floating catchment accessibility of each demand point.

    Parameters
    ----------
    times
        M×K whole seconds **from demand point i to site j** (``travel_matrix(...,
        direction="to_site")``); both steps read this one orientation.
    supply
        K values (one per site: 1 per site, items held, floor area ...).
    demand
        M residents per demand point.
    cutoff_s
        Catchment: a pair counts when ``times[i, j] <= cutoff_s``.

    Returns
    -------
    (access, ratio) : tuple of ndarray
        ``ratio[j] = supply[j] / (residents who can reach j)`` (0 for a site no resident can
        reach) and ``access[i] = sum of ratio[j] over the sites i can reach``: supply per
        resident.
    """
    s, p = _check_weights(times, supply, demand)
    w = within(times, cutoff_s).astype(float)
    reached_by = p @ w  # residents within reach of each site
    ratio = np.divide(s, reached_by, out=np.zeros_like(s), where=reached_by > 0)
    return w @ ratio, ratio


def gravity_access(
    times: npt.NDArray[np.int64],
    supply: npt.ArrayLike,
    demand: npt.ArrayLike,
    *,
    beta: float = 1.0,
    cutoff_s: float | None = None,
    min_time_s: float = 60.0,
) -> npt.NDArray[np.float64]:
    """Return the gravity (competition-weighted) accessibility of each demand point.

    ``A_i = sum_j S_j f(t_ij) / sum_k P_k f(t_kj)``, ``f(t) = (t / 60 s) ** -beta``: the
    gravity form of 2SFCA (Shen 1998), the same demand-to-site times in both sums.

    Parameters
    ----------
    times
        M×K whole seconds from demand point i to site j.
    supply, demand
        K site weights and M residents.
    beta
        Distance-decay exponent (1 to 2 is usual for local services).
    cutoff_s
        Pairs beyond it (``> cutoff_s``) count nothing; ``None``: no cutoff.
    min_time_s
        Times are raised to at least this before decay, so a point at a site does not weigh
        infinitely.

    Returns
    -------
    ndarray of float
        Supply per resident, decay-weighted; sums to the total supply when weighted by
        ``demand`` (if every site is reached by someone).
    """
    if not (beta > 0 and min_time_s > 0):
        raise ValueError(
            f"beta 与 min_time_s 必须为正 / beta and min_time_s must be positive, got "
            f"{beta!r}, {min_time_s!r}"
        )
    s, p = _check_weights(times, supply, demand)
    t = np.maximum(np.asarray(times, dtype=float), min_time_s) / 60.0
    reach = _reachable(times) if cutoff_s is None else within(times, cutoff_s)
    decay = np.where(reach, t**-beta, 0.0)
    potential = p @ decay  # decay-weighted residents competing for each site
    ratio = np.divide(s, potential, out=np.zeros_like(s), where=potential > 0)
    return decay @ ratio


def _supply_vector(supply: Any, codes: Sequence[str]) -> npt.NDArray[np.float64]:
    if supply is None:
        return np.ones(len(codes))
    if isinstance(supply, Mapping):
        missing = [c for c in codes if c not in supply]
        if missing:
            raise ValueError(f"supply 缺少站点 / supply lacks sites: {missing[:5]}")
        return np.array([float(supply[c]) for c in codes])
    return np.asarray(supply, dtype=float)


def accessibility(
    G: nx.MultiDiGraph,
    demand: gpd.GeoDataFrame,
    sites: Sequence[tuple[str, float, float]],
    *,
    cutoff_s: float = 15 * 60,
    modes: Sequence[Mode] = ("drive", "walk"),
    supply: Mapping[str, float] | Sequence[float] | None = None,
    beta: float = 1.0,
    walk_speed_kph: float = WALK_SPEED_KPH,
    depart_at: int | None = None,
    index: geo.EdgeIndex | None = None,
) -> gpd.GeoDataFrame:
    """Return ``demand`` with each mode's nearest site, time, coverage and accessibility scores.

    Parameters
    ----------
    G
        Routable street graph.
    demand
        Demand points with a ``population`` column (:func:`planning.district_demand` or
        :func:`planning.load_demand`).
    sites
        ``(code, lon, lat)`` per site, WGS-84 (e.g. ``[(s.id, s.lon, s.lat) for s in
        dispatch.demo_sites(...)]`` or the catalogue's sites).
    cutoff_s
        Coverage and 2SFCA catchment, seconds, inclusive (``<=``); default the 15-minute
        reading circle.
    modes
        Any of ``"drive"`` and ``"walk"``.
    supply
        Per site (by code, or in order): what a site offers; default 1 each.
    beta
        Distance decay of the gravity score.
    walk_speed_kph, depart_at, index
        As for :func:`planning.travel_matrix`.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``demand`` with, per mode: ``<mode>_site`` (nearest site's code, None if
        none reachable), ``<mode>_time_s`` (Int64 seconds, <NA> if none), ``<mode>_within``
        (``time_s <= cutoff_s``), ``<mode>_2sfca`` and ``<mode>_gravity`` (supply per
        :data:`PER_RESIDENTS` residents). ``attrs`` keeps the demand's and adds the cutoff,
        its rule, the walking speed and the sites.
    """
    if "population" not in demand.columns:
        raise ValueError("demand 缺少 population 列 / demand lacks a 'population' column")
    codes = [str(s[0]) for s in sites]
    s = _supply_vector(supply, codes)
    population = demand["population"].to_numpy(dtype=float)
    frame = demand.copy()
    for mode in modes:
        times = travel_matrix(
            G,
            demand,
            sites,
            mode=mode,
            direction="to_site",
            walk_speed_kph=walk_speed_kph,
            depart_at=depart_at,
            index=index,
        )
        best = np.argmin(times, axis=1) if len(codes) else np.zeros(len(demand), dtype=int)
        best_t = (
            times[np.arange(len(demand)), best]
            if len(codes)
            else np.full(len(demand), geo.UNREACHABLE)
        )
        reached = _reachable(best_t)
        frame[f"{mode}_site"] = [
            codes[j] if r else None for j, r in zip(best, reached, strict=True)
        ]
        frame[f"{mode}_time_s"] = pd.array(np.where(reached, best_t, 0), dtype="Int64")
        frame.loc[~reached, f"{mode}_time_s"] = pd.NA
        frame[f"{mode}_within"] = within(best_t, cutoff_s)
        frame[f"{mode}_2sfca"] = (
            two_step_fca(times, s, population, cutoff_s=cutoff_s)[0] * PER_RESIDENTS
        )
        frame[f"{mode}_gravity"] = gravity_access(times, s, population, beta=beta) * PER_RESIDENTS
    frame.attrs = {
        **demand.attrs,
        "cutoff_s": float(cutoff_s),
        "cutoff_rule": "within when the whole-second time <= cutoff_s (the boundary is reached)",
        "direction": "to_site: from each demand point to each site",
        "walk_speed_kph": float(walk_speed_kph),
        "scores": f"2SFCA and gravity (beta {beta:g}): supply per {PER_RESIDENTS:,} residents",
        "sites": codes,
    }
    return frame


def coverage_summary(
    frame: gpd.GeoDataFrame,
    cutoffs_s: Sequence[float],
    *,
    modes: Sequence[Mode] = ("drive", "walk"),
) -> pd.DataFrame:
    """Return the residents within each cutoff of their nearest site, per mode.

    Parameters
    ----------
    frame
        The result of :func:`accessibility`.
    cutoffs_s
        Cutoffs in seconds, each inclusive (``<=``).
    modes
        The modes of ``frame`` to report.

    Returns
    -------
    pandas.DataFrame
        One row per mode and cutoff: ``mode``, ``cutoff_s``, ``points``, ``population``,
        ``share`` (of all residents in ``frame``).
    """
    population = frame["population"].to_numpy(dtype=float)
    total = population.sum()
    rows = []
    for mode in modes:
        column = f"{mode}_time_s"
        if column not in frame.columns:
            raise ValueError(f"frame 缺少 {column} / frame lacks '{column}': run accessibility")
        t = frame[column].to_numpy(dtype="float64", na_value=np.inf)
        for cutoff in cutoffs_s:
            inside = t <= cutoff
            rows.append(
                {
                    "mode": mode,
                    "cutoff_s": float(cutoff),
                    "points": int(inside.sum()),
                    "population": float(population[inside].sum()),
                    "share": float(population[inside].sum() / total) if total > 0 else 0.0,
                }
            )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class _Streets:
    """The base edges as streets: a two-way street's two directed edges are one street.

    ``street[e]`` is edge e's street; ``flip[e]`` whether edge e is drawn against its street's
    line (so its fraction f is the street's 1 - f); ``lines[s]`` street s's line in metres.
    """

    street: npt.NDArray[np.int64]
    flip: npt.NDArray[np.bool_]
    lines: npt.NDArray[Any]


def _streets(G: nx.MultiDiGraph, net: SplitNetwork) -> _Streets:
    """Each base edge's street (same two ends, same length) and each street's line in metres."""
    ids: dict[tuple[Any, Any, float], int] = {}
    ends: list[tuple[Any, Any]] = []
    geoms = []
    street, flip = [], []
    for u, v, k in net.edges:
        data = G.edges[u, v, k]
        key = (min(u, v), max(u, v), round(float(data["length"]), 1))
        if key not in ids:
            ids[key] = len(ids)
            ends.append((u, v))
            geom = data.get("geometry")
            if geom is None:
                nu, nv = G.nodes[u], G.nodes[v]
                geom = LineString([(nu["x"], nu["y"]), (nv["x"], nv["y"])])
            geoms.append(geom)
        s = ids[key]
        street.append(s)
        flip.append(ends[s] != (u, v))
    to_m = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    lines = shapely.transform(
        np.array(geoms, dtype=object),
        lambda xy: np.column_stack(to_m.transform(xy[:, 0], xy[:, 1])),
    )
    return _Streets(np.array(street, dtype=np.int64), np.array(flip, dtype=bool), lines)


def _reached_pieces(
    net: SplitNetwork, dist: npt.NDArray[np.float64], cutoff_s: float, *, to_site: bool
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(edge, from, to) geometry fractions of every arc part within ``cutoff_s`` of the site."""
    drive = np.where(net.arc_drive > 0, net.arc_drive, np.inf)
    if to_site:
        # A point at share t of the arc needs (1 - t) of it, the head's delay, then dist[head].
        slack = cutoff_s - dist[net.arc_head] - net.arc_delay
        t0 = np.clip(1.0 - slack / drive, 0.0, 1.0)
        t1 = np.ones_like(t0)
    else:
        # A point at share t needs dist[tail] and t of the arc (the delay comes at the head).
        slack = cutoff_s - dist[net.arc_tail]
        t0 = np.zeros_like(slack)
        t1 = np.clip(slack / drive, 0.0, 1.0)
    ok = slack >= 0
    span = net.arc_to - net.arc_from
    g0 = net.arc_from + t0 * span
    g1 = net.arc_from + t1 * span
    lo, hi = np.minimum(g0, g1)[ok], np.maximum(g0, g1)[ok]
    return net.arc_edge[ok], lo, hi


def _merged(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1] + 1e-9:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _piece_lines(
    streets: _Streets,
    edge: npt.NDArray[np.int64],
    lo: npt.NDArray[np.float64],
    hi: npt.NDArray[np.float64],
) -> list[Any]:
    """The reached lines, each street part once (reached from either end, in either direction)."""
    s = streets.street[edge]
    flip = streets.flip[edge]
    a, b = np.where(flip, 1.0 - hi, lo), np.where(flip, 1.0 - lo, hi)
    whole = (a <= 1e-9) & (b >= 1 - 1e-9)
    full = set(np.unique(s[whole]).tolist())
    pieces = list(streets.lines[sorted(full)])
    parts: dict[int, list[tuple[float, float]]] = {}
    for si, ai, bi in zip(s[~whole], a[~whole], b[~whole], strict=True):
        if int(si) not in full and bi - ai > 1e-9:
            parts.setdefault(int(si), []).append((float(ai), float(bi)))
    for si, intervals in parts.items():
        for ai, bi in _merged(intervals):
            line = streets.lines[si]
            pieces.append(shapely.ops.substring(line, ai, bi, normalized=True))
    return pieces


def isochrones(
    G: nx.MultiDiGraph,
    sites: Sequence[tuple[str, float, float]],
    cutoffs_s: Sequence[float] = (15 * 60,),
    *,
    mode: Mode = "walk",
    direction: Direction = "to_site",
    walk_speed_kph: float = WALK_SPEED_KPH,
    depart_at: int | None = None,
    buffer_m: float = DEFAULT_BUFFER_M,
    index: geo.EdgeIndex | None = None,
) -> gpd.GeoDataFrame:
    """Return one isochrone polygon per site and cutoff: the reached streets, buffered.

    The polygon is the union of every street part within the cutoff, cut exactly where the
    time runs out along a street, each buffered by ``buffer_m`` (not a convex or concave hull,
    which would cover blocks no street reaches).

    Parameters
    ----------
    G
        Routable street graph.
    sites
        ``(code, lon, lat)`` per site, WGS-84.
    cutoffs_s
        Seconds; a street point is inside when its time is ``<= cutoff``.
    mode
        ``"walk"`` (default) or ``"drive"``.
    direction
        ``"to_site"``: the streets *from* which the site is reached in time (a reader's
        catchment); ``"from_site"``: the streets reached *from* the site.
    walk_speed_kph, depart_at, index
        As for :func:`planning.travel_matrix`.
    buffer_m
        Metres of buffer around the reached streets (positive).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``site``, ``mode``, ``direction``, ``cutoff_s``, ``street_m`` (metres of
        street reached, each part of a street once however it is reached), ``area_km2`` and
        the polygon geometry, EPSG:4326.
    """
    check_mode(mode, direction, walk_speed_kph)
    if not buffer_m > 0:
        raise ValueError(f"buffer_m 必须为正 / buffer_m must be positive, got {buffer_m!r}")
    cutoffs = sorted(float(c) for c in cutoffs_s)
    if not cutoffs or cutoffs[0] < 0:
        raise ValueError(
            f"cutoffs_s 必须为非负且非空 / cutoffs_s must be non-negative, got {cutoffs_s!r}"
        )
    group = places(sites, what="sites")
    factor = geo.time_of_day_factor(depart_at) if mode == "drive" else 1.0
    net = split_network(
        G,
        [(group, "站点 / sites")],
        mode=mode,
        walk_speed_kph=walk_speed_kph,
        time_factor=factor,
        index=index,
    )
    streets = _streets(G, net)
    site_nodes = net.place_node[0]
    to_site = direction == "to_site"
    graph = net.csr(reverse=to_site)
    dist = np.atleast_2d(dijkstra(graph, indices=site_nodes, limit=cutoffs[-1]))
    site_xy = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True).transform(
        group.lonlat[:, 0], group.lonlat[:, 1]
    )
    rows = []
    for i, code in enumerate(group.names):
        here = shapely.points(np.asarray(site_xy[0])[i], np.asarray(site_xy[1])[i])
        for cutoff in cutoffs:
            reached = _reached_pieces(net, dist[i], cutoff, to_site=to_site)
            pieces = np.array([*_piece_lines(streets, *reached), here], dtype=object)
            # Buffering each piece and merging the discs is far faster than noding the lines.
            polygon = shapely.union_all(shapely.buffer(pieces, buffer_m, quad_segs=4))
            rows.append(
                {
                    "site": code,
                    "mode": mode,
                    "direction": direction,
                    "cutoff_s": cutoff,
                    "street_m": float(shapely.length(pieces).sum()),
                    "area_km2": float(shapely.area(polygon)) / 1e6,
                    "geometry": polygon,
                }
            )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS).to_crs("EPSG:4326")
    frame.attrs = {
        "method": f"reached streets (cut where time runs out) buffered by {buffer_m:g} m",
        "cutoff_rule": "a street point is inside when its time <= cutoff_s",
        "walk_speed_kph": float(walk_speed_kph),
    }
    return frame
