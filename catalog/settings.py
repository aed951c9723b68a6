"""The catalogue's sections of the settings: its database and its circulation rules.

Plain frozen pydantic models that read no environment: the one settings object
(:class:`settings.Settings`) fills them from ``SHUYUN_DATABASE__<FIELD>`` and
``SHUYUN_CIRCULATION__<FIELD>`` at start-up and passes them down. A catalogue function given
no :class:`CirculationSettings` uses the defaults below.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from catalog.policy import BOOKS_PER_CRATE, KG_PER_BOOK

__all__ = ["DEFAULT_DATABASE_URL", "CirculationSettings", "DatabaseSettings"]

DEFAULT_DATABASE_URL = "sqlite:///out/shuyun.sqlite"
"""An embedded SQLite file under ``./out``."""


class DatabaseSettings(BaseModel):
    """Where the catalogue lives.

    Examples
    --------
    ``SHUYUN_DATABASE_URL=postgresql+psycopg://u:p@127.0.0.1:5432/shuyun`` (or
    ``SHUYUN_DATABASE__URL``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str = Field(default=DEFAULT_DATABASE_URL, min_length=1)
    """SQLAlchemy URL."""

    @field_validator("url")
    @classmethod
    def _parses(cls, value: str) -> str:
        try:
            make_url(value)
        except ArgumentError:
            raise ValueError(
                f"不是数据库地址 / not a SQLAlchemy URL, e.g. {DEFAULT_DATABASE_URL}"
            ) from None
        return value


class CirculationSettings(BaseModel):
    """The circulation rules the catalogue applies (``SHUYUN_CIRCULATION__<FIELD>``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hold_deadline_working_days: int = Field(default=2, ge=0)
    """A hold transfer must reach the pickup shelf within this many working days of the
    pickup site (days it is open), counted after the day the hold is filled."""
    return_home_deadline_days: int = Field(default=7, ge=0)
    """Calendar days for a ``return_home`` transfer."""
    new_stock_deadline_days: int = Field(default=14, ge=0)
    """Calendar days for a ``new_stock`` transfer."""
    rebalance_deadline_days: int = Field(default=14, ge=0)
    """Calendar days for a ``rebalance`` transfer."""
    lost_after_days: int = Field(default=14, ge=1)
    """A transfer picked up this many days ago and never delivered is lost."""
    loan_days: int = Field(default=30, ge=1)
    """Loan period."""
    crate_capacity: int = Field(default=BOOKS_PER_CRATE, ge=1)
    """Books per crate (周转箱)."""
    kg_per_book: float = Field(default=KG_PER_BOOK, gt=0)
    """Average weight of one book, for van payload."""
