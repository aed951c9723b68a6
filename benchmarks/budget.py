"""Is the time asked for the time taken? ``solve``'s wall clock against its budget.

For each size of the Beilin benchmark (``benchmarks/beilin_scale.py``: 25–400 sites on the
real street network, 2 shipments per site, the demo fleet and opening hours), ``solve`` is
given ``--budget`` seconds twice: on an idle machine, and with ``--hogs`` CPU-bound
processes running beside it (two by default: both cores of the 2-core machine busy). A
small day asked for an enormous budget (2 shipments, ``--huge`` seconds) shows that a
search with nothing left to do returns. Reported per run: the wall seconds, their ratio
to the budget, whether they are within the promise ``budget + max(0.5 s, 5 %)``, the
holds (shipments that may not be deferred) left out, the cost and the slowdown ``solve``
measured.

Run from the repository root (about 2 × sizes × budget seconds)::

    .venv/bin/python -m benchmarks.budget --sizes 25,50,100,200,400 --budget 10 --json out.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import geo
from benchmarks.beilin_scale import load_district, scale_instance
from optimizer import Problem, Shipment, Site, TimeWindow, Van, solve
from settings import load_settings

SEED = 1
HOG_SECONDS_MAX = 900.0  # a hog stops by itself even if this script is killed


@dataclass(frozen=True)
class Run:
    case: str
    shipments: int
    load: str  # "idle" or "N hogs"
    budget: float
    wall: float
    ratio: float
    within: bool  # wall <= budget + max(0.5, 5 % of budget)
    holds_left: int
    holds: int
    planned: int
    cost: float
    slowdown: float


def promise(budget: float) -> float:
    """The longest a solve of ``budget`` seconds may take (the engine issue's promise)."""
    return budget + max(0.5, 0.05 * budget)


def _spin(until: float) -> None:
    x = 0
    while time.time() < until:
        x = (x * 1103515245 + 12345) % 2147483648


class Hogs:
    """``count`` CPU-bound processes, for as long as the ``with`` block lasts."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.procs: list[multiprocessing.Process] = []

    def __enter__(self) -> Hogs:
        until = time.time() + HOG_SECONDS_MAX
        context = multiprocessing.get_context("spawn")
        self.procs = [context.Process(target=_spin, args=(until,)) for _ in range(self.count)]
        for proc in self.procs:
            proc.start()
        time.sleep(0.5)  # let them reach full speed
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            proc.kill()
            proc.join()


def measure(case: str, problem: Problem, budget: float, load: str) -> Run:
    started = time.perf_counter()
    result = solve(problem, time_limit=budget, seed=SEED)
    wall = time.perf_counter() - started
    holds = {s.id for s in problem.shipments if not s.deferrable}
    left = sum(1 for u in result.unassigned if u.shipment in holds)
    return Run(
        case=case,
        shipments=len(problem.shipments),
        load=load,
        budget=budget,
        wall=round(wall, 2),
        ratio=round(wall / budget, 3),
        within=wall <= promise(budget),
        holds_left=left,
        holds=len(holds),
        planned=result.summary.planned,
        cost=result.summary.cost,
        slowdown=result.stats.slowdown,
    )


def tiny_problem() -> Problem:
    """Two shipments between three sites: nothing to search for long."""
    sites = (Site("central"), Site("a", service_duration=60), Site("b", service_duration=60))
    durations = ((0, 600, 700), (600, 0, 500), (700, 500, 0))
    distances = tuple(tuple(10 * t for t in row) for row in durations)
    van = Van("van", "central", (10,), shift=TimeWindow(8 * 3600, 18 * 3600), cost_per_km=2.0)
    shipments = (Shipment("s1", "a", "b", (1,)), Shipment("s2", "b", "central", (2,)))
    return Problem(sites, durations, distances, (van,), shipments)


def table(runs: Sequence[Run]) -> str:
    head = (
        "| case | shipments | load | budget s | wall s | ratio | within promise | "
        "holds left | planned | cost | slowdown |"
    )
    lines = [head, "|---|---:|---|---:|---:|---:|---|---:|---:|---:|---:|"]
    for r in runs:
        lines.append(
            f"| {r.case} | {r.shipments} | {r.load} | {r.budget:g} | {r.wall:.2f} | "
            f"{r.ratio:.3f} | {'yes' if r.within else 'NO'} | {r.holds_left}/{r.holds} | "
            f"{r.planned} | {r.cost:.0f} | {r.slowdown:.2f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="25,50,100,200,400", help="site counts")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds asked per solve")
    parser.add_argument("--hogs", type=int, default=2, help="CPU-bound processes beside it")
    parser.add_argument("--huge", type=float, default=1e9, help="budget for the tiny day")
    parser.add_argument("--json", type=Path, default=None, metavar="OUT")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    if args.budget <= 0 or args.hogs < 0:
        parser.error("--budget must be > 0 and --hogs >= 0")

    beilin_dir = load_settings().data.beilin_dir
    G = geo.load_beilin_graph(beilin_dir)
    district = load_district(beilin_dir)
    loaded = f"{args.hogs} hogs"
    runs: list[Run] = []
    tiny = tiny_problem()
    runs.append(measure("tiny day, huge budget", tiny, args.huge, "idle"))
    for n in sizes:
        problem = scale_instance(G, district, n, seed=SEED).problem
        runs.append(measure(f"Beilin {n} sites", problem, args.budget, "idle"))
        print(table(runs[-1:]).splitlines()[-1], flush=True)
        with Hogs(args.hogs):
            runs.append(measure(f"Beilin {n} sites", problem, args.budget, loaded))
        print(table(runs[-1:]).splitlines()[-1], flush=True)
    print()
    print(table(runs))
    if args.json is not None:
        payload = {
            "benchmark": "budget",
            "seed": SEED,
            "budget": args.budget,
            "hogs": args.hogs,
            "runs": [asdict(r) for r in runs],
        }
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0 if all(r.within for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
