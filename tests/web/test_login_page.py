"""Signing in through the browser: every role lands on its own page; a wrong password is told;
the language switch is remembered; the sign-in page passes axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import ROLES, WebSite, assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.slow

LANDING = {
    "dispatcher": "/ui/console",
    "admin": "/ui/console",
    "planner": "/ui/console",
    "driver": "/ui/driver",
    "branch_staff": "/ui/desk",
}


def test_sign_in_page_is_chinese_first_credits_osm_and_passes_axe(page: Any) -> None:
    page.goto("/ui/login")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "登录书运"
    assert "© OpenStreetMap contributors" in page.locator("footer").inner_text()
    assert_accessible(page, context="sign-in page")
    screenshot(page, "login_zh")


def test_wrong_password_is_told_and_stays_on_the_sign_in_page(page: Any, web_site: WebSite) -> None:
    page.goto("/ui/login")
    page.fill("#username", web_site.username("dispatcher"))
    page.fill("#password", "not-the-password")
    page.click("#login-form button[type=submit]")
    alert = page.locator("#login-error")
    alert.filter(has_text="用户名或密码错误").wait_for()
    assert "/ui/login" in page.url


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lands_on_its_own_page(page: Any, web_site: WebSite, role: str) -> None:
    sign_in(page, web_site, role)
    assert page.url.endswith(LANDING[role])
    token = page.evaluate("() => JSON.parse(localStorage.getItem('shuyun.token')).access_token")
    assert token


def test_language_switch_is_remembered(page: Any) -> None:
    page.goto("/ui/login")
    page.click("#lang-switch")
    page.wait_for_url("**lang=en")
    assert page.locator("h1").inner_text() == "Sign in to shuyun"
    page.goto("/ui/login")  # no ?lang= any more: the cookie remembers
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#lang-switch").inner_text() == "中文"
    screenshot(page, "login_en")


def test_next_page_must_be_our_own(page: Any, web_site: WebSite) -> None:
    page.goto("/ui/login?next=https://example.org/ui/x")
    assert page.locator("#login-form").get_attribute("data-next") == ""
    sign_in(page, web_site, "driver", next_path="/ui/driver")
    assert page.url.endswith("/ui/driver")


@pytest.mark.parametrize("role", ["dispatcher", "driver", "branch_staff"])
def test_every_asset_comes_from_shuyun_the_chinese_font_too(
    page: Any, web_site: WebSite, role: str
) -> None:
    # A district intranet has no internet: a page that asked another host for a script, a
    # tile or a font would stall or fall back there, so every request must be to shuyun.
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    sign_in(page, web_site, role)
    page.wait_for_load_state("networkidle")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    elsewhere = [url for url in asked if not url.startswith((web_site.base_url, "data:"))]
    assert not elsewhere, f"requests that left shuyun: {elsewhere}"
    fonts = [url for url in asked if "/ui/vendor/noto-sans-sc/files/" in url]
    assert fonts and all(url.endswith(".woff2") for url in fonts), fonts
    # The page's own Chinese is set in the font shuyun served, not one the machine happens to
    # have: Chromium lists it as loaded for the heading's characters.
    heading = page.locator("h1").first.inner_text()
    loaded = page.evaluate(
        """(text) => [...document.fonts].some(
            (face) => face.family.replace(/["']/g, '') === 'Noto Sans SC'
              && face.status === 'loaded')""",
        heading,
    )
    assert loaded, f"no Noto Sans SC face loaded for {heading!r}"
    screenshot(page, f"served_font_{role}")
