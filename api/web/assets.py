"""Where the pages' files are served from: our own static folder and the npm packages."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from settings import WebSettings

__all__ = ["STATIC_DIR", "VENDOR_PACKAGES", "install_web"]

STATIC_DIR = Path(__file__).with_name("static")

VENDOR_PACKAGES: dict[str, str] = {
    "leaflet": "leaflet/dist",
    "jsqr": "jsqr/dist",
    "axe-core": "axe-core",
}
"""URL name under ``/ui/vendor/`` → folder inside ``node_modules`` (``package.json``'s pins)."""


def install_web(app: FastAPI, web: WebSettings) -> None:
    """Add the pages and their assets to ``app``.

    A missing ``node_modules`` does not stop the service (the API works without it); the pages
    say so, and ``/ui/vendor/...`` answers 404.
    """
    from api.web import desk, driver, kpis_page, pages

    app.state.web_assets_installed = (web.vendor_dir / "leaflet").is_dir()
    # One router per page module; a new page adds its module here.
    for module in (pages, driver, desk, kpis_page):
        app.include_router(module.router)
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")
    for name, folder in VENDOR_PACKAGES.items():
        app.mount(
            f"/ui/vendor/{name}",
            StaticFiles(directory=web.vendor_dir / folder, check_dir=False),
            name=f"ui-vendor-{name}",
        )
