"""The dispatcher console in a real browser, on a demo day of its own (the tests plan and edit):
the demo day's routes drawn on our street layer; planning the day with the progress bar fed by
the job's event stream; moving a stop (its form, and drag and drop) and locking one, with the
violation shown on the stop, the timeline and the map; a re-plan around the locks, its diff,
and accepting it; the drivers' scans against the plan; the language switch; a planner's
read-only console; the rest of the day re-planned from where the vans are; axe-core on the
way.

The tests run in order on one served day (each builds on the one before). Screenshots:
``out/screenshots/console_*.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from conftest import WebSite, assert_accessible, screenshot, served_demo, sign_in
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import update

from api.web.console import CONSOLE_TEXTS
from catalog.clock import library_today
from catalog.db import create_engine, session_factory
from catalog.models import Plan as PlanRow
from catalog.models import Transfer
from dispatch.edits import check_plan, move_stop
from dispatch.stored_edits import plan_of

pytestmark = pytest.mark.slow

SLOW = 120_000  # ms: a plan's job on a busy machine


@pytest.fixture(scope="module")
def web_site(tmp_path_factory: pytest.TempPathFactory, beilin_dir: Path) -> Iterator[WebSite]:
    """A demo day of this module's own; plans search 4 s."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHUYUN_SOLVER__TIME_LIMIT", "4")
        with served_demo(tmp_path_factory.mktemp("console"), beilin_dir) as site:
            yield site


def _open_console(page: Any, web_site: WebSite, role: str = "dispatcher") -> None:
    """Sign in and open the console on the demo's van day (named: "tomorrow" moves on at
    midnight in Xi'an, which a long test run may cross)."""
    sign_in(page, web_site, role, next_path=quote(f"/ui/console?date={web_site.van_day}"))
    assert page.url.endswith(f"/ui/console?date={web_site.van_day}")
    page.wait_for_selector("body[data-ready=true]", timeout=SLOW)
    page.wait_for_selector("body[data-streets]", timeout=SLOW)


def _read(web_site: WebSite, path: str) -> Any:
    """What the API answers a planner at ``path``."""
    client = web_site.client("planner")
    try:
        response = client.get(path)
        response.raise_for_status()
        return response.json()
    finally:
        client.close()


def _plan_in_force(web_site: WebSite) -> dict[str, Any]:
    plans = _read(web_site, f"/plans?date={web_site.van_day}")["items"]
    current = next(
        p
        for p in plans
        if p["status"] == "done" and not p["superseded_by"] and not p["awaiting_acceptance"]
    )
    return dict(_read(web_site, f"/plans/{current['id']}"))


def test_the_console_opens_on_tomorrow_in_xian(page_far_from_xian: Any, web_site: WebSite) -> None:
    """The day shown at first is tomorrow on the library's clock, though the browser's machine
    is set to another zone (and the server's to UTC)."""
    page = page_far_from_xian
    before = library_today() + timedelta(days=1)
    sign_in(page, web_site, "dispatcher")
    assert page.url.endswith("/ui/console")
    page.wait_for_selector("body[data-ready=true]", timeout=SLOW)
    shown = page.locator("#day").input_value()
    after = library_today() + timedelta(days=1)
    assert shown in {before.isoformat(), after.isoformat()}


def test_the_demo_days_routes_are_drawn_on_our_street_map(page: Any, web_site: WebSite) -> None:
    plan = _plan_in_force(web_site)  # the demo recorded its plan: the console shows it at once
    _open_console(page, web_site)
    assert page.locator("#day").input_value() == web_site.van_day.isoformat()
    assert page.locator("#plan-select").input_value() == str(plan["id"])
    assert int(page.locator("body").get_attribute("data-streets")) > 1000  # street lines
    assert page.locator(".leaflet-tile").count() == 0  # no tile layer
    assert (
        "© OpenStreetMap contributors" in page.locator(".leaflet-control-attribution").inner_text()
    )
    routes = plan["routes"]
    assert page.locator("path.route-line").count() == len(routes) >= 1
    # then along the streets (the server's street paths between the stops)
    page.wait_for_selector(f"body[data-paths='{len(routes)}']", timeout=SLOW)
    assert page.locator("path.route-line").count() == len(routes)
    assert page.locator(".stop-icon").count() >= len(routes)
    _assert_sites_by_kind(page, web_site)
    _assert_a_colour_per_van(page, routes)
    # the timeline: a row per van, with the lunch closure of the branches shaded
    assert page.locator("#timeline .tl-row").count() == len(routes)
    assert page.locator("#timeline .tl-service").count() > 0
    assert page.locator("#timeline .tl-closed").count() > 0
    # the open transfers by site, and the unplanned with the reason in words and a fix
    assert page.locator("#summary-table tbody tr").count() > 0
    assert "预约" in page.locator("#summary-totals").inner_text()
    _assert_unplanned_with_reasons_and_fixes(page, plan)
    assert page.locator("#check-body .check-ok").count() == 1
    assert_accessible(page, context="console, the demo day")
    screenshot(page, "console_routes")


