"""Route sheets (路单) for drivers: one HTML page per van, zh-CN first, English second.

A route sheet lists the van's stops with times and crates, the turn-by-turn
directions of every leg and a small map drawn from the street geometry. It never
shows patron data (a hold travels by its transfer id only). Every page credits
© OpenStreetMap contributors (ODbL), as the street data requires.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from dispatch import Leg
from dispatch.reasons import REASONS
from optimizer import Result, Route, Shipment, StepType

KIND_ZH = {
    "central": "总馆",
    "branch": "分馆",
    "service_point": "服务点",
    "hold": "预约",
    "return_home": "还回原馆",
    "new_stock": "新书配送",
    "rebalance": "调剂",
}
REASON_ZH = {code: words.zh for code, words in REASONS.items()}
"""The reason codes in Chinese, from the one table (:data:`dispatch.reasons.REASONS`)."""


@dataclass(frozen=True, slots=True)
class SiteInfo:
    id: str
    name_zh: str
    name_en: str
    kind: str
    lon: float
    lat: float


def clock(seconds: int) -> str:
    """Seconds since midnight as HH:MM."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _svg_path(
    legs: Sequence[Leg], stops: Sequence[SiteInfo], width: int = 640, height: int = 420
) -> dict[str, object]:
    points = [p for leg in legs for p in leg.coordinates] + [(s.lon, s.lat) for s in stops]
    if not points:
        return {"width": width, "height": height, "lines": [], "stops": []}
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    lon0, lon1, lat0, lat1 = min(lons), max(lons), min(lats), max(lats)
    span = max(lon1 - lon0, (lat1 - lat0) * 1.2, 1e-6)  # ~cos(34°) aspect

    def xy(lon: float, lat: float) -> tuple[float, float]:
        x = 20 + (lon - lon0) / span * (width - 40)
        y = height - 20 - (lat - lat0) * 1.2 / span * (height - 40)
        return round(x, 1), round(y, 1)

    lines = [" ".join(f"{x},{y}" for x, y in (xy(*p) for p in leg.coordinates)) for leg in legs]
    markers = []
    for n, stop in enumerate(stops):
        x, y = xy(stop.lon, stop.lat)
        markers.append({"x": x, "y": y, "label": str(n), "kind": stop.kind})
    return {"width": width, "height": height, "lines": lines, "stops": markers}


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("api", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = clock
    env.filters["km"] = lambda metres: f"{metres / 1000:.1f}"
    return env


def write_route_sheets(
    result: Result,
    *,
    sites: Mapping[str, SiteInfo],
    shipments: Mapping[str, Shipment],
    leg: Callable[[str, str], Leg],
    out_dir: Path,
    day_label: str,
    demo: bool = True,
) -> list[Path]:
    """Write ``index.html`` and one ``route-<van>.html`` per used van; return the paths.

    Parameters
    ----------
    result
        The optimiser's plan.
    sites, shipments
        Lookups by id for names and kinds.
    leg
        ``leg(from_site, to_site)`` gives the directions between two stops (from geo).
    out_dir
        Folder to write into (created if missing).
    day_label
        The planned day as shown on the sheets, e.g. ``2026-11-26（演示）``.
    demo
        Show the banner saying that site positions are demo locations.

    Returns
    -------
    list of Path
        ``index.html`` first, then the sheets in the order of ``result.routes``.

    Raises
    ------
    KeyError
        If a route names a site or a shipment missing from ``sites`` or ``shipments``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    env = _environment()
    written = []
    for route in result.routes:
        page = env.get_template("route_sheet.html.j2").render(
            **_route_context(route, sites, shipments, leg),
            day=day_label,
            demo=demo,
            KIND_ZH=KIND_ZH,
        )
        path = out_dir / f"route-{route.van}.html"
        path.write_text(page, encoding="utf-8")
        written.append(path)
    index = env.get_template("index.html.j2").render(
        result=result,
        day=day_label,
        demo=demo,
        sheets=[p.name for p in written],
        shipments=shipments,
        sites=sites,
        KIND_ZH=KIND_ZH,
        REASON_ZH=REASON_ZH,
    )
    index_path = out_dir / "index.html"
    index_path.write_text(index, encoding="utf-8")
    return [index_path, *written]


def _route_context(
    route: Route,
    sites: Mapping[str, SiteInfo],
    shipments: Mapping[str, Shipment],
    leg: Callable[[str, str], Leg],
) -> dict[str, object]:
    stops: list[dict[str, object]] = []
    legs: list[Leg] = []
    previous: str | None = None
    for step in route.steps:
        if step.type == StepType.BREAK:
            # A break is not a stop of its own: no marker, no leg; ``at`` says where it is taken.
            at = sites[step.site] if step.site is not None else None
            stops.append({"step": step, "site": None, "at": at, "leg": None, "cargo": []})
            continue
        assert step.site is not None  # only breaks have no site
        way = leg(previous, step.site) if previous is not None and previous != step.site else None
        if way is not None:
            legs.append(way)
        items = []
        for sid in step.shipments:
            sh = shipments[sid]
            other = sh.delivery if step.type == StepType.PICKUP else sh.pickup
            items.append(
                {
                    "id": sid,
                    "kind": sh.kind.value,
                    "crates": sh.amount[0],
                    "kg": sh.amount[1] if len(sh.amount) > 1 else None,
                    "other": sites[other].name_zh,
                }
            )
        stops.append({"step": step, "site": sites[step.site], "leg": way, "cargo": items})
        previous = step.site
    drawn = [s["site"] for s in stops if s["site"] is not None]
    return {
        "route": route,
        "stops": stops,
        "map": _svg_path(legs, drawn),  # type: ignore[arg-type]
        "crates": sum(shipments[s].amount[0] for s in route.shipments),
        "visits": sum(1 for s in route.steps if s.type in (StepType.PICKUP, StepType.DELIVERY)),
    }
