"""Engines and migrations: SQLite (embedded default) and PostgreSQL (production).

``upgrade(engine_or_url)`` runs ``alembic upgrade head`` programmatically; the schema is always
created through the migrations in :mod:`catalog.migrations`, never with ``create_all``.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, make_url
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "BUSY_TIMEOUT_MS",
    "POOL_OVERFLOW",
    "POOL_SIZE",
    "WRITE_OPTION",
    "alembic_config",
    "create_engine",
    "is_busy",
    "session_factory",
    "upgrade",
    "write_with_retries",
]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 10_000
"""How long a SQLite connection waits for another writer's lock before it gives up."""
POOL_SIZE = 20
POOL_OVERFLOW = 30
"""Connections kept and added at need: a request holds one while it runs, and the server runs
up to 40 sync requests at once (anyio's thread limit); the default 5 + 10 made the others
wait up to 30 s for a connection."""
WRITE_OPTION = "shuyun_write"
"""The execution option :func:`write_with_retries` sets: on SQLite, ``BEGIN IMMEDIATE``."""
_RETRY_SQLSTATES = frozenset({"40001", "40P01"})
"""PostgreSQL's serialization failure and deadlock: the transaction may simply be re-run."""
_T = TypeVar("_T")


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
    on_file = url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")
    if on_file:  # a QueuePool: as many connections as the server has threads for requests
        kwargs.setdefault("pool_size", POOL_SIZE)
        kwargs.setdefault("max_overflow", POOL_OVERFLOW)
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
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A writer takes the write lock at BEGIN and so queues on the busy timeout; a
        # deferred one that read first fails at its first write when another committed
        # meanwhile (WAL), and can only be run again (write_with_retries).
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def is_busy(error: DBAPIError) -> bool:
    """Whether ``error`` says only that another transaction got there first, so that the same
    work, run again from the start, may succeed: SQLite's "database is locked" (in WAL mode a
    transaction that read before another one committed cannot write, however long it
    waits), PostgreSQL's serialization failure or deadlock."""
    if getattr(error.orig, "sqlstate", None) in _RETRY_SQLSTATES:
        return True
    message = str(error.orig).lower()
    return "database is locked" in message or "database table is locked" in message


def write_with_retries(
    session: Session,
    work: Callable[[], _T],
    *,
    attempts: int = 8,
    first_pause: float = 0.02,
) -> _T:
    """Run ``work`` (calls of service functions on ``session``) and commit it; when the
    database was busy (:func:`is_busy`), roll back and run it again, up to ``attempts`` times,
    pausing a little longer each time (with jitter, so that two desks do not meet again).

    A transaction already open on ``session`` (e.g. the reads that found the signed-in user)
    is committed first, so that ``work`` starts from a fresh view of the database.

    Returns
    -------
    The value of ``work``.

    Raises
    ------
    sqlalchemy.exc.DBAPIError
        Still busy after ``attempts`` tries (``is_busy`` is true of it), or any other error.
    CirculationError
        Whatever ``work`` raises (rolled back).
    """
    if session.in_transaction():
        session.commit()
    for attempt in range(1, attempts + 1):
        try:
            with _writer_turn(session):
                session.connection(execution_options={WRITE_OPTION: True})  # BEGIN IMMEDIATE
                result = work()
                session.commit()
            return result
        except DBAPIError as error:
            session.rollback()
            if attempt == attempts or not is_busy(error):
                raise
        except BaseException:
            session.rollback()
            raise
        time.sleep(first_pause * 2 ** (attempt - 1) * (0.5 + random.random()))
    raise AssertionError("unreachable")  # pragma: no cover


_WRITERS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_WRITERS_GUARD = threading.Lock()


def _writer_turn(session: Session) -> AbstractContextManager[object]:
    """On SQLite, the process's writers of one database take turns on a lock of their own:
    a waiting thread wakes as soon as the one before commits, where SQLite's busy handler
    would have it poll with growing sleeps (long tails under load). Other processes still
    queue on the busy timeout; PostgreSQL needs no turns."""
    engine = session.get_bind()
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        return contextlib.nullcontext()
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(engine, threading.RLock())


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
