"""The final repair: holds are served before anything deferrable, in the answer itself."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import (
    Break,
    PlannedRoute,
    Problem,
    Result,
    Shipment,
    ShipmentKind,
    Site,
    SolveParams,
    TimeWindow,
    UnassignedReason,
    Van,
    ViolationKind,
    Visit,
    VisitType,
    check,
    planned_routes,
    solve,
)
from optimizer._plan import PlanRoute
from optimizer._serve import Served, serve_first
from optimizer.solve import _left_out

H = 3600
P, D = VisitType.PICKUP, VisitType.DELIVERY


def full_van_day() -> Problem:
    """One van of 3 crates and a 40-minute shift: time for one loop central → branch →
    point → central (34 minutes), not for two. Three returns (1 crate each) from the
    branch fill it; a hold of 2 crates waits at the point: room for it means setting two
    returns aside."""
    sites = (
        Site("central"),
        Site("branch", service_duration=120),
        Site("point", service_duration=120),
    )
    durations = ((0, 600, 600), (600, 0, 600), (600, 600, 0))
    distances = tuple(tuple(10 * t for t in row) for row in durations)
    returns = tuple(
        Shipment(
            f"r{i}",
            "branch",
            "central",
            (1,),
            kind=ShipmentKind.RETURN_HOME,
            priority=1,
            deferrable=True,
            penalty=10.0 * i,  # r1 is worth least, r3 most
        )
        for i in (1, 2, 3)
    )
    hold = Shipment("hold", "point", "central", (2,), kind=ShipmentKind.HOLD, priority=3)
    van = Van("van", "central", (3,), shift=TimeWindow(8 * H, 8 * H + 40 * 60))
    return Problem(sites, durations, distances, (van,), (*returns, hold))


def test_the_repair_sets_the_cheapest_returns_aside_for_a_hold() -> None:
    problem = full_van_day()
    # All three returns picked up at the branch, then delivered at central.
    returns_only = PlanRoute(0, ((0, P), (1, P), (2, P), (0, D), (1, D), (2, D)))
    served = serve_first(
        problem, (returns_only,), ((0,), (0,), (0,), (0,)), deadline=time.perf_counter() + 10
    )
    assert served.placed[0] == 3  # the hold first
    on_van = {k for route in served.plan for k, _ in route.visits}
    assert 3 in on_van
    # r3 (worth most) stays on; r1 and r2 were set aside, and no room came back for them.
    assert on_van == {2, 3}
    assert sorted(served.displaced) == [0, 1]
    broken = check(problem, planned(problem, served.plan))
    assert [v.kind for v in broken] == [ViolationKind.UNPLANNED] * 2


def planned(problem: Problem, plan: tuple[PlanRoute, ...]) -> list[PlannedRoute]:
    return [
        PlannedRoute(
            problem.vans[r.van].id,
            tuple(Visit(problem.shipments[k].id, t) for k, t in r.visits),
        )
        for r in plan
    ]


def test_solve_puts_in_the_hold_a_warm_start_left_out() -> None:
    # The dispatcher's plan fills the van with returns; a work limit of one solution stops
    # OR-Tools at that plan. The repair puts the hold in, as the objective says.
    problem = full_van_day()
    returns = PlannedRoute("van", tuple(Visit(f"r{i}", t) for t in (P, D) for i in (1, 2, 3)))
    result = solve(
        problem,
        time_limit=5,
        initial_routes=[returns],
        params=SolveParams(warm_start=False, work_limit=1),
    )
    assert result.stats.repaired >= 1
    assert "hold" in result.routes[0].shipments
    assert {u.shipment for u in result.unassigned} == {"r1", "r2"}
    assert all(u.reason == UnassignedReason.DEFERRED_CAPACITY for u in result.unassigned)
    assert result.stats.self_check == ()


def test_a_hold_with_no_room_even_without_deferrable_work_says_so() -> None:
    # Two holds of 2 crates, a van of 3: one waits, honestly for want of room.
    problem = full_van_day()
    second = Shipment("hold2", "branch", "central", (2,), kind=ShipmentKind.HOLD, priority=3)
    problem = Problem(
        problem.sites,
        problem.durations,
        problem.distances,
        problem.vans,
        (problem.shipments[3], second),
    )
    result = solve(problem, time_limit=2)
    (left,) = result.unassigned
    assert left.reason == UnassignedReason.DEFERRED_CAPACITY
    assert "even with all of its deferrable work set aside" in left.detail


# --- the invariant on random tight days -------------------------------------------------

POINTS = [(0, 0), (3, 1), (1, 4), (5, 5), (6, 2), (2, 7)]
LUNCH = (TimeWindow(9 * H, 12 * H), TimeWindow(14 * H, 17 * H))


def _minutes(a: tuple[int, int], b: tuple[int, int]) -> int:
    return 60 * 4 * (abs(a[0] - b[0]) + abs(a[1] - b[1]))  # Manhattan: a metric


@st.composite
def tight_days(draw: st.DrawFn) -> Problem:
    n_sites = draw(st.integers(3, len(POINTS)))
    sites = [Site("central")] + [
        Site(
            f"s{i}",
            service_duration=draw(st.sampled_from([0, 120, 300])),
            time_windows=LUNCH if draw(st.booleans()) else (TimeWindow(9 * H, 17 * H),),
        )
        for i in range(1, n_sites)
    ]
    durations = [[_minutes(POINTS[i], POINTS[j]) for j in range(n_sites)] for i in range(n_sites)]
    distances = [[10 * t for t in row] for row in durations]
    vans = [
        Van(
            f"v{v}",
            "central",
            (draw(st.integers(2, 5)),),
            shift=TimeWindow(8 * H, draw(st.sampled_from([13 * H, 18 * H]))),
            breaks=(Break("lunch", (TimeWindow(11 * H, 14 * H),), 1800),)
            if draw(st.booleans())
            else (),
        )
        for v in range(draw(st.integers(1, 2)))
    ]
    shipments = []
    for k in range(draw(st.integers(3, 9))):
        a, b = draw(st.lists(st.integers(0, n_sites - 1), min_size=2, max_size=2, unique=True))
        hold = draw(st.booleans())
        shipments.append(
            Shipment(
                f"x{k}",
                sites[a].id,
                sites[b].id,
                (draw(st.integers(1, 3)),),
                kind=ShipmentKind.HOLD if hold else ShipmentKind.RETURN_HOME,
                priority=3 if hold else draw(st.integers(0, 2)),
                deadline=draw(st.sampled_from([None, 12 * H, 17 * H])) if hold else None,
                deferrable=not hold,
                penalty=0.0 if hold else float(draw(st.integers(10, 80))),
            )
        )
    return Problem(tuple(sites), durations, distances, tuple(vans), tuple(shipments))


def fits_with_deferrable_set_aside(
    problem: Problem, route: PlannedRoute | None, van: str, hold: str
) -> bool:
    """Can ``hold`` go anywhere into ``van``'s route with its deferrable work removed?"""
    deferrable = {s.id for s in problem.shipments if s.deferrable}
    visits = [v for v in (route.visits if route else ()) if v.shipment not in deferrable]
    for i in range(len(visits) + 1):
        for j in range(i, len(visits) + 1):
            trial = list(visits)
            trial.insert(j, Visit(hold, D))
            trial.insert(i, Visit(hold, P))
            broken = [
                v
                for v in check(problem, [PlannedRoute(van, tuple(trial))])
                if v.kind != ViolationKind.UNPLANNED
            ]
            if not broken:
                return True
    return False


