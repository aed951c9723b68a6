"""Locked stops: a dispatcher's fixed visits, kept by every stage of ``solve`` and by ``check``.

The days are small lines of sites (1 km = 2 minutes' drive) whose best plans differ from
the locked ones, so that a test sees the lock win.
"""

from __future__ import annotations

import dataclasses
import importlib
import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import (
    Break,
    Lock,
    PlannedRoute,
    Problem,
    ProblemError,
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
    _pyvrp,
    _vroom,
    check,
    planned_routes,
    solve,
)
from optimizer._locks import (
    cut,
    gap_bounds,
    locked_whole,
    out_of_order,
    skeleton,
    with_shipments,
    with_skeleton,
)
from optimizer._plan import PlanRoute
from optimizer._serve import serve_first
from optimizer.diagnose import unlockable

# ``optimizer.solve`` the function hides the module of the same name.
optimizer_solve = importlib.import_module("optimizer.solve")

H = 3600
P, D = VisitType.PICKUP, VisitType.DELIVERY
FAST = SolveParams(warm_start=False, work_limit=300)
WARM = SolveParams()
BOTH = pytest.mark.parametrize("params", [FAST, WARM], ids=["or-tools alone", "warm started"])


def line(
    at: dict[str, float],
    vans: tuple[Van, ...],
    shipments: tuple[Shipment, ...],
    windows: dict[str, tuple[TimeWindow, ...]] | None = None,
) -> Problem:
    """Sites on a line at ``at`` kilometres; 120 s and 1,000 m per kilometre."""
    windows = windows or {}
    sites = tuple(Site(name, time_windows=windows.get(name, (TimeWindow(),))) for name in at)
    km = list(at.values())
    durations = [[round(abs(a - b) * 120) for b in km] for a in km]
    distances = [[round(abs(a - b) * 1000) for b in km] for a in km]
    return Problem(sites, durations, distances, vans, shipments)


def van(name: str = "van_1", start: str = "central", capacity: int = 10, **kw: object) -> Van:
    return Van(name, start, (capacity,), shift=TimeWindow(8 * H, 18 * H), fixed_cost=50, **kw)


def locked(problem: Problem, *locks: Lock) -> Problem:
    return dataclasses.replace(problem, locks=locks)


def visits_of(result: Result, van_id: str) -> list[tuple[str, VisitType]]:
    route = next((r for r in planned_routes(result.routes) if r.van == van_id), None)
    return [(v.shipment, v.type) for v in route.visits] if route else []


def lock_broken(problem: Problem, result: Result) -> list[str]:
    """The answer's lock violations for the shipments it plans."""
    planned = {s for r in result.routes for s in r.shipments}
    return [
        v.message_en
        for v in check(problem, planned_routes(result.routes))
        if v.kind == ViolationKind.LOCK and v.shipment in planned
    ]


def assert_accounted(problem: Problem, result: Result) -> None:
    seen = [u.shipment for u in result.unassigned] + [s for r in result.routes for s in r.shipments]
    assert sorted(seen) == sorted(s.id for s in problem.shipments)
    assert result.stats.self_check == ()


def ordered_day() -> Problem:
    """central 0 km, a 1, b 2, c 3. ``near`` goes central → a, ``far`` c → b: the best
    loop serves ``near`` first (6 km); a dispatcher who wants ``far`` first costs 8 km."""
    return line(
        {"central": 0, "a": 1, "b": 2, "c": 3},
        (van(),),
        (Shipment("near", "central", "a", (1,)), Shipment("far", "c", "b", (1,))),
    )


FAR_FIRST = Lock("van_1", (Visit("far", P), Visit("far", D), Visit("near", P), Visit("near", D)))


def two_depots_day() -> Problem:
    """Depots 10 km apart; ``east_books`` moves between two sites next to the east depot,
    so van_east serves it best."""
    return line(
        {"west": 0, "east": 10, "e_branch": 9, "e_point": 9.5},
        (van("van_west", "west"), van("van_east", "east")),
        (Shipment("east_books", "e_branch", "e_point", (1,)),),
    )


