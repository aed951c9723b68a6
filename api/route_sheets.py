"""Route sheets (路单) of a plan the optimiser made outside the catalogue (``shuyun demo``).

The sheets are the service's own (:mod:`api.sheets`: the same data, template and PDF
printer as ``GET /plans/{id}/routes/{van}/sheet.html|pdf``), built here from an
:class:`optimizer.Result` instead of a stored plan: a shipment's crates are counted, not
named (no desk has packed them). ``index.html`` lists the sheets and what was left out.
Every page credits © OpenStreetMap contributors (ODbL), as the street data requires.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from api.sheets import (
    KIND_ZH,
    LooseLine,
    RouteSheet,
    SheetSite,
    SheetStop,
    clock,
    group_steps,
    html_to_pdf,
    open_at,
    route_map,
    sheet_html,
)
from dispatch import Leg
from dispatch.reasons import REASONS
from optimizer import Result, Route, Shipment, Step, StepType

__all__ = ["REASON_ZH", "SiteInfo", "clock", "result_sheets", "write_route_sheets"]

REASON_ZH = {code: words.zh for code, words in REASONS.items()}
"""The reason codes in Chinese, from the one table (:data:`dispatch.reasons.REASONS`)."""


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """A site as the demo knows it: names, kind, [lon, lat], opening hours (seconds)."""

    id: str
    name_zh: str
    name_en: str
    kind: str
    lon: float
    lat: float
    hours: tuple[tuple[int, int], ...] = ()

    def sheet_site(self) -> SheetSite:
        return SheetSite(
            self.id, self.name_zh, self.name_en, self.kind, self.lon, self.lat, self.hours
        )


def _index_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("api", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["km"] = lambda metres: f"{metres / 1000:.1f}"
    return env


def _loose(
    shipment_ids: Sequence[str],
    shipments: Mapping[str, Shipment],
    sites: Mapping[str, SheetSite],
    items: Mapping[str, int] | None,
    *,
    collecting: bool,
) -> tuple[LooseLine, ...]:
    lines = []
    for sid in shipment_ids:
        sh = shipments[sid]
        lines.append(
            LooseLine(
                shipment_id=sid,
                kind=sh.kind.value,
                other=sites[sh.delivery if collecting else sh.pickup],
                items=items.get(sid) if items is not None else None,
                crates=sh.amount[0],
            )
        )
    return tuple(lines)


def result_sheets(
    result: Result,
    *,
    sites: Mapping[str, SiteInfo],
    shipments: Mapping[str, Shipment],
    leg: Callable[[str, str], Leg],
    graph: Any = None,
    day: date | None = None,
    day_label: str,
    demo: bool = True,
    items: Mapping[str, int] | None = None,
) -> list[RouteSheet]:
    """One :class:`api.sheets.RouteSheet` per route of ``result``.

    Parameters
    ----------
    result
        The optimiser's plan.
    sites, shipments
        Lookups by id for names, kinds, hours and amounts.
    leg
        ``leg(from_site, to_site)`` gives the directions between two stops (from geo).
    graph
        The street graph, for the streets drawn on the map (None: the route alone).
    day, day_label
        The day the vans drive, and as the sheets show it.
    demo
        Say that the sites are demo locations.
    items
        Copies per shipment, where known.

    Raises
    ------
    KeyError
        A route names a site or a shipment missing from ``sites`` or ``shipments``.
    """
    shown = {code: info.sheet_site() for code, info in sites.items()}
    return [
        _sheet(route, shown, shipments, leg, graph, day, day_label, demo, items)
        for route in result.routes
    ]


def _sheet(
    route: Route,
    sites: Mapping[str, SheetSite],
    shipments: Mapping[str, Shipment],
    leg: Callable[[str, str], Leg],
    graph: Any,
    day: date | None,
    day_label: str,
    demo: bool,
    items: Mapping[str, int] | None,
) -> RouteSheet:
    groups = group_steps(route.steps, type_of=lambda s: s.type.value, site_of=lambda s: s.site)
    stops: list[SheetStop] = []
    ways: list[Leg] = []
    previous: str | None = None
    for group in groups:
        steps: list[Step] = group.steps
        way = None
        if group.kind != "break" and group.site is not None:
            if previous is not None and previous != group.site:
                way = leg(previous, group.site)
                ways.append(way)
            previous = group.site
        picked = [sid for s in steps if s.type == StepType.PICKUP for sid in s.shipments]
        dropped = [sid for s in steps if s.type == StepType.DELIVERY for sid in s.shipments]
        visits = [s for s in steps if s.type in (StepType.PICKUP, StepType.DELIVERY)]
        service = visits[0].service_start if visits else steps[0].service_start
        site = sites[group.site] if group.site is not None else None
        stops.append(
            SheetStop(
                number=group.number,
                type=group.kind,
                site=site,
                arrival=steps[0].arrival,
                waiting=sum(s.waiting for s in steps),
                service_start=service,
                departure=steps[-1].departure,
                load_crates=steps[-1].load[0] if steps[-1].load else 0,
                distance=steps[0].distance,
                leg=way,
                collect_loose=_loose(picked, shipments, sites, items, collecting=True),
                drop_loose=_loose(dropped, shipments, sites, items, collecting=False),
                late=bool(visits)
                and site is not None
                and bool(site.hours)
                and not open_at(site, service),
            )
        )
    return RouteSheet(
        day=day,
        day_label=day_label,
        van=route.van,
        driver=None,
        plan_id=None,
        distance=route.distance,
        duration=route.duration,
        stops=tuple(stops),
        map_svg=route_map(graph, ways, stops),
        demo=demo,
        coordinates=tuple(p for w in ways for p in w.coordinates),
    )


def write_route_sheets(
    result: Result,
    *,
    sites: Mapping[str, SiteInfo],
    shipments: Mapping[str, Shipment],
    leg: Callable[[str, str], Leg],
    out_dir: Path,
    day_label: str,
    demo: bool = True,
    graph: Any = None,
    day: date | None = None,
    items: Mapping[str, int] | None = None,
    pdf: bool = False,
) -> list[Path]:
    """Write ``index.html`` and one ``route-<van>.html`` per used van; return the paths.

    With ``pdf``, each sheet is also printed to ``route-<van>.pdf`` beside its HTML (A4,
    WeasyPrint; not in the returned list). The other parameters are
    :func:`result_sheets`'.

    Returns
    -------
    list of Path
        ``index.html`` first, then the HTML sheets in the order of ``result.routes``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    sheets = result_sheets(
        result,
        sites=sites,
        shipments=shipments,
        leg=leg,
        graph=graph,
        day=day,
        day_label=day_label,
        demo=demo,
        items=items,
    )
    written = []
    for sheet in sheets:
        path = out_dir / f"route-{sheet.van}.html"
        page = sheet_html(sheet)
        path.write_text(page, encoding="utf-8")
        if pdf:
            path.with_suffix(".pdf").write_bytes(html_to_pdf(page))
        written.append(path)
    index = (
        _index_environment()
        .get_template("index.html.j2")
        .render(
            result=result,
            day=day_label,
            demo=demo,
            sheets=[p.name for p in written],
            pdfs=[p.with_suffix(".pdf").name for p in written] if pdf else [],
            shipments=shipments,
            sites=sites,
            KIND_ZH=KIND_ZH,
            REASON_ZH=REASON_ZH,
        )
    )
    index_path = out_dir / "index.html"
    index_path.write_text(index, encoding="utf-8")
    return [index_path, *written]
