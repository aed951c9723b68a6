"""Route sheets and crate labels from a stored plan (``catalog.plans``' tables).

A sheet reads the plan's route of one van (its stops in order), the shipments and transfers
of those stops, the crates the desks packed them in, the sites with their opening hours on
the plan's day and, through :class:`api.sheets.streets.StreetLegs`, the legs between stops
on the street network. Consecutive steps at one site are one stop of the sheet, numbered
from 0 at the start; a crate label names the same numbers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

import segno
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from api.errors import mask_card
from api.sheets.model import (
    CrateLine,
    HoldSlip,
    Label,
    LooseLine,
    RouteSheet,
    SheetSite,
    SheetStop,
)
from api.sheets.streets import StreetLegs, street_lines
from api.sheets.svgmap import MapStop, bbox_of, route_map_svg
from catalog.crates import crate_copies
from catalog.errors import NotFoundError
from catalog.models import (
    Crate,
    Hold,
    Plan,
    PlanRoute,
    PlanShipment,
    PlanStatus,
    PlanStepType,
    PlanStop,
    Site,
    Transfer,
    TransferStatus,
)
from catalog.plans import route_of_van
from dispatch import Leg

__all__ = [
    "StepGroup",
    "crate_labels",
    "day_label",
    "done_plan",
    "group_steps",
    "open_at",
    "qr_svg",
    "route_map",
    "route_sheet",
    "route_sheets",
    "sheet_sites",
]

WEEKDAY_ZH = "一二三四五六日"
T = TypeVar("T")


def qr_svg(code: str, *, scale: int = 3) -> str:
    """``code`` as a QR code (a full QR, never a Micro QR, which phone readers skip), inline
    SVG with its quiet zone."""
    return str(segno.make_qr(code, error="m").svg_inline(scale=scale, border=2))


def day_label(day: date) -> str:
    """``2026-12-03 星期四 Thu``."""
    return f"{day.isoformat()} 星期{WEEKDAY_ZH[day.weekday()]} {day.strftime('%a')}"


def done_plan(plan: Plan) -> Plan:
    """``plan`` if it is done, else the 404 a sheet of it answers.

    Raises
    ------
    NotFoundError
        The plan is queued, running, failed or cancelled: it has no routes to print.
    """
    if plan.status is not PlanStatus.done:
        raise NotFoundError(
            "plan_id",
            plan.id,
            f"排班尚未完成（{plan.status.value}），没有路单 / the plan is not done "
            f"({plan.status.value}): no route sheets",
        )
    return plan


def sheet_sites(session: Session, day: date) -> dict[str, SheetSite]:
    """Every site of the catalogue by code, with its opening hours on ``day``."""
    rows = session.scalars(
        select(Site).options(selectinload(Site.opening_hours), selectinload(Site.closed_dates))
    )
    return {
        site.code: SheetSite(
            code=site.code,
            name_zh=site.name_zh,
            name_en=site.name_en,
            kind=site.kind.value,
            lon=site.lon,
            lat=site.lat,
            hours=tuple(
                (h.open_s, h.close_s) for h in site.opening_hours if h.weekday == day.weekday()
            ),
            closed=any(c.day == day for c in site.closed_dates),
        )
        for site in rows
    }


@dataclass
class StepGroup(Generic[T]):
    """Consecutive steps of a route at one site (or one break): one stop of the sheet."""

    number: int
    kind: str
    """``start``, ``visit``, ``break`` or ``end``."""
    site: str | None
    steps: list[T] = field(default_factory=list)


def group_steps(
    steps: Sequence[T], *, type_of: Callable[[T], str], site_of: Callable[[T], str | None]
) -> list[StepGroup[T]]:
    """A route's steps as the sheet's stops: consecutive non-break steps at one site merge;
    stops are numbered from 0 (the start), a break keeps the number of the stop before it.

    Parameters
    ----------
    steps
        The route's steps in order (stored stops, or the optimiser's steps).
    type_of, site_of
        A step's type (``start``, ``pickup``, ``delivery``, ``break``, ``end``) and site.
    """
    groups: list[StepGroup[T]] = []
    types: list[set[str]] = []
    number = -1
    for step in steps:
        kind, site = type_of(step), site_of(step)
        last = groups[-1] if groups else None
        if last is not None and kind != "break" and "break" not in types[-1] and site == last.site:
            last.steps.append(step)
            types[-1].add(kind)
            continue
        if kind != "break":
            number += 1
        groups.append(StepGroup(max(number, 0), "", site, [step]))
        types.append({kind})
    for group, seen in zip(groups, types, strict=True):
        group.kind = next((k for k in ("break", "start", "end") if k in seen), "visit")
    return groups


def _stored_groups(stops: Sequence[PlanStop]) -> list[StepGroup[PlanStop]]:
    return group_steps(stops, type_of=lambda s: s.type.value, site_of=lambda s: s.site_code)


def _transfers(group: StepGroup[PlanStop], step_type: PlanStepType) -> list[int]:
    return [t for s in group.steps if s.type is step_type for t in s.transfer_ids]


def open_at(site: SheetSite, moment: int) -> bool:
    """Whether ``site`` is open at ``moment`` (seconds since midnight) on the sheet's day."""
    return not site.closed and any(a <= moment <= b for a, b in site.hours)


