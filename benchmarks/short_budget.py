"""What a short budget plans of a big day: vans used, shipments planned, and why the rest waits.

The day is a problem file as ``shuyun demo --out DIR`` writes it (``DIR/problem.json``: the
demo catalogue's day, some 440 shipments of which about 100 are holds, three vans). Each
budget is solved ``--runs`` times (seeds 0, 1, ...); the anchor is the same day given
``--anchor`` seconds: what more time plans. Reported per budget: the median shipments
planned and their ratio to the anchor's, vans used, the holds left out, the reasons of the
shipments left out (summed over the runs), and the median wall seconds.

Run from the repository root after ``shuyun demo --out out``::

    .venv/bin/python -m benchmarks.short_budget --problem out/problem.json --budgets 5,10 --json OUT
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from dispatch.problem_json import ProblemInputError, problem_from_dict
from optimizer import Problem, solve


@dataclass(frozen=True)
class Row:
    budget: float
    runs: int
    planned: float  # median shipments planned
    vans: float  # median vans used
    holds_left: float  # median holds left out
    seconds: float  # median wall seconds
    reasons: dict[str, int] = field(default_factory=dict)  # summed over the runs


def measure(problem: Problem, budget: float, runs: int) -> Row:
    planned, vans, holds, seconds = [], [], [], []
    reasons: collections.Counter[str] = collections.Counter()
    hold_ids = {s.id for s in problem.shipments if not s.deferrable}
    for seed in range(runs):
        began = time.perf_counter()
        result = solve(problem, time_limit=budget, seed=seed)
        seconds.append(time.perf_counter() - began)
        planned.append(result.summary.planned)
        vans.append(result.summary.vans_used)
        holds.append(sum(1 for u in result.unassigned if u.shipment in hold_ids))
        reasons.update(u.reason.value for u in result.unassigned)
    return Row(
        budget,
        runs,
        statistics.median(planned),
        statistics.median(vans),
        statistics.median(holds),
        round(statistics.median(seconds), 2),
        dict(reasons),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", type=Path, default=Path("out/problem.json"))
    parser.add_argument("--budgets", default="5,10")
    parser.add_argument("--anchor", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, dest="out")
    args = parser.parse_args(argv)
    if not args.problem.is_file():
        parser.error(f"--problem {args.problem}: no such file (run `shuyun demo --out out`)")
    try:
        problem = problem_from_dict(json.loads(args.problem.read_text(encoding="utf-8")))
    except (ValueError, ProblemInputError) as exc:
        parser.error(f"--problem {args.problem}: not a problem file: {exc}")
    try:
        budgets = [float(b) for b in args.budgets.split(",") if b]
    except ValueError:
        parser.error(f"--budgets {args.budgets!r}: seconds, comma-separated (e.g. 5,10)")
    if not budgets or any(not b > 0 for b in budgets) or not args.anchor > 0 or args.runs < 1:
        parser.error("--budgets and --anchor must be seconds > 0, --runs at least 1")
    holds = sum(1 for s in problem.shipments if not s.deferrable)
    print(f"{len(problem.shipments)} shipments ({holds} holds), {len(problem.vans)} vans")
    anchor = measure(problem, args.anchor, 1)
    rows = [measure(problem, b, args.runs) for b in budgets]
    print(
        f"{'budget':>6} {'planned':>8} {'anchor':>7} {'ratio':>6} {'vans':>5} "
        f"{'holds out':>9} {'s':>6}  reasons"
    )
    for row in [*rows, anchor]:
        ratio = row.planned / anchor.planned if anchor.planned else float("nan")
        print(
            f"{row.budget:>6g} {row.planned:>8g} {anchor.planned:>7g} {ratio:>6.3f} "
            f"{row.vans:>5g} {row.holds_left:>9g} {row.seconds:>6.2f}  {row.reasons}"
        )
    if args.out:
        args.out.write_text(
            json.dumps({"anchor": asdict(anchor), "rows": [asdict(r) for r in rows]}, indent=2)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
