"""A stored plan's exports: the day's routes as CSV and Excel, a van's route as GPX, and the
plan in VROOM's answer shape.

The CSV and Excel files have one row per stop of the route sheets (the same stops, numbers
and crates), headers in Chinese and English; the GPX (1.1, WGS-84) has the route along the
streets as a track and the stops as waypoints. No patron data in any of them: crates and
copies are named by barcode, never by reader.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from api.sheets.model import KIND_EN, KIND_ZH, RouteSheet, SheetSite, SheetStop
from api.sheets.render import clock, hours
from api.vroom_answer import polyline
from catalog.models import Plan, PlanStepType

__all__ = ["COLUMNS", "GPX_NS", "csv_bytes", "gpx_bytes", "stop_rows", "vroom_json", "xlsx_bytes"]

COLUMNS: tuple[tuple[str, str], ...] = (
    ("van", "车辆 van"),
    ("driver", "司机 driver"),
    ("stop", "站序 stop"),
    ("type", "类型 type"),
    ("site_code", "站点代码 site code"),
    ("site_zh", "站点 site"),
    ("site_en", "站点（英文）site (English)"),
    ("site_kind", "站点类型 site kind"),
    ("lon", "经度 lon"),
    ("lat", "纬度 lat"),
    ("arrival", "到达 arrival"),
    ("waiting_min", "等待（分钟）waiting (min)"),
    ("service_start", "开始 start"),
    ("departure", "离开 departure"),
    ("opening_hours", "开放时间 opening hours"),
    ("collect_crates", "取箱 crates to collect"),
    ("collect_items", "取件数 items to collect"),
    ("drop_crates", "卸箱 crates to drop"),
    ("drop_items", "卸件数 items to drop"),
    ("not_packed", "未装箱件数 items not packed"),
    ("transfer_kinds", "调拨类型 transfer kinds"),
    ("hold_slips", "预约单 hold slips"),
    ("load_crates", "车上箱数 crates on board"),
    ("distance_m", "累计里程（米）distance so far (m)"),
)
"""The export's columns: key, and the header (中文 English)."""
TYPE_WORDS = {
    "start": "出发 start",
    "visit": "停靠 stop",
    "break": "休息 break",
    "end": "返回 end",
}
GPX_NS = "http://www.topografix.com/GPX/1/1"


def _kinds(stop: SheetStop) -> str:
    kinds = sorted(
        {k for c in (*stop.collect, *stop.drop) for k in c.kinds}
        | {x.kind for x in (*stop.collect_loose, *stop.drop_loose)}
    )
    return "; ".join(f"{KIND_ZH[k]} {KIND_EN[k]}" for k in kinds)


def stop_rows(sheets: Sequence[RouteSheet]) -> list[dict[str, Any]]:
    """One row per stop of every sheet, keyed by :data:`COLUMNS`' keys."""
    rows = []
    for sheet in sheets:
        for stop in sheet.stops:
            site = stop.site
            loose = [x.items or 0 for x in (*stop.collect_loose, *stop.drop_loose)]
            rows.append(
                {
                    "van": sheet.van,
                    "driver": sheet.driver or "",
                    "stop": stop.number,
                    "type": TYPE_WORDS[stop.type],
                    "site_code": site.code if site else "",
                    "site_zh": site.name_zh if site else "",
                    "site_en": site.name_en if site else "",
                    "site_kind": f"{KIND_ZH[site.kind]} {KIND_EN[site.kind]}" if site else "",
                    "lon": round(site.lon, 6) if site else "",
                    "lat": round(site.lat, 6) if site else "",
                    "arrival": clock(stop.arrival),
                    "waiting_min": round(stop.waiting / 60),
                    "service_start": clock(stop.service_start),
                    "departure": clock(stop.departure),
                    "opening_hours": hours(site.hours) if site else "",
                    "collect_crates": " ".join(c.crate_id for c in stop.collect),
                    "collect_items": sum(c.items for c in stop.collect)
                    + sum(x.items or 0 for x in stop.collect_loose),
                    "drop_crates": " ".join(c.crate_id for c in stop.drop),
                    "drop_items": sum(c.items for c in stop.drop)
                    + sum(x.items or 0 for x in stop.drop_loose),
                    "not_packed": sum(loose),
                    "transfer_kinds": _kinds(stop),
                    "hold_slips": " ".join(s.card for s in stop.slips),
                    "load_crates": stop.load_crates,
                    "distance_m": stop.distance,
                }
            )
    return rows


