"""Access tokens of the service: signed (HS256, PyJWT), with an expiry, naming one account.

Passwords are the catalogue's business (:mod:`catalog.users`); this module only turns a
signed-in account into a bearer token and back. The key comes from the settings' auth
section (``SHUYUN_AUTH__SECRET_KEY``), at least :data:`MIN_SECRET_LENGTH` characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from settings import AuthSettings, SettingsError

__all__ = [
    "ALGORITHM",
    "MIN_SECRET_LENGTH",
    "AccessToken",
    "TokenError",
    "create_access_token",
    "read_access_token",
    "secret_key",
]

ALGORITHM = "HS256"
MIN_SECRET_LENGTH = 32
"""Characters: an HS256 key should carry at least 256 bits (RFC 7518, 3.2)."""
SECRET_VARIABLE = "SHUYUN_AUTH__SECRET_KEY"


class TokenError(ValueError):
    """A bearer token that cannot be used: malformed, badly signed or expired."""


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A signed token and when it stops working (UTC)."""

    token: str
    expires_at: datetime


def secret_key(auth: AuthSettings) -> str:
    """The signing key of ``auth``, checked once at start-up.

    Raises
    ------
    SettingsError
        No key, or one shorter than :data:`MIN_SECRET_LENGTH` (the message gives its
        length, never the key).
    """
    if auth.secret_key is None:
        raise SettingsError(
            SECRET_VARIABLE,
            None,
            "服务须设置签名密钥 / the service needs a signing key: set it to a random string "
            f"of at least {MIN_SECRET_LENGTH} characters",
        )
    key = auth.secret_key.get_secret_value()
    if len(key) < MIN_SECRET_LENGTH:
        raise SettingsError(
            SECRET_VARIABLE,
            f"<{len(key)} characters>",
            f"密钥太短 / key too short: at least {MIN_SECRET_LENGTH} characters",
        )
    return key


def create_access_token(
    username: str, *, key: str, minutes: int, now: datetime | None = None
) -> AccessToken:
    """A token for ``username`` valid ``minutes`` from ``now`` (UTC, default the clock)."""
    issued = now or datetime.now(UTC)
    expires = issued + timedelta(minutes=minutes)
    claims = {"sub": username, "iat": issued, "exp": expires}
    return AccessToken(jwt.encode(claims, key, algorithm=ALGORITHM), expires)


def read_access_token(token: str, *, key: str) -> str:
    """The username a valid token names.

    Raises
    ------
    TokenError
        Expired, not signed with ``key``, malformed, or without a subject.
    """
    try:
        claims = jwt.decode(
            token, key, algorithms=[ALGORITHM], options={"require": ["sub", "exp", "iat"]}
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("登录已过期 / token expired: sign in again") from None
    except jwt.InvalidTokenError:
        raise TokenError("令牌无效 / invalid token") from None
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        raise TokenError("令牌无效 / invalid token")
    return subject