def between_day() -> Problem:
    """central 0, a 1, b 2, c 3, the van ending at c: ``x`` central → a and ``y`` b → c are
    locked in that order; ``z`` a → b is not, and belongs between them."""
    return locked(
        line(
            {"central": 0, "a": 1, "b": 2, "c": 3},
            (van(end="c"),),
            (
                Shipment("x", "central", "a", (1,)),
                Shipment("y", "b", "c", (1,)),
                Shipment("z", "a", "b", (1,)),
            ),
        ),
        Lock("van_1", (Visit("x", P), Visit("x", D), Visit("y", P), Visit("y", D))),
    )


# -- the model: Lock and Problem.locks -----------------------------------------------------


def base() -> Problem:
    return line(
        {"central": 0, "a": 1},
        (van("van_1"), van("van_2")),
        (Shipment("t_1", "central", "a", (1,)), Shipment("t_2", "a", "central", (1,))),
    )


@pytest.mark.parametrize(
    "locks",
    [
        (),  # no lock: nothing changes
        (Lock("van_1", ()),),  # an empty lock pins nothing
        (Lock("van_1", (Visit("t_1", P),)),),  # a pickup alone pins the delivery too
        (Lock("van_1", (Visit("t_1", D), Visit("t_2", P))),),  # the other ends stay free
        # two locks on one van: two orders, nothing said between them
        (Lock("van_1", (Visit("t_1", P),)), Lock("van_1", (Visit("t_2", D), Visit("t_1", D)))),
        (Lock("van_1", (Visit("t_1", P),)), Lock("van_2", (Visit("t_2", P),))),  # two vans
    ],
)
def test_valid_locks(locks: tuple[Lock, ...]) -> None:
    problem = locked(base(), *locks)
    assert problem.locks == locks
    pinned = {v.shipment: lock.van for lock in locks for v in lock.visits}
    assert problem.locked_van == pinned


def test_lock_rank_says_which_lock_and_where() -> None:
    problem = locked(base(), Lock("van_1", (Visit("t_2", P), Visit("t_1", P), Visit("t_2", D))))
    assert problem.lock_rank == {("t_2", P): (0, 0), ("t_1", P): (0, 1), ("t_2", D): (0, 2)}


@pytest.mark.parametrize(
    ("locks", "match"),
    [
        ((Lock("van_9", ()),), r"Problem\.locks\[0\]\.van names an unknown van 'van_9'"),
        (
            (Lock("van_1", (Visit("ghost", P),)),),
            r"Problem\.locks\[0\]\.visits\[0\]\.shipment names an unknown shipment 'ghost'",
        ),
        # the same visit twice, in one lock or in two
        (
            (Lock("van_1", (Visit("t_1", P), Visit("t_1", P))),),
            r"locks\[0\]\.visits\[1\] locks the pickup of 't_1' a second time "
            r"\(first at locks\[0\]\.visits\[0\]\)",
        ),
        (
            (Lock("van_1", (Visit("t_1", D),)), Lock("van_1", (Visit("t_1", D),))),
            r"locks\[1\]\.visits\[0\] locks the delivery of 't_1' a second time",
        ),
        # a shipment rides on one van
        (
            (Lock("van_1", (Visit("t_1", P),)), Lock("van_2", (Visit("t_1", D),))),
            r"Problem\.locks\[1\]\.visits\[0\] locks 't_1' on van 'van_2', but "
            r"Problem\.locks\[0\]\.visits\[0\] locks it on van 'van_1'",
        ),
        (
            (Lock("van_1", (Visit("t_1", D), Visit("t_1", P))),),
            r"Problem\.locks\[0\]\.visits\[0\] locks the delivery of 't_1' before its pickup "
            r"\(visits\[1\]\)",
        ),
        (("van_1",), r"Problem\.locks\[0\] must be a Lock, got 'van_1'"),
    ],
)
def test_invalid_locks(locks: tuple[object, ...], match: str) -> None:
    with pytest.raises(ProblemError, match=match):
        dataclasses.replace(base(), locks=locks)


