"""The library's clock is Xi'an's (UTC+8), not the server's own zone."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from catalog.clock import library_now, library_today


def test_now_is_utc_plus_eight_naive_to_the_second() -> None:
    before = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=8)
    now = library_now()
    after = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=8)
    assert now.tzinfo is None and now.microsecond == 0
    assert before.replace(microsecond=0) <= now <= after


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Pacific/Kiritimati"])
def test_today_does_not_follow_the_servers_time_zone(zone: str) -> None:
    """The same day whichever zone the process runs in (TZ is read at start-up)."""
    code = "from catalog.clock import library_today; print(library_today().isoformat())"
    env = {**os.environ, "TZ": zone}
    before = library_today()
    shown = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    after = library_today()
    assert shown in {before.isoformat(), after.isoformat()}