def csv_bytes(sheets: Sequence[RouteSheet]) -> bytes:
    """The stops as CSV, UTF-8 with a byte-order mark (so that Excel reads the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header for _, header in COLUMNS])
    for row in stop_rows(sheets):
        writer.writerow([row[key] for key, _ in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(plan: Plan, sheets: Sequence[RouteSheet]) -> bytes:
    """The stops as an Excel workbook: ``线路 Routes`` (one row per stop) and ``车辆 Vans``
    (one row per van: stops, crates, km, hours)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    routes = book.active
    assert routes is not None
    routes.title = "线路 Routes"
    routes.append([header for _, header in COLUMNS])
    for row in stop_rows(sheets):
        routes.append([row[key] for key, _ in COLUMNS])
    vans = book.create_sheet("车辆 Vans")
    vans.append(
        [
            "车辆 van",
            "司机 driver",
            "停靠站数 stops",
            "箱数 crates",
            "件数 items",
            "里程（公里）distance (km)",
            "时长（小时）duration (h)",
            "出车 out",
            "收车 back",
        ]
    )
    for sheet in sheets:
        vans.append(
            [
                sheet.van,
                sheet.driver or "",
                sheet.visits,
                sheet.crates,
                sheet.items,
                round(sheet.distance / 1000, 2),
                round(sheet.duration / 3600, 2),
                clock(sheet.stops[0].departure),
                clock(sheet.stops[-1].arrival),
            ]
        )
    vans.append([])
    vans.append([f"排班 plan #{plan.id}", plan.day.isoformat()])
    vans.append(["地图与道路数据 © OpenStreetMap contributors (ODbL 1.0)"])
    for ws in (routes, vans):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for i, column in enumerate(ws.iter_cols(min_row=1, max_row=min(ws.max_row, 50)), 1):
            width = max(len(str(c.value or "")) for c in column)
            ws.column_dimensions[get_column_letter(i)].width = min(max(8, width * 1.3), 40)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def gpx_bytes(sheet: RouteSheet, *, creator: str = "shuyun 书运") -> bytes:
    """One van's route as GPX 1.1: the stops as waypoints (numbered as on the sheet), the
    route along the streets as one track segment; WGS-84."""
    ET.register_namespace("", GPX_NS)
    gpx = ET.Element(f"{{{GPX_NS}}}gpx", {"version": "1.1", "creator": creator})
    meta = ET.SubElement(gpx, f"{{{GPX_NS}}}metadata")
    ET.SubElement(meta, f"{{{GPX_NS}}}name").text = f"路单 {sheet.van} · {sheet.day_label}"
    ET.SubElement(
        meta, f"{{{GPX_NS}}}desc"
    ).text = "Map and street data © OpenStreetMap contributors, ODbL 1.0"
    for stop in sheet.stops:
        if stop.site is None or stop.type == "break":
            continue
        wpt = ET.SubElement(
            gpx, f"{{{GPX_NS}}}wpt", {"lat": f"{stop.site.lat:.6f}", "lon": f"{stop.site.lon:.6f}"}
        )
        ET.SubElement(wpt, f"{{{GPX_NS}}}name").text = f"{stop.number} {stop.site.name_zh}"
        crates = " ".join(c.crate_id for c in (*stop.collect, *stop.drop))
        ET.SubElement(wpt, f"{{{GPX_NS}}}desc").text = (
            f"{stop.site.name_en}; {TYPE_WORDS[stop.type]}; 到达 arrival {clock(stop.arrival)}, "
            f"离开 departure {clock(stop.departure)}" + (f"; crates {crates}" if crates else "")
        )
        ET.SubElement(wpt, f"{{{GPX_NS}}}type").text = stop.type
    trk = ET.SubElement(gpx, f"{{{GPX_NS}}}trk")
    ET.SubElement(trk, f"{{{GPX_NS}}}name").text = sheet.van
    segment = ET.SubElement(trk, f"{{{GPX_NS}}}trkseg")
    for lon, lat in sheet.coordinates:
        ET.SubElement(segment, f"{{{GPX_NS}}}trkpt", {"lat": f"{lat:.6f}", "lon": f"{lon:.6f}"})
    ET.indent(gpx)
    return ET.tostring(gpx, encoding="utf-8", xml_declaration=True)