@pytest.mark.parametrize(
    ("van_id", "visits", "match"),
    [
        (3, (), r"Lock\.van must be a van id, got 3"),
        ("", (), r"Lock\.van must be a van id, got ''"),
        ("van_1", ("t_1",), r"Lock\[van_1\]\.visits\[0\] must be a Visit, got 't_1'"),
        ("van_1", Visit("t_1", P), r"Lock\[van_1\]\.visits must be a sequence"),
    ],
)
def test_a_lock_checks_its_own_fields(van_id: object, visits: object, match: str) -> None:
    with pytest.raises(ProblemError, match=match):
        Lock(van_id, visits)  # type: ignore[arg-type]


# -- _locks: where a locked visit may go, plans cut to keep the locks -----------------------


def test_gap_bounds_keep_a_locked_visit_between_its_neighbours() -> None:
    problem = between_day()
    x, y, z = 0, 1, 2
    van_1 = problem.vans[0]
    # Both of x's visits are locked before y's pickup: into gaps 0 or 1 of z, y, y.
    assert gap_bounds(problem, van_1, ((z, P), (y, P), (y, D)), x) == ((0, 1), (0, 1))
    # y's delivery after x's visits (gap 3 on), its pickup free of z but after x's.
    route = ((x, P), (z, P), (x, D), (z, D))
    assert gap_bounds(problem, van_1, route, y) == ((3, 4), (3, 4))
    assert gap_bounds(problem, van_1, route[:2], z) == ((0, 2), (0, 2))  # not locked
    other = dataclasses.replace(van_1, id="van_2")
    assert gap_bounds(problem, other, (), x) is None  # locked on van_1


def test_out_of_order_names_all_but_a_longest_run_in_the_locked_order() -> None:
    problem = between_day()
    keys = [("y", P), ("x", P), ("z", P), ("x", D), ("y", D), ("z", D)]
    # x-pickup, x-delivery, y-delivery is the longest run in order: y's pickup is out.
    assert out_of_order(problem, keys) == [0]
    assert out_of_order(problem, [("x", P), ("x", D), ("y", P), ("y", D)]) == []


def test_cut_takes_out_what_breaks_a_lock_and_says_so() -> None:
    problem = dataclasses.replace(between_day(), vans=(van("van_1"), van("van_2")))
    problem = locked(problem, *between_day().locks)
    notes: list[str] = []
    plan = (
        PlanRoute(0, ((1, P), (1, D), (0, P), (0, D))),  # y before x: one of them goes
        PlanRoute(1, ((2, P), (2, D))),
    )
    kept = cut(problem, plan, notes)
    assert [r.visits for r in kept] == [((0, P), (0, D)), ((2, P), (2, D))]
    assert notes == ["y is out of the locked order on van van_1: taken out of the start"]
    moved = cut(problem, (PlanRoute(1, ((0, P), (0, D), (2, P), (2, D))),), notes)
    assert [r.visits for r in moved] == [((2, P), (2, D))]
    assert notes[-1] == "x is locked on van van_1: taken off van van_2 of the start"


def test_with_shipments_keeps_each_lock_in_its_place() -> None:
    problem = between_day()
    fewer = with_shipments(problem, [s for s in problem.shipments if s.id != "x"])
    assert fewer.locks == (Lock("van_1", (Visit("y", P), Visit("y", D))),)
    assert fewer.lock_rank == {("y", P): (0, 0), ("y", D): (0, 1)}


def test_the_skeleton_is_the_locks_own_plan() -> None:
    problem = between_day()
    x, y = 0, 1
    assert skeleton(problem) == (PlanRoute(0, ((x, P), (x, D), (y, P), (y, D))),)
    # A lock of one visit of a shipment gives no route of its own.
    assert skeleton(locked(problem, Lock("van_1", (Visit("x", D),)))) == ()
    # A van whose two locks do not fit one after the other keeps its first.
    late = locked(
        late_day(),
        Lock("van_1", (Visit("x", P), Visit("x", D))),
        Lock("van_1", (Visit("y", P), Visit("y", D))),
    )
    assert skeleton(late) == (PlanRoute(0, ((0, P), (0, D))),)


