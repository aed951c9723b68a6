"""``optimizer._pyvrp.warm_start``: PyVRP's plan for our problem, or ``None`` when PyVRP
cannot express it. Tiny problems from ``tiny.txt`` (see test_instances) and hand-made ones.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pyvrp import Activity, ActivityType, Route, Solution

from benchmarks._instances import (
    SCALE,
    li_lim_dir,
    node_routes,
    read_bks,
    read_instance,
    read_solution,
    to_problem,
)
from benchmarks.verify import verify
from optimizer import Break, Problem, Shipment, Site, TimeWindow, Van
from optimizer._pyvrp import _mapping, warm_start
from settings import Settings

TINY = Path(__file__).with_name("tiny.txt")


def test_tiny_instance_is_served_by_one_van_feasibly() -> None:
    instance = read_instance(TINY)
    problem = to_problem(instance)
    routes = warm_start(problem, time_limit=0.5, seed=1)
    assert routes is not None
    verdict = verify(instance, node_routes(problem, routes))
    assert verdict.feasible, verdict.violations
    # one van can do 1-2-3-4, and a van costs more than any distance
    assert verdict.vehicles == 1
    assert routes[0].van == "v0"


def _two_vans(**site_changes: object) -> Problem:
    base = to_problem(read_instance(TINY), vans=2)
    sites = list(base.sites)
    sites[1] = dataclasses.replace(sites[1], **site_changes)
    return dataclasses.replace(base, sites=tuple(sites))


def test_lunch_closure_is_not_expressible() -> None:
    # node 1 open twice (a lunch closure inside the shift): PyVRP has one window per stop
    closed = _two_vans(time_windows=(TimeWindow(0, 20 * SCALE), TimeWindow(30 * SCALE, 50 * SCALE)))
    assert warm_start(closed, time_limit=0.2, seed=1) is None


def test_second_window_outside_the_shift_is_cut_away() -> None:
    # the second window opens after the depot closes (at 100): one window is left
    open_once = _two_vans(
        time_windows=(TimeWindow(0, 50 * SCALE), TimeWindow(200 * SCALE, 300 * SCALE))
    )
    assert warm_start(open_once, time_limit=0.2, seed=1)


def test_breaks_and_missing_skills_are_not_expressible() -> None:
    base = to_problem(read_instance(TINY), vans=2)
    lunch = Break("lunch", (TimeWindow(30 * SCALE, 40 * SCALE),), 5 * SCALE)
    with_break = dataclasses.replace(
        base, vans=(dataclasses.replace(base.vans[0], breaks=(lunch,)), base.vans[1])
    )
    assert warm_start(with_break, time_limit=0.2, seed=1) is None
    fridge = dataclasses.replace(base.shipments[0], skills=frozenset({"fridge"}))
    with_skill = dataclasses.replace(base, shipments=(fridge, base.shipments[1]))
    assert warm_start(with_skill, time_limit=0.2, seed=1) is None


def _near_and_later(day_end: int) -> Problem:
    sites = (
        Site("depot", time_windows=(TimeWindow(0, day_end),)),
        Site("a"),
        Site("b"),
        Site("far"),
    )
    # 'far' is 4000 m out: serving it costs 8 yuan at 1 yuan/km, deferring it 1 yuan
    km = [[0, 1000, 1000, 4000], [1000, 0, 1000, 4000], [1000, 1000, 0, 4000], [4000] * 3 + [0]]
    return Problem(
        sites=sites,
        durations=km,
        distances=km,
        vans=(Van("v", start="depot", capacity=(2,), shift=TimeWindow(0, day_end)),),
        shipments=(
            Shipment("near", pickup="a", delivery="b", amount=(1,)),
            Shipment(
                "later", pickup="a", delivery="far", amount=(1,), deferrable=True, penalty=1.0
            ),
        ),
    )


def test_deferrable_shipment_is_served_when_the_van_has_room() -> None:
    # Deferring is cheaper than the detour, but a deferrable shipment waits only for want
    # of room (``solve``'s objective): the van takes it.
    routes = warm_start(_near_and_later(day_end=20_000), time_limit=0.3, seed=1)
    assert routes is not None
    assert {v.shipment for r in routes for v in r.visits} == {"near", "later"}


def test_deferrable_shipment_waits_when_the_day_is_full() -> None:
    # Each fits the 9000 s day alone (3000 s, 9000 s), both together do not (10000 s).
    routes = warm_start(_near_and_later(day_end=9_000), time_limit=0.3, seed=1)
    assert routes is not None
    assert {v.shipment for r in routes for v in r.visits} == {"near"}


def test_time_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="time_limit must be > 0"):
        warm_start(to_problem(read_instance(TINY)), time_limit=0, seed=1)


def test_best_known_routes_stay_feasible_in_the_scaled_pyvrp_model(
    shuyun_settings: Settings,
) -> None:
    """Rounding travel up must not cut off any best-known plan (PyVRP judges it)."""
    folder = li_lim_dir(shuyun_settings.data.bench_dir)
    if not (folder / "bks.csv").exists():
        pytest.skip(f"no Li & Lim data in {folder}")
    for name in read_bks(folder / "bks.csv"):
        instance = read_instance(folder / f"{name}.txt")
        mapping = _mapping(to_problem(instance))
        assert mapping is not None
        index = {p: k for k, (p, _) in enumerate(instance.pairs)}
        index |= {d: k for k, (_, d) in enumerate(instance.pairs)}
        routes = [
            Route(
                mapping.data,
                [
                    Activity(
                        ActivityType.PICKUP
                        if instance.nodes[n].delivery
                        else ActivityType.DELIVERY,
                        index[n],
                    )
                    for n in route
                ],
                0,
            )
            for route in read_solution(folder / "bks_routes" / f"{name}.txt")
        ]
        solution = Solution(mapping.data, routes)
        assert solution.is_feasible(), (name, solution.time_warp(), solution.excess_load())
