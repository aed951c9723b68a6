"""Fixtures of the planning tests: the shared OR-Library p-median folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from settings import Settings


@pytest.fixture(scope="session")
def pmed_dir(shuyun_settings: Settings) -> Path:
    """``<bench_dir>/pmed``: OR-Library's pmed1–pmed40 and ``pmedopt.txt``."""
    return shuyun_settings.data.bench_dir / "pmed"