def test_a_cut_start_gives_way_to_the_locks_where_they_serve_more() -> None:
    problem = between_day()
    x, y, z = 0, 1, 2
    start = (PlanRoute(0, ((z, P), (z, D))),)  # a specialist's, without the locked ones
    assert with_skeleton(problem, start) == skeleton(problem)
    whole = (PlanRoute(0, ((x, P), (z, P), (x, D), (z, D), (y, P), (y, D))),)
    assert with_skeleton(problem, whole) == whole


# -- solve keeps the locks ---------------------------------------------------------------


@BOTH
def test_a_lock_keeps_an_order_the_best_plan_would_not(params: SolveParams) -> None:
    free = solve(ordered_day(), time_limit=2, params=params)
    assert free.summary.distance == 6000
    assert visits_of(free, "van_1")[0] == ("near", P)  # near is loaded on the way out
    problem = locked(ordered_day(), FAR_FIRST)
    result = solve(problem, time_limit=2, params=params)
    assert visits_of(result, "van_1") == [("far", P), ("far", D), ("near", P), ("near", D)]
    assert result.summary.distance == 8000
    assert check(problem, planned_routes(result.routes)) == []
    assert_accounted(problem, result)


@BOTH
def test_a_locked_pickup_pins_the_shipment_to_its_van(params: SolveParams) -> None:
    free = solve(two_depots_day(), time_limit=2, params=params)
    assert [r.van for r in free.routes] == ["van_east"]
    problem = locked(two_depots_day(), Lock("van_west", (Visit("east_books", P),)))
    result = solve(problem, time_limit=2, params=params)
    assert visits_of(result, "van_west") == [("east_books", P), ("east_books", D)]
    assert [r.van for r in result.routes] == ["van_west"]
    assert_accounted(problem, result)


@BOTH
def test_unlocked_visits_go_between_the_locked_ones(params: SolveParams) -> None:
    problem = between_day()
    result = solve(problem, time_limit=2, params=params)
    # The locks themselves are OR-Tools' start when no specialist is asked.
    assert result.stats.warm_start_source == ("locks" if params is FAST else "vroom")
    order = visits_of(result, "van_1")
    assert [v for v in order if v[0] != "z"] == [("x", P), ("x", D), ("y", P), ("y", D)]
    # z is picked up at a and delivered at b: between x's pickup and y's delivery.
    assert order.index(("x", P)) < order.index(("z", P)) < order.index(("z", D))
    assert order.index(("z", D)) < order.index(("y", D))
    assert result.summary.distance == 3000
    assert_accounted(problem, result)


def late_day() -> Problem:
    """``x`` goes to a, open from 09:00; ``y`` to b, open until 08:30. Locked x then y, y
    cannot be served; ``z`` (to b, not locked) and x can."""
    return line(
        {"central": 0, "a": 1, "b": 2},
        (van(),),
        (
            Shipment("x", "central", "a", (1,)),
            Shipment("y", "central", "b", (1,)),
            Shipment("z", "central", "b", (1,), kind=ShipmentKind.HOLD),
        ),
        windows={"a": (TimeWindow(9 * H, 17 * H),), "b": (TimeWindow(8 * H, 8 * H + 1800),)},
    )


@BOTH
def test_an_infeasible_lock_is_reported_and_the_rest_planned(params: SolveParams) -> None:
    assert solve(late_day(), time_limit=2, params=params).unassigned == ()
    problem = locked(
        late_day(), Lock("van_1", (Visit("x", P), Visit("x", D), Visit("y", P), Visit("y", D)))
    )
    result = solve(problem, time_limit=2, params=params)
    (left,) = result.unassigned
    assert (left.shipment, left.reason) == ("y", UnassignedReason.LOCK_INFEASIBLE)
    assert "locks[0]" in left.detail and "van_1" in left.detail and "after x" in left.detail
    assert "锁定" in left.detail
    assert sorted(s for r in result.routes for s in r.shipments) == ["x", "z"]
    assert lock_broken(problem, result) == []
    assert_accounted(problem, result)


