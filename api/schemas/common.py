"""Shapes every resource shares: a page, an error, the fields of a request."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from catalog.clock import LIBRARY_TZ

__all__ = [
    "LIBRARY_TZ",
    "MAX_PAGE",
    "MAX_ROW_ID",
    "Barcode",
    "CardNumber",
    "ErrorRead",
    "FieldErrorRead",
    "LocalDateTime",
    "Page",
    "RowId",
    "SiteCode",
    "ValidationErrorRead",
    "error_responses",
]

MAX_PAGE = 200
"""Longest page a list returns (``limit``)."""

Barcode = Annotated[str, Field(min_length=1, max_length=64, examples=["T0000001"])]
CardNumber = Annotated[
    str, Field(min_length=1, max_length=64, description="读者证号 / library card number")
]
SiteCode = Annotated[str, Field(min_length=1, max_length=32, examples=["central"])]

MAX_ROW_ID = 2**31 - 1
"""The largest id a table's integer key holds on every database we run on (PostgreSQL's
``integer``); a larger one in a path or a body is a 422, not the database's overflow."""
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
"""A table row's id (a hold, a transfer, a plan, a stop, a record)."""


def _on_library_clock(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=LIBRARY_TZ)
    return value.astimezone(LIBRARY_TZ)


LocalDateTime = Annotated[datetime, PlainSerializer(_on_library_clock, return_type=datetime)]
"""A moment as the service answers it: on the library's clock with its offset
(``2026-12-07T09:30:00+08:00``), as RFC 3339's ``date-time`` wants, whether the catalogue
stored it naive (local) or aware."""


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` from ``offset`` on, at most ``limit``, of ``total``."""

    items: list[T]
    total: int
    limit: int
    offset: int


class ErrorRead(BaseModel):
    """A refusal: the message (中文 / English), the field at fault and its value."""

    model_config = ConfigDict(extra="forbid")

    detail: str
    field: str | None = None
    value: object = None


class FieldErrorRead(BaseModel):
    """One fault FastAPI found in a request: where (``loc``), what (``msg``, ``type``)."""

    loc: list[str | int]
    msg: str
    type: str
    input: object = None
    ctx: dict[str, Any] | None = None


class ValidationErrorRead(BaseModel):
    """A request that does not fit its shape: every fault found in it."""

    detail: list[FieldErrorRead]


_ERROR_TEXT = {
    400: "请求体无法解析 / the body cannot be read",
    401: "未登录或令牌无效 / not signed in, or the token is not valid",
    403: "无权限 / forbidden for this account",
    404: "未找到 / not found",
    409: "冲突或当前不可办理 / conflict, or not possible now",
    413: "文件过大 / file too large",
    422: "输入无效 / invalid input: the field and value at fault",
    503: "数据库繁忙或不可用 / database busy or unavailable: retry",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a router or route that may refuse with ``codes``: the error body
    of each (:class:`ErrorRead`; a 422 either that or :class:`ValidationErrorRead`). 400 (a
    body that cannot be read, before any route runs) and 503 (the database busy) are always
    added: any route may answer them."""
    answers: dict[int | str, dict[str, Any]] = {}
    for code in sorted({*codes, 400, 503}):
        model: Any = ErrorRead | ValidationErrorRead if code == 422 else ErrorRead
        answers[code] = {"model": model, "description": _ERROR_TEXT[code]}
    return answers
