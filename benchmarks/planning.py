"""Benchmark: the planning package on the real Beilin network (issue 11).

Cases (the median of ``--repeats`` runs each; the graph's loading is not timed):

* ``access``: **the target** — all demand points of the district (its street nodes, census
  weights) to all 39 demo sites, by car and on foot (``planning.travel_matrix`` twice, snapping
  and the split network included): under 5 s on this machine. The anchor is the naive way, one
  networkx Dijkstra per demand–site pair between street nodes, timed on ``--naive-pairs`` pairs
  and scaled to all pairs of both modes.
* ``access-hexagons``: the same on a 250 m hexagon grid.
* ``accessibility``: ``planning.accessibility`` end to end (both matrices, nearest site,
  coverage, 2SFCA, gravity) on the district's street nodes.
* ``isochrones``: one 15-minute walking isochrone per demo site.
* ``pmed-matrix``: the p-median case's matrix, 2,000 street nodes × 100 candidate points, drive.

* ``month``: **the month target** (issue 11, part 3) — in a simulated month of the demo
  network (``planning.simulate_month``, ``--days`` van days at demand ``--scale``), at least
  95 % of holds on the pickup shelf by the next opening day and a median transfer time under
  24 h. Each fleet size of ``--fleets`` is tried on the demo's full-day shift, on a morning
  round (08:30–12:30) and on a short morning round (08:30–11:00); the table says which meet
  it, and the row names the smallest fleet that does. Not a timing: the row's seconds are
  those of the runs.
* ``sweep``: **the sweep target** (part 4) — 32 scenarios (fleet 1–4 × demo or long opening
  hours × no new site, or one by p-median, maximal covering or p-center) of ``--sweep-days``
  days, serially in this process and on Dask (``planning.sweep``: the scheduler of
  ``SHUYUN_DASK__SCHEDULER`` or a LocalCluster of processes, its start-up counted): the same
  numbers, and at least 1.7 times faster on this 2-core machine. Beside it, the machine's own
  ceiling, measured just before: a fixed pure-Python loop run twice in this process, then once
  in each of two processes at once (``parallel_ceiling``), and the same with the first
  scenario (``workload_ceiling``). On a virtual machine two vCPUs may share one physical
  core; the ceilings say how much two processes can gain at that hour.

Usage::

    .venv/bin/python benchmarks/planning.py [--repeats 3] [--cases access ...] [--json OUT]
    .venv/bin/python benchmarks/planning.py --cases month --scale 0.02 --days 30
    .venv/bin/python benchmarks/planning.py --cases sweep --scale 0.02 --sweep-days 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import networkx as nx
import numpy as np

import geo
import planning
from dispatch import demo_sites
from planning import Scenario, month_network, new_site_options, simulate_month, timed_sweeps
from planning.month import MORNING_ROUND, SHORT_ROUND
from settings import load_settings

TARGET_ACCESS_S = 5.0
TARGET_HOLDS_NEXT_DAY = 0.95
TARGET_MEDIAN_H = 24.0
TARGET_SPEEDUP = 1.7


@dataclass
class Row:
    case: str
    size: str
    ours_s: float
    target_s: float | None
    anchor_s: float | None
    anchor: str
    note: str
    goal_met: bool | None = None
    """A target that is not a time (the month's, the sweep's): met or not."""

    @property
    def ratio(self) -> float | None:
        """Ours over the target when there is one, else over the anchor."""
        base = self.target_s if self.target_s is not None else self.anchor_s
        return round(self.ours_s / base, 3) if base else None

    @property
    def met(self) -> bool | None:
        if self.goal_met is not None:
            return self.goal_met
        return None if self.target_s is None else self.ours_s < self.target_s


@dataclass
class Context:
    G: nx.MultiDiGraph
    beilin_dir: Path
    sites: list[tuple[str, float, float]]
    repeats: int
    naive_pairs: int
    seed: int
    scale: float = 0.02
    days: int = 30
    fleets: tuple[int, ...] = (1, 2, 3)
    sweep_days: int = 5
    scheduler: str | None = None
    workers: int | None = None
    tables: dict[str, Any] = field(default_factory=dict)
    """Tables a case prints after the summary (and writes to the JSON)."""


def _median_seconds(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _naive_seconds(ctx: Context, demand: Any, n_pairs: int) -> float:
    """Seconds of one networkx Dijkstra per pair, sampled and scaled to all pairs, both modes."""
    rng = np.random.default_rng(ctx.seed)
    site_nodes = [s.u for s in geo.snap_points(ctx.G, [s[1:] for s in ctx.sites])]
    nodes = demand["node"].to_numpy()
    walk = planning.walk_graph(ctx.G)
    total = 0.0
    for graph in (ctx.G, walk):
        pairs = [
            (int(nodes[rng.integers(len(nodes))]), site_nodes[rng.integers(len(site_nodes))])
            for _ in range(n_pairs)
        ]
        started = time.perf_counter()
        for a, b in pairs:
            nx.shortest_path_length(graph, a, b, weight="travel_time")
        per_pair = (time.perf_counter() - started) / n_pairs
        total += per_pair * len(nodes) * len(ctx.sites)
    return total


def case_access(ctx: Context) -> Row:
    demand = planning.district_demand(ctx.G, ctx.beilin_dir)

    def both() -> tuple[Any, Any]:
        drive = planning.travel_matrix(ctx.G, demand, ctx.sites, mode="drive")
        walk = planning.travel_matrix(ctx.G, demand, ctx.sites, mode="walk")
        return drive, walk

    ours, (drive, walk) = _median_seconds(both, ctx.repeats)
    unreachable = int((drive >= geo.UNREACHABLE).sum() + (walk >= geo.UNREACHABLE).sum())
    return Row(
        case="access",
        size=f"{len(demand)} nodes × {len(ctx.sites)} sites × 2 modes",
        ours_s=round(ours, 4),
        target_s=TARGET_ACCESS_S,
        anchor_s=round(_naive_seconds(ctx, demand, ctx.naive_pairs), 2),
        anchor=f"networkx, one Dijkstra per pair ({ctx.naive_pairs} pairs/mode, scaled)",
        note=f"{unreachable} unreachable pairs",
    )


def case_access_hexagons(ctx: Context) -> Row:
    demand = planning.district_demand(ctx.G, ctx.beilin_dir, points="hexagons", seed=ctx.seed)

    def both() -> None:
        for mode in ("drive", "walk"):
            planning.travel_matrix(ctx.G, demand, ctx.sites, mode=mode)  # type: ignore[arg-type]

    ours, _ = _median_seconds(both, ctx.repeats)
    return Row(
        "access-hexagons",
        f"{len(demand)} hexagons × {len(ctx.sites)} sites × 2 modes",
        round(ours, 4),
        TARGET_ACCESS_S,
        None,
        "",
        "hexagon centres snapped to their street",
    )


def case_accessibility(ctx: Context) -> Row:
    demand = planning.district_demand(ctx.G, ctx.beilin_dir)
    ours, frame = _median_seconds(
        lambda: planning.accessibility(ctx.G, demand, ctx.sites), ctx.repeats
    )
    walk = frame.loc[frame["walk_within"], "population"].sum() / frame["population"].sum()
    return Row(
        "accessibility",
        f"{len(demand)} nodes × {len(ctx.sites)} sites",
        round(ours, 4),
        None,
        None,
        "",
        f"{walk:.1%} of residents within a 15-minute walk",
    )


def case_isochrones(ctx: Context) -> Row:
    ours, iso = _median_seconds(
        lambda: planning.isochrones(ctx.G, ctx.sites, [15 * 60], mode="walk"), ctx.repeats
    )
    return Row(
        "isochrones",
        f"{len(ctx.sites)} sites × 1 cutoff, walk",
        round(ours, 4),
        None,
        None,
        "",
        f"median area {iso['area_km2'].median():.2f} km²",
    )


def case_pmed_matrix(ctx: Context) -> Row:
    rng = np.random.default_rng(ctx.seed)
    nodes = list(ctx.G.nodes)
    chosen = [nodes[i] for i in rng.choice(len(nodes), size=2000, replace=False)]
    demand = [(f"n{n}", ctx.G.nodes[n]["x"], ctx.G.nodes[n]["y"]) for n in chosen]
    west, south, east, north = geo.edge_index(ctx.G).bbox
    lon = rng.uniform(west + 0.01, east - 0.01, 100)
    lat = rng.uniform(south + 0.01, north - 0.01, 100)
    snapped = geo.snap_points(ctx.G, np.column_stack([lon, lat]), max_distance=1e9)
    candidates = [(f"c{i}", p.lon, p.lat) for i, p in enumerate(snapped) if p.distance_m < 300]
    ours, _ = _median_seconds(
        lambda: planning.travel_matrix(ctx.G, demand, candidates, mode="drive"), ctx.repeats
    )
    return Row(
        "pmed-matrix",
        f"{len(demand)} nodes × {len(candidates)} candidates, drive",
        round(ours, 4),
        None,
        None,
        "",
        "for the p-median case (planning.location)",
    )


def case_month(ctx: Context) -> Row:
    network = month_network(ctx.G, ctx.beilin_dir)
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    shifts = (("08:30-17:30", None), ("08:30-12:30", MORNING_ROUND), ("08:30-11:00", SHORT_ROUND))
    for shift_name, shift in shifts:
        for fleet in ctx.fleets:
            began = time.perf_counter()
            report = simulate_month(
                network, days=ctx.days, scale=ctx.scale, fleet=fleet, shift=shift, seed=ctx.seed
            )
            total = report.summary()
            met = bool(
                total["holds_next_open_day"] >= TARGET_HOLDS_NEXT_DAY
                and total["transfer_h_median"] < TARGET_MEDIAN_H
            )
            rows.append(
                {
                    "shift": shift_name,
                    "fleet": fleet,
                    "vans_needed": int(total["vans_needed"]),
                    "km": float(total["km"]),
                    "van_hours": float(total["van_hours"]),
                    "items_moved": int(total["items_moved"]),
                    "crates_per_stop": float(total["crates_per_stop"]),
                    "holds": int(total["holds"]),
                    "holds_next_open_day": float(total["holds_next_open_day"]),
                    "holds_by_deadline": float(total["holds_by_deadline"]),
                    "transfer_h_median": float(total["transfer_h_median"]),
                    "transfer_h_p90": float(total["transfer_h_p90"]),
                    "median_h_hold": float(total.get("transfer_h_median_hold", float("nan"))),
                    "median_h_return_home": float(
                        total.get("transfer_h_median_return_home", float("nan"))
                    ),
                    "median_h_new_stock": float(
                        total.get("transfer_h_median_new_stock", float("nan"))
                    ),
                    "open_at_end": int(total["open_at_end"]),
                    "met": met,
                    "seconds": round(time.perf_counter() - began, 1),
                }
            )
    ctx.tables["month"] = rows
    winners = [r for r in rows if r["met"]]
    best = min(winners, key=lambda r: (r["fleet"], r["van_hours"])) if winners else None
    note = (
        f"met by fleet {best['fleet']} on a {best['shift']} shift: "
        f"{best['holds_next_open_day']:.1%} holds next open day, median "
        f"{best['transfer_h_median']:.1f} h"
        if best
        else "not met by any fleet tried (see the table)"
    )
    return Row(
        "month",
        f"{ctx.days} days × scale {ctx.scale:g} × {len(rows)} runs",
        round(time.perf_counter() - started, 1),
        None,
        None,
        "",
        note,
        goal_met=best is not None,
    )


def sweep_scenarios(ctx: Context) -> list[Scenario]:
    """The 32 scenarios: fleet 1–4 × demo or long hours × four new-site options."""
    existing = [(s[0], s[1], s[2]) for s in ctx.sites]
    options = new_site_options(
        ctx.G, ctx.beilin_dir, existing, k=1, models=("p_median", "max_covering", "p_center")
    )
    sites = [(), *(choice.sites for choice in options.values())]
    return [
        Scenario(
            fleet=fleet,
            hours=hours,
            new_sites=new,
            days=ctx.sweep_days,
            scale=ctx.scale,
            seed=ctx.seed,
        )
        for fleet in (1, 2, 3, 4)
        for hours in ("demo", "long")
        for new in sites
    ]


def _spin(n: int) -> int:
    """A fixed amount of CPU work touching little memory."""
    total = 0
    for i in range(n):
        total = (total + i * i) % 1_000_003
    return total


def parallel_ceiling(workers: int = 2, n: int = 20_000_000, repeats: int = 3) -> float:
    """How much faster ``workers`` processes do ``workers`` equal pieces of CPU work than one
    process does them in turn (the median of ``repeats``): 2.0 on two free cores."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    ratios = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(workers):
            _spin(n)
        alone = time.perf_counter() - started
        started = time.perf_counter()
        children = [context.Process(target=_spin, args=(n,)) for _ in range(workers)]
        for child in children:
            child.start()
        for child in children:
            child.join()
        ratios.append(alone / (time.perf_counter() - started))
    return statistics.median(ratios)


