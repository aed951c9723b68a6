"""Shared fixtures. Each section is owned by one package's tests; append, don't rewrite."""

from __future__ import annotations

# --- catalogue database fixtures -----------------------------------------------------------
# Every catalogue test runs twice: on a SQLite file and on the PostgreSQL named by
# SHUYUN_DATABASE_URL (scripts/postgres.sh starts one). The schema is created by the Alembic
# migrations, once per session; each test runs inside a SAVEPOINT that is rolled back.
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session


def postgres_url() -> str | None:
    """The PostgreSQL URL from SHUYUN_DATABASE_URL, or None (then postgres tests skip;
    in CI they fail instead)."""
    url = os.environ.get("SHUYUN_DATABASE_URL", "")
    if url.startswith("postgresql"):
        return url
    message = "SHUYUN_DATABASE_URL names no PostgreSQL database (source scripts/postgres.sh)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must run the postgres tests")
    pytest.skip(message)
    return None


def _migrated_postgres_schema(url: str) -> tuple[Engine, Engine, str]:
    """A new schema in the PostgreSQL database, migrated to head; the caller drops it."""
    from catalog.db import create_engine, upgrade

    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    upgrade(engine)
    return admin, engine, schema


def _drop_schema(admin: Engine, engine: Engine, schema: str) -> None:
    engine.dispose()
    with admin.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def db_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database engine: a SQLite temp file, then PostgreSQL (own schema)."""
    from catalog.db import create_engine, upgrade

    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'shuyun.sqlite'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    url = postgres_url()
    assert url is not None
    admin, engine, schema = _migrated_postgres_schema(url)
    yield engine
    _drop_schema(admin, engine, schema)


@pytest.fixture
def db_session(db_engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test (SQLAlchemy 2 savepoint recipe):
    ``session.commit()`` inside the test only releases a SAVEPOINT."""
    with db_engine.connect() as connection:
        transaction = connection.begin()
        session = Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            session.close()
            transaction.rollback()


@pytest.fixture
def fresh_postgres_engine() -> Iterator[Engine]:
    """A PostgreSQL engine on a new migrated schema whose commits are real (for tests with
    several connections); the schema is dropped afterwards."""
    url = postgres_url()
    assert url is not None
    admin, engine, schema = _migrated_postgres_schema(url)
    yield engine
    _drop_schema(admin, engine, schema)


# --- end of catalogue database fixtures ----------------------------------------------------


# --- settings fixtures ---------------------------------------------------------------------
# The one settings object as a program builds it at start-up, from this run's environment.
from pathlib import Path  # noqa: E402

from settings import Settings, load_settings  # noqa: E402


@pytest.fixture(scope="session")
def shuyun_settings() -> Settings:
    """The settings of this test run (``SHUYUN_`` variables), built once."""
    return load_settings()


@pytest.fixture(scope="session")
def beilin_dir(shuyun_settings: Settings) -> Path:
    """The shared ``beilin/`` folder, the one holding ``osm_drive/``."""
    return shuyun_settings.data.beilin_dir


# --- end of settings fixtures --------------------------------------------------------------
