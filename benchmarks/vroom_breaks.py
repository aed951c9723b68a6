"""VROOM with the vans' breaks, or without them and the breaks placed afterwards by shuyun.

On the Beilin benchmark's problems (``benchmarks/beilin_scale.py``: lunch closures at every
branch and service point, a 45-minute van break in 11:30–13:30) this runs VROOM at given
efforts (searches × local-search depth, ``optimizer.peers.SEARCHES``) twice: given the
breaks, as ``solve_with_vroom`` does for the comparison, and without them, as shuyun's
warm start does in one of its two searches. Each plan is re-timed by our rules
(``repair_route`` places the breaks, and drops what no longer fits), then checked and
priced with the benchmark's ``plan_cost``.

Run from the repository root (about 3 minutes with the defaults)::

    .venv/bin/python benchmarks/vroom_breaks.py --sizes 200,400 --efforts 8x3,8x5 --json out.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import geo
from benchmarks.beilin_scale import load_district, plan_cost, scale_instance
from optimizer import Problem
from optimizer.peers import (
    VROOM_THREADS,
    plan_from_answer,
    repair_route,
    solve_searches,
    vroom_input,
    without_breaks,
)
from settings import load_settings


def run(problem: Problem, searches: int, depth: int, *, breaks: bool) -> dict[str, Any]:
    """VROOM's plan at one effort, with or without the breaks, re-timed and priced."""
    asked = problem if breaks else without_breaks(problem)
    instance = vroom_input(asked)
    started = time.perf_counter()
    answer = solve_searches(instance, searches, depth, nb_threads=VROOM_THREADS, timeout=None)
    seconds = time.perf_counter() - started
    plan = plan_from_answer(instance, answer)
    routes = [repair_route(problem, route) for route in plan.routes]
    fig = plan_cost(problem, routes)
    return {
        "breaks": "given" if breaks else "placed after",
        "searches": searches,
        "depth": depth,
        "seconds": round(seconds, 2),
        "cost": fig.cost,
        "vans_used": fig.vans_used,
        "planned": fig.planned,
        "feasible": fig.feasible,
        "lost_to_breaks": sum(len(r.visits) for r in plan.routes) // 2 - fig.planned,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="200,400", help="site counts, comma-separated")
    parser.add_argument("--efforts", default="8x3,8x5", help="searches x depth, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write the rows here")
    args = parser.parse_args(argv)
    try:
        sizes = [int(x) for x in args.sizes.split(",")]
        efforts = [tuple(int(v) for v in e.split("x")) for e in args.efforts.split(",")]
    except ValueError:
        parser.error(f"--sizes {args.sizes!r} / --efforts {args.efforts!r}: integers, NxD")
    if any(len(e) != 2 or e[0] < 1 or e[1] < 0 for e in efforts):
        parser.error(f"--efforts {args.efforts!r}: each searches>=1 x depth>=0, e.g. 8x5")

    beilin_dir = load_settings().data.beilin_dir
    G = geo.load_beilin_graph(beilin_dir)
    district = load_district(beilin_dir)
    rows = []
    for n_sites in sizes:
        problem = scale_instance(G, district, n_sites, seed=args.seed).problem
        for searches, depth in efforts:
            for breaks in (True, False):
                row = {"n_sites": n_sites, **run(problem, searches, depth, breaks=breaks)}
                rows.append(row)
                print(row, flush=True)

    print()
    print(
        "| sites | searches × depth | breaks | VROOM s | cost (yuan) | vans | planned | feasible |"
    )
    print("|---:|---|---|---:|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r['n_sites']} | {r['searches']} × {r['depth']} | {r['breaks']} | "
            f"{r['seconds']:.2f} | {r['cost']:.0f} | {r['vans_used']} | {r['planned']} | "
            f"{'yes' if r['feasible'] else 'NO'} |"
        )
    print("\nThe anchor: VROOM given the breaks at the same effort (ratio = placed after / given).")
    for n_sites in sizes:
        for searches, depth in efforts:
            given, after = (
                next(
                    r
                    for r in rows
                    if (r["n_sites"], r["searches"], r["depth"], r["breaks"])
                    == (n_sites, searches, depth, label)
                )
                for label in ("given", "placed after")
            )
            print(
                f"- {n_sites} sites, {searches} × {depth}: {after['cost']:.0f} / "
                f"{given['cost']:.0f} = {after['cost'] / given['cost']:.3f}"
            )
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
