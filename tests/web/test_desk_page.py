"""The branch desk as the demo's branch staff (branch-001): a return at its home stays on the
shelf here, one that belongs elsewhere goes into the crate for its home, one that fills a hold
here goes onto the hold shelf with its slip (the card's last four digits only); a hold placed
for a reader shows its expected pickup date and is cancelled; a crate received here is checked
copy by copy, a missing and an extra copy flagged; the page switches to English; axe-core
passes.

The items come from the demo's own data (read from its database), and the module has a demo
day of its own, since it checks in, places holds and receives crates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from conftest import WebSite, assert_accessible, screenshot, served_demo, sign_in
from sqlalchemy import ColumnElement, Engine, exists, func, select
from sqlalchemy.orm import Session, aliased

from catalog.db import create_engine, session_factory
from catalog.models import Hold, HoldStatus, Item, ItemStatus, Patron, Record, Site

pytestmark = pytest.mark.slow

DESK = "branch-001"
"""The demo's branch-staff account works here."""


@pytest.fixture(scope="module")
def web_site(tmp_path_factory: pytest.TempPathFactory, beilin_dir: Path) -> Iterator[WebSite]:
    """A demo day of this module's own: its returns, holds and crates change the day."""
    with served_demo(tmp_path_factory.mktemp("desk"), beilin_dir) as site:
        yield site