def _rgb(colour: str) -> str:
    """``#rrggbb`` as the browser's computed ``rgb(r, g, b)``."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _assert_sites_by_kind(page: Any, web_site: WebSite) -> None:
    """Every site on the map as the symbol of its kind: 总 for the central library, 分 for a
    branch, a small dot for a service point, each kind its own colour and shape, and its
    name and kind on the marker."""
    sites = _read(web_site, "/sites?limit=200")["items"]
    kinds = {"central": ("总", "总馆"), "branch": ("分", "分馆"), "service_point": ("", "服务点")}
    assert {s["kind"] for s in sites} == set(kinds)
    looks = {}
    for kind, (symbol, kind_name) in kinds.items():
        ours = [s for s in sites if s["kind"] == kind]
        icons = page.locator(f"#map .site-icon.site-{kind}")
        assert icons.count() == len(ours) >= 1, kind
        shown = icons.evaluate_all(
            """icons => icons.map(i => {
                const s = getComputedStyle(i);
                return [i.innerText.trim(), i.title, s.backgroundColor, s.borderRadius, s.width];
            })"""
        )
        assert {text for text, *_ in shown} == {symbol}, kind
        assert {title for _, title, *_ in shown} == {f"{s['name_zh']} · {kind_name}" for s in ours}
        (looks[kind],) = {
            (colour, corner, float(width.removesuffix("px"))) for *_, colour, corner, width in shown
        }
    assert len({colour for colour, _, _ in looks.values()}) == len(kinds), looks  # own colours
    assert looks["central"][1] != looks["branch"][1], looks  # a square, a disc
    assert looks["service_point"][2] < looks["branch"][2] == looks["central"][2], looks  # a dot


def _assert_a_colour_per_van(page: Any, routes: list[dict[str, Any]]) -> None:
    """Each van's route line in a colour of its own, and its numbered stops in that colour."""
    assert len(routes) >= 2  # the demo day drives two vans
    strokes = page.locator("path.route-line").evaluate_all(
        "lines => lines.map(l => l.getAttribute('stroke'))"
    )
    assert len(set(strokes)) == len(strokes) == len(routes), strokes
    stops = page.locator("#map .stop-icon span").evaluate_all(
        "spans => spans.map(s => [s.style.backgroundColor, s.innerText.trim()])"
    )
    assert {colour for colour, _ in stops} == {_rgb(c) for c in strokes}  # every van's stops
    assert all(number.split("–")[0].isdigit() for _, number in stops)  # numbered


def _assert_unplanned_with_reasons_and_fixes(page: Any, plan: dict[str, Any]) -> None:
    """The demo day has more work than its two vans do in a day: the plan leaves shipments out,
    and the console lists every one of them with its reason in Chinese and what would fix it
    (the fix of that reason, not the catch-all)."""
    unplanned = plan["unplanned"]
    assert unplanned, "the demo day's plan leaves nothing out: the unplanned list is untested"
    assert all(f"fix_{u['reason']}" in CONSOLE_TEXTS for u in unplanned)  # a fix of its own
    rows = page.locator("#unplanned tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
    )
    assert len(rows) == len(unplanned)
    for entry, (shipment, _, transfers, reason, fix) in zip(unplanned, rows, strict=True):
        assert entry["shipment_id"] in shipment and transfers == str(entry["transfers"])
        assert reason == entry["reason_zh"] and reason
        assert fix == CONSOLE_TEXTS[f"fix_{entry['reason']}"][0] and fix


def _zoom_in_until_labelled(page: Any) -> None:
    """Zoom the map in (its + button) until the major roads carry their names."""
    labels = page.locator("#map .street-label")
    for _ in range(4):
        page.click("#map .leaflet-control-zoom-in")
        try:
            labels.first.wait_for(timeout=2_000)
            break
        except PlaywrightTimeout:
            continue
    assert labels.count() > 0, "no street name labelled when zoomed in"
    # the zoom's animation over and the labels placed for the view they are in
    page.wait_for_function(
        "!document.querySelector('#map').classList.contains('leaflet-zoom-anim')"
    )


