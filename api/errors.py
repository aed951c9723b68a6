"""How the catalogue's refusals and the database's troubles reach a client.

=============================================  =====  ====================================
catalogue error                                status meaning
=============================================  =====  ====================================
:class:`~catalog.errors.InvalidValueError`     422    a value that can never be right
:class:`~catalog.errors.NotFoundError`         404    no such barcode, card, site, record
:class:`~catalog.errors.NotAvailableError`     409    not now: on loan, in a van, held
:class:`~catalog.errors.SiteClosedError`       409    the site is closed today
:class:`~catalog.errors.ConflictError`         409    another desk changed it just now
=============================================  =====  ====================================

A body that cannot be read (not UTF-8, broken multipart) answers 400 in both languages.
A database still busy after the retries, or no connection free in the pool, answers 503
with ``Retry-After``; a unique index
that stopped a second writer, 409. Every body is ``{"detail", "field", "value"}``, the
message in Chinese first; a card number is shown only by its last four digits, in
FastAPI's own 422 answers too.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from catalog.db import is_busy
from catalog.errors import (
    CirculationError,
    ConflictError,
    InvalidValueError,
    NotAvailableError,
    NotFoundError,
    SiteClosedError,
)

__all__ = ["install_error_handlers", "mask_card"]

_STATUS: tuple[tuple[type[CirculationError], int, str], ...] = (
    (NotFoundError, status.HTTP_404_NOT_FOUND, "未找到 / not found"),
    (ConflictError, status.HTTP_409_CONFLICT, "冲突 / conflict"),
    (NotAvailableError, status.HTTP_409_CONFLICT, "当前不可办理 / not possible now"),
    (SiteClosedError, status.HTTP_409_CONFLICT, "站点今日闭馆 / site closed"),
    (InvalidValueError, status.HTTP_422_UNPROCESSABLE_CONTENT, "输入无效 / invalid input"),
)
_CARD_FIELDS = frozenset({"card_number"})


def mask_card(value: object) -> str:
    """A card number as it may travel: its last four digits, e.g. ``****0042``."""
    return "****" + str(value)[-4:]


def _masked(value: Any) -> Any:
    """``value`` with every card number in it cut to its last four digits."""
    if isinstance(value, dict):
        return {k: mask_card(v) if k in _CARD_FIELDS else _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    if isinstance(value, str):  # an unpaired surrogate would break the JSON of the answer
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _json_value(value: object) -> Any:
    try:
        return jsonable_encoder(value)
    except (TypeError, ValueError):
        return str(value)


def _circulation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, CirculationError)
    code, label = status.HTTP_422_UNPROCESSABLE_CONTENT, "输入无效 / invalid input"
    for cls, cls_code, cls_label in _STATUS:
        if isinstance(error, cls):
            code, label = cls_code, cls_label
            break
    message = str(error).removeprefix(f"{error.field}={error.value!r}: ")
    value = mask_card(error.value) if error.field in _CARD_FIELDS else error.value
    body = {
        "detail": f"{label}: {error.field}={value!r}: {message}",
        "field": error.field,
        "value": _json_value(value),
    }
    return JSONResponse(body, status_code=code)


def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = []
    for entry in error.errors():
        entry = dict(entry)
        entry.pop("url", None)
        if entry.get("loc") and entry["loc"][-1] in _CARD_FIELDS and "input" in entry:
            entry["input"] = mask_card(entry["input"])
        elif "input" in entry:
            entry["input"] = _masked(entry["input"])
        errors.append(entry)
    return JSONResponse(
        {"detail": jsonable_encoder(errors)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )


def _database_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DBAPIError)
    if isinstance(error, IntegrityError):
        return JSONResponse(
            {
                "detail": "冲突 / conflict: 另一处刚刚修改了同一记录，请重试 / another desk "
                "changed the same record at this moment; look again and retry"
            },
            status_code=status.HTTP_409_CONFLICT,
        )
    if is_busy(error):
        return JSONResponse(
            {"detail": "数据库繁忙，请稍后重试 / database busy: try again in a moment"},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "1"},
        )
    return JSONResponse(
        {"detail": "数据库不可用 / database unavailable"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


def _pool_exhausted(_request: Request, error: Exception) -> JSONResponse:
    """Every connection of the pool busy past its timeout: the service is overloaded, not
    broken (503 with ``Retry-After``, as a busy database)."""
    assert isinstance(error, PoolTimeoutError)
    return JSONResponse(
        {"detail": "服务繁忙，请稍后重试 / service busy (no database connection free): retry"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": "1"},
    )


async def _http_error(request: Request, error: Exception) -> Response:
    """FastAPI's own answer, but a body that cannot be read (FastAPI's and Starlette's 400s,
    in English only) is said in both languages."""
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == status.HTTP_400_BAD_REQUEST:
        return JSONResponse(
            {"detail": f"请求体无法解析 / the body cannot be read: {error.detail}"},
            status_code=status.HTTP_400_BAD_REQUEST,
            headers=error.headers,
        )
    return await http_exception_handler(request, error)


def install_error_handlers(app: FastAPI) -> None:
    """Map the catalogue's errors and the database's troubles on ``app``."""
    app.add_exception_handler(CirculationError, _circulation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeoutError, _pool_exhausted)
