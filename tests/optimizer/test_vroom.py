"""Specification of the VROOM adapter: our problem in, VROOM's plan back in our route form.

Real pyvroom on tiny named problems; every plan VROOM returns is checked with
``optimizer.check``, the same rules shuyun's own plans must pass.
"""

from __future__ import annotations

import dataclasses
import time

import pytest

from optimizer import (
    MATRIX_MAX,
    UNREACHABLE,
    Break,
    PlannedRoute,
    Problem,
    ProblemError,
    Shipment,
    Site,
    TimeWindow,
    Van,
    ViolationKind,
    Visit,
    VisitType,
    check,
)
from optimizer import _vroom as adapter
from optimizer._budget import Budget

H = 3600
LUNCH_CLOSED = (TimeWindow(9 * H, 12 * H), TimeWindow(14 * H, 18 * H))


def tiny_problem(
    *,
    shipments: tuple[Shipment, ...],
    breaks: tuple[Break, ...] = (),
    capacity: tuple[int, ...] = (10, 100),
    site_windows: tuple[TimeWindow, ...] = LUNCH_CLOSED,
) -> Problem:
    """A depot and two branches 10 minutes (5 km) apart, one van 08:00–18:00."""
    m = 600  # seconds between any two sites
    return Problem(
        sites=(
            Site("central", service_duration=0),
            Site("a", service_duration=300, time_windows=site_windows),
            Site("b", service_duration=300, time_windows=site_windows),
        ),
        durations=((0, m, m), (m, 0, m), (m, m, 0)),
        distances=((0, 5000, 5000), (5000, 0, 5000), (5000, 5000, 0)),
        vans=(
            Van(
                "van-1",
                start="central",
                capacity=capacity,
                shift=TimeWindow(8 * H, 18 * H),
                breaks=breaks,
                cost_per_km=2.0,
                cost_per_hour=60.0,
                fixed_cost=150.0,
            ),
        ),
        shipments=shipments,
    )


A_TO_B = Shipment("s1", pickup="a", delivery="b", amount=(2, 24))
B_TO_A = Shipment("s2", pickup="b", delivery="a", amount=(1, 12), deferrable=True, penalty=40)
LUNCH = Break("lunch", time_windows=(TimeWindow(11 * H + 1800, 13 * H + 1800),), duration=2700)


def lunch_problem() -> Problem:
    """Two shipments, the sites closed 12:00–14:00, the van's break in 11:30–13:30."""
    return tiny_problem(shipments=(A_TO_B, B_TO_A), breaks=(LUNCH,))


def break_squeeze_problem() -> Problem:
    """The sites open 09:00–10:00 only. The cheaper van-1 must start an hour's break by
    09:10, so it can serve nothing; van-2, dearer, has no break."""
    base = tiny_problem(shipments=(A_TO_B,), site_windows=(TimeWindow(9 * H, 10 * H),))
    squeezed = Break("early", time_windows=(TimeWindow(9 * H, 9 * H + 600),), duration=H)
    van_1 = dataclasses.replace(base.vans[0], breaks=(squeezed,))
    van_2 = dataclasses.replace(base.vans[0], id="van-2", fixed_cost=300.0)
    return dataclasses.replace(base, vans=(van_1, van_2))


@pytest.mark.parametrize(
    ("deferrable", "priority", "expected"),
    [
        (False, 0, 100),  # not deferrable: VROOM's top priority
        (False, 2, 100),
        (True, 0, 0),  # deferrable: ten times ours
        (True, 1, 10),
        (True, 50, 99),  # capped below the non-deferrable ones
    ],
)
def test_vroom_priority(deferrable: bool, priority: int, expected: int) -> None:
    shipment = Shipment("s", "a", "b", (1,), priority=priority, deferrable=deferrable)
    assert adapter.vroom_priority(shipment) == expected