def test_the_streets_chinese_names_are_on_the_map(page: Any, web_site: WebSite) -> None:
    """Zoomed in, the major roads carry their Chinese names as labels, none over another; a
    named street under the pointer shows its name. The names are those of our street data."""
    # when the street layer is drawn, from the start of the console's page load
    page.add_init_script(
        """const seen = setInterval(() => {
            if (document.body?.dataset.streets) {
                window.streetsDrawnAt = performance.now();
                clearInterval(seen);
            }
        }, 5);"""
    )
    _open_console(page, web_site)
    drawn_ms = page.evaluate("window.streetsDrawnAt")
    streets = _read(web_site, "/ui/data/streets.geojson")["features"]
    named = {f["properties"]["name"] for f in streets if f["properties"]["name"]}
    major = {
        f["properties"]["name"]
        for f in streets
        if f["properties"]["name"]
        and f["properties"]["class"] in ("motorway", "trunk", "primary", "secondary", "tertiary")
    }
    # the first view (the whole day's routes) is too far out for labels: hover only
    assert page.locator("#map .street-label").count() == 0
    _zoom_in_until_labelled(page)
    labels = page.locator("#map .street-label").evaluate_all(
        """labels => labels.map(label => {
            const r = label.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            const under = document.elementFromPoint(x, y);
            return {name: label.innerText.trim(), box: [r.left, r.top, r.right, r.bottom], x, y,
                    street: under.tagName === 'CANVAS'
                            && under.closest('.leaflet-streets-pane') !== null};
        })"""
    )
    names = [label["name"] for label in labels]
    assert set(names) <= major, set(names) - major  # real names, of the major roads
    assert any(name.endswith("路") for name in names), names  # e.g. 友谊西路
    box = page.locator("#map").bounding_box()
    for i, a in enumerate(labels):  # inside the map, and none over another
        left, top, right, bottom = a["box"]
        assert box["x"] <= left and right <= box["x"] + box["width"] + 1, a
        assert box["y"] <= top and bottom <= box["y"] + box["height"] + 1, a
        for b in labels[i + 1 :]:
            assert (
                right <= b["box"][0] + 1
                or b["box"][2] <= left + 1
                or bottom <= b["box"][1] + 1
                or b["box"][3] <= top + 1
            ), (a, b)
    # a label sits on its street: the pointer there, on the street's line, gets its name
    spot = next(label for label in labels if label["street"])
    page.mouse.move(spot["x"] - 6, spot["y"])
    page.mouse.move(spot["x"], spot["y"])
    tooltip = page.locator(".leaflet-tooltip.street-tooltip")
    tooltip.wait_for()
    assert tooltip.inner_text().strip() == spot["name"] and spot["name"] in named
    shot = screenshot(page, "console_street_names")
    assert shot.is_file()
    # the names cost the map little: its streets are drawn well within seconds of the page's
    # start (about 0.4 s on an idle machine, as before the names; 20 s only on a choked one)
    print(f"the console's streets drawn {drawn_ms:.0f} ms after its page load started")
    assert 0 < drawn_ms < 20_000


def test_planning_the_day_fills_the_progress_bar_to_done(page: Any, web_site: WebSite) -> None:
    before = _plan_in_force(web_site)["id"]
    _open_console(page, web_site)
    page.click("#plan-button")
    page.wait_for_selector("#plan-progress[data-status=running]", timeout=SLOW)
    screenshot(page, "console_planning")
    page.wait_for_selector("#plan-progress[data-status=done]", timeout=SLOW)
    assert page.locator("#plan-progress").evaluate("p => p.value") == 100
    after = _plan_in_force(web_site)
    assert after["id"] != before  # the new plan is the day's plan now
    page.wait_for_function(
        f"document.querySelector('#plan-select').value === '{after['id']}'", timeout=SLOW
    )
    assert page.locator("path.route-line").count() == len(after["routes"])
    screenshot(page, "console_planned")


def _move_by_form(page: Any, stop_id: str, van: str, number: int) -> None:
    """Move a stop with its own form (the keyboard way): to stop ``number`` of ``van``."""
    stop = page.locator(f"li.stop[data-stop='{stop_id}']")
    stop.locator("details.move summary").click()
    stop.locator("select[name=van]").select_option(van)
    stop.locator("input[name=position]").fill(str(number))
    stop.locator("button[type=submit]").click()
    page.wait_for_function(
        f"document.querySelector(\"li.stop[data-stop='{stop_id}']\")?.dataset.pos"
        f" === '{number - 1}'",
        timeout=SLOW,
    )


