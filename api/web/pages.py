"""The pages every role shares: the way in (``/`` → ``/ui/``), sign-in, the language switch;
and :func:`render`, which every page module uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from api.web.i18n import LANG_COOKIE, Texts, language, texts

__all__ = ["render", "router", "templates"]

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))

router = APIRouter(include_in_schema=False)

LOGIN_TEXTS: Texts = {
    "login_title": ("登录书运", "Sign in to shuyun"),
    "login_hint": (
        "调度员、司机、分馆馆员、规划员与管理员使用各自的账户登录。",
        "Dispatchers, drivers, branch staff, planners and admins sign in with their own account.",
    ),
    "login_failed": ("登录失败", "Sign-in failed"),
}

ONE_YEAR = 365 * 24 * 3600


def render(
    request: Request, template: str, page_texts: Texts, *, title: str, **context: Any
) -> Response:
    """``template`` in the reader's language.

    The template gets ``t`` (this page's strings), ``texts_json`` (the same for the page's
    script), ``lang``, ``title`` (a key of ``page_texts``) and ``context``. A ``?lang=`` in
    the address is remembered in a cookie.
    """
    lang = language(request)
    strings = texts(lang, page_texts)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "t": strings,
            "texts_json": Markup(json.dumps(strings, ensure_ascii=False).replace("<", "\\u003c")),
            "lang": lang,
            "html_lang": "zh-CN" if lang == "zh" else "en",
            "title": strings.get(title, title),
            "assets_installed": getattr(request.app.state, "web_assets_installed", False),
            "web_fonts": getattr(request.app.state, "web_fonts", ()),
            **context,
        },
    )
    if "lang" in request.query_params:
        response.set_cookie(LANG_COOKIE, lang, max_age=ONE_YEAR, samesite="lax")
    return response


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=307)


@router.get("/ui/")
def home() -> RedirectResponse:
    # Where a signed-in reader goes depends on the role, which only the browser knows (the
    # token lives there): the sign-in page sends a signed-in reader on at once.
    return RedirectResponse("/ui/login", status_code=307)


@router.get("/ui/login", response_class=HTMLResponse)
def login(request: Request, next: str = "") -> Response:
    # Only a path of our own may follow the sign-in (no open redirect).
    parts = urlsplit(next)
    safe_next = next if next.startswith("/ui/") and not parts.netloc else ""
    return render(request, "login.html.j2", LOGIN_TEXTS, title="login_title", next=safe_next)
