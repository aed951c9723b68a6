"""The branch desk (``/ui/desk``): returns checked in by barcode and where each copy goes next,
holds placed and cancelled for a reader with the expected pickup date (预计到馆日期), and a
crate received by its scan and then its copies', missing and extra copies flagged.

Branch staff work at their own site; an admin chooses one. The page calls ``POST /returns``,
``POST /holds``, ``POST /holds/{id}/cancel``, ``GET /records/search``, ``GET /crates/{id}``
and ``POST /crates/{id}/drop``, with the account's own rights.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.web.i18n import Texts
from api.web.pages import render

__all__ = ["DESK_TEXTS", "router"]

router = APIRouter(include_in_schema=False)

DESK_TEXTS: Texts = {
    "desk_title": ("分馆服务台", "Branch desk"),
    "desk_h": ("服务台", "Branch desk"),
    "site": ("本馆", "Site"),
    "site_choose": ("选择站点", "Choose a site"),
    "site_fixed": ("本馆：{name}（{code}）", "Site: {name} ({code})"),
    "site_needed": ("请先选择站点", "Choose a site first"),
    "return_h": ("还书", "Check in a return"),
    "barcode": ("图书条码", "Copy barcode"),
    "check_in": ("还书", "Check in"),
    "goes_shelf": ("放回本馆书架", "Back on the shelf here"),
    "goes_hold_shelf": ("放上预约书架，附预约单", "On the hold shelf here, with the slip"),
    "goes_crate": (
        "放入周转箱 {crate}，送往 {site}（{code}）",
        "Into crate {crate}, for {site} ({code})",
    ),
    "goes_crate_none": ("装箱送往 {site}（{code}）", "Pack it for {site} ({code})"),
    "kind_hold": ("预约", "hold"),
    "kind_return_home": ("还回原馆", "going home"),
    "kind_new_stock": ("新书配送", "new stock"),
    "kind_rebalance": ("调剂", "rebalancing"),
    "slip_h": ("预约单", "Hold slip"),
    "slip_line": (
        "预约 {id} · {title} · 读者证尾号 {last4}",
        "Hold {id} · {title} · card ending {last4}",
    ),
    "card_tail": ("预约 {id} · 读者证尾号 {last4}", "Hold {id} · card ending {last4}"),
    "holds_h": ("预约", "Holds"),
    "card": ("读者证号", "Library card number"),
    "search": ("书名、作者或 ISBN", "Title, author or ISBN"),
    "find": ("检索", "Search"),
    "no_hits": ("没有找到", "Nothing found"),
    "hits_h": ("检索结果", "Search results"),
    "available": ("可借 {n} / 共 {copies} 册", "{n} of {copies} copies free"),
    "place_hold": ("为读者预约", "Place a hold"),
    "place_hold_for": ("预约《{title}》", "Place a hold on “{title}”"),
    "card_needed": ("请先输入读者证号", "Type the card number first"),
    "hold_placed": ("已预约：预约 {id}", "Hold {id} placed"),
    "hold_cancelled": ("已取消预约 {id}", "Hold {id} cancelled"),
    "my_holds_h": ("本次办理的预约", "Holds placed here this session"),
    "hold_line": (
        "预约 {id} · {title} · 读者证尾号 {last4} · {status}",
        "Hold {id} · {title} · card ending {last4} · {status}",
    ),
    "expected": ("预计到馆日期：{date}", "Expected pickup date (预计到馆日期): {date}"),
    "expected_unknown": (
        "预计到馆日期：待定（暂无可用副本）",
        "Expected pickup date: not known yet (no copy free)",
    ),
    "cancel_hold": ("取消预约 {id}", "Cancel hold {id}"),
    "hold_lookup": ("预约编号", "Hold number"),
    "look_up": ("查询", "Look up"),
    "status_waiting": ("等待副本", "waiting for a copy"),
    "status_assigned": ("已选定副本，运送中", "copy chosen, on its way"),
    "status_ready": ("已上预约书架", "on the hold shelf"),
    "status_collected": ("已取走", "collected"),
    "status_cancelled": ("已取消", "cancelled"),
    "crate_h": ("接收周转箱", "Receive a crate"),
    "crate_id": ("周转箱编号", "Crate id"),
    "receive": ("接收", "Receive"),
    "crate_received": (
        "周转箱 {id} 已送达本馆：{n} 册，请逐册扫描核对",
        "Crate {id} delivered here: {n} copies; scan each to check",
    ),
    "crate_copy": ("箱内图书条码", "Barcode of a copy in the crate"),
    "check_copy": ("核对", "Check"),
    "checked": ("已核对", "checked"),
    "expected_copy": ("待核对", "to check"),
    "missing": ("缺失", "missing"),
    "extra": (
        "多出：{barcode} 不在周转箱 {id} 的清单中",
        "Extra: {barcode} is not on crate {id}'s list",
    ),
    "copy_checked": ("{barcode} 已核对（{done}/{n}）", "{barcode} checked ({done}/{n})"),
    "copy_again": ("{barcode} 已核对过", "{barcode} was checked already"),
    "finish_check": ("核对完毕", "Finish the check"),
    "all_present": ("全部到齐：{n} 册", "All {n} copies are here"),
    "missing_count": ("缺失 {n} 册：{list}", "{n} missing: {list}"),
    "extra_h": ("多出的图书", "Extra copies"),
    "goes_after": ("去向：{where}", "Goes: {where}"),
}


@router.get("/ui/desk", response_class=HTMLResponse)
def desk_page(request: Request) -> Response:
    return render(request, "desk.html.j2", DESK_TEXTS, title="desk_title")
