"""Two staff, two connections, one last copy: PostgreSQL must let only one of them win."""

from __future__ import annotations

import threading
import time

import pytest
from catalog_network import MONDAY, build_network
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from catalog.db import session_factory
from catalog.errors import CirculationError
from catalog.holds import fill_hold, place_hold
from catalog.models import ACTIVE_HOLD_STATUSES, Hold, HoldStatus, Transfer

pytestmark = pytest.mark.postgres


def _two_holds_one_copy(engine: Engine) -> tuple[list[int], str, object]:
    with session_factory(engine)() as session:
        net = build_network(session)
        record = net.record()
        item = net.copy(record, "central")
        holds = [
            place_hold(
                session,
                card_number=net.cards[who],
                record_id=record.id,
                pickup_site_code=pickup,
                travel_times=net.travel,
                assign=False,
                now=MONDAY,
            )
            for who, pickup in [("alice", "east"), ("bob", "west")]
        ]
        session.commit()
        return [h.id for h in holds], item.barcode, net.travel


def test_two_staff_filling_the_last_copy_at_once_only_one_succeeds(
    fresh_postgres_engine: Engine,
) -> None:
    engine = fresh_postgres_engine
    hold_ids, barcode, travel = _two_holds_one_copy(engine)
    start = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def desk(hold_id: int) -> None:
        with session_factory(engine)() as session:
            start.wait()
            try:
                fill_hold(
                    session,
                    hold_id=hold_id,
                    barcode=barcode,
                    travel_times=travel,  # type: ignore[arg-type]
                    staff=f"desk{hold_id}",
                    now=MONDAY,
                )
                time.sleep(0.3)  # keep the row locked while the other desk tries
                session.commit()
                outcomes[hold_id] = "filled"
            except CirculationError as error:
                session.rollback()
                outcomes[hold_id] = f"refused {error.field}"

    threads = [threading.Thread(target=desk, args=(h,)) for h in hold_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["filled", "refused barcode"]
    with session_factory(engine)() as session:
        active = session.scalar(
            select(func.count()).select_from(Hold).where(Hold.status.in_(ACTIVE_HOLD_STATUSES))
        )
        transfers = session.scalar(select(func.count()).select_from(Transfer))
    assert (active, transfers) == (1, 1)


def test_the_database_itself_refuses_a_second_active_hold_on_one_copy(
    fresh_postgres_engine: Engine,
) -> None:
    # No row lock here: only the unique partial index stands between the two writers.
    engine = fresh_postgres_engine
    hold_ids, barcode, _ = _two_holds_one_copy(engine)
    first_wrote = threading.Event()
    errors: dict[int, BaseException] = {}

    def writer(hold_id: int, wait_for_first: bool) -> None:
        from catalog.models import Item

        with session_factory(engine)() as session:
            if wait_for_first:
                first_wrote.wait(10)
            hold = session.get(Hold, hold_id)
            assert hold is not None
            hold.item = session.scalar(select(Item).where(Item.barcode == barcode))
            hold.status = HoldStatus.assigned
            try:
                session.flush()  # the second writer blocks here until the first commits
                if not wait_for_first:
                    first_wrote.set()
                    time.sleep(0.3)
                session.commit()
            except IntegrityError as error:
                session.rollback()
                errors[hold_id] = error

    threads = [
        threading.Thread(target=writer, args=(hold_ids[0], False)),
        threading.Thread(target=writer, args=(hold_ids[1], True)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert list(errors) == [hold_ids[1]]
    assert "uq_holds_item_id_active" in str(errors[hold_ids[1]])
