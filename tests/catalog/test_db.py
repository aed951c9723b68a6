"""The schema comes from the Alembic migrations, and matches the models, on both databases."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, event, inspect, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from catalog.db import alembic_config, create_engine, is_busy, upgrade, write_with_retries
from catalog.errors import InvalidValueError
from catalog.models import (
    Base,
    Hold,
    HoldStatus,
    Item,
    Patron,
    Record,
    Site,
    SiteKind,
    Transfer,
    TransferKind,
    TransferStatus,
)


def test_migrations_create_every_table_of_the_models(db_engine: Engine) -> None:
    tables = set(inspect(db_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def _ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    # Tables outside the models (the search index, written as raw DDL by catalog.search)
    # are not the models' business.
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is None or table.name in Base.metadata.tables


def test_migrations_match_the_models_exactly(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _ours}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_takes_a_url_and_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'shuyun.sqlite'}"
    upgrade(url)
    upgrade(url)  # already at head: nothing to do
    engine = create_engine(url)
    try:
        assert "items" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _transfer_columns(engine: Engine) -> list[str]:
    return [c["name"] for c in inspect(engine).get_columns("transfers")]


def _downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)


def _shipment_parts_up_and_down(engine: Engine) -> None:
    """0003_shipment_parts adds ``transfers.shipment_id`` (nullable) and takes it away."""
    assert "shipment_id" in _transfer_columns(engine)
    _downgrade(engine, "0002_search_index")
    assert "shipment_id" not in _transfer_columns(engine)
    upgrade(engine)
    (column,) = [c for c in inspect(engine).get_columns("transfers") if c["name"] == "shipment_id"]
    assert column["nullable"]
    # The open-transfer index keeps its condition: a closed transfer does not count.
    with Session(engine) as session:
        site = _site(session)
        other = Site(code="t", kind=SiteKind.branch, name_zh="馆", name_en="t", lon=108.9, lat=34.2)
        item = Item(
            barcode="X", record=Record(title="书"), home_site_id=site.id, current_site_id=site.id
        )
        session.add_all([item, other])
        session.flush()
        at = datetime(2026, 11, 23, 10)
        for status in (TransferStatus.cancelled, TransferStatus.requested, TransferStatus.planned):
            session.add(
                Transfer(
                    item=item,
                    kind=TransferKind.rebalance,
                    status=status,
                    origin_site_id=site.id,
                    destination_site_id=other.id,
                    requested_at=at,
                    deadline=at,
                    shipment_id="t-rebalance-s-t#1/2",
                )
            )
            if status is not TransferStatus.planned:
                session.flush()  # a cancelled and an open one: allowed
        with pytest.raises(IntegrityError, match=r"uq_transfers_item_id_open|UNIQUE"):
            session.flush()  # a second open one


def test_the_shipment_parts_migration_goes_up_and_down_on_sqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'parts.sqlite'}")
    try:
        upgrade(engine)
        _shipment_parts_up_and_down(engine)
    finally:
        engine.dispose()


def test_upgrade_takes_a_url_with_a_percent_sign(tmp_path: Path) -> None:
    # Percent-encoded passwords and options ("?options=-csearch_path%3Dx") are common.
    url = f"sqlite:///{tmp_path / 'a%3Db.sqlite'}"
    upgrade(url)
    engine = create_engine(url)
    try:
        assert "records" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_shipment_parts_migration_goes_up_and_down_on_postgresql(
    fresh_postgres_engine: Engine,
) -> None:
    _shipment_parts_up_and_down(fresh_postgres_engine)


def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def _site(session: Session) -> Site:
    site = Site(code="s", kind=SiteKind.branch, name_zh="馆", name_en="site", lon=108.9, lat=34.2)
    session.add(site)
    session.flush()
    return site


def test_an_item_must_belong_to_an_existing_record(db_session: Session) -> None:
    site = _site(db_session)
    db_session.add(
        Item(barcode="X", record_id=424242, home_site_id=site.id, current_site_id=site.id)
    )
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_the_database_allows_one_active_hold_per_copy(db_session: Session) -> None:
    site = _site(db_session)
    record = Record(title="书")
    item = Item(barcode="X", record=record, home_site_id=site.id, current_site_id=site.id)
    patron = Patron(card_number="1234567890", home_site_id=site.id)
    at = datetime(2026, 11, 23, 10)
    for status in (HoldStatus.ready, HoldStatus.cancelled):  # a closed hold does not count
        db_session.add(
            Hold(
                record=record,
                patron=patron,
                pickup_site=site,
                status=status,
                item=item,
                placed_at=at,
            )
        )
    db_session.flush()
    db_session.add(
        Hold(
            record=record,
            patron=patron,
            pickup_site=site,
            status=HoldStatus.assigned,
            item=item,
            placed_at=at,
        )
    )
    with pytest.raises(IntegrityError, match=r"uq_holds_item_id_active|UNIQUE"):
        db_session.flush()


def test_status_values_are_checked_by_the_database(db_session: Session) -> None:
    site = _site(db_session)
    with pytest.raises(IntegrityError, match=r"ck_sites_site_kind|CHECK"):
        db_session.execute(text("UPDATE sites SET kind = 'castle' WHERE id = :id"), {"id": site.id})


def test_record_isbn13_is_normalised_or_refused_on_every_orm_write(db_session: Session) -> None:
    record = Record(title="红楼梦", isbn13="7-02-000220-X")
    assert record.isbn13 == "9787020002207"
    record.isbn13 = "９７８７０２０００２２０７"
    assert record.isbn13 == "9787020002207"
    record.isbn13 = None
    with pytest.raises(InvalidValueError, match="isbn13="):
        record.isbn13 = "978702000220⁷"
    with pytest.raises(InvalidValueError, match="check digit"):
        Record(title="红楼梦", isbn13="9787020002208")
    db_session.add(record)
    db_session.flush()
    assert record.sort_title == "红楼梦"  # a record created without one sorts by its title


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database with no schema yet (a SQLite file or a new PostgreSQL schema)."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
        yield engine
        engine.dispose()
        return
    url = os.environ.get("SHUYUN_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("SHUYUN_DATABASE_URL names no PostgreSQL database")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


def test_revision_0004_repairs_what_the_old_importer_stored(empty_engine: Engine) -> None:
    from catalog.search import search_catalogue

    upgrade(empty_engine, "0002_search_index")
    with empty_engine.begin() as connection:
        # As the importer before 0004 stored them: markers in the title, full-width ISBNs.
        for title, isbn in [
            ("\u0088L'\u0089altra faccia della luna", None),
            ("三体", "９７８７５３６６９２９３０"),
            ("活着", "9787506365437"),
        ]:
            connection.execute(
                text(
                    "INSERT INTO records (title, authors, publisher, isbn13, clc, language) "
                    "VALUES (:title, '', '', :isbn, '', 'chi')"
                ),
                {"title": title, "isbn": isbn},
            )
    upgrade(empty_engine)
    with Session(empty_engine) as session:
        rows = session.execute(
            select(Record.title, Record.sort_title, Record.isbn13).order_by(Record.id)
        ).all()
        assert [tuple(r) for r in rows] == [
            ("L'altra faccia della luna", "altra faccia della luna", None),
            ("三体", "三体", "9787536692930"),
            ("活着", "活着", "9787506365437"),
        ]
        hits = search_catalogue(session, "9787536692930").hits
        assert [h.title for h in hits] == ["三体"]
    config = alembic_config(empty_engine)
    with empty_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002_search_index")
    columns = {c["name"] for c in inspect(empty_engine).get_columns("records")}
    assert "sort_title" not in columns and "title_vernacular" not in columns


# --- writes that lose a race are run again -------------------------------------------------


def _counter_database(tmp_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{tmp_path / 'race.sqlite'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE counter (n INTEGER NOT NULL)")
        connection.exec_driver_sql("INSERT INTO counter VALUES (0)")
    return engine


def _other_desk_writes(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE counter SET n = n + 100")


def test_a_sqlite_write_after_another_desks_commit_is_busy(tmp_path: Path) -> None:
    # In WAL mode a transaction that read before another one committed cannot write: SQLite
    # says "database is locked" at once, however long the busy timeout.
    engine = _counter_database(tmp_path)
    try:
        with Session(engine) as session:
            session.execute(text("SELECT n FROM counter")).scalar_one()
            _other_desk_writes(engine)
            with pytest.raises(OperationalError) as error:
                session.execute(text("UPDATE counter SET n = n + 1"))
            assert is_busy(error.value)
    finally:
        engine.dispose()


def test_write_with_retries_takes_the_write_lock_first_so_another_desk_waits(
    tmp_path: Path,
) -> None:
    # BEGIN IMMEDIATE: the other desk's write, arriving between our read and our write,
    # queues on the busy timeout until we commit, instead of making us fail and start again.
    engine = _counter_database(tmp_path)
    calls = 0
    try:
        with Session(engine) as session:
            other = threading.Thread(target=_other_desk_writes, args=(engine,))

            def work() -> int:
                nonlocal calls
                calls += 1
                seen = session.execute(text("SELECT n FROM counter")).scalar_one()
                other.start()  # lands between our read and our write, and waits
                time.sleep(0.2)
                session.execute(text("UPDATE counter SET n = :n"), {"n": seen + 1})
                return int(seen)

            assert write_with_retries(session, work, first_pause=0.001) == 0
            other.join(timeout=20)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT n FROM counter").scalar_one() == 101
        assert calls == 1
    finally:
        engine.dispose()


def _impatient(engine: Engine) -> Engine:
    """An engine on ``engine``'s file that waits only 20 ms for another writer's lock."""
    other = create_engine(engine.url)

    @event.listens_for(other, "connect")
    def _short_wait(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=20")

    return other


def test_write_with_retries_runs_again_while_busy_and_gives_up_after_its_attempts(
    tmp_path: Path,
) -> None:
    engine = _counter_database(tmp_path)
    impatient = _impatient(engine)
    calls = 0
    try:
        with engine.connect() as holder, Session(impatient) as session:
            holder.exec_driver_sql("UPDATE counter SET n = 7")  # holds the write lock

            def work() -> None:
                nonlocal calls
                calls += 1

            with pytest.raises(OperationalError) as error:
                write_with_retries(session, work, attempts=3, first_pause=0.001)
            assert is_busy(error.value)
            assert calls == 0  # it never had the lock, so it never wrote half
            holder.commit()
            assert write_with_retries(session, work, attempts=3, first_pause=0.001) is None
        assert calls == 1
    finally:
        impatient.dispose()
        engine.dispose()


def test_write_with_retries_does_not_repeat_a_refusal(tmp_path: Path) -> None:
    engine = _counter_database(tmp_path)
    calls = 0
    try:
        with Session(engine) as session:

            def work() -> None:
                nonlocal calls
                calls += 1
                session.execute(text("UPDATE counter SET n = 7"))
                raise InvalidValueError("n", 7, "refused")

            with pytest.raises(InvalidValueError):
                write_with_retries(session, work)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT n FROM counter").scalar_one() == 0
        assert calls == 1
    finally:
        engine.dispose()
