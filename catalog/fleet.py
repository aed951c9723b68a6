"""The fleet (配送车): adding vans, reading them, changing them, and who drives which.

Times are seconds since local midnight; capacity is in crates and kg. A change names the
``version`` it was made on, so that two dispatchers editing one van get one success and one
:class:`~catalog.errors.ConflictError` instead of a silent overwrite.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from catalog._lookup import resolve_now
from catalog.errors import ConflictError, InvalidValueError, NotFoundError
from catalog.models import Role, User, Van
from catalog.sites import get_site
from catalog.users import get_user

__all__ = [
    "VanSpec",
    "create_van",
    "get_van",
    "list_vans",
    "spec_of",
    "update_van",
    "van_of_driver",
]

DAY = 86_400
SHIFT_END_MAX = 2 * DAY
"""A night shift may end the next day, but no later."""
CODE_MAX_LENGTH = 32


@dataclass(frozen=True, slots=True)
class VanSpec:
    """What a van is, as a dispatcher states it (the fields of :class:`catalog.models.Van`)."""

    depot_code: str
    capacity_crates: int
    capacity_kg: int
    shift_start_s: int
    shift_end_s: int
    break_start_s: int | None = None
    break_end_s: int | None = None
    break_s: int = 0
    max_route_s: int | None = None
    cost_per_km: float = 0.0
    cost_per_hour: float = 0.0
    fixed_cost: float = 0.0
    name: str = ""
    driver_username: str | None = None
    active: bool = True


_EDITABLE = frozenset(VanSpec.__dataclass_fields__)


def _check_spec(spec: VanSpec) -> None:
    for field in ("capacity_crates", "capacity_kg"):
        value = getattr(spec, field)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise InvalidValueError(field, value, "须为正整数 / must be a positive integer")
    if not 0 <= spec.shift_start_s < spec.shift_end_s <= SHIFT_END_MAX:
        raise InvalidValueError(
            "shift_end_s",
            spec.shift_end_s,
            f"须满足 0 <= 开始 < 结束 <= {SHIFT_END_MAX} / need 0 <= shift_start_s "
            f"({spec.shift_start_s}) < shift_end_s <= {SHIFT_END_MAX}",
        )
    if (spec.break_start_s is None) != (spec.break_end_s is None):
        raise InvalidValueError(
            "break_end_s",
            spec.break_end_s,
            "午休窗口须同时给出开始与结束 / give both break_start_s and break_end_s, or neither",
        )
    if spec.break_start_s is not None and spec.break_end_s is not None:
        if not spec.shift_start_s <= spec.break_start_s <= spec.break_end_s <= spec.shift_end_s:
            raise InvalidValueError(
                "break_start_s",
                spec.break_start_s,
                "午休须在班次之内 / the break window must lie inside the shift "
                f"({spec.shift_start_s}–{spec.shift_end_s})",
            )
        if spec.break_s <= 0:
            raise InvalidValueError(
                "break_s", spec.break_s, "有午休窗口时须给出时长 / a break window needs a length"
            )
    if spec.break_s < 0 or spec.break_s > spec.shift_end_s - spec.shift_start_s:
        raise InvalidValueError("break_s", spec.break_s, "午休时长无效 / break length out of range")
    if spec.max_route_s is not None and spec.max_route_s <= 0:
        raise InvalidValueError("max_route_s", spec.max_route_s, "须为正数 / must be positive")
    for field in ("cost_per_km", "cost_per_hour", "fixed_cost"):
        value = getattr(spec, field)
        if not value >= 0:  # NaN fails too
            raise InvalidValueError(field, value, "费用不可为负 / a cost cannot be negative")


def _driver_id(session: Session, username: str | None, *, van: Van | None) -> int | None:
    if username is None:
        return None
    driver = get_user(session, username)
    if driver.role is not Role.driver:
        raise InvalidValueError(
            "driver_username",
            username,
            f"此账户角色为 {driver.role.value}，不是司机 / this account is a "
            f"{driver.role.value}, not a driver",
        )
    other = session.scalar(select(Van).where(Van.driver_id == driver.id))
    if other is not None and other is not van:
        raise ConflictError(
            "driver_username",
            username,
            f"此司机已驾驶 {other.code} / this driver already drives {other.code}; "
            "take them off it first",
        )
    return driver.id


def _apply(session: Session, van: Van, spec: VanSpec) -> None:
    _check_spec(spec)
    van.depot_site_id = get_site(session, spec.depot_code, field="depot_code").id
    van.driver_id = _driver_id(session, spec.driver_username, van=van)
    for field in _EDITABLE - {"depot_code", "driver_username"}:
        setattr(van, field, getattr(spec, field))


def create_van(
    session: Session, *, code: str, spec: VanSpec, staff: str, now: datetime | None = None
) -> Van:
    """Add a van to the fleet (flushed; the caller commits).

    Raises
    ------
    CirculationError
        A bad or taken code, an unknown depot or driver, a driver already on another van,
        or values out of range (the message names the field).
    """
    if not code or code != code.strip() or len(code) > CODE_MAX_LENGTH:
        raise InvalidValueError(
            "code",
            code,
            f"须为 1–{CODE_MAX_LENGTH} 个字符且首尾无空格 / 1–{CODE_MAX_LENGTH} "
            "characters without surrounding spaces",
        )
    if session.scalar(select(Van.id).where(Van.code == code)) is not None:
        raise ConflictError("code", code, "车辆编号已存在 / a van with this code exists")
    van = Van(code=code, updated_at=resolve_now(now), updated_by=staff)
    _apply(session, van, spec)
    session.add(van)
    session.flush()
    return van


def get_van(session: Session, code: str) -> Van:
    """The van with this code.

    Raises
    ------
    NotFoundError
        No such van.
    """
    van = session.scalar(select(Van).where(Van.code == code))
    if van is None:
        raise NotFoundError("code", code, "no such van")
    return van


def list_vans(
    session: Session, *, active: bool | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[Van], int]:
    """A page of vans by code, and how many there are in all (``active`` filters)."""
    query = select(Van)
    if active is not None:
        query = query.where(Van.active.is_(active))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    vans = session.scalars(query.order_by(Van.code).limit(limit).offset(offset)).all()
    return list(vans), total


def spec_of(van: Van) -> VanSpec:
    """A van's current values, as a spec a change starts from."""
    return VanSpec(
        depot_code=van.depot.code,
        driver_username=van.driver.username if van.driver is not None else None,
        **{f: getattr(van, f) for f in _EDITABLE - {"depot_code", "driver_username"}},
    )