def test_a_lock_beyond_the_vans_room_is_reported() -> None:
    # Both picked up before either is delivered: 6 + 6 crates in a van of 10.
    problem = line(
        {"central": 0, "a": 1, "b": 2},
        (van(),),
        (Shipment("x", "central", "a", (6,)), Shipment("y", "central", "b", (6,))),
    )
    assert solve(problem, time_limit=2, params=FAST).unassigned == ()
    problem = locked(
        problem, Lock("van_1", (Visit("x", P), Visit("y", P), Visit("x", D), Visit("y", D)))
    )
    result = solve(problem, time_limit=2, params=FAST)
    assert [(u.shipment, u.reason) for u in result.unassigned] == [
        ("y", UnassignedReason.LOCK_INFEASIBLE)
    ]
    assert "capacity" in result.unassigned[0].detail
    assert visits_of(result, "van_1") == [("x", P), ("x", D)]


def test_a_shipment_locked_on_a_van_too_small_is_lock_infeasible_not_too_big() -> None:
    problem = line(
        {"central": 0, "a": 1},
        (van("small", capacity=10), van("big", capacity=20)),
        (Shipment("crates", "central", "a", (12,)),),
    )
    assert [r.van for r in solve(problem, time_limit=2, params=FAST).routes] == ["big"]
    result = solve(locked(problem, Lock("small", (Visit("crates", D),))), time_limit=2)
    (left,) = result.unassigned
    assert left.reason == UnassignedReason.LOCK_INFEASIBLE
    assert "locked on van small by locks[0]" in left.detail
    assert "exceeds its capacity (10,)" in left.detail
    assert result.stats.prefiltered == 1


@BOTH
def test_a_lock_of_deliveries_only_that_cannot_be_kept_is_found_by_the_search(
    params: SolveParams,
) -> None:
    # Only the deliveries are locked: no order is certain before the search, which cannot
    # keep it either; the final repair names the lock.
    problem = locked(late_day(), Lock("van_1", (Visit("x", D), Visit("y", D))))
    assert unlockable(problem, deadline=time.perf_counter() + 5) == {}
    result = solve(problem, time_limit=2, params=params)
    (left,) = result.unassigned
    assert left.reason == UnassignedReason.LOCK_INFEASIBLE
    assert left.shipment in {"x", "y"}
    assert "locks[0] (van_1)" in left.detail
    assert lock_broken(problem, result) == []
    assert_accounted(problem, result)


def test_with_no_time_to_search_a_lock_left_out_is_blamed_on_the_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The repair alone moves nothing already planned: it cannot say a lock is infeasible.
    monkeypatch.setattr(optimizer_solve, "BUILD_SECONDS_PER_SHIPMENT", 100.0)
    problem = locked(late_day(), Lock("van_1", (Visit("x", D), Visit("y", D))))
    result = solve(problem, time_limit=2, params=FAST)
    assert result.stats.stopped_by == "not searched (no time left)"
    (left,) = result.unassigned
    assert left.reason == UnassignedReason.TIME_LIMIT
    assert_accounted(problem, result)


def test_a_locked_shipment_is_served_before_a_hold() -> None:
    # One van, time for one of two trips: the hold would win, the lock wins.
    problem = line(
        {"central": 0, "a": 10, "b": -10},
        (dataclasses.replace(van(), shift=TimeWindow(8 * H, 8 * H + 2400 + 60)),),
        (
            Shipment("hold", "central", "a", (1,), kind=ShipmentKind.HOLD, priority=100),
            Shipment("rebalance", "central", "b", (1,), deferrable=True, penalty=1.0),
        ),
    )
    free = solve(problem, time_limit=2, params=FAST)
    assert [s for r in free.routes for s in r.shipments] == ["hold"]
    problem = locked(problem, Lock("van_1", (Visit("rebalance", D),)))
    result = solve(problem, time_limit=2, params=FAST)
    assert [s for r in result.routes for s in r.shipments] == ["rebalance"]
    assert [(u.shipment, u.reason) for u in result.unassigned] == [
        ("hold", UnassignedReason.DEFERRED_CAPACITY)
    ]


# -- the re-plan: initial_routes with locks ----------------------------------------------


