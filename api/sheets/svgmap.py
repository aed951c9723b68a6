"""The route map of a sheet as SVG, drawn on the server (the PDF runs no JavaScript).

The streets around the route (from the street graph, major roads wider and named), the
route along the streets, and the stops numbered as on the sheet, coloured by kind; the
"© OpenStreetMap contributors" credit in the corner, as the street data's licence asks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

from api.sheets.streets import StreetLine

__all__ = ["MapStop", "bbox_of", "route_map_svg"]

KIND_COLOUR = {"central": "#b03a2e", "branch": "#1e8449", "service_point": "#ca6f1e"}
ROUTE_COLOUR = "#1f5fa8"
FONT = "Noto Sans CJK SC"
"""One family, unquoted: WeasyPrint's SVG passes the attribute to fontconfig as it is."""

MapStop = tuple[str, str, float, float]
"""``(label, site kind, lon, lat)`` of a numbered stop."""


def bbox_of(
    points: Sequence[tuple[float, float]], *, margin: float = 0.12, least: float = 0.004
) -> tuple[float, float, float, float]:
    """``(lon0, lat0, lon1, lat1)`` around ``points`` with a margin (a share of the span, at
    least ``least`` degrees)."""
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    dx = max(max(lons) - min(lons), least) * margin + least / 2
    dy = max(max(lats) - min(lats), least) * margin + least / 2
    return min(lons) - dx, min(lats) - dy, max(lons) + dx, max(lats) + dy


def route_map_svg(
    streets: Sequence[StreetLine],
    route: Sequence[Sequence[tuple[float, float]]],
    stops: Sequence[MapStop],
    bbox: tuple[float, float, float, float],
    *,
    width: int = 640,
    title: str = "线路图 route map",
) -> str:
    """The map as one ``<svg>`` element (scales to its container's width).

    Parameters
    ----------
    streets
        Street lines to draw under the route (:func:`api.sheets.streets.street_lines`).
    route
        The legs' polylines, [lon, lat].
    stops
        Numbered stops, drawn in order (a later one on top).
    bbox
        ``(lon0, lat0, lon1, lat1)`` shown; widened to the map's aspect.
    """
    lon0, lat0, lon1, lat1 = bbox
    k = math.cos(math.radians((lat0 + lat1) / 2))  # degrees of lon are shorter
    span_x, span_y = (lon1 - lon0) * k, lat1 - lat0
    height = round(min(max(width * span_y / span_x, width * 0.5), width * 1.1))
    if span_x / span_y < width / height:  # widen to the aspect, about the middle
        grow = (span_y * width / height - span_x) / k / 2
        lon0, lon1 = lon0 - grow, lon1 + grow
    else:
        grow = (span_x * height / width - span_y) / 2
        lat0, lat1 = lat0 - grow, lat1 + grow
    sx = width / (lon1 - lon0)
    sy = height / (lat1 - lat0)

    def xy(p: tuple[float, float]) -> str:
        return f"{(p[0] - lon0) * sx:.1f},{(lat1 - p[1]) * sy:.1f}"

    def points(line: Sequence[tuple[float, float]]) -> str:
        return " ".join(xy(p) for p in line)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="route-map" viewBox="0 0 {width} '
        f'{height}" width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#f7f5f0"/>',
    ]
    for rank, (w, colour) in enumerate((("1.2", "#dedbd3"), ("2", "#d2cec4"), ("4", "#e9d8a6"))):
        # one path per rank: a few elements print much faster than thousands of polylines
        pieces = [_path(line.coordinates, xy) for line in streets if line.rank == rank]
        if pieces:
            out.append(
                f'<path d="{" ".join(pieces)}" fill="none" stroke="{colour}" '
                f'stroke-width="{w}" stroke-linecap="round" stroke-linejoin="round"/>'
            )
    out += _street_names(streets, xy, width, height)
    for leg in route:
        if len(leg) >= 2:
            out.append(
                f'<polyline points="{points(leg)}" fill="none" stroke="{ROUTE_COLOUR}" '
                'stroke-width="3.5" stroke-opacity="0.85" stroke-linecap="round" '
                'stroke-linejoin="round"/>'
            )
    for label, kind, lon, lat in stops:
        x, y = ((lon - lon0) * sx, (lat1 - lat) * sy)
        colour = KIND_COLOUR.get(kind, "#555")
        if len(label) > 2:  # a site visited twice: "1,3"
            wide = 8 + 6.5 * len(label)
            out.append(
                f'<rect x="{x - wide / 2:.1f}" y="{y - 10:.1f}" width="{wide:.1f}" height="20" '
                f'rx="{3 if kind == "central" else 10}" fill="{colour}" stroke="#fff" '
                'stroke-width="1.5"/>'
            )
        elif kind == "central":
            out.append(
                f'<rect x="{x - 10:.1f}" y="{y - 10:.1f}" width="20" height="20" rx="3" '
                f'fill="{colour}" stroke="#fff" stroke-width="1.5"/>'
            )
        else:
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="10" fill="{colour}" stroke="#fff" '
                'stroke-width="1.5"/>'
            )
        out.append(
            f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="11" font-weight="bold" '
            f'text-anchor="middle" fill="#fff">{escape(label)}</text>'
        )
    credit = "© OpenStreetMap contributors"
    out += [
        f'<rect x="{width - 178}" y="{height - 18}" width="178" height="18" fill="#fff" '
        'fill-opacity="0.85"/>',
        f'<text x="{width - 6}" y="{height - 5}" font-size="11" text-anchor="end" '
        f'fill="#333">{credit}</text>',
        "</svg>",
    ]
    return "\n".join(out)


def _path(line: Sequence[tuple[float, float]], xy: Callable[[tuple[float, float]], str]) -> str:
    """``M x,y L x,y ...`` of a line, points that fall on the same tenth of a pixel dropped."""
    points: list[str] = []
    for p in line:
        here = xy(p)
        if not points or points[-1] != here:
            points.append(here)
    return "M" + " L".join(points)


def _street_names(
    streets: Sequence[StreetLine],
    xy: Callable[[tuple[float, float]], str],
    width: int,
    height: int,
) -> list[str]:
    """One label per named major street: at the middle of its longest piece in view."""
    best: dict[str, tuple[float, tuple[float, float]]] = {}
    for line in streets:
        if line.rank < 2 or not line.name:
            continue
        c = line.coordinates
        length = sum(math.dist(c[i], c[i + 1]) for i in range(len(c) - 1))
        if length > best.get(line.name, (0.0, (0.0, 0.0)))[0]:
            best[line.name] = (length, c[len(c) // 2])
    out = []
    for name, (_, middle) in sorted(best.items(), key=lambda kv: -kv[1][0])[:12]:
        x, y = (float(v) for v in xy(middle).split(","))
        if not (30 < x < width - 30 and 12 < y < height - 24):
            continue
        text = escape(name)
        for extra in ('stroke="#fff" stroke-width="3" fill="#fff"', 'fill="#6b5d3a"'):
            out.append(
                f'<text x="{x:.1f}" y="{y:.1f}" font-size="10" text-anchor="middle" '
                f"{extra}>{text}</text>"
            )
    return out
