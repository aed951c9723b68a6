"""A dispatcher's edits on the edit day (``edit_day``): moves, locks, the check, re-plans, diffs.

Distances are worked out by hand from the street of ``edit_day`` (west -4, central 0, east +4,
kiosk +8 km; east→central a 6 km detour; 150 s a km; 5 minutes a stop).
"""

from __future__ import annotations

import dataclasses

import pytest
from edit_day import KM, PER_KM, SERVICE, VAN_1, VAN_2, D, P, h, ids, plan, problem

from dispatch.edits import (
    Figures,
    LeftOut,
    StopMove,
    check_plan,
    diff,
    lock_stops,
    move_stop,
    replan,
)
from dispatch.plan import EditError, Plan, PlanRoute, Stop, time_route
from optimizer import Break, SolveParams, TimeWindow, ViolationKind

FAST = SolveParams(warm_start=False, work_limit=100)  # a tiny day: 100 solutions are plenty


# --- moves ----------------------------------------------------------------------------------


def test_a_move_within_a_van_goes_exactly_where_asked() -> None:
    # a1 (pickup of s1 at central) after the pickups at west: nothing else moves.
    moved = move_stop(plan(), "a1", "van_1", 1)
    assert ids(moved.plan, "van_1") == ["a2", "a1", "a3", "a4"]
    assert moved.plan.route("van_2") == VAN_2
    assert (moved.along, moved.notes) == ((), ())
    assert check_plan(moved.plan).ok


def test_a_delivery_moved_before_its_pickup_is_saved_and_reported() -> None:
    moved = move_stop(plan(), "a3", "van_1", 0)
    assert ids(moved.plan, "van_1") == ["a3", "a1", "a2", "a4"]
    assert moved.notes == (
        "s1 现在先送达后取件 / s1 is now delivered before it is picked up",
        "s3 现在先送达后取件 / s3 is now delivered before it is picked up",
    )
    found = check_plan(moved.plan)
    assert [(v.kind, v.stop, v.shipment) for v in found.at_stop("a3")] == [
        (ViolationKind.PRECEDENCE, "a3", "s1"),
        (ViolationKind.PRECEDENCE, "a3", "s3"),
    ]


def test_a_pickup_moved_to_another_van_takes_its_delivery_where_it_costs_least() -> None:
    # van_2 (6 crates here) gets a1; s1's delivery at east leaves a3 (which keeps s3) as a
    # stop of its own. After the pickups: east then kiosk is 4 + 4 + 8 = 16 km, kiosk then
    # east 8 + 4 + 6 = 18 km, east at once 4 + 6 + 8 + 8 = 26 km.
    moved = move_stop(plan(van_2_capacity=6), "a1", "van_2", 0)
    assert ids(moved.plan, "van_2") == ["a1", "b1", "a3.1", "b2"]
    assert ids(moved.plan, "van_1") == ["a2", "a3", "a4"]
    assert moved.plan.stops["a3.1"] == Stop("a3.1", D, "east", ("s1",))
    assert moved.plan.stops["a3"].shipments == ("s3",)
    assert moved.along == ("a3.1",)
    assert moved.notes == (
        "s1 的送达随之移到 van_2 第 3 站 / the delivery of s1 moved along to van_2, stop 3",
    )
    assert time_route(moved.plan, "van_2").distance == 16 * KM
    assert check_plan(moved.plan).ok


def test_the_delivery_taken_along_goes_where_it_breaks_fewest_rules() -> None:
    # The small van_2 (3 crates) cannot carry s1 and s2 (2 + 2) at once: s1 is delivered
    # first, though 10 km longer than the 16 km order.
    moved = move_stop(plan(), "a1", "van_2", 0)
    assert ids(moved.plan, "van_2") == ["a1", "a3.1", "b1", "b2"]
    assert check_plan(moved.plan).ok


def test_a_delivery_moved_to_another_van_takes_its_pickup_along_before_it() -> None:
    moved = move_stop(plan(), "a4", "van_2", 2)
    van_2 = ids(moved.plan, "van_2")
    assert van_2.index("a2.1") < van_2.index("a4") == 3
    assert moved.plan.stops["a2.1"] == Stop("a2.1", P, "west", ("s4",))
    assert ids(moved.plan, "van_1") == ["a1", "a2", "a3"]
    assert moved.plan.stops["a2"].shipments == ("s3",)
    assert check_plan(moved.plan).ok


