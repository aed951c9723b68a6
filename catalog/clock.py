"""The library's clock: Asia/Shanghai (UTC+8, no daylight saving), whatever the server's own
time zone is. "Today" and "tomorrow" in shuyun are days on this clock: a server kept on UTC
turns to the next day at 08:00 in Xi'an, not at midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

LIBRARY_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
"""The library's time zone: the catalogue stamps naive times on this clock."""


def library_now() -> datetime:
    """Now on the library's clock, naive, to the second (as the catalogue stores times)."""
    return datetime.now(UTC).astimezone(LIBRARY_TZ).replace(tzinfo=None, microsecond=0)


def library_today() -> date:
    """Today on the library's clock."""
    return library_now().date()
