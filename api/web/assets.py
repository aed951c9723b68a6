"""Where the pages' files are served from: our own static folder and the npm packages."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from settings import WebSettings

__all__ = ["STATIC_DIR", "VENDOR_PACKAGES", "WEB_FONT_STYLESHEETS", "install_web"]

STATIC_DIR = Path(__file__).with_name("static")

VENDOR_PACKAGES: dict[str, str] = {
    "leaflet": "leaflet/dist",
    "jsqr": "jsqr/dist",
    "axe-core": "axe-core",
    "noto-sans-sc": "@fontsource/noto-sans-sc",
}
"""URL name under ``/ui/vendor/`` → folder inside ``node_modules`` (``package.json``'s pins)."""

WEB_FONT_STYLESHEETS = (
    "/ui/vendor/noto-sans-sc/400.css",
    "/ui/vendor/noto-sans-sc/700.css",
)
"""Noto Sans SC, regular and bold, served by shuyun: the pages read the same on a desk PC or
a phone with no Chinese font of its own. Fontsource cuts each weight into ~100 files by
``unicode-range``, so a browser fetches only the slices a page's characters fall in."""


def install_web(app: FastAPI, web: WebSettings) -> None:
    """Add the pages and their assets to ``app``.

    A missing ``node_modules`` does not stop the service (the API works without it); the pages
    say so, and ``/ui/vendor/...`` answers 404.
    """
    from api.web import console, desk, driver, kpis_page, pages, route_paths, streets

    app.state.web_assets_installed = (web.vendor_dir / "leaflet").is_dir()
    fonts_installed = (web.vendor_dir / VENDOR_PACKAGES["noto-sans-sc"]).is_dir()
    app.state.web_fonts = WEB_FONT_STYLESHEETS if fonts_installed else ()
    # One router per page module; a new page adds its module here.
    for module in (pages, driver, desk, kpis_page, console, streets, route_paths):
        app.include_router(module.router)
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")
    for name, folder in VENDOR_PACKAGES.items():
        app.mount(
            f"/ui/vendor/{name}",
            StaticFiles(directory=web.vendor_dir / folder, check_dir=False),
            name=f"ui-vendor-{name}",
        )