def test_a_stop_taken_along_whole_keeps_its_id_and_late_arrivals_are_reported() -> None:
    # b1 to the end of van_1: b2 (s2 only) follows it whole, van_2 stays home, and the kiosk
    # is reached at 09:25, after it closed at 09:00: saved, and annotated at b2.
    moved = move_stop(plan(), "b1", "van_1", 4)
    assert ids(moved.plan, "van_1") == ["a1", "a2", "a3", "a4", "b1", "b2"]
    assert ids(moved.plan, "van_2") == []
    assert moved.along == ("b2",)
    (late,) = check_plan(moved.plan).violations
    assert (late.kind, late.van, late.stop, late.shipment) == (
        ViolationKind.TIME_WINDOW,
        "van_1",
        "b2",
        "s2",
    )
    assert (
        late.message
        == "09:25 到达 kiosk，已超出开放时间 / arrives at kiosk at 09:25, after its opening hours"
    )


def test_a_locked_stop_may_be_moved_and_stays_locked() -> None:
    day = lock_stops(plan(van_2_capacity=6), ["a1", "a3"])
    moved = move_stop(day, "a1", "van_2", 0)
    assert moved.plan.stops["a1"].locked
    # the part split from a locked stop is as locked as the rest of it
    assert moved.plan.stops["a3.1"].locked and moved.plan.stops["a3"].locked


@pytest.mark.parametrize(
    ("stop", "van", "position", "field"),
    [
        ("zz", "van_1", 0, "stop_id"),  # no such stop
        ("a1", "van_9", 0, "van"),  # no such van
        ("a1", "van_2", -1, "position"),  # before the first stop
        ("a1", "van_2", 3, "position"),  # van_2 has 2 stops: 0, 1 or 2
        ("a1", "van_1", 4, "position"),  # a1 leaves 3 other stops on van_1: 0 … 3
        ("a1", "van_1", True, "position"),  # a flag is no position
    ],
)
def test_a_move_naming_nothing_of_the_plan_is_refused(
    stop: str, van: str, position: int, field: str
) -> None:
    with pytest.raises(EditError) as info:
        move_stop(plan(), stop, van, position)
    assert info.value.field == field


# --- locks ----------------------------------------------------------------------------------


def test_lock_and_unlock_stops() -> None:
    locked = lock_stops(plan(), ["a2", "b2"])
    assert {s.id for s in locked.stops.values() if s.locked} == {"a2", "b2"}
    again = lock_stops(locked, ["a2"], locked=False)
    assert {s.id for s in again.stops.values() if s.locked} == {"b2"}
    with pytest.raises(EditError) as info:
        lock_stops(plan(), ["a1", "nope"])
    assert (info.value.field, info.value.value) == ("stop_ids", "nope")


# --- the check ------------------------------------------------------------------------------


def _with_van(day: Plan, index: int, **changes: object) -> Plan:
    vans = list(day.problem.vans)
    vans[index] = dataclasses.replace(vans[index], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(day, problem=dataclasses.replace(day.problem, vans=tuple(vans)))


A1, A2, A3, A4 = VAN_1.stops
B1, B2 = VAN_2.stops


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # s1 and s2 picked up together: 4 crates in the 3-crate van_2
        (
            Plan(
                problem(),
                (
                    PlanRoute(
                        "van_2",
                        (
                            Stop("x", P, "central", ("s1", "s2")),
                            Stop("y", D, "east", ("s1",)),
                            Stop("z", D, "kiosk", ("s2",)),
                        ),
                    ),
                ),
            ),
            [(ViolationKind.CAPACITY, "van_2", "x", "s2")],
        ),
        # the kiosk by way of west: 08:50, then east at 09:05, after s3's 09:00 deadline
        (
            Plan(problem(), (PlanRoute("van_1", (A1, B1, A2, B2, A3, A4)),)),
            [(ViolationKind.DEADLINE, "van_1", "a3", "s3")],
        ),
        # a shift ending 08:45: both vans back too late (the van's, not a stop's)
        (
            plan(shift_end=h(8, 45)),
            [
                (ViolationKind.SHIFT, "van_1", None, None),
                (ViolationKind.SHIFT, "van_2", None, None),
            ],
        ),
        # a break due before the shift starts
        (
            _with_van(plan(), 1, breaks=(Break("early", (TimeWindow(h(7), h(7, 30)),), 900),)),
            [(ViolationKind.MISSING_BREAK, "van_2", None, None)],
        ),
        # a pair on two vans: reported once, at the pickup
        (
            Plan(
                problem(),
                (
                    PlanRoute("van_1", (Stop("x", P, "central", ("s1",)),)),
                    PlanRoute("van_2", (Stop("y", D, "east", ("s1",)),)),
                ),
            ),
            [(ViolationKind.PRECEDENCE, "van_1", "x", "s1")],
        ),
    ],
)
def test_the_check_names_each_broken_rule_at_its_stop_or_van(
    day: Plan, expected: list[tuple[ViolationKind, str, str | None, str | None]]
) -> None:
    found = check_plan(day)
    assert [(v.kind, v.van, v.stop, v.shipment) for v in found.violations] == expected
    assert all(v.message_zh and v.message_en for v in found.violations)
    assert not found.ok


