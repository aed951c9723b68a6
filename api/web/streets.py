"""The console map's street layer: the Beilin drive network as one small GeoJSON, made from the
shared shapefiles (through :func:`geo.graph_from_shapefiles`) and served by shuyun itself.

No tile server and nothing hand-drawn: each street segment of the OSM export becomes a line
with its road class (``highway``, the first of a merged way's) and its Chinese ``name``; a
two-way street's two directed edges become one line. Coordinates are rounded to 5 decimals
(about 1 m) and the lines simplified within about 2 m, which keeps the file well under 1 MB;
major roads come first, so a map that draws in order puts the small streets on top of none.

The file is made once, on the first request, and kept under ``settings.data.out_dir``
(``web/streets-<key>.geojson`` and its gzip), the key naming the shapefiles' sizes and times,
so that new street data make a new file.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

__all__ = ["ROAD_CLASSES", "router", "street_features", "streets_file"]

ROAD_CLASSES: tuple[str, ...] = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
    "service",
)
"""Road classes from major to minor; a ``*_link`` ranks with its road, anything else last."""

DECIMALS = 5
"""Rounding of the coordinates (1e-5 degree is about 1 m in Xi'an)."""
TOLERANCE = 0.00002
"""Simplification tolerance in degrees (about 2 m)."""

router = APIRouter(include_in_schema=False)
_lock = threading.Lock()


def _first(value: Any) -> str:
    if isinstance(value, list | tuple):
        return str(value[0]) if value else ""
    if value is None or (isinstance(value, float) and value != value):  # NaN from the .dbf
        return ""
    return str(value)


def _road_class(highway: Any) -> str:
    name = _first(highway).removesuffix("_link")
    return name or "unclassified"


def _rank(road_class: str) -> int:
    return ROAD_CLASSES.index(road_class) if road_class in ROAD_CLASSES else len(ROAD_CLASSES)


def street_features(osm_drive_dir: Path) -> list[dict[str, Any]]:
    """The street lines of the shapefile export in ``osm_drive_dir`` as GeoJSON features,
    major roads first: ``properties`` ``{"class": road class, "name": Chinese name or ""}``,
    geometry a ``LineString`` of [lon, lat] (WGS-84).

    Raises
    ------
    geo.GraphDataError
        A shapefile is missing or lacks a required column.
    """
    import geo  # the street libraries load only when the layer is first made

    graph = geo.graph_from_shapefiles(osm_drive_dir)
    seen: set[tuple[Any, ...]] = set()
    found: list[tuple[int, str, str, list[list[float]]]] = []
    for u, v, data in graph.edges(data=True):
        geometry = data.get("geometry")
        if geometry is None:
            a, b = graph.nodes[u], graph.nodes[v]
            coords = [(a["x"], a["y"]), (b["x"], b["y"])]
        else:
            coords = list(geometry.simplify(TOLERANCE, preserve_topology=False).coords)
        line = [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in coords]
        # The two directions of a two-way street are one line on the map.
        key = tuple(map(tuple, line))
        if key in seen or key[::-1] in seen:
            continue
        seen.add(key)
        road_class = _road_class(data.get("highway"))
        found.append((_rank(road_class), road_class, _first(data.get("name")), line))
    found.sort(key=lambda f: f[0])
    return [
        {
            "type": "Feature",
            "properties": {"class": road_class, "name": name},
            "geometry": {"type": "LineString", "coordinates": line},
        }
        for _, road_class, name, line in found
    ]


def _key(osm_drive_dir: Path) -> str:
    stamp = "|".join(
        f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
        for p in sorted(osm_drive_dir.glob("edges.*")) + sorted(osm_drive_dir.glob("nodes.*"))
    )
    return hashlib.sha256(stamp.encode()).hexdigest()[:12]


def streets_file(osm_drive_dir: Path, out_dir: Path) -> Path:
    """The street layer's GeoJSON file under ``out_dir/web/`` (made if missing, with a gzip
    copy beside it); one thread makes it while the others wait."""
    path = out_dir / "web" / f"streets-{_key(osm_drive_dir)}.geojson"
    with _lock:
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            collection = {
                "type": "FeatureCollection",
                "attribution": "© OpenStreetMap contributors (ODbL 1.0)",
                "features": street_features(osm_drive_dir),
            }
            body = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
            # Written under other names and renamed: a reader never sees half a file.
            partial = path.with_suffix(".partial")
            partial.write_bytes(body)
            packed = path.with_name(path.name + ".gz.partial")
            packed.write_bytes(gzip.compress(body, mtime=0))
            packed.replace(path.with_name(path.name + ".gz"))
            partial.replace(path)
    return path


@router.get("/ui/data/streets.geojson")
def streets(request: Request) -> Response:
    """The street layer (gzip when the browser takes it); made on the first request."""
    from geo import GraphDataError
    from settings import SettingsError

    data = request.app.state.services.settings.data
    try:
        path = streets_file(data.osm_drive_dir, data.out_dir)
    except (SettingsError, GraphDataError) as error:
        # The map draws without streets; the page says why.
        return JSONResponse(
            {"detail": f"街道图层不可用 / the street layer is unavailable: {error}"},
            status_code=503,
        )
    headers = {"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
    packed = path.with_name(path.name + ".gz")
    if "gzip" in request.headers.get("accept-encoding", "") and packed.is_file():
        headers["Content-Encoding"] = "gzip"
        return FileResponse(packed, media_type="application/geo+json", headers=headers)
    return FileResponse(path, media_type="application/geo+json", headers=headers)