def _run_scenario(scenario: Scenario, beilin_dir: str) -> None:
    planning.run_scenario(scenario, beilin_dir)


def workload_ceiling(scenario: Scenario, beilin_dir: str | Path, workers: int = 2) -> float:
    """The same ceiling measured with the sweep's own work: ``scenario`` run ``workers``
    times in turn in this process, then once in each of ``workers`` processes at once
    (forked after a first run here, so every process starts warm). A month touches far
    more memory than the loop (SQLite, OR-Tools' model, the street graph), which processes
    side by side share."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    folder = str(beilin_dir)
    _run_scenario(scenario, folder)  # warm: imports, the graph and the network cached
    started = time.perf_counter()
    for _ in range(workers):
        _run_scenario(scenario, folder)
    alone = time.perf_counter() - started
    started = time.perf_counter()
    children = [
        context.Process(target=_run_scenario, args=(scenario, folder)) for _ in range(workers)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join()
    return alone / (time.perf_counter() - started)


def case_sweep(ctx: Context) -> Row:
    scenarios = sweep_scenarios(ctx)
    ceiling = parallel_ceiling(ctx.workers or os.cpu_count() or 1)
    own = workload_ceiling(scenarios[0], ctx.beilin_dir, ctx.workers or os.cpu_count() or 1)
    timing = timed_sweeps(scenarios, ctx.beilin_dir, scheduler=ctx.scheduler, workers=ctx.workers)
    ctx.tables["sweep"] = [
        {
            "scenarios": timing.scenarios,
            "workers": timing.workers,
            "where": ctx.scheduler or "LocalCluster (processes)",
            "serial_s": timing.serial_s,
            "dask_s": timing.dask_s,
            "speedup": round(timing.speedup, 2),
            "machine_ceiling": round(ceiling, 2),
            "workload_ceiling": round(own, 2),
            "identical": timing.identical,
        }
    ]
    return Row(
        "sweep",
        f"{timing.scenarios} scenarios × {ctx.sweep_days} days × scale {ctx.scale:g}, "
        f"{timing.workers} workers",
        timing.dask_s,
        None,
        timing.serial_s,
        "serial, one process",
        f"identical: {'yes' if timing.identical else 'NO'}; speed-up "
        f"{timing.speedup:.2f}× (target ≥ {TARGET_SPEEDUP}×; the machine's own ceiling "
        f"{ceiling:.2f}× on a loop, {own:.2f}× on one scenario run twice)",
        goal_met=timing.identical and timing.speedup >= TARGET_SPEEDUP,
    )


#: name -> case. Other parts of issue 11 add theirs here (one function returning a Row).
CASES: dict[str, Callable[[Context], Row]] = {
    "access": case_access,
    "access-hexagons": case_access_hexagons,
    "accessibility": case_accessibility,
    "isochrones": case_isochrones,
    "pmed-matrix": case_pmed_matrix,
    "month": case_month,
    "sweep": case_sweep,
}
DEFAULT_CASES = ["access", "access-hexagons", "accessibility", "isochrones", "pmed-matrix"]
"""The timings; the month and the sweep take minutes and are asked for by name."""


def _fmt(value: object, spec: str = "") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return format(value, spec)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cases", nargs="+", choices=sorted(CASES), default=DEFAULT_CASES)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--naive-pairs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path, default=None, metavar="OUT")
    parser.add_argument(
        "--scale", type=float, default=0.02, help="demand of the month and sweep (1: district)"
    )
    parser.add_argument("--days", type=int, default=30, help="van days of the month")
    parser.add_argument("--fleets", default="1,2,3", help="fleet sizes the month tries")
    parser.add_argument("--sweep-days", type=int, default=5, help="van days of each scenario")
    args = parser.parse_args(argv)

    settings = load_settings()
    data = settings.data
    started = time.perf_counter()
    G = geo.load_beilin_graph(data.beilin_dir)
    print(
        f"Beilin graph: {len(G)} nodes, {G.number_of_edges()} edges, loaded in "
        f"{time.perf_counter() - started:.2f} s (not timed); {os.cpu_count()} CPU cores"
    )
    sites = demo_sites(
        subdistrict_points=data.subdistrict_points_file,
        communities=data.communities_file,
        boundary=data.boundary_file,
    )
    ctx = Context(
        G=G,
        beilin_dir=data.beilin_dir,
        sites=[(s.id, s.lon, s.lat) for s in sites],
        repeats=args.repeats,
        naive_pairs=args.naive_pairs,
        seed=args.seed,
        scale=args.scale,
        days=args.days,
        fleets=tuple(int(f) for f in args.fleets.split(",")),
        sweep_days=args.sweep_days,
        scheduler=settings.dask.scheduler,
        workers=settings.dask.workers,
    )
    rows = [CASES[name](ctx) for name in args.cases]

    header = (
        f"{'case':<16} {'ours s':>8} {'target s':>9} {'ratio':>6} {'met':>4} {'anchor s':>9}  size"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.case:<16} {r.ours_s:>8.3f} {_fmt(r.target_s, '.1f'):>9} "
            f"{_fmt(r.ratio, '.3f'):>6} {_fmt(r.met):>4} {_fmt(r.anchor_s, '.1f'):>9}  {r.size}"
        )
    for r in rows:
        if r.anchor or r.note:
            print(f"  {r.case}: {'; '.join(x for x in (r.anchor, r.note) if x)}")
    print("ratio = ours / target (or / anchor without a target); median of --repeats runs")
    for name, table in ctx.tables.items():
        print(f"\n{name}:")
        columns = list(table[0])
        print(" | ".join(columns))
        for entry in table:
            print(
                " | ".join(
                    _fmt(entry[c], ".3f" if isinstance(entry[c], float) else "") for c in columns
                )
            )
    if args.json is not None:
        payload = {
            "benchmark": "planning",
            "seed": args.seed,
            "repeats": args.repeats,
            "rows": [{**asdict(r), "ratio": r.ratio, "met": r.met} for r in rows],
            "tables": ctx.tables,
        }
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
