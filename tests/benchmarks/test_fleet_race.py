"""The fleet-first PyVRP search on two cores (``optimizer._pyvrp._search``): a child
process reduces the fleet while this one searches as plain PyVRP; the better plan wins;
another solver's plan made beside the first solve is where both go on from when cheaper.
On a Li & Lim instance of ``../shared/bench`` (through the settings)."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks._instances import (
    li_lim_dir,
    node_routes,
    planned_routes,
    read_instance,
    read_solution,
    to_problem,
)
from benchmarks.verify import verify
from optimizer import PlannedRoute, Visit, VisitType
from optimizer._pyvrp import (
    FIRST_SHARE,
    OWN_POLISH_SHARE,
    _activities,
    _cost,
    _fewer,
    _FleetShrank,
    _mapping,
    _own_reduction,
    _planned,
    _Rival,
    _solution,
    _solve,
    _spare_core,
    _start_from,
    warm_start,
)
from optimizer._vroom import VroomStart
from settings import Settings

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not _spare_core(), reason="the race needs two cores")


@pytest.fixture(scope="module")
def lr104(shuyun_settings: Settings):
    instance = read_instance(li_lim_dir(shuyun_settings.data.bench_dir) / "lr104.txt")
    return instance, to_problem(instance)


def _first_plan(problem):
    from pyvrp.stop import MaxRuntime

    mapping = _mapping(problem)
    assert mapping is not None and mapping.fleet_first
    return mapping.data, _solve(mapping.data, MaxRuntime(0.3), 1)


def test_the_rival_sends_plans_no_larger_than_its_start_and_ends_by_its_deadline(
    lr104,
) -> None:
    _, problem = lr104
    data, first = _first_plan(problem)
    began = time.perf_counter()
    rival = _Rival.start(data, first, began=began, deadline=began + 2.0, time_limit=2.0, seed=1)
    assert rival is not None
    try:
        rival.child.join(timeout=4.0)
        assert not rival.child.is_alive(), "the child must end by its own deadline"
        plan = rival.newest()
    finally:
        rival.stop()
    assert rival.done  # its last word arrived
    assert plan is not None
    theirs = _solution(_fewer(data, len(plan)), plan)
    assert theirs.is_feasible()
    assert theirs.num_routes() <= first.num_routes()
    assert _cost(theirs) <= _cost(first)  # its best, never worse than where it started


def test_a_rival_killed_midway_leaves_the_plans_it_sent(lr104) -> None:
    _, problem = lr104
    data, first = _first_plan(problem)
    began = time.perf_counter()
    rival = _Rival.start(data, first, began=began, deadline=began + 30.0, time_limit=30.0, seed=1)
    assert rival is not None
    try:
        time.sleep(1.0)
        rival.child.kill()
        rival.child.join()
        plan = rival.newest()  # whatever it sent; no error from the dead pipe
    finally:
        rival.stop()
    assert rival.done
    assert plan is None or _solution(_fewer(data, len(plan)), plan).is_feasible()


def test_a_rival_told_of_a_smaller_fleet_goes_on_from_it(lr104, lr104_best_known) -> None:
    instance, problem = lr104
    data, first = _first_plan(problem)
    mapping = _mapping(problem)
    assert mapping is not None
    told = _start_from(mapping, lr104_best_known)
    assert told is not None and told.num_routes() < first.num_routes()
    began = time.perf_counter()
    rival = _Rival.start(data, first, began=began, deadline=began + 2.0, time_limit=2.0, seed=1)
    assert rival is not None
    try:
        rival.tell(_solution(_fewer(data, told.num_routes()), _activities(told)))
        rival.child.join(timeout=4.0)
        plan = rival.newest()
    finally:
        rival.stop()
    assert plan is not None
    theirs = _solution(_fewer(data, len(plan)), plan)
    assert theirs.is_feasible()
    assert theirs.num_routes() <= told.num_routes()
    verdict = verify(instance, node_routes(problem, _planned(mapping, theirs)))
    assert verdict.feasible, verdict.violations


def test_the_fleet_shrank_criterion_counts_routes_by_the_fixed_cost() -> None:
    shrank = _FleetShrank(fixed_cost=1000, routes=5)
    assert not shrank(float("inf"))  # nothing feasible yet
    assert not shrank(5 * 1000 + 999)  # five routes and some distance
    assert shrank(4 * 1000 + 999)


def test_the_race_keeps_its_budget_and_plans_every_task(lr104) -> None:
    instance, problem = lr104
    began = time.perf_counter()
    routes = warm_start(problem, time_limit=3.0, seed=1)
    taken = time.perf_counter() - began
    assert routes is not None
    verdict = verify(instance, node_routes(problem, routes))
    assert verdict.feasible, verdict.violations
    assert taken < 3.0 + 0.5, taken


def test_on_one_core_the_search_runs_alone(shuyun_settings: Settings) -> None:
    lr104_txt = li_lim_dir(shuyun_settings.data.bench_dir) / "lr104.txt"
    script = f"""
import os, time, multiprocessing
os.sched_setaffinity(0, {{min(os.sched_getaffinity(0))}})
from pathlib import Path
from benchmarks._instances import read_instance, to_problem
from optimizer import _pyvrp
assert not _pyvrp._spare_core()
started = []
real = _pyvrp._Rival.start
_pyvrp._Rival.start = classmethod(lambda cls, *a, **k: started.append(1) or real(*a, **k))
problem = to_problem(read_instance(Path({str(lr104_txt)!r})))
routes = _pyvrp.warm_start(problem, time_limit=1.5, seed=1)
assert routes, routes
assert not started and not multiprocessing.active_children()
print("alone")
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "alone"


