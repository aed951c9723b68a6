"""Demand points: census weights where known, the assumptions stated, a planner's own files."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely
from shapely.geometry import shape

import geo
import planning

BAISHULIN, DONGGUANNANJIE = "610103002", "610103004"


@pytest.fixture(scope="module")
def beilin(beilin_dir: Path) -> nx.MultiDiGraph:
    """The real routable Beilin drive graph (cached by geo)."""
    return geo.load_beilin_graph(beilin_dir)


# --- census and assumed populations --------------------------------------------------------


def test_subdistrict_populations_keep_the_census_figures(beilin_dir: Path) -> None:
    rows = {p.code: p for p in planning.subdistrict_populations(beilin_dir)}
    assert len(rows) == 8
    assert sum(p.population for p in rows.values()) == pytest.approx(756_840)
    assert (rows[BAISHULIN].population, rows[BAISHULIN].basis) == (50_374, "census")
    assert (rows[DONGGUANNANJIE].population, rows[DONGGUANNANJIE].basis) == (84_163, "census")


def test_the_other_six_share_the_remainder_by_community_count(beilin_dir: Path) -> None:
    rows = {p.code: p for p in planning.subdistrict_populations(beilin_dir)}
    assumed = [p for p in rows.values() if p.basis == "assumed"]
    assert len(assumed) == 6
    assert sum(p.population for p in assumed) == pytest.approx(756_840 - 50_374 - 84_163)
    # 张家村 has 19 communities, 南院门 8: the same residents per community.
    assert rows["610103008"].population / rows["610103001"].population == pytest.approx(19 / 8)
    assert all("assumed" in p.source for p in assumed)


# --- district demand on the street network -------------------------------------------------


@pytest.mark.slow
def test_street_node_demand_lies_in_the_district_and_sums_to_the_census(
    beilin: nx.MultiDiGraph, beilin_dir: Path
) -> None:
    demand = planning.district_demand(beilin, beilin_dir)
    boundary = json.loads(
        (beilin_dir / "boundary" / "beilin_610103_datav_wgs84.geojson").read_text("utf-8")
    )
    district = shape(boundary["features"][0]["geometry"])
    assert shapely.contains(district, demand.geometry.to_numpy()).all()
    assert set(demand["node"]) <= set(beilin.nodes)
    assert demand["population"].sum() == pytest.approx(756_840)
    by_sub = demand.groupby("subdistrict_code")["population"].sum()
    assert by_sub[BAISHULIN] == pytest.approx(50_374)
    assert by_sub[DONGGUANNANJIE] == pytest.approx(84_163)
    assert set(demand["weight_basis"]) == {"census", "assumed"}
    assert demand.crs == "EPSG:4326"
    assert demand.index.name == "demand_id"


@pytest.mark.slow
def test_the_assumptions_travel_with_the_frame(beilin: nx.MultiDiGraph, beilin_dir: Path) -> None:
    attrs = planning.district_demand(beilin, beilin_dir).attrs
    text = " ".join(attrs["assumptions"])
    assert "census" in text and "community count" in text and "nearest reference" in text
    assert attrs["population_total"] == pytest.approx(756_840)
    assert attrs["subdistricts"][BAISHULIN]["basis"] == "census"
    assert sum(s["points"] for s in attrs["subdistricts"].values()) > 800


@pytest.mark.slow
def test_hexagon_demand_is_seeded_and_near_a_street(
    beilin: nx.MultiDiGraph, beilin_dir: Path
) -> None:
    first = planning.district_demand(beilin, beilin_dir, points="hexagons", seed=3)
    again = planning.district_demand(beilin, beilin_dir, points="hexagons", seed=3)
    other = planning.district_demand(beilin, beilin_dir, points="hexagons", seed=4)
    assert first.geometry.equals(again.geometry)
    shifted = np.column_stack([other.geometry.x, other.geometry.y])
    assert not np.isin(np.column_stack([first.geometry.x, first.geometry.y]), shifted).all()
    assert first["population"].sum() == pytest.approx(756_840)
    assert first["node"].isna().all()
    snapped = geo.snap_points(beilin, np.column_stack([first.geometry.x, first.geometry.y]))
    assert max(p.distance_m for p in snapped) <= geo.DEFAULT_MAX_DISTANCE_M
    # Centres 250 m apart: one per 0.054 km² of the 23.8 km² district, less those off-street.
    assert 300 < len(first) < 23.8 / 0.0541


def test_an_unknown_kind_of_point_is_named(beilin_dir: Path) -> None:
    with pytest.raises(planning.DemandError, match="points"):
        planning.district_demand(nx.MultiDiGraph(), beilin_dir, points="grid")  # type: ignore[arg-type]


def test_a_folder_without_the_data_is_named(tmp_path: Path) -> None:
    with pytest.raises(planning.DemandError, match="boundary"):
        planning.district_demand(nx.MultiDiGraph(), tmp_path)


# --- a planner's own weights ---------------------------------------------------------------

BELL_TOWER = (108.9425, 34.2611)  # WGS-84


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_weights_are_read_as_given(tmp_path: Path) -> None:
    csv = _write(
        tmp_path / "readers.csv", "id,lon,lat,readers\na,108.95,34.25,120\nb,108.96,34.26,0\n"
    )
    demand = planning.load_demand(csv, weight="readers")
    assert demand.index.tolist() == ["a", "b"]
    assert demand["population"].tolist() == [120.0, 0.0]
    assert (demand.geometry.x.tolist(), demand.geometry.y.tolist()) == (
        [108.95, 108.96],
        [34.25, 34.26],
    )
    assert set(demand["weight_basis"]) == {"user"}
    assert demand.attrs["population_total"] == 120.0


def test_gcj02_points_are_converted_to_wgs84_at_the_edge(tmp_path: Path) -> None:
    g_lon, g_lat = geo.wgs84_to_gcj02(*BELL_TOWER)
    csv = _write(tmp_path / "amap.csv", f"lon,lat,population\n{g_lon:.10f},{g_lat:.10f},10\n")
    demand = planning.load_demand(csv, crs="gcj02")
    lon, lat = demand.geometry.x.iloc[0], demand.geometry.y.iloc[0]
    assert float(geo.haversine_m(lon, lat, *BELL_TOWER)) < 0.01
    assert demand.index.tolist() == ["p0"]
    as_wgs = planning.load_demand(csv)  # the same file read as WGS-84 is ~500 m off
    assert (
        float(geo.haversine_m(as_wgs.geometry.x.iloc[0], as_wgs.geometry.y.iloc[0], *BELL_TOWER))
        > 300
    )


def test_geojson_points_and_their_property(tmp_path: Path) -> None:
    g_lon, g_lat = geo.wgs84_to_gcj02(*BELL_TOWER)
    features = [
        {
            "type": "Feature",
            "properties": {"id": "bell-tower", "households": 42},
            "geometry": {"type": "Point", "coordinates": [g_lon, g_lat]},
        }
    ]
    path = _write(
        tmp_path / "d.geojson", json.dumps({"type": "FeatureCollection", "features": features})
    )
    demand = planning.load_demand(path, crs="gcj02", weight="households")
    assert demand.index.tolist() == ["bell-tower"]
    assert demand["population"].tolist() == [42.0]
    assert (
        float(geo.haversine_m(demand.geometry.x.iloc[0], demand.geometry.y.iloc[0], *BELL_TOWER))
        < 0.01
    )


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("lon,lat\n108.95,34.25\n", "column", "population"),  # no weight column
        ("lon,population\n108.95,1\n", "column", "lat"),  # no latitude
        ("id,lon,lat,population\na,108.95,34.25,-3\n", "population[a]", "-3.0"),  # negative
        ("id,lon,lat,population\na,108.95,north,1\n", "lat[a]", "north"),  # not a number
        ("id,lon,lat,population\na,108.95,95,1\n", "lat[a]", "95.0"),  # beyond the pole
        ("id,lon,lat,population\na,108.95,34.25,\n", "population[a]", "''"),  # empty weight
        ("id,lon,lat,population\na,1,2,1\na,3,4,1\n", "id", "a"),  # the same id twice
    ],
)
def test_bad_csv_rows_name_the_field_and_the_value(
    tmp_path: Path, text: str, field: str, value: str
) -> None:
    csv = _write(tmp_path / "bad.csv", text)
    with pytest.raises(planning.DemandError) as caught:
        planning.load_demand(csv)
    assert caught.value.field == field
    assert value in str(caught.value)


def test_a_polygon_in_geojson_is_refused(tmp_path: Path) -> None:
    ring = [[108.95, 34.25], [108.96, 34.25], [108.96, 34.26], [108.95, 34.25]]
    feature = {
        "type": "Feature",
        "properties": {"population": 5},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    path = _write(
        tmp_path / "area.geojson", json.dumps({"type": "FeatureCollection", "features": [feature]})
    )
    with pytest.raises(planning.DemandError, match="Point"):
        planning.load_demand(path)


@pytest.mark.parametrize(
    ("name", "crs", "field"),
    [
        ("demand.xlsx", "wgs84", "path"),  # neither CSV nor GeoJSON
        ("missing.csv", "wgs84", "path"),  # no such file
        ("demand.csv", "bd09", "crs"),  # Baidu's datum is not accepted
    ],
)
def test_unusable_files_and_datums_are_named(
    tmp_path: Path, name: str, crs: str, field: str
) -> None:
    if name != "missing.csv":
        _write(tmp_path / name, "lon,lat,population\n108.95,34.25,1\n")
    with pytest.raises(planning.DemandError) as caught:
        planning.load_demand(tmp_path / name, crs=crs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_demand_errors_are_value_errors() -> None:
    assert issubclass(planning.DemandError, ValueError)
