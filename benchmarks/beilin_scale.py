"""How shuyun's optimiser scales on the real Beilin street network, next to VROOM.

For each size N (default 25, 50, 100, 200, 400 sites): seeded random sites inside the
district, snapped onto the Beilin drive network (within 300 m, resampled otherwise), the
central library as depot, 2N shipments (the demo day's mix of holds, returns home, new stock
and rebalancing, ``dispatch.generated_shipments``), the demo fleet's vans
(``dispatch.demo_vans``: 08:30–17:30, a 45-minute lunch break in 11:30–13:30, capacity
(40 crates, 600 kg), 2 yuan/km, 60 yuan/h, 150 yuan per van) in proportion to N, and the
demo opening hours with their lunch closures (``dispatch.demo_sites``).

Measured per size:

- matrix: seconds to snap the sites and build both travel matrices (graph loading apart,
  median of three runs);
- first plan: wall seconds and cost of shuyun's quickest feasible plan, ``solve`` with
  ``time_limit=QUICK_LIMIT`` and default parameters: the VROOM warm start at its least
  effort (2 searches, no local search; it may take longer than the limit, a plan late
  beats none), re-timed by our rules, no polish or OR-Tools search;
- OR-Tools first plan: wall seconds of ``solve`` stopped at OR-Tools' own first solution,
  without a warm start (``SolveParams(work_limit=1, warm_start=False)``,
  ``time_limit=FIRST_PLAN_LIMIT``), the alone test and model building included; when the
  time limit cuts the first-solution heuristic the plan is whatever it had placed
  (reported as "> 30");
- shuyun's plan cost after each budget (``solve(time_limit=B)``, default parameters);
- VROOM (pyvroom, exploration level 5, 2 threads) on the same matrices and constraints
  (``optimizer/_vroom.py``).

Both plans are checked and priced by the same code (``optimizer.check`` and ``plan_cost``):
150 yuan per van used + 2 yuan/km + 60 yuan per hour of driving (the cost both solvers
minimise) + the penalty of every deferred shipment; a plan that breaks a rule is reported
as infeasible, and holds (not deferrable, no penalty) left out are counted apart.

Target: shuyun's cost at 10 s no higher than VROOM's at every size, every shipment either
planned or deferred with a reason.

Run from the repository root (CPU-heavy: about 5 sizes × 50 s plus VROOM)::

    .venv/bin/python benchmarks/beilin_scale.py --sizes 25,50 --budgets 5,10 --json out.json
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import geo
from dispatch import (
    BRANCH_HOURS,
    CENTRAL_POINT,
    SERVICE_POINT_HOURS,
    DemoSite,
    build_problem,
    central_site,
    demo_vans,
    generated_shipments,
)
from optimizer import (
    PlannedRoute,
    Problem,
    Result,
    SolveParams,
    ViolationKind,
    check,
    planned_routes,
    solve,
)
from optimizer.peers import route_timing, solve_with_vroom
from settings import load_settings

DEPOT = "central"
SNAP_LIMIT_M = 300.0
NETWORK_WEST = 108.923  # the street data stops at about 108.922 E (see the data README)
BRANCH_EVERY = 5  # one site in five is a branch (分馆), the others service points (服务点)
SITES_PER_VAN = 20  # proportional fleet: one van per 20 sites (VROOM uses ~1 per 25), at least two
SHIPMENTS_PER_SITE = 2
FIRST_PLAN_LIMIT = 30  # seconds: an OR-Tools first plan not found by then is "> 30"
QUICK_LIMIT = 0.1  # seconds: ``solve``'s quickest plan (the warm start's least effort)
TARGET_BUDGET = 10  # the target compares shuyun at 10 s with VROOM
DEMO_KIND_CYCLE = 150  # generated_shipments cycles through 150 kinds: holds first


def boundary_file(data_dir: Path) -> Path:
    return data_dir / "boundary" / "beilin_610103_datav_wgs84.geojson"


def load_district(data_dir: Path) -> BaseGeometry:
    """The district polygon (WGS-84) from the shared boundary file."""
    path = boundary_file(data_dir)
    return shape(json.loads(path.read_text(encoding="utf-8"))["features"][0]["geometry"])


def fleet_size(n_sites: int) -> int:
    """Vans for ``n_sites`` sites: one per ``SITES_PER_VAN`` sites, at least two."""
    return max(2, math.ceil(n_sites / SITES_PER_VAN))


def _site(i: int, lon: float, lat: float) -> DemoSite:
    if i % BRANCH_EVERY == 1:
        return DemoSite(
            id=f"branch-{i:03d}",
            kind="branch",
            name_zh=f"随机分馆 {i}",
            name_en=f"Random branch {i}",
            subdistrict="",
            lon=lon,
            lat=lat,
            hours=BRANCH_HOURS,
            service_seconds=300,
        )
    return DemoSite(
        id=f"sp-{i:03d}",
        kind="service_point",
        name_zh=f"随机服务点 {i}",
        name_en=f"Random service point {i}",
        subdistrict="",
        lon=lon,
        lat=lat,
        hours=SERVICE_POINT_HOURS,
        service_seconds=180,
    )


def random_sites(
    G: nx.MultiDiGraph, district: BaseGeometry, n_sites: int, *, seed: int
) -> tuple[list[DemoSite], list[geo.SnappedPoint]]:
    """``n_sites`` sites: the central library at the demo depot, the rest at random.

    Points are drawn uniformly inside the district (east of the street data's western edge);
    a point more than ``SNAP_LIMIT_M`` from every street is drawn again, so the same seed
    always gives the same sites.

    Returns
    -------
    (sites, snapped)
        The sites (central first) and their snapped points, in the same order.
    """
    if n_sites < 3:
        raise ValueError(f"n_sites must be >= 3 (a depot and two branches), got {n_sites}")
    rng = random.Random(seed)
    west, south, east, north = district.bounds
    west = max(west, NETWORK_WEST)

    def draw() -> tuple[float, float]:
        while True:
            lon, lat = round(rng.uniform(west, east), 6), round(rng.uniform(south, north), 6)
            if district.contains(Point(lon, lat)):
                return lon, lat

    points = [CENTRAL_POINT, *(draw() for _ in range(n_sites - 1))]
    ids = [DEPOT, *(_site(i, 0.0, 0.0).id for i in range(1, n_sites))]
    index = geo.edge_index(G)
    for _ in range(100):
        try:
            snapped = geo.snap_points(G, points, names=ids, max_distance=SNAP_LIMIT_M, index=index)
            break
        except geo.SnapError as err:
            refused = {name for name, _, _ in err.failures}
            if DEPOT in refused:
                raise
            points = [
                draw() if site_id in refused else p for site_id, p in zip(ids, points, strict=True)
            ]
    else:  # pragma: no cover - the district is dense with streets
        raise RuntimeError(f"could not place {n_sites} sites within {SNAP_LIMIT_M} m of a street")
    central = central_site()
    sites = [central, *(_site(i, *points[i]) for i in range(1, n_sites))]
    return sites, snapped


def scale_shipments(sites: Sequence[DemoSite], count: int, *, seed: int) -> tuple[Any, ...]:
    """``count`` shipments with the demo day's mix of kinds at every size.

    ``generated_shipments`` hands out kinds in a fixed cycle of 150 (45 holds first), so a
    short prefix would be nearly all holds; we generate whole cycles and keep a seeded
    sample of ``count``, in id order.
    """
    cycles = max(1, math.ceil(count / DEMO_KIND_CYCLE))
    pool = generated_shipments(sites, count=cycles * DEMO_KIND_CYCLE, seed=seed)
    keep = sorted(random.Random(seed).sample(range(len(pool)), count))
    return tuple(pool[i] for i in keep)


@dataclass(frozen=True)
class ScaleInstance:
    n_sites: int
    problem: Problem
    matrix_seconds: float


def scale_instance(
    G: nx.MultiDiGraph, district: BaseGeometry, n_sites: int, *, seed: int
) -> ScaleInstance:
    """The benchmark's problem with ``n_sites`` sites (see the module docstring)."""
    sites, _ = random_sites(G, district, n_sites, seed=seed)
    # Timed as a caller would (snap the sites, then both matrices); the median of three
    # runs, because a single run of a tenth of a second is mostly noise.
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        snapped = geo.snap_points(
            G,
            [(s.lon, s.lat) for s in sites],
            names=[s.id for s in sites],
            max_distance=SNAP_LIMIT_M,
        )
        durations, distances = geo.travel_matrices(G, snapped)
        timings.append(time.perf_counter() - started)
    matrix_seconds = sorted(timings)[1]
    shipments = scale_shipments(sites, SHIPMENTS_PER_SITE * n_sites, seed=seed)
    problem = build_problem(
        sites,
        durations.tolist(),
        distances.tolist(),
        demo_vans(DEPOT, count=fleet_size(n_sites)),
        shipments,
    )
    return ScaleInstance(n_sites=n_sites, problem=problem, matrix_seconds=matrix_seconds)


# --- pricing and checking a plan, the same way for both solvers -----------------------------


@dataclass(frozen=True)
class PlanFigures:
    """A plan re-timed by ``optimizer``'s own timing rules and priced by ``plan_cost``."""

    vans_used: int
    planned: int
    unassigned: int
    unassigned_not_deferrable: int
    distance_m: int
    travel_s: int
    duration_s: int  # return minus departure, waiting, service and breaks included
    penalty: float  # yuan, of the shipments in no route
    cost: float  # yuan: fixed + per km + per hour of driving + deferral penalties
    violations: int  # broken rules, not counting deferred (unplanned) shipments
    violation_kinds: tuple[str, ...] = ()

    @property
    def feasible(self) -> bool:
        """No rule broken (deferring a shipment breaks none; see ``unassigned_not_deferrable``)."""
        return self.violations == 0


def plan_cost(problem: Problem, routes: Sequence[PlannedRoute]) -> PlanFigures:
    """Check ``routes`` with ``optimizer.check`` and price them with one cost function.

    Each used van costs ``fixed_cost + cost_per_km × km + cost_per_hour × driving hours``
    (the cost both solvers minimise: shuyun's ``Route.cost`` and VROOM's vehicle costs
    charge the hourly rate on travel time), with distance and travel from ``optimizer``'s
    own timing of the route; each shipment in no route adds its ``penalty`` (the model's
    price of waiting for tomorrow).
    """
    shipments = {s.id: s for s in problem.shipments}
    vans = {v.id: v for v in problem.vans}
    violations = [v for v in check(problem, routes) if v.kind != ViolationKind.UNPLANNED]
    served = {visit.shipment for route in routes for visit in route.visits}
    cost, distance, travel, duration, used = 0.0, 0, 0, 0, 0
    for route in routes:
        if not route.visits:
            continue
        van = vans[route.van]
        timing = route_timing(problem, van, [(shipments[v.shipment], v.type) for v in route.visits])
        used += 1
        distance += timing.distance
        travel += timing.travel
        duration += timing.duration
        cost += van.fixed_cost
        cost += van.cost_per_km * timing.distance / 1000
        cost += van.cost_per_hour * timing.travel / 3600
    left = [s for s in problem.shipments if s.id not in served]
    penalty = sum(s.penalty for s in left)
    cost += penalty
    return PlanFigures(
        vans_used=used,
        planned=len(problem.shipments) - len(left),
        unassigned=len(left),
        unassigned_not_deferrable=sum(1 for s in left if not s.deferrable),
        distance_m=distance,
        travel_s=travel,
        duration_s=duration,
        penalty=round(penalty, 2),
        cost=round(cost, 2),
        violations=len(violations),
        violation_kinds=tuple(sorted({v.kind.value for v in violations})),
    )


def reasons_complete(problem: Problem, result: Result) -> bool:
    """Every shipment is in exactly one route or unassigned with a reason."""
    planned = [s for route in result.routes for s in route.shipments]
    unassigned = [u.shipment for u in result.unassigned if u.reason]
    everything = sorted(planned + unassigned)
    return everything == sorted(s.id for s in problem.shipments)


# --- the runs ----------------------------------------------------------------------------


@dataclass
class SizeRow:
    """One line of the table (and of ``--json``)."""

    n_sites: int
    shipments: int
    vans: int
    matrix_s: float
    quick_plan_s: float = math.nan
    quick_plan_cost: float = math.nan
    quick_plan_feasible: bool = False
    first_plan_s: float = math.nan
    first_plan_cost: float = math.nan
    first_plan_feasible: bool = False
    first_plan_timed_out: bool = False  # the time limit cut OR-Tools' first-solution heuristic
    first_plan_holds_left: int = 0
    first_plan_stats: dict[str, Any] = field(default_factory=dict)  # solve's own timings
    shuyun: dict[str, dict[str, Any]] = field(default_factory=dict)  # budget → figures
    vroom: dict[str, Any] = field(default_factory=dict)
    ratio_10s: float = math.nan
    target_met: bool = False


def _figures(fig: PlanFigures, seconds: float, **extra: Any) -> dict[str, Any]:
    return {**asdict(fig), "feasible": fig.feasible, "seconds": round(seconds, 2), **extra}


def run_size(
    G: nx.MultiDiGraph,
    district: BaseGeometry,
    n_sites: int,
    *,
    budgets: Sequence[int],
    seed: int,
    vroom_threads: int = 2,
    vroom_level: int = 5,
    shuyun_from: dict[str, Any] | None = None,
    log: Any = print,
) -> SizeRow:
    """Build the instance of size ``n_sites``, solve it with shuyun and VROOM, price both.

    ``shuyun_from`` is this size's row of an earlier ``--json`` (same seed): shuyun's
    figures are taken from it instead of solving again, so that VROOM alone can be re-run.
    """
    inst = scale_instance(G, district, n_sites, seed=seed)
    problem = inst.problem
    row = SizeRow(
        n_sites=n_sites,
        shipments=len(problem.shipments),
        vans=len(problem.vans),
        matrix_s=round(inst.matrix_seconds, 3),
    )
    log(f"[{n_sites}] {row.shipments} shipments, {row.vans} vans, matrix {row.matrix_s:.2f} s")

    if shuyun_from is not None:
        same = (shuyun_from["n_sites"], shuyun_from["shipments"], shuyun_from["vans"])
        if same != (row.n_sites, row.shipments, row.vans):
            raise ValueError(f"--shuyun-from row {same} is not this instance {row.n_sites}")
        for name in ("first_plan_s", "first_plan_cost", "first_plan_feasible"):
            setattr(row, name, shuyun_from[name])
        for name in ("quick_plan_s", "quick_plan_cost", "quick_plan_feasible"):
            setattr(row, name, shuyun_from.get(name, math.nan))
        for name in ("first_plan_timed_out", "first_plan_holds_left", "first_plan_stats"):
            setattr(row, name, shuyun_from[name])
        row.shuyun = {b: f for b, f in shuyun_from["shuyun"].items() if int(b) in budgets}
        log(f"[{n_sites}] shuyun's figures taken from the earlier run")
    else:
        started = time.perf_counter()
        quick = solve(problem, time_limit=QUICK_LIMIT, seed=seed)
        row.quick_plan_s = round(time.perf_counter() - started, 2)
        fig = plan_cost(problem, planned_routes(quick.routes))
        row.quick_plan_cost, row.quick_plan_feasible = fig.cost, fig.feasible
        log(
            f"[{n_sites}] first plan {row.quick_plan_s:.2f} s, cost {fig.cost:.0f}, "
            f"{fig.planned} planned, feasible {fig.feasible}"
        )
        started = time.perf_counter()
        first = solve(
            problem,
            time_limit=FIRST_PLAN_LIMIT,
            seed=seed,
            params=SolveParams(work_limit=1, warm_start=False),
        )
        row.first_plan_s = round(time.perf_counter() - started, 2)
        fig = plan_cost(problem, planned_routes(first.routes))
        row.first_plan_cost, row.first_plan_feasible = fig.cost, fig.feasible
        row.first_plan_holds_left = fig.unassigned_not_deferrable
        row.first_plan_timed_out = row.first_plan_s >= 0.95 * FIRST_PLAN_LIMIT
        row.first_plan_stats = _plain_stats(first)
        log(
            f"[{n_sites}] OR-Tools first plan {row.first_plan_s:.2f} s, cost {fig.cost:.0f}, "
            f"{fig.planned} planned, {fig.unassigned_not_deferrable} holds left"
        )

        for budget in budgets:
            started = time.perf_counter()
            result = solve(problem, time_limit=budget, seed=seed)
            seconds = time.perf_counter() - started
            fig = plan_cost(problem, planned_routes(result.routes))
            row.shuyun[str(budget)] = _figures(
                fig,
                seconds,
                reported_cost=round(result.summary.cost, 2),
                reasons_complete=reasons_complete(problem, result),
                reasons=sorted({u.reason.value for u in result.unassigned}),
                profile=_profile(result),
                stats=_plain_stats(result),
            )
            log(f"[{n_sites}] shuyun {budget} s: cost {fig.cost:.0f} ({seconds:.1f} s wall)")

    plan = solve_with_vroom(problem, exploration_level=vroom_level, nb_threads=vroom_threads)
    fig = plan_cost(problem, plan.routes)
    row.vroom = _figures(fig, plan.seconds, own_cost=round(plan.cost, 2))
    log(f"[{n_sites}] VROOM: cost {fig.cost:.0f} ({plan.seconds:.1f} s)")

    at10 = row.shuyun.get(str(TARGET_BUDGET))
    if at10 is not None:
        row.ratio_10s = round(at10["cost"] / fig.cost, 4) if fig.cost else math.nan
        # Holds carry no penalty: leaving one out must not make a plan look cheaper.
        row.target_met = bool(
            at10["cost"] <= fig.cost + 1e-6
            and at10["violations"] == 0
            and at10["reasons_complete"]
            and at10["unassigned_not_deferrable"] <= fig.unassigned_not_deferrable
        )
    return row


def _profile(result: Result) -> dict[str, float]:
    """Where ``solve``'s wall time went: model building, search, and the rest (the alone
    test of every shipment, the warm start, re-timing and the self-check)."""
    stats = result.stats
    build, search, warm = stats.build_seconds, stats.search_seconds, stats.warm_start_seconds
    return {
        "build_s": round(build, 3),
        "search_s": round(search, 3),
        "warm_start_s": round(warm, 3),
        "other_s": round(result.runtime - build - search - warm, 3),
    }


def _plain_stats(result: Result) -> dict[str, Any]:
    """``result.stats`` as JSON-ready values (its scalar fields)."""
    fields = asdict(result.stats)
    return {k: v for k, v in fields.items() if _is_plain(v)}


def _is_plain(value: object) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


# --- the table ---------------------------------------------------------------------------


def growth_exponent(sizes: Sequence[float], values: Sequence[float]) -> float:
    """Least-squares slope of log(value) over log(size): ``value ∝ size ** slope``."""
    pairs = [
        (math.log(n), math.log(v)) for n, v in zip(sizes, values, strict=True) if n > 0 and v > 0
    ]
    if len(pairs) < 2:
        return math.nan
    mx = sum(x for x, _ in pairs) / len(pairs)
    my = sum(y for _, y in pairs) / len(pairs)
    sxx = sum((x - mx) ** 2 for x, _ in pairs)
    sxy = sum((x - mx) * (y - my) for x, y in pairs)
    return sxy / sxx if sxx else math.nan


def table(rows: Sequence[SizeRow], budgets: Sequence[int]) -> str:
    """The results as a Markdown table, followed by how time and cost grow with N."""
    head = ["N", "shipments", "vans", "matrix s", "first plan s", "first plan cost"]
    head += ["OR-Tools first plan s"]
    head += [f"shuyun@{b}s" for b in budgets]
    head += ["VROOM", "VROOM s", f"ratio@{TARGET_BUDGET}s", "vans used s/V"]
    head += ["planned s/V", "deferred s/V", "holds left s/V", "feasible s/V", "target"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    ref = str(TARGET_BUDGET) if str(TARGET_BUDGET) in (rows[0].shuyun if rows else {}) else None
    for r in rows:
        s10 = r.shuyun.get(ref or "", {})
        v = r.vroom

        def pair(key: str, s10: dict[str, Any] = s10, v: dict[str, Any] = v) -> str:
            return f"{s10.get(key, '-')}/{v.get(key, '-')}"

        cells = [str(r.n_sites), str(r.shipments), str(r.vans), f"{r.matrix_s:.2f}"]
        cells += [f"{r.quick_plan_s:.2f}", f"{r.quick_plan_cost:.0f}"]
        cells.append(f"> {FIRST_PLAN_LIMIT}" if r.first_plan_timed_out else f"{r.first_plan_s:.2f}")
        cells += [f"{r.shuyun[str(b)]['cost']:.0f}" for b in budgets]
        cells += [f"{v['cost']:.0f}", f"{v['seconds']:.1f}", f"{r.ratio_10s:.3f}"]
        cells += [pair("vans_used"), pair("planned"), pair("unassigned")]
        cells += [pair("unassigned_not_deferrable")]
        cells += [f"{'yes' if s10.get('feasible') else 'NO'}/{'yes' if v['feasible'] else 'NO'}"]
        cells.append("met" if r.target_met else "NOT met")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        "s/V = shuyun (at the target budget) / VROOM. Costs in yuan, same pricing for both."
    )
    if len(rows) >= 2:
        ns = [r.n_sites for r in rows]
        growth = [
            ("matrix seconds", [r.matrix_s for r in rows]),
            ("first-plan seconds", [r.quick_plan_s for r in rows]),
            # A first plan cut by the time limit says nothing about growth: left out (0).
            (
                "OR-Tools first-plan seconds",
                [0 if r.first_plan_timed_out else r.first_plan_s for r in rows],
            ),
            ("VROOM seconds", [r.vroom["seconds"] for r in rows]),
            (
                f"shuyun cost @{TARGET_BUDGET}s",
                [r.shuyun.get(ref or "", {}).get("cost", 0) for r in rows],
            ),
            ("VROOM cost", [r.vroom["cost"] for r in rows]),
        ]
        lines.append("Growth with N (least-squares fit of log value on log N, value ∝ N^k):")
        for label, values in growth:
            lines.append(f"- {label}: k = {growth_exponent(ns, values):.2f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="25,50,100,200,400", help="site counts, comma-separated")
    parser.add_argument("--budgets", default="5,10,30", help="shuyun time limits (s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--vroom-threads", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None, metavar="OUT")
    parser.add_argument(
        "--shuyun-from",
        type=Path,
        default=None,
        metavar="JSON",
        help="take shuyun's figures from an earlier --json of the same seed; re-run VROOM only",
    )
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    budgets = [int(x) for x in args.budgets.split(",") if x.strip()]

    beilin_dir = load_settings().data.beilin_dir
    started = time.perf_counter()
    G = geo.load_beilin_graph(beilin_dir)
    graph_seconds = time.perf_counter() - started
    district = load_district(beilin_dir)
    print(f"Beilin graph: {G.number_of_nodes()} nodes, loaded in {graph_seconds:.2f} s")
    earlier: dict[int, dict[str, Any]] = {}
    if args.shuyun_from is not None:
        previous = json.loads(args.shuyun_from.read_text(encoding="utf-8"))
        if previous["seed"] != args.seed:
            parser.error(f"--shuyun-from has seed {previous['seed']}, not {args.seed}")
        earlier = {r["n_sites"]: r for r in previous["rows"]}
        missing = [n for n in sizes if n not in earlier]
        if missing:
            parser.error(f"--shuyun-from has no rows for sizes {missing}")
    rows = [
        run_size(
            G,
            district,
            n,
            budgets=budgets,
            seed=args.seed,
            vroom_threads=args.vroom_threads,
            shuyun_from=earlier.get(n),
        )
        for n in sizes
    ]
    print()
    print(table(rows, budgets))
    if args.json is not None:
        payload = {
            "benchmark": "beilin_scale",
            "seed": args.seed,
            "budgets": budgets,
            "graph_seconds": round(graph_seconds, 3),
            "shuyun_from": None if args.shuyun_from is None else str(args.shuyun_from),
            "vroom": {"version": "pyvroom " + _vroom_version(), "exploration_level": 5},
            "rows": [asdict(r) for r in rows],
        }
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


def _vroom_version() -> str:
    from importlib.metadata import version

    return version("pyvroom")


if __name__ == "__main__":
    raise SystemExit(main())