def pair_day() -> Problem:
    """Two vans at central, two shipments: one van serves both (a van more costs 50)."""
    return line(
        {"central": 0, "a": 1, "b": 2},
        (van("van_1"), van("van_2")),
        (Shipment("s1", "central", "a", (1,)), Shipment("s2", "central", "b", (1,))),
    )


def test_a_replan_starts_from_the_edited_plan_and_keeps_the_lock() -> None:
    free = solve(pair_day(), time_limit=2, params=FAST)
    assert len(free.routes) == 1
    # The dispatcher moves s2 to van_2 and locks it there.
    plan = planned_routes(free.routes)
    edited = [
        PlannedRoute(plan[0].van, tuple(v for v in plan[0].visits if v.shipment != "s2")),
        PlannedRoute("van_2", (Visit("s2", P), Visit("s2", D))),
    ]
    problem = locked(pair_day(), Lock("van_2", (Visit("s2", P), Visit("s2", D))))
    result = solve(problem, time_limit=2, initial_routes=edited, params=FAST)
    assert result.stats.warm_start_source == "initial_routes"
    # s2 stays on van_2; s1 is free, and joins it (one van is cheaper than two).
    assert [r.van for r in result.routes] == ["van_2"]
    assert {("s2", P), ("s2", D)} <= set(visits_of(result, "van_2"))
    assert check(problem, planned_routes(result.routes)) == []


def test_with_no_time_to_search_the_edited_plan_is_the_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(optimizer_solve, "BUILD_SECONDS_PER_SHIPMENT", 100.0)
    edited = [
        PlannedRoute("van_1", (Visit("s1", P), Visit("s1", D))),
        PlannedRoute("van_2", (Visit("s2", P), Visit("s2", D))),
    ]
    problem = locked(pair_day(), Lock("van_2", (Visit("s2", P), Visit("s2", D))))
    result = solve(problem, time_limit=2, initial_routes=edited, params=FAST)
    assert result.stats.warm_start == "kept (no time left to search)"
    assert planned_routes(result.routes) == edited
    assert check(problem, edited) == []


def test_a_start_that_breaks_a_lock_is_cut_and_the_lock_kept() -> None:
    free = solve(pair_day(), time_limit=2, params=FAST)
    problem = locked(pair_day(), Lock("van_2", (Visit("s2", D),)))
    result = solve(problem, time_limit=2, initial_routes=planned_routes(free.routes), params=FAST)
    assert "s2 is locked on van van_2: taken off van van_1 of the start" in result.stats.notes
    assert {("s2", P), ("s2", D)} <= set(visits_of(result, "van_2"))
    assert check(problem, planned_routes(result.routes)) == []


# -- the warm starters know no locks: pinned or declined ---------------------------------


def test_pyvrp_declines_a_day_with_locks() -> None:
    problem = locked(two_depots_day(), Lock("van_west", (Visit("east_books", P),)))
    assert _pyvrp.warm_start(two_depots_day(), time_limit=0.5, seed=0) is not None
    assert _pyvrp.warm_start(problem, time_limit=0.5, seed=0) is None


def test_vroom_pins_a_locked_shipment_by_a_skill_of_its_van() -> None:
    problem = locked(two_depots_day(), Lock("van_west", (Visit("east_books", P),)))
    assert [r.van for r in _vroom.solve_with_vroom(two_depots_day(), nb_threads=1).routes] == [
        "van_east"
    ]
    plan = _vroom.solve_with_vroom(problem, nb_threads=1)
    assert [r.van for r in plan.routes] == ["van_west"]
    result = solve(problem, time_limit=2, params=WARM)
    assert result.stats.warm_start_source == "vroom"


# -- the final repair: locked visits only where the locks allow, never moved -------------


def test_the_repair_inserts_a_locked_shipment_before_what_is_locked_after_it() -> None:
    problem = locked(ordered_day(), FAR_FIRST)
    near, far = 0, 1
    plan = (PlanRoute(0, ((near, P), (near, D))),)  # far left out by the search
    served = serve_first(problem, plan, ((0,), (0,)), deadline=time.perf_counter() + 5)
    assert served.placed == [far]
    assert [r.visits for r in served.plan] == [((far, P), (far, D), (near, P), (near, D))]


