"""Alembic environment: uses the connection handed in by ``catalog.db.upgrade`` if any."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from catalog.db import create_engine
from catalog.models import Base
from catalog.settings import DatabaseSettings

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    """The database of ``alembic`` run from the command line: ``sqlalchemy.url`` if given,
    else ``SHUYUN_DATABASE__URL`` or ``SHUYUN_DATABASE_URL`` (this script is an entry point
    of its own, like the CLI, and reads them as :class:`settings.Settings` does), else the
    default SQLite file. Programs call :func:`catalog.db.upgrade` instead."""
    for given in (
        config.get_main_option("sqlalchemy.url"),
        os.environ.get("SHUYUN_DATABASE__URL", "").strip(),
        os.environ.get("SHUYUN_DATABASE_URL", "").strip(),
    ):
        if given:
            return given
    return DatabaseSettings().url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER constraints in place; batch mode copies the table.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on the given connection, or on a new engine for the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url())
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    """Emit SQL for the configured URL without connecting."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
