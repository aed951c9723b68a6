"""The KPI report (:class:`api.schemas.kpis.KpiReport`) as tables: CSV and Excel.

One list of columns per table (sites, vans, visits) holds each column's key in the report and
its headers in Chinese and English, so the CSV, the workbook and the console page show the
same columns under the same names. A site's ``sent`` and ``received`` counts become one
column per transfer kind (``sent_hold`` ...).

CSV is UTF-8 with a byte-order mark, which spreadsheet programs need to read Chinese
headers; the workbook has one sheet per table and a sheet saying what the period was.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Font

from api.schemas.kpis import KpiReport
from catalog.kpis import KINDS

__all__ = ["COLUMNS", "TABLES", "Column", "report_csv", "report_xlsx", "table_rows"]

Table = Literal["sites", "vans", "visits"]
TABLES: tuple[Table, ...] = ("sites", "vans", "visits")

_KIND_ZH = {"hold": "预约", "return_home": "归还回馆", "new_stock": "新书", "rebalance": "调剂"}


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its key in the report's rows, its headers."""

    key: str
    zh: str
    en: str

    @property
    def header(self) -> str:
        """``中文 / English``, as every bilingual label of the service."""
        return f"{self.zh} / {self.en}"


_SITE_COLUMNS = (
    Column("site_code", "站点", "site"),
    Column("name_zh", "名称", "name (Chinese)"),
    Column("name_en", "英文名称", "name"),
    Column("kind", "类型", "kind"),
    Column("loans", "借出", "loans"),
    Column("returns", "归还", "returns"),
    Column("returns_from_elsewhere", "他馆借出本馆还", "returns of loans made elsewhere"),
    Column("away_share", "通借通还占比", "borrow-anywhere share"),
    Column("returned_elsewhere", "本馆借出他馆还", "loans returned elsewhere"),
    Column("holds_placed", "预约数", "holds placed"),
    Column("holds_filled", "预约上架", "holds filled"),
    Column("fill_median_s", "上架时间中位数（秒）", "fill time median (s)"),
    Column("fill_p90_s", "上架时间90分位（秒）", "fill time 90th percentile (s)"),
    Column("on_time_rate", "按期上架率", "on-time rate"),
    *(Column(f"sent_{k}", f"发出·{_KIND_ZH[k]}", f"sent {k}") for k in KINDS),
    *(Column(f"received_{k}", f"收到·{_KIND_ZH[k]}", f"received {k}") for k in KINDS),
    Column("lost_in_transit", "在途丢失", "lost in transit"),
    Column("visits", "到站次数", "van visits"),
    Column("crates_handled", "装卸箱数", "crates handled"),
    Column("crates_per_visit", "每次到站箱数", "crates per visit"),
)
_VAN_COLUMNS = (
    Column("van_code", "车辆", "van"),
    Column("routes", "出车天数", "routes"),
    Column("km", "公里", "km"),
    Column("hours", "小时", "hours"),
    Column("crates", "装车箱数", "crates loaded"),
    Column("capacity_crates", "容量（箱）", "capacity (crates)"),
    Column(
        "utilisation",
        "装车周转（装车箱数÷容量×出车天数）",
        "turnover (crates loaded / capacity x routes)",
    ),
    Column("peak_load_share", "最高装载率", "peak load share"),
    Column("visits", "到站次数", "visits"),
    Column("scanned_visits", "有扫描", "visits scanned"),
    Column("unscanned_visits", "无扫描", "visits without a scan"),
    Column("delay_median_s", "晚到中位数（秒）", "delay median (s)"),
    Column("delay_p90_s", "晚到90分位（秒）", "delay 90th percentile (s)"),
)
_VISIT_COLUMNS = (
    Column("day", "日期", "day"),
    Column("van_code", "车辆", "van"),
    Column("visit", "到站序号", "visit"),
    Column("site_code", "站点", "site"),
    Column("steps", "作业数", "steps"),
    Column("crates", "装卸箱数", "crates"),
    Column("planned", "计划到达", "planned arrival"),
    Column("actual", "实际（首次扫描）", "actual (first scan)"),
    Column("delay_s", "晚到（秒）", "delay (s)"),
)
COLUMNS: dict[Table, tuple[Column, ...]] = {
    "sites": _SITE_COLUMNS,
    "vans": _VAN_COLUMNS,
    "visits": _VISIT_COLUMNS,
}
_SHEET_NAMES = {"sites": "站点 sites", "vans": "车辆 vans", "visits": "到站 visits"}


def table_rows(report: KpiReport, table: Table) -> list[dict[str, Any]]:
    """The rows of one table, flat (a value per :data:`COLUMNS` key)."""
    rows: list[dict[str, Any]] = []
    for item in getattr(report, table):
        row = item.model_dump()
        if table == "sites":
            for kind in KINDS:
                row[f"sent_{kind}"] = row["sent"].get(kind, 0)
                row[f"received_{kind}"] = row["received"].get(kind, 0)
        rows.append({c.key: row[c.key] for c in COLUMNS[table]})
    return rows


def _cell(value: Any) -> Any:
    """A value as a cell: datetimes (on the library's clock) and dates as ISO text in CSV,
    None as empty."""
    if value is None:
        return ""
    value = _excel(value)
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return value


def _excel(value: Any) -> Any:
    """Excel keeps no time zone: a library-clock time is written as its wall-clock reading."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def report_csv(report: KpiReport, table: Table = "sites") -> str:
    """One table of the report as CSV text (headers ``中文 / English``), with a BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS[table]])
    for row in table_rows(report, table):
        writer.writerow([_cell(v) for v in row.values()])
    return "\ufeff" + out.getvalue()


def _sheet(
    book: Workbook, title: str, columns: Sequence[Column], rows: list[dict[str, Any]]
) -> None:
    sheet = book.create_sheet(title)
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_excel(row[c.key]) for c in columns])
    sheet.freeze_panes = "A2"
    for n, column in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=n).column_letter
        sheet.column_dimensions[letter].width = max(10, min(40, len(column.header) + 2))


def report_xlsx(report: KpiReport) -> bytes:
    """The report as an Excel workbook: a sheet per table and one for the period."""
    book = Workbook()
    about = book.active
    assert about is not None
    about.title = "说明 about"
    about.append(["绩效考评 / KPI evaluation"])
    about.append(["开始 / from", report.start])
    about.append(["结束 / to", report.end])
    about.append(["在途丢失阈值（天）/ lost after (days)", report.lost_after_days])
    for table in TABLES:
        _sheet(book, _SHEET_NAMES[table], COLUMNS[table], table_rows(report, table))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
