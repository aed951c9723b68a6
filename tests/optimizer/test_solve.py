"""solve(): small instances whose best plan is known by hand."""

from __future__ import annotations

import dataclasses
import gc
import importlib
import itertools
from collections.abc import Callable

import pytest

from optimizer import (
    TIME_MAX,
    UNREACHABLE,
    Break,
    PlannedRoute,
    Problem,
    ProblemError,
    Result,
    Shipment,
    Site,
    SolveParams,
    StepType,
    TimeWindow,
    UnassignedReason,
    Van,
    Visit,
    VisitType,
    check,
    planned_routes,
    solve,
)


def h(hours: int, minutes: int = 0) -> int:
    return hours * 3600 + minutes * 60


def uniform(n: int, seconds: int, metres: int) -> tuple[list[list[int]], list[list[int]]]:
    durations = [[0 if i == j else seconds for j in range(n)] for i in range(n)]
    distances = [[0 if i == j else metres for j in range(n)] for i in range(n)]
    return durations, distances


# ``optimizer.solve`` the function hides the module of the same name.
optimizer_solve = importlib.import_module("optimizer.solve")


def steps_of(result: Result, step_type: StepType) -> list:
    return [s for r in result.routes for s in r.steps if s.type == step_type]


def assert_accounted(problem: Problem, result: Result) -> None:
    """Every shipment exactly once: in one route (pickup, then delivery) or unassigned."""
    seen: list[str] = [u.shipment for u in result.unassigned]
    for route in result.routes:
        position: dict[tuple[str, StepType], int] = {}
        for i, step in enumerate(route.steps):
            for sid in step.shipments:
                position[(sid, step.type)] = i
        for sid in route.shipments:
            assert position[(sid, StepType.PICKUP)] < position[(sid, StepType.DELIVERY)], sid
        seen.extend(route.shipments)
    assert sorted(seen) == sorted(s.id for s in problem.shipments)
    assert result.stats.self_check == ()


def test_van_waits_for_branch_to_reopen_after_lunch(lunch_wait: Problem, fast: SolveParams) -> None:
    result = solve(lunch_wait, time_limit=2, params=fast)
    assert result.unassigned == ()
    (route,) = result.routes
    pickup, delivery = route.steps[1], route.steps[2]
    assert (pickup.type, pickup.service_start) == (StepType.PICKUP, h(11, 45))
    # Arrives 11:55, but 10 minutes of service would run into the 12:00 closure.
    assert delivery.arrival == h(11, 55)
    assert delivery.service_start == h(14)
    assert delivery.waiting == h(14) - h(11, 55)
    assert delivery.departure == h(14, 10)
    assert route.steps[-1].arrival == h(14, 20)
    # No needless wait at the start: the van leaves just in time for 11:45.
    assert route.steps[0].departure == h(11, 35)
    assert_accounted(lunch_wait, result)


def test_hold_that_cannot_meet_its_deadline_is_reported(
    late_hold: Problem, fast: SolveParams
) -> None:
    result = solve(late_hold, time_limit=2, params=fast)
    assert result.routes == ()
    (unassigned,) = result.unassigned
    assert unassigned.shipment == "hold_late"
    assert unassigned.reason == UnassignedReason.DEADLINE
    assert "09:00" in unassigned.detail


def test_shipment_larger_than_every_van_is_reported(
    two_crate_loads: Problem, fast: SolveParams
) -> None:
    big = Shipment("too_big", "central", "branch_a", (30, 10))
    problem = dataclasses.replace(two_crate_loads, shipments=(big,))
    result = solve(problem, time_limit=2, params=fast)
    assert [(u.shipment, u.reason) for u in result.unassigned] == [
        ("too_big", UnassignedReason.CAPACITY_EXCEEDS_VAN)
    ]
    assert result.stats.prefiltered == 1


