"""Fixtures of the settings tests: an environment without any ``SHUYUN_`` variable."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts from no ``SHUYUN_`` variable at all (restored afterwards)."""
    for name in list(os.environ):
        if name.upper().startswith("SHUYUN_"):
            monkeypatch.delenv(name)
