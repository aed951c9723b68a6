"""Engines and migrations: SQLite (embedded default) and PostgreSQL (production).

``upgrade(engine_or_url)`` runs ``alembic upgrade head`` programmatically; the schema is always
created through the migrations in :mod:`catalog.migrations`, never with ``create_all``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, make_url
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["alembic_config", "create_engine", "session_factory", "upgrade"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (the settings' ``database.url``, passed down).

    SQLite connections get WAL mode and foreign keys on, and SAVEPOINTs that work (pysqlite's
    own transaction handling is switched off and SQLAlchemy emits ``BEGIN`` itself). The
    parent folder of a SQLite file is created if missing.

    Parameters
    ----------
    url
        SQLAlchemy URL, e.g. ``sqlite:///out/shuyun.sqlite`` or
        ``postgresql+psycopg://user:pw@host:5432/db``.
    **kwargs
        Passed on to :func:`sqlalchemy.create_engine`.
    """
    url = make_url(url)
    if url.get_backend_name() != "sqlite":
        return sa_create_engine(url, **kwargs)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa_create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite would otherwise BEGIN lazily and break SAVEPOINT; see SQLAlchemy's
        # "Serializable isolation / Savepoints / Transactional DDL" notes for pysqlite.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if url.database and url.database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A ``sessionmaker`` bound to ``engine`` (objects stay readable after commit)."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic ``Config`` for the packaged migrations, independent of the working folder."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        # ConfigParser reads "%" as interpolation: a percent-encoded password or option
        # ("?options=-csearch_path%3Dx") must be escaped.
        url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def upgrade(engine_or_url: Engine | str | URL, revision: str = "head") -> None:
    """Run ``alembic upgrade`` to ``revision`` (default ``head``) on a database.

    Parameters
    ----------
    engine_or_url
        An engine from :func:`create_engine` or a URL (an engine is created and disposed).
    revision
        Target revision.
    """
    own = not isinstance(engine_or_url, Engine)
    engine = (
        create_engine(engine_or_url) if not isinstance(engine_or_url, Engine) else engine_or_url
    )
    try:
        cfg = alembic_config(engine)
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
    finally:
        if own:
            engine.dispose()
