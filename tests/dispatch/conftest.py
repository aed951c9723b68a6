"""Fixtures of the dispatch tests: the small named day (see ``small_day``)."""

from __future__ import annotations

import pytest
from small_day import Day, build_day
from sqlalchemy.orm import Session


@pytest.fixture
def day(db_session: Session) -> Day:
    """The four-site day in a rolled-back session (SQLite, then PostgreSQL)."""
    return build_day(db_session)
