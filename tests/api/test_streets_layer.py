"""The console map's street layer: made from the Beilin shapefiles (not drawn by hand), small,
major roads first, cached on disk, served gzipped; a missing data folder answers 503."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from fastapi.testclient import TestClient
from service_seed import SECRET

from api.app import create_app
from api.web.streets import ROAD_CLASSES, street_features, streets_file
from settings import Settings


def test_the_streets_come_from_the_shapefiles_major_roads_first(beilin_dir: Path) -> None:
    features = street_features(beilin_dir / "osm_drive")
    assert len(features) > 3000  # the drive network's segments, two-way streets once
    classes = [f["properties"]["class"] for f in features]
    ranks = [ROAD_CLASSES.index(c) if c in ROAD_CLASSES else len(ROAD_CLASSES) for c in classes]
    assert ranks == sorted(ranks) and classes[0] in ("motorway", "trunk")
    assert {"trunk", "primary", "secondary", "residential"} <= set(classes)
    names = {f["properties"]["name"] for f in features}
    assert "金花南路" in names and "二环南路东段" in names  # Chinese names, as OSM has them
    for feature in features:
        line = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "LineString" and len(line) >= 2
        assert all(108.8 < lon < 109.1 and 34.1 < lat < 34.4 for lon, lat in line)  # [lon, lat]
    # no segment twice, in either direction
    keys = {tuple(map(tuple, f["geometry"]["coordinates"])) for f in features}
    assert len(keys) == len(features)
    assert not any(key[::-1] in keys and key[::-1] != key for key in keys)


def test_the_layer_is_made_once_small_and_kept(beilin_dir: Path, tmp_path: Path) -> None:
    path = streets_file(beilin_dir / "osm_drive", tmp_path)
    assert path.parent == tmp_path / "web" and path.stat().st_size < 3_000_000
    made = path.stat().st_mtime_ns
    assert streets_file(beilin_dir / "osm_drive", tmp_path) == path
    assert path.stat().st_mtime_ns == made  # kept, not made again
    body = json.loads(path.read_text(encoding="utf-8"))
    assert "OpenStreetMap" in body["attribution"]
    packed = path.with_name(path.name + ".gz").read_bytes()
    assert json.loads(gzip.decompress(packed)) == body


def _client(tmp_path: Path, data_dir: Path) -> TestClient:
    settings = Settings.model_validate(
        {
            "database": {"url": f"sqlite:///{tmp_path / 'db.sqlite'}"},
            "auth": {"secret_key": SECRET},
            "data": {"dir": data_dir, "out_dir": tmp_path / "out"},
        }
    )
    return TestClient(create_app(settings))


def test_the_layer_is_served_gzipped_to_anyone(beilin_dir: Path, tmp_path: Path) -> None:
    with _client(tmp_path, beilin_dir) as client:
        response = client.get("/ui/data/streets.geojson", headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip"
        assert response.headers["content-type"] == "application/geo+json"
        assert len(response.json()["features"]) > 3000  # the client unpacks it
    assert list((tmp_path / "out" / "web").glob("streets-*.geojson"))


def test_no_street_data_answers_503_naming_it(tmp_path: Path) -> None:
    with _client(tmp_path, tmp_path / "nowhere") as client:
        response = client.get("/ui/data/streets.geojson")
    assert response.status_code == 503
    assert "SHUYUN_DATA_DIR" in response.json()["detail"]
