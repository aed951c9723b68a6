"""GCJ-02 <-> WGS-84 and great-circle distance."""

from __future__ import annotations

import numpy as np
import pytest

from geo.coords import gcj02_to_wgs84, haversine_m, in_china, wgs84_to_gcj02

# Published test vectors: (source, WGS-84 [lon, lat], GCJ-02 [lon, lat], tolerance in degrees).
PUBLISHED = [
    # wandergis/coordtransform test/app.js: wgs84togcj02(116.404, 39.915) (full precision).
    ("coordtransform, Beijing", (116.404, 39.915), (116.41024449916938, 39.91640428150164), 1e-9),
    # hujiulong/gcoord test/fixtures/china-cities.json, 铜川市 (Shaanxi, 70 km north of
    # Beilin); the fixture is rounded to 7 decimals and agrees with the formula to ~0.5 m.
    ("gcoord, Tongchuan", (108.9405327, 34.8978469), (108.9452414, 34.8967592), 1e-5),
]


@pytest.mark.parametrize(("source", "wgs", "gcj", "tol"), PUBLISHED)
def test_forward_transform_matches_published_vectors(source, wgs, gcj, tol):
    lon, lat = wgs84_to_gcj02(*wgs)
    assert lon == pytest.approx(gcj[0], abs=tol), source
    assert lat == pytest.approx(gcj[1], abs=tol), source


def test_bell_tower_offset_is_a_few_hundred_metres_east_and_south():
    # 钟楼 roundabout, WGS-84. GCJ-02 shifts Xi'an east and a little south, as the Tongchuan
    # vector above does (+0.0047 lon, -0.0011 lat).
    lon, lat = wgs84_to_gcj02(108.9425, 34.2611)
    assert 0.0040 < lon - 108.9425 < 0.0055
    assert -0.0022 < lat - 34.2611 < -0.0010
    assert 300 < haversine_m(108.9425, 34.2611, lon, lat) < 600


def test_inverse_recovers_the_wgs84_point_within_a_centimetre():
    rng = np.random.default_rng(3)
    lon = rng.uniform(75.0, 134.0, 200)
    lat = rng.uniform(18.0, 53.0, 200)
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    w_lon, w_lat = gcj02_to_wgs84(g_lon, g_lat)
    assert np.max(haversine_m(lon, lat, w_lon, w_lat)) < 0.01


def test_round_trip_gcj_wgs_gcj_is_under_one_metre_at_the_bell_tower():
    # A point read off a Gaode map (GCJ-02) converted to WGS-84 and back.
    gcj = (108.94715, 34.25951)
    back = wgs84_to_gcj02(*gcj02_to_wgs84(*gcj))
    assert haversine_m(*gcj, *back) < 1.0


@pytest.mark.parametrize(
    ("lon", "lat"),
    [
        (2.3522, 48.8566),  # Paris
        (139.6917, 35.6895),  # Tokyo, east of the China box
        (-74.006, 40.7128),  # New York
    ],
)
def test_points_outside_china_are_unchanged(lon, lat):
    assert not in_china(lon, lat)
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_scalars_in_scalars_out_arrays_in_arrays_out():
    lon, lat = wgs84_to_gcj02(108.9425, 34.2611)
    assert isinstance(lon, float) and isinstance(lat, float)
    lons, lats = wgs84_to_gcj02(np.array([108.9425, 2.35]), np.array([34.2611, 48.85]))
    assert lons.shape == (2,) and lats.shape == (2,)
    assert lons[1] == 2.35  # the Paris entry untouched, the Xi'an one moved
    assert lons[0] != 108.9425


def test_haversine_one_degree_of_latitude():
    # π R / 180 with the mean Earth radius 6,371,008.8 m.
    assert haversine_m(108.0, 34.0, 108.0, 35.0) == pytest.approx(111_195.08, abs=0.01)
    assert haversine_m(108.9425, 34.2611, 108.9425, 34.2611) == 0.0


def test_haversine_is_vectorised():
    d = haversine_m(np.array([108.0, 108.0]), np.array([34.0, 34.0]), 108.0, np.array([35.0, 34.0]))
    assert d == pytest.approx([111_195.08, 0.0], abs=0.01)