def vroom_json(
    plan: Plan, sheets: Sequence[RouteSheet], sites: Mapping[str, SheetSite]
) -> dict[str, Any]:
    """The stored plan in VROOM's answer shape (``code``, ``summary``, ``unassigned``,
    ``routes`` of ``steps``, each route's ``geometry`` as an encoded polyline).

    VROOM's ids are integers: a vehicle is its route's position + 1 (its code in
    ``description``), a shipment's pickup and delivery are its position in the plan + 1
    (its id in ``description``). Steps are one per shipment visit, as VROOM's; the visits of
    one stored stop share its arrival, and its service time is on the first of them.
    ``duration`` is travel time, ``load`` the crates and kg on board after the step.

    Parameters
    ----------
    plan
        A done plan (:func:`catalog.plans.get_plan`).
    sheets
        Its route sheets, for the routes' geometry (a sheet made without legs has none).
    sites
        The sites by code (:func:`api.sheets.sheet_sites`), for the locations.
    """
    shipments = {s.shipment_id: s for s in plan.shipments}
    number = {s.shipment_id: n for n, s in enumerate(plan.shipments, 1)}
    lonlat = {code: [site.lon, site.lat] for code, site in sites.items()}
    geometry = {sheet.van: sheet.coordinates for sheet in sheets}
    routes = []
    totals = dict.fromkeys(("service", "duration", "waiting_time", "distance"), 0)
    total_cost = 0
    for vehicle, route in enumerate(plan.routes, 1):
        load = [0, 0]
        steps: list[dict[str, Any]] = []
        travel = service = waiting = 0
        previous_departure: int | None = None
        for stop in route.stops:
            if previous_departure is not None:
                travel += max(0, stop.arrival - previous_departure)
            previous_departure = stop.departure
            location = lonlat.get(stop.site_code or "")
            base: dict[str, Any] = {
                "arrival": stop.arrival,
                "duration": travel,
                "setup": 0,
                "waiting_time": stop.waiting,
                "distance": stop.distance,
            }
            if location is not None:
                base["location"] = location
            here_service = stop.departure - stop.service_start
            waiting += stop.waiting
            if stop.type in (PlanStepType.start, PlanStepType.end):
                steps.append({"type": stop.type.value, **base, "service": 0, "load": list(load)})
            elif stop.type is PlanStepType.break_:
                service += here_service
                steps.append(
                    {
                        "type": "break",
                        "id": vehicle,
                        "description": stop.break_id or "break",
                        **base,
                        "service": here_service,
                        "load": list(load),
                    }
                )
            else:
                service += here_service
                sign = 1 if stop.type is PlanStepType.pickup else -1
                for k, sid in enumerate(stop.shipment_ids):
                    shipment = shipments.get(sid)
                    if shipment is not None:
                        load = [load[0] + sign * shipment.crates, load[1] + sign * shipment.kg]
                    steps.append(
                        {
                            "type": stop.type.value,
                            "id": number.get(sid, 0),
                            "description": sid,
                            **base,
                            "service": here_service if k == 0 else 0,
                            "waiting_time": stop.waiting if k == 0 else 0,
                            "load": list(load),
                        }
                    )
        delivered = [
            sum(
                shipments[s].crates
                for st in route.stops
                if st.type is PlanStepType.delivery
                for s in st.shipment_ids
                if s in shipments
            ),
            sum(
                shipments[s].kg
                for st in route.stops
                if st.type is PlanStepType.delivery
                for s in st.shipment_ids
                if s in shipments
            ),
        ]
        out: dict[str, Any] = {
            "vehicle": vehicle,
            "description": route.van_code,
            "cost": round(route.cost),
            "delivery": delivered,
            "pickup": delivered,
            "setup": 0,
            "service": service,
            "duration": travel,
            "waiting_time": waiting,
            "priority": 0,
            "distance": route.distance,
            "steps": steps,
        }
        if geometry.get(route.van_code):
            out["geometry"] = polyline(geometry[route.van_code])
        routes.append(out)
        total_cost += round(route.cost)
        for key, value in (
            ("service", service),
            ("duration", travel),
            ("waiting_time", waiting),
            ("distance", route.distance),
        ):
            totals[key] += value
    unassigned = []
    for left in plan.unplanned:
        shipment = shipments.get(left.shipment_id)
        for kind, site in (
            ("pickup", shipment.pickup_site_code if shipment else None),
            ("delivery", shipment.delivery_site_code if shipment else None),
        ):
            task: dict[str, Any] = {
                "id": number.get(left.shipment_id, 0),
                "type": kind,
                "description": f"{left.shipment_id}: {left.reason}",
            }
            if site in lonlat:
                task["location"] = lonlat[site]
            unassigned.append(task)
    moved = [sum(r["delivery"][0] for r in routes), sum(r["delivery"][1] for r in routes)]
    return {
        "code": 0,
        "summary": {
            "cost": total_cost,
            "routes": len(routes),
            "unassigned": len(unassigned),
            "delivery": moved,
            "amount": moved,
            "pickup": moved,
            "setup": 0,
            "priority": 0,
            "violations": [],
            **totals,
        },
        "unassigned": unassigned,
        "routes": routes,
    }