def _kinds(transfers: Iterable[Transfer]) -> tuple[str, ...]:
    return tuple(sorted({t.kind.value for t in transfers}))


@dataclass(frozen=True)
class _PlanCargo:
    """What a plan moves: its transfers, their crates, their shipments, the sites' codes."""

    transfers: dict[int, Transfer]
    crates: dict[str, Crate]
    shipment_of: dict[int, PlanShipment]
    site_code_of: dict[int, str]
    copies: dict[str, int]
    """Copies in each crate, the plan's and any other's (as :func:`catalog.crates.crate_copies`)."""


def _cargo(
    ids: Sequence[int],
    cargo: _PlanCargo,
    sites: Mapping[str, SheetSite],
    *,
    collecting: bool,
) -> tuple[tuple[CrateLine, ...], tuple[LooseLine, ...]]:
    """The crates (and the copies not packed yet, by shipment) of ``ids`` at a stop; a
    crate's items are all the copies in it (it is scanned whole), the plan's or not."""
    transfers, crates, shipment_of = cargo.transfers, cargo.crates, cargo.shipment_of
    packed: dict[str, list[Transfer]] = defaultdict(list)
    loose: dict[str, list[Transfer]] = defaultdict(list)
    for tid in ids:
        transfer = transfers.get(tid)
        if transfer is None:
            continue
        if transfer.crate_id is not None and transfer.crate_id in crates:
            packed[transfer.crate_id].append(transfer)
        elif tid in shipment_of:
            loose[shipment_of[tid].shipment_id].append(transfer)
    lines = []
    for code in sorted(packed):
        crate = crates[code]
        end = crate.destination_site_id if collecting else crate.origin_site_id
        lines.append(
            CrateLine(
                crate_id=code,
                other=sites[cargo.site_code_of[end]],
                items=cargo.copies.get(code, len(packed[code])),
                kinds=_kinds(packed[code]),
                qr_svg=qr_svg(code) if collecting else "",
            )
        )
    by_id = {s.shipment_id: s for s in shipment_of.values()}
    loose_lines = []
    for sid in sorted(loose):
        shipment = by_id[sid]
        other = shipment.delivery_site_code if collecting else shipment.pickup_site_code
        share = len(loose[sid]) / max(shipment.items, 1)
        loose_lines.append(
            LooseLine(
                shipment_id=sid,
                kind=shipment.kind.value,
                other=sites[other],
                items=len(loose[sid]),
                crates=max(1, math.ceil(shipment.crates * share - 1e-9)),
            )
        )
    return tuple(lines), tuple(loose_lines)


def _plan_cargo(session: Session, plan: Plan, routes: Sequence[PlanRoute]) -> _PlanCargo:
    ids = sorted({t for r in routes for s in r.stops for t in s.transfer_ids})
    transfers: dict[int, Transfer] = {}
    for start in range(0, len(ids), 500):  # SQLite caps a statement's parameters
        chunk = ids[start : start + 500]
        for t in session.scalars(
            select(Transfer)
            .where(Transfer.id.in_(chunk))
            .options(
                selectinload(Transfer.item),
                selectinload(Transfer.hold).selectinload(Hold.patron),
            )
        ):
            transfers[t.id] = t
    codes = sorted({t.crate_id for t in transfers.values() if t.crate_id is not None})
    crates: dict[str, Crate] = {}
    for start in range(0, len(codes), 500):
        for crate in session.scalars(
            select(Crate).where(Crate.code.in_(codes[start : start + 500]))
        ):
            crates[crate.code] = crate
    shipment_of = {t: s for s in plan.shipments for t in s.transfer_ids}
    site_code_of = {i: c for i, c in session.execute(select(Site.id, Site.code))}
    copies = crate_copies(session, list(crates.values()))
    return _PlanCargo(transfers, crates, shipment_of, site_code_of, copies)


