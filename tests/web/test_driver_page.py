"""The driver's phone page at 360×740: the first stop's crate confirmed by typed id (recorded, as
the API says), the second confirmed offline (kept on the phone, through a reload when the
service worker has the page), sent once when the network returns, and a scan at the wrong
stop refused naming the right one; a third crate confirmed by the camera reading its label's
QR code (Chromium's fake camera playing a video of the label); no horizontal scrolling, and
axe-core passes.

The day is this module's own (a served demo and a plan of today asked of the dispatcher's
API), since it scans; two of the route's copies are packed into crates by the admin first, as
a desk would (the demo's day has no crates yet).
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import segno
from conftest import (
    CHROMIUM,
    PASSWORD,
    WebSite,
    assert_accessible,
    screenshot,
    served_demo,
)
from PIL import Image

from catalog.clock import library_today

pytestmark = pytest.mark.slow

PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def web_site(tmp_path_factory: pytest.TempPathFactory, beilin_dir: Path) -> Iterator[WebSite]:
    """A demo day of this module's own: its scans change the day."""
    with served_demo(tmp_path_factory.mktemp("driver"), beilin_dir) as site:
        yield site


@pytest.fixture(scope="module")
def day(web_site: WebSite) -> dict[str, Any]:
    """Today planned (the dispatcher asks; the served worker solves) and an open crate at two
    pickup stops of the driver's route, the first its next stop: ``{"route", "first",
    "second"}``, each stop with its ``crate``. Whether the desks packed the day's crates
    depends on the hour (the demo packs its own van day's), so either kind of stop is taken."""
    today = library_today().isoformat()
    found = None
    for budget in BUDGETS:
        plan_today(web_site, today, budget)
        found = two_pickup_sites(web_site, today)
        if found is not None:
            break
    assert found is not None, f"no van's route of {today} collects at two sites ({BUDGETS} s)"
    route, first, second = found
    first["crate"] = open_crate(web_site, first)
    second["crate"] = open_crate(web_site, second)
    assert first["crate"] != second["crate"]
    return {"route": route, "first": first, "second": second, "date": today}


BUDGETS = (5, 15, 30)
"""The plan's budgets, tried in turn: on a busy machine a short solve may leave the returns
for tomorrow and give one van only the central library's new stock to collect."""


def plan_today(web_site: WebSite, today: str, budget: int) -> None:
    """The dispatcher plans today (the served worker solves, in ``budget`` seconds); a new
    plan of the day is in force once done."""
    with closing(web_site.client("dispatcher")) as dispatcher:
        asked = dispatcher.post("/plans", json={"date": today, "time_limit": budget})
        assert asked.status_code == 202, asked.text
        plan_id = asked.json()["id"]
        deadline = time.monotonic() + 180 + budget
        while (plan := dispatcher.get(f"/plans/{plan_id}").json())["status"] != "done":
            assert plan["status"] in ("queued", "running"), plan
            assert time.monotonic() < deadline, f"plan {plan_id} not done in time"
            time.sleep(0.5)


def two_pickup_sites(web_site: WebSite, today: str) -> tuple[dict[str, Any], ...] | None:
    """The driver's route of today with work to collect at two sites, the first its next stop:
    ``(route, first, second)``. Which van the solver gives which work differs from day to day
    (on some days a van only delivers the central library's new stock, or has no route), so the
    dispatcher puts the demo's driver on the first van whose route has that, as one would."""
    username = web_site.username("driver")
    with (
        closing(web_site.client("dispatcher")) as dispatcher,
        closing(web_site.client("driver")) as driver,
    ):
        vans = dispatcher.get("/vans?active=true").json()["items"]
        own = next(v for v in vans if v["driver_username"] == username)
        order = [own] + [v for v in vans if v is not own]
        for van in order:
            if van is not own:
                drive(dispatcher, own["code"], None)
                drive(dispatcher, van["code"], username)
                own = van
            answer = driver.get(f"/me/route/work?date={today}")
            if answer.status_code == 404:
                continue  # the plan leaves this van at the depot today
            assert answer.status_code == 200, answer.text
            route = answer.json()
            collect = [s for s in route["stops"] if s["action"] == "collect" and has_work(s)]
            first = next((s for s in collect if s["position"] == route["next_position"]), None)
            second = next(
                (s for s in collect if first and s["site_code"] != first["site_code"]), None
            )
            if first is not None and second is not None:
                return route, first, second
    return None