def _due_by_915(problem: Problem) -> Problem:
    """Both loads due at 09:15, vans on duty from 09:00: no time for a second trip."""
    shipments = tuple(dataclasses.replace(s, deadline=h(9, 15)) for s in problem.shipments)
    vans = tuple(dataclasses.replace(v, shift=TimeWindow(h(9), h(18))) for v in problem.vans)
    return dataclasses.replace(problem, shipments=shipments, vans=vans)


def test_capacity_forces_a_second_van(two_crate_loads: Problem, fast: SolveParams) -> None:
    problem = _due_by_915(two_crate_loads)
    result = solve(problem, time_limit=2, params=fast)
    assert result.unassigned == ()
    assert result.summary.vans_used == 2
    assert sorted(r.shipments for r in result.routes) == [("new_a",), ("new_b",)]
    # 50 yuan fixed + 8 km at 1 yuan/km, per van.
    assert result.summary.cost == pytest.approx(2 * (50 + 8))
    assert_accounted(problem, result)


def test_capacity_defers_a_deferrable_shipment_with_one_van(
    two_crate_loads: Problem, fast: SolveParams
) -> None:
    problem = _due_by_915(two_crate_loads)
    new_a, new_b = problem.shipments
    problem = dataclasses.replace(
        problem,
        vans=problem.vans[:1],
        shipments=(new_a, dataclasses.replace(new_b, deferrable=True, penalty=20.0)),
    )
    result = solve(problem, time_limit=2, params=fast)
    assert [r.shipments for r in result.routes] == [("new_a",)]
    assert [(u.shipment, u.reason) for u in result.unassigned] == [
        ("new_b", UnassignedReason.DEFERRED_CAPACITY)
    ]
    assert_accounted(problem, result)


def test_one_way_streets_pick_the_right_order(one_way: Problem, fast: SolveParams) -> None:
    result = solve(one_way, time_limit=2, params=fast)
    (route,) = result.routes
    sites = [step.site for step in route.steps]
    assert sites == ["central", "central", "branch_a", "branch_b", "central"]
    # Both pickups at the central library are one stop with two shipments.
    assert sorted(route.steps[1].shipments) == ["to_a", "to_b"]
    assert route.distance == 3 * 3000
    assert route.steps[-1].distance == 9000


def test_break_is_taken_inside_its_window(lunch_break: Problem, fast: SolveParams) -> None:
    result = solve(lunch_break, time_limit=2, params=fast)
    assert result.unassigned == ()
    (route,) = result.routes
    (brk,) = steps_of(result, StepType.BREAK)
    assert brk.break_id == "lunch"
    assert h(12) <= brk.service_start <= h(12, 30)
    assert brk.departure - brk.service_start == 1800
    # No service overlaps the break, and the steps run forward in time.
    for step in route.steps:
        if step.type in (StepType.PICKUP, StepType.DELIVERY):
            assert step.departure <= brk.service_start or step.service_start >= brk.departure
    times = [(s.service_start, s.departure) for s in route.steps]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(times))
    assert_accounted(lunch_break, result)


@pytest.mark.parametrize("seed", [1, 2])
def test_every_pickup_comes_before_its_delivery_on_one_van(
    seed: int, make_random: Callable[..., Problem]
) -> None:
    problem = make_random(seed)
    result = solve(problem, time_limit=3, params=SolveParams(warm_start=False, work_limit=400))
    assert result.routes
    assert_accounted(problem, result)
    for route in result.routes:
        capacity = next(v.capacity for v in problem.vans if v.id == route.van)
        assert all(
            all(x <= c for x, c in zip(step.load, capacity, strict=True)) for step in route.steps
        )


def test_same_work_limit_gives_the_same_plan(make_random: Callable[..., Problem]) -> None:
    problem = make_random(3, shipments=24)
    params = SolveParams(warm_start=False, work_limit=150)
    first = solve(problem, time_limit=20, seed=7, params=params)
    second = solve(problem, time_limit=20, seed=7, params=params)
    assert first.stats.stopped_by == second.stats.stopped_by == "work_limit"
    assert first.routes == second.routes
    assert first.unassigned == second.unassigned


