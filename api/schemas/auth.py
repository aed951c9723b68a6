"""Sign-in: the bearer token, the signed-in account."""

from __future__ import annotations

from pydantic import BaseModel

from api.schemas.common import LocalDateTime
from catalog.models import Role

__all__ = ["Token", "UserRead"]


class Token(BaseModel):
    """OAuth2's token answer (RFC 6749, 5.1), with the moment it expires."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int
    """Seconds from now."""
    expires_at: LocalDateTime
    """UTC."""


class UserRead(BaseModel):
    """A staff account as others may see it (never its password hash)."""

    username: str
    role: Role
    site_code: str | None
    """The site of a branch-staff account."""
