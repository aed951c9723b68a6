"""The browser tests' world: the demo day served by a real ``shuyun serve`` (uvicorn and its
plan worker) on loopback, and Debian's Chromium driven by Playwright.

One browser per session and one server per session for read-mostly tests (the demo day takes
~30 s to build; a module that changes the day a lot takes its own, see :func:`served_demo`);
each test gets a fresh browser context (its own storage, so its own sign-in). Accounts are the
demo's, one per role, given a known password here. Screenshots go to ``out/screenshots/`` (the
artefacts of a run); :func:`assert_accessible` runs axe-core (installed by npm at setup).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from catalog.clock import library_today
from catalog.db import create_engine, session_factory
from catalog.models import User
from catalog.users import hash_password

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "out" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("SHUYUN_CHROMIUM", "/usr/bin/chromium"))
SECRET = "web-tests-signing-key-0123456789-abcdefgh"
PASSWORD = "web-tests-password-1"
ROLES = ("dispatcher", "driver", "branch_staff", "planner", "admin")


@dataclass(frozen=True)
class WebSite:
    """The served demo day: where it answers and who may sign in."""

    base_url: str
    database_url: str
    out_dir: Path
    log: Path
    van_day: date
    """The day the demo's vans drive (``shuyun demo --date``: tomorrow when it was built)."""

    def username(self, role: str) -> str:
        return f"demo-{role}"

    def client(self, role: str) -> httpx.Client:
        """An API client signed in as ``role`` (for setting up or checking what a page did)."""
        client = httpx.Client(base_url=self.base_url, timeout=30)
        answer = client.post(
            "/auth/token", data={"username": self.username(role), "password": PASSWORD}
        )
        answer.raise_for_status()
        client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        return client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _environment(database_url: str, beilin_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "SHUYUN_DATABASE_URL": database_url,
        "SHUYUN_AUTH__SECRET_KEY": SECRET,
        "SHUYUN_DATA_DIR": str(beilin_dir),
        "SHUYUN_SOLVER__HEARTBEAT_SECONDS": "0.5",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("SHUYUN_DATABASE__URL", None)
    return env


def _known_passwords(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with session_factory(engine)() as session:
            for user in session.scalars(select(User).where(User.username.like("demo-%"))):
                user.password_hash = hash_password(PASSWORD)
            session.commit()
    finally:
        engine.dispose()


def _wait_until_up(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"shuyun serve stopped: {log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"shuyun serve did not answer in 90 s: {log.read_text()[-3000:]}")


@contextmanager
def served_demo(root: Path, beilin_dir: Path) -> Iterator[WebSite]:
    """``shuyun demo --no-serve`` into a new database under ``root``, then ``shuyun serve``
    on it until the block ends. A test module that changes the day a lot (plans, moves,
    scans) overrides ``web_site`` with its own module-scoped one made by this."""
    database_url = f"sqlite:///{root / 'web.sqlite'}"
    env = _environment(database_url, beilin_dir)
    out_dir = root / "demo"
    van_day = library_today() + timedelta(days=1)
    demo = ["demo", "--no-serve", "--out", str(out_dir), "--time-limit", "5"]
    demo += ["--date", van_day.isoformat()]
    subprocess.run(
        [sys.executable, "-m", "api.cli", *demo],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    _known_passwords(database_url)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = root / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_up(base_url, server, log)
        yield WebSite(base_url, database_url, out_dir, log, van_day)
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


@pytest.fixture(scope="session")
def web_site(tmp_path_factory: pytest.TempPathFactory, beilin_dir: Path) -> Iterator[WebSite]:
    """The demo day served once for the session's read-mostly tests (see :func:`served_demo`)."""
    with served_demo(tmp_path_factory.mktemp("web"), beilin_dir) as site:
        yield site


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless (Playwright's own browser download is not used)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (scripts/system_packages.sh installs chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=args
        )
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def _page_in_zone(browser: Any, web_site: WebSite, zone: str) -> Iterator[Any]:
    context = browser.new_context(
        base_url=web_site.base_url,
        locale="zh-CN",
        timezone_id=zone,
        viewport={"width": 1280, "height": 900},
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


@pytest.fixture
def page(browser: Any, web_site: WebSite) -> Iterator[Any]:
    """A new browser context and page on the served site, the browser in Xi'an; script
    errors fail the test."""
    with _page_in_zone(browser, web_site, "Asia/Shanghai") as page:
        yield page


@pytest.fixture
def page_far_from_xian(browser: Any, web_site: WebSite) -> Iterator[Any]:
    """As :func:`page`, the browser's machine set to Los Angeles (16 hours behind Xi'an): the
    pages' "today" must still be the library's."""
    with _page_in_zone(browser, web_site, "America/Los_Angeles") as page:
        yield page


def sign_in(page: Any, web_site: WebSite, role: str, *, next_path: str = "") -> None:
    """Sign in through the sign-in page as the demo account of ``role``."""
    address = "/ui/login" + (f"?next={next_path}" if next_path else "")
    page.goto(address)
    page.fill("#username", web_site.username(role))
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(lambda url: "/ui/login" not in url)


def screenshot(page: Any, name: str) -> Path:
    """Save the page as ``out/screenshots/NAME.png`` (the run's artefacts) and say where."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page: Any, *, context: str = "") -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in serious
    ]
    assert not serious, f"axe-core {context}: " + "; ".join(lines)