def _drag(page: Any, van: str, source: int, target: int) -> str:
    """Drag the stop at ``source`` onto the one at ``target`` (positions from 0) of ``van``;
    the dragged stop's id once it is there."""
    route = page.locator(f"ol.stops[data-van='{van}']")
    dragged = route.locator(f"li.stop[data-pos='{source}']")
    stop_id = str(dragged.get_attribute("data-stop"))
    dragged.drag_to(route.locator(f"li.stop[data-pos='{target}']"))
    page.wait_for_function(
        f"document.querySelector(\"li.stop[data-stop='{stop_id}']\")?.dataset.pos === '{target}'",
        timeout=SLOW,
    )
    return stop_id


def test_moving_a_stop_shows_the_violation_on_the_stop_timeline_and_map(
    page: Any, web_site: WebSite
) -> None:
    _open_console(page, web_site)
    van = page.locator("ol.stops").first
    code = str(van.get_attribute("data-van"))
    # drag and drop: the second stop before the first, and back
    second = _drag(page, code, 1, 0)
    screenshot(page, "console_dragged")
    _drag(page, code, 1, 0)
    assert page.locator(f"li.stop[data-stop='{second}']").get_attribute("data-pos") == "1"
    page.wait_for_selector("#check-body .check-ok", timeout=SLOW)
    # the keyboard way: a pickup put last, after its deliveries, breaks the rules
    count = van.locator("li.stop[draggable]").count()
    pickup = van.locator("li.stop[data-type=pickup]").first
    stop_id = str(pickup.get_attribute("data-stop"))
    was = int(str(pickup.get_attribute("data-pos")))
    _move_by_form(page, stop_id, code, count)
    page.wait_for_selector("#check-body .bad", timeout=SLOW)
    assert "已保存" in page.locator("#console-message").inner_text()
    assert page.locator("li.stop.bad").count() > 0
    assert page.locator("#timeline .tl-bad").count() > 0
    assert page.locator(".stop-icon.stop-bad").count() > 0
    check = _read(web_site, f"/plans/{_plan_in_force(web_site)['id']}/check")
    assert not check["ok"] and check["violations"]
    screenshot(page, "console_violation")
    # and back where it was: nothing broken any more
    _move_by_form(page, stop_id, code, was + 1)
    page.wait_for_selector("#check-body .check-ok", timeout=SLOW)
    assert page.locator("li.stop.bad").count() == 0


def _a_move_that_breaks(web_site: WebSite, kind: str) -> tuple[str, str, int, str] | None:
    """A move within one van that breaks a rule of ``kind`` on the plan in force, found with
    the same check the server runs (``dispatch.edits``, nothing saved): for ``capacity`` a
    pickup put first (the van loaded beyond its crates early on), for ``time_window`` a stop
    put last (arriving after the site has closed). ``(stop, van, position, message)``."""
    engine = create_engine(web_site.database_url)
    try:
        with session_factory(engine)() as session:
            row = session.get(PlanRow, _plan_in_force(web_site)["id"])
            assert row is not None
            plan = plan_of(row)
    finally:
        engine.dispose()
    for route in plan.routes:
        last = len(route.stops) - 1
        for stop in route.stops:
            if kind == "capacity" and stop.type != "pickup":
                continue
            position = 0 if kind == "capacity" else last
            found = check_plan(move_stop(plan, stop.id, route.van, position).plan).violations
            messages = [v.message_zh for v in found if v.kind == kind and v.stop is not None]
            if messages:
                return stop.id, route.van, position, messages[0]
    return None


