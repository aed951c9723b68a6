"""Route sheets (路单), crate labels (周转箱标签) and a plan's exports: the views of a stored plan.

:mod:`~api.sheets.build` makes a sheet's data from the plan's tables, :mod:`~api.sheets.render`
draws it (HTML for phones, PDF with WeasyPrint), :mod:`~api.sheets.exports` writes the day's
routes as CSV, Excel, GPX and VROOM's answer. Directions and geometry come from the street
network through :mod:`dispatch` (:mod:`~api.sheets.streets`).
"""

from api.sheets.build import (
    StepGroup,
    crate_labels,
    day_label,
    done_plan,
    group_steps,
    open_at,
    qr_svg,
    route_map,
    route_sheet,
    route_sheets,
    sheet_sites,
)
from api.sheets.model import (
    KIND_EN,
    KIND_ZH,
    CrateLine,
    HoldSlip,
    Label,
    LooseLine,
    RouteSheet,
    SheetSite,
    SheetStop,
)
from api.sheets.render import clock, html_to_pdf, labels_html, labels_pdf, sheet_html, sheet_pdf
from api.sheets.streets import StreetLegs, street_lines

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
    "StepGroup",
    "StreetLegs",
    "clock",
    "crate_labels",
    "day_label",
    "done_plan",
    "group_steps",
    "html_to_pdf",
    "labels_html",
    "labels_pdf",
    "open_at",
    "qr_svg",
    "route_map",
    "route_sheet",
    "route_sheets",
    "sheet_html",
    "sheet_pdf",
    "sheet_sites",
    "street_lines",
]
