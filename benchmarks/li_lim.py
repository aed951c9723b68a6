"""Li & Lim PDPTW benchmark (100-task set): shuyun's optimiser against PyVRP and VROOM.

Each instance is converted to our problem model (``benchmarks._instances.to_problem``:
times ×``SCALE``, travel rounded up, a van's fixed cost above any route's distance, so the
objective is the benchmark's: fewest vehicles, then distance). Every solver's routes are
checked independently in unrounded doubles (``benchmarks.verify``) and their distance is
recomputed from the visit order; the gap is to the best-known distance (``bks.csv``).

Solvers:

- ``shuyun``: ``optimizer.solve(problem, time_limit=T, seed=S)``;
- ``warm_start``: shuyun's PyVRP stage alone, ``optimizer.peers.pyvrp_warm_start`` over all of
  ``T`` (to tell what the OR-Tools stage adds);
- ``pyvrp``: plain PyVRP 0.14 on the same integer instance (``MaxRuntime(T)``, a vehicle
  fixed cost for the hierarchical objective);
- ``vroom``: VROOM (pyvroom) at exploration level 5 on the same problem, with its own
  stopping rule (its seconds are reported).

Usage::

    python -m benchmarks.li_lim [--dir D] [--instances lc101,lr104] [--time-limit 10]
        [--solvers shuyun,pyvrp,vroom] [--seed 1] [--json OUT]
    python -m benchmarks.li_lim --load OUT [OUT...]   # reprint saved rows, merged
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks._instances import (
    SCALE,
    BestKnown,
    Instance,
    li_lim_dir,
    node_routes,
    read_bks,
    read_instance,
    to_problem,
)
from benchmarks.verify import verify
from settings import load_settings

SOLVERS = ("shuyun", "pyvrp", "vroom")
"""The default line-up; ``warm_start`` (shuyun's PyVRP stage alone) may be added."""

VROOM_THREADS = 2
"""VROOM's threads (the benchmark machine has two cores)."""


@dataclass(frozen=True, slots=True)
class Row:
    """One instance solved by one solver (the ``--json`` record)."""

    instance: str
    solver: str
    vehicles: int
    distance: float
    bks_vehicles: int
    bks_distance: float
    seconds: float
    feasible: bool
    violations: tuple[str, ...] = ()

    @property
    def gap(self) -> float:
        """Distance gap to the best-known, in percent."""
        return 100.0 * (self.distance / self.bks_distance - 1.0)

    @property
    def at_bks_vehicles(self) -> bool:
        return self.feasible and self.vehicles <= self.bks_vehicles


def solve_shuyun(instance: Instance, time_limit: float, seed: int) -> list[list[int]]:
    """shuyun's ``optimizer.solve`` on the converted problem; routes as node ids."""
    from optimizer.solve import planned_routes, solve

    problem = to_problem(instance)
    result = solve(problem, time_limit=time_limit, seed=seed)
    return node_routes(problem, planned_routes(result.routes))


def solve_warm_start(instance: Instance, time_limit: float, seed: int) -> list[list[int]]:
    """shuyun's PyVRP stage alone (``optimizer.peers.pyvrp_warm_start``) over the whole budget."""
    from optimizer.peers import pyvrp_warm_start as warm_start

    problem = to_problem(instance)
    routes = warm_start(problem, time_limit=time_limit, seed=seed)
    if routes is None:
        raise RuntimeError(f"{instance.name}: warm_start cannot express the problem")
    return node_routes(problem, routes)


def peer_fixed_cost(instance: Instance) -> int:
    """The peers' vehicle fixed cost: the scaled distance no plan can exceed.

    Any plan has at most one arc per node plus one per vehicle, none longer than the
    longest arc, so one vehicle less always wins (the hierarchical objective). Not
    larger: PyVRP weighs broken windows with bounded penalties (at most 1e5 per unit),
    and a fixed cost far above them (1e9 was tried) lets it trade a vehicle for
    infeasible plans on lr1.
    """
    size = len(instance.nodes)
    longest = max(
        math.ceil(SCALE * instance.distance(i, j)) for i in range(size) for j in range(size)
    )
    return (size + instance.vehicles) * longest


def solve_pyvrp(instance: Instance, time_limit: float, seed: int) -> list[list[int]]:
    """Plain PyVRP on the same integer instance; routes as node ids."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    nodes = instance.nodes
    model = pyvrp.Model()
    locations = [model.add_location(n.x, n.y) for n in nodes]
    depot = model.add_depot(
        locations[0], tw_early=nodes[0].early * SCALE, tw_late=nodes[0].late * SCALE
    )
    model.add_vehicle_type(
        instance.vehicles,
        capacity=instance.capacity,
        start_depot=depot,
        end_depot=depot,
        fixed_cost=peer_fixed_cost(instance),
        tw_early=nodes[0].early * SCALE,
        tw_late=nodes[0].late * SCALE,
    )
    for p, d in instance.pairs:
        pickup, delivery = nodes[p], nodes[d]
        model.add_shipment(
            locations[p],
            locations[d],
            pickup_tw_early=pickup.early * SCALE,
            pickup_tw_late=pickup.late * SCALE,
            pickup_service_duration=pickup.service * SCALE,
            delivery_tw_early=delivery.early * SCALE,
            delivery_tw_late=delivery.late * SCALE,
            delivery_service_duration=delivery.service * SCALE,
            amount=pickup.demand,
        )
    for i, frm in enumerate(locations):
        for j, to in enumerate(locations):
            if i != j:
                cost = math.ceil(SCALE * instance.distance(i, j) - 1e-9)
                model.add_edge(frm, to, distance=cost, duration=cost)
    result = model.solve(MaxRuntime(time_limit), seed=seed, collect_stats=False, display=False)
    pairs = instance.pairs
    return [
        [pairs[a.idx][0] if a.is_pickup() else pairs[a.idx][1] for a in route if a.is_shipment()]
        for route in result.best.routes()
    ]


def solve_vroom(instance: Instance, time_limit: float, seed: int) -> list[list[int]]:
    """VROOM at exploration level 5 on the same integer instance (it stops by itself;
    ``time_limit`` and ``seed`` are not used). Built here from the instance, like the
    PyVRP peer, so the peer does not depend on our model's translation."""
    import numpy as np
    import vroom

    nodes = instance.nodes
    size = len(nodes)
    matrix = np.array(
        [
            [math.ceil(SCALE * instance.distance(i, j) - 1e-9) for j in range(size)]
            for i in range(size)
        ],
        dtype=np.uint32,
    )
    data = vroom.Input()
    data.set_durations_matrix("car", matrix)
    shift = vroom.TimeWindow(nodes[0].early * SCALE, nodes[0].late * SCALE)
    fixed = peer_fixed_cost(instance)
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
    for k, (p, d) in enumerate(instance.pairs):
        steps = [
            vroom.ShipmentStep(
                k,
                node,
                default_service=nodes[node].service * SCALE,
                time_windows=[
                    vroom.TimeWindow(nodes[node].early * SCALE, nodes[node].late * SCALE)
                ],
            )
            for node in (p, d)
        ]
        data.add_shipment(steps[0], steps[1], amount=vroom.Amount([nodes[p].demand]))
    solution = data.solve(exploration_level=5, nb_threads=VROOM_THREADS)
    steps = solution.routes
    routes: dict[int, list[int]] = {}
    for vehicle, kind, location in zip(
        steps["vehicle_id"], steps["type"], steps["location_index"], strict=True
    ):
        if kind in ("pickup", "delivery"):
            routes.setdefault(int(vehicle), []).append(int(location))
    return list(routes.values())


RUNNERS: dict[str, Callable[[Instance, float, int], list[list[int]]]] = {
    "shuyun": solve_shuyun,
    "warm_start": solve_warm_start,
    "pyvrp": solve_pyvrp,
    "vroom": solve_vroom,
}


Runner = Callable[[Instance, float, int], list[list[int]]]
"""A solver: (instance, seconds, seed) to routes of node ids."""


def run(
    instance: Instance,
    best: BestKnown,
    solver: str,
    time_limit: float,
    seed: int,
    runners: dict[str, Runner] | None = None,
) -> Row:
    """Solve ``instance`` with ``solver`` (one of ``runners``, by default this benchmark's)
    and check the answer."""
    started = time.perf_counter()
    routes = (runners or RUNNERS)[solver](instance, time_limit, seed)
    seconds = time.perf_counter() - started
    verdict = verify(instance, routes)
    return Row(
        instance=instance.name,
        solver=solver,
        vehicles=verdict.vehicles,
        distance=round(verdict.distance, 4),
        bks_vehicles=best.vehicles,
        bks_distance=best.distance,
        seconds=round(seconds, 2),
        feasible=verdict.feasible,
        violations=verdict.violations,
    )


@dataclass(frozen=True, slots=True)
class Summary:
    solver: str
    instances: int
    at_bks_vehicles: int
    mean_gap: float  # percent, over the instances at BKS vehicles
    mean_seconds: float
    infeasible: int


def summarise(rows: Sequence[Row], solver: str) -> Summary:
    """Per-solver figures: instances at BKS vehicles, their mean gap, time, infeasible."""
    mine = [r for r in rows if r.solver == solver]
    hits = [r for r in mine if r.at_bks_vehicles]
    return Summary(
        solver=solver,
        instances=len(mine),
        at_bks_vehicles=len(hits),
        mean_gap=statistics.fmean(r.gap for r in hits) if hits else math.nan,
        mean_seconds=statistics.fmean(r.seconds for r in mine) if mine else math.nan,
        infeasible=sum(not r.feasible for r in mine),
    )


def instance_class(name: str) -> str:
    """The Li & Lim class of an instance: ``LR1`` of ``LR1_2_5`` and of ``lr105``."""
    match = re.match(r"[A-Za-z]+\d", name)
    return match.group(0).upper() if match else name.upper()


@dataclass(frozen=True, slots=True)
class ClassFigures:
    """One solver on one class of instances (the issue's per-class table)."""

    cls: str
    solver: str
    instances: int
    at_bks_vehicles: int
    mean_extra_vehicles: float  # over the feasible plans
    mean_gap: float  # percent, over the instances at BKS vehicles
    mean_seconds: float
    infeasible: int


def class_figures(rows: Sequence[Row], solver: str, cls: str) -> ClassFigures:
    mine = [r for r in rows if r.solver == solver and instance_class(r.instance) == cls]
    feasible = [r for r in mine if r.feasible]
    hits = [r for r in mine if r.at_bks_vehicles]
    return ClassFigures(
        cls=cls,
        solver=solver,
        instances=len(mine),
        at_bks_vehicles=len(hits),
        mean_extra_vehicles=(
            statistics.fmean(r.vehicles - r.bks_vehicles for r in feasible)
            if feasible
            else math.nan
        ),
        mean_gap=statistics.fmean(r.gap for r in hits) if hits else math.nan,
        mean_seconds=statistics.fmean(r.seconds for r in mine) if mine else math.nan,
        infeasible=len(mine) - len(feasible),
    )


def print_classes(rows: Sequence[Row], solvers: Sequence[str]) -> None:
    """Per class and solver: at BKS vehicles, mean extra vehicles, mean gap, seconds; and
    per class whether shuyun's mean extra vehicles is no higher than the best peer's."""
    classes = sorted({instance_class(r.instance) for r in rows})
    print(
        f"{'class':6}{'solver':>11}{'at BKS veh':>12}{'extra veh':>11}{'gap %':>8}"
        f"{'mean s':>8}{'infeasible':>11}"
    )
    for cls in classes:
        figures = {s: class_figures(rows, s, cls) for s in solvers}
        for f in figures.values():
            print(
                f"{cls:6}{f.solver:>11}{f'{f.at_bks_vehicles}/{f.instances}':>12}"
                f"{f.mean_extra_vehicles:11.2f}{f.mean_gap:8.2f}{f.mean_seconds:8.1f}"
                f"{f.infeasible:11}"
            )
        peers = [f for s, f in figures.items() if s != "shuyun" and f.infeasible == 0]
        ours = figures.get("shuyun")
        if ours is not None and peers:
            best = min(peers, key=lambda f: f.mean_extra_vehicles)
            met = ours.infeasible == 0 and ours.mean_extra_vehicles <= best.mean_extra_vehicles
            print(
                f"{cls:6}{'verdict':>11}  shuyun {ours.mean_extra_vehicles:+.2f} vs best peer "
                f"{best.mean_extra_vehicles:+.2f} ({best.solver}): {'met' if met else 'MISSED'}"
            )


def print_table(rows: Sequence[Row], solvers: Sequence[str]) -> None:
    """The per-instance table, the per-solver summary and shuyun against the best peer."""
    by_key = {(r.instance, r.solver): r for r in rows}
    names = list(dict.fromkeys(r.instance for r in rows))
    header = f"{'instance':9}{'BKS':>4}{'BKS dist':>10}"
    for solver in solvers:
        header += f" | {solver:>7}{'dist':>10}{'gap%':>7}{'s':>6}{'ok':>4}"
    print(header)
    print("-" * len(header))
    for name in names:
        first = next(r for r in rows if r.instance == name)
        line = f"{name:9}{first.bks_vehicles:4}{first.bks_distance:10.2f}"
        for solver in solvers:
            r = by_key.get((name, solver))
            if r is None:
                line += f" | {'-':>7}{'':10}{'':7}{'':6}{'':4}"
                continue
            mark = "" if r.vehicles == r.bks_vehicles else "*"
            line += (
                f" | {mark + str(r.vehicles):>7}{r.distance:10.2f}{r.gap:7.2f}"
                f"{r.seconds:6.1f}{'yes' if r.feasible else 'NO':>4}"
            )
        print(line)
    print()
    print(f"{'solver':8}{'at BKS veh':>12}{'mean gap %':>12}{'mean s':>8}{'infeasible':>11}")
    summaries = {s: summarise(rows, s) for s in solvers}
    for s in summaries.values():
        print(
            f"{s.solver:8}{f'{s.at_bks_vehicles}/{s.instances}':>12}{s.mean_gap:12.3f}"
            f"{s.mean_seconds:8.1f}{s.infeasible:11}"
        )
    peers = [summaries[s] for s in solvers if s != "shuyun"]
    if "shuyun" in summaries and peers:
        ours = summaries["shuyun"]
        best_count = max(peers, key=lambda s: s.at_bks_vehicles)
        best_gap = min(peers, key=lambda s: s.mean_gap if not math.isnan(s.mean_gap) else math.inf)
        print()
        print(
            f"shuyun / best peer: at BKS vehicles {ours.at_bks_vehicles} / "
            f"{best_count.at_bks_vehicles} ({best_count.solver}) = "
            f"{ours.at_bks_vehicles / max(best_count.at_bks_vehicles, 1):.3f}; "
            f"mean gap {ours.mean_gap:.3f} % vs {best_gap.mean_gap:.3f} % ({best_gap.solver}), "
            f"difference {ours.mean_gap - best_gap.mean_gap:+.3f} points"
        )
    print()
    print_classes(rows, solvers)
    for r in rows:
        for message in r.violations[:5]:
            print(f"{r.instance} {r.solver}: {message}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the table; write ``--json``; 1 if any plan is infeasible."""
    return benchmark_cli(
        argv,
        description=__doc__.splitlines()[0],
        folder="Li & Lim folder",
        default_folder=lambda: li_lim_dir(load_settings().data.bench_dir),
        read=read_instance,
        runners=RUNNERS,
    )


def benchmark_cli(
    argv: Sequence[str] | None,
    *,
    description: str,
    folder: str,
    default_folder: Callable[[], Path],
    read: Callable[[Path], Instance],
    runners: dict[str, Runner],
) -> int:
    """The command line of a benchmark of this family (this one, ``benchmarks.solomon``):
    instances of a folder with a ``bks.csv``, read by ``read``, solved by ``runners``."""
    solvers_known = tuple(runners)
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--dir", type=Path, default=None, help=folder)
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
        # a later file's row replaces an earlier one for the same instance and solver
        merged = {
            (r["instance"], r["solver"]): Row(**{**r, "violations": tuple(r["violations"])})
            for path in args.load
            for r in json.loads(path.read_text())
        }
        loaded = list(merged.values())
        order = [s for s in SOLVERS + solvers_known if any(r.solver == s for r in loaded)]
        print_table(loaded, list(dict.fromkeys(order)))
        return 1 if any(not r.feasible for r in loaded) else 0

    where = args.dir or default_folder()
    if not (where / "bks.csv").is_file():
        parser.error(f"--dir: {where} holds no bks.csv (the {folder})")
    bks = read_bks(where / "bks.csv")
    names = [n for n in args.instances.split(",") if n] or sorted(bks)
    solvers = [s for s in args.solvers.split(",") if s]
    for name in names:
        if name not in bks:
            parser.error(f"--instances: unknown instance {name!r}")
    for solver in solvers:
        if solver not in runners:
            parser.error(f"--solvers: unknown solver {solver!r}, expected one of {list(runners)}")
    if not (math.isfinite(args.time_limit) and args.time_limit > 0):
        parser.error(f"--time-limit: must be a positive number of seconds, got {args.time_limit}")

    rows: list[Row] = []
    for name in names:
        instance = read(where / f"{name}.txt")
        for solver in solvers:
            row = run(instance, bks[name], solver, args.time_limit, args.seed, runners)
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
