"""``shuyun demo``: plan a demo day on the real Beilin street network and write route sheets."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import geo
from api.demo_day import build_problem, demo_vans, generated_shipments
from api.demo_sites import DemoSite, demo_sites
from api.network import site_network
from api.problem_json import problem_to_dict, result_to_dict
from api.route_sheets import SiteInfo, write_route_sheets
from api.settings import Settings
from optimizer import Problem, Result, solve


@dataclass(frozen=True)
class DemoReport:
    problem: Problem
    result: Result
    sheets: list[Path]
    timings: dict[str, float]
    sites: list[DemoSite]


def run_demo(
    settings: Settings,
    *,
    out_dir: Path,
    time_limit: float = 20.0,
    seed: int = 7,
    vans: int = 3,
    service_points: int = 30,
    shipments: int = 150,
) -> DemoReport:
    """Build the demo day, plan it, and write the problem, the result and the route sheets."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    graph = geo.load_beilin_graph(settings.data_dir)
    timings["load_graph"] = time.perf_counter() - t0

    sites = demo_sites(
        subdistrict_points=settings.subdistrict_points_file,
        communities=settings.communities_file,
        boundary=settings.boundary_file,
        service_points=service_points,
        seed=seed,
    )
    t0 = time.perf_counter()
    net = site_network(
        graph, [s.id for s in sites], [(s.lon, s.lat) for s in sites], depart_at=8 * 3600 + 1800
    )
    timings["matrix"] = time.perf_counter() - t0

    problem = build_problem(
        sites,
        net.durations.tolist(),
        net.distances.tolist(),
        demo_vans(count=vans),
        generated_shipments(sites, count=shipments, seed=seed),
    )
    t0 = time.perf_counter()
    result = solve(problem, time_limit=time_limit, seed=seed)
    timings["solve"] = time.perf_counter() - t0

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "problem.json").write_text(
        json.dumps(problem_to_dict(problem), ensure_ascii=False), encoding="utf-8"
    )
    (out_dir / "result.json").write_text(
        json.dumps(result_to_dict(result), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    infos = {s.id: SiteInfo(s.id, s.label_zh, s.name_en, s.kind, s.lon, s.lat) for s in sites}
    t0 = time.perf_counter()
    tomorrow = date.today() + timedelta(days=1)
    sheets = write_route_sheets(
        result,
        sites=infos,
        shipments={s.id: s for s in problem.shipments},
        leg=net.leg,
        out_dir=out_dir,
        day_label=f"{tomorrow.isoformat()}（演示 demo）",
    )
    timings["route_sheets"] = time.perf_counter() - t0
    return DemoReport(problem, result, sheets, timings, sites)


def summary_lines(report: DemoReport) -> list[str]:
    """The short bilingual summary printed by ``shuyun demo``."""
    s = report.result.summary
    kinds = Counter(sh.kind.value for sh in report.problem.shipments)
    reasons = Counter(u.reason.value for u in report.result.unassigned)
    lines = [
        "书运 shuyun 演示日 / demo day (演示数据 demo data; © OpenStreetMap contributors)",
        f"站点 sites: {len(report.sites)}；批次 shipments: {len(report.problem.shipments)} "
        + "（"
        + "，".join(f"{k} {v}" for k, v in sorted(kinds.items()))
        + "）",
        f"用车 vans used: {s.vans_used}/{len(report.problem.vans)}；"
        f"里程 distance: {s.distance / 1000:.1f} km；时长 duration: {s.duration / 3600:.1f} h；"
        f"成本 cost: {s.cost:.0f} 元",
        f"已安排 planned: {s.planned}；未安排 not planned: {s.unassigned}"
        + (
            "（" + "，".join(f"{k} {v}" for k, v in sorted(reasons.items())) + "）"
            if reasons
            else ""
        ),
        "耗时 timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in report.timings.items()),
        f"路单 route sheets: {report.sheets[0].parent}/ ({len(report.sheets) - 1} 张 + index.html)",
    ]
    return lines
