"""Route sheets and crate labels drawn: HTML (phones, readable at 360 px) and PDF (WeasyPrint).

One template per paper: ``route_sheet.html.j2`` (the phone's page and, printed, the A4
sheet) and ``labels.html.j2`` (A6, one crate a page). Everything a page needs is inline
(styles, the map's SVG, the QR codes), so a sheet opened as a file or a blob shows whole.
The PDF's Chinese is set in Debian's Noto Sans CJK (``fonts-noto-cjk``), found by
WeasyPrint through fontconfig under the family name the templates' CSS gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from api.sheets.model import KIND_EN, KIND_ZH, Label, RouteSheet

__all__ = ["clock", "html_to_pdf", "labels_html", "labels_pdf", "sheet_html", "sheet_pdf"]


def clock(seconds: int) -> str:
    """Seconds since midnight as ``HH:MM`` (past midnight: ``+1 HH:MM``)."""
    day, rest = divmod(int(seconds), 86_400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return f"+{day} {text}" if day else text


def hours(intervals: Sequence[tuple[int, int]]) -> str:
    """Opening intervals as ``08:00–12:00、14:00–18:00``."""
    return "、".join(f"{clock(a)}–{clock(b)}" for a, b in intervals)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("api", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = clock
    env.filters["hours"] = hours
    env.filters["km"] = lambda metres: f"{metres / 1000:.1f}"
    env.filters["minutes"] = lambda seconds: f"{round(seconds / 60)}"
    env.globals.update(KIND_ZH=KIND_ZH, KIND_EN=KIND_EN)
    return env


def sheet_html(sheet: RouteSheet, *, web_fonts: Sequence[str] = ()) -> str:
    """The route sheet as one self-contained HTML page (zh-CN first, English second).

    ``web_fonts``: stylesheets of the fonts shuyun serves, for the page a phone reads from
    the service (a sheet opened as a file, or printed, falls back to the fonts at hand).
    """
    template = _environment().get_template("route_sheet.html.j2")
    return template.render(sheet=sheet, web_fonts=web_fonts)


def labels_html(labels: Sequence[Label]) -> str:
    """The crate labels as one HTML document, one A6 page per crate when printed."""
    return _environment().get_template("labels.html.j2").render(labels=labels)


def html_to_pdf(html: str) -> bytes:
    """Print ``html`` to PDF with WeasyPrint (its own page sizes from the CSS ``@page``)."""
    from weasyprint import HTML  # imported when printing: it loads Pango and fontconfig

    return bytes(HTML(string=html).write_pdf())


def sheet_pdf(sheet: RouteSheet) -> bytes:
    """The route sheet as an A4 PDF."""
    return html_to_pdf(sheet_html(sheet))


def labels_pdf(labels: Sequence[Label]) -> bytes:
    """The crate labels as a PDF of A6 pages, one per crate."""
    return html_to_pdf(labels_html(labels))
