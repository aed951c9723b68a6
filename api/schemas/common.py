"""Shapes every resource shares: a page, an error, the fields of a request."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MAX_PAGE", "Barcode", "CardNumber", "ErrorRead", "Page", "SiteCode"]

MAX_PAGE = 200
"""Longest page a list returns (``limit``)."""

Barcode = Annotated[str, Field(min_length=1, max_length=64, examples=["T0000001"])]
CardNumber = Annotated[
    str, Field(min_length=1, max_length=64, description="读者证号 / library card number")
]
SiteCode = Annotated[str, Field(min_length=1, max_length=32, examples=["central"])]


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
