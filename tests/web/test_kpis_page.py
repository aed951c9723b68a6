"""The KPI page (绩效考评) in the browser, on a demo day of its own with the vans' plan made:
a planner sees every site's and van's figures as tables and bar charts, narrows them to one
site, downloads the CSV and the workbook; other roles are sent to their own page; English on
request; the page passes axe-core."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from conftest import WebSite, assert_accessible, screenshot, served_demo, sign_in
from openpyxl import load_workbook

from catalog.clock import library_today

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def web_site(tmp_path_factory: pytest.TempPathFactory, beilin_dir: Path) -> Iterator[WebSite]:
    """The demo day with its plan stored as a done job, so that the vans have routes."""
    with served_demo(tmp_path_factory.mktemp("web_kpis"), beilin_dir) as site:
        client = site.client("dispatcher")
        try:
            asked = client.post("/plans", json={"date": site.van_day.isoformat(), "time_limit": 5})
            assert asked.status_code == 202, asked.text
            plan_id = asked.json()["id"]
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                state = client.get(f"/plans/{plan_id}").json()["status"]
                if state in ("done", "failed", "cancelled"):
                    break
                time.sleep(0.5)
            assert state == "done", state
        finally:
            client.close()
        yield site


def van_week(web_site: WebSite) -> dict[str, str]:
    """The week up to the demo's van day: the page's default range on the day the demo was
    built (named, because a long run may cross midnight in Xi'an)."""
    return {
        "from": (web_site.van_day - timedelta(days=7)).isoformat(),
        "to": web_site.van_day.isoformat(),
    }


def open_kpis(page: Any, web_site: WebSite, role: str = "planner", **extra: str) -> None:
    query = urlencode({**van_week(web_site), **extra})
    sign_in(page, web_site, role, next_path=quote(f"/ui/kpis?{query}"))
    page.wait_for_url("**/ui/kpis**")
    page.locator("#sites-table tbody tr").first.wait_for()


def test_the_page_opens_on_the_last_week_to_tomorrow_in_xian(
    page_far_from_xian: Any, web_site: WebSite
) -> None:
    """The default range is the week to tomorrow on the library's clock, though the browser's
    machine is set to another zone."""
    page = page_far_from_xian
    before = library_today()
    sign_in(page, web_site, "planner", next_path="/ui/kpis")
    page.locator("#sites-table tbody tr").first.wait_for()
    shown = (page.locator("#from").input_value(), page.locator("#to").input_value())
    after = library_today()
    weeks = {
        ((day - timedelta(days=6)).isoformat(), (day + timedelta(days=1)).isoformat())
        for day in (before, after)
    }
    assert shown in weeks


def test_a_planner_sees_sites_and_vans_as_tables_and_charts(page: Any, web_site: WebSite) -> None:
    open_kpis(page, web_site)
    assert page.locator("h1").inner_text() == "绩效考评"
    client = web_site.client("planner")
    try:
        sites = client.get("/sites", params={"limit": 200}).json()["total"]
        report = client.get(
            "/kpis",
            params=van_week(web_site),
        ).json()
    finally:
        client.close()
    rows = page.locator("#sites-table tbody tr")
    assert rows.count() == sites == len(report["sites"])
    header = page.locator("#sites-table thead th")
    assert header.nth(0).inner_text() == "站点" and "借出" in header.all_inner_texts()
    loans = sum(s["loans"] for s in report["sites"])
    assert loans > 0  # the demo's day of circulation
    # The loans chart: a bar per site with loans, and per site with returns.
    bars = page.locator("#chart-loans svg rect[class^=bar]")
    with_bars = sum(1 for s in report["sites"] if s["loans"]) + sum(
        1 for s in report["sites"] if s["returns"]
    )
    assert bars.count() == with_bars + 2  # and the two legend keys
    assert page.locator("#chart-loans svg").get_attribute("role") == "img"
    # The vans drove tomorrow's plan: a row and a bar each; no scans yet.
    vans = page.locator("#vans-table tbody tr")
    assert vans.count() == len(report["vans"]) > 0
    assert page.locator("#chart-km svg rect").count() == len(report["vans"])
    # The loads chart: each van's peak load (never above its capacity) and its turnover,
    # which passes 100 % when a van unloads and loads again along its route.
    assert all(0 < v["peak_load_share"] <= 1 for v in report["vans"])
    loads = page.locator("#chart-use svg rect[class^=bar]")
    assert loads.count() == 2 * len(report["vans"]) + 2  # and the two legend keys
    assert "最高装载率" in (page.locator("#chart-use svg").text_content() or "")
    assert page.locator("#no-vans").is_hidden()
    assert page.locator("#visits-table tbody tr").count() == len(report["visits"])
    assert page.locator("#visits-table td.none", has_text="无扫描").count() == len(report["visits"])
    assert "© OpenStreetMap contributors" in page.locator("footer").inner_text()
    assert_accessible(page, context="KPI page")
    screenshot(page, "kpis_zh")


def test_one_site_and_the_exports(page: Any, web_site: WebSite) -> None:
    open_kpis(page, web_site)
    page.select_option("#site", "central")
    page.click("#kpi-form button[type=submit]")
    page.wait_for_url("**site=central**")
    rows = page.locator("#sites-table tbody tr")
    rows.filter(has_text="central").wait_for()
    assert rows.count() == 1
    with page.expect_download() as sites_csv:
        page.click("[data-download=csv][data-table=sites]")
    text = Path(sites_csv.value.path()).read_text(encoding="utf-8")
    assert sites_csv.value.suggested_filename.endswith("_central.sites.csv")
    table = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [r["站点 / site"] for r in table] == ["central"]
    shown = page.locator("#sites-table tbody tr td").nth(4).inner_text()  # loans
    assert table[0]["借出 / loans"] == shown
    with page.expect_download() as workbook:
        page.click("[data-download=xlsx]")
    book = load_workbook(io.BytesIO(Path(workbook.value.path()).read_bytes()))
    assert book.sheetnames == ["说明 about", "站点 sites", "车辆 vans", "到站 visits"]
    screenshot(page, "kpis_central")


def test_in_english(page: Any, web_site: WebSite) -> None:
    open_kpis(page, web_site, lang="en")
    assert page.locator("h1").inner_text() == "KPI evaluation"
    assert page.locator("#sites-table thead th").nth(0).inner_text() == "site"
    assert page.locator("#chart-loans figcaption").inner_text() == "Loans and returns per site"
    screenshot(page, "kpis_en")


@pytest.mark.parametrize(
    ("role", "landing"), [("driver", "/ui/driver"), ("dispatcher", "/ui/console")]
)
def test_other_roles_are_sent_to_their_own_page(
    page: Any, web_site: WebSite, role: str, landing: str
) -> None:
    sign_in(page, web_site, role, next_path="/ui/kpis")
    page.wait_for_url(f"**{landing}")
