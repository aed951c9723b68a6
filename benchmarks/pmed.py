"""OR-Library p-median (pmed1–pmed40): shuyun's exact p-median against PySAL spopt.

Each instance (``$SHUYUN_BENCH_DIR/pmed``, default ``../shared/bench/pmed``) is read by
``planning.read_pmed`` (duplicate edges: the last one counts; costs are shortest paths) and
solved by both, single-threaded, with the same time limit:

- ``shuyun``: ``planning.p_median`` (Benders cuts over sorted distance levels for the LP,
  reduced-cost fixing, branch and cut; HiGHS through highspy);
- ``cpsat`` (only when asked): the same classic model on OR-Tools' CP-SAT, ``--threads``
  workers (the row's solver is ``cpsat-<workers>``), to measure the worker count;
- ``spopt``: ``spopt.locate.PMedian.from_cost_matrix`` (the classic model, one variable per
  vertex pair) solved by HiGHS through PuLP (``pulp.HiGHS``, 1 thread); its seconds include
  building the model, as a user pays them. Needs ``pip install -e '.[bench]'``.

A row's ``optimal`` is the solver's own proof; the table also compares the value with
``pmedopt.txt``. ``--beilin`` adds the Beilin case: 3 of 100 candidate street nodes for 2,000
demand street nodes (fixed seed, weight 1 each), by travel time on the drive network.

Usage::

    python -m benchmarks.pmed [--instances pmed1,pmed6 | all] [--time-limit 120]
        [--solvers shuyun,spopt] [--threads 1] [--beilin] [--json OUT]
    python -m benchmarks.pmed --load OUT [OUT...]   # reprint saved rows, merged
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

import geo
from planning import LocationProblem, p_median, read_optima, read_pmed
from settings import load_settings

SOLVERS = ("shuyun", "spopt")

SUBSET = ("pmed1", "pmed6", "pmed11", "pmed16", "pmed21", "pmed26", "pmed31", "pmed36", "pmed40")
"""The default instances: one of each size, the small-p (hardest) ones mostly."""

BEILIN = "beilin-3of100"
"""The Beilin case's instance name."""


@dataclass(frozen=True, slots=True)
class Row:
    """One instance solved by one solver (the ``--json`` record)."""

    instance: str
    solver: str
    objective: float
    bound: float
    optimal: bool
    seconds: float


@dataclass(frozen=True)
class Case:
    """A p-median case: a cost matrix, weights, how many to open, the known optimum."""

    name: str
    costs: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]
    p: int
    known: float | None


def solve_shuyun(case: Case, time_limit: float, threads: int) -> Row:
    problem = LocationProblem.from_cost_matrix(case.costs, case.weights)
    result = p_median(problem, case.p, time_limit=time_limit, threads=threads)
    return Row(case.name, "shuyun", result.objective, result.bound, result.optimal, result.seconds)


def solve_spopt(case: Case, time_limit: float, threads: int) -> Row:
    import pulp
    from spopt.locate import PMedian

    start = time.perf_counter()
    model = PMedian.from_cost_matrix(case.costs, case.weights, p_facilities=case.p)
    # The same proof as shuyun's: a gap below 1 on these integer objectives (HiGHS's default
    # relative gap, 1e-4, would accept a value up to 1 % of a unit per 100 above the optimum).
    solver = pulp.HiGHS(
        msg=False, timeLimit=time_limit, threads=threads, gapRel=0.0, gapAbs=1.0 - 1e-6
    )
    try:
        model.solve(solver, results=False)
    except RuntimeError:  # spopt: "Model is not solved"
        return Row(case.name, "spopt", math.nan, math.nan, False, time.perf_counter() - start)
    seconds = time.perf_counter() - start
    highs = model.problem.solverModel
    info = highs.getInfo()
    optimal = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    objective = pulp.value(model.problem.objective)
    bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else -math.inf
    return Row(
        case.name, "spopt", float(objective) if objective is not None else math.nan,
        bound, bool(optimal), seconds,
    )  # fmt: skip


