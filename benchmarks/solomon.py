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

import argparse
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from benchmarks._instances import SCALE, Instance, node_routes, read_bks, to_problem
from benchmarks._solomon import read_solomon, solomon_dir, with_loads
from benchmarks.li_lim import VROOM_THREADS, Row, Runner, print_table, run
from settings import load_settings

SOLVERS = ("shuyun", "pyvrp", "vroom")


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=None, help="Solomon 100-customer folder")
    parser.add_argument("--instances", default="", help="comma-separated names (default: all)")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per solve")
    parser.add_argument("--solvers", default=",".join(SOLVERS), help="comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None, help="write the rows here")
    parser.add_argument(
        "--load",
        type=Path,
        nargs="+",
        default=None,
        help="solve nothing: reprint rows saved by --json; later files replace earlier rows",
    )
    args = parser.parse_args(argv)
    if args.load:
        merged = {
            (r["instance"], r["solver"]): Row(**{**r, "violations": tuple(r["violations"])})
            for path in args.load
            for r in json.loads(path.read_text())
        }
        loaded = list(merged.values())
        print_table(loaded, [s for s in SOLVERS if any(r.solver == s for r in loaded)])
        return 1 if any(not r.feasible for r in loaded) else 0

    folder = args.dir or solomon_dir(load_settings().data.bench_dir)
    if not (folder / "bks.csv").is_file():
        parser.error(f"--dir: {folder} holds no bks.csv (the Solomon 100-customer folder)")
    bks = read_bks(folder / "bks.csv")
    names = [n for n in args.instances.split(",") if n] or sorted(bks)
    solvers = [s for s in args.solvers.split(",") if s]
    for name in names:
        if name not in bks:
            parser.error(f"--instances: unknown instance {name!r}")
    for solver in solvers:
        if solver not in RUNNERS:
            parser.error(f"--solvers: unknown solver {solver!r}, expected one of {list(RUNNERS)}")
    if not (math.isfinite(args.time_limit) and args.time_limit > 0):
        parser.error(f"--time-limit: must be a positive number of seconds, got {args.time_limit}")

    rows: list[Row] = []
    for name in names:
        instance = read_solomon(folder / f"{name}.txt")
        for solver in solvers:
            row = run(instance, bks[name], solver, args.time_limit, args.seed, RUNNERS)
            rows.append(row)
            print(
                f"  {name} {solver}: {row.vehicles} vehicles, {row.distance:.2f} "
                f"({row.gap:+.2f} %), {row.seconds:.1f} s, "
                f"{'feasible' if row.feasible else 'INFEASIBLE'}",
                file=sys.stderr,
                flush=True,
            )
    print_table(rows, solvers)
    if args.json:
        args.json.write_text(
            json.dumps([asdict(r) for r in rows], indent=1, ensure_ascii=False) + "\n"
        )
    return 1 if any(not r.feasible for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
