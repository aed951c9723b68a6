"""What a route sheet (路单) and a crate label (周转箱标签) show, as plain data.

Built from a stored plan (:mod:`api.sheets.build`) or from the demo's result
(:mod:`api.route_sheets`), and drawn by :mod:`api.sheets.render` as HTML for phones or as an
A4/A6 PDF. No patron data: a hold slip is named by the card's last four digits only.
Times are seconds since midnight of the day; distances metres; [lon, lat] WGS-84.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dispatch import Leg

__all__ = [
    "KIND_EN",
    "KIND_ZH",
    "CrateLine",
    "HoldSlip",
    "Label",
    "LooseLine",
    "RouteSheet",
    "SheetSite",
    "SheetStop",
]

KIND_ZH = {
    "central": "总馆",
    "branch": "分馆",
    "service_point": "服务点",
    "hold": "预约",
    "return_home": "还回原馆",
    "new_stock": "新书配送",
    "rebalance": "调剂",
}
"""Site kinds and transfer kinds in Chinese (the glossary's words)."""
KIND_EN = {
    "central": "central library",
    "branch": "branch",
    "service_point": "service point",
    "hold": "hold",
    "return_home": "return home",
    "new_stock": "new stock",
    "rebalance": "rebalance",
}


@dataclass(frozen=True, slots=True)
class SheetSite:
    """A site as the sheet names it, with its opening hours on the day (seconds)."""

    code: str
    name_zh: str
    name_en: str
    kind: str
    lon: float
    lat: float
    hours: tuple[tuple[int, int], ...] = ()
    closed: bool = False
    """Closed that day (a holiday, stocktaking)."""


@dataclass(frozen=True, slots=True)
class CrateLine:
    """One crate to collect or to drop: its barcode, the other end of its trip, what is in it.

    ``qr_svg`` is the crate's QR code (its barcode) as inline SVG.
    """

    crate_id: str
    other: SheetSite
    items: int
    kinds: tuple[str, ...]
    qr_svg: str = ""


@dataclass(frozen=True, slots=True)
class LooseLine:
    """Copies of one shipment not packed in a crate yet: how many, and the crates expected."""

    shipment_id: str
    kind: str
    other: SheetSite
    items: int | None
    """None where only the crates are known (a plan made outside the catalogue)."""
    crates: int


@dataclass(frozen=True, slots=True)
class HoldSlip:
    """A hold slip travelling with a copy: the card's last four digits, never more."""

    card: str
    """``****1234``."""
    barcode: str
    crate_id: str | None


@dataclass(frozen=True, slots=True)
class SheetStop:
    """One stop of the sheet: the consecutive steps at one site merged, or a break.

    ``number`` is 0 at the start and counts the stops after it (the labels use it too).
    ``leg`` is the way here from the previous stop (None at the start, for a break, or
    when the van does not move).
    """

    number: int
    type: str
    """``start``, ``visit``, ``break`` or ``end``."""
    site: SheetSite | None
    arrival: int
    waiting: int
    service_start: int
    departure: int
    load_crates: int
    distance: int = 0
    """Metres driven since the route's start, on arrival."""
    leg: Leg | None = None
    collect: tuple[CrateLine, ...] = ()
    drop: tuple[CrateLine, ...] = ()
    collect_loose: tuple[LooseLine, ...] = ()
    drop_loose: tuple[LooseLine, ...] = ()
    slips: tuple[HoldSlip, ...] = ()
    late: bool = False
    """Service starts outside the site's opening hours that day (a dispatcher's edit)."""
    warnings: tuple[tuple[str, str], ...] = ()
    """What the plan's check found at this stop after a dispatcher's edit: ``(中文, English)``."""


@dataclass(frozen=True)
class RouteSheet:
    """One van's route sheet for one day."""

    day: date | None
    day_label: str
    van: str
    driver: str | None
    plan_id: int | None
    distance: int
    duration: int
    stops: tuple[SheetStop, ...]
    map_svg: str
    demo: bool = False
    coordinates: tuple[tuple[float, float], ...] = field(default=(), repr=False)
    """The whole route along the streets (the legs joined), for GPX."""

    @property
    def visits(self) -> int:
        """Stops where the van loads or unloads."""
        return sum(1 for s in self.stops if s.type == "visit")

    @property
    def crates(self) -> int:
        """Crates collected, packed or expected."""
        return sum(len(s.collect) + sum(x.crates for x in s.collect_loose) for s in self.stops)

    @property
    def items(self) -> int | None:
        """Copies collected (None where some shipment's copies are not known)."""
        if any(x.items is None for s in self.stops for x in s.collect_loose):
            return None
        return sum(
            sum(c.items for c in s.collect) + sum(x.items or 0 for x in s.collect_loose)
            for s in self.stops
        )


@dataclass(frozen=True, slots=True)
class Label:
    """A crate label (A6): the destination in large type, the crate's barcode and QR, what is
    in it, and the van and stop numbers where it is collected and dropped."""

    crate_id: str
    qr_svg: str
    origin: SheetSite
    destination: SheetSite
    items: int
    kinds: tuple[str, ...]
    van: str | None
    pickup_stop: int | None
    drop_stop: int | None
    day: date
    plan_id: int
