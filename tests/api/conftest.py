"""Fixtures of the service tests: a seeded database per test, the app on it, tokens per role.

The seeded SQLite database is made once (migrations, sites, records, accounts: argon2 is
slow on purpose) and copied for each test, so that each test starts from the same state and
its commits are real. PostgreSQL tests get a new migrated schema, seeded.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from service_seed import Seed, seed_engine, service_settings, travel_times

from api.app import create_app
from catalog.db import create_engine, upgrade


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Seed]:
    path = tmp_path_factory.mktemp("seeded") / "shuyun.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    made = seed_engine(engine)
    engine.dispose()  # the last connection closed checkpoints the WAL into the file
    return path, made


@pytest.fixture
def sqlite_url(seeded_sqlite: tuple[Path, Seed], tmp_path: Path) -> str:
    """A copy of the seeded SQLite database for this test."""
    copy = tmp_path / "shuyun.sqlite"
    shutil.copyfile(seeded_sqlite[0], copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def site_ids(seeded_sqlite: tuple[Path, Seed]) -> dict[str, int]:
    return seeded_sqlite[1].site_ids


@pytest.fixture
def seeded(seeded_sqlite: tuple[Path, Seed]) -> Seed:
    return seeded_sqlite[1]


@pytest.fixture
def app(sqlite_url: str, site_ids: dict[str, int]) -> Iterator[FastAPI]:
    """The service on this test's database, with the test network's travel times."""
    application = create_app(service_settings(sqlite_url), travel_times=travel_times(site_ids))
    yield application
    application.state.services.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
