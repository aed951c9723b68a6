"""The fleet (配送车) and its drivers: a van's depot, capacity, shift, lunch break and costs.

Times are seconds since local midnight; capacity crates and kg; costs yuan (per km, per
hour, per day out). A change names the ``version`` it was made on: a stale one is refused
(409) so that two dispatchers never overwrite each other.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import MAX_ROW_ID, LocalDateTime, Page, SiteCode
from catalog.models import Van

__all__ = ["DriverPage", "DriverRead", "VanCreate", "VanPage", "VanRead", "VanUpdate"]

SHIFT_MAX = 172_800
"""A night shift may end the next day (seconds since midnight)."""


class _VanFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=200)
    depot_code: SiteCode
    capacity_crates: int = Field(gt=0, le=10_000)
    capacity_kg: int = Field(gt=0, le=1_000_000)
    shift_start_s: int = Field(ge=0, le=SHIFT_MAX)
    shift_end_s: int = Field(ge=0, le=SHIFT_MAX)
    break_start_s: int | None = Field(default=None, ge=0, le=SHIFT_MAX)
    break_end_s: int | None = Field(default=None, ge=0, le=SHIFT_MAX)
    break_s: int = Field(default=0, ge=0, le=86_400)
    max_route_s: int | None = Field(default=None, gt=0, le=SHIFT_MAX)
    cost_per_km: float = Field(default=0.0, ge=0, le=1_000)
    cost_per_hour: float = Field(default=0.0, ge=0, le=10_000)
    fixed_cost: float = Field(default=0.0, ge=0, le=100_000)
    driver_username: str | None = Field(default=None, min_length=1, max_length=64)
    active: bool = True


class VanCreate(_VanFields):
    """A new van of the fleet, named by ``code``."""

    code: str = Field(min_length=1, max_length=32, examples=["van-4"])


class VanUpdate(BaseModel):
    """A change of some fields of a van, made on ``version`` (as last read)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=MAX_ROW_ID)
    name: str | None = Field(default=None, max_length=200)
    depot_code: SiteCode | None = None
    capacity_crates: int | None = Field(default=None, gt=0, le=10_000)
    capacity_kg: int | None = Field(default=None, gt=0, le=1_000_000)
    shift_start_s: int | None = Field(default=None, ge=0, le=SHIFT_MAX)
    shift_end_s: int | None = Field(default=None, ge=0, le=SHIFT_MAX)
    break_start_s: int | None = Field(default=None, ge=0, le=SHIFT_MAX)
    break_end_s: int | None = Field(default=None, ge=0, le=SHIFT_MAX)
    break_s: int | None = Field(default=None, ge=0, le=86_400)
    max_route_s: int | None = Field(default=None, gt=0, le=SHIFT_MAX)
    cost_per_km: float | None = Field(default=None, ge=0, le=1_000)
    cost_per_hour: float | None = Field(default=None, ge=0, le=10_000)
    fixed_cost: float | None = Field(default=None, ge=0, le=100_000)
    driver_username: str | None = Field(default=None, min_length=1, max_length=64)
    active: bool | None = None

    NULLABLE: ClassVar[frozenset[str]] = frozenset(
        {"break_start_s", "break_end_s", "max_route_s", "driver_username"}
    )
    """Fields a change may set to null (no break, no route limit, no driver)."""

    def changes(self) -> dict[str, object]:
        """The fields sent, but for ``version``; a null only where null means something."""
        sent = self.model_dump(exclude_unset=True, exclude={"version"})
        return {k: v for k, v in sent.items() if v is not None or k in self.NULLABLE}


class VanRead(_VanFields):
    """A van, who changed it last and when, and its ``version`` for the next change."""

    model_config = ConfigDict(extra="ignore")

    code: str
    version: int
    updated_at: LocalDateTime
    updated_by: str

    @classmethod
    def of(cls, van: Van) -> VanRead:
        return cls(
            code=van.code,
            name=van.name,
            depot_code=van.depot.code,
            capacity_crates=van.capacity_crates,
            capacity_kg=van.capacity_kg,
            shift_start_s=van.shift_start_s,
            shift_end_s=van.shift_end_s,
            break_start_s=van.break_start_s,
            break_end_s=van.break_end_s,
            break_s=van.break_s,
            max_route_s=van.max_route_s,
            cost_per_km=van.cost_per_km,
            cost_per_hour=van.cost_per_hour,
            fixed_cost=van.fixed_cost,
            driver_username=van.driver.username if van.driver is not None else None,
            active=van.active,
            version=van.version,
            updated_at=van.updated_at,
            updated_by=van.updated_by,
        )


class VanPage(Page[VanRead]):
    """A page of vans, by code."""


class DriverRead(BaseModel):
    """A driver account and the van it takes out, if any."""

    username: str
    active: bool
    van: str | None


class DriverPage(Page[DriverRead]):
    """A page of drivers, by username."""
