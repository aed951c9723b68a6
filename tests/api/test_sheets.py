"""Route sheets and crate labels of a stored plan, as the service serves them.

The day (:mod:`sheets_day`): three sites, a hold and two copies to rebalance, two of them
packed in crates, solved on the real Beilin streets and stored as a done plan. The PDFs are
read back with poppler: pages turned to PNG and looked at (not blank, the Chinese title
drawn), the fonts (Noto Sans CJK embedded), the text (the sites in Chinese, the crate ids);
the HTML is read as a phone would. Roles: the van's driver, dispatchers and admins read a
sheet; another driver is refused (403), so are the unsigned (401); an unknown plan or van,
or a plan not done, is 404. No card number beyond its last four digits, anywhere.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pdf_checks import dark_share, page_png, pdf_fonts, pdf_pages, pdf_text, qr_text
from service_seed import bearer, service_settings, travel_times
from sheets_day import SECOND_DRIVER, PlannedDay, planned_day
from sqlalchemy import Select, select, update

from api.app import create_app
from api.sheets.model import KIND_ZH
from catalog.db import create_engine, session_factory
from catalog.models import PlanStepType, PlanStop, Site, Transfer, TransferKind
from catalog.plans import enqueue
from settings import DataSettings

pytestmark = pytest.mark.slow

NAMES_ZH = {"central": "碑林区图书馆", "east": "东关分馆", "west": "南院门分馆"}


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory, beilin_dir: Path) -> PlannedDay:
    return planned_day(tmp_path_factory.mktemp("sheets") / "shuyun.sqlite", beilin_dir)


@pytest.fixture(scope="module")
def client(day: PlannedDay) -> Iterator[TestClient]:
    engine = create_engine(day.url)
    with session_factory(engine)() as session:
        ids = {code: i for code, i in session.execute(_site_ids())}
    engine.dispose()
    app = create_app(service_settings(day.url), travel_times=travel_times(ids))
    with TestClient(app) as test_client:
        yield test_client
    app.state.services.engine.dispose()


def _site_ids() -> Select[tuple[str, int]]:
    return select(Site.code, Site.id)


def _route(client: TestClient, day: PlannedDay, van: str = "van-1") -> dict:  # type: ignore[type-arg]
    answer = client.get(f"/plans/{day.plan_id}/routes/{van}", headers=bearer("dispatcher"))
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def _stop_sites(route: dict) -> list[str]:  # type: ignore[type-arg]
    """The route's sites with consecutive repeats merged: the sheet's stops."""
    sites: list[str] = []
    for stop in route["stops"]:
        code = stop["site_code"]
        if code is not None and (not sites or sites[-1] != code):
            sites.append(code)
    return sites


def no_card_numbers(text: str, day: PlannedDay) -> None:
    for card in day.cards:
        assert card not in text and card[:-4] not in text
    assert not re.search(r"\d{8,}", text), "a long number on a sheet might be a card"


@pytest.fixture(scope="module")
def sheet_pdf(
    client: TestClient, day: PlannedDay, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    answer = client.get(f"/plans/{day.plan_id}/routes/van-1/sheet.pdf", headers=bearer("driver"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    path = tmp_path_factory.mktemp("pdf") / "sheet.pdf"
    path.write_bytes(answer.content)
    return path


def test_the_sheet_page_lists_the_stops_in_order_with_times_crates_and_directions(
    client: TestClient, day: PlannedDay
) -> None:
    answer = client.get(f"/plans/{day.plan_id}/routes/van-1/sheet.html", headers=bearer("driver"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    html = answer.text
    assert '<html lang="zh-CN">' in html and 'name="viewport"' in html
    route = _route(client, day)
    sites = _stop_sites(route)
    # the stops' headings, in the page's order: "<span class="num">N</span> 名称"
    shown = re.findall(r'<span class="num">(\d+)</span> ([^<]+?) <small>', html)
    assert [int(n) for n, _ in shown] == list(range(len(sites)))
    assert [name for _, name in shown] == [NAMES_ZH[c] for c in sites]
    arrivals = re.findall(
        r"(?:出发|到达|返回) <span class=\"en\">\w+</span> <b>(\d\d:\d\d)</b>", html
    )
    assert arrivals == sorted(arrivals) and len(arrivals) == len(sites)
    assert "开放时间" in html and "08:00–20:00" in html  # the seed's hours
    # every leg between two sites has Chinese directions ending at the destination
    assert html.count("到达目的地") == len(sites) - 1
    for crate in day.crates.values():
        assert html.count(crate) >= 2  # collected at one stop, dropped at another
        assert f'<b class="code">{crate}</b>' in html
    assert html.count('class="segno"') == len(day.crates)  # a QR per crate
    assert "未装箱" in html  # C1 was never packed: counted, not named
    assert "****4321" in html  # alice's hold slip: her card's last four digits only
    assert "<svg" in html and "© OpenStreetMap contributors" in html
    assert re.search(r"<text [^>]*>[\u4e00-\u9fff]+[路街]</text>", html)  # streets named in Chinese
    assert "<script" not in html  # the PDF runs no JavaScript: nor does the page need any
    no_card_numbers(html, day)


def test_the_pdf_is_a4_with_the_chinese_drawn_in_noto_sans_cjk(
    sheet_pdf: Path, day: PlannedDay
) -> None:
    pages, (width, height) = pdf_pages(sheet_pdf)
    assert pages >= 1
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4
    fonts = pdf_fonts(sheet_pdf)
    assert any("Noto-Sans-CJK-SC" in name and embedded for name, embedded in fonts), fonts
    assert all(embedded for _, embedded in fonts), fonts
    text = pdf_text(sheet_pdf)
    assert "路单" in text and "van-1" in text
    for name in NAMES_ZH.values():
        assert name in text
    for crate in day.crates.values():
        assert crate in text
    assert "****4321" in text and "© OpenStreetMap contributors" in text
    no_card_numbers(text, day)
    png = page_png(sheet_pdf, 1, "sheet_pdf_page1")
    assert dark_share(png) > 0.01  # not blank
    assert dark_share(png, (0.04, 0.02, 0.5, 0.07)) > 0.015  # the title "路单 · van-1" is drawn
    assert dark_share(png, (0.05, 0.12, 0.95, 0.45)) > 0.005  # the map is drawn


def test_crate_labels_are_a6_one_per_crate_with_destination_qr_and_stop(
    client: TestClient, day: PlannedDay, tmp_path: Path
) -> None:
    answer = client.get(f"/plans/{day.plan_id}/labels.pdf", headers=bearer("admin"))
    assert answer.status_code == 200, answer.text
    pdf = tmp_path / "labels.pdf"
    pdf.write_bytes(answer.content)
    pages, (width, height) = pdf_pages(pdf)
    assert pages == len(day.crates)
    assert abs(width - 297.6) < 2 and abs(height - 419.5) < 2  # A6
    assert any("Noto-Sans-CJK-SC" in name for name, _ in pdf_fonts(pdf))
    text = pdf_text(pdf)
    assert all(crate in text for crate in day.crates.values())
    for page, page_text in enumerate(text.split("\f")[:pages], 1):
        [crate] = [crate for crate in day.crates.values() if crate in page_text]
        png = page_png(pdf, page, f"label_pdf_page{page}", dpi=200)
        assert dark_share(png, (0.05, 0.08, 0.95, 0.22)) > 0.08  # the destination, large
        # The page's QR code reads back as its crate's id with the driver's reader.
        assert qr_text(png) == crate
    # E1 goes east -> west, W1 (alice's hold) west -> east: each label names its destination
    pages_text = text.split("\f")
    route = _route(client, day)
    sites = _stop_sites(route)
    for barcode, destination in (("E1", "west"), ("W1", "east")):
        [page_text] = [p for p in pages_text if day.crates[barcode] in p]
        lines = [line.strip() for line in page_text.splitlines() if line.strip()]
        assert lines[:2] == ["送往 To", NAMES_ZH[destination]]
        assert "van-1" in page_text
        # One copy packed in each crate: the count and the transfer's kind, in Chinese.
        contents = re.search(r"内容 Contents\s+(\d+) 件 items · (\S+)", page_text)
        assert contents is not None, page_text
        assert int(contents.group(1)) == 1
        kinds = contents.group(2).split("、")
        assert set(kinds) <= {KIND_ZH[k] for k in TransferKind}, kinds
        if barcode == "W1":  # alice's hold
            assert kinds == [KIND_ZH["hold"]]
        picked = re.search(r"取 (\d+) → 卸 (\d+)", page_text)
        assert picked is not None, page_text
        origin = "east" if barcode == "E1" else "west"
        assert sites[int(picked.group(1))] == origin and sites[int(picked.group(2))] == destination
    no_card_numbers(text, day)


@pytest.mark.parametrize("user", ["driver", "dispatcher", "admin"])
def test_the_vans_driver_dispatchers_and_admins_read_the_sheet(
    client: TestClient, day: PlannedDay, user: str
) -> None:
    answer = client.get(f"/plans/{day.plan_id}/routes/van-1/sheet.html", headers=bearer(user))
    assert answer.status_code == 200, answer.text
    # Read on a phone from shuyun: its Chinese font comes from shuyun too.
    assert '<link rel="stylesheet" href="/ui/vendor/noto-sans-sc/400.css">' in answer.text


def test_another_driver_planners_and_desks_may_not(client: TestClient, day: PlannedDay) -> None:
    base = f"/plans/{day.plan_id}"
    for path in (f"{base}/routes/van-1/sheet.html", f"{base}/routes/van-1/sheet.pdf"):
        answer = client.get(path, headers=bearer(SECOND_DRIVER))
        assert answer.status_code == 403, answer.text
        assert "van-2" in answer.json()["detail"]  # says which van is theirs
        for user in ("planner", "desk.east"):
            assert client.get(path, headers=bearer(user)).status_code == 403
    for user in ("driver", "planner", "desk.east"):
        assert client.get(f"{base}/labels.pdf", headers=bearer(user)).status_code == 403


def test_without_a_token_every_sheet_is_401(client: TestClient, day: PlannedDay) -> None:
    base = f"/plans/{day.plan_id}"
    for path in ("routes/van-1/sheet.html", "routes/van-1/sheet.pdf", "labels.pdf"):
        answer = client.get(f"{base}/{path}")
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"


def test_unknown_plans_vans_and_plans_not_done_are_404(client: TestClient, day: PlannedDay) -> None:
    headers = bearer("dispatcher")
    unknown = client.get("/plans/999/routes/van-1/sheet.html", headers=headers)
    assert unknown.status_code == 404 and unknown.json()["field"] == "plan_id"
    stayed_home = client.get(f"/plans/{day.plan_id}/routes/van-2/sheet.pdf", headers=headers)
    assert stayed_home.status_code == 404 and stayed_home.json()["field"] == "van"
    engine = create_engine(day.url)
    with session_factory(engine)() as session:
        queued = enqueue(session, day=day.day, time_limit=1, staff="dispatcher").id
        session.commit()
    engine.dispose()
    for path in ("routes/van-1/sheet.html", "labels.pdf"):
        answer = client.get(f"/plans/{queued}/{path}", headers=headers)
        assert answer.status_code == 404, answer.text
        assert "not done" in answer.json()["detail"]
    bad = client.get("/plans/0/routes/van-1/sheet.html", headers=headers)
    assert bad.status_code == 422


def test_no_labels_before_any_copy_is_packed(day: PlannedDay, tmp_path: Path) -> None:
    copy = tmp_path / "unpacked.sqlite"
    shutil.copyfile(day.url.removeprefix("sqlite:///"), copy)
    engine = create_engine(f"sqlite:///{copy}")
    with session_factory(engine)() as session:  # this test's own copy: the desks never packed
        session.execute(update(Transfer).values(crate_id=None))
        session.commit()
        ids = {code: i for code, i in session.execute(_site_ids())}
    engine.dispose()
    app = create_app(service_settings(f"sqlite:///{copy}"), travel_times=travel_times(ids))
    with TestClient(app) as client:
        answer = client.get(f"/plans/{day.plan_id}/labels.pdf", headers=bearer("dispatcher"))
        assert answer.status_code == 409, answer.text
        assert "packed" in answer.json()["detail"]
        sheet = client.get(
            f"/plans/{day.plan_id}/routes/van-1/sheet.html", headers=bearer("driver")
        )
        assert sheet.status_code == 200
        assert "CR0" not in sheet.text and sheet.text.count("未装箱") >= 3  # counted, not named
    app.state.services.engine.dispose()


def test_a_stop_checked_after_an_edit_shows_its_violation(day: PlannedDay, tmp_path: Path) -> None:
    copy = tmp_path / "edited.sqlite"
    shutil.copyfile(day.url.removeprefix("sqlite:///"), copy)
    engine = create_engine(f"sqlite:///{copy}")
    found = {"kind": "late", "zh": "迟到 12 分钟", "en": "12 min late", "shipment": "x"}
    with session_factory(engine)() as session:  # as the plan's check saves it on a stop
        stop = session.scalars(
            select(PlanStop).where(PlanStop.type == PlanStepType.delivery).order_by(PlanStop.id)
        ).first()
        assert stop is not None
        stop.violations = [found]
        session.commit()
        ids = {code: i for code, i in session.execute(_site_ids())}
    engine.dispose()
    app = create_app(service_settings(f"sqlite:///{copy}"), travel_times=travel_times(ids))
    with TestClient(app) as client:
        sheet = client.get(f"/plans/{day.plan_id}/routes/van-1/sheet.html", headers=bearer("admin"))
    app.state.services.engine.dispose()
    assert sheet.status_code == 200
    assert sheet.text.count('⚠ 迟到 12 分钟 <span class="en">12 min late</span>') == 1


def test_without_street_data_a_sheet_is_503_and_says_why(day: PlannedDay, tmp_path: Path) -> None:
    engine = create_engine(day.url)
    with session_factory(engine)() as session:
        ids = {code: i for code, i in session.execute(_site_ids())}
    engine.dispose()
    settings = service_settings(day.url, data=DataSettings(dir=tmp_path))  # no osm_drive/ here
    app = create_app(settings, travel_times=travel_times(ids))
    with TestClient(app) as client:
        base = f"/plans/{day.plan_id}/routes/van-1"
        for path in ("sheet.html", "sheet.pdf", "route.gpx"):
            user = "planner" if path == "route.gpx" else "dispatcher"
            answer = client.get(f"{base}/{path}", headers=bearer(user))
            assert answer.status_code == 503, answer.text
            assert "SHUYUN_DATA_DIR" in answer.json()["detail"]
        csv_export = client.get(f"/plans/{day.plan_id}/export.csv", headers=bearer("planner"))
        assert csv_export.status_code == 200  # the stops need no streets
    app.state.services.engine.dispose()
