"""A driver's route sheet in the browser at 360 px: opened the way the driver's page opens it
(fetched with the bearer token, shown from a blob), readable without sideways scrolling, its QR
codes readable by jsQR (the driver page's reader), axe-core passing; its PDF served, and
printed from the driver page's own PDF button in Chromium (the PDF kept, its first page drawn
to PNG, its text holding the route's site names).

The module serves a demo day of its own (it plans the day and packs crates): the dispatcher
asks for the plan through the API and the worker solves it; the copies of the driver's first
pickups are packed at their desks (``catalog.crates.pack``), so the sheet names their crates.
"""

from __future__ import annotations

import base64
import re
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    ROOT,
    SCREENSHOTS,
    WebSite,
    assert_accessible,
    screenshot,
    served_demo,
    sign_in,
)
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))  # the PDF's read-back
from pdf_checks import dark_share, page_png, pdf_text

from catalog.crates import pack
from catalog.db import create_engine, session_factory
from catalog.models import Transfer

pytestmark = pytest.mark.slow

JSQR = ROOT / "node_modules" / "jsqr" / "dist" / "jsQR.js"


@pytest.fixture(scope="module")
def web_site(tmp_path_factory: pytest.TempPathFactory, beilin_dir: Path) -> Iterator[WebSite]:
    with served_demo(tmp_path_factory.mktemp("sheets-web"), beilin_dir) as site:
        yield site


@pytest.fixture(scope="module")
def planned(web_site: WebSite) -> dict[str, Any]:
    """The demo day planned by the service's worker, the driver's first pickups packed."""
    with closing(web_site.client("dispatcher")) as dispatcher:
        asked = dispatcher.post(
            "/plans", json={"date": web_site.van_day.isoformat(), "time_limit": 5}
        )
        assert asked.status_code == 202, asked.text
        plan_id = asked.json()["id"]
        deadline = time.monotonic() + 240
        while True:
            plan = dispatcher.get(f"/plans/{plan_id}").json()
            if plan["status"] in ("done", "failed", "cancelled"):
                break
            assert time.monotonic() < deadline, f"plan {plan_id} not done: {plan['status']}"
            time.sleep(1)
        assert plan["status"] == "done", plan.get("error")
    with closing(web_site.client("driver")) as driver:
        route = driver.get("/me/route", params={"date": web_site.van_day.isoformat()})
        assert route.status_code == 200, route.text
    route_body = route.json()
    pickups = [s for s in route_body["stops"] if s["type"] == "pickup"][:2]
    engine = create_engine(web_site.database_url)
    crates: set[str] = set()
    try:
        with session_factory(engine)() as session:
            ids = [t for stop in pickups for t in stop["transfer_ids"]][:12]
            for transfer in session.scalars(select(Transfer).where(Transfer.id.in_(ids))):
                code = transfer.origin_site.code
                barcode = transfer.item.barcode
                crates.add(pack(session, barcode=barcode, site_code=code, staff="tests").code)
            session.commit()
            # The demo's desks packed the copies of their own plan too: the sheet shows every
            # crate of the van's route, ours and theirs.
            on_route = [t for stop in route_body["stops"] for t in stop["transfer_ids"]]
            crates |= set(
                session.scalars(
                    select(Transfer.crate_id).where(
                        Transfer.id.in_(on_route), Transfer.crate_id.is_not(None)
                    )
                )
            )
    finally:
        engine.dispose()
    assert crates
    sites = {s["site_code"]: s["site_name_zh"] for s in route_body["stops"] if s["site_code"]}
    return {
        "plan_id": plan_id,
        "van": route_body["van"],
        "crates": sorted(crates),
        "site_names": sites,
    }


def _open_sheet(page: Any, path: str) -> int:
    """Fetch ``path`` with the signed-in account's token and show it from a blob, as the
    driver's page does; the answer's status."""
    status: int = page.evaluate(
        """async (path) => {
            const token = JSON.parse(localStorage.getItem('shuyun.token')).access_token;
            const answer = await fetch(path, {headers: {Authorization: 'Bearer ' + token}});
            if (!answer.ok) return answer.status;
            const blob = await answer.blob();
            window.location.href = URL.createObjectURL(blob);
            return answer.status;
        }""",
        path,
    )
    return status