@pytest.fixture(scope="module")
def engine(web_site: WebSite) -> Iterator[Engine]:
    made = create_engine(web_site.database_url)
    yield made
    made.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session on the served demo's database, for choosing items (read only; one per test,
    so that it sees what the earlier tests did through the service)."""
    with session_factory(engine)() as session:
        yield session


def _site_id(db: Session, code: str) -> int:
    site_id = db.scalar(select(Site.id).where(Site.code == code))
    assert site_id is not None
    return site_id


def _no_waiting_hold() -> ColumnElement[bool]:
    return ~exists().where(Hold.record_id == Item.record_id, Hold.status == HoldStatus.waiting)


def lent_items(db: Session, *, home: str, home_here: bool, count: int) -> list[tuple[str, str]]:
    """``count`` lent copies (barcode, home site code) that go home when returned (no waiting
    hold on their record, not floating), at home at ``home`` or (``home_here`` false) not."""
    desk = _site_id(db, home)
    at_home = Item.home_site_id == desk if home_here else Item.home_site_id != desk
    rows = db.execute(
        select(Item.barcode, Site.code)
        .join(Site, Site.id == Item.home_site_id)
        .where(Item.status == ItemStatus.on_loan, ~Item.floating, at_home, _no_waiting_hold())
        .order_by(Item.id)
        .limit(count)
    ).all()
    assert len(rows) == count, f"the demo has fewer than {count} such lent copies"
    return [(str(b), str(c)) for b, c in rows]


def record_all_lent(db: Session) -> tuple[int, str]:
    """A record whose every copy is lent (a hold on it waits) and none waiting: (id, barcode)."""
    other = aliased(Item)
    free = exists().where(other.record_id == Item.record_id, other.status != ItemStatus.on_loan)
    row = db.execute(
        select(Item.record_id, Item.barcode)
        .where(Item.status == ItemStatus.on_loan, ~Item.floating, ~free, _no_waiting_hold())
        .order_by(Item.id)
        .limit(1)
    ).first()
    assert row is not None, "the demo has no record with every copy lent"
    return int(row[0]), str(row[1])


def record_with_free_copy(db: Session) -> tuple[int, str]:
    """A record with a unique title, a copy on a shelf elsewhere and none here (a hold on it
    waits for a van, so its expected date is ahead): (id, title)."""
    unique = select(Record.title).group_by(Record.title).having(func.count() == 1)
    desk = _site_id(db, DESK)
    row = db.execute(
        select(Record.id, Record.title)
        .where(
            Record.title.in_(unique),
            exists().where(Item.record_id == Record.id, Item.status == ItemStatus.available),
            ~exists().where(Item.record_id == Record.id, Item.current_site_id == desk),
            func.length(Record.title) >= 4,
        )
        .order_by(Record.id)
        .limit(1)
    ).first()
    assert row is not None
    return int(row[0]), str(row[1])


def a_card(db: Session) -> str:
    card = db.scalar(select(Patron.card_number).order_by(Patron.id).limit(1))
    assert card is not None
    return str(card)


def check_in(page: Any, barcode: str) -> Any:
    page.fill("#return-barcode", barcode)
    page.click("#return-form button[type=submit]")
    verdict = page.locator(f"#return-result .verdict:has-text('{barcode}')")
    verdict.wait_for()
    return verdict


def site_name(web_site: WebSite, code: str) -> str:
    with closing(web_site.client("admin")) as admin:
        return str(admin.get(f"/sites/{code}").json()["name_zh"])


def test_a_return_that_belongs_elsewhere_goes_into_its_crate(
    page: Any, web_site: WebSite, db: Session
) -> None:
    ((barcode, home),) = lent_items(db, home=DESK, home_here=False, count=1)
    sign_in(page, web_site, "branch_staff")
    assert page.url.endswith("/ui/desk")
    page.locator("#site-fixed").filter(has_text=DESK).wait_for()
    verdict = check_in(page, barcode)
    assert verdict.get_attribute("data-next") == "transfer"
    text = verdict.inner_text()
    crate = re.search(r"周转箱 (CR\d{6})", text)
    assert crate, text
    assert site_name(web_site, home) in text and home in text
    with closing(web_site.client("admin")) as admin:
        item = admin.get(f"/items/{barcode}").json()
        packed = admin.get(f"/crates/{crate.group(1)}").json()
    assert item["next_site_code"] == home
    assert packed["destination_site_code"] == home and packed["origin_site_code"] == DESK
    assert barcode in {i["barcode"] for i in packed["items"]}
    screenshot(page, "desk_return_to_crate")


def test_a_return_at_its_home_stays_here_on_the_shelf(
    page: Any, web_site: WebSite, db: Session
) -> None:
    ((barcode, _home),) = lent_items(db, home=DESK, home_here=True, count=1)
    sign_in(page, web_site, "branch_staff")
    verdict = check_in(page, barcode)
    assert verdict.get_attribute("data-next") == "shelf"
    text = verdict.inner_text()
    assert "放回本馆书架" in text and "周转箱" not in text
    with closing(web_site.client("admin")) as admin:
        item = admin.get(f"/items/{barcode}").json()
    assert item["status"] == "available" and item["current_site_code"] == DESK
    assert item["next_site_code"] is None
    screenshot(page, "desk_return_stays_here")


def test_a_return_that_fills_a_hold_here_goes_on_the_hold_shelf_with_its_slip(
    page: Any, web_site: WebSite, db: Session
) -> None:
    record_id, barcode = record_all_lent(db)
    card = a_card(db)
    with closing(web_site.client("branch_staff")) as desk:
        placed = desk.post(
            "/holds", json={"card_number": card, "record_id": record_id, "pickup_site_code": DESK}
        )
    assert placed.status_code == 201, placed.text
    hold = placed.json()
    assert hold["status"] == "waiting"
    sign_in(page, web_site, "branch_staff")
    verdict = check_in(page, barcode)
    assert verdict.get_attribute("data-next") == "hold_shelf"
    text = verdict.inner_text()
    assert "预约书架" in text and f"预约 {hold['id']}" in text
    assert f"读者证尾号 {card[-4:]}" in text
    assert card not in page.content()  # the card only by its last four digits
    with closing(web_site.client("admin")) as admin:
        assert admin.get(f"/holds/{hold['id']}").json()["status"] == "ready"
    screenshot(page, "desk_return_fills_hold")


def test_a_hold_is_placed_with_its_expected_date_and_cancelled(
    page: Any, web_site: WebSite, db: Session
) -> None:
    record_id, title = record_with_free_copy(db)
    card = a_card(db)
    sign_in(page, web_site, "branch_staff")
    page.locator("#site-fixed").filter(has_text=DESK).wait_for()
    page.fill("#hold-card", card)
    page.fill("#hold-q", title)
    page.click("#search-form button[type=submit]")
    page.click(f"[data-place='{record_id}']")
    note = page.locator("#hold-note").filter(has_text="已预约")
    note.wait_for()
    hold_id = int(re.search(r"预约 (\d+)", note.inner_text()).group(1))  # type: ignore[union-attr]
    row = page.locator(f"#holds [data-hold='{hold_id}']")
    with closing(web_site.client("admin")) as admin:
        hold = admin.get(f"/holds/{hold_id}").json()
    assert hold["record_id"] == record_id and hold["pickup_site_code"] == DESK
    assert hold["expected_on"], hold  # a copy is free: the date is known
    assert f"预计到馆日期：{hold['expected_on']}" in row.inner_text()
    assert f"读者证尾号 {card[-4:]}" in row.inner_text()
    assert page.locator("#hold-card").input_value() == ""  # the card is not kept
    assert card not in page.content()
    screenshot(page, "desk_hold_placed")
    page.click(f"[data-cancel='{hold_id}']")
    page.locator(f"#holds [data-hold='{hold_id}'][data-status='cancelled']").wait_for()
    with closing(web_site.client("admin")) as admin:
        assert admin.get(f"/holds/{hold_id}").json()["status"] == "cancelled"
    screenshot(page, "desk_hold_cancelled")


def test_a_crate_is_received_and_a_missing_and_an_extra_copy_flagged(
    page: Any, web_site: WebSite, db: Session
) -> None:
    # Two copies at home here, returned at the central library: one crate for this desk.
    (first, _), (second, _) = lent_items(db, home=DESK, home_here=True, count=2)
    with closing(web_site.client("admin")) as admin:
        crates = set()
        for barcode in (first, second):
            answer = admin.post("/returns", json={"barcode": barcode, "site_code": "central"})
            assert answer.status_code == 200, answer.text
            crates.add(answer.json()["crate_id"])
        (crate_id,) = crates
        taken = admin.post(f"/crates/{crate_id}/pickup", json={"site_code": "central"})
        assert taken.status_code == 200, taken.text
        contents = {i["barcode"] for i in taken.json()["items"]}
    assert {first, second} <= contents
    extra = db.scalar(select(Item.barcode).where(Item.barcode.not_in(contents)).limit(1))
    assert extra is not None
    sign_in(page, web_site, "branch_staff")
    page.locator("#site-fixed").filter(has_text=DESK).wait_for()
    page.fill("#crate-code", crate_id)
    page.click("#crate-form button[type=submit]")
    page.locator("#crate-note").filter(has_text=f"周转箱 {crate_id} 已送达本馆").wait_for()
    page.fill("#copy-barcode", first)
    page.click("#copy-form button[type=submit]")
    page.locator(f"#crate-items [data-barcode='{first}'][data-state='checked']").wait_for()
    page.fill("#copy-barcode", extra)
    page.click("#copy-form button[type=submit]")
    page.locator(f"#extras [data-extra='{extra}']").wait_for()  # flagged at once
    assert "多出" in page.locator("#copy-note").inner_text()
    page.click("#finish-check")
    page.locator(f"#crate-items [data-barcode='{second}'][data-state='missing']").wait_for()
    assert "缺失" in page.locator("#copy-note").inner_text()
    assert second in page.locator("#copy-note").inner_text()
    with closing(web_site.client("admin")) as admin:
        assert admin.get(f"/crates/{crate_id}").json()["status"] == "delivered"
    assert_accessible(page, context="desk page with a crate checked")
    screenshot(page, "desk_crate_checked")


def test_the_desk_switches_to_english_and_passes_axe(page: Any, web_site: WebSite) -> None:
    sign_in(page, web_site, "branch_staff")
    page.locator("#site-fixed").filter(has_text=DESK).wait_for()
    assert page.locator("h1").inner_text() == "服务台"
    assert_accessible(page, context="desk page")
    screenshot(page, "desk_zh")
    page.click("#lang-switch")
    page.wait_for_url("**lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Branch desk"
    page.locator("#site-fixed").filter(has_text="Site:").wait_for()
    assert page.locator("#return-h").inner_text() == "Check in a return"
    assert_accessible(page, context="desk page in English")
    screenshot(page, "desk_en")


def test_an_admin_chooses_the_site(page: Any, web_site: WebSite) -> None:
    sign_in(page, web_site, "admin", next_path="/ui/desk")
    select = page.locator("#site")
    select.wait_for()
    page.wait_for_function("() => document.querySelectorAll('#site option').length > 30")
    select.select_option("central")
    page.fill("#return-barcode", "NO-SUCH-BARCODE")
    page.click("#return-form button[type=submit]")
    page.locator("#return-result [role='alert']").filter(has_text="NO-SUCH-BARCODE").wait_for()