def test_the_check_keeps_the_shipments_left_out_apart() -> None:
    found = check_plan(plan())
    assert found.ok and found.violations == ()
    assert [(v.kind, v.shipment) for v in found.unplanned] == [(ViolationKind.UNPLANNED, "s5")]


def test_violations_by_stop_and_by_van() -> None:
    late = move_stop(plan(shift_end=h(9, 20)), "b1", "van_1", 4).plan
    found = check_plan(late)
    assert set(found.by_stop()) == {"b2"}
    assert [v.kind for v in found.on_van("van_1")] == [ViolationKind.SHIFT]
    assert found.on_van("van_2") == ()


# --- re-plans and diffs ---------------------------------------------------------------------


def test_a_replan_starts_from_the_edited_plan() -> None:
    edited = move_stop(plan(), "b1", "van_1", 4).plan  # the kiosk too late
    again = replan(edited, time_limit=5, params=FAST)
    assert again.before is edited
    assert again.result.stats.warm_start_source == "initial_routes"
    assert check_plan(again.after).ok
    # the holds and the rest that is not deferrable are all planned
    assert {"s1", "s2", "s3", "s4"} <= set(again.after.planned)
    changes = diff(edited, again.after)
    # the plan's own timing agrees with the solve's
    assert changes.total.distance_after == again.result.summary.distance
    assert changes.total.duration_after == again.result.summary.duration


def test_a_replan_keeps_the_locked_stops_on_their_van() -> None:
    # Alone, the re-plan puts the whole day on van_1 (the fewest vans); with s2's stops
    # locked on van_2, s2 rides van_2, and so does the rest of the day, van_1 staying home.
    free = replan(plan(), time_limit=5, params=FAST).after
    assert [r.van for r in free.routes] == ["van_1"]
    locked = replan(lock_stops(plan(), ["b1", "b2"]), time_limit=5, params=FAST)
    assert locked.result.stats.warm_start_source == "initial_routes"
    van_2 = locked.after.route("van_2").stops
    s2 = [s for s in van_2 if "s2" in s.shipments]
    assert [(s.type, s.locked) for s in s2] == [(P, True), (D, True)]
    # the new plan's stops are locked where the problem locks one of their visits, so that
    # a second re-plan keeps the locks too
    assert {lock.van for lock in locked.after.locks()} == {"van_2"}
    assert check_plan(locked.after).ok


def test_a_replan_refuses_locks_that_contradict_each_other() -> None:
    day = Plan(
        problem(),
        (
            PlanRoute("van_1", (Stop("x", P, "central", ("s1",), locked=True),)),
            PlanRoute("van_2", (Stop("y", D, "east", ("s1",), locked=True),)),
        ),
    )
    with pytest.raises(EditError, match="contradict"):
        replan(day, time_limit=5, params=FAST)


def test_the_diff_of_a_move() -> None:
    before = plan(van_2_capacity=6)
    after = move_stop(before, "a1", "van_2", 0).plan
    changes = diff(before, after)
    assert changes.moved == (
        StopMove(P, "central", ("s1",), "van_1", 0, "van_2", 0),
        StopMove(P, "west", ("s3", "s4"), "van_1", 1, "van_1", 0),
        StopMove(D, "east", ("s1",), "van_1", 2, "van_2", 2),
        StopMove(D, "east", ("s3",), "van_1", 2, "van_1", 1),
        StopMove(D, "central", ("s4",), "van_1", 3, "van_1", 2),
        StopMove(P, "central", ("s2",), "van_2", 0, "van_2", 1),
        StopMove(D, "kiosk", ("s2",), "van_2", 1, "van_2", 3),
    )
    assert [m.van_changed for m in changes.moved] == [True, False, True, False, False, False, False]
    # van_1: 4 + 8 + 6 km before and after, one stop fewer; van_2: 16 km, one stop more
    # (a1 and b1 at central are one stop's service).
    assert changes.vans == (
        Figures("van_1", 18 * KM, 18 * KM, 18 * PER_KM + 4 * SERVICE, 18 * PER_KM + 3 * SERVICE),
        Figures("van_2", 16 * KM, 16 * KM, 16 * PER_KM + 2 * SERVICE, 16 * PER_KM + 3 * SERVICE),
    )
    assert changes.total == Figures(None, 34 * KM, 34 * KM, 6900, 6900)
    assert (changes.newly_planned, changes.newly_unplanned) == ((), ())


def test_the_diff_names_the_shipments_newly_planned_and_left_out() -> None:
    before = plan()
    rebalance = PlanRoute(
        "van_2", (Stop("r1", P, "kiosk", ("s5",)), Stop("r2", D, "west", ("s5",)))
    )
    after = Plan(before.problem, (VAN_1, rebalance), {"s2": "time_window"})
    changes = diff(before, after)
    assert changes.newly_planned == ("s5",)
    assert changes.newly_unplanned == (LeftOut("s2", "time_window"),)
    assert changes.moved == ()