def test_plan_passes_our_check_and_is_priced_in_yuan() -> None:
    problem = tiny_problem(shipments=(A_TO_B, B_TO_A))
    plan = adapter.solve_with_vroom(problem, nb_threads=1)
    assert plan.unassigned == ()
    assert len(plan.routes) == 1 and plan.routes[0].van == "van-1"
    visits = plan.routes[0].visits
    assert {(v.shipment, v.type) for v in visits} == {
        ("s1", VisitType.PICKUP),
        ("s1", VisitType.DELIVERY),
        ("s2", VisitType.PICKUP),
        ("s2", VisitType.DELIVERY),
    }
    assert check(problem, plan.routes) == []
    # VROOM prices travel only: 150 fixed + 2 yuan/km + 60 yuan per hour of driving.
    summary = plan.raw["summary"]
    expected = 150 + 2 * summary["distance"] / 1000 + 60 * summary["duration"] / 3600
    assert plan.cost == pytest.approx(expected, abs=0.02)


def test_lunch_break_and_closure_are_respected() -> None:
    # Released at 11:56, too late to finish before the 12:00 closure: the pickup waits for
    # 14:00, and the van's lunch break (11:30–13:30) falls inside the wait.
    late = Shipment("s3", pickup="a", delivery="b", amount=(1, 12), release=12 * H - 240)
    problem = tiny_problem(shipments=(late,), breaks=(LUNCH,))
    plan = adapter.solve_with_vroom(problem, nb_threads=1)
    assert plan.unassigned == ()
    assert check(problem, plan.routes) == []
    steps = {s["type"]: s for s in plan.raw["routes"][0]["steps"]}
    pickup, brk = steps["pickup"], steps["break"]
    assert pickup["arrival"] + pickup["waiting_time"] == 14 * H  # a reopens at 14:00
    assert 11 * H + 1800 <= brk["arrival"] + brk["waiting_time"] <= 13 * H + 1800


def test_shipment_with_no_window_left_is_excluded_and_unassigned() -> None:
    # Released after the sites close: VROOM cannot take it, it comes back unassigned.
    never = Shipment("s4", pickup="a", delivery="b", amount=(1, 12), release=19 * H)
    problem = tiny_problem(shipments=(A_TO_B, never))
    instance = adapter.vroom_input(problem)
    assert instance.shipment_ids == ("s1",)
    assert instance.excluded == ("s4",)
    plan = adapter.solve_with_vroom(problem, nb_threads=1)
    assert plan.unassigned == ("s4",)


def test_shipment_larger_than_the_van_is_unassigned() -> None:
    problem = tiny_problem(shipments=(A_TO_B,), capacity=(1, 100))
    plan = adapter.solve_with_vroom(problem, nb_threads=1)
    assert plan.routes == ()
    assert plan.unassigned == ("s1",)


def test_answer_maps_back_to_our_ids() -> None:
    problem = tiny_problem(shipments=(A_TO_B,))
    instance = adapter.vroom_input(problem)
    answer = {
        "summary": {"cost": 12345},
        "routes": [
            {
                "vehicle": 0,
                "steps": [
                    {"type": "start"},
                    {"type": "pickup", "id": 0},
                    {"type": "break", "id": 0},
                    {"type": "delivery", "id": 0},
                    {"type": "end"},
                ],
            }
        ],
    }
    plan = adapter.plan_from_answer(instance, answer)
    assert plan.routes == (
        PlannedRoute("van-1", (Visit("s1", VisitType.PICKUP), Visit("s1", VisitType.DELIVERY))),
    )
    assert plan.cost == pytest.approx(123.45)


def test_matrix_beyond_vroom_range_is_refused_by_the_model() -> None:
    # VROOM's matrices are uint32: the model refuses more, so VROOM never wraps a value.
    problem = tiny_problem(shipments=(A_TO_B,))
    fields = {f.name: getattr(problem, f.name) for f in dataclasses.fields(problem) if f.init}
    with pytest.raises(ProblemError, match=r"Problem\.durations\[0\]\[1\] must be <= 4294967295"):
        Problem(**{**fields, "durations": ((0, 2**33, 600), (600, 0, 600), (600, 600, 0))})
    # The largest entry accepted (no path) is within VROOM's range.
    widest = ((0, MATRIX_MAX, 600), (600, 0, 600), (600, 600, 0))
    adapter.vroom_input(Problem(**{**fields, "durations": widest}))


