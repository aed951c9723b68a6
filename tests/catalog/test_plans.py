"""catalog.plans: the day plans as jobs. Claimed with a token, stamped while running, stored only
while still claimed; stale jobs taken back; cancels; a newer plan supersedes, history kept.

On the named four-site network, SQLite then PostgreSQL, each test rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from catalog_network import Network
from sqlalchemy import Engine, inspect, select

from catalog.db import alembic_config, create_engine, upgrade
from catalog.errors import ConflictError, InvalidValueError, NotFoundError
from catalog.fleet import VanSpec, create_van
from catalog.models import Plan, PlanPhase, PlanStatus, PlanStepType, TransferKind
from catalog.plans import (
    Beat,
    Claim,
    PlanRecord,
    RouteRecord,
    ShipmentRecord,
    StopRecord,
    UnplannedRecord,
    accept,
    awaiting_acceptance,
    cancel,
    claim_next,
    current_plan,
    enqueue,
    fail,
    finish,
    get_plan,
    heartbeat,
    list_plans,
    live_workers,
    release,
    requeue_stale,
    route_of_van,
    stop_cancelled,
    worker_seen,
    worker_stopped,
)
from catalog.users import create_user

H = 3600
DAY = date(2026, 11, 24)
T0 = datetime(2026, 11, 23, 16, 0)
"""The afternoon before: when the dispatcher asks for the plan."""


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _claim(net: Network, worker: str = "w1", *, now: datetime = T0) -> Claim:
    claim = claim_next(net.session, worker_id=worker, now=now)
    assert claim is not None
    return claim


def _record(*, cost: float = 12.5, van: str = "van-1") -> PlanRecord:
    """A one-route plan: pick a hold up at west, deliver it at east; a return left out."""
    stops = (
        StopRecord(PlanStepType.start, "central", 8 * H, 0, 8 * H, 8 * H),
        StopRecord("pickup", "west", 9 * H, 0, 9 * H, 9 * H + 300, 1, 15, 4000, ("t-hold",), (7,)),
        StopRecord(
            "delivery", "east", 10 * H, 0, 10 * H, 10 * H + 300, 0, 0, 4000, ("t-hold",), (7,)
        ),
        StopRecord("end", "central", 11 * H, 0, 11 * H, 11 * H, distance=4000),
    )
    return PlanRecord(
        routes=(RouteRecord(van, 12_000, 3 * H, cost, stops),),
        shipments=(
            ShipmentRecord("t-hold", TransferKind.hold, "west", "east", 1, 1, 15, (7,)),
            ShipmentRecord("t-back", TransferKind.return_home, "kiosk", "central", 2, 1, 3, (8, 9)),
        ),
        unplanned=(
            UnplannedRecord(
                "t-back", TransferKind.return_home, "deferred_capacity", "full", (8, 9)
            ),
        ),
        cost=cost,
        distance=12_000,
        duration=3 * H,
        planned_transfers=1,
        deferred_transfers=2,
    )


def test_a_plan_asked_for_is_queued_with_who_and_when(net: Network) -> None:
    plan = enqueue(net.session, day=DAY, time_limit=5, staff="li.dispatch", seed=3, now=T0)
    assert plan.status is PlanStatus.queued
    assert (plan.day, plan.time_limit, plan.seed) == (DAY, 5.0, 3)
    assert (plan.requested_by, plan.requested_at, plan.updated_by) == (
        "li.dispatch",
        T0,
        "li.dispatch",
    )
    assert plan.attempts == 0 and plan.claim_token is None and plan.version == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"time_limit": 0}, "time_limit"),  # no search at all
        ({"time_limit": -1}, "time_limit"),
        ({"time_limit": 3601}, "time_limit"),  # over an hour
        ({"time_limit": float("nan")}, "time_limit"),
        ({"seed": -1}, "seed"),
        ({"day": datetime(2026, 11, 24, 8)}, "date"),  # a moment, not a day
        ({"parent_id": 999}, "parent_id"),  # no such plan
    ],
)
def test_a_bad_request_names_its_field(
    net: Network, changes: dict[str, object], field: str
) -> None:
    asked: dict[str, object] = {"day": DAY, "time_limit": 5.0, "staff": "li", **changes}
    with pytest.raises((InvalidValueError, NotFoundError)) as caught:
        enqueue(net.session, **asked)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_the_oldest_queued_job_is_claimed_with_a_new_token(net: Network) -> None:
    first = enqueue(net.session, day=DAY, time_limit=5, staff="a", now=T0)
    second = enqueue(net.session, day=DAY + timedelta(days=1), time_limit=5, staff="b", now=_at(1))
    claim = _claim(net, "w1", now=_at(2))
    assert claim.plan_id == first.id and claim.attempt == 1 and len(claim.token) == 32
    row = get_plan(net.session, first.id)
    assert row.status is PlanStatus.running and row.worker_id == "w1"
    assert (row.started_at, row.heartbeat_at, row.claim_token) == (_at(2), _at(2), claim.token)
    other = _claim(net, "w2", now=_at(3))
    assert other.plan_id == second.id and other.token != claim.token
    assert claim_next(net.session, worker_id="w3", now=_at(4)) is None


def test_a_day_with_a_running_job_waits_for_it(net: Network) -> None:
    enqueue(net.session, day=DAY, time_limit=5, staff="a", now=T0)
    same_day = enqueue(net.session, day=DAY, time_limit=5, staff="b", now=_at(1))
    other_day = enqueue(
        net.session, day=DAY + timedelta(days=1), time_limit=5, staff="c", now=_at(2)
    )
    first = _claim(net, "w1")
    assert _claim(net, "w2").plan_id == other_day.id  # not the same day's second job
    assert claim_next(net.session, worker_id="w3") is None
    finish(net.session, first, _record(), now=_at(10))
    assert _claim(net, "w3").plan_id == same_day.id  # its turn once the first is done


def test_heartbeats_stamp_phase_and_progress_and_say_when_to_stop(net: Network) -> None:
    plan = enqueue(net.session, day=DAY, time_limit=5, staff="a", now=T0)
    claim = _claim(net)
    before = get_plan(net.session, plan.id).revision
    assert (
        heartbeat(net.session, claim, phase=PlanPhase.solving, progress=0.5, now=_at(2)) is Beat.ok
    )
    row = get_plan(net.session, plan.id)
    assert (row.phase, row.progress, row.heartbeat_at) == (PlanPhase.solving, 0.5, _at(2))
    assert row.revision == before + 1 and row.version == 1  # progress is not an edit
    assert heartbeat(net.session, claim, now=_at(3)) is Beat.ok
    assert get_plan(net.session, plan.id).revision == before + 1  # a bare beat is no event
    cancel(net.session, plan.id, staff="li", now=_at(4))
    assert heartbeat(net.session, claim, now=_at(5)) is Beat.cancel


def test_a_finished_plan_is_stored_with_routes_stops_and_unplanned_work(net: Network) -> None:
    create_user(net.session, username="wang.driver", password="long enough pw", role="driver")
    van = create_van(
        net.session,
        code="van-1",
        spec=VanSpec("central", 40, 600, 8 * H, 18 * H, driver_username="wang.driver"),
        staff="li",
    )
    plan = enqueue(net.session, day=DAY, time_limit=5, staff="li", now=T0)
    claim = _claim(net)
    assert finish(net.session, claim, _record(), now=_at(9))
    row = get_plan(net.session, plan.id)
    assert row.status is PlanStatus.done and row.progress == 1.0 and row.best_cost == 12.5
    assert (row.finished_at, row.claim_token, row.version) == (_at(9), None, 2)
    assert (row.vans_used, row.distance, row.planned_transfers, row.deferred_transfers) == (
        1,
        12_000,
        1,
        2,
    )
    (route,) = row.routes
    assert (route.van_code, route.van_id, route.driver_username) == ("van-1", van.id, "wang.driver")
    assert [s.type for s in route.stops] == ["start", "pickup", "delivery", "end"]
    pickup = route.stops[1]
    assert (pickup.position, pickup.site_code, pickup.load_crates, pickup.load_kg) == (
        1,
        "west",
        1,
        15,
    )
    assert (pickup.shipment_ids, pickup.transfer_ids, pickup.locked, pickup.violations) == (
        ["t-hold"],
        [7],
        False,
        [],
    )
    assert {s.shipment_id: s.transfer_ids for s in row.shipments} == {
        "t-hold": [7],
        "t-back": [8, 9],
    }
    (left,) = row.unplanned
    assert (left.reason, left.kind, left.transfer_ids) == (
        "deferred_capacity",
        "return_home",
        [8, 9],
    )
    assert route_of_van(net.session, row, "van-1") is route
    with pytest.raises(NotFoundError):
        route_of_van(net.session, row, "van-9")


def test_a_newer_plan_of_the_day_supersedes_the_older_one_which_is_kept(net: Network) -> None:
    old = enqueue(net.session, day=DAY, time_limit=5, staff="li", now=T0)
    finish(net.session, _claim(net), _record(cost=20), now=_at(5))
    other_day = enqueue(
        net.session, day=DAY + timedelta(days=1), time_limit=5, staff="li", now=_at(6)
    )
    finish(net.session, _claim(net), _record(), now=_at(7))
    new = enqueue(net.session, day=DAY, time_limit=5, staff="li", parent_id=old.id, now=_at(8))
    finish(net.session, _claim(net), _record(cost=10), now=_at(9))
    # a re-plan is a proposal: the old plan stays in force until it is accepted
    assert awaiting_acceptance(net.session, get_plan(net.session, new.id))
    assert get_plan(net.session, old.id).superseded_by_id is None
    in_force = current_plan(net.session, DAY)
    assert in_force is not None and in_force.id == old.id
    accept(net.session, new.id, staff="li", now=_at(10))
    assert not awaiting_acceptance(net.session, get_plan(net.session, new.id))
    with pytest.raises(ConflictError, match="already accepted"):
        accept(net.session, new.id, staff="li", now=_at(11))
    with pytest.raises(ConflictError, match="not a re-plan"):
        accept(net.session, other_day.id, staff="li", now=_at(11))

    older = get_plan(net.session, old.id)
    assert older.superseded_by_id == new.id and older.status is PlanStatus.done
    assert older.routes and older.best_cost == 20  # the history is whole
    assert get_plan(net.session, other_day.id).superseded_by_id is None
    current = current_plan(net.session, DAY)
    assert current is not None and current.id == new.id and current.parent_id == old.id
    plans, total = list_plans(net.session, day=DAY)
    assert total == 2 and [p.id for p in plans] == [new.id, old.id]


def test_a_new_plan_of_the_day_supersedes_a_proposal_left_unaccepted(net: Network) -> None:
    old = enqueue(net.session, day=DAY, time_limit=5, staff="li", now=T0)
    finish(net.session, _claim(net), _record(), now=_at(1))
    proposal = enqueue(net.session, day=DAY, time_limit=5, staff="li", parent_id=old.id, now=_at(2))
    finish(net.session, _claim(net), _record(), now=_at(3))
    fresh = enqueue(net.session, day=DAY, time_limit=5, staff="li", now=_at(4))
    finish(net.session, _claim(net), _record(), now=_at(5))
    assert get_plan(net.session, old.id).superseded_by_id == fresh.id
    left = get_plan(net.session, proposal.id)
    assert left.superseded_by_id == fresh.id and not awaiting_acceptance(net.session, left)
    with pytest.raises(ConflictError, match=f"superseded by plan {fresh.id}"):
        accept(net.session, proposal.id, staff="li", now=_at(6))
    in_force = current_plan(net.session, DAY)
    assert in_force is not None and in_force.id == fresh.id


def test_a_job_taken_back_is_not_stored_by_its_old_worker(net: Network) -> None:
    plan = enqueue(net.session, day=DAY, time_limit=5, staff="li", now=T0)
    stale = _claim(net, "w1", now=T0)
    assert requeue_stale(net.session, timeout=30, max_attempts=3, now=_at(31)) == {
        plan.id: PlanStatus.queued
    }
    fresh = _claim(net, "w2", now=_at(32))
    assert fresh.attempt == 2
    assert heartbeat(net.session, stale, now=_at(33)) is Beat.lost
    assert not finish(net.session, stale, _record(), now=_at(34))
    assert not fail(net.session, stale, error="late", now=_at(34))
    assert get_plan(net.session, plan.id).status is PlanStatus.running
    assert finish(net.session, fresh, _record(), now=_at(35))
    assert get_plan(net.session, plan.id).worker_id == "w2"


def test_stale_jobs_fail_after_their_attempts_and_cancel_when_asked(net: Network) -> None:
    tired = enqueue(net.session, day=DAY, time_limit=5, staff="li", now=T0)
    asked = enqueue(net.session, day=DAY + timedelta(days=1), time_limit=5, staff="li", now=T0)
    alive = enqueue(net.session, day=DAY + timedelta(days=2), time_limit=5, staff="li", now=T0)
    for attempt in range(3):
        _claim(net, f"w{attempt}", now=_at(100 * attempt))
        if attempt < 2:
            requeue_stale(net.session, timeout=30, max_attempts=3, now=_at(100 * attempt + 31))
    _claim(net, "wx", now=_at(200))
    cancel(net.session, asked.id, staff="li", now=_at(201))
    beating = _claim(net, "wy", now=_at(200))
    heartbeat(net.session, beating, now=_at(230))

    assert requeue_stale(net.session, timeout=30, max_attempts=3, now=_at(235)) == {
        tired.id: PlanStatus.failed,
        asked.id: PlanStatus.cancelled,
    }
    failed = get_plan(net.session, tired.id)
    assert failed.error is not None and "3 times" in failed.error and failed.finished_at == _at(235)
    assert get_plan(net.session, alive.id).status is PlanStatus.running


def test_a_cancel_stops_a_queued_job_at_once_and_a_running_one_at_its_worker(net: Network) -> None:
    queued = enqueue(net.session, day=DAY, time_limit=5, staff="li", now=T0)
    running = enqueue(
        net.session, day=DAY + timedelta(days=1), time_limit=5, staff="li", now=_at(1)
    )
    cancelled = cancel(net.session, queued.id, staff="zhao", now=_at(2))
    assert cancelled.status is PlanStatus.cancelled and cancelled.cancel_requested_by == "zhao"
    assert cancelled.finished_at == _at(2) and cancelled.version == 2

    claim = _claim(net)
    assert claim.plan_id == running.id
    asked = cancel(net.session, running.id, staff="zhao", now=_at(3))
    assert asked.status is PlanStatus.running and asked.cancel_requested_at == _at(3)
    assert not finish(net.session, claim, _record(), now=_at(4))  # a cancel beats the record
    assert stop_cancelled(net.session, claim, phase=PlanPhase.solving, now=_at(4))
    ended = get_plan(net.session, running.id)
    assert ended.status is PlanStatus.cancelled and ended.error is not None
    assert "solving" in ended.error
    for plan_id in (queued.id, running.id):
        with pytest.raises(ConflictError, match="already ended"):
            cancel(net.session, plan_id, staff="zhao")
    with pytest.raises(NotFoundError):
        cancel(net.session, 999, staff="zhao")


def test_a_failure_is_kept_with_its_reason_unless_a_cancel_came_first(net: Network) -> None:
    broken = enqueue(net.session, day=DAY, time_limit=5, staff="li", now=T0)
    assert fail(net.session, _claim(net), error="站点太远 / site too far", now=_at(1))
    row = get_plan(net.session, broken.id)
    assert row.status is PlanStatus.failed and row.error == "站点太远 / site too far"

    asked = enqueue(net.session, day=DAY, time_limit=5, staff="li", now=_at(2))
    claim = _claim(net)
    cancel(net.session, asked.id, staff="zhao", now=_at(3))
    assert fail(net.session, claim, error="boom", now=_at(4))
    assert get_plan(net.session, asked.id).status is PlanStatus.cancelled


def test_a_released_job_goes_back_to_the_queue_without_counting(net: Network) -> None:
    plan = enqueue(net.session, day=DAY, time_limit=5, staff="li", now=T0)
    claim = _claim(net)
    assert release(net.session, claim, now=_at(1))
    row = get_plan(net.session, plan.id)
    assert (row.status, row.attempts, row.claim_token, row.progress) == (
        PlanStatus.queued,
        0,
        None,
        0.0,
    )
    assert not release(net.session, claim)  # once only
    assert _claim(net, "w2").attempt == 1


def test_the_list_of_plans_filters_and_pages(net: Network) -> None:
    for n in range(3):
        enqueue(net.session, day=DAY, time_limit=5, staff="li", now=_at(n))
    enqueue(net.session, day=DAY + timedelta(days=1), time_limit=5, staff="li", now=_at(9))
    _claim(net)
    page, total = list_plans(net.session, day=DAY, limit=2, offset=1)
    assert total == 3 and len(page) == 2
    running, count = list_plans(net.session, status=PlanStatus.running)
    assert count == 1 and running[0].status is PlanStatus.running
    assert current_plan(net.session, DAY) is None  # none done yet
    with pytest.raises(InvalidValueError):
        list_plans(net.session, limit=0)


def test_workers_are_seen_and_stop(net: Network) -> None:
    worker_seen(net.session, worker_id="h:1:a", host="h", pid=1, plan_id=None, now=T0)
    worker_seen(net.session, worker_id="h:2:b", host="h", pid=2, plan_id=None, now=T0)
    worker_seen(net.session, worker_id="h:1:a", host="h", pid=1, plan_id=4, now=_at(20))
    live, last = live_workers(net.session, timeout=30, now=_at(40))
    assert [w.id for w in live] == ["h:1:a"] and live[0].plan_id == 4
    assert last is not None and last.id == "h:1:a"
    worker_stopped(net.session, worker_id="h:1:a", now=_at(41))
    live, last = live_workers(net.session, timeout=30, now=_at(42))
    assert live == [] and last is not None and last.stopped_at == _at(41)
    assert net.session.scalar(select(Plan.id)) is None


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def migrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgresql":
        yield request.getfixturevalue("fresh_postgres_engine")
        return
    engine = create_engine(f"sqlite:///{tmp_path / 'plans.sqlite'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def test_the_plans_migration_goes_down_and_up_again(migrated: Engine) -> None:
    tables = {"plans", "plan_routes", "plan_stops", "plan_shipments", "plan_unplanned"}
    cfg = alembic_config(migrated)
    with migrated.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0006_fleet")
    assert not (tables | {"plan_workers"}) & set(inspect(migrated).get_table_names())
    upgrade(migrated)
    assert tables <= set(inspect(migrated).get_table_names())