def test_the_sheet_reads_at_360px_with_readable_qr_codes(
    browser: Any, web_site: WebSite, planned: dict[str, Any]
) -> None:
    context = browser.new_context(
        base_url=web_site.base_url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 360, "height": 740},
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        sign_in(page, web_site, "driver")
        path = f"/plans/{planned['plan_id']}/routes/{planned['van']}/sheet.html"
        with page.expect_navigation():
            assert _open_sheet(page, path) == 200
        page.wait_for_selector("li.stop")
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert page.locator("h1").inner_text().startswith(f"路单 · {planned['van']}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, f"the sheet scrolls sideways at 360 px ({width} px wide)"
        font = page.evaluate("() => getComputedStyle(document.body).fontSize")
        assert float(font.removesuffix("px")) >= 15  # readable on a phone
        assert page.locator("figure.map svg").bounding_box()["width"] <= 345
        assert "© OpenStreetMap contributors" in page.locator("figure.map").inner_text()
        text = page.locator("main").inner_text()
        for crate in planned["crates"]:
            assert crate in text
        assert "到达目的地" in text  # the directions, in Chinese
        page.add_script_tag(path=str(JSQR))
        read = page.evaluate(
            """async () => {
                const out = [];
                for (const svg of document.querySelectorAll('.qr svg')) {
                    const source = new XMLSerializer().serializeToString(svg);
                    const image = new Image();
                    image.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(source);
                    await image.decode();
                    const size = 4 * image.width;
                    const canvas = document.createElement('canvas');
                    canvas.width = canvas.height = size;
                    const c = canvas.getContext('2d');
                    c.fillStyle = '#fff';
                    c.fillRect(0, 0, size, size);
                    c.imageSmoothingEnabled = false;
                    c.drawImage(image, 0, 0, size, size);
                    const found = jsQR(c.getImageData(0, 0, size, size).data, size, size);
                    out.push(found ? found.data : null);
                }
                return out;
            }"""
        )
        assert None not in read  # every QR readable
        assert sorted(set(read)) == planned["crates"]  # a QR per crate (twice if at two stops)
        shot = screenshot(page, "route_sheet_360")
        assert shot.stat().st_size > 10_000
        page.locator(
            f"li.stop:has(b.code:text('{planned['crates'][0]}'))"
        ).first.scroll_into_view_if_needed()
        page.screenshot(path=str(shot.with_name("route_sheet_360_crate.png")))
        assert_accessible(page, context="route sheet at 360 px")
    finally:
        context.close()
    assert not errors, f"script errors in the page: {errors}"


def test_another_van_is_refused_and_the_pdf_is_served(
    page: Any, web_site: WebSite, planned: dict[str, Any]
) -> None:
    sign_in(page, web_site, "driver")
    other = "van-2" if planned["van"] != "van-2" else "van-1"
    assert _open_sheet(page, f"/plans/{planned['plan_id']}/routes/{other}/sheet.html") == 403
    with closing(web_site.client("driver")) as driver:
        pdf = driver.get(f"/plans/{planned['plan_id']}/routes/{planned['van']}/sheet.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    with closing(web_site.client("dispatcher")) as dispatcher:
        labels = dispatcher.get(f"/plans/{planned['plan_id']}/labels.pdf")
    assert labels.status_code == 200 and labels.content.startswith(b"%PDF-")


def test_the_driver_prints_the_route_sheet_to_pdf(
    browser: Any, web_site: WebSite, planned: dict[str, Any]
) -> None:
    """The driver's page's own "路单（PDF）" button, in Chromium: the PDF it fetches with the
    driver's token opens in a new tab (Chromium's PDF viewer; a Chromium without one saves
    it as a download); the file is kept under out/screenshots/, its first page drawn to PNG
    (the step's screenshot) and its text holding every site of the route."""
    context = browser.new_context(
        base_url=web_site.base_url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 360, "height": 740},
        accept_downloads=True,
    )
    context.set_default_timeout(60_000)  # WeasyPrint draws the sheet on demand
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        sign_in(page, web_site, "driver")
        page.goto(f"/ui/driver?date={web_site.van_day.isoformat()}")
        page.locator("#sheet-pdf").wait_for(state="visible")  # shown once the route is read
        assert planned["van"] in page.locator("#route-summary").inner_text()
        screenshot(page, "route_sheet_pdf_1_driver_page")

        path = f"/plans/{planned['plan_id']}/routes/{planned['van']}/sheet.pdf"
        downloads: list[Any] = []  # listened for before the click: the tab saves at once
        context.on("page", lambda tab: tab.on("download", lambda d: downloads.append(d)))
        with (
            page.expect_response(lambda r: r.url.endswith(path)) as fetched,
            context.expect_page() as opened,
        ):
            page.click("#sheet-pdf")
        answer = fetched.value
        assert answer.status == 200, answer.text()
        assert answer.headers["content-type"].startswith("application/pdf")
        assert answer.request.headers.get("authorization", "").startswith("Bearer ")
        tab = opened.value
        pdf = SCREENSHOTS / "route_sheet_pdf_2_printed.pdf"
        # the tab opens blank at the click (a pop-up is allowed only then) and is sent to the
        # PDF's blob once fetched: wait for that, or for the download it turns into
        deadline = time.monotonic() + 60
        while not downloads and not tab.url.startswith("blob:"):
            assert time.monotonic() < deadline, f"the PDF's tab stayed at {tab.url}"
            page.wait_for_timeout(100)
        if not downloads:
            tab.wait_for_load_state()
        if downloads:  # a Chromium without its PDF viewer saves the tab's PDF instead
            downloads[0].save_as(pdf)
            assert downloads[0].url.startswith("blob:")
        else:  # shown in the tab (Chromium's PDF viewer): the bytes the tab shows, read back
            assert tab.url.startswith("blob:"), tab.url  # the page's own fetch, from a blob
            screenshot(tab, "route_sheet_pdf_2_tab")
            shown = tab.evaluate(
                """async () => {
                    const blob = await (await fetch(location.href)).blob();
                    return await new Promise((resolve) => {
                        const reader = new FileReader();
                        reader.onload = () => resolve(reader.result.split(',')[1]);
                        reader.readAsDataURL(blob);
                    });
                }"""
            )
            pdf.write_bytes(base64.b64decode(shown))
        assert pdf.read_bytes().startswith(b"%PDF-")
        length = answer.headers.get("content-length")  # what the page fetched, it shows
        assert length is None or int(length) == len(pdf.read_bytes()), length
    finally:
        context.close()
    assert not errors, f"script errors in the page: {errors}"

    text = re.sub(r"\s+", "", pdf_text(pdf))  # pdftotext may space out CJK in layout mode
    assert f"路单·{planned['van']}" in text
    missing = [name for name in planned["site_names"].values() if name not in text]
    assert not missing, f"site names not in the PDF's text: {missing}"
    png = page_png(pdf, 1, "route_sheet_pdf_3_page1")
    assert dark_share(png) > 0.01  # drawn, not blank
    assert dark_share(png, (0.04, 0.02, 0.5, 0.07)) > 0.015  # the title in Chinese type
