"""The KPI page (绩效考评, ``/ui/kpis``): a period's figures per site and per van, as tables and
bar charts drawn by the page's own script (inline SVG, no chart library), with the CSV and Excel
exports of ``GET /kpis.csv`` and ``/kpis.xlsx``. The columns and their names are the exports'
(:data:`api.kpi_exports.COLUMNS`), so the page and the files agree."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from api.kpi_exports import COLUMNS, TABLES
from api.web.i18n import Texts, language
from api.web.pages import render

__all__ = ["KPI_TEXTS", "router"]

router = APIRouter(include_in_schema=False)

KPI_TEXTS: Texts = {
    "kpis_title": ("绩效考评", "KPI evaluation"),
    "kpis_hint": (
        "各站点与各车辆在所选日期内（含首尾两日）的考评指标；图表与下方表格同源。",
        "Each site's and each van's measures over the chosen days (both included); the charts "
        "draw the tables below.",
    ),
    "from": ("开始日期", "From"),
    "to": ("结束日期", "To"),
    "site": ("站点", "Site"),
    "all_sites": ("全部站点", "All sites"),
    "show": ("显示", "Show"),
    "downloads": ("导出", "Export"),
    "csv_sites": ("站点表 CSV", "Sites CSV"),
    "csv_vans": ("车辆表 CSV", "Vans CSV"),
    "csv_visits": ("到站表 CSV", "Visits CSV"),
    "xlsx": ("Excel 工作簿", "Excel workbook"),
    "sites_heading": ("站点", "Sites"),
    "vans_heading": ("车辆", "Vans"),
    "visits_heading": ("到站（计划与实际）", "Van visits (planned and actual)"),
    "visits_show": ("每次到站的计划与首次扫描时间", "Each visit's planned arrival and first scan"),
    "chart_loans": ("各站点借出与归还", "Loans and returns per site"),
    "chart_fill": ("预约上架时间中位数（小时）", "Hold fill time, median (hours)"),
    "chart_km": ("各车辆里程（公里）", "Kilometres per van"),
    "chart_use": ("各车辆装载（占容量）", "Van loads (share of capacity)"),
    "peak_load": ("最高装载率", "peak load"),
    "turnover": ("装车周转", "turnover"),
    "loans": ("借出", "loans"),
    "returns": ("归还", "returns"),
    "no_vans": (
        "所选日期内没有已完成的排班，没有车辆数据。",
        "No done plan in these days: no van figures.",
    ),
    "no_rows": ("无数据", "Nothing in these days"),
    "no_scan": ("无扫描", "no scan"),
    "period": ("{from} 至 {to}", "{from} to {to}"),
    "lost_after": (
        "在途超过 {days} 天计为丢失。",
        "An item in transit {days} days or more counts as lost.",
    ),
    "forbidden": (
        "绩效考评仅供规划员与管理员查看。",
        "The KPIs are for planners and admins.",
    ),
}


PAGE_UNITS = {
    "fill_median_s": ("小时", "h"),
    "fill_p90_s": ("小时", "h"),
    "delay_median_s": ("分钟", "min"),
    "delay_p90_s": ("分钟", "min"),
    "delay_s": ("分钟", "min"),
}
"""Durations the page shows in hours or minutes (the exports keep seconds)."""


def _header(key: str, zh: str, en: str, lang: str) -> str:
    if key in PAGE_UNITS:
        unit_zh, unit_en = PAGE_UNITS[key]
        zh, en = zh.replace("（秒）", f"（{unit_zh}）"), en.replace("(s)", f"({unit_en})")
    return zh if lang == "zh" else en


def _columns(lang: str) -> dict[str, list[list[str]]]:
    """Each table's ``[key, header]`` in the reader's language."""
    return {
        table: [[c.key, _header(c.key, c.zh, c.en, lang)] for c in COLUMNS[table]]
        for table in TABLES
    }


@router.get("/ui/kpis", response_class=HTMLResponse)
def kpis_page(request: Request) -> Response:
    columns = json.dumps(_columns(language(request)), ensure_ascii=False).replace("<", "\\u003c")
    return render(
        request, "kpis.html.j2", KPI_TEXTS, title="kpis_title", columns_json=Markup(columns)
    )