def _warnings(steps: Sequence[PlanStop]) -> tuple[tuple[str, str], ...]:
    """The stored violations of the steps (``{"kind", "zh", "en", ...}``), each once."""
    seen: dict[tuple[str, str], None] = {}
    for step in steps:
        for found in step.violations or ():
            if isinstance(found, dict) and (found.get("zh") or found.get("en")):
                seen[(str(found.get("zh", "")), str(found.get("en", "")))] = None
    return tuple(seen)


def _slips(ids: Sequence[int], transfers: Mapping[int, Transfer]) -> tuple[HoldSlip, ...]:
    slips = []
    for tid in ids:
        t = transfers.get(tid)
        if t is not None and t.hold is not None and t.hold.patron is not None:
            slips.append(HoldSlip(mask_card(t.hold.patron.card_number), t.item.barcode, t.crate_id))
    return tuple(sorted(slips, key=lambda s: (s.crate_id or "", s.barcode)))


def route_sheet(
    session: Session,
    plan: Plan,
    van_code: str,
    *,
    legs: StreetLegs | None,
    demo: bool = False,
) -> RouteSheet:
    """The route sheet of ``van_code`` in ``plan`` (loaded by :func:`catalog.plans.get_plan`).

    Parameters
    ----------
    legs
        The street network's legs; None leaves out the directions, the map and the geometry
        (the CSV and Excel exports need none of them).
    demo
        Say on the sheet that the sites are demo locations.

    Raises
    ------
    NotFoundError
        The plan is not done, or has no route for this van.
    geo.SnapError
        A stop's site lies too far from every street.
    """
    return route_sheets(session, done_plan(plan), [van_code], legs=legs, demo=demo)[0]


def route_sheets(
    session: Session,
    plan: Plan,
    van_codes: Sequence[str] | None = None,
    *,
    legs: StreetLegs | None,
    demo: bool = False,
) -> list[RouteSheet]:
    """The sheets of ``van_codes`` (default: every route of the plan, in the plan's order)."""
    done_plan(plan)
    routes = (
        [route_of_van(session, plan, v) for v in van_codes]
        if van_codes is not None
        else list(plan.routes)
    )
    sites = sheet_sites(session, plan.day)
    cargo = _plan_cargo(session, plan, routes)
    return [_sheet(plan, route, sites, cargo, legs=legs, demo=demo) for route in routes]


def _sheet(
    plan: Plan,
    route: PlanRoute,
    sites: Mapping[str, SheetSite],
    cargo: _PlanCargo,
    *,
    legs: StreetLegs | None,
    demo: bool,
) -> RouteSheet:
    groups = _stored_groups(route.stops)
    # every site of the catalogue, as the plan's matrices had them: one network (and one
    # cache of legs) for all the vans' sheets
    net = (
        legs.network([(c, s.lon, s.lat) for c, s in sites.items()])
        if legs is not None and sites
        else None
    )
    stops: list[SheetStop] = []
    ways: list[Leg] = []
    previous: str | None = None
    for group in groups:
        first, last = group.steps[0], group.steps[-1]
        site = sites.get(group.site) if group.site else None
        leg = None
        if group.kind != "break" and group.site is not None:
            if net is not None and legs is not None and previous not in (None, group.site):
                assert previous is not None
                leg = legs.leg(net, previous, group.site)
                ways.append(leg)
            previous = group.site
        pick = _transfers(group, PlanStepType.pickup)
        drop = _transfers(group, PlanStepType.delivery)
        collect, collect_loose = _cargo(pick, cargo, sites, collecting=True)
        dropped, drop_loose = _cargo(drop, cargo, sites, collecting=False)
        visits = [s for s in group.steps if s.type in (PlanStepType.pickup, PlanStepType.delivery)]
        service = visits[0].service_start if visits else first.service_start
        stops.append(
            SheetStop(
                number=group.number,
                type=group.kind,
                site=site,
                arrival=first.arrival,
                waiting=sum(s.waiting for s in group.steps),
                service_start=service,
                departure=last.departure,
                load_crates=last.load_crates,
                distance=first.distance,
                leg=leg,
                collect=collect,
                drop=dropped,
                collect_loose=collect_loose,
                drop_loose=drop_loose,
                slips=_slips(drop, cargo.transfers),
                late=bool(visits) and site is not None and not open_at(site, service),
                warnings=_warnings(group.steps),
            )
        )
    map_svg = ""
    coordinates: tuple[tuple[float, float], ...] = ()
    if legs is not None and net is not None:
        coordinates = tuple(p for leg in ways for p in leg.coordinates)
        map_svg = route_map(legs.graph(), ways, stops)
    return RouteSheet(
        day=plan.day,
        day_label=day_label(plan.day),
        van=route.van_code,
        driver=route.driver_username,
        plan_id=plan.id,
        distance=route.distance,
        duration=route.duration,
        stops=tuple(stops),
        map_svg=map_svg,
        demo=demo,
        coordinates=coordinates,
    )