def full_van_day() -> Problem:
    """One van of 3 crates with time for one loop: three returns (1 crate each, r1 worth
    least) fill it at the branch; a hold of 2 crates waits at the point."""
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
            penalty=10.0 * i,
        )
        for i in (1, 2, 3)
    )
    hold = Shipment("hold", "point", "central", (2,), kind=ShipmentKind.HOLD, priority=3)
    only = Van("van", "central", (3,), shift=TimeWindow(8 * H, 8 * H + 40 * 60))
    return Problem(sites, durations, distances, (only,), (*returns, hold))


def test_the_repair_never_sets_a_locked_shipment_aside() -> None:
    returns = PlanRoute(0, ((0, P), (1, P), (2, P), (0, D), (1, D), (2, D)))
    allowed = ((0,), (0,), (0,), (0,))
    free = serve_first(full_van_day(), (returns,), allowed, deadline=time.perf_counter() + 5)
    assert sorted(free.displaced) == [0, 1]  # r1 and r2, worth least
    problem = locked(full_van_day(), Lock("van", (Visit("r1", P), Visit("r1", D))))
    served = serve_first(problem, (returns,), allowed, deadline=time.perf_counter() + 5)
    assert sorted(served.displaced) == [1, 2]  # r1 is locked: r2 and r3 make the room
    assert {k for r in served.plan for k, _ in r.visits} == {0, 3}


# -- check reports broken locks ----------------------------------------------------------


def test_check_reports_a_locked_visit_elsewhere_out_of_order_or_missing() -> None:
    problem = locked(
        dataclasses.replace(between_day(), vans=(van("van_1"), van("van_2"))),
        *between_day().locks,
    )
    plan = [
        PlannedRoute("van_1", (Visit("y", P), Visit("y", D), Visit("x", D))),
        PlannedRoute("van_2", (Visit("x", P), Visit("z", P), Visit("z", D))),
    ]
    locks = [v for v in check(problem, plan) if v.kind == ViolationKind.LOCK]
    assert [(v.van, v.shipment, v.step) for v in locks] == [
        ("van_1", "x", 2),  # x's delivery after y's visits, locked before them
        ("van_2", "x", 0),  # x's pickup on the wrong van
    ]
    elsewhere = next(v for v in locks if v.van == "van_2")
    assert elsewhere.message_en == "pickup of x is locked on van van_1, but is planned on van van_2"
    assert "锁定在车辆 van_1 上" in elsewhere.message_zh
    missing = [v for v in check(problem, []) if v.kind == ViolationKind.LOCK]
    assert len(missing) == 4
    assert missing[0].message_en == "pickup of x is locked on van van_1, but is in no route"


def test_check_reports_the_free_end_of_a_locked_shipment_on_another_van() -> None:
    problem = locked(two_depots_day(), Lock("van_west", (Visit("east_books", P),)))
    plan = [
        PlannedRoute("van_west", (Visit("east_books", P),)),
        PlannedRoute("van_east", (Visit("east_books", D),)),
    ]
    (pinned,) = [v for v in check(problem, plan) if v.kind == ViolationKind.LOCK]
    assert pinned.message_en == (
        "delivery of east_books is pinned by its locked other end to van van_west, "
        "but is planned on van van_east"
    )


# -- budget and a property over random days ------------------------------------------------


def random_day(seed: int, shipments: int, vans: int) -> Problem:
    """Six sites around central within 8 km, two with a lunch closure; vans of 6 crates,
    with a break on odd seeds; two in five shipments are holds."""
    rng = random.Random(seed)
    at = {"central": 0.0, **{f"s{i}": rng.uniform(-8, 8) for i in range(6)}}
    names = list(at)
    windows = {n: (TimeWindow(9 * H, 12 * H), TimeWindow(14 * H, 17 * H)) for n in names[1:3]}
    lunch = (Break("lunch", (TimeWindow(11 * H + 1800, 13 * H + 1800),), 1800),)
    breaks = lunch if seed % 2 else ()  # odd seeds: a driver's break, the specialists' way
    fleet = tuple(van(f"van_{v}", capacity=6, breaks=breaks) for v in range(vans))
    items = []
    for k in range(shipments):
        a, b = rng.sample(names, 2)
        hold = rng.random() < 0.4
        items.append(
            Shipment(
                f"t{k}",
                a,
                b,
                (rng.randint(1, 3),),
                kind=ShipmentKind.HOLD if hold else ShipmentKind.REBALANCE,
                deferrable=not hold,
                penalty=0.0 if hold else float(rng.randint(5, 50)),
                deadline=rng.choice([None, 12 * H]) if hold else None,
            )
        )
    return line(at, fleet, tuple(items), windows)


