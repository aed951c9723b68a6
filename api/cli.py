"""The ``shuyun`` command line (中文 / English)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated

import typer

from api.problem_json import ProblemInputError, load_problem, result_to_dict
from api.settings import Settings

app = typer.Typer(
    help="书运 shuyun：碑林区图书馆总分馆物流（调拨、预约、配送线路）。\n\n"
    "shuyun: book logistics for the Beilin District library network.",
    no_args_is_help=True,
    add_completion=False,
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误 error: {message}", err=True)
    return typer.Exit(code=2)


def _clock(value: str, field: str) -> int:
    try:
        hours, minutes = value.split(":")
        seconds = int(hours) * 3600 + int(minutes) * 60
    except ValueError:
        raise _fail(f"{field} 应为 HH:MM / must be HH:MM, got {value!r}") from None
    if not 0 <= seconds < 24 * 3600:
        raise _fail(f"{field} 应在 00:00–23:59 / must be within the day, got {value!r}")
    return seconds


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="输出目录 / output folder")] = Path("out/demo"),
    time_limit: Annotated[
        float, typer.Option(min=1, help="求解时间（秒）/ solver time budget in seconds")
    ] = 20.0,
    seed: Annotated[int, typer.Option(help="随机种子 / seed")] = 7,
    vans: Annotated[int, typer.Option(min=1, max=20, help="车辆数 / number of vans")] = 3,
) -> None:
    """规划演示日并输出线路单。/ Plan a demo day and write its route sheets."""
    from api.demo import run_demo, summary_lines

    report = run_demo(Settings(), out_dir=out, time_limit=time_limit, seed=seed, vans=vans)
    for line in summary_lines(report):
        typer.echo(line)


@app.command()
def solve(
    problem: Annotated[Path, typer.Argument(help="问题 JSON / problem JSON file")],
    output: Annotated[Path, typer.Option("-o", "--output", help="结果 JSON / result JSON file")],
    time_limit: Annotated[float, typer.Option(min=0.1, help="求解时间（秒）/ seconds")] = 10.0,
    seed: Annotated[int, typer.Option(help="随机种子 / seed")] = 0,
) -> None:
    """求解一个 JSON 问题。/ Solve a problem JSON (VROOM-shaped) and write the result JSON."""
    from optimizer import solve as run_solve

    try:
        parsed = load_problem(problem)
    except ProblemInputError as exc:
        raise _fail(str(exc)) from None
    result = run_solve(parsed, time_limit=time_limit, seed=seed)
    output.write_text(json.dumps(result_to_dict(result), ensure_ascii=False, indent=1), "utf-8")
    s = result.summary
    typer.echo(
        f"用车 vans {s.vans_used}，里程 {s.distance / 1000:.1f} km，"
        f"已安排 planned {s.planned}，未安排 unassigned {s.unassigned} → {output}"
    )


@app.command()
def matrix(
    sites: Annotated[Path, typer.Argument(help="站点 CSV：id,lon,lat[,name] / sites CSV")],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="输出 JSON / output JSON (default: stdout)"),
    ] = None,
    gcj02: Annotated[
        bool, typer.Option("--gcj02", help="输入坐标为 GCJ-02 / input is GCJ-02 (Chinese web maps)")
    ] = False,
    depart_at: Annotated[str | None, typer.Option(help="出发时刻 HH:MM / departure time")] = None,
    max_snap: Annotated[
        float, typer.Option(min=1, help="最大吸附距离（米）/ max snap metres")
    ] = 300.0,
) -> None:
    """计算站点间行车时间与距离矩阵。/ Travel-time (s) and distance (m) matrices between sites."""
    import geo
    from api.network import site_network

    ids, points = _read_sites_csv(sites, gcj02=gcj02)
    depart = _clock(depart_at, "--depart-at") if depart_at else None
    graph = geo.load_beilin_graph(Settings().data_dir)
    try:
        net = site_network(graph, ids, points, depart_at=depart, max_distance=max_snap)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    payload = {
        "ids": ids,
        "units": {"durations": "s", "distances": "m"},
        "durations": net.durations.tolist(),
        "distances": net.distances.tolist(),
        "credit": "© OpenStreetMap contributors (ODbL)",
    }
    text = json.dumps(payload, ensure_ascii=False)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"{len(ids)}×{len(ids)} → {output}")


def _read_sites_csv(path: Path, *, gcj02: bool) -> tuple[list[str], list[tuple[float, float]]]:
    import geo

    if not path.exists():
        raise _fail(f"SITES: 文件不存在 / file not found: {path}")
    ids: list[str] = []
    points: list[tuple[float, float]] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"id", "lon", "lat"} - set(reader.fieldnames or [])
        if missing:
            raise _fail(f"SITES: 缺少列 / missing columns {sorted(missing)} in {path}")
        for line, row in enumerate(reader, start=2):
            try:
                lon, lat = float(row["lon"]), float(row["lat"])
            except ValueError:
                raise _fail(
                    f"SITES 第 {line} 行 / line {line}: lon/lat 不是数字 / not numbers: "
                    f"lon={row['lon']!r}, lat={row['lat']!r}"
                ) from None
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise _fail(f"SITES line {line}: lon/lat out of range: ({lon}, {lat})")
            if not row["id"]:
                raise _fail(f"SITES line {line}: id 为空 / id is empty")
            if row["id"] in ids:
                raise _fail(f"SITES line {line}: 重复 id / duplicate id {row['id']!r}")
            if gcj02:
                wgs_lon, wgs_lat = geo.gcj02_to_wgs84(lon, lat)
                lon, lat = float(wgs_lon), float(wgs_lat)
            ids.append(row["id"])
            points.append((lon, lat))
    if not ids:
        raise _fail(f"SITES: 没有站点 / no sites in {path}")
    return ids, points


if __name__ == "__main__":  # pragma: no cover
    app()
