"""``GET /kpis``, ``/kpis.csv`` and ``/kpis.xlsx`` on the hand-played week of the catalogue's
KPI tests (tests/catalog/kpi_week.py): planners and admins only, refusals naming the field,
the exports holding the same figures under Chinese and English headers."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from service_seed import bearer, service_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "catalog"))  # the week's helpers
from kpi_week import END, START, build_week

from api.app import create_app
from catalog.db import create_engine, session_factory, upgrade
from catalog.users import create_user

WEEK = {"from": START.isoformat(), "to": END.isoformat()}
ROLES = {"planner": None, "admin": None, "dispatcher": None, "driver": None, "desk": "east"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The service on a database holding the week (read only: the tests only GET)."""
    path = tmp_path_factory.mktemp("kpi_api") / "shuyun.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    with session_factory(engine)() as session:
        week = build_week(session)
        for name, site in ROLES.items():
            role = "branch_staff" if name == "desk" else name
            create_user(
                session, username=name, password=f"password of {name}", role=role, site_code=site
            )
        session.commit()
    engine.dispose()
    app = create_app(service_settings(f"sqlite:///{path}"), travel_times=week.net.travel)
    with TestClient(app) as test_client:
        yield test_client
    app.state.services.engine.dispose()


def test_planners_and_admins_only(client: TestClient) -> None:
    assert client.get("/kpis", params=WEEK).status_code == 401
    for path in ("/kpis", "/kpis.csv", "/kpis.xlsx"):
        for name in ("dispatcher", "driver", "desk"):
            refused = client.get(path, params=WEEK, headers=bearer(name))
            assert refused.status_code == 403, (path, name)
            assert "planner, admin" in refused.json()["detail"]
        assert client.get(path, params=WEEK, headers=bearer("admin")).status_code == 200


def test_the_week_as_json(client: TestClient) -> None:
    response = client.get("/kpis", params=WEEK, headers=bearer("planner"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["start"], body["end"], body["lost_after_days"]) == ("2026-11-23", "2026-11-29", 14)
    sites = {s["site_code"]: s for s in body["sites"]}
    assert list(sites) == ["central", "east", "kiosk", "west"]
    east = sites["east"]
    assert (east["holds_filled"], east["fill_median_s"], east["on_time_rate"]) == (
        3,
        168_060,
        pytest.approx(2 / 3),
    )
    assert sites["west"]["away_share"] == 0.5
    assert sites["central"]["sent"] == {"hold": 3, "return_home": 0, "new_stock": 1, "rebalance": 0}
    v1, v2 = body["vans"]
    assert (v1["van_code"], v1["km"], v1["hours"], v1["utilisation"]) == ("V1", 13.0, 4.5, 0.025)
    assert (v1["delay_median_s"], v2["capacity_crates"], v2["unscanned_visits"]) == (450, None, 1)
    kiosk = [v for v in body["visits"] if v["site_code"] == "kiosk"]
    assert kiosk == [
        {
            "day": "2026-11-24",
            "van_code": "V2",
            "visit": 2,
            "position": 2,
            "site_code": "kiosk",
            "steps": 1,
            "crates": 1,
            "planned": "2026-11-24T09:30:00+08:00",
            "actual": None,
            "delay_s": None,
        }
    ]


def test_one_site(client: TestClient) -> None:
    body = client.get("/kpis", params={**WEEK, "site": "east"}, headers=bearer("planner")).json()
    assert [s["site_code"] for s in body["sites"]] == ["east"]
    assert [v["site_code"] for v in body["visits"]] == ["east"]
    assert [v["van_code"] for v in body["vans"]] == ["V1", "V2"]  # the vans stay whole


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-11-31", "to": "2026-11-30"}, "from"),  # no such day
        ({"from": "2026-11-23", "to": "next week"}, "to"),
        ({"to": "2026-11-30"}, "from"),  # missing
    ],
)
def test_bad_dates_name_the_field(client: TestClient, params: dict[str, str], field: str) -> None:
    for path in ("/kpis", "/kpis.csv", "/kpis.xlsx"):
        response = client.get(path, params=params, headers=bearer("planner"))
        assert response.status_code == 422, (path, response.text)
        assert response.json()["detail"][0]["loc"] == ["query", field]


