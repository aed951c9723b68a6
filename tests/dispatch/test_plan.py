"""The plan in memory: what it accepts, its views for the optimiser, its timing."""

from __future__ import annotations

import dataclasses

import pytest
from edit_day import KM, PER_KM, SERVICE, VAN_1, VAN_2, D, P, h, plan, problem

from dispatch.plan import EditError, Plan, PlanRoute, Stop, plan_from_result, time_route
from optimizer import Break, Lock, PlannedRoute, SolveParams, TimeWindow, Visit, solve


@pytest.mark.parametrize(
    ("routes", "field", "value"),
    [
        # a route of a van the problem does not have
        ((PlanRoute("van_9"),), "routes.van", "van_9"),
        # two routes of one van
        ((VAN_2, VAN_2), "routes.van", "van_2"),
        # two stops with one id (ids are how a stored stop is updated in place)
        (
            (
                PlanRoute(
                    "van_2", (Stop("b1", P, "central", ("s2",)), Stop("b1", D, "kiosk", ("s2",)))
                ),
            ),
            "stop.id",
            "b1",
        ),
        # a shipment the problem does not have
        ((PlanRoute("van_2", (Stop("x", P, "central", ("s9",)),)),), "stop.shipments", "s9"),
        # a pickup of s2 at a site that is not s2's pickup
        ((PlanRoute("van_2", (Stop("x", P, "west", ("s2",)),)),), "stop.site", "west"),
        # the same pickup in two stops
        ((VAN_2, PlanRoute("van_1", (Stop("x", P, "central", ("s2",)),))), "stop.shipments", "s2"),
    ],
)
def test_a_plan_refuses_what_names_nothing_of_its_problem(
    routes: tuple[PlanRoute, ...], field: str, value: str
) -> None:
    with pytest.raises(EditError) as info:
        Plan(problem(), routes)
    assert info.value.field == field and info.value.value == value


def test_a_plan_may_break_the_rules_of_the_day() -> None:
    # A delivery before its pickup, a pair on two vans: a plan, to be checked, not refused.
    day = Plan(
        problem(),
        (
            PlanRoute("van_1", (Stop("d", D, "kiosk", ("s2",)),)),
            PlanRoute("van_2", (Stop("p", P, "central", ("s2",)),)),
        ),
    )
    assert day.planned == ("s2",)


def test_views_of_the_plan() -> None:
    day = plan()
    assert day.stop("a3") == ("van_1", 2)
    assert day.planned == ("s1", "s2", "s3", "s4")
    assert day.unplanned == ("s5",)
    assert day.route("van_9").stops == ()  # a van without a route has no stops
    assert day.planned_routes()[1] == PlannedRoute("van_2", (Visit("s2", P), Visit("s2", D)))
    # a merged stop gives one visit per shipment, in its order
    assert day.planned_routes()[0].visits[1:3] == (Visit("s3", P), Visit("s4", P))
    with pytest.raises(EditError, match="no such stop"):
        day.stop("zz")


def test_the_locked_stops_are_the_locks_per_van_in_route_order() -> None:
    locked = PlanRoute(
        "van_1", tuple(dataclasses.replace(s, locked=s.id in {"a1", "a3"}) for s in VAN_1.stops)
    )
    day = Plan(problem(), (locked, VAN_2))
    assert day.locks() == (Lock("van_1", (Visit("s1", P), Visit("s1", D), Visit("s3", D))),)
    assert day.locked_problem().locked_van == {"s1": "van_1", "s3": "van_1"}


def test_locked_stops_that_contradict_each_other_are_refused_as_locks() -> None:
    # s1's pickup locked on van_1, its delivery locked on van_2
    day = Plan(
        problem(),
        (
            PlanRoute("van_1", (Stop("x", P, "central", ("s1",), locked=True),)),
            PlanRoute("van_2", (Stop("y", D, "east", ("s1",), locked=True),)),
        ),
    )
    with pytest.raises(EditError, match="contradict") as info:
        day.locked_problem()
    assert info.value.field == "locks"


def test_with_route_keeps_the_vans_in_problem_order() -> None:
    day = Plan(problem(), (VAN_2,)).with_route(VAN_1)
    assert [r.van for r in day.routes] == ["van_1", "van_2"]


def test_a_route_is_timed_as_the_optimiser_times_it() -> None:
    # van_1 leaves at 08:00: a1 at central at once, west 4 km on (10 minutes after the 5
    # minutes at central), east 8 km on, back by the 6 km detour. Every stop takes 5 minutes.
    route = time_route(plan(), "van_1")
    a1, a2, a3, a4 = route.stops
    assert (a1.arrival, a1.departure, a1.load) == (h(8), h(8, 5), (2,))
    assert (a2.arrival, a2.departure, a2.load) == (h(8, 15), h(8, 20), (4,))
    assert (a3.arrival, a3.load, a3.distance) == (h(8, 20) + 8 * PER_KM, (1,), 12 * KM)
    assert (a4.arrival, a4.load, a4.distance) == (a3.departure + 6 * PER_KM, (0,), 18 * KM)
    assert route.distance == 18 * KM
    assert route.duration == 18 * PER_KM + 4 * SERVICE  # no waiting
    assert route.cost == 18.0  # 1 yuan a km, the vans' default
    assert route.breaks == ()


def test_a_break_is_placed_between_stops() -> None:
    # A 15-minute break due 08:20-08:25 is taken at west, after its pickups; east is
    # reached 15 minutes later (08:55), still before s3's 09:00 deadline.
    day = plan()
    tea = dataclasses.replace(
        day.problem.vans[0], breaks=(Break("tea", (TimeWindow(h(8, 20), h(8, 25)),), 900),)
    )
    day = dataclasses.replace(
        day, problem=dataclasses.replace(day.problem, vans=(tea, day.problem.vans[1]))
    )
    route = time_route(day, "van_1")
    assert [(b.id, b.after, b.start, b.duration, b.site) for b in route.breaks] == [
        ("tea", 2, h(8, 20), 900, "west")
    ]
    assert route.stops[2].arrival == h(8, 55)


def test_an_empty_route_stays_at_the_depot() -> None:
    route = time_route(Plan(problem(), (VAN_1,)), "van_2")
    assert (route.distance, route.duration, route.cost, route.stops) == (0, 0, 0.0, ())


def test_the_plan_of_a_solve_has_a_stop_per_step_and_the_reasons() -> None:
    day = problem(van_2_capacity=0)  # van_2 can carry nothing: van_1 does it all
    result = solve(day, time_limit=5, params=SolveParams(warm_start=False, work_limit=100))
    made = plan_from_result(day, result)
    steps = [
        (s.type.value, s.site, s.shipments)
        for s in result.routes[0].steps
        if s.type.value in ("pickup", "delivery")
    ]
    assert [(s.type.value, s.site, s.shipments) for s in made.route("van_1").stops] == steps
    assert [s.id for s in made.route("van_1").stops] == [f"van_1:{n}" for n in range(len(steps))]
    assert made.reasons == {u.shipment: u.reason.value for u in result.unassigned}
    assert set(made.planned) | set(made.reasons) == {s.id for s in day.shipments}
