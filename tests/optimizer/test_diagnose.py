"""diagnose(): why a shipment cannot be planned, tried alone on every van."""

from __future__ import annotations

import dataclasses

import pytest

from optimizer import (
    Problem,
    Shipment,
    ShipmentKind,
    TimeWindow,
    UnassignedReason,
    Van,
)
from optimizer.diagnose import alone, diagnose

R = UnassignedReason


def h(hours: int, minutes: int = 0) -> int:
    return hours * 3600 + minutes * 60


@pytest.mark.parametrize(
    ("shipment", "reason"),
    [
        # no van has a refrigerated box
        (Shipment("cold", "central", "branch_b", (1,), skills={"cold"}), R.SKILLS),
        # 11 crates, every van carries 10
        (Shipment("huge", "central", "branch_b", (11,)), R.CAPACITY_EXCEEDS_VAN),
        # no road to the island
        (Shipment("far", "central", "island", (1,)), R.UNREACHABLE),
        # released at 16:55, branch_a closes at 17:00 and is 10 minutes away
        (Shipment("evening", "central", "branch_a", (1,), release=h(16, 55)), R.TIME_WINDOW),
        # picked up at branch_b at 08:50 at the earliest, due at branch_a by 09:00;
        # loading takes 5 minutes and the drive 10
        (
            Shipment(
                "hold",
                "branch_b",
                "branch_a",
                (1,),
                kind=ShipmentKind.HOLD,
                release=h(8, 50),
                deadline=h(9),
                pickup_service=300,
            ),
            R.DEADLINE,
        ),
        # due at 08:05 but the vans leave at 08:00 and need 10 minutes: the
        # deadline, not the shift, is what cannot be met
        (Shipment("early", "central", "branch_b", (1,), deadline=h(8, 5)), R.DEADLINE),
        # branch_a's last window ends after every shift: only the shift stands in the way
        (
            Shipment("after_hours", "branch_b", "branch_a", (1,), release=h(16, 50)),
            R.SHIFT,
        ),
    ],
)
def test_reason_of_a_shipment_no_van_can_serve(
    check_day: Problem, shipment: Shipment, reason: UnassignedReason
) -> None:
    vans = tuple(
        dataclasses.replace(v, shift=TimeWindow(h(8), h(17)), breaks=(), skills=frozenset())
        for v in check_day.vans
    )
    problem = dataclasses.replace(check_day, vans=vans, shipments=(shipment,))
    (unassigned,) = diagnose(problem, [shipment.id])
    assert unassigned.reason == reason
    assert " / " in unassigned.detail  # zh / en


def test_a_shipment_some_van_can_serve_is_deferred_for_capacity(check_day: Problem) -> None:
    (unassigned,) = diagnose(check_day, ["big"])
    assert unassigned.reason == R.DEFERRED_CAPACITY
    # branch_a opens at 09:00, when van_2's shift ends: every other van can do it.
    assert alone(check_day, check_day.shipments[0]).vans == (0, 2, 3)


def test_the_van_that_got_furthest_gives_the_reason(check_day: Problem) -> None:
    # lift_small has the lift but 2 crates of room; plain lacks the lift.
    vans = (
        Van("plain", "central", (10,)),
        Van("lift_small", "central", (2,), skills={"lift"}),
    )
    heavy = Shipment("heavy", "central", "branch_b", (3,), skills={"lift"})
    problem = dataclasses.replace(check_day, vans=vans, shipments=(heavy,))
    assert alone(problem, heavy).reason == R.CAPACITY_EXCEEDS_VAN


def test_without_vans_the_reason_says_so(check_day: Problem) -> None:
    # Not "too big for every van": there is no van at all.
    problem = dataclasses.replace(check_day, vans=())
    result = alone(problem, check_day.shipments[0])
    assert result.reason == R.NO_VEHICLE
    assert "没有任何车辆" in result.detail and "no van at all" in result.detail


def test_max_route_duration_is_a_shift_reason(check_day: Problem) -> None:
    vans = (Van("short", "central", (10,), max_route_duration=900),)
    problem = dataclasses.replace(check_day, vans=vans)
    # central -> branch_b -> central is 20 minutes.
    assert alone(problem, check_day.shipments[1]).reason == R.SHIFT