def solve_cpsat(case: Case, time_limit: float, threads: int) -> Row:
    """The classic model on OR-Tools' CP-SAT with ``threads`` workers (costs must be integer)."""
    from ortools.sat.python import cp_model

    start = time.perf_counter()
    n_dem, n_site = case.costs.shape
    model = cp_model.CpModel()
    y = [model.new_bool_var(f"y{j}") for j in range(n_site)]
    x = [[model.new_bool_var(f"x{i}_{j}") for j in range(n_site)] for i in range(n_dem)]
    for i in range(n_dem):
        model.add_exactly_one(x[i])
        for j in range(n_site):
            model.add_implication(x[i][j], y[j])
    model.add(sum(y) == case.p)
    weighted = (case.weights[:, None] * case.costs).astype(np.int64)
    model.minimize(sum(int(weighted[i, j]) * x[i][j] for i in range(n_dem) for j in range(n_site)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = threads
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return Row(
        case.name, f"cpsat-{threads}", solver.objective_value if found else math.nan,
        solver.best_objective_bound, status == cp_model.OPTIMAL, time.perf_counter() - start,
    )  # fmt: skip


RUNNERS: dict[str, Callable[[Case, float, int], Row]] = {
    "shuyun": solve_shuyun,
    "spopt": solve_spopt,
    "cpsat": solve_cpsat,
}


def pmed_case(folder: Path, name: str, optima: dict[str, int]) -> Case:
    instance = read_pmed(folder / f"{name}.txt")
    costs = instance.costs.astype(np.float64)
    return Case(name, costs, np.ones(instance.n), instance.p, optima.get(name))


def beilin_costs(
    G: object,
    *,
    n_demand: int = 2000,
    n_candidates: int = 100,
    seed: int = 0,
) -> tuple[npt.NDArray[np.float64], list[int], list[int]]:
    """Travel times (s, rounded) from demand street nodes to candidate street nodes.

    Both are drawn from the drive graph's nodes with ``seed``, uniformly; one multi-source
    Dijkstra over the reversed graph (``travel_time``, the cheapest of parallel edges) gives
    every demand node's time *to* each candidate.

    Returns
    -------
    (costs, demand nodes, candidate nodes)
    """
    import networkx as nx

    assert isinstance(G, nx.MultiDiGraph)
    nodes = list(G.nodes)
    index = {node: k for k, node in enumerate(nodes)}
    rng = np.random.default_rng(seed)
    demand = [nodes[k] for k in rng.choice(len(nodes), n_demand, replace=False)]
    candidates = [nodes[k] for k in rng.choice(len(nodes), n_candidates, replace=False)]
    best: dict[tuple[int, int], float] = {}
    for u, v, data in G.edges(data=True):
        key = (index[u], index[v])
        best[key] = min(best.get(key, math.inf), float(data["travel_time"]))
    tails, heads = (np.array(side) for side in zip(*best, strict=True))
    weight = np.maximum(np.array(list(best.values())), 1e-6)  # csgraph drops stored zeros
    reverse = sp.csr_matrix((weight, (heads, tails)), shape=(len(nodes), len(nodes)))
    to_candidate = dijkstra(reverse, directed=True, indices=[index[c] for c in candidates])
    costs = np.rint(to_candidate[:, [index[d] for d in demand]].T)
    if not np.isfinite(costs).all():
        raise ValueError("some demand node cannot reach a candidate (graph not strongly connected)")
    return costs, demand, candidates


def beilin_case(beilin_dir: Path, *, weights: npt.NDArray[np.float64] | None = None) -> Case:
    """The Beilin case: choose 3 of 100 candidate nodes for 2,000 demand nodes (seed 0).

    ``weights``: population per demand node (1 each when ``None``)."""
    costs, demand, _ = beilin_costs(geo.load_beilin_graph(beilin_dir))
    w = np.ones(len(demand)) if weights is None else np.asarray(weights, dtype=np.float64)
    return Case(BEILIN, costs, w, 3, None)


def at_known(row: Row, known: dict[str, int]) -> bool:
    """The row's value is the instance's known optimum (true when none is known)."""
    return row.instance not in known or abs(row.objective - known[row.instance]) < 0.5


def print_table(rows: Sequence[Row], known: dict[str, int]) -> None:
    """Side by side per instance, then the totals on the instances both proved."""
    solvers = list(dict.fromkeys(r.solver for r in rows))
    by = {(r.instance, r.solver): r for r in rows}
    instances = list(dict.fromkeys(r.instance for r in rows))
    head = ["instance", "optimum"]
    for s in solvers:
        head += [f"{s} value", f"{s} bound", f"{s} proved", f"{s} s"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name in instances:
        cells = [name, str(known.get(name, "–"))]
        for s in solvers:
            r = by.get((name, s))
            if r is None:
                cells += ["–"] * 4
                continue
            mark = "" if name not in known else (" ✓" if at_known(r, known) else " ✗")
            cells += [
                f"{r.objective:.0f}{mark}" if math.isfinite(r.objective) else "–",
                f"{r.bound:.1f}" if math.isfinite(r.bound) else "–",
                "yes" if r.optimal else "no",
                f"{r.seconds:.2f}",
            ]
        print("| " + " | ".join(cells) + " |")
    for s in solvers:
        mine = [by[(n, s)] for n in instances if (n, s) in by]
        proved = sum(r.optimal and at_known(r, known) for r in mine)
        total, longest = sum(r.seconds for r in mine), max(r.seconds for r in mine)
        print(
            f"\n{s}: {proved}/{len(mine)} proven optimal at the known value, "
            f"{total:.1f} s in all, longest {longest:.1f} s"
        )
    if {"shuyun", "spopt"} <= set(solvers):
        both = [n for n in instances if (n, "spopt") in by and by[(n, "spopt")].optimal]
        ours = sum(by[(n, "shuyun")].seconds for n in both if (n, "shuyun") in by)
        theirs = sum(by[(n, "spopt")].seconds for n in both)
        if both and theirs > 0:
            print(f"\non the {len(both)} instances spopt proves: shuyun {ours:.1f} s, "
                  f"spopt {theirs:.1f} s, ratio {ours / theirs:.3f}")  # fmt: skip


def _finite_or_none(value: object) -> object:
    """JSON has no NaN or infinity: such a float is written as null."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _number(value: float | None) -> float:
    return math.nan if value is None else float(value)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the table; write ``--json``; 1 if shuyun misses an optimum."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=None, help="the pmed folder")
    parser.add_argument(
        "--instances", default=",".join(SUBSET), help="comma-separated names, or 'all'"
    )
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per solve")
    parser.add_argument("--solvers", default=",".join(SOLVERS), help="comma-separated")
    parser.add_argument("--threads", type=int, default=1, help="solver threads (default 1)")
    parser.add_argument("--beilin", action="store_true", help="add the Beilin 3-of-100 case")
    parser.add_argument("--json", type=Path, default=None, help="write the rows here")
    parser.add_argument(
        "--load", type=Path, nargs="+", default=None,
        help="solve nothing: reprint rows saved by --json; later files replace earlier rows",
    )  # fmt: skip
    args = parser.parse_args(argv)
    settings = load_settings()
    folder = args.dir or settings.data.bench_dir / "pmed"
    known = read_optima(folder / "pmedopt.txt")
    if args.load:
        merged = {
            (r["instance"], r["solver"]): Row(
                r["instance"],
                r["solver"],
                _number(r["objective"]),
                _number(r["bound"]),
                bool(r["optimal"]),
                float(r["seconds"]),
            )
            for path in args.load
            for r in json.loads(path.read_text())
        }
        print_table(list(merged.values()), known)
        return 0
    names = sorted(known, key=lambda n: int(n[4:])) if args.instances == "all" else [
        n for n in args.instances.split(",") if n
    ]  # fmt: skip
    for name in names:
        if name not in known or not (folder / f"{name}.txt").is_file():
            parser.error(f"--instances: unknown instance {name!r}")
    solvers = [s for s in args.solvers.split(",") if s]
    for solver in solvers:
        if solver not in RUNNERS:
            parser.error(f"--solvers: unknown solver {solver!r}, expected one of {list(RUNNERS)}")
    rows: list[Row] = []
    for name in [*names, *([BEILIN] if args.beilin else [])]:
        if name == BEILIN:
            case = beilin_case(settings.data.beilin_dir)
        else:
            case = pmed_case(folder, name, known)
        for solver in solvers:
            row = RUNNERS[solver](case, args.time_limit, args.threads)
            rows.append(row)
            print(
                f"{row.instance} {row.solver}: {row.objective:.0f} (bound {row.bound:.1f}, "
                f"{'optimal' if row.optimal else 'not proven'}) in {row.seconds:.2f} s",
                file=sys.stderr, flush=True,
            )  # fmt: skip
    print_table(rows, known)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        records = [{k: _finite_or_none(v) for k, v in asdict(r).items()} for r in rows]
        args.json.write_text(json.dumps(records, indent=1) + "\n")
    missed = [r for r in rows if r.solver == "shuyun" and not (r.optimal and at_known(r, known))]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
