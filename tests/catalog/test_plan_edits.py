"""Writing a dispatcher's edit of a stored plan: in place, at a version, saved with violations.

A plan stored by hand (as a worker stores one): ``van-1`` picks up s1 at central and delivers
it at east; ``van-2`` picks up s2 at west and delivers it at the kiosk.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from catalog.db import create_engine, session_factory, upgrade
from catalog.errors import ConflictError, InvalidValueError
from catalog.models import Plan, PlanStepType, PlanStop, TransferKind
from catalog.plan_edits import RouteWrite, StopWrite, editable_plan, save_routes
from catalog.plans import (
    PlanRecord,
    RouteRecord,
    ShipmentRecord,
    StopRecord,
    claim_next,
    enqueue,
    finish,
    get_plan,
)

DAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 6, 0)
LATER = datetime(2026, 11, 24, 7, 30)
H = 3600
START, PICKUP, DELIVERY, END = (
    PlanStepType.start,
    PlanStepType.pickup,
    PlanStepType.delivery,
    PlanStepType.end,
)


def _route(van: str, pickup: str, delivery: str, shipment: str) -> RouteRecord:
    stops = (
        StopRecord(START, "central", 8 * H, 0, 8 * H, 8 * H),
        StopRecord(PICKUP, pickup, 8 * H, 0, 8 * H, 8 * H + 300, 2, 24, 0, (shipment,)),
        StopRecord(DELIVERY, delivery, 9 * H, 0, 9 * H, 9 * H + 300, 0, 0, 4000, (shipment,)),
        StopRecord(END, "central", 10 * H, 0, 10 * H, 10 * H, 0, 0, 8000),
    )
    return RouteRecord(van, 8000, 2 * H, 8.0, stops)


def stored_plan(session: Session, *, day: date = DAY) -> Plan:
    """A done plan of ``day`` with the two routes of the module docstring (committed)."""
    job = enqueue(session, day=day, time_limit=5, staff="dispatcher", now=NOW)
    session.commit()
    claim = claim_next(session, worker_id="test:1:w", now=NOW)
    assert claim is not None
    record = PlanRecord(
        routes=(
            _route("van-1", "central", "east", "s1"),
            _route("van-2", "west", "kiosk", "s2"),
        ),
        shipments=tuple(
            ShipmentRecord(sid, TransferKind.new_stock, a, b, 2, 2, 24, ())
            for sid, a, b in (("s1", "central", "east"), ("s2", "west", "kiosk"))
        ),
        unplanned=(),
        cost=16.0,
        distance=16000,
        duration=4 * H,
        planned_transfers=0,
        deferred_transfers=0,
        problem={"stand-in": "the problem's JSON"},
    )
    assert finish(session, claim, record, now=NOW)
    session.commit()
    return get_plan(session, job.id)


def _stops(plan: Plan, van: str) -> list[PlanStop]:
    return next(r.stops for r in plan.routes if r.van_code == van)


def _as_write(stop: PlanStop, **changes: object) -> StopWrite:
    values: dict[str, object] = {
        "id": stop.id,
        "type": stop.type,
        "site_code": stop.site_code,
        "arrival": stop.arrival,
        "waiting": stop.waiting,
        "service_start": stop.service_start,
        "departure": stop.departure,
        "shipment_ids": tuple(stop.shipment_ids),
    }
    values.update(changes)
    return StopWrite(**values)  # type: ignore[arg-type]


def _one_van(plan: Plan) -> list[RouteWrite]:
    """Everything on van-1: its start, s1's pickup, s2's pickup and delivery (moved from
    van-2), s1's delivery with a violation, its end."""
    start, p1, d1, end = _stops(plan, "van-1")
    _, p2, d2, _ = _stops(plan, "van-2")
    late = {"kind": "time_window", "shipment": "s1", "zh": "晚到", "en": "late"}
    return [
        RouteWrite(
            "van-1",
            12000,
            3 * H,
            12.0,
            (
                _as_write(start, id=None),
                _as_write(p1, locked=True),
                _as_write(p2),
                _as_write(d2),
                _as_write(d1, violations=(late,)),
                _as_write(end, id=None),
            ),
        )
    ]


def test_an_edit_moves_stops_in_place_and_stamps_who_and_when(db_session: Session) -> None:
    plan = stored_plan(db_session)
    van_2_ends = {s.id for r in plan.routes for s in r.stops if r.van_code == "van-2"} - {
        s.id for s in _stops(plan, "van-2") if s.type in (PICKUP, DELIVERY)
    }
    version = plan.version
    start, p1, d1, end = (s.id for s in _stops(plan, "van-1"))
    _, p2, d2, _ = (s.id for s in _stops(plan, "van-2"))
    saved = save_routes(
        db_session,
        editable_plan(db_session, plan.id, version=version),
        _one_van(plan),
        problem={"new": True},
        staff="dispatcher1",
        now=LATER,
    )
    db_session.commit()
    again = get_plan(db_session, plan.id)
    assert [r.van_code for r in again.routes] == ["van-1"]  # van-2 has no route any more
    stops = _stops(again, "van-1")
    # the stops keep their ids, the start and end rows are reused
    assert [s.id for s in stops] == [start, p1, p2, d2, d1, end]
    assert [s.position for s in stops] == [0, 1, 2, 3, 4, 5]
    assert stops[1].locked and not stops[2].locked
    assert stops[4].violations == [
        {"kind": "time_window", "shipment": "s1", "zh": "晚到", "en": "late"}
    ]
    # van-2's start and end went with its route
    assert all(db_session.get(PlanStop, i) is None for i in van_2_ends)
    assert (again.version, again.updated_by, again.updated_at) == (
        version + 1,
        "dispatcher1",
        LATER,
    )
    assert (again.distance, again.duration, again.best_cost, again.vans_used) == (
        12000,
        3 * H,
        12.0,
        1,
    )
    assert again.problem == {"new": True}
    assert saved.id == plan.id