def test_no_path_entries_are_passed_as_dear_legs() -> None:
    # VROOM refuses 10⁹-second legs as too dear: no path becomes a leg dearer than any route.
    problem = tiny_problem(shipments=(A_TO_B,))
    fields = {f.name: getattr(problem, f.name) for f in dataclasses.fields(problem) if f.init}
    cut = ((0, 600, 600), (UNREACHABLE, 0, 600), (600, UNREACHABLE, 0))
    problem = Problem(**{**fields, "durations": cut})
    plan = adapter.solve_with_vroom(problem, nb_threads=1)
    assert plan.unassigned == ()
    assert check(problem, plan.routes) == []
    matrix = adapter._matrix("durations", cut, [0])
    assert matrix[1][0] == 4 * 600 + 1  # (3 sites + 1) legs of the longest, and one more


def test_skills_are_mapped_to_vroom_integers() -> None:
    # Our skills are names; VROOM's are integers. A skill no van has leaves the shipment out.
    needs_lift = Shipment(
        "s5", pickup="a", delivery="b", amount=(1, 12), skills=frozenset({"lift"})
    )
    problem = tiny_problem(shipments=(A_TO_B, needs_lift))
    plan = adapter.solve_with_vroom(problem, nb_threads=1)
    assert plan.unassigned == ("s5",)
    assert [(v.kind, v.shipment) for v in check(problem, plan.routes)] == [
        (ViolationKind.UNPLANNED, "s5")
    ]


@pytest.mark.parametrize(
    ("closes", "planned"),
    [
        # Leave at 09:00, load 10 min at the depot, drive 10 min: at a by 09:20, not before.
        (9 * H + 1200, True),
        (9 * H + 1199, False),
    ],
)
def test_loading_at_the_depot_takes_the_depots_service_time(closes: int, planned: bool) -> None:
    problem = Problem(
        sites=(
            Site("central", service_duration=600),
            Site("a", time_windows=(TimeWindow(9 * H, closes),)),
        ),
        durations=((0, 600), (600, 0)),
        distances=((0, 5000), (5000, 0)),
        vans=(Van("van-1", start="central", capacity=(10,), shift=TimeWindow(9 * H, 18 * H)),),
        shipments=(Shipment("s6", pickup="central", delivery="a", amount=(1,)),),
    )
    plan = adapter.solve_with_vroom(problem, nb_threads=1)
    assert plan.unassigned == (() if planned else ("s6",))
    assert [v.kind for v in check(problem, plan.routes)] == ([] if planned else ["unplanned"])


def test_warm_start_returns_routes_that_keep_every_rule() -> None:
    # A lunch closure at both branches and a driver's break: PyVRP declines, VROOM plans.
    lunch = Break("lunch", (TimeWindow(11 * H + 1800, 13 * H + 1800),), 2700)
    problem = tiny_problem(shipments=(A_TO_B, B_TO_A), breaks=(lunch,))
    routes = adapter.warm_start(problem, Budget.start(1.0))
    assert routes is not None
    assert [r.van for r in routes] == ["van-1"]
    assert {v.shipment for v in routes[0].visits} == {"s1", "s2"}
    assert check(problem, routes) == []


def test_warm_start_cuts_a_route_back_to_what_our_rules_allow() -> None:
    # VROOM bounds travel time only; our max_route_duration bounds the whole route.
    # Each shipment alone fits in 50 minutes (10 + 5 + 10 + 5 + 10 + slack); both do not.
    problem = tiny_problem(shipments=(A_TO_B, B_TO_A))
    short = dataclasses.replace(problem.vans[0], max_route_duration=50 * 60)
    problem = dataclasses.replace(problem, vans=(short,))
    routes = adapter.warm_start(problem, Budget.start(1.0))
    assert routes is not None
    assert len({v.shipment for r in routes for v in r.visits}) == 1
    assert [v.kind for v in check(problem, routes)] == [ViolationKind.UNPLANNED]


def test_warm_start_with_no_time_left_plans_nothing() -> None:
    # VROOM runs in a child stopped at the deadline: past it, there is no plan to give.
    assert adapter.warm_start(tiny_problem(shipments=(A_TO_B,)), Budget.start(0.0)) is None


def test_vroom_is_stopped_at_its_deadline() -> None:
    # The deadline holds whatever VROOM's effort: a big day with 0.3 s gets no plan, late.
    problem = lunch_problem()
    big = dataclasses.replace(problem, shipments=problem.shipments * 1)
    began = time.perf_counter()
    adapter.warm_start(big, Budget.start(0.3))
    assert time.perf_counter() - began < 0.3 + 0.5


