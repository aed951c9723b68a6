"""The dispatcher console (调度台, ``/ui/console``): a van day's open transfers, planning it with
the job's progress, the routes on our own street map, a timeline per van, the unplanned
transfers with what would fix them, and the dispatcher's edits (move, lock, check, re-plan,
diff, accept).

The page is served empty and filled by ``console.js`` from the same API everyone calls, with
the reader's token: dispatchers and admins edit, planners read (the API refuses them the
rest). Its texts are this module's table, Chinese first.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.web.i18n import Texts
from api.web.pages import render

__all__ = ["CONSOLE_TEXTS", "router"]

router = APIRouter(include_in_schema=False)

CONSOLE_TEXTS: Texts = {
    "console_title": ("调度台", "Dispatch console"),
    "lang_name": ("zh", "en"),
    "day": ("配送日", "Van day"),
    "plan_shown": ("显示的排班", "Plan shown"),
    "plan_day": ("排班", "Plan the day"),
    "plan_none": ("该日尚无排班", "No plan for this day yet"),
    "plan_label": ("排班 #{id}（{status}）", "Plan #{id} ({status})"),
    "plan_in_force": ("现行", "in force"),
    "plan_proposal": ("待采用", "awaiting acceptance"),
    "plan_history": ("历史", "history"),
    "status_queued": ("排队中", "queued"),
    "status_running": ("求解中", "running"),
    "status_done": ("已完成", "done"),
    "status_failed": ("失败", "failed"),
    "status_cancelled": ("已取消", "cancelled"),
    "phase_loading_network": ("读取路网", "loading the street network"),
    "phase_building_day": ("整理当日调拨", "building the day"),
    "phase_solving": ("求解", "solving"),
    "phase_recording": ("记录", "recording"),
    "progress": ("排班进度", "Planning progress"),
    "progress_text": (
        "排班 #{id}：{status} {phase} {percent}%",
        "Plan #{id}: {status} {phase} {percent}%",
    ),
    "read_only": (
        "规划员只读：可查看排班，不能修改。",
        "Planners read only: the plans are shown, not changed.",
    ),
    "history_read_only": (
        "此排班已被 #{id} 取代，仅供查看。",
        "This plan is superseded by #{id}: shown, not edited.",
    ),
    "summary_title": ("未完成调拨", "Open transfers"),
    "summary_totals": (
        "共 {total} 件，约 {crates} 箱；预约 {holds} 件",
        "{total} transfers, about {crates} crates; {holds} holds",
    ),
    "site": ("站点", "Site"),
    "site_kind": ("类型", "Kind"),
    "outgoing": ("取件", "To pick up"),
    "incoming": ("送达", "To deliver"),
    "crates": ("箱数", "Crates"),
    "holds": ("预约", "Holds"),
    "hold_deadline": ("最早期限", "Earliest deadline"),
    "kind_hold": ("预约", "hold"),
    "kind_return_home": ("还回原馆", "return home"),
    "kind_new_stock": ("新书", "new stock"),
    "kind_rebalance": ("调剂", "rebalance"),
    "site_central": ("总馆", "central library"),
    "site_branch": ("分馆", "branch"),
    "site_service_point": ("服务点", "service point"),
    "map_title": ("线路图", "Route map"),
    "map_label": ("碑林区街道与配送线路地图", "Map of the Beilin streets and the van routes"),
    "streets_missing": ("街道图层不可用", "The street layer is unavailable"),
    "legend": ("图例", "Legend"),
    "timeline_title": ("车辆时间线", "Timeline per van"),
    "seg_drive": ("行驶", "drive"),
    "seg_wait": ("等待", "wait"),
    "seg_service": ("装卸", "service"),
    "seg_break": ("午休", "lunch break"),
    "seg_closed": ("分馆午间闭馆", "branch lunch closure"),
    "seg_violation": ("违反规则", "rule broken"),
    "routes_title": ("线路与站点（可拖动调整）", "Routes and stops (drag to rearrange)"),
    "routes_hint": (
        "拖动站点到另一辆车或另一位置；也可用每站的“移动”选择车辆与位置。锁定的站点在重新排班时保持车辆和顺序。",
        "Drag a stop to another van or place, or use each stop's “Move” to choose the van and "
        "position. Locked stops keep their van and order when the day is planned again.",
    ),
    "van": ("车辆", "Van"),
    "driver": ("司机", "Driver"),
    "van_summary": (
        "{van}（司机 {driver}）：{stops} 站，{km} 公里，{hours} 小时",
        "{van} (driver {driver}): {stops} stops, {km} km, {hours} h",
    ),
    "no_driver": ("未指定", "none"),
    "stop_pickup": ("取件", "pick up"),
    "stop_delivery": ("送达", "deliver"),
    "stop_break": ("午休", "lunch break"),
    "stop_start": ("出发", "start"),
    "stop_end": ("返回", "back"),
    "stop_line": ("{n}. {site} {type}", "{n}. {site} {type}"),
    "stop_times": ("到 {arrival} · 离 {departure}", "arrive {arrival} · leave {departure}"),
    "lock": ("锁定", "Lock"),
    "locked": ("已锁定", "locked"),
    "move": ("移动", "Move"),
    "move_to_van": ("移到车辆", "To van"),
    "move_to_position": ("位置（第几站）", "Position (stop number)"),
    "move_do": ("移动", "Move"),
    "drop_here": ("放到此车末尾", "Drop at the end of this van"),
    "sheet_html": ("路单", "Route sheet"),
    "sheet_pdf": ("路单 PDF", "Route sheet PDF"),
    "labels_pdf": ("周转箱标签 PDF", "Crate labels PDF"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "export_xlsx": ("导出 Excel", "Export Excel"),
    "export_vroom": ("导出 VROOM JSON", "Export VROOM JSON"),
    "files": ("路单与导出", "Route sheets and exports"),
    "check_title": ("规则检查", "Rule check"),
    "check_ok": ("没有违反规则。", "No rule is broken."),
    "check_bad": ("{n} 处违反规则：", "{n} rules broken:"),
    "unplanned_title": ("未安排的调拨", "Transfers not planned"),
    "unplanned_none": ("全部已安排。", "Everything is planned."),
    "shipment": ("批次", "Shipment"),
    "transfers": ("调拨数", "Transfers"),
    "from_to": ("从 → 到", "From → to"),
    "reason": ("原因", "Reason"),
    "fix": ("怎样才能安排", "What would fix it"),
    "fix_deferred_capacity": ("再派一辆车，或明天配送", "another van, or tomorrow's vans"),
    "fix_time_window": (
        "调整站点开放时间，或更早出车",
        "longer opening hours, or an earlier start",
    ),
    "fix_deadline": ("放宽预约期限，或改派更近的车", "a later deadline, or a van nearer by"),
    "fix_capacity_exceeds_van": ("拆成多箱，或派更大的车", "split it, or a larger van"),
    "fix_unreachable": ("核对站点位置与路网", "check the site's place on the street map"),
    "fix_shift": ("延长司机班次，或再派一辆车", "a longer shift, or another van"),
    "fix_skills": ("派一辆具备条件的车", "a van with what it needs"),
    "fix_no_vehicle": ("为当天安排车辆", "vans for the day"),
    "fix_time_limit": ("给求解更多时间后重新排班", "plan again with more time"),
    "fix_lock_infeasible": ("解除或调整锁定的站点", "unlock or change the locked stops"),
    "fix_site_closed": ("等站点开馆，或改期", "wait for the site to open, or another day"),
    "fix_no_van_day": ("增加该站点的配送日", "another van day for the site"),
    "fix_other": ("请调度员处理", "a dispatcher's decision"),
    "replan": ("按锁定重新排班", "Re-plan around the locks"),
    "replan_busy": ("正在重新排班……", "Re-planning…"),
    "replan_now": ("从当前位置重排余下行程", "Re-plan the rest of the day"),
    "replan_now_hint": (
        "已扫描的站点不变，各车从最后扫描处出发，车上图书由该车送达",
        "the stops scanned stay; each van goes on from its last scan with the copies it carries",
    ),
    "diff_title": ("重新排班与原排班的差别", "The re-plan against the plan before"),
    "diff_intro": ("排班 #{id} 相对 #{against}：", "Plan #{id} against #{against}:"),
    "diff_moved": ("{n} 站变动", "{n} stops moved"),
    "diff_move_line": (
        "{site} {type}：{from_van} 第 {from_pos} 站 → {to_van} 第 {to_pos} 站",
        "{site} {type}: {from_van} stop {from_pos} → {to_van} stop {to_pos}",
    ),
    "diff_totals": (
        "里程 {km_before} → {km_after} 公里；时长 {hours_before} → {hours_after} 小时",
        "distance {km_before} → {km_after} km; duration {hours_before} → {hours_after} h",
    ),
    "diff_newly_planned": ("新安排 {n} 批", "{n} shipments newly planned"),
    "diff_newly_unplanned": ("新延后 {n} 批", "{n} shipments newly left out"),
    "accept": ("采用重新排班", "Accept the re-plan"),
    "discard": ("保留原排班", "Keep the plan before"),
    "accepted": ("已采用排班 #{id}。", "Plan #{id} accepted."),
    "kept": (
        "保留排班 #{id}；重新排班 #{other} 作为历史保存。",
        "Plan #{id} kept; re-plan #{other} stays as history.",
    ),
    "proposal_waiting": (
        "重新排班 #{id} 待采用：",
        "Re-plan #{id} awaits acceptance:",
    ),
    "edit_saved": ("已保存（版本 {version}）。", "Saved (version {version})."),
    "day_title": ("当日执行", "During the day"),
    "van_progress": (
        "已完成 {done}/{stops} 站，延误 {delay} 分钟",
        "{done}/{stops} stops done, {delay} min behind",
    ),
    "scan_arrived": ("扫描到站 {time}", "scanned at {time}"),
    "scan_left": ("，离站 {time}", ", left {time}"),
    "scan_partly": ("，部分已扫描", ", partly scanned"),
    "late_by": ("晚 {n} 分钟", "{n} min late"),
    "early_by": ("早 {n} 分钟", "{n} min early"),
    "on_time": ("准时", "on time"),
    "risk_overdue": (
        "有风险：已过计划离站时间仍未扫描",
        "at risk: past its planned departure, not scanned",
    ),
    "risk_closing": (
        "有风险：按当前延误预计 {expected} 开始，站点 {closes} 闭馆",
        "at risk: at the delay so far it starts {expected}, the site closes {closes}",
    ),
    "km": ("公里", "km"),
    "hours": ("小时", "h"),
}
"""The console's texts (with the common ones of :mod:`api.web.i18n`)."""


@router.get("/ui/console", response_class=HTMLResponse)
def console(request: Request) -> Response:
    """The console page; its script checks the role (dispatcher, admin, planner)."""
    return render(request, "console.html.j2", CONSOLE_TEXTS, title="console_title")
