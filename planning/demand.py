"""Demand points: where Beilin's residents are, as points on the street network with weights.

:func:`district_demand` puts the district's 2020 census population on points of its own street
network: the street nodes inside the district boundary, or the centres of a seeded hexagon
grid. :func:`load_demand` reads a planner's own weighted points from CSV or GeoJSON.

What is census and what is assumed (also in every frame's ``attrs``):

* **Census (2020, seventh census):** the district total, 756,840 residents; 柏树林街道 50,374;
  东关南街街道 84,163 (``subdistricts/population_2020.csv`` of the shared data, which cites its
  sources). These totals are kept exactly.
* **Assumed — the other six sub-districts' split:** their census figures were not found; the
  remaining 622,303 residents are shared among them in proportion to their number of
  communities (社区, NBS 2020: 南院门 8, 长乐坊 8, 太乙路 18, 文艺路 9, 长安路 14, 张家村 19),
  i.e. as if every community there held the same number of people (about 8,190).
* **Assumed — which point is in which sub-district:** no sub-district boundaries are
  available, so a point belongs to the sub-district whose reference point is nearest (a
  Voronoi split of the district). The reference points are AMap's "geographic centres"
  (Vonng/adcode, CC BY 4.0) for six sub-districts and two hand-picked points for 太乙路 and
  文艺路 (:data:`ASSUMED_REFERENCE_POINTS`, the same as the demo branches').
* **Assumed — within a sub-district, people are spread evenly over its points:** per street
  node (street density stands in for housing density) or per hexagon (even density per area).
* **Coverage:** the street data stop at about 108.922 E, so the western tip of the district has
  no streets and no points; its residents are counted on the points that remain (the totals
  stay those of the census).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import shape

import geo
from geo.snapping import METRIC_CRS

__all__ = [
    "ASSUMED_REFERENCE_POINTS",
    "DemandError",
    "SubdistrictPopulation",
    "district_demand",
    "load_demand",
    "subdistrict_populations",
]

#: Hand-picked reference points (WGS-84) for the two sub-districts without a published centre:
#: the demo branches' points of ``dispatch.demo_sites``. Assumptions, not published data.
ASSUMED_REFERENCE_POINTS: Mapping[str, tuple[float, float]] = {
    "610103005": (108.9745, 34.2470),  # 太乙路街道
    "610103006": (108.9565, 34.2475),  # 文艺路街道
}

_BOUNDARY = Path("boundary") / "beilin_610103_datav_wgs84.geojson"
_POPULATION = Path("subdistricts") / "population_2020.csv"
_REFERENCE_POINTS = Path("subdistricts") / "subdistrict_points_vonng_adcode.geojson"
_DISTRICT_CODE = "610103"


class DemandError(ValueError):
    """Demand data that cannot be used; the message names the field, the row and the value."""

    def __init__(self, field: str, value: object, message: str) -> None:
        super().__init__(f"{field}={value!r}: {message}")
        self.field = field
        self.value = value


@dataclass(frozen=True)
class SubdistrictPopulation:
    """One sub-district's residents, census or assumed.

    Attributes
    ----------
    code, name
        NBS code (9 digits) and Chinese name.
    population
        Residents (a float when apportioned).
    communities
        Communities (社区) in the NBS 2020 list.
    basis
        ``"census"`` (2020 census figure) or ``"assumed"`` (share of the census remainder).
    source
        Where the census figure was read, or how the assumed one was derived.
    """

    code: str
    name: str
    population: float
    communities: int
    basis: str
    source: str


def _read_population_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise DemandError("population_file", str(path), "找不到人口文件 / file not found")
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def subdistrict_populations(beilin_dir: str | Path) -> list[SubdistrictPopulation]:
    """Return the eight sub-districts' 2020 residents: census where known, apportioned otherwise.

    Parameters
    ----------
    beilin_dir
        The shared ``beilin/`` folder (``settings.data.beilin_dir``).

    Returns
    -------
    list of SubdistrictPopulation
        In code order; the populations add up to the district's census total (756,840). The
        sub-districts without a census figure share the remainder by community count.

    Raises
    ------
    DemandError
        If the population file is missing or lacks the district total.
    """
    rows = _read_population_rows(Path(beilin_dir) / _POPULATION)
    total_row = next((r for r in rows if r["code"] == _DISTRICT_CODE), None)
    if total_row is None or not total_row["population_2020"]:
        raise DemandError("code", _DISTRICT_CODE, "人口文件缺少全区总数 / no district total")
    total = float(total_row["population_2020"])
    parts = sorted((r for r in rows if r["code"] != _DISTRICT_CODE), key=lambda r: r["code"])
    known = {r["code"]: float(r["population_2020"]) for r in parts if r["population_2020"]}
    unknown = [r for r in parts if not r["population_2020"]]
    remainder = total - sum(known.values())
    communities = sum(int(r["communities_nbs2020"]) for r in unknown)
    result = []
    for r in parts:
        n_comm = int(r["communities_nbs2020"])
        if r["code"] in known:
            population, basis, source = known[r["code"]], "census", r["population_source"]
        else:
            population = remainder * n_comm / communities
            basis = "assumed"
            source = (
                f"assumed: census remainder {remainder:,.0f} × {n_comm}/{communities} communities"
            )
        result.append(
            SubdistrictPopulation(r["code"], r["name"], population, n_comm, basis, source)
        )
    return result


def _to_metric(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.float64]:
    transformer = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    x, y = transformer.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.column_stack([np.asarray(x), np.asarray(y)])


def _reference_points(beilin_dir: Path) -> dict[str, tuple[float, float]]:
    path = beilin_dir / _REFERENCE_POINTS
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    points = dict(ASSUMED_REFERENCE_POINTS)
    for f in features:
        lon, lat = f["geometry"]["coordinates"][:2]
        points[str(f["properties"]["code"])] = (float(lon), float(lat))
    return points


def _hexagon_centres(
    boundary_m: shapely.Polygon, spacing_m: float, seed: int
) -> npt.NDArray[np.float64]:
    """Centres of a hexagon grid (centre spacing ``spacing_m``) inside ``boundary_m``.

    The grid's origin is shifted by a seeded random offset, so the same seed gives the same
    grid and another seed another placement of the same shape.
    """
    rng = np.random.default_rng(seed)
    row_step = spacing_m * math.sqrt(3) / 2
    x0, y0 = rng.uniform(0, spacing_m), rng.uniform(0, row_step)
    west, south, east, north = boundary_m.bounds
    rows = np.arange(math.floor((south - y0) / row_step), math.ceil((north - y0) / row_step) + 1)
    cols = np.arange(
        math.floor((west - x0) / spacing_m) - 1, math.ceil((east - x0) / spacing_m) + 1
    )
    cx, cy = np.meshgrid(cols, rows)
    xs = x0 + (cx + 0.5 * (cy % 2)) * spacing_m  # odd rows shifted half a step
    ys = y0 + cy * row_step
    xy = np.column_stack([xs.ravel(), ys.ravel()])
    return xy[shapely.contains_xy(boundary_m, xy[:, 0], xy[:, 1])]


def district_demand(
    G: nx.MultiDiGraph,
    beilin_dir: str | Path,
    *,
    points: Literal["nodes", "hexagons"] = "nodes",
    hex_spacing_m: float = 250.0,
    seed: int = 0,
    max_distance: float = geo.DEFAULT_MAX_DISTANCE_M,
) -> gpd.GeoDataFrame:
    """Return Beilin's demand points weighted by the 2020 census (assumptions in the docstring).

    Parameters
    ----------
    G
        The street graph (``geo.load_beilin_graph``), WGS-84.
    beilin_dir
        The shared ``beilin/`` folder: boundary, population and reference points are read there.
    points
        ``"nodes"``: the street nodes of ``G`` inside the district (each keeps its ``node``).
        ``"hexagons"``: centres of a hexagon grid inside the district, kept if within
        ``max_distance`` of a street.
    hex_spacing_m
        Distance between neighbouring hexagon centres (metres; 250 m gives cells of 0.054 km²).
    seed
        Shifts the hexagon grid's origin (reproducible).
    max_distance
        Hexagon centres farther than this from every street are left out (parks, the west tip).

    Returns
    -------
    geopandas.GeoDataFrame
        Index ``demand_id`` (``n<osmid>`` or ``h<i>``); columns ``node`` (the street node or
        <NA>), ``subdistrict_code``, ``subdistrict``, ``population`` (residents, float) and
        ``weight_basis`` (``census`` or ``assumed``, that of the sub-district figure); Point
        geometry, EPSG:4326. ``attrs`` holds ``population_total``, ``assumptions``,
        ``sources`` and, per sub-district, its share of the points.

    Raises
    ------
    DemandError
        For an unknown ``points`` kind, a non-positive spacing, missing data files, or a
        sub-district left with no point.
    """
    if points not in ("nodes", "hexagons"):
        raise DemandError("points", points, "只能是 'nodes' 或 'hexagons' / 'nodes' or 'hexagons'")
    if not hex_spacing_m > 0:
        raise DemandError("hex_spacing_m", hex_spacing_m, "必须为正 / must be positive")
    folder = Path(beilin_dir)
    boundary_path = folder / _BOUNDARY
    if not boundary_path.is_file():
        raise DemandError("boundary", str(boundary_path), "找不到区界文件 / file not found")
    district = shape(
        json.loads(boundary_path.read_text(encoding="utf-8"))["features"][0]["geometry"]
    )
    district_m = shapely.transform(district, lambda xy: _to_metric(xy[:, 0], xy[:, 1]))

    if points == "nodes":
        ids = np.array(list(G.nodes))
        lon = np.array([G.nodes[n]["x"] for n in ids], dtype=float)
        lat = np.array([G.nodes[n]["y"] for n in ids], dtype=float)
        inside = shapely.contains_xy(district, lon, lat)
        ids, lon, lat = ids[inside], lon[inside], lat[inside]
        xy = _to_metric(lon, lat)
        names = [f"n{n}" for n in ids]
        nodes = pd.array([int(n) for n in ids], dtype="Int64")
        dropped = 0
    else:
        xy = _hexagon_centres(district_m, hex_spacing_m, seed)
        index = geo.edge_index(G)
        (which, _), distance = index.tree.query_nearest(
            shapely.points(xy), return_distance=True, all_matches=False
        )
        near = np.zeros(len(xy), dtype=bool)
        near[which] = distance <= max_distance
        dropped = int((~near).sum())
        xy = xy[near]
        back = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
        lon_a, lat_a = back.transform(xy[:, 0], xy[:, 1])
        lon, lat = np.asarray(lon_a), np.asarray(lat_a)
        names = [f"h{i}" for i in range(len(xy))]
        nodes = pd.array([pd.NA] * len(xy), dtype="Int64")

    reference = _reference_points(folder)
    populations = subdistrict_populations(folder)
    codes = [p.code for p in populations]
    ref_xy = _to_metric([reference[c][0] for c in codes], [reference[c][1] for c in codes])
    nearest = np.argmin(((xy[:, None, :] - ref_xy[None, :, :]) ** 2).sum(axis=2), axis=1)
    counts = np.bincount(nearest, minlength=len(codes))
    empty = [codes[i] for i in np.flatnonzero(counts == 0)]
    if empty:
        raise DemandError("subdistrict", empty, "没有需求点 / no demand point falls in it")
    per_point = np.array([p.population for p in populations]) / counts
    frame = gpd.GeoDataFrame(
        {
            "node": nodes,
            "subdistrict_code": [codes[i] for i in nearest],
            "subdistrict": [populations[i].name for i in nearest],
            "population": per_point[nearest],
            "weight_basis": [populations[i].basis for i in nearest],
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
        index=pd.Index(names, name="demand_id"),
    )
    frame.attrs = _district_attrs(populations, counts, points, hex_spacing_m, seed, dropped)
    return frame


def _district_attrs(
    populations: list[SubdistrictPopulation],
    counts: npt.NDArray[np.int64],
    points: str,
    hex_spacing_m: float,
    seed: int,
    dropped: int,
) -> dict[str, Any]:
    method = (
        "street nodes inside the district, people spread evenly per node"
        if points == "nodes"
        else f"hexagon centres {hex_spacing_m:g} m apart (seed {seed}), people spread evenly "
        f"per hexagon; {dropped} centres farther than the snapping limit from a street left out"
    )
    return {
        "population_total": float(sum(p.population for p in populations)),
        "points": method,
        "assumptions": [
            "2020 census: district total 756,840; 柏树林 50,374; 东关南街 84,163 (kept exactly)",
            "the other six sub-districts share the census remainder by community count",
            "a point belongs to the sub-district of the nearest reference point (no boundaries "
            "available); 太乙路 and 文艺路 reference points hand-picked",
            "within a sub-district, residents are spread evenly over its points",
            "the district's west tip (west of ~108.922 E) has no streets in the data; its "
            "residents are counted on the other points",
        ],
        "subdistricts": {
            p.code: {
                "name": p.name,
                "population": p.population,
                "basis": p.basis,
                "points": int(n),
                "source": p.source,
            }
            for p, n in zip(populations, counts, strict=True)
        },
        "sources": [
            "shared data beilin/subdistricts/population_2020.csv (2020 census figures, cited)",
            "beilin/subdistricts/subdistrict_points_vonng_adcode.geojson (Vonng/adcode, CC BY 4.0)",
            "beilin/boundary/beilin_610103_datav_wgs84.geojson (DataV.GeoAtlas)",
        ],
    }


def _check_number(values: pd.Series, field: str, names: pd.Index) -> npt.NDArray[np.float64]:
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(numbers)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DemandError(
            f"{field}[{names[i]}]", values.iloc[i], "不是有效数字 / not a finite number"
        )
    return numbers


def load_demand(
    path: str | Path,
    *,
    crs: Literal["wgs84", "gcj02"] = "wgs84",
    weight: str = "population",
    id_field: str = "id",
) -> gpd.GeoDataFrame:
    """Return a planner's own demand points and weights, read from CSV or GeoJSON.

    Parameters
    ----------
    path
        A ``.csv`` with columns ``lon``, ``lat`` and the ``weight`` column (and optionally
        ``id_field``), or a ``.geojson``/``.json`` of Point features with a ``weight`` property.
    crs
        ``"wgs84"`` or ``"gcj02"`` (as Gaode/AMap and Tencent maps give them; converted to
        WGS-84 with ``geo.gcj02_to_wgs84``). A GeoJSON file that declares another CRS is
        reprojected first.
    weight
        Column or property holding each point's weight (residents, readers, loans ...).
    id_field
        Column or property naming each point; row numbers (``p0``, ``p1`` ...) if absent.

    Returns
    -------
    geopandas.GeoDataFrame
        The same shape as :func:`district_demand`: index ``demand_id``; ``node`` <NA> (points
        are snapped to the street when times are computed); ``population`` = the weights;
        ``weight_basis`` ``"user"``; WGS-84 Point geometry; ``attrs`` names the file.

    Raises
    ------
    DemandError
        Naming the missing column, or the row and value of a bad coordinate or weight
        (not a number, negative, out of range, not a Point).
    """
    file = Path(path)
    if crs not in ("wgs84", "gcj02"):
        raise DemandError("crs", crs, "只能是 'wgs84' 或 'gcj02' / must be 'wgs84' or 'gcj02'")
    if not file.is_file():
        raise DemandError("path", str(file), "找不到文件 / file not found")
    suffix = file.suffix.lower()
    if suffix == ".csv":
        table = pd.read_csv(file, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        for column in ("lon", "lat", weight):
            if column not in table.columns:
                raise DemandError(
                    "column", column, f"CSV 缺少此列 / the CSV lacks it ({file.name})"
                )
        names = pd.Index(
            table[id_field] if id_field in table.columns else [f"p{i}" for i in range(len(table))]
        )
        lon = _check_number(table["lon"], "lon", names)
        lat = _check_number(table["lat"], "lat", names)
        raw_weight = table[weight]
    elif suffix in (".geojson", ".json"):
        read = gpd.read_file(file)
        if weight not in read.columns:
            raise DemandError(
                "property", weight, f"GeoJSON 缺少此属性 / no such property ({file.name})"
            )
        if read.crs is not None and not read.crs.equals("EPSG:4326"):
            read = read.to_crs("EPSG:4326")
        names = pd.Index(
            read[id_field].astype(str)
            if id_field in read.columns
            else [f"p{i}" for i in range(len(read))]
        )
        kinds = read.geometry.geom_type.to_numpy()
        not_point = np.flatnonzero(kinds != "Point")
        if len(not_point):
            i = int(not_point[0])
            raise DemandError(f"geometry[{names[i]}]", kinds[i], "必须是点 / must be a Point")
        lon, lat = read.geometry.x.to_numpy(dtype=float), read.geometry.y.to_numpy(dtype=float)
        raw_weight = read[weight]
    else:
        raise DemandError("path", str(file), "只读 .csv 或 .geojson / reads .csv or .geojson")

    if names.has_duplicates:
        dup = names[names.duplicated()][0]
        raise DemandError(id_field, dup, "编号重复 / duplicate id")
    weights = _check_number(raw_weight, weight, names)
    for field, values, limit in (("lon", lon, 180.0), ("lat", lat, 90.0), (weight, weights, None)):
        bad = (np.abs(values) > limit) if limit is not None else (values < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            reason = "超出范围 / out of range" if limit is not None else "不能为负 / negative"
            raise DemandError(f"{field}[{names[i]}]", float(values[i]), reason)
    if crs == "gcj02":
        w_lon, w_lat = geo.gcj02_to_wgs84(lon, lat)
        lon, lat = np.asarray(w_lon), np.asarray(w_lat)
    frame = gpd.GeoDataFrame(
        {
            "node": pd.array([pd.NA] * len(names), dtype="Int64"),
            "population": weights,
            "weight_basis": "user",
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
        index=pd.Index([str(n) for n in names], name="demand_id"),
    )
    frame.attrs = {
        "population_total": float(weights.sum()),
        "points": f"user file {file.name} ({crs.upper()} given, WGS-84 here)",
        "assumptions": [f"weights are the user's column '{weight}'"],
        "sources": [str(file)],
    }
    return frame