def test_a_solve_leaves_no_routing_model_alive(make_random: Callable[..., Problem]) -> None:
    # A month simulation solves one day after another in one process: a model kept
    # alive by its own callbacks costs megabytes a day.
    from ortools.constraint_solver import pywrapcp

    def alive() -> int:
        gc.collect()
        return sum(isinstance(o, pywrapcp.RoutingModel) for o in gc.get_objects())

    before = alive()
    for seed in (1, 2):
        solve(
            make_random(2, shipments=8),
            time_limit=10,
            seed=seed,
            params=SolveParams(warm_start=False, work_limit=20),
        )
    assert alive() == before


def test_warm_start_from_initial_routes_equals_or_beats_it(
    make_random: Callable[..., Problem],
) -> None:
    problem = make_random(4, shipments=24)
    params = SolveParams(warm_start=False, work_limit=60)
    first = solve(problem, time_limit=10, params=params)
    again = solve(
        problem, time_limit=10, params=params, initial_routes=planned_routes(first.routes)
    )
    assert again.stats.warm_start == "used"
    assert again.stats.objective <= first.stats.objective
    assert again.summary.unassigned <= first.summary.unassigned
    assert_accounted(problem, again)


def test_infeasible_initial_routes_are_ignored_not_fatal(
    one_way: Problem, fast: SolveParams
) -> None:
    backwards = PlannedRoute(
        "van_1",
        (Visit("to_a", VisitType.DELIVERY), Visit("to_a", VisitType.PICKUP)),
    )
    result = solve(one_way, time_limit=2, params=fast, initial_routes=[backwards])
    assert result.unassigned == ()
    assert any("to_a" in note for note in result.stats.notes)


@pytest.mark.parametrize(
    ("route", "match"),
    [
        # a van the problem does not have
        (PlannedRoute("van_9", ()), r"initial_routes\[0\]\.van .*'van_9'"),
        # a shipment the problem does not have
        (
            PlannedRoute("van_1", (Visit("ghost", VisitType.PICKUP),)),
            r"initial_routes\[0\]\.visits\[0\]\.shipment .*'ghost'",
        ),
    ],
)
def test_initial_routes_with_unknown_ids_are_refused(
    one_way: Problem, route: PlannedRoute, match: str, fast: SolveParams
) -> None:
    with pytest.raises(ProblemError, match=match):
        solve(one_way, time_limit=1, params=fast, initial_routes=[route])


