"""A stored plan's exports parsed back: the CSV (csv), the Excel workbook (openpyxl), a van's
GPX (xml.etree) and VROOM's answer (json) hold the plan's stops, in order, with their crates;
the GPX track follows the streets between the stops. Dispatchers, admins and planners export;
drivers and desks may not (403), the unsigned get 401. No card number beyond its last four.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from service_seed import bearer, service_settings, travel_times
from sheets_day import PlannedDay, planned_day
from sqlalchemy import select

from api.app import create_app
from api.sheets.exports import COLUMNS, GPX_NS
from catalog.db import create_engine, session_factory
from catalog.models import Site

pytestmark = pytest.mark.slow

HEADERS = [header for _, header in COLUMNS]
LOCATIONS: dict[str, tuple[float, float]] = {}


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory, beilin_dir: Path) -> PlannedDay:
    return planned_day(tmp_path_factory.mktemp("exports") / "shuyun.sqlite", beilin_dir)


@pytest.fixture(scope="module")
def client(day: PlannedDay) -> Iterator[TestClient]:
    engine = create_engine(day.url)
    with session_factory(engine)() as session:
        sites = list(session.scalars(select(Site)))
        ids = {s.code: s.id for s in sites}
        LOCATIONS.update({s.code: (s.lon, s.lat) for s in sites})
    engine.dispose()
    app = create_app(service_settings(day.url), travel_times=travel_times(ids))
    with TestClient(app) as test_client:
        yield test_client
    app.state.services.engine.dispose()


@pytest.fixture(scope="module")
def route(client: TestClient, day: PlannedDay) -> dict[str, Any]:
    answer = client.get(f"/plans/{day.plan_id}/routes/van-1", headers=bearer("dispatcher"))
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def _stops(route: dict[str, Any]) -> list[str]:
    """The route's sites, consecutive steps at one site merged (the sheet's stops)."""
    sites: list[str] = []
    for stop in route["stops"]:
        if stop["site_code"] is not None and (not sites or sites[-1] != stop["site_code"]):
            sites.append(stop["site_code"])
    return sites


def _get(client: TestClient, path: str, user: str = "planner") -> bytes:
    answer = client.get(path, headers=bearer(user))
    assert answer.status_code == 200, answer.text
    return answer.content


def _no_cards(text: str, day: PlannedDay) -> None:
    for card in day.cards:
        assert card not in text and card[:-4] not in text


def _check_rows(rows: list[dict[str, Any]], route: dict[str, Any], day: PlannedDay) -> None:
    van = [r for r in rows if r["车辆 van"] == "van-1"]
    assert [r["站点代码 site code"] for r in van] == _stops(route)
    assert [int(r["站序 stop"]) for r in van] == list(range(len(van)))
    assert van[0]["类型 type"] == "出发 start" and van[-1]["类型 type"] == "返回 end"
    arrivals = [str(r["到达 arrival"]) for r in van]
    assert arrivals == sorted(arrivals)
    collected = {
        c: r["站点代码 site code"]
        for r in van
        for c in str(r["取箱 crates to collect"] or "").split()
    }
    dropped = {
        c: r["站点代码 site code"] for r in van for c in str(r["卸箱 crates to drop"] or "").split()
    }
    assert collected == {day.crates["E1"]: "east", day.crates["W1"]: "west"}
    assert dropped == {day.crates["E1"]: "west", day.crates["W1"]: "east"}
    assert sum(int(r["未装箱件数 items not packed"] or 0) for r in van) == 2  # C1, up and down
    assert any(r["预约单 hold slips"] == "****4321" for r in van)
    metres = [int(r["累计里程（米）distance so far (m)"]) for r in van]
    assert metres == sorted(metres) and metres[0] == 0 and metres[-1] == route["distance"]


def test_csv_holds_the_stops_in_order_with_their_crates(
    client: TestClient, day: PlannedDay, route: dict[str, Any]
) -> None:
    raw = _get(client, f"/plans/{day.plan_id}/export.csv")
    assert raw.startswith("\ufeff".encode())  # Excel reads the Chinese
    text = raw.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == HEADERS
    _check_rows(list(reader), route, day)
    _no_cards(text, day)


def test_excel_holds_the_same_rows_and_a_sheet_per_van_summary(
    client: TestClient, day: PlannedDay, route: dict[str, Any]
) -> None:
    raw = _get(client, f"/plans/{day.plan_id}/export.xlsx", user="dispatcher")
    book = load_workbook(io.BytesIO(raw), read_only=True)
    assert book.sheetnames == ["线路 Routes", "车辆 Vans"]
    table = list(book["线路 Routes"].iter_rows(values_only=True))
    assert list(table[0]) == HEADERS
    rows = [dict(zip(HEADERS, row, strict=True)) for row in table[1:]]
    _check_rows(rows, route, day)
    vans = list(book["车辆 Vans"].iter_rows(values_only=True))
    assert vans[0][0] == "车辆 van" and vans[1][0] == "van-1"
    assert vans[1][5] == pytest.approx(route["distance"] / 1000, abs=0.01)
    text = " ".join(
        str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row
    )
    _no_cards(text, day)


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    k = math.cos(math.radians(a[1]))
    return math.hypot((a[0] - b[0]) * k, a[1] - b[1]) * 111_320


def test_gpx_has_the_stops_as_waypoints_and_the_streets_as_a_track(
    client: TestClient, day: PlannedDay, route: dict[str, Any]
) -> None:
    raw = _get(client, f"/plans/{day.plan_id}/routes/van-1/route.gpx")
    root = ET.fromstring(raw)
    ns = {"g": GPX_NS}
    assert root.tag == f"{{{GPX_NS}}}gpx" and root.get("version") == "1.1"
    waypoints = root.findall("g:wpt", ns)
    sites = _stops(route)
    assert len(waypoints) == len(sites)
    for n, (wpt, code) in enumerate(zip(waypoints, sites, strict=True)):
        where = (float(wpt.get("lon") or 0), float(wpt.get("lat") or 0))
        assert _metres(where, LOCATIONS[code]) < 1
        assert (wpt.findtext("g:name", namespaces=ns) or "").startswith(f"{n} ")
    track = [
        (float(p.get("lon") or 0), float(p.get("lat") or 0))
        for p in root.findall("g:trk/g:trkseg/g:trkpt", ns)
    ]
    assert len(track) > 3 * len(sites)  # along the streets, not from stop to stop
    assert all(108.9 < lon < 109.0 and 34.2 < lat < 34.3 for lon, lat in track)  # Beilin
    assert _metres(track[0], LOCATIONS[sites[0]]) < 300  # from the depot's street
    assert _metres(track[-1], LOCATIONS[sites[-1]]) < 300
    walked = sum(_metres(a, b) for a, b in itertools.pairwise(track))
    assert walked == pytest.approx(route["distance"], rel=0.15)
    assert "OpenStreetMap" in raw.decode()


def _decode(line: str) -> list[tuple[float, float]]:
    """An encoded polyline (5 decimals) as [lon, lat]."""
    points, index, lat, lon = [], 0, 0, 0
    while index < len(line):
        deltas = []
        for _ in range(2):
            shift = result = 0
            while True:
                byte = ord(line[index]) - 63
                index += 1
                result |= (byte & 0x1F) << shift
                shift += 5
                if byte < 0x20:
                    break
            deltas.append(~(result >> 1) if result & 1 else result >> 1)
        lat += deltas[0]
        lon += deltas[1]
        points.append((lon / 1e5, lat / 1e5))
    return points


def test_vroom_json_is_the_plan_in_vrooms_answer_shape(
    client: TestClient, day: PlannedDay, route: dict[str, Any]
) -> None:
    raw = _get(client, f"/plans/{day.plan_id}/vroom.json", user="admin")
    answer = json.loads(raw)
    assert answer["code"] == 0
    assert answer["summary"]["routes"] == len(answer["routes"]) == 1
    [van] = answer["routes"]
    assert van["description"] == "van-1" and isinstance(van["vehicle"], int)
    assert van["distance"] == route["distance"] == answer["summary"]["distance"]
    steps = van["steps"]
    assert steps[0]["type"] == "start" and steps[-1]["type"] == "end"
    visits = [(s["type"], s["description"]) for s in steps if s["type"] in ("pickup", "delivery")]
    stored = [(st["type"], sid) for st in route["stops"] for sid in st["shipment_ids"]]
    assert visits == stored
    for step in steps:
        assert isinstance(step.get("id", 0), int)
        assert _metres(tuple(step["location"]), LOCATIONS[_site_of(step, route)]) < 1
    assert steps[-1]["load"] == [0, 0]  # everything picked up was delivered
    assert max(s["load"][0] for s in steps) >= 1
    arrivals = [s["arrival"] for s in steps]
    assert arrivals == sorted(arrivals)
    line = _decode(van["geometry"])
    assert _metres(line[0], LOCATIONS["central"]) < 300
    _no_cards(raw.decode(), day)


def _site_of(step: dict[str, Any], route: dict[str, Any]) -> str:
    """The stored stop's site of a VROOM step (by arrival and type)."""
    for stop in route["stops"]:
        if stop["arrival"] == step["arrival"] and stop["type"] == step["type"]:
            return str(stop["site_code"])
    raise AssertionError(f"no stored stop for {step}")


def test_exports_are_for_dispatchers_admins_and_planners(
    client: TestClient, day: PlannedDay
) -> None:
    base = f"/plans/{day.plan_id}"
    paths = ("export.csv", "export.xlsx", "routes/van-1/route.gpx", "vroom.json")
    for path in paths:
        for user in ("dispatcher", "admin", "planner"):
            assert client.get(f"{base}/{path}", headers=bearer(user)).status_code == 200
        for user in ("driver", "desk.east"):
            assert client.get(f"{base}/{path}", headers=bearer(user)).status_code == 403
        assert client.get(f"{base}/{path}").status_code == 401
        assert client.get(f"/plans/999/{path}", headers=bearer("planner")).status_code == 404
    missing = client.get(f"{base}/routes/van-2/route.gpx", headers=bearer("planner"))
    assert missing.status_code == 404 and missing.json()["field"] == "van"
