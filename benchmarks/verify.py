"""Independent feasibility check of a Li & Lim solution, in unrounded doubles.

Shares nothing with the solvers: it reads the instance's own numbers and walks each
route from the depot, starting every service as early as its window allows, with
travel time equal to the Euclidean distance (the benchmark's convention).

Run on the best-known solutions: ``python -m benchmarks.verify [--dir D] [names...]``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks._instances import Instance, li_lim_dir, read_bks, read_instance, read_solution
from settings import load_settings

TOLERANCE = 1e-6
"""Slack allowed on time windows for floating-point sums (the benchmark's own)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The check's outcome: routes used, total distance in doubles, and every violation."""

    vehicles: int
    distance: float
    violations: tuple[str, ...] = field(default=())

    @property
    def feasible(self) -> bool:
        return not self.violations


def verify(instance: Instance, routes: Sequence[Sequence[int]]) -> Verdict:
    """Check routes (lists of node ids, depot omitted) against ``instance``.

    Checks: every task node is visited exactly once and the depot never inside a
    route; a request's pickup and delivery are on the same route, pickup first; each
    service starts within its window (waiting when early); the load stays within
    ``[0, capacity]`` after every stop; each route is back at the depot by its
    ``late``; no more routes than the file's vehicles.

    Parameters
    ----------
    instance
        The instance.
    routes
        The solution's routes; empty routes are ignored.

    Returns
    -------
    Verdict
        Non-empty routes, total Euclidean distance and the violations found.
    """
    nodes = instance.nodes
    depot = nodes[0]
    violations: list[str] = []
    seen: dict[int, tuple[int, int]] = {}  # node -> (route, position)
    total = 0.0
    used = [list(r) for r in routes if len(r)]
    for r, route in enumerate(used):
        t = float(depot.early)
        load = 0
        prev = 0
        for pos, node_id in enumerate(route):
            if not 0 < node_id < len(nodes):
                violations.append(f"route {r}: node {node_id} is not a task node")
                continue
            if node_id in seen:
                violations.append(f"node {node_id} visited twice")
            seen[node_id] = (r, pos)
            node = nodes[node_id]
            leg = instance.distance(prev, node_id)
            total += leg
            t = max(t + leg, float(node.early))
            if t > node.late + TOLERANCE:
                violations.append(
                    f"route {r}: node {node_id} starts at {t:.4f} after its window's end "
                    f"{node.late}"
                )
            load += node.demand
            if not 0 <= load <= instance.capacity:
                violations.append(
                    f"route {r}: load {load} after node {node_id} outside [0, {instance.capacity}]"
                )
            t += node.service
            prev = node_id
        leg = instance.distance(prev, 0)
        total += leg
        t += leg
        if t > depot.late + TOLERANCE:
            violations.append(f"route {r}: back at the depot at {t:.4f} after {depot.late}")
    for pickup, delivery in instance.pairs:
        if pickup not in seen or delivery not in seen:
            missing = [n for n in (pickup, delivery) if n not in seen]
            violations.append(f"request {pickup}->{delivery}: node(s) {missing} not visited")
            continue
        (rp, pp), (rd, pd) = seen[pickup], seen[delivery]
        if rp != rd:
            violations.append(f"request {pickup}->{delivery}: on routes {rp} and {rd}")
        elif pd < pp:
            violations.append(f"request {pickup}->{delivery}: delivery before pickup")
    if len(used) > instance.vehicles:
        violations.append(f"{len(used)} routes, more than the {instance.vehicles} vehicles")
    return Verdict(vehicles=len(used), distance=total, violations=tuple(violations))


def main(argv: Sequence[str] | None = None) -> int:
    """Check the best-known solutions; print one line per instance; 1 if any fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="instances (default: all)")
    parser.add_argument("--dir", type=Path, default=None, help="Li & Lim folder")
    args = parser.parse_args(argv)
    folder = args.dir or li_lim_dir(load_settings().data.bench_dir)
    bks = read_bks(folder / "bks.csv")
    failed = 0
    for name in args.names or sorted(bks):
        verdict = verify(
            read_instance(folder / f"{name}.txt"),
            read_solution(folder / "bks_routes" / f"{name}.txt"),
        )
        ok = verdict.feasible and abs(verdict.distance - bks[name].distance) < 1e-3
        failed += not ok
        print(f"{name:8} {verdict.vehicles:3} {verdict.distance:10.4f} {'ok' if ok else 'FAIL'}")
        for message in verdict.violations:
            print(f"    {message}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
