"""The service's health: the database, the street network, the worker."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

__all__ = ["CheckRead", "HealthRead"]


class CheckRead(BaseModel):
    """One part of the service: ``ok`` true, false, or null when it does not exist yet."""

    ok: bool | None
    detail: str


class HealthRead(BaseModel):
    """``status`` is ``ok`` when every existing part is, else ``fail``."""

    status: Literal["ok", "fail"]
    database: CheckRead
    street_network: CheckRead
    worker: CheckRead