@pytest.mark.parametrize(
    ("kind", "words"), [("time_window", "超出开放时间"), ("capacity", "超过容量")]
)
def test_a_late_arrival_at_a_closed_site_and_a_van_over_capacity_are_marked(
    page: Any, web_site: WebSite, kind: str, words: str
) -> None:
    """A stop put last arrives after its site has closed; a pickup put first loads the van
    beyond its crates: each marked at once, in words, on the stop, the timeline and the map;
    and the plan as it was once the stop is back."""
    move = _a_move_that_breaks(web_site, kind)
    assert move is not None, f"no move within a van breaks {kind} on the demo day"
    stop_id, van, position, message = move
    _open_console(page, web_site)
    was = int(str(page.locator(f"li.stop[data-stop='{stop_id}']").get_attribute("data-pos")))
    _move_by_form(page, stop_id, van, position + 1)
    page.wait_for_selector("#check-body .bad", timeout=SLOW)
    assert words in message
    assert message in page.locator("#check-body").inner_text()
    check = _read(web_site, f"/plans/{_plan_in_force(web_site)['id']}/check")
    marked = {str(v["stop_id"]) for v in check["violations"] if v["kind"] == kind}
    assert marked, check
    for bad in marked:  # on the stop, in words
        item = page.locator(f"li.stop[data-stop='{bad}']")
        assert "bad" in str(item.get_attribute("class")), bad
        assert words in item.inner_text(), bad
    assert page.locator("#timeline .tl-bad").count() >= len(marked)
    assert page.locator("#map .stop-icon.stop-bad").count() >= 1
    screenshot(page, f"console_violation_{kind}")
    _move_by_form(page, stop_id, van, was + 1)
    page.wait_for_selector("#check-body .check-ok", timeout=SLOW)
    assert page.locator("li.stop.bad").count() == 0


def test_a_locked_stop_stays_through_the_replan_whose_diff_is_accepted(
    page: Any, web_site: WebSite
) -> None:
    _open_console(page, web_site)
    before = _plan_in_force(web_site)
    stop = page.locator("ol.stops").first.locator("li.stop[draggable]").nth(1)
    stop_id = stop.get_attribute("data-stop")
    van = stop.get_attribute("data-van")
    kind = stop.get_attribute("data-type")
    (shipments,) = [
        s["shipment_ids"] for r in before["routes"] for s in r["stops"] if str(s["id"]) == stop_id
    ]
    stop.locator(".lock-box").check()
    page.wait_for_selector(f"li.stop.locked[data-stop='{stop_id}']", timeout=SLOW)
    page.click("#replan-button")
    page.wait_for_selector("#diff:not([hidden])", timeout=SLOW)
    text = page.locator("#diff").inner_text()
    assert "公里" in text and "小时" in text
    assert page.locator("#diff table.diff-vans tbody tr").count() >= 1
    # not yet in force: the plan before is
    assert _plan_in_force(web_site)["id"] == before["id"]
    assert_accessible(page, context="console, the re-plan's diff")
    screenshot(page, "console_diff")
    page.click("#accept-button")
    page.wait_for_selector("#console-message:has-text('已采用')", timeout=SLOW)
    after = _plan_in_force(web_site)
    assert after["id"] != before["id"] and after["parent_id"] == before["id"]
    assert page.locator("#plan-select").input_value() == str(after["id"])
    assert page.locator("#diff").is_hidden()
    kept = [
        (r["van"], s["locked"])
        for r in after["routes"]
        for s in r["stops"]
        if s["type"] == kind and set(shipments) & set(s["shipment_ids"])
    ]
    assert kept and all(k == (van, True) for k in kept)  # on its van, and still locked
    screenshot(page, "console_accepted")


def _scan_a_pickup_two_hours_late(web_site: WebSite) -> tuple[dict[str, Any], dict[str, Any]]:
    """The first pickup of the driver's route scanned (by an admin: a driver scans only on
    today's route, and the demo's vans drive tomorrow), the scans set two hours after the
    planned start at that stop: the van is running two hours late. Its route and the stop.
    Scanning again is harmless: a second call takes the same stop."""
    driver = web_site.client("driver")
    admin = web_site.client("admin")
    try:
        route = driver.get(f"/me/route/work?date={web_site.van_day}").json()
        # A stop whose crates hold only its own copies: scanning a crate takes every copy in
        # it, and a crate shared with a later stop would mark that stop scanned too.
        stop = next(
            s
            for s in route["stops"]
            if s["type"] == "pickup"
            and s["transfer_ids"]
            and all(c["here"] == c["copies"] for c in s["crates"])
        )
        for transfer_id in stop["transfer_ids"]:
            barcode = admin.get(f"/transfers/{transfer_id}").json()["barcode"]
            scan = {"barcode": barcode, "site_code": stop["site_code"]}
            answer = admin.post("/transfers/pickup", json=scan)
            assert answer.status_code == 200, answer.text
    finally:
        driver.close()
        admin.close()
    late = datetime.combine(web_site.van_day, time()) + timedelta(
        seconds=stop["service_start"] + 7200
    )
    engine = create_engine(web_site.database_url)
    try:
        with session_factory(engine)() as session:
            session.execute(
                update(Transfer)
                .where(Transfer.id.in_(stop["transfer_ids"]))
                .values(picked_up_at=late)
            )
            session.commit()
    finally:
        engine.dispose()
    return route, stop