def test_a_new_stop_takes_its_shipments_transfers(db_session: Session) -> None:
    plan = stored_plan(db_session)
    start, p1, d1, end = _stops(plan, "van-1")
    writes = [
        RouteWrite(
            "van-1",
            8000,
            2 * H,
            8.0,
            (
                _as_write(start),
                _as_write(p1),
                _as_write(d1, id=None),  # a part split off: a new row
                _as_write(end),
            ),
        ),
        RouteWrite("van-2", 0, 0, 0.0, tuple(_as_write(s) for s in _stops(plan, "van-2"))),
    ]
    shipment = next(s for s in plan.shipments if s.shipment_id == "s1")
    shipment.transfer_ids = [77]
    save_routes(db_session, plan, writes, problem=None, staff="d", now=LATER)
    db_session.commit()
    new = _stops(get_plan(db_session, plan.id), "van-1")[2]
    assert new.id != d1.id and new.shipment_ids == ["s1"] and new.transfer_ids == [77]


def test_an_edit_of_an_older_version_is_refused(db_session: Session) -> None:
    plan = stored_plan(db_session)
    old = plan.version
    save_routes(db_session, plan, _one_van(plan), problem=None, staff="a", now=LATER)
    db_session.commit()
    with pytest.raises(ConflictError) as info:
        editable_plan(db_session, plan.id, version=old)
    assert info.value.field == "version" and "reload" in str(info.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # a stop of no route of this plan
        (lambda plan, w: _with_stop(w, 0, id=10_000), "stop_id"),
        # one stop written twice
        (lambda plan, w: _with_stop(w, 2, id=w[0].stops[1].id), "stop_id"),
    ],
)
def test_a_write_naming_stops_of_no_route_is_refused(
    db_session: Session, change: object, expected: str
) -> None:
    plan = stored_plan(db_session)
    writes = change(plan, _one_van(plan))  # type: ignore[operator]
    with pytest.raises(InvalidValueError) as info:
        save_routes(db_session, plan, writes, problem=None, staff="a", now=LATER)
    assert info.value.field == expected


def _with_stop(writes: list[RouteWrite], n: int, **changes: object) -> list[RouteWrite]:
    route = writes[0]
    stops = list(route.stops)
    values = {f: getattr(stops[n], f) for f in StopWrite.__dataclass_fields__}
    values.update(changes)
    stops[n] = StopWrite(**values)  # type: ignore[arg-type]
    return [RouteWrite(route.van_code, route.distance, route.duration, route.cost, tuple(stops))]


def test_only_a_done_plan_in_force_is_edited(db_session: Session) -> None:
    old = stored_plan(db_session)
    queued = enqueue(db_session, day=DAY, time_limit=5, staff="d", now=NOW)
    db_session.commit()
    with pytest.raises(ConflictError, match="only a done plan"):
        editable_plan(db_session, queued.id, version=queued.version)
    db_session.delete(queued)
    db_session.commit()
    newer = stored_plan(db_session)  # the day's new plan supersedes the old one
    with pytest.raises(ConflictError, match=f"superseded by plan {newer.id}"):
        editable_plan(db_session, old.id, version=get_plan(db_session, old.id).version)


# --- two dispatchers at once (real commits, two connections) --------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def committed_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database whose commits are real: a SQLite file, then PostgreSQL."""
    if request.param == "postgresql":
        yield request.getfixturevalue("fresh_postgres_engine")
        return
    engine = create_engine(f"sqlite:///{tmp_path / 'edits.sqlite'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def test_two_edits_made_on_one_version_one_wins(committed_engine: Engine) -> None:
    sessions = session_factory(committed_engine)
    with sessions() as setup:
        plan_id = stored_plan(setup).id
        version = get_plan(setup, plan_id).version
    with sessions() as first, sessions() as second:
        mine = editable_plan(first, plan_id, version=version)
        theirs = editable_plan(second, plan_id, version=version)
        first.commit()
        second.commit()  # both have read; neither holds a transaction open
        save_routes(first, mine, _one_van(mine), problem=None, staff="first", now=LATER)
        first.commit()
        with pytest.raises(ConflictError) as info:
            save_routes(second, theirs, _one_van(theirs), problem=None, staff="second", now=LATER)
        second.rollback()
        assert info.value.field == "version" and "reload" in str(info.value)
    with sessions() as check:
        assert get_plan(check, plan_id).updated_by == "first"
