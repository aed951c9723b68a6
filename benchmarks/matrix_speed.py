"""Benchmark: time to build N×N travel matrices on the real Beilin street network.

Seeded random points inside the graph's extent are snapped to the nearest street (points
farther than 300 m from any street are redrawn and counted), then ``geo.snap_points`` and
``geo.travel_matrices`` are timed together, as an OSRM ``table`` request also snaps its
coordinates. The median of ``--repeats`` runs is reported.

Anchor: OSRM's table service took about 3 s for a 1000×1000 matrix (a user's report on a
2-core iMac, Project-OSRM/osrm-backend issue #2956, 2016). Our targets: 100 sites under
1 s, 1000 sites under 5 s on this 2-core machine. No published anchor at 100: "n/a".

Usage::

    .venv/bin/python benchmarks/matrix_speed.py [--sizes 100 1000] [--repeats 5] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

import geo
from settings import load_settings

ANCHOR_S = {1000: 3.0}  # OSRM table 1000×1000, osrm-backend issue #2956
TARGET_S = {100: 1.0, 1000: 5.0}
MAX_DISTANCE_M = 300.0


def random_sites(G, index: geo.EdgeIndex, n: int, seed: int) -> tuple[np.ndarray, int]:
    """``n`` seeded [lon, lat] points in the graph's extent within 300 m of a street."""
    rng = np.random.default_rng(seed)
    west, south, east, north = index.bbox
    kept: list[np.ndarray] = []
    redrawn = 0
    while sum(len(k) for k in kept) < n:
        pts = np.column_stack([rng.uniform(west, east, n), rng.uniform(south, north, n)])
        snapped = geo.snap_points(G, pts, max_distance=1e9, index=index)
        near = np.array([p.distance_m <= MAX_DISTANCE_M for p in snapped])
        redrawn += int((~near).sum())
        kept.append(pts[near])
    return np.concatenate(kept)[:n], redrawn


def run(sizes: list[int], repeats: int, seed: int, *, beilin_dir: Path) -> list[dict[str, object]]:
    t0 = time.perf_counter()
    G = geo.load_beilin_graph(beilin_dir)
    index = geo.edge_index(G)
    load_s = time.perf_counter() - t0
    print(
        f"Beilin graph: {len(G)} nodes, {G.number_of_edges()} edges, "
        f"loaded in {load_s:.2f} s (not timed below); {os.cpu_count()} CPU cores"
    )
    rows: list[dict[str, object]] = []
    for n in sizes:
        pts, redrawn = random_sites(G, index, n, seed)
        names = [f"s{i}" for i in range(n)]
        totals, snaps, matrices = [], [], []
        for _ in range(repeats):
            t1 = time.perf_counter()
            sites = geo.snap_points(G, pts, names=names, index=index)
            t2 = time.perf_counter()
            seconds, _ = geo.travel_matrices(G, sites)
            t3 = time.perf_counter()
            snaps.append(t2 - t1)
            matrices.append(t3 - t2)
            totals.append(t3 - t1)
        ours = statistics.median(totals)
        anchor = ANCHOR_S.get(n)
        target = TARGET_S.get(n)
        rows.append(
            {
                "n": n,
                "ours_s": round(ours, 4),
                "snap_s": round(statistics.median(snaps), 4),
                "matrix_s": round(statistics.median(matrices), 4),
                "anchor_s": anchor,
                "ratio": round(ours / anchor, 3) if anchor else None,
                "target_s": target,
                "target_met": (ours < target) if target else None,
                "repeats": repeats,
                "redrawn_points": redrawn,
                "unreachable_pairs": int((seconds >= geo.UNREACHABLE).sum()),
            }
        )
    return rows


def _fmt(value: object, spec: str = "") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return format(value, spec)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path, default=None, help="write the rows as JSON here")
    args = parser.parse_args(argv)
    rows = run(args.sizes, args.repeats, args.seed, beilin_dir=load_settings().data.beilin_dir)
    header = (
        f"{'N':>6} {'ours s':>8} {'(snap':>7} {'matrix)':>8} {'anchor s':>9} "
        f"{'ratio':>6} {'target s':>9} {'met':>4}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['n']:>6} {_fmt(r['ours_s'], '.3f'):>8} {_fmt(r['snap_s'], '.3f'):>7} "
            f"{_fmt(r['matrix_s'], '.3f'):>8} {_fmt(r['anchor_s'], '.1f'):>9} "
            f"{_fmt(r['ratio'], '.2f'):>6} {_fmt(r['target_s'], '.1f'):>9} "
            f"{_fmt(r['target_met']):>4}"
        )
    print(
        "anchor: OSRM table 1000×1000 ≈ 3 s (osrm-backend issue #2956); "
        "ratio = ours / anchor; median of --repeats runs, snapping included"
    )
    if args.json is not None:
        args.json.write_text(
            json.dumps({"benchmark": "matrix_speed", "seed": args.seed, "rows": rows}, indent=2)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