def test_during_the_day_the_drivers_scans_are_set_against_the_plan(
    page: Any, web_site: WebSite
) -> None:
    route, stop = _scan_a_pickup_two_hours_late(web_site)
    _open_console(page, web_site)
    scanned = page.locator(f"li.stop[data-stop='{stop['id']}']")
    scanned.wait_for()
    assert "day-done" in str(scanned.get_attribute("class"))
    assert "晚 120 分钟" in scanned.locator(".day-line").inner_text()
    van = page.locator(f"section.route[aria-label='{route['van']}']")
    assert "延误 120 分钟" in van.locator(".van-progress").inner_text()
    at_risk = van.locator("li.stop.day-risk")
    assert at_risk.count() > 0  # stops pushed past their site's closing (a lunch closure)
    assert "有风险" in at_risk.first.locator(".day-line").inner_text()
    screenshot(page, "console_day")


def test_the_console_switches_to_english(page: Any, web_site: WebSite) -> None:
    _open_console(page, web_site)
    page.click("#lang-switch")
    page.wait_for_url("**lang=en")
    page.wait_for_selector("body[data-ready=true]", timeout=SLOW)
    assert page.locator("h1").inner_text() == "Dispatch console"
    assert page.locator("#plan-button").inner_text() == "Plan the day"
    assert "Timeline per van" in page.locator("#timeline-title").inner_text()
    screenshot(page, "console_en")


def test_a_planner_sees_the_console_read_only(page: Any, web_site: WebSite) -> None:
    _open_console(page, web_site, role="planner")
    assert page.locator("#read-only").is_visible()
    assert page.locator("#plan-button").is_hidden()
    assert page.locator("#replan-button").is_hidden()
    assert page.locator("li.stop[draggable]").count() == 0
    assert page.locator("details.move").count() == 0
    boxes = page.locator(".lock-box")
    assert boxes.count() > 0 and all(boxes.nth(i).is_disabled() for i in range(3))
    assert page.locator("path.route-line").count() >= 1
    assert_accessible(page, context="console, a planner")
    screenshot(page, "console_planner")


def test_the_rest_of_the_day_is_replanned_from_where_the_vans_are(
    page: Any, web_site: WebSite
) -> None:
    """With copies on a van, the re-plan from the depot is refused; the rest of the day is
    planned from the van's last scan: the stop scanned stays first, the rest after it."""
    route, stop = _scan_a_pickup_two_hours_late(web_site)
    before = _plan_in_force(web_site)
    _open_console(page, web_site)
    page.click("#replan-button")
    page.wait_for_selector("#console-error:has-text('在途')", timeout=SLOW)
    page.click("#replan-now-button")
    page.wait_for_selector("#diff:not([hidden])", timeout=SLOW)
    screenshot(page, "console_rest_of_day")
    page.click("#accept-button")
    page.wait_for_selector("#console-message:has-text('已采用')", timeout=SLOW)
    after = _plan_in_force(web_site)
    assert after["parent_id"] == before["id"]
    (van,) = [r for r in after["routes"] if r["van"] == route["van"]]
    work = [s for s in van["stops"] if s["type"] in ("pickup", "delivery")]
    worked = work[0]
    assert (worked["type"], worked["site_code"]) == ("pickup", stop["site_code"])
    assert set(worked["transfer_ids"]) == set(stop["transfer_ids"])
    # from the scan, two hours late: every later stop after it
    assert all(s["arrival"] >= stop["service_start"] + 7200 for s in work[1:])
    # each copy on board is dropped by this van, or said to stay on board with a reason
    dropped = {t for s in work[1:] if s["type"] == "delivery" for t in s["transfer_ids"]}
    left = {t for u in after["unplanned"] for t in u["transfer_ids"]}
    assert set(stop["transfer_ids"]) <= dropped | left
    # in the plan now in force the late stop is as it happened: on time, and its delay is
    # not carried on to the stops planned after it
    scanned = page.locator(f"li.stop[data-stop='{worked['id']}']")
    scanned.locator(".day-line").filter(has_text="准时").wait_for()
    lane = page.locator(f"section.route[aria-label='{route['van']}']")
    assert lane.locator("li.stop.day-risk").count() == 0
    screenshot(page, "console_rest_of_day_accepted")