@pytest.mark.parametrize("solvers", [None, ["pyvrp"], ["vroom"], []])
def test_default_params_work_with_any_or_no_warm_start_solver(
    one_way: Problem, solvers: list[str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The specialist solvers are optional: the plan is the same with either or none.
    if solvers is not None:
        every = optimizer_solve.default_starters

        def only(judge: Callable[..., int], share: float) -> list:
            return [s for s in every(judge, share) if s.name in solvers]

        monkeypatch.setattr(optimizer_solve, "default_starters", only)
    result = solve(one_way, time_limit=1.0)
    assert result.unassigned == ()
    assert result.routes[0].distance == 9000
    assert result.runtime <= 5
    expected = solvers[0] if solvers else ("pyvrp" if solvers is None else "none")
    assert result.stats.warm_start_source.startswith(expected)


def test_lunch_closures_and_breaks_are_warm_started_by_vroom(
    lunch_break: Problem,
) -> None:
    # PyVRP has one window per visit and no breaks: it declines, VROOM plans.
    result = solve(lunch_break, time_limit=2.0)
    assert result.stats.warm_start_source == "vroom"
    assert result.stats.warm_start == "used"
    assert_accounted(lunch_break, result)


def test_unreachable_site_is_reported(fast: SolveParams) -> None:
    sites = (Site("central"), Site("branch_a"), Site("island"))
    durations, distances = uniform(3, 600, 4000)
    for matrix in (durations, distances):
        for i in range(3):
            if i != 2:
                matrix[i][2] = matrix[2][i] = UNREACHABLE
    problem = Problem(
        sites,
        durations,
        distances,
        (Van("van_1", "central", (5,)),),
        (
            Shipment("to_island", "central", "island", (1,)),
            Shipment("to_a", "central", "branch_a", (1,)),
        ),
    )
    result = solve(problem, time_limit=1, params=fast)
    assert [(u.shipment, u.reason) for u in result.unassigned] == [
        ("to_island", UnassignedReason.UNREACHABLE)
    ]
    assert [r.shipments for r in result.routes] == [("to_a",)]


def test_skills_restrict_vans(fast: SolveParams) -> None:
    sites = (Site("central"), Site("branch_a"))
    durations, distances = uniform(2, 600, 4000)
    vans = (
        Van("plain", "central", (5,), fixed_cost=1),
        Van("tail_lift", "central", (5,), fixed_cost=100, skills=frozenset({"lift"})),
    )
    heavy = Shipment("heavy", "central", "branch_a", (2,), skills=frozenset({"lift"}))
    fragile = Shipment("fragile", "central", "branch_a", (2,), skills=frozenset({"cold"}))
    result = solve(
        Problem(sites, durations, distances, vans, (heavy, fragile)), time_limit=1, params=fast
    )
    assert [(r.van, r.shipments) for r in result.routes] == [("tail_lift", ("heavy",))]
    assert [(u.shipment, u.reason) for u in result.unassigned] == [
        ("fragile", UnassignedReason.SKILLS)
    ]


def test_empty_problem_gives_an_empty_result(fast: SolveParams) -> None:
    problem = Problem((Site("central"),), [[0]], [[0]], (Van("van_1", "central", (5,)),), ())
    result = solve(problem, time_limit=1, params=fast)
    assert (result.routes, result.unassigned, result.summary.vans_used) == ((), (), 0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"time_limit": 0}, "time_limit must be > 0"),  # no time at all
        ({"time_limit": float("inf")}, "finite"),  # never stops
        ({"time_limit": "10"}, "number of seconds"),  # a string
        ({"seed": 1.5}, "seed must be an integer"),  # not an integer seed
    ],
)
def test_bad_arguments_are_refused(one_way: Problem, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        solve(one_way, **kwargs)


def test_site_service_is_paid_once_per_stop(one_way: Problem, fast: SolveParams) -> None:
    # 5 minutes to park at the central library, plus 1 minute per shipment loaded.
    central = dataclasses.replace(one_way.sites[0], service_duration=300)
    shipments = tuple(dataclasses.replace(s, pickup_service=60) for s in one_way.shipments)
    problem = dataclasses.replace(one_way, sites=(central, *one_way.sites[1:]), shipments=shipments)
    result = solve(problem, time_limit=2, params=fast)
    (route,) = result.routes
    stop = route.steps[1]
    assert (stop.type, len(stop.shipments)) == (StepType.PICKUP, 2)
    assert stop.departure - stop.service_start == 300 + 2 * 60
    assert route.steps[2].arrival == stop.departure + 300  # the 5-minute drive to branch_a


def test_warm_start_over_capacity_is_rejected_and_solved_anyway(
    two_crate_loads: Problem, fast: SolveParams
) -> None:
    # 8 + 8 crates on board of a 10-crate van.
    overloaded = PlannedRoute(
        "van_1",
        (
            Visit("new_a", VisitType.PICKUP),
            Visit("new_b", VisitType.PICKUP),
            Visit("new_a", VisitType.DELIVERY),
            Visit("new_b", VisitType.DELIVERY),
        ),
    )
    result = solve(two_crate_loads, time_limit=2, params=fast, initial_routes=[overloaded])
    assert result.stats.warm_start == "rejected"
    assert result.unassigned == ()
    assert_accounted(two_crate_loads, result)


def test_higher_priority_is_served_first_when_only_one_fits(
    two_crate_loads: Problem, fast: SolveParams
) -> None:
    due = _due_by_915(two_crate_loads)
    new_a, new_b = due.shipments
    problem = dataclasses.replace(
        due, vans=due.vans[:1], shipments=(new_a, dataclasses.replace(new_b, priority=3))
    )
    result = solve(problem, time_limit=2, params=fast)
    assert [r.shipments for r in result.routes] == [("new_b",)]
    assert [u.shipment for u in result.unassigned] == ["new_a"]


def test_too_little_time_is_reported_not_blamed_on_the_fleet(
    make_random: Callable[..., Problem],
) -> None:
    problem = make_random(5, sites=40, shipments=120, vans=10)
    result = solve(problem, time_limit=0.05, params=SolveParams(warm_start=False))
    if result.routes:  # a fast machine found a plan anyway: nothing to report
        assert_accounted(problem, result)
        return
    assert result.stats.failure == "no solution found within the time limit"
    assert all(u.reason == UnassignedReason.TIME_LIMIT for u in result.unassigned)
    assert all("time limit" in u.detail for u in result.unassigned)
    assert len(result.unassigned) == len(problem.shipments)


def test_a_break_outside_the_shift_is_noted_not_fatal(
    check_day: Problem, fast: SolveParams
) -> None:
    # van_4's tea break is due 08:00-08:10, its shift starts at 09:00.
    problem = dataclasses.replace(
        check_day, vans=check_day.vans[3:], shipments=check_day.shipments[1:2]
    )
    result = solve(problem, time_limit=2, params=fast)
    assert [r.shipments for r in result.routes] == [("small",)]
    assert steps_of(result, StepType.BREAK) == []
    assert result.stats.notes == (
        "break early_tea of van van_4 cannot be taken within its shift: ignored",
    )


def test_plan_objective_prices_a_plan_as_the_search_does(
    make_random: Callable[..., Problem],
) -> None:
    # A warm start replaces the search's plan only when it is cheaper by the search's own
    # measure: the Python pricing must agree with OR-Tools' objective to the milli-yuan.
    ortools = importlib.import_module("optimizer._ortools")
    problem = make_random(11, sites=10, shipments=12, vans=3)
    result = solve(problem, time_limit=3, params=SolveParams(warm_start=False, work_limit=200))
    assert result.stats.prefiltered == 0
    plan = importlib.import_module("optimizer._plan")
    routes = plan.from_planned(problem, planned_routes(result.routes), [])
    assert ortools.plan_objective(problem, routes) == result.stats.objective


def test_a_warm_start_is_kept_when_no_time_is_left_to_search(
    make_random: Callable[..., Problem], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Time for the search is estimated per shipment; when the warm start used it up,
    # its plan (re-timed by our rules) is the answer, not an empty one.
    problem = make_random(3, sites=10, shipments=12, vans=3)
    monkeypatch.setattr(optimizer_solve, "BUILD_SECONDS_PER_SHIPMENT", 100.0)
    result = solve(problem, time_limit=2.0)
    assert result.stats.warm_start == "kept (no time left to search)"
    assert result.routes
    assert_accounted(problem, result)


def test_without_vans_every_shipment_says_so(one_way: Problem, fast: SolveParams) -> None:
    # Not "too big for every van" (what 0 vans once said): there is no van.
    result = solve(dataclasses.replace(one_way, vans=()), time_limit=1, params=fast)
    assert {u.reason for u in result.unassigned} == {UnassignedReason.NO_VEHICLE}
    assert len(result.unassigned) == len(one_way.shipments)


# --- any horizon: UNIX timestamps, as VROOM's clients send them ----------------------------

UNIX_DAY = 1_600_041_600
"""2020-09-14 00:00 UTC in UNIX time: a day far beyond any week since midnight."""


def shifted(problem: Problem, offset: int) -> Problem:
    """``problem`` with every time ``offset`` seconds later (open windows stay open)."""

    def window(w: TimeWindow) -> TimeWindow:
        return TimeWindow(w.early + offset, w.late + offset if w.late < TIME_MAX else TIME_MAX)

    def windows(ws: tuple[TimeWindow, ...]) -> tuple[TimeWindow, ...]:
        return tuple(window(w) for w in ws)

    return dataclasses.replace(
        problem,
        sites=tuple(
            dataclasses.replace(s, time_windows=windows(s.time_windows)) for s in problem.sites
        ),
        vans=tuple(
            dataclasses.replace(
                v,
                shift=window(v.shift),
                breaks=tuple(
                    dataclasses.replace(b, time_windows=windows(b.time_windows)) for b in v.breaks
                ),
            )
            for v in problem.vans
        ),
        shipments=tuple(
            dataclasses.replace(
                s,
                release=s.release + offset,
                deadline=None if s.deadline is None else s.deadline + offset,
            )
            for s in problem.shipments
        ),
    )


def step_times(result: Result, offset: int = 0) -> list[list[tuple[int, int, int]]]:
    return [
        [(s.arrival - offset, s.service_start - offset, s.departure - offset) for s in r.steps]
        for r in result.routes
    ]


def test_unix_timestamps_give_the_plan_of_the_same_day(
    make_random: Callable[..., Problem], fast: SolveParams
) -> None:
    # A day with lunch closures, every time 1.6e9 s later: the same plan, 1.6e9 s later.
    day = make_random(3, shipments=12)
    at_unix = shifted(day, UNIX_DAY)
    assert at_unix.horizon > UNIX_DAY
    reference = solve(day, time_limit=20, params=fast)
    result = solve(at_unix, time_limit=20, params=fast)
    assert planned_routes(result.routes) == planned_routes(reference.routes)
    assert step_times(result, UNIX_DAY) == step_times(reference)
    assert result.summary == reference.summary
    assert [(u.shipment, u.reason) for u in result.unassigned] == [
        (u.shipment, u.reason) for u in reference.unassigned
    ]
    assert result.stats.self_check == ()


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("one_way", "pyvrp"),  # no windows at all: PyVRP's warm start
        ("lunch_break", "vroom"),  # windows and a driver break: VROOM's (uint32 times)
    ],
)
def test_unix_timestamps_with_the_warm_starts(
    request: pytest.FixtureRequest, name: str, source: str
) -> None:
    day = request.getfixturevalue(name)
    at_unix = shifted(day, UNIX_DAY)
    reference = solve(day, time_limit=2.0)
    result = solve(at_unix, time_limit=2.0)
    assert result.stats.warm_start_source == source
    assert result.stats.notes == ()  # no warm start failed
    assert result.unassigned == ()
    assert result.summary == reference.summary
    assert step_times(result, UNIX_DAY) == step_times(reference)
    assert check(at_unix, planned_routes(result.routes)) == []
    assert all(s.arrival >= UNIX_DAY for r in result.routes for s in r.steps)


def test_a_break_in_unix_time_is_taken_inside_its_window(fast: SolveParams) -> None:
    # The lunch break of a shift in UNIX time, as VROOM's documentation examples write it.
    start = UNIX_DAY + h(9)
    sites = (Site("central"), Site("branch_a", time_windows=(TimeWindow(start, start + h(8)),)))
    van = Van(
        "van_1",
        "central",
        (10,),
        shift=TimeWindow(start, start + h(9)),
        breaks=(Break("lunch", (TimeWindow(start + h(3), start + h(4)),), 1800),),
    )
    problem = Problem(
        sites,
        [[0, h(2)], [h(2), 0]],
        [[0, 9000], [9000, 0]],
        (van,),
        (Shipment("t", "central", "branch_a", (1,), deadline=start + h(5)),),
    )
    result = solve(problem, time_limit=2, params=fast)
    assert result.unassigned == ()
    (brk,) = steps_of(result, StepType.BREAK)
    assert start + h(3) <= brk.service_start <= start + h(4)
    assert result.stats.self_check == ()