def locks_from(result: Result, draw: st.DrawFn) -> tuple[Lock, ...]:
    """Random locks a solved plan keeps: per route, some of its visits in route order."""
    out = []
    for route in planned_routes(result.routes):
        chosen = draw(
            st.lists(st.booleans(), min_size=len(route.visits), max_size=len(route.visits))
        )
        kept = tuple(v for v, c in zip(route.visits, chosen, strict=True) if c)
        out.append(Lock(route.van, kept))
    return tuple(out)


@st.composite
def locked_days(draw: st.DrawFn) -> tuple[Problem, Result]:
    problem = random_day(
        draw(st.integers(0, 10**6)), draw(st.integers(3, 8)), draw(st.integers(1, 2))
    )
    result = solve(problem, time_limit=1, params=SolveParams(warm_start=False, work_limit=100))
    return locked(problem, *locks_from(result, draw)), result


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(day=locked_days(), warm=st.booleans(), start=st.booleans())
def test_every_lock_a_solved_plan_keeps_is_kept(
    day: tuple[Problem, Result], warm: bool, start: bool
) -> None:
    problem, before = day
    params = SolveParams() if warm else SolveParams(warm_start=False, work_limit=100)
    initial = planned_routes(before.routes) if start else None
    result = solve(problem, time_limit=0.6, params=params, initial_routes=initial)
    assert lock_broken(problem, result) == []
    assert_accounted(problem, result)
    planned = {s for r in result.routes for s in r.shipments}
    if start:
        # The previous plan keeps every lock: a re-plan from it serves every locked one.
        assert set(problem.locked_van) <= planned
    for left in result.unassigned:
        if left.shipment in problem.locked_van:
            assert left.reason in {UnassignedReason.LOCK_INFEASIBLE, UnassignedReason.TIME_LIMIT}


def test_a_day_is_locked_whole_only_when_nothing_is_left_to_choose() -> None:
    problem = random_day(7, 12, 2)
    first = solve(problem, time_limit=1, params=SolveParams(warm_start=False, work_limit=100))
    locks = [Lock(r.van, r.visits) for r in planned_routes(first.routes)]
    assert locked_whole(locked(problem, *locks))
    # One visit free: the search may move it.
    assert not locked_whole(locked(problem, Lock(locks[0].van, locks[0].visits[:-1]), *locks[1:]))
    # Two locks on one van: the search may interleave them.
    visits = locks[0].visits
    one = {v.shipment for v in visits[:2]}
    head = tuple(v for v in visits if v.shipment in one)
    tail = tuple(v for v in visits if v.shipment not in one)
    split = locked(problem, Lock(locks[0].van, head), Lock(locks[0].van, tail), *locks[1:])
    assert not locked_whole(split)
    assert not locked_whole(problem)


def test_a_day_locked_whole_keeps_the_time_asked() -> None:
    problem = random_day(7, 40, 4)
    first = solve(problem, time_limit=2, params=SolveParams(warm_start=False, work_limit=200))
    locks = tuple(Lock(r.van, r.visits) for r in planned_routes(first.routes))
    problem = locked(problem, *locks)
    began = time.perf_counter()
    result = solve(problem, time_limit=1.5)
    assert time.perf_counter() - began <= 1.5 + 0.5
    assert lock_broken(problem, result) == []
    assert_accounted(problem, result)
    # Nothing is left to choose: the answer is the locked plan, without a search.
    assert [(r.van, r.visits) for r in planned_routes(result.routes)] == [
        (lock.van, lock.visits) for lock in locks
    ]
    assert result.stats.stopped_by == "not searched"
