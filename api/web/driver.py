"""The driver's phone page (``/ui/driver``): today's route of the signed-in driver, the next stop
with its directions and its work, scans by camera (jsQR) or typed, kept on the phone while
offline; and its service worker (``/ui/driver-sw.js``), which keeps the page's shell for a
reload without signal.

The page reads ``GET /me/route/work`` and scans with ``POST /crates/{id}/pickup|drop`` (a
crate) or ``POST /transfers/pickup|drop`` (a loose copy), as any client of the API would.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.web.assets import STATIC_DIR
from api.web.i18n import Texts
from api.web.pages import render
from catalog.clock import library_today

__all__ = ["DRIVER_TEXTS", "router"]

router = APIRouter(include_in_schema=False)

DRIVER_TEXTS: Texts = {
    "driver_title": ("司机 · 今日线路", "Driver · today's route"),
    "route_h": ("我的线路", "My route"),
    "day": ("配送日", "Van day"),
    "today": ("今天", "Today"),
    "tomorrow": ("明天", "Tomorrow"),
    "show": ("查看", "Show"),
    "no_route": ("{day} 没有我的线路：{why}", "No route of mine on {day}: {why}"),
    "cached_route": (
        "离线：显示上次取得的线路（{at}）",
        "Offline: showing the route as last fetched ({at})",
    ),
    "no_cached_route": (
        "离线且手机上没有这一天的线路",
        "Offline, and this phone has no copy of that day's route",
    ),
    "summary": (
        "车辆 {van} · 排班 {plan} · {stops} 站 · {km} 公里",
        "Van {van} · plan {plan} · {stops} stops · {km} km",
    ),
    "sheet_html": ("路单（网页）", "Route sheet (HTML)"),
    "sheet_pdf": ("路单（PDF）", "Route sheet (PDF)"),
    "sheet_missing": ("路单暂不可用：{why}", "The route sheet is not available: {why}"),
    "next_stop_h": ("下一站", "Next stop"),
    "chosen_stop_h": ("当前站点", "Current stop"),
    "all_done": ("今日任务已全部完成", "All of today's work is done"),
    "arrive_at": ("预计到达 {time}", "Planned arrival {time}"),
    "collect": ("取件", "Collect"),
    "drop": ("送达", "Drop"),
    "directions_h": ("行车路线（自 {from}）", "Directions (from {from})"),
    "leg_summary": ("{km} 公里，约 {min} 分钟", "{km} km, about {min} min"),
    "crates_h": ("周转箱", "Crates"),
    "loose_h": ("未装箱的书", "Loose copies"),
    "nothing_here": ("本站无待扫描物品", "Nothing to scan here"),
    "crate_line": ("{id} → {dest}（{n} 册）", "{id} → {dest} ({n} copies)"),
    "slip": ("预约单 · 读者证尾号 {last4}", "Hold slip · card ending {last4}"),
    "state_todo": ("待扫描", "to scan"),
    "state_done": ("已完成", "done"),
    "state_queued": ("待发送", "queued"),
    "scan_h": ("扫描确认", "Confirm by scan"),
    "scan_label": ("周转箱编号或图书条码", "Crate id or copy barcode"),
    "confirm": ("确认", "Confirm"),
    "camera_start": ("用摄像头扫码", "Scan with the camera"),
    "camera_stop": ("关闭摄像头", "Stop the camera"),
    "camera_label": ("摄像头画面", "Camera view"),
    "camera_none": (
        "此设备或浏览器没有可用的摄像头，请手动输入编号",
        "No camera on this device or browser: type the id instead",
    ),
    "camera_insecure": (
        "摄像头只能在 HTTPS 或本机地址下使用，请手动输入编号",
        "The camera works only over HTTPS or on this machine: type the id instead",
    ),
    "camera_denied": (
        "未获准使用摄像头（请在浏览器设置中允许），请手动输入编号",
        "Camera permission refused (allow it in the browser's settings): type the id instead",
    ),
    "camera_failed": ("摄像头无法启动：{why}", "The camera could not start: {why}"),
    "camera_no_reader": ("二维码识别库未加载", "The QR reader did not load"),
    "empty_code": ("请输入或扫描编号", "Type or scan an id"),
    "no_stop": ("请先选择一个取件或送达站点", "Choose a pickup or drop stop first"),
    "queued": (
        "已记录 {code}（{action} @ {site}），恢复网络后发送",
        "Kept {code} ({action} at {site}); it is sent when the signal returns",
    ),
    "already_queued": (
        "{code} 已在待发送队列中",
        "{code} is queued already",
    ),
    "sent": ("已确认 {code}：{action} @ {site}", "Confirmed {code}: {action} at {site}"),
    "refused": ("{code} 被拒绝：{why}", "{code} refused: {why}"),
    "queue_h": ("待发送的扫描", "Scans waiting to be sent"),
    "queue_count": ("待发送 {n} 条", "{n} queued"),
    "queue_empty": ("没有待发送的扫描", "No scan waiting"),
    "refused_h": ("被拒绝的扫描", "Refused scans"),
    "dismiss": ("知道了", "Dismiss"),
    "stops_h": ("全部站点", "All stops"),
    "start": ("出发", "Start"),
    "end": ("收车", "End"),
    "break": ("午休", "Break"),
    "retrying": ("网络不可用，{s} 秒后重试", "No network: retrying in {s} s"),
}


@router.get("/ui/driver", response_class=HTMLResponse)
def driver_page(request: Request) -> Response:
    # The page is the same for every driver: the route comes from the API with the token.
    response = render(
        request,
        "driver.html.j2",
        DRIVER_TEXTS,
        title="driver_title",
        today=library_today().isoformat(),
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@router.get("/ui/driver-sw.js")
def driver_service_worker() -> Response:
    # Served from /ui/ (not /ui/static/) so that its scope may cover /ui/driver.
    return FileResponse(
        STATIC_DIR / "driver-sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache"},
    )