@pytest.mark.parametrize(
    ("shipments", "seconds", "effort"),
    [
        (400, 7.0, (8, 5)),  # the 200-site benchmark at 10 s, 0.3 left to the polish
        (400, 1.0, (2, 0)),  # nothing fits: the least, late rather than nothing
        (400, 1.6, (4, 0)),
        (800, 9.0, (4, 3)),  # (800/400)^2 = 4 times longer: (8, 3) would take 14.5 s
        (200, 4.8, (32, 5)),  # VROOM's exploration level 5
        (10, 0.1, (32, 5)),
    ],
)
def test_search_effort_fits_the_time(
    shipments: int, seconds: float, effort: tuple[int, int]
) -> None:
    assert adapter.search_effort(shipments, seconds) == effort
    searches, depth = effort
    assert adapter.predicted_seconds(shipments, searches, depth) <= seconds or effort == (2, 0)


def test_warm_start_plans_without_breaks_and_places_them_in_the_lunch_closure() -> None:
    """VROOM is asked without the break; our timing puts it where the sites are closed."""
    problem = lunch_problem()
    assert any(van.breaks for van in problem.vans)
    routes = adapter.warm_start(problem, Budget.start(1.0))
    assert routes is not None
    assert sum(len(r.visits) for r in routes) == 2 * len(problem.shipments)
    assert check(problem, routes) == []


def test_warm_start_asks_again_with_breaks_when_a_break_costs_a_shipment() -> None:
    """The break-free plan loses the hold to van-1's break; VROOM given the break plans it
    on van-2."""
    problem = break_squeeze_problem()
    assert not problem.shipments[0].deferrable
    _, lost = adapter._vroom_routes(problem, adapter.without_breaks(problem), Budget.start(1.0))
    assert lost
    routes = adapter.warm_start(problem, Budget.start(1.0))
    assert routes is not None
    assert [route.van for route in routes] == ["van-2"]
    assert sum(len(r.visits) for r in routes) == 2 * len(problem.shipments)
    assert check(problem, routes) == []


def test_warm_start_on_a_tight_day_serves_the_hold_and_keeps_every_rule() -> None:
    """The sites open 09:00–09:20: time for one of the two shipments. VROOM plans without
    the break; the plan serves the hold and keeps every rule, the break included."""
    problem = tiny_problem(
        shipments=(A_TO_B, B_TO_A),
        breaks=(LUNCH,),
        site_windows=(TimeWindow(9 * H, 9 * H + 1200),),
    )
    routes = adapter.warm_start(problem, Budget.start(1.0))
    assert routes is not None
    assert {v.shipment for r in routes for v in r.visits} == {"s1"}  # the hold
    assert [v.kind for v in check(problem, routes)] == [ViolationKind.UNPLANNED]


def test_vroom_searches_from_the_routes_it_is_given() -> None:
    problem = tiny_problem(shipments=(A_TO_B, B_TO_A))
    start = (
        PlannedRoute("van-1", (Visit("s1", VisitType.PICKUP), Visit("s1", VisitType.DELIVERY))),
    )
    instance = adapter.vroom_input(problem, start)
    answer = adapter.solve_searches(instance, 2, 0, nb_threads=1, timeout=1.0)
    plan = adapter.plan_from_answer(instance, answer)
    # the start's shipment stays served, the other is added to it, every rule kept
    assert {v.shipment for r in plan.routes for v in r.visits} == {"s1", "s2"}
    assert check(problem, list(plan.routes)) == []


def test_a_start_visit_of_a_shipment_vroom_is_not_given_is_left_out() -> None:
    problem = tiny_problem(shipments=(A_TO_B,))
    stray = PlannedRoute(
        "van-1", (Visit("gone", VisitType.PICKUP), Visit("gone", VisitType.DELIVERY))
    )
    instance = adapter.vroom_input(problem, (stray,))
    answer = adapter.solve_searches(instance, 2, 0, nb_threads=1, timeout=1.0)
    plan = adapter.plan_from_answer(instance, answer)
    assert {v.shipment for r in plan.routes for v in r.visits} == {"s1"}
