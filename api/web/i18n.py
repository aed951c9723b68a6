"""The pages' languages: zh-CN first, English second, the reader's choice kept in a cookie.

A page's texts are a table ``{key: (中文, English)}``; :func:`texts` picks one language from the
common table and the page's own, and the template (``t('key')``) and the page's script (the JSON
in ``<script id="texts">``) read the same strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from fastapi import Request

__all__ = ["COMMON", "LANG_COOKIE", "Lang", "Texts", "language", "texts"]

Lang = Literal["zh", "en"]
Texts = Mapping[str, tuple[str, str]]

LANG_COOKIE = "shuyun_lang"

COMMON: Texts = {
    "app": ("书运", "shuyun"),
    "app_long": ("书运 · 碑林区图书馆总分馆物流", "shuyun · Beilin District library logistics"),
    "app_sub": ("碑林区图书馆总分馆物流", "Beilin District library logistics"),
    "switch_lang": ("English", "中文"),
    "switch_lang_title": ("Switch to English", "切换到中文"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "signing_in": ("正在登录……", "Signing in…"),
    "signed_in_as": ("当前账户", "Signed in as"),
    "loading": ("加载中……", "Loading…"),
    "error": ("出错了", "Something went wrong"),
    "offline": ("离线", "Offline"),
    "online": ("在线", "Online"),
    "nav": ("导航", "Navigation"),
    "nav_console": ("调度台", "Dispatch console"),
    "nav_driver": ("司机", "Driver"),
    "nav_desk": ("服务台", "Branch desk"),
    "nav_kpis": ("绩效考评", "KPIs"),
    "nav_docs": ("接口文档", "API docs"),
    "role_dispatcher": ("调度员", "dispatcher"),
    "role_driver": ("司机", "driver"),
    "role_branch_staff": ("分馆馆员", "branch staff"),
    "role_planner": ("规划员", "planner"),
    "role_admin": ("管理员", "admin"),
    "credit": (
        "地图与道路数据 © OpenStreetMap contributors（ODbL 1.0）",
        "Map and street data © OpenStreetMap contributors (ODbL 1.0)",
    ),
    "assets_missing": (
        "页面资源未安装（请运行 make 以执行 npm ci）",
        "The page assets are not installed (run make, which runs npm ci)",
    ),
}
"""Texts every page has: the header, the sign-in, the roles, the map credit."""


def language(request: Request) -> Lang:
    """The reader's language: ``?lang=`` first, then the cookie, then Chinese."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh"
    return "en" if asked.lower().startswith("en") else "zh"


def texts(lang: Lang, *tables: Texts) -> dict[str, str]:
    """One language's strings of the common table and then ``tables`` (later keys win)."""
    column = 0 if lang == "zh" else 1
    chosen: dict[str, str] = {}
    for table in (COMMON, *tables):
        chosen.update({key: pair[column] for key, pair in table.items()})
    return chosen