def assert_holds_first(problem: Problem, result: Result) -> None:
    routes = {r.van: r for r in planned_routes(result.routes)}
    for left in result.unassigned:
        shipment = next(s for s in problem.shipments if s.id == left.shipment)
        if shipment.deferrable or left.reason != UnassignedReason.DEFERRED_CAPACITY:
            continue
        for van in problem.vans:
            assert not fits_with_deferrable_set_aside(
                problem, routes.get(van.id), van.id, shipment.id
            ), f"{shipment.id} fits on {van.id} once its deferrable work is set aside"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(problem=tight_days(), warm=st.booleans())
def test_no_hold_waits_where_deferrable_work_could_make_room(problem: Problem, warm: bool) -> None:
    params = SolveParams() if warm else SolveParams(warm_start=False, work_limit=50)
    result = solve(problem, time_limit=0.5, params=params)
    assert result.stats.self_check == ()
    assert_holds_first(problem, result)
    assert sorted(
        [u.shipment for u in result.unassigned] + [s for r in result.routes for s in r.shipments]
    ) == sorted(s.id for s in problem.shipments)


def test_deferrable_work_the_repair_never_reached_is_late_not_out_of_room() -> None:
    # With no search (the start plan may be the holds' alone) nothing looked for room for
    # a return the repair did not reach: "no room today" would be a guess.
    problem = full_van_day()
    k = next(i for i, s in enumerate(problem.shipments) if s.deferrable)
    served = Served((), untried={k})
    shipment = problem.shipments[k]
    unsearched = _left_out(problem, shipment, k, served, nothing=False, searched=False)
    assert unsearched.reason == UnassignedReason.TIME_LIMIT
    assert "allow more time" in unsearched.detail
    searched = _left_out(problem, shipment, k, served, nothing=False, searched=True)
    assert searched.reason == UnassignedReason.DEFERRED_CAPACITY