def drive(dispatcher: Any, van: str, username: str | None) -> None:
    """Put ``username`` on ``van`` as its driver (None: take its driver off)."""
    version = dispatcher.get(f"/vans/{van}").json()["version"]
    body = {"version": version, "driver_username": username}
    answer = dispatcher.patch(f"/vans/{van}", json=body)
    assert answer.status_code == 200, answer.text


def has_work(stop: dict[str, Any]) -> bool:
    return bool(stop["loose"]) or any(c["status"] == "open" for c in stop["crates"])


def open_crate(web_site: WebSite, stop: dict[str, Any], *, loose: int = 0) -> str:
    """An open crate to collect at ``stop``: one the desks packed already (when the day is
    the demo's van day, its crates are packed), else one the admin packs now from the stop's
    ``loose`` copy, as a desk would."""
    packed = [c["crate_id"] for c in stop["crates"] if c["status"] == "open"]
    if packed and not loose:
        return str(packed[0])
    with closing(web_site.client("admin")) as admin:
        body = {"barcode": stop["loose"][loose]["barcode"], "site_code": stop["site_code"]}
        answer = admin.post("/crates/pack", json=body)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["crate_id"])


@pytest.fixture
def phone(browser: Any, web_site: WebSite) -> Iterator[Any]:
    """A phone-sized page (its own context: storage, service worker); script errors fail."""
    context = browser.new_context(
        base_url=web_site.base_url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=PHONE,
        service_workers="allow",
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"script errors in the page: {errors}"


def crate(web_site: WebSite, crate_id: str) -> dict[str, Any]:
    with closing(web_site.client("admin")) as admin:
        answer = admin.get(f"/crates/{crate_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]


def pickup_events(web_site: WebSite, crate_id: str) -> int:
    """How many pickup steps the crate's transfers have recorded, in all."""
    with closing(web_site.client("admin")) as admin:
        items = crate(web_site, crate_id)["items"]
        steps = [admin.get(f"/transfers/{i['transfer_id']}").json()["events"] for i in items]
    return sum(1 for events in steps for e in events if e["status"] == "picked_up")


def sign_in_driver(page: Any, web_site: WebSite) -> None:
    page.goto("/ui/login?next=/ui/driver")
    page.fill("#username", web_site.username("driver"))
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/ui/driver")
    page.locator("#stops li").first.wait_for()


def type_scan(page: Any, code: str) -> None:
    page.fill("#scan-code", code)
    page.click("#scan-form button[type=submit]")


def test_driver_confirms_online_offline_and_is_refused_at_the_wrong_stop(
    phone: Any, web_site: WebSite, day: dict[str, Any]
) -> None:
    page = phone
    first, second = day["first"], day["second"]
    answered: list[str] = []  # scans the server answered (tries without signal get none)
    page.context.on(
        "response",
        lambda r: answered.append(r.url) if r.request.method == "POST" else None,
    )
    sign_in_driver(page, web_site)
    card = page.locator(f"#stop-card[data-position='{first['position']}']")
    card.wait_for()
    assert page.locator("#stop-h").inner_text() == "下一站"
    assert first["site_name_zh"] in page.locator("#stop-head").inner_text()
    assert page.locator(f"#stop-work [data-crate='{first['crate']}']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page, context="driver page")
    screenshot(page, "driver_route")

    # 1. The first stop's crate, typed: recorded at once.
    type_scan(page, first["crate"])
    page.locator("#scan-result").filter(has_text=f"已确认 {first['crate']}").wait_for()
    recorded = crate(web_site, first["crate"])
    assert recorded["status"] == "in_transit" and recorded["picked_up_by"] == "demo-driver"
    page.click(f"[data-choose='{first['position']}']")  # the next stop may have moved on
    page.locator(f"#stop-work [data-crate='{first['crate']}'] .pill.good").wait_for()
    screenshot(page, "driver_first_confirmed")

    # 2. No signal: the second stop's crate is kept on the phone.
    controlled = page.evaluate(
        """async () => { await navigator.serviceWorker.ready;
           for (let i = 0; i < 50 && !navigator.serviceWorker.controller; i++)
             await new Promise((r) => setTimeout(r, 100));
           return !!navigator.serviceWorker.controller; }"""
    )
    page.context.set_offline(True)
    page.locator("#net-state").filter(has_text="离线").wait_for()
    page.click(f"[data-choose='{second['position']}']")
    page.locator(f"#stop-card[data-position='{second['position']}']").wait_for()
    type_scan(page, second["crate"])
    page.locator("#queue-count[data-count='1']").wait_for()
    assert "恢复网络后发送" in page.locator("#scan-result").inner_text()
    assert second["crate"] in page.locator("#queue-list").inner_text()
    assert crate(web_site, second["crate"])["status"] == "open"  # not sent
    screenshot(page, "driver_offline_queued")

    if controlled:  # the service worker has the page's shell: a reload without signal
        page.reload()
        page.locator("#queue-count[data-count='1']").wait_for()
        page.locator("#route-note").filter(has_text="离线").wait_for()
        assert page.locator("#stops li").count() > 0
        screenshot(page, "driver_offline_reloaded")
        page.click(f"[data-choose='{second['position']}']")

    # 3. The signal returns: the queued scan is sent, once.
    page.context.set_offline(False)
    page.locator("#queue-count[data-count='0']").wait_for()
    page.locator("#net-state").filter(has_text="在线").wait_for()
    sent = crate(web_site, second["crate"])
    assert sent["status"] == "in_transit" and sent["picked_up_by"] == "demo-driver"
    second_answers = [u for u in answered if f"/crates/{second['crate']}/pickup" in u]
    assert len(second_answers) == 1, second_answers
    assert pickup_events(web_site, second["crate"]) == len(sent["items"])  # once per copy
    screenshot(page, "driver_back_online")

    # 4. The first crate scanned at the second stop: refused, the right stop named.
    page.locator(f"#stop-card[data-position='{second['position']}']").wait_for()
    type_scan(page, first["crate"])
    refusal = page.locator("#scan-result").filter(has_text="被拒绝")
    refusal.wait_for()
    assert first["site_name_zh"] in refusal.inner_text()
    assert first["site_name_zh"] in page.locator("#refused-list").inner_text()
    page.locator("#queue-count[data-count='0']").wait_for()  # a refusal is not retried
    assert_accessible(page, context="driver page after a refusal")
    screenshot(page, "driver_wrong_stop")


def test_a_second_scan_is_harmless(phone: Any, web_site: WebSite, day: dict[str, Any]) -> None:
    page = phone
    first = day["first"]
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    sign_in_driver(page, web_site)
    page.click(f"[data-choose='{first['position']}']")
    url = f"/crates/{first['crate']}/pickup"
    for n in (1, 2):
        with page.expect_response(lambda r: url in r.url and r.request.method == "POST") as sent:
            type_scan(page, first["crate"])
        assert sent.value.status == 200  # the second answers the same state
        page.locator("#queue-count[data-count='0']").wait_for()
        assert len([u for u in posts if url in u]) == n
    packed = crate(web_site, first["crate"])
    assert packed["status"] == "in_transit"
    # One pickup per copy in the crate (the demo's desks may pack several), not two.
    assert pickup_events(web_site, first["crate"]) == len(packed["items"])


def test_the_camera_says_clearly_when_there_is_none(phone: Any, web_site: WebSite) -> None:
    page = phone
    sign_in_driver(page, web_site)
    page.click("#camera-toggle")
    # Headless Chromium has no camera and no permission was granted: a message, no video.
    page.locator("#scan-result[role='alert']").filter(has_text="摄像头").wait_for()
    assert page.locator("#camera").is_hidden()
    screenshot(page, "driver_no_camera")


def label_video(code: str, path: Path, *, width: int = 640, height: int = 480) -> Path:
    """A few seconds of a crate label's QR code (as the labels draw it: segno, level M) held
    in front of the camera, as a Y4M video (4:2:0) for Chromium's fake camera."""
    png = io.BytesIO()
    segno.make_qr(code, error="m").save(png, kind="png", scale=8, border=4)
    label = Image.open(png).convert("L")
    frame = Image.new("RGB", (width, height), (235, 235, 228))  # a grey card around it
    frame.paste(label.convert("RGB"), ((width - label.width) // 2, (height - label.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(20):
            out.write(b"FRAME\n" + planes)
    return path


def still_open_crate(
    web_site: WebSite, stops: list[dict[str, Any]], taken: set[str]
) -> dict[str, Any]:
    """A collect stop of ``stops`` with an open crate (``"crate"``) that no other test
    scans: one the desks packed and no scan has taken along since (a crate can be collected
    at one stop for copies of another), else one packed now from a loose copy."""
    collect = [s for s in stops if s["action"] == "collect"]
    for stop in collect:
        for box in stop["crates"]:
            code = box["crate_id"]
            if code not in taken and crate(web_site, code)["status"] == "open":
                return {**stop, "crate": code}
    for stop in collect:
        if len(stop["loose"]) > 1:  # the first may have gone in a crate already
            return {**stop, "crate": open_crate(web_site, stop, loose=1)}
    raise AssertionError("no collect stop with an open crate or two loose copies")


@pytest.fixture
def camera_phone(
    browser: Any, web_site: WebSite, tmp_path: Path, day: dict[str, Any]
) -> Iterator[tuple[Any, dict[str, Any]]]:
    """A phone whose camera sees a crate label (an open crate the other tests leave alone)
    and a Chromium of its own whose fake camera plays that label; ``(page, stop)``."""
    taken = {day["first"]["crate"], day["second"]["crate"]}
    stop = still_open_crate(web_site, day["route"]["stops"], taken)
    video = label_video(stop["crate"], tmp_path / "label.y4m")
    args = [
        "--use-fake-ui-for-media-stream",  # allow the camera without a prompt
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    chromium = browser.browser_type.launch(executable_path=str(CHROMIUM), headless=True, args=args)
    context = chromium.new_context(
        base_url=web_site.base_url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=PHONE,
        permissions=["camera"],
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page, stop
    finally:
        context.close()
        chromium.close()
    assert not errors, f"script errors in the page: {errors}"


def test_the_camera_reads_a_crate_label(
    camera_phone: tuple[Any, dict[str, Any]], web_site: WebSite
) -> None:
    page, stop = camera_phone
    assert crate(web_site, stop["crate"])["status"] == "open"
    sign_in_driver(page, web_site)
    page.click(f"[data-choose='{stop['position']}']")
    page.locator(f"#stop-card[data-position='{stop['position']}']").wait_for()
    page.click("#camera-toggle")
    page.locator("#camera").wait_for(state="visible")
    # jsQR reads the label in the camera's frames; the scan is sent as a typed one would be.
    page.locator("#scan-result").filter(has_text=f"已确认 {stop['crate']}").wait_for()
    screenshot(page, "driver_camera_confirmed")
    recorded = crate(web_site, stop["crate"])
    assert recorded["status"] == "in_transit" and recorded["picked_up_by"] == "demo-driver"
    page.click("#camera-toggle")  # stopped: the video is hidden again
    page.locator("#camera").wait_for(state="hidden")
    # The label held in view is one scan: one pickup per copy in the crate.
    assert pickup_events(web_site, stop["crate"]) == len(recorded["items"])
