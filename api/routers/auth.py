"""Sign-in (OAuth2 password flow) and the signed-in account."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import CurrentUser, ServicesDep, SessionDep
from api.schemas import Token, UserRead
from api.schemas.common import error_responses
from api.security import create_access_token
from catalog.db import write_with_retries
from catalog.models import User
from catalog.users import authenticate

router = APIRouter(prefix="/auth", tags=["auth 登录"], responses=error_responses(401, 422))


@router.post("/token", response_model=Token)
def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    services: ServicesDep,
) -> Token:
    """登录，换取访问令牌 / Sign in with username and password for a bearer token."""
    user = write_with_retries(
        session, lambda: authenticate(session, username=form.username, password=form.password)
    )
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="用户名或密码错误 / wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    now = datetime.now(UTC)
    minutes = services.settings.auth.access_token_minutes
    token = create_access_token(user.username, key=services.signing_key, minutes=minutes, now=now)
    return Token(
        access_token=token.token,
        expires_in=int((token.expires_at - now).total_seconds()),
        expires_at=token.expires_at,
    )


def user_read(user: User) -> UserRead:
    return UserRead(
        username=user.username,
        role=user.role,
        site_code=user.site.code if user.site is not None else None,
    )


@router.get("/me", response_model=UserRead)
def me(user: CurrentUser) -> UserRead:
    """当前登录账户 / The signed-in account."""
    return user_read(user)
