"""The Li & Lim reader and the conversion to our problem model, on ``tiny.txt``.

``tiny.txt``: a depot at (0, 0) open [0, 100], capacity 10, three vehicles and two
requests: 1 (3, 4) → 2 (6, 8) of 5 units, 3 (0, 5) → 4 (0, 10) of 8 units, service 1.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from benchmarks._instances import (
    SCALE,
    VAN_FIXED_COST,
    li_lim_dir,
    node_routes,
    planned_routes,
    read_bks,
    read_instance,
    read_solution,
    to_problem,
)
from optimizer import VisitType
from settings import Settings

TINY = Path(__file__).with_name("tiny.txt")


def test_read_instance_keeps_fleet_nodes_and_pairs() -> None:
    instance = read_instance(TINY)
    assert (instance.name, instance.vehicles, instance.capacity) == ("tiny", 3, 10)
    assert len(instance.nodes) == 5
    assert instance.pairs == ((1, 2), (3, 4))
    assert instance.nodes[4].early == 10 and instance.nodes[4].demand == -8
    assert instance.distance(0, 1) == 5.0


def test_read_instance_rejects_a_pair_that_does_not_point_back(tmp_path: Path) -> None:
    broken = tmp_path / "broken.txt"
    # node 1 names delivery 2, but node 2 names pickup 3
    broken.write_text(
        TINY.read_text().replace("2\t6\t8\t-5\t0\t60\t1\t1\t0", "2\t6\t8\t-5\t0\t60\t1\t3\t0")
    )
    with pytest.raises(ValueError, match="pickup 1 names delivery 2"):
        read_instance(broken)


def test_to_problem_scales_times_and_rounds_travel_up() -> None:
    instance = read_instance(TINY)
    problem = to_problem(instance)
    assert [s.id for s in problem.sites] == ["n0", "n1", "n2", "n3", "n4"]
    assert problem.sites[4].time_windows[0].early == 10 * SCALE
    assert problem.sites[1].service_duration == 1 * SCALE
    # 2 -> 3 is sqrt(45) = 6.7082...: rounded up, never down
    assert problem.durations[2][3] == math.ceil(SCALE * math.sqrt(45))
    assert problem.durations[0][1] == 5 * SCALE  # exact distances stay exact
    assert problem.distances == problem.durations
    assert [(s.id, s.pickup, s.delivery, s.amount) for s in problem.shipments] == [
        ("p1", "n1", "n2", (5,)),
        ("p3", "n3", "n4", (8,)),
    ]
    assert len(problem.vans) == 3
    van = problem.vans[0]
    assert (van.capacity, van.shift.late, van.fixed_cost) == ((10,), 100 * SCALE, VAN_FIXED_COST)


def test_planned_routes_and_node_routes_round_trip() -> None:
    instance = read_instance(TINY)
    problem = to_problem(instance)
    routes = planned_routes(instance, [[1, 2], [3, 4]])
    assert routes[1].van == "v1"
    assert [(v.shipment, v.type) for v in routes[1].visits] == [
        ("p3", VisitType.PICKUP),
        ("p3", VisitType.DELIVERY),
    ]
    assert node_routes(problem, routes) == [[1, 2], [3, 4]]


def test_read_solution_and_bks_of_the_shared_set(shuyun_settings: Settings) -> None:
    folder = li_lim_dir(shuyun_settings.data.bench_dir)
    if not (folder / "bks.csv").exists():
        pytest.skip(f"no Li & Lim data in {folder}")
    bks = read_bks(folder / "bks.csv")
    assert len(bks) == 56
    assert (bks["lc101"].vehicles, bks["lc101"].distance) == (10, 828.9369)
    routes = read_solution(folder / "bks_routes" / "lc101.txt")
    assert len(routes) == 10
    assert routes[1] == [57, 55, 54, 53, 56, 58, 60, 59]
