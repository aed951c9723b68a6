"""Staff accounts of the service: creating them and checking their passwords.

Passwords are hashed with argon2id (:mod:`argon2`, the argon2-cffi library, with its
default parameters, RFC 9106's low-memory profile); only the hash is stored. A hash made
with older parameters is replaced by a new one at the next successful sign-in.
"""

from __future__ import annotations

import functools
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog._lookup import resolve_now
from catalog.errors import InvalidValueError, NotFoundError
from catalog.models import Role, User
from catalog.sites import get_site

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "authenticate",
    "create_user",
    "get_user",
    "hash_password",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 8
USERNAME_MAX_LENGTH = 64

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    # Checked against when the username is unknown, so that a wrong name costs as long as a
    # wrong password and the answer's timing does not tell which names exist.
    return _hasher.hash("shuyun: no such user")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (PHC string, salted)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; a malformed hash never matches."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidValueError(
            "role", role, f"未知角色 / unknown role; one of {[r.value for r in Role]}"
        ) from None


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role | str,
    site_code: str | None = None,
    now: datetime | None = None,
) -> User:
    """Add a staff account.

    Parameters
    ----------
    session
        Open session; the user is flushed, not committed.
    username
        Unique, 1–64 characters, no surrounding spaces.
    password
        At least :data:`MIN_PASSWORD_LENGTH` characters; stored as an argon2id hash.
    role
        ``dispatcher``, ``driver``, ``branch_staff``, ``planner`` or ``admin``.
    site_code
        The site of a ``branch_staff`` account (required for it, refused for the others).

    Raises
    ------
    CirculationError
        Empty, too long or taken username; short password; unknown role or site; a site
        given for a role that has none, or missing for branch staff.
    """
    now = resolve_now(now)
    if not username or username != username.strip() or len(username) > USERNAME_MAX_LENGTH:
        raise InvalidValueError(
            "username",
            username,
            f"用户名须为 1–{USERNAME_MAX_LENGTH} 个字符且首尾无空格 / must be 1–"
            f"{USERNAME_MAX_LENGTH} characters without surrounding spaces",
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        # The value is the length, never the password.
        raise InvalidValueError(
            "password",
            f"{len(password)} characters",
            f"密码至少 {MIN_PASSWORD_LENGTH} 个字符 / must have at least "
            f"{MIN_PASSWORD_LENGTH} characters",
        )
    role = _role(role)
    site = None
    if role is Role.branch_staff:
        if not site_code:
            raise InvalidValueError(
                "site_code", site_code, "分馆馆员须指定站点 / branch staff need a site (--site)"
            )
        site = get_site(session, site_code)
    elif site_code:
        raise InvalidValueError(
            "site_code",
            site_code,
            f"只有分馆馆员绑定站点 / only branch staff are bound to a site, not {role.value}",
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise InvalidValueError("username", username, "用户名已存在 / a user with this name exists")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        site=site,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> User:
    """The account with this username.

    Raises
    ------
    NotFoundError
        No such account.
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError("username", username, "no such user")
    return user


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    """The active account whose username and password these are, else None.

    The caller says only "wrong username or password", never which. A hash made with
    outdated parameters is replaced (flushed; the caller commits).
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.flush()
    return user
