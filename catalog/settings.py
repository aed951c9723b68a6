"""The catalogue's one settings object (pydantic-settings, environment prefix ``SHUYUN_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from catalog.policy import BOOKS_PER_CRATE, KG_PER_BOOK

__all__ = ["CatalogSettings"]


class CatalogSettings(BaseSettings):
    """Database and circulation settings; every field can be set as ``SHUYUN_<FIELD>``.

    Examples
    --------
    ``SHUYUN_DATABASE_URL=postgresql+psycopg://u:p@127.0.0.1:5432/shuyun``
    """

    model_config = SettingsConfigDict(env_prefix="SHUYUN_", extra="ignore")

    database_url: str = "sqlite:///out/shuyun.sqlite"
    """SQLAlchemy URL; the default is an embedded SQLite file under ``./out``."""
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
