"""Solomon VRPTW benchmark (100 customers, 56 instances): shuyun against PyVRP and VROOM.

Every Solomon customer is a delivery from the depot: new stock from the central library to
the branches. shuyun's problem model knows shipments only, so each customer is solved as the
pair (its load at the depot, its drop): ``benchmarks._solomon.read_solomon``. The peers solve
the instance as they model a VRPTW natively (PyVRP clients with a delivery amount, VROOM jobs),
on the same integer distances (``SCALE``, rounded up) and with a vehicle fixed cost above any
route's distance, so the objective is the benchmark's: fewest vehicles, then distance. Every
plan is checked in unrounded doubles by ``benchmarks.verify`` on the converted instance (the
peers' routes are given their loads first) and its distance is recomputed from the visits.

Usage::

    python -m benchmarks.solomon [--dir D] [--instances c101,r205] [--time-limit 10]
        [--solvers shuyun,pyvrp,vroom] [--seed 1] [--json OUT]
    python -m benchmarks.solomon --load OUT [OUT...]   # reprint saved rows, merged
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence

from benchmarks._instances import SCALE, Instance, node_routes, to_problem
from benchmarks._solomon import read_solomon, solomon_dir, with_loads
from benchmarks.li_lim import VROOM_THREADS, Runner, benchmark_cli
from settings import load_settings


def _customers(instance: Instance) -> list[int]:
    """The Solomon customers (the drops) of a converted instance: nodes ``1..n``."""
    return [n.id for n in instance.nodes if n.pickup]


def _arc(instance: Instance, i: int, j: int) -> int:
    return math.ceil(SCALE * instance.distance(i, j) - 1e-9)


def _fixed_cost(instance: Instance) -> int:
    """A vehicle's fixed cost above any plan's distance (as ``li_lim.peer_fixed_cost``, on
    the depot and the customers: the loads add no distance)."""
    places = [0, *_customers(instance)]
    longest = max(_arc(instance, i, j) for i in places for j in places)
    return (len(places) + instance.vehicles) * longest


def solve_shuyun(instance: Instance, time_limit: float, seed: int) -> list[list[int]]:
    """``optimizer.solve`` on the converted problem; routes as node ids, loads included."""
    from optimizer.solve import planned_routes, solve

    problem = to_problem(instance)
    result = solve(problem, time_limit=time_limit, seed=seed)
    return node_routes(problem, planned_routes(result.routes))


def solve_pyvrp(instance: Instance, time_limit: float, seed: int) -> list[list[int]]:
    """Plain PyVRP 0.14 on the VRPTW (clients with a delivery amount); customer routes."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    nodes = instance.nodes
    places = [0, *_customers(instance)]
    model = pyvrp.Model()
    locations = [model.add_location(nodes[p].x, nodes[p].y) for p in places]
    depot = model.add_depot(
        locations[0], tw_early=nodes[0].early * SCALE, tw_late=nodes[0].late * SCALE
    )
    model.add_vehicle_type(
        instance.vehicles,
        capacity=instance.capacity,
        start_depot=depot,
        end_depot=depot,
        fixed_cost=_fixed_cost(instance),
        tw_early=nodes[0].early * SCALE,
        tw_late=nodes[0].late * SCALE,
    )
    for location, c in zip(locations[1:], places[1:], strict=True):
        model.add_client(
            location,
            delivery=-nodes[c].demand,
            service_duration=nodes[c].service * SCALE,
            tw_early=nodes[c].early * SCALE,
            tw_late=nodes[c].late * SCALE,
        )
    for a, frm in zip(places, locations, strict=True):
        for b, to in zip(places, locations, strict=True):
            if a != b:
                cost = _arc(instance, a, b)
                model.add_edge(frm, to, distance=cost, duration=cost)
    result = model.solve(MaxRuntime(time_limit), seed=seed, collect_stats=False, display=False)
    # A client's ``idx`` counts the clients from 0 in the order they were added.
    routes = [[places[1 + a.idx] for a in route if a.is_client()] for route in result.best.routes()]
    return with_loads(instance, routes)


def solve_vroom(instance: Instance, time_limit: float, seed: int) -> list[list[int]]:
    """VROOM at exploration level 5 on the VRPTW (jobs with a delivery amount; it stops by
    itself: ``time_limit`` and ``seed`` are not used); customer routes."""
    import numpy as np
    import vroom

    nodes = instance.nodes
    places = [0, *_customers(instance)]
    matrix = np.array([[_arc(instance, a, b) for b in places] for a in places], dtype=np.uint32)
    data = vroom.Input()
    data.set_durations_matrix("car", matrix)
    shift = vroom.TimeWindow(nodes[0].early * SCALE, nodes[0].late * SCALE)
    fixed = _fixed_cost(instance)
    for k in range(instance.vehicles):
        data.add_vehicle(
            vroom.Vehicle(
                k,
                start=0,
                end=0,
                capacity=[instance.capacity],
                time_window=shift,
                costs=vroom.VehicleCosts(fixed=fixed),
            )
        )
    for index, c in enumerate(places[1:], 1):
        node = nodes[c]
        data.add_job(
            vroom.Job(
                c,
                index,
                default_service=node.service * SCALE,
                delivery=vroom.Amount([-node.demand]),
                time_windows=[vroom.TimeWindow(node.early * SCALE, node.late * SCALE)],
            )
        )
    solution = data.solve(exploration_level=5, nb_threads=VROOM_THREADS)
    steps = solution.routes
    routes: dict[int, list[int]] = {}
    for vehicle, kind, job in zip(steps["vehicle_id"], steps["type"], steps["id"], strict=True):
        if kind == "job":
            routes.setdefault(int(vehicle), []).append(int(job))
    return with_loads(instance, list(routes.values()))


RUNNERS: dict[str, Runner] = {
    "shuyun": solve_shuyun,
    "pyvrp": solve_pyvrp,
    "vroom": solve_vroom,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the table; write ``--json``; 1 if any plan is infeasible."""
    return benchmark_cli(
        argv,
        description=__doc__.splitlines()[0],
        folder="Solomon 100-customer folder",
        default_folder=lambda: solomon_dir(load_settings().data.bench_dir),
        read=read_solomon,
        runners=RUNNERS,
    )


if __name__ == "__main__":
    sys.exit(main())