# A second opinion beside the first solve (``optimizer._pyvrp.SecondOpinion``).


@pytest.fixture(scope="module")
def lr104_best_known(shuyun_settings: Settings, lr104):
    instance, _ = lr104
    folder = li_lim_dir(shuyun_settings.data.bench_dir)
    path = folder / "bks_routes" / "lr104.txt"
    if not path.exists():
        pytest.skip(f"no best-known routes in {folder / 'bks_routes'}")
    return planned_routes(instance, read_solution(path))


def test_a_best_known_plan_turns_into_pyvrps_and_back_unchanged(lr104, lr104_best_known) -> None:
    _, problem = lr104
    mapping = _mapping(problem)
    assert mapping is not None
    solution = _start_from(mapping, lr104_best_known)
    assert solution is not None and solution.is_feasible()
    back = _planned(mapping, solution)
    assert [r.visits for r in back] == [r.visits for r in lr104_best_known]


class Handed:
    """A second opinion whose plan is there at once."""

    def __init__(self, plan) -> None:
        self.plan = plan

    def ready(self) -> bool:
        return True

    def __call__(self):
        return self.plan


def test_the_search_goes_on_from_a_cheaper_second_opinion(lr104, lr104_best_known) -> None:
    instance, problem = lr104
    asked: list[float] = []

    def second(seconds: float):
        asked.append(seconds)
        return Handed(lr104_best_known)

    routes = warm_start(problem, time_limit=1.5, seed=1, second=second)
    assert asked == [pytest.approx(FIRST_SHARE * 1.5)]
    assert routes is not None
    verdict = verify(instance, node_routes(problem, routes))
    assert verdict.feasible, verdict.violations
    # Never worse than the plan it was handed: the best-known fleet, at most its distance.
    assert len(routes) <= len(lr104_best_known)
    mine = verify(instance, node_routes(problem, lr104_best_known)).distance
    assert verdict.distance <= mine * (1 + 1e-6)


@pytest.mark.parametrize(
    "plan",
    [None, [], [PlannedRoute(van="no-such-van", visits=())], "unknown shipment"],
    ids=["none", "empty", "unknown van", "unknown shipment"],
)
def test_a_second_opinion_that_is_no_plan_of_the_day_is_ignored(lr104, plan) -> None:
    instance, problem = lr104
    if plan == "unknown shipment":
        plan = [PlannedRoute(van="v0", visits=(Visit("nowhere", VisitType.PICKUP),))]
    routes = warm_start(problem, time_limit=1.0, seed=1, second=lambda seconds: Handed(plan))
    assert routes is not None
    verdict = verify(instance, node_routes(problem, routes))
    assert verdict.feasible, verdict.violations


def test_vroom_beside_another_solver_gives_its_plan_by_the_time_it_was_given(lr104) -> None:
    instance, problem = lr104
    began = time.perf_counter()
    collect = VroomStart().beside(problem)(2.0)
    while not collect.ready():  # its plan, or its end, comes by the time it was given
        assert time.perf_counter() - began < 2.0 + 0.5
        time.sleep(0.01)
    routes = collect()
    taken = time.perf_counter() - began
    assert routes, "VROOM plans lr104 in well under 2 s"
    verdict = verify(instance, node_routes(problem, routes))
    assert verdict.feasible, verdict.violations
    assert taken < 2.0 + 0.5, taken
    assert not multiprocessing.active_children()


def _with_one_pair_apart(data, plan):
    """``plan`` on one route more: the first shipment of its first route on a van of its
    own (each part still keeps every rule: taking a pair out of a route only makes the
    rest earlier and lighter)."""
    routes = _activities(plan)
    kind, visits = routes[0]
    apart = visits[0][1]
    routes[0] = (kind, [v for v in visits if v[1] != apart])
    routes.append((kind, [(True, apart), (False, apart)]))
    return _solution(_fewer(data, len(routes)), routes)


def test_our_own_reduction_takes_one_van_away_within_its_share_of_the_time(
    lr104, lr104_best_known
) -> None:
    instance, problem = lr104
    mapping = _mapping(problem)
    assert mapping is not None
    data = mapping.data
    known = _start_from(mapping, lr104_best_known)
    assert known is not None
    start = _with_one_pair_apart(data, known)
    assert start.is_feasible() and start.num_routes() == known.num_routes() + 1
    began = time.perf_counter()
    own = _own_reduction(data, start, known.num_routes(), began + 4.0, 4.0, seed=1)
    taken = time.perf_counter() - began
    assert taken <= (1 - OWN_POLISH_SHARE) * 4.0 + 0.5, taken
    assert own is not None  # the pair fits back where the best-known plan has it
    fleet, plan = own
    assert fleet.vehicle_type(0).num_available == known.num_routes()
    assert plan.is_feasible() and plan.num_routes() == known.num_routes()
    verdict = verify(instance, node_routes(problem, _planned(mapping, plan)))
    assert verdict.feasible, verdict.violations


def test_our_own_reduction_leaves_two_vans_to_the_rival(lr104, lr104_best_known) -> None:
    """Two vans less at once is not tried: the rival's plan is taken up at once."""
    _, problem = lr104
    mapping = _mapping(problem)
    assert mapping is not None
    known = _start_from(mapping, lr104_best_known)
    assert known is not None
    start = _with_one_pair_apart(mapping.data, known)
    began = time.perf_counter()
    own = _own_reduction(mapping.data, start, known.num_routes() - 1, began + 4.0, 4.0, seed=1)
    assert own is None
    assert time.perf_counter() - began < 0.1