def test_from_after_to_and_unknown_site(client: TestClient) -> None:
    backwards = client.get(
        "/kpis", params={"from": "2026-11-29", "to": "2026-11-23"}, headers=bearer("planner")
    )
    assert backwards.status_code == 422
    assert backwards.json()["field"] == "from"
    assert "2026-11-23" in backwards.json()["detail"]
    last_day = client.get(
        "/kpis", params={"from": "2026-11-23", "to": "9999-12-31"}, headers=bearer("planner")
    )
    assert (last_day.status_code, last_day.json()["field"]) == (422, "to")
    ancient = client.get(
        "/kpis", params={"from": "0001-01-01", "to": "9999-12-30"}, headers=bearer("planner")
    )
    assert ancient.status_code == 200  # the whole calendar is one period like any other
    unknown = client.get("/kpis", params={**WEEK, "site": "nowhere"}, headers=bearer("admin"))
    assert unknown.status_code == 404
    assert (unknown.json()["field"], unknown.json()["value"]) == ("site", "nowhere")
    bad_table = client.get("/kpis.csv", params={**WEEK, "table": "x"}, headers=bearer("admin"))
    assert bad_table.status_code == 422
    assert bad_table.json()["detail"][0]["loc"] == ["query", "table"]


def test_csv_tables(client: TestClient) -> None:
    response = client.get("/kpis.csv", params=WEEK, headers=bearer("planner"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "kpis_2026-11-23_2026-11-29.sites.csv" in response.headers["content-disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [r["站点 / site"] for r in rows] == ["central", "east", "kiosk", "west"]
    east = rows[1]
    assert (east["借出 / loans"], east["上架时间中位数（秒） / fill time median (s)"]) == (
        "0",
        "168060.0",
    )
    assert east["收到·预约 / received hold"] == "3"
    assert rows[2]["通借通还占比 / borrow-anywhere share"] == ""  # no returns at the kiosk
    vans = client.get("/kpis.csv", params={**WEEK, "table": "vans"}, headers=bearer("planner"))
    van_rows = list(csv.DictReader(io.StringIO(vans.text.removeprefix("\ufeff"))))
    assert [(r["车辆 / van"], r["公里 / km"]) for r in van_rows] == [("V1", "13.0"), ("V2", "8.0")]
    visits = client.get("/kpis.csv", params={**WEEK, "table": "visits"}, headers=bearer("planner"))
    visit_rows = list(csv.DictReader(io.StringIO(visits.text.removeprefix("\ufeff"))))
    assert len(visit_rows) == 6
    assert visit_rows[0]["计划到达 / planned arrival"] == "2026-11-24 09:00:00"


def test_workbook(client: TestClient) -> None:
    response = client.get("/kpis.xlsx", params=WEEK, headers=bearer("admin"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["说明 about", "站点 sites", "车辆 vans", "到站 visits"]
    sites = list(book["站点 sites"].values)
    header = list(sites[0])
    assert header[:4] == ["站点 / site", "名称 / name (Chinese)", "英文名称 / name", "类型 / kind"]
    east = dict(zip(header, sites[2], strict=True))
    assert east["站点 / site"] == "east" and east["预约上架 / holds filled"] == 3
    assert east["按期上架率 / on-time rate"] == pytest.approx(2 / 3)
    vans = list(book["车辆 vans"].values)
    assert [row[0] for row in vans[1:]] == ["V1", "V2"]
    assert len(list(book["到站 visits"].values)) == 1 + 6
    about = list(book["说明 about"].values)
    assert about[3][1] == 14
