"""The driver's phone page at 360×740: the first stop's crate confirmed by typed id (recorded, as
the API says); offline, the second stop's crate collected and then dropped where it goes (both
kept on the phone, in order, through a reload when the service worker has the page), sent
once each and in the order made when the network returns (the server's steps say so); a scan
at the wrong stop refused naming the right one; a third crate confirmed by the camera reading
its label's QR code (Chromium's fake camera playing a video of the label); no horizontal
scrolling, and axe-core passes.

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
from datetime import datetime
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
    drop = drop_stop(web_site, today, second)
    return {"route": route, "first": first, "second": second, "drop": drop, "date": today}


def drop_stop(web_site: WebSite, today: str, pickup: dict[str, Any]) -> dict[str, Any]:
    """The stop after ``pickup`` where its crate is dropped (the route read again: the crate
    may have been packed just now)."""
    with closing(web_site.client("driver")) as driver:
        route = driver.get(f"/me/route/work?date={today}").json()
    drops = [
        s
        for s in route["stops"]
        if s["action"] == "drop"
        and s["position"] > pickup["position"]
        and any(c["crate_id"] == pickup["crate"] for c in s["crates"])
    ]
    assert drops, f"crate {pickup['crate']} is dropped nowhere after stop {pickup['position']}"
    return drops[0]


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


def steps(web_site: WebSite, transfer_id: int) -> list[dict[str, Any]]:
    """The transfer's recorded steps, in the order recorded."""
    with closing(web_site.client("admin")) as admin:
        answer = admin.get(f"/transfers/{transfer_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()["events"]  # type: ignore[no-any-return]


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


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
    first, second, drop = day["first"], day["second"], day["drop"]
    # The scans the server answered, in the order answered (tries without signal get none).
    answered: list[tuple[str, int]] = []
    page.context.on(
        "response",
        lambda r: answered.append((r.url, r.status)) if r.request.method == "POST" else None,
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

    # 2. No signal: the second stop's crate collected, then dropped where it goes, both kept
    # on the phone in the order made (sent the other way round, the drop would find the
    # crate never collected: the server records "no pickup scan").
    second_box = crate(web_site, second["crate"])
    assert second_box["status"] == "open"
    transfers = [i["transfer_id"] for i in second_box["items"]]
    assert transfers
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
    page.click(f"[data-choose='{drop['position']}']")
    page.locator(f"#stop-card[data-position='{drop['position']}']").wait_for()
    type_scan(page, second["crate"])
    page.locator("#queue-count[data-count='2']").wait_for()
    assert "恢复网络后发送" in page.locator("#scan-result").inner_text()
    page.locator(f"#stop-work [data-crate='{second['crate']}'] .pill.warn").wait_for()

    def assert_queued_in_order() -> None:
        queued = page.locator("#queue-list li").all_inner_texts()
        assert len(queued) == 2, queued
        assert second["crate"] in queued[0] and "取件" in queued[0], queued
        assert second["site_name_zh"] in queued[0], queued
        assert second["crate"] in queued[1] and "送达" in queued[1], queued
        assert drop["site_name_zh"] in queued[1], queued

    assert_queued_in_order()
    assert crate(web_site, second["crate"])["status"] == "open"  # nothing sent
    assert not [u for u, _ in answered if second["crate"] in u]
    screenshot(page, "driver_offline_queued")

    if controlled:  # the service worker has the page's shell: a reload without signal
        page.reload()
        page.locator("#queue-count[data-count='2']").wait_for()
        page.locator("#route-note").filter(has_text="离线").wait_for()
        assert page.locator("#stops li").count() > 0
        assert_queued_in_order()  # kept on the phone, in order
        screenshot(page, "driver_offline_reloaded")
        page.click(f"[data-choose='{drop['position']}']")

    # 3. The signal returns: the queued scans are sent, each once, in the order made.
    page.context.set_offline(False)
    page.locator("#queue-count[data-count='0']").wait_for()
    page.locator("#net-state").filter(has_text="在线").wait_for()
    page.locator("#scan-result").filter(has_text=f"已确认 {second['crate']}：送达").wait_for()
    sent = [(u.split("/crates/")[1], status) for u, status in answered if second["crate"] in u]
    assert sent == [
        (f"{second['crate']}/pickup", 200),
        (f"{second['crate']}/drop", 200),
    ], sent
    box = crate(web_site, second["crate"])
    assert box["status"] == "delivered", box
    assert box["picked_up_by"] == box["delivered_by"] == "demo-driver"
    assert at(box["picked_up_at"]) <= at(box["delivered_at"]), box  # (whole seconds)
    for transfer_id in transfers:
        recorded_steps = [
            e for e in steps(web_site, transfer_id) if e["status"] in ("picked_up", "delivered")
        ]
        # Once each, in the order recorded (event ids): the pickup scan at the second stop,
        # then the drop. Had the drop come first, the server would have recorded a pickup
        # "no pickup scan" at the drop's moment, and the late pickup would have changed
        # nothing.
        assert [(e["status"], e["site_code"]) for e in recorded_steps] == [
            ("picked_up", second["site_code"]),
            ("delivered", drop["site_code"]),
        ], recorded_steps
        assert recorded_steps[0]["note"] != "no pickup scan", recorded_steps
        assert at(recorded_steps[0]["at"]) <= at(recorded_steps[1]["at"]), recorded_steps
    # The page shows both as done: the drop stop, and the second stop.
    assert page.locator("#queue-list").inner_text().strip() == "没有待发送的扫描"
    page.click(f"[data-choose='{drop['position']}']")
    page.locator(f"#stop-work [data-crate='{second['crate']}'] .pill.good").wait_for()
    screenshot(page, "driver_back_online")
    page.click(f"[data-choose='{second['position']}']")
    page.locator(f"#stop-work [data-crate='{second['crate']}'] .pill.good").wait_for()

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


def test_a_stop_shows_the_turn_by_turn_directions_to_it(
    phone: Any, web_site: WebSite, day: dict[str, Any]
) -> None:
    """The second stop's card gives the way there from the stop before: the leg's km and
    minutes, then every instruction in Chinese as the API has it (street names from our
    Beilin data); in English after the language switch."""
    page = phone
    stop = day["second"]
    leg = stop["leg"]
    if leg is None:  # the same site as the stop before: the way to the next one with a leg
        stop = next(s for s in day["route"]["stops"] if s["action"] and s["leg"])
        leg = stop["leg"]
    assert leg["instructions_zh"] and leg["distance"] > 0
    assert any("路" in line or "街" in line for line in leg["instructions_zh"])  # named streets
    before = next(s for s in day["route"]["stops"] if s["site_code"] == leg["from_site_code"])
    sign_in_driver(page, web_site)
    page.click(f"[data-choose='{stop['position']}']")
    page.locator(f"#stop-card[data-position='{stop['position']}']").wait_for()
    directions = page.locator("#stop-work details.directions")
    assert directions.get_attribute("open") is not None  # open at once, not behind a tap
    summary = directions.locator("summary").inner_text()
    assert before["site_name_zh"] in summary, summary
    assert f"{leg['distance'] / 1000:.1f} 公里" in summary, summary
    assert f"约 {round(leg['duration'] / 60)} 分钟" in summary, summary
    shown = directions.locator("ol[lang='zh-CN'] li").all_inner_texts()
    assert [line.strip() for line in shown] == leg["instructions_zh"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    directions.scroll_into_view_if_needed()
    screenshot(page, "driver_directions")

    page.click("#lang-switch")  # the page again, in English: the stop chosen anew
    page.locator("#stops li").first.wait_for()
    page.click(f"[data-choose='{stop['position']}']")
    page.locator(f"#stop-card[data-position='{stop['position']}']").wait_for()
    english = page.locator("#stop-work details.directions ol[lang='en'] li")
    english.first.wait_for()
    assert [line.strip() for line in english.all_inner_texts()] == leg["instructions_en"]
    assert "km, about" in page.locator("#stop-work details.directions summary").inner_text()


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
