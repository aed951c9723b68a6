"""The service's shared dependencies, as ``Annotated`` aliases a route names in its signature.

``SessionDep`` is the request's database session; ``CurrentUser`` the signed-in account
(from the bearer token, read again from the database on every request, so that a disabled
account stops at once); ``require_role(...)`` narrows it to some roles, and
``check_site`` keeps branch staff (分馆馆员) at their own site; ``check_scan`` keeps every
scanner where they may scan (a driver: the stops of their van's route today).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.security import TokenError, read_access_token
from catalog.clock import library_today
from catalog.errors import NotFoundError
from catalog.fleet import van_of_driver
from catalog.models import Role, User
from catalog.plans import current_plan, route_of_van
from catalog.travel import TravelTimes
from catalog.users import get_user
from settings import Settings

__all__ = [
    "CIRCULATION_ROLES",
    "SCAN_ROLES",
    "CirculationStaff",
    "CurrentUser",
    "Scanner",
    "Services",
    "ServicesDep",
    "SessionDep",
    "SettingsDep",
    "TravelTimesDep",
    "check_scan",
    "check_site",
    "check_text",
    "may_scan",
    "require_role",
    "route_sites",
    "scan_refusal",
]

CIRCULATION_ROLES = (Role.branch_staff, Role.admin)
"""Who works a circulation desk: loans, returns, holds."""

SCAN_ROLES = (Role.driver, Role.branch_staff, Role.admin)
"""Who scans copies and crates at pickup and drop (where: :func:`scan_refusal`)."""


@dataclass(frozen=True)
class Services:
    """What the app builds once at start-up and every request shares (``app.state.services``)."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    signing_key: str
    travel_times: TravelTimes


def get_services(request: Request) -> Services:
    services = request.app.state.services
    assert isinstance(services, Services)  # set by create_app
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings(services: ServicesDep) -> Settings:
    return services.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    """One session per request, closed (its open transaction rolled back) at the end."""
    with services.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_travel_times(services: ServicesDep) -> TravelTimes:
    return services.travel_times


TravelTimesDep = Annotated[TravelTimes, Depends(get_travel_times)]


def _unstorable(value: str) -> str | None:
    """Why ``value`` cannot be stored as text (PostgreSQL refuses NUL; UTF-8 has no unpaired
    surrogates, which JSON's ``\\ud800`` escapes can still make), or ``None``."""
    if "\x00" in value:
        return "含 NUL 字符 / contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "含不成对的代理字符 / contains an unpaired surrogate"
    return None


def _text_faults(value: object, loc: tuple[str | int, ...]) -> Iterator[dict[str, object]]:
    if isinstance(value, str):
        reason = _unstorable(value)
        if reason is not None:
            shown = value.encode("utf-8", "backslashreplace").decode("utf-8")
            yield {"type": "string_unstorable", "loc": loc, "msg": reason, "input": shown}
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _text_faults(key, (*loc, "<key>"))
            yield from _text_faults(item, (*loc, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _text_faults(item, (*loc, index))


async def check_text(request: Request) -> None:
    """Every text a request carries (path, query, a JSON or form body) can be stored, or 422
    naming where (an app-wide dependency, so that a NUL or an unpaired surrogate never reaches
    the database as a 500). Only a body FastAPI has already read is looked at (no upload
    is read again)."""
    faults = [
        *_text_faults(dict(request.path_params), ("path",)),
        *_text_faults(dict(request.query_params), ("query",)),
    ]
    route = request.scope.get("route")
    if getattr(route, "body_field", None) is not None:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/json" or kind.endswith("+json"):
            faults.extend(_text_faults(await request.json(), ("body",)))
        elif kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.form()
            fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
            faults.extend(_text_faults(fields, ("body",)))
    if faults:
        raise RequestValidationError(faults)


oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"}
    )


def get_current_user(
    services: ServicesDep,
    session: SessionDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> User:
    """The active account the bearer token names, or 401."""
    if not token:
        raise _unauthorized("未登录 / not signed in: send a bearer token from POST /auth/token")
    try:
        username = read_access_token(token, key=services.signing_key)
    except TokenError as error:
        raise _unauthorized(str(error)) from None
    try:
        user = get_user(session, username)
    except NotFoundError:
        user = None
    if user is None or not user.active:
        raise _unauthorized("账户不存在或已停用 / account unknown or disabled")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(*roles: Role) -> Callable[[User], User]:
    """A dependency that lets only ``roles`` through (403 for the others)."""
    names = ", ".join(r.value for r in roles)

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"无权限 / forbidden: role {user.role.value!r} may not do this "
                f"(needs one of: {names})",
            )
        return user

    return check


CirculationStaff = Annotated[User, Depends(require_role(*CIRCULATION_ROLES))]


def check_site(user: User, site_code: str, *, field: str = "site_code") -> None:
    """Branch staff act only at their own site (403 naming both); other roles anywhere."""
    if user.role is not Role.branch_staff:
        return
    own = user.site.code if user.site is not None else None
    if own != site_code:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"无权限 / forbidden: {field}={site_code!r}, but {user.username!r} "
            f"works at {own!r}",
        )


Scanner = Annotated[User, Depends(require_role(*SCAN_ROLES))]


def route_sites(session: Session, user: User, day: date) -> tuple[str | None, list[str]]:
    """The van ``user`` drives and the sites of its route in the plan of ``day`` now in force,
    in route order without repeats (the depot included): ``(None, [])`` without a van,
    ``(van, [])`` when the van has no route that day."""
    van = van_of_driver(session, user.username)
    if van is None:
        return None, []
    plan = current_plan(session, day)
    if plan is None:
        return van.code, []
    try:
        route = route_of_van(session, plan, van.code)
    except NotFoundError:
        return van.code, []
    sites = [stop.site_code for stop in route.stops if stop.site_code is not None]
    return van.code, list(dict.fromkeys(sites))


def scan_refusal(
    session: Session, user: User, site_code: str, *, day: date | None = None
) -> str | None:
    """Why ``user`` may not scan copies and crates at ``site_code`` (``None``: they may), the
    one place that says so.

    Branch staff scan at their own site; admins anywhere; a driver at the stops of their van's
    route in the plan of the day now in force (``day``, by default today on the library's
    clock, :data:`catalog.clock.LIBRARY_TZ`). The other roles do not scan.
    """
    who = f"{user.username!r} ({user.role.value})"
    if user.role is Role.admin:
        return None
    if user.role is Role.branch_staff:
        own = user.site.code if user.site is not None else None
        if own == site_code:
            return None
        return f"{who} works at {own!r}"
    if user.role is not Role.driver:
        return f"{who} does not scan"
    day = day if day is not None else library_today()
    van, sites = route_sites(session, user, day)
    if site_code in sites:
        return None
    if van is None:
        return f"{who} drives no van / 未分配车辆"
    if not sites:
        return f"{who} drives {van!r}, which has no route on {day.isoformat()} / 今日无线路"
    return (
        f"{who} drives {van!r}, whose route on {day.isoformat()} stops at "
        f"{', '.join(sites)} / 不在本车线路的站点"
    )


def may_scan(session: Session, user: User, site_code: str) -> bool:
    """Whether ``user`` may scan at ``site_code`` (:func:`scan_refusal` says why not)."""
    return scan_refusal(session, user, site_code) is None


def check_scan(session: Session, user: User, site_code: str) -> None:
    """403 naming the site, the account and the sites it may scan at unless :func:`may_scan`."""
    refusal = scan_refusal(session, user, site_code)
    if refusal is not None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"无权限 / forbidden: may not scan at site_code={site_code!r}: {refusal}",
        )
