"""The service's shared dependencies, as ``Annotated`` aliases a route names in its signature.

``SessionDep`` is the request's database session; ``CurrentUser`` the signed-in account
(from the bearer token, read again from the database on every request, so that a disabled
account stops at once); ``require_role(...)`` narrows it to some roles, and
``check_site`` keeps branch staff (分馆馆员) at their own site.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.security import TokenError, read_access_token
from catalog.errors import NotFoundError
from catalog.models import Role, User
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
    "may_scan",
    "require_role",
]

CIRCULATION_ROLES = (Role.branch_staff, Role.admin)
"""Who works a circulation desk: loans, returns, holds."""

SCAN_ROLES = (Role.driver, Role.branch_staff, Role.admin)
"""Who scans copies and crates at pickup and drop (where: :func:`may_scan`)."""


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


def may_scan(user: User, site_code: str) -> bool:
    """Whether ``user`` may scan copies and crates at ``site_code``, the one place that says so.

    Branch staff scan at their own site; admins anywhere; drivers at any site: the stops of
    their route are every site while routes are not kept (narrowing a driver to the day's
    stops is a change of this function alone). The other roles do not scan.
    """
    if user.role is Role.branch_staff:
        return user.site is not None and user.site.code == site_code
    return user.role in (Role.driver, Role.admin)


def check_scan(user: User, site_code: str) -> None:
    """403 naming the site and the account unless :func:`may_scan`."""
    if not may_scan(user, site_code):
        own = f", who works at {user.site.code!r}" if user.site is not None else ""
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"无权限 / forbidden: {user.username!r} ({user.role.value}{own}) may not "
            f"scan at site_code={site_code!r}",
        )