def update_van(
    session: Session,
    code: str,
    *,
    version: int,
    changes: Mapping[str, object],
    staff: str,
    now: datetime | None = None,
) -> Van:
    """Change some of a van's values, made on ``version`` (flushed; the caller commits).

    Raises
    ------
    ConflictError
        The van changed since ``version`` was read (someone else edited it).
    CirculationError
        An unknown field or van, or values out of range (see :func:`create_van`).
    """
    van = get_van(session, code)
    unknown = set(changes) - _EDITABLE
    if unknown:
        field = sorted(unknown)[0]
        raise InvalidValueError(field, changes[field], "未知字段 / not a field of a van")
    if van.version != version:
        raise ConflictError(
            "version",
            version,
            f"车辆 {code} 已被他人修改（当前版本 {van.version}）/ van {code} was changed by "
            f"someone else (now version {van.version}): reload it and edit again",
        )
    spec = spec_of(van)
    _apply(session, van, VanSpec(**{**{f: getattr(spec, f) for f in _EDITABLE}, **changes}))
    van.updated_at = resolve_now(now)
    van.updated_by = staff
    try:
        session.flush()  # UPDATE ... WHERE version = read version (the mapper's version column)
    except StaleDataError:
        raise ConflictError(
            "version",
            version,
            f"车辆 {code} 刚被他人修改 / van {code} was changed by someone else just now: "
            "reload it and edit again",
        ) from None
    return van


def van_of_driver(session: Session, username: str) -> Van | None:
    """The van this driver takes out, if any."""
    return session.scalar(
        select(Van).join(User, Van.driver_id == User.id).where(User.username == username)
    )