def route_map(graph: Any, ways: Sequence[Leg], stops: Sequence[SheetStop]) -> str:
    """The sheet's map: the streets of ``graph`` around the route, the route's legs, the
    numbered stops."""
    numbers: dict[str, list[str]] = {}
    where: dict[str, SheetSite] = {}
    for stop in stops:
        if stop.site is None or stop.type == "break":
            continue
        if stop.type == "end" and stop.site.code in numbers:
            continue  # back where it started: the start's number says where
        numbers.setdefault(stop.site.code, []).append(str(stop.number))
        where[stop.site.code] = stop.site
    marked: list[MapStop] = [
        (",".join(n), where[c].kind, where[c].lon, where[c].lat) for c, n in numbers.items()
    ]
    points = [p for leg in ways for p in leg.coordinates] + [(m[2], m[3]) for m in marked]
    if not points:
        return ""
    box = bbox_of(points)
    streets = street_lines(graph, box) if graph is not None else []
    return route_map_svg(streets, [leg.coordinates for leg in ways], marked, box)


def crate_labels(session: Session, plan: Plan) -> list[Label]:
    """One label per crate the plan's transfers were packed in, by van, pickup stop and crate.

    The item count and kinds are the crate's whole contents (a crate is scanned whole), the
    van and stop numbers those of the sheet where it is collected and dropped.

    Raises
    ------
    NotFoundError
        The plan is not done.
    """
    done_plan(plan)
    sites = sheet_sites(session, plan.day)
    cargo = _plan_cargo(session, plan, plan.routes)
    where: dict[int, tuple[str | None, int | None, int | None]] = {}
    for route in plan.routes:
        for group in _stored_groups(route.stops):
            for tid in _transfers(group, PlanStepType.pickup):
                van, _, drop = where.get(tid, (route.van_code, None, None))
                where[tid] = (van, group.number, drop)
            for tid in _transfers(group, PlanStepType.delivery):
                van, pick, _ = where.get(tid, (route.van_code, None, None))
                where[tid] = (van, pick, group.number)
    contents: dict[str, list[Transfer]] = {code: [] for code in cargo.crates}
    for t in session.scalars(select(Transfer).where(Transfer.crate_id.in_(sorted(cargo.crates)))):
        if t.status is not TransferStatus.cancelled and t.crate_id in contents:
            contents[t.crate_id].append(t)
    labels = []
    for code, crate in cargo.crates.items():
        placed = [where[t.id] for t in contents[code] if t.id in where]
        first = min(placed, key=lambda p: (p[1] is None, p[1] or 0)) if placed else None
        van, pick, drop = first if first is not None else (None, None, None)
        labels.append(
            Label(
                crate_id=code,
                qr_svg=qr_svg(code, scale=5),
                origin=sites[cargo.site_code_of[crate.origin_site_id]],
                destination=sites[cargo.site_code_of[crate.destination_site_id]],
                items=len(contents[code]),
                kinds=_kinds(contents[code]),
                van=van,
                pickup_stop=pick,
                drop_stop=drop,
                day=plan.day,
                plan_id=plan.id,
            )
        )
    labels.sort(key=lambda b: (b.van or "~", b.pickup_stop or 0, b.crate_id))
    return labels
