"""The ``shuyun`` command line (中文 / English)."""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from api.problem_json import load_problem, result_to_dict
from dispatch.problem_json import ProblemInputError
from settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    import networkx as nx
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session

    from catalog.record_import import ImportReport

app = typer.Typer(
    help="书运 shuyun：碑林区图书馆总分馆物流（调拨、预约、配送线路）。\n\n"
    "shuyun: book logistics for the Beilin District library network.",
    no_args_is_help=True,
    add_completion=False,
    # Paragraphs rewrapped to the terminal: docstrings' line breaks are not kept.
    rich_markup_mode="markdown",
)


MAX_TIME_LIMIT = 86_400.0
"""Longest solver budget ``shuyun solve`` passes on (a day, in seconds): a longer
``--time-limit`` is accepted and capped, with a note."""

_T = TypeVar("_T")

SEED_MAX = 2**32 - 1
"""Largest ``--seed`` (PyVRP's random generator takes a uint32)."""

SERVE_STARTUP_SECONDS = 60
"""How long ``shuyun serve`` lets each of its server processes take to start."""


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误 error: {message}", err=True)
    return typer.Exit(code=2)


def _clock(value: str, field: str) -> int:
    try:
        hours, minutes = (int(part) for part in value.split(":"))
    except ValueError:
        raise _fail(f"{field} 应为 HH:MM / must be HH:MM, got {value!r}") from None
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise _fail(f"{field} 应在 00:00–23:59 / must be within the day, got {value!r}")
    return hours * 3600 + minutes * 60


def _day(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        message = f"{field} 应为 YYYY-MM-DD 日期 / must be a date YYYY-MM-DD, got {value!r}"
        raise _fail(message) from None


def _positive_seconds(value: float, field: str) -> float:
    # Checked by hand rather than with typer's ``min=`` so that the message is bilingual
    # and names the value (typer's own says neither).
    if not (math.isfinite(value) and value > 0):
        raise _fail(f"{field} 必须为正数（秒）/ must be a positive number of seconds, got {value}")
    return value


def _writable(path: Path, field: str) -> Path:
    # Checked before a long solve, not after it: a file can be created in the folder
    # (the way ``_write_atomic`` will), and an existing file may be written.
    if path.is_dir():
        raise _fail(f"{field}: 是一个目录 / is a folder, expected a file: {path}")
    if not path.parent.is_dir():
        raise _fail(f"{field}: 目录不存在 / folder does not exist: {path.parent}")
    if path.exists() and not os.access(path, os.W_OK):
        raise _fail(f"{field}: 文件不可写 / file is not writable: {path}")
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"):
            pass
    except OSError as exc:
        raise _fail(
            f"{field}: 无法在目录中写入 / cannot write in {path.parent}: {exc.strerror}"
        ) from None
    return path


def _write_atomic(path: Path, text: str, field: str) -> None:
    """Write ``text`` to a temporary file next to ``path``, then rename it over ``path``:
    a reader never sees half a file, and a failed write leaves the old file as it was."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)  # our own temporary file
        raise _fail(f"{field}: 无法写入 / cannot write {path}: {exc.strerror}") from None


def _beilin_graph(settings: Settings) -> nx.MultiDiGraph:
    import geo

    try:
        return geo.load_beilin_graph(settings.data.beilin_dir)
    except (SettingsError, geo.GraphDataError) as exc:
        raise _fail(str(exc)) from None


@app.callback()
def _start(ctx: typer.Context) -> None:
    # The one settings object, built once from the SHUYUN_ variables and passed down.
    try:
        ctx.obj = load_settings()
    except SettingsError as exc:
        raise _fail(str(exc)) from None


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.find_root().obj
    assert isinstance(settings, Settings)  # set by _start for every command
    return settings


@app.command(short_help="建立演示日、规划并运行服务 / build, plan and serve the demo")
def demo(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="路单输出目录 / route sheets folder")] = Path(
        "out/demo"
    ),
    time_limit: Annotated[
        float, typer.Option(help="求解时间（秒）/ solver time budget in seconds")
    ] = 20.0,
    seed: Annotated[int, typer.Option(help="随机种子 / seed")] = 7,
    vans: Annotated[int, typer.Option(help="车辆数 1–20 / number of vans, 1–20")] = 3,
    reset: Annotated[
        bool,
        typer.Option(
            "--reset",
            help="先删除数据库中 shuyun 各表的全部数据（先列出条数）/ first remove every row of "
            "shuyun's tables from SHUYUN_DATABASE_URL (listed, per table, before)",
        ),
    ] = False,
    serve_api: Annotated[
        bool,
        typer.Option(
            "--serve/--no-serve",
            help="完成后运行服务直到 Ctrl-C / then serve the API until Ctrl-C "
            "(--no-serve: build, plan and write only)",
        ),
    ] = True,
    host: Annotated[str, typer.Option(help="监听地址 / address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口 / port, 1–65535")] = 8000,
    scale: Annotated[
        float,
        typer.Option(
            help="演示馆藏与流通规模（1 = 全区）/ size of the demo catalogue and day (1: the "
            "district), 0.01–1"
        ),
    ] = 1.0,
    service_points: Annotated[
        int, typer.Option(help="服务点数 0–30 / number of service points, 0–30")
    ] = 30,
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="出车日 YYYY-MM-DD（默认：馆内时间的明天）/ the van day, YYYY-MM-DD "
            "(default: tomorrow on the library's clock, Asia/Shanghai)",
        ),
    ] = None,
) -> None:
    """建立演示日、规划、输出路单，并以演示账户运行服务。/ Build the demo day into
    SHUYUN_DATABASE_URL, plan it, write the route sheets, make one demo account per role
    (passwords shown once) and serve the API until Ctrl-C.

    数据库须为空；--reset 先列出并删除 shuyun 各表的数据（不删除任何文件）。/ The database must
    hold no shuyun data; --reset first lists and removes the rows of shuyun's tables (no file
    is deleted). Without SHUYUN_AUTH__SECRET_KEY the served demo signs with a key of its own.
    """
    _positive_seconds(time_limit, "--time-limit")
    van_day = _day(day, "--date")
    if not 1 <= vans <= 20:
        raise _fail(f"--vans 应在 1–20 之间 / must be within 1–20, got {vans}")
    if not (math.isfinite(scale) and 0.01 <= scale <= 1):
        raise _fail(f"--scale 应在 0.01–1 之间 / must be within 0.01–1, got {scale}")
    if not 0 <= service_points <= 30:
        raise _fail(f"--service-points 应在 0–30 之间 / must be within 0–30, got {service_points}")
    settings = _settings(ctx)
    if serve_api:
        _check_port(host, port)
        settings = _with_demo_key(settings)
    from sqlalchemy.exc import SQLAlchemyError

    from api.demo import DatabaseNotEmptyError, account_lines, run_demo, summary_lines

    if reset:
        _reset_database(settings.database.url)
    try:
        report = run_demo(
            settings,
            out_dir=out,
            time_limit=time_limit,
            seed=seed,
            vans=vans,
            service_points=service_points,
            scale=scale,
            day=van_day,
        )
    except (SettingsError, DatabaseNotEmptyError) as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:  # unreachable, or gone mid-run: a message, not a traceback
        raise _database_failure(exc, settings.database.url) from None
    for line in [*summary_lines(report), *account_lines(report)]:
        typer.echo(line)
    if serve_api:
        _serve_demo(settings, host=host, port=port)


def _check_port(host: str, port: int) -> None:
    """Refuse a port out of range or already taken before the demo's long build."""
    import socket

    if not 1 <= port <= 65535:
        raise _fail(f"--port 应在 1–65535 之间 / must be within 1–65535, got {port}")
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise _fail(
            f"--host {host} --port {port}: 无法监听 / cannot listen there: {exc.strerror or exc}"
        ) from None


def _with_demo_key(settings: Settings) -> Settings:
    """The settings with a signing key: the configured one, or one made for this run."""
    import secrets

    from pydantic import SecretStr

    from api.security import secret_key

    if settings.auth.secret_key is None:
        auth = settings.auth.model_copy(update={"secret_key": SecretStr(secrets.token_urlsafe(48))})
        typer.echo(
            "注意 note: 未设置 SHUYUN_AUTH__SECRET_KEY，本次演示自行生成签名密钥，"
            "令牌随本次运行失效 / SHUYUN_AUTH__SECRET_KEY is unset: this demo run signs with "
            "a key of its own (sign-ins end with the run)"
        )
        settings = settings.model_copy(update={"auth": auth})
    try:
        secret_key(settings.auth)
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    return settings


def _reset_database(url: str) -> None:
    """``demo --reset``: list the rows of shuyun's tables, then remove them."""
    from sqlalchemy.exc import SQLAlchemyError

    from api.demo import format_rows, remove_shuyun_rows, shown_url, shuyun_rows
    from catalog.db import create_engine, upgrade

    engine = create_engine(url)
    try:
        upgrade(engine)
        rows = shuyun_rows(engine)
        typer.echo(
            f"--reset: 将删除 / removing from {shown_url(url)}: {format_rows(rows)} "
            "（表与其他数据保留 / the tables and anything not shuyun's stay）"
        )
        removed = remove_shuyun_rows(engine)
    except SQLAlchemyError as exc:
        raise _database_failure(exc, url) from None
    finally:
        engine.dispose()
    typer.echo(f"--reset: 已删除 / removed {sum(removed.values())} rows")


def _database_failure(exc: SQLAlchemyError, url: str) -> typer.Exit:
    from api.demo import shown_url

    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    return _fail(f"数据库不可用 / database unavailable ({shown_url(url)}): {reason}")


def _serve_demo(settings: Settings, *, host: str, port: int) -> None:
    """Serve the demo database until Ctrl-C: one server process (the settings, with the
    demo's key, go in as they are) and its plan workers, as ``shuyun serve`` runs them, so
    that a dispatcher's "plan" in the demo's console is solved."""
    import uvicorn

    from api.app import create_app
    from api.workers import WorkerProcesses

    typer.echo(
        f"服务 serving: http://{host}:{port}（文档 OpenAPI /docs，登录 sign in POST /auth/token）"
        "；Ctrl-C 停止 / to stop"
    )
    # The workers read the same SHUYUN_ variables; they sign no tokens, so the demo's own
    # key need not reach them.
    planners = WorkerProcesses(settings.solver.workers)
    planners.start()
    try:
        # uvicorn stops gracefully on Ctrl-C, then raises the signal again for its caller.
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
    finally:
        planners.stop()
    typer.echo("已停止 / stopped")


@app.command(short_help="求解一个 JSON 问题 / solve a problem JSON file")
def solve(
    ctx: typer.Context,
    problem: Annotated[Path, typer.Argument(help="问题 JSON / problem JSON file")],
    output: Annotated[Path, typer.Option("-o", "--output", help="结果 JSON / result JSON file")],
    time_limit: Annotated[
        float | None,
        typer.Option(
            help="求解时间（秒，> 0；默认 SHUYUN_SOLVER__TIME_LIMIT 或 10）/ solver time budget "
            "in seconds (> 0; default SHUYUN_SOLVER__TIME_LIMIT or 10)"
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            help="随机种子（0–4294967295，默认 SHUYUN_SOLVER__SEED 或 0）/ seed "
            "(0–4294967295; default: SHUYUN_SOLVER__SEED or 0)"
        ),
    ] = None,
    vroom: Annotated[
        bool,
        typer.Option(
            "--vroom",
            help="读写 VROOM 本身的 JSON 格式 / read and write VROOM's own JSON format "
            "(jobs, shipments, vehicles; code, summary, routes)",
        ),
    ] = False,
    plan: Annotated[
        bool,
        typer.Option(
            "-c",
            "--plan",
            help="与 --vroom 同用：计划模式，只为各车辆 steps 中的线路选择时刻（VROOM 的 -c）/ "
            "with --vroom: plan mode, choose the times of the vehicles' steps only (VROOM's -c)",
        ),
    ] = False,
) -> None:
    """求解一个 JSON 问题。/ Solve a problem JSON (VROOM-shaped) and write the result JSON.

    每批调拨或在某条线路中，或在 unassigned 中并注明原因。/ Every shipment is either in a
    route or in ``unassigned`` with its reason. 加 --vroom 则读写 VROOM
    的格式（无矩阵时按碑林路网计算）。/ With --vroom, the file is a VROOM request and the
    result VROOM's answer (locations without a matrix are routed on the Beilin network).
    """
    from optimizer import solve as run_solve

    solver = _settings(ctx).solver
    time_limit = _positive_seconds(
        solver.time_limit if time_limit is None else time_limit, "--time-limit"
    )
    seed = solver.seed if seed is None else seed
    if not 0 <= seed <= SEED_MAX:
        raise _fail(f"--seed 应在 0–{SEED_MAX} 之间 / must be within 0–{SEED_MAX}, got {seed}")
    _writable(output, "-o/--output")
    if plan and not vroom:
        raise _fail("-c/--plan: 只用于 --vroom / only with --vroom (VROOM's plan mode)")
    if vroom:
        _solve_vroom(ctx, problem, output, time_limit=time_limit, seed=seed, plan=plan)
        return
    try:
        parsed = load_problem(problem)
    except ProblemInputError as exc:
        raise _fail(str(exc)) from None
    time_limit = _capped(time_limit)
    result = run_solve(parsed, time_limit=time_limit, seed=seed)
    text = json.dumps(result_to_dict(result), ensure_ascii=False, indent=1)
    _write_atomic(output, text, "-o/--output")
    s = result.summary
    typer.echo(
        f"用车 vans {s.vans_used}，里程 {s.distance / 1000:.1f} km，"
        f"已安排 planned {s.planned}，未安排 unassigned {s.unassigned} → {output}"
    )


def _capped(time_limit: float) -> float:
    if time_limit > MAX_TIME_LIMIT:
        typer.echo(
            f"注意 note: --time-limit {time_limit:g} 秒超过上限，按 {MAX_TIME_LIMIT:g} 秒求解 / "
            f"is over the maximum: solving for {MAX_TIME_LIMIT:g} s",
            err=True,
        )
        return MAX_TIME_LIMIT
    return time_limit


def _solve_vroom(
    ctx: typer.Context, problem: Path, output: Path, *, time_limit: float, seed: int, plan: bool
) -> None:
    """``solve --vroom``: VROOM's request in, VROOM's answer out (also when it is an error,
    as VROOM writes it); exit code 2 for an input error, 1 for any other. ``plan``: as
    VROOM's ``-c``, the request's ``options.c`` set."""
    from api.vroom_json import (
        VroomInputError,
        load_vroom_request,
        needs_network,
        solve_vroom_request,
    )

    try:
        payload = load_vroom_request(problem)
    except VroomInputError as exc:
        raise _fail(str(exc)) from None
    if plan and isinstance(payload.setdefault("options", {}), dict):
        payload["options"]["c"] = True
    graph = _beilin_graph(_settings(ctx)) if needs_network(payload) else None
    answer = solve_vroom_request(payload, time_limit=_capped(time_limit), seed=seed, graph=graph)
    _write_atomic(output, json.dumps(answer, ensure_ascii=False, indent=1), "-o/--output")
    if answer["code"] != 0:
        typer.echo(f"错误 error: (VROOM code {answer['code']}) {answer['error']}", err=True)
        raise typer.Exit(code=2 if answer["code"] == 2 else 1)
    s = answer["summary"]
    tasks = sum(
        1 for r in answer["routes"] for st in r["steps"] if "id" in st and st["type"] != "break"
    )
    distance = f"，里程 {s['distance'] / 1000:.1f} km" if "distance" in s else ""
    typer.echo(
        f"用车 vans {s['routes']}{distance}，已安排任务 tasks planned {tasks}，"
        f"未安排 unassigned {s['unassigned']}，成本 cost {s['cost']} → {output}"
    )


@app.command(short_help="站点间行车时间与距离矩阵 / travel-time and distance matrices")
def matrix(
    ctx: typer.Context,
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
        float, typer.Option(help="最大吸附距离（米）/ max snap distance in metres")
    ] = 300.0,
) -> None:
    """计算站点间行车时间与距离矩阵。/ Travel-time (s) and distance (m) matrices between sites.

    坐标为 WGS-84 [经度, 纬度]（或加 --gcj02）；矩阵为整数秒与整数米，可不对称。/
    Coordinates are WGS-84 lon, lat (or GCJ-02 with --gcj02); matrices are integer seconds
    and metres, possibly asymmetric.
    """
    from dispatch import site_network

    if not (math.isfinite(max_snap) and max_snap > 0):
        raise _fail(
            f"--max-snap 必须为正数（米）/ must be a positive number of metres, got {max_snap}"
        )
    if output is not None:
        _writable(output, "-o/--output")
    ids, points = _read_sites_csv(sites, gcj02=gcj02)
    depart = _clock(depart_at, "--depart-at") if depart_at else None
    graph = _beilin_graph(_settings(ctx))
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
    """Read ``id,lon,lat[,name]`` rows; every refusal names the line, the field and the value."""
    import geo

    if not path.is_file():
        raise _fail(f"SITES: 文件不存在 / file not found: {path}")
    ids: list[str] = []
    points: list[tuple[float, float]] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = [c.strip() for c in reader.fieldnames or []]
            reader.fieldnames = columns  # tolerate "id, lon, lat" written by hand
            missing = [c for c in ("id", "lon", "lat") if c not in columns]
            if missing:
                raise _fail(
                    f"SITES: 缺少列 / missing columns {missing} in {path} (found {columns})"
                )
            for row in reader:
                line = reader.line_num
                values = {c: (row.get(c) or "").strip() for c in ("id", "lon", "lat")}
                site_id = values["id"]
                if not site_id:
                    raise _fail(f"SITES 第 {line} 行 / line {line}: id 为空 / id is empty")
                coords: list[float] = []
                for field in ("lon", "lat"):
                    try:
                        coords.append(float(values[field]))
                    except ValueError:
                        raise _fail(
                            f"SITES 第 {line} 行 / line {line} ({site_id}): {field} 不是数字 / "
                            f"is not a number: {values[field]!r}"
                        ) from None
                lon, lat = coords
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):  # also refuses nan
                    raise _fail(
                        f"SITES 第 {line} 行 / line {line} ({site_id}): 经纬度超出范围 / "
                        f"lon, lat out of range: ({lon}, {lat})"
                    )
                if site_id in ids:
                    raise _fail(
                        f"SITES 第 {line} 行 / line {line}: 重复 id / duplicate id {site_id!r}"
                    )
                if gcj02:
                    wgs_lon, wgs_lat = geo.gcj02_to_wgs84(lon, lat)
                    lon, lat = float(wgs_lon), float(wgs_lat)
                ids.append(site_id)
                points.append((lon, lat))
    except UnicodeDecodeError as exc:
        raise _fail(f"SITES: {path} 不是 UTF-8 文本 / is not UTF-8 text: {exc.reason}") from None
    except csv.Error as exc:
        raise _fail(f"SITES: {path} 不是有效的 CSV / is not valid CSV: {exc}") from None
    if not ids:
        raise _fail(f"SITES: 没有站点 / no sites in {path}")
    return ids, points


@app.command("import-records", short_help="导入编目记录 / import catalogue records")
def import_records(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="记录文件 / records file (MARC, MARCXML, CSV)")],
    file_format: Annotated[
        str,
        typer.Option("--format", help="格式 / format: auto|marc21|cnmarc|unimarc|marcxml|csv"),
    ] = "auto",
    encoding: Annotated[
        str,
        typer.Option(help="编码 / encoding: auto|utf-8|marc-8|gbk|cp1251|latin-1"),
    ] = "auto",
) -> None:
    """导入编目记录到 SHUYUN_DATABASE_URL 所指的数据库。/ Import catalogue records.

    MARC 21、CNMARC/UNIMARC（ISO 2709）、MARCXML 或
    CSV；先列出导入与跳过的条数，再逐条列出跳过的记录（位置与原因）。编码不确定时不导入，请用
    --encoding 指定。/ MARC 21,
    CNMARC/UNIMARC (ISO 2709), MARCXML or CSV into the database named by
    SHUYUN_DATABASE_URL (migrated first). Prints the loaded and skipped counts, then each
    skipped record with its position and reason. A file whose encoding is uncertain is not
    loaded: name it with --encoding. Exit code 0: read (some records may be skipped);
    1: nothing loaded (uncertain encoding, not a catalogue file); 2: bad option or file.
    """
    from typing import get_args

    from catalog.charset import Encoding
    from catalog.record_import import FileFormat

    formats, encodings = get_args(FileFormat), get_args(Encoding)
    if file_format not in formats:
        raise _fail(f"--format 应为 {'|'.join(formats)} / must be one of them, got {file_format!r}")
    if encoding not in encodings:
        raise _fail(
            f"--encoding 应为 {'|'.join(encodings)} / must be one of them, got {encoding!r}"
        )
    if not file.exists():
        raise _fail(f"FILE: 文件不存在 / file not found: {file}")
    if file.is_dir():
        raise _fail(f"FILE: 是一个目录 / is a folder, expected a file: {file}")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise _fail(f"FILE: 无法读取 / cannot read {file}: {exc.strerror or exc}") from None
    report = _import_into_database(_settings(ctx).database.url, data, file, file_format, encoding)
    typer.echo(report.summary())
    for note in report.notes:
        typer.echo(f"注意 note: {note}")
    for issue in [*report.skipped, *report.warnings]:
        typer.echo(str(issue))
    if report.refused:
        typer.echo(f"未导入 not loaded: {report.refused}", err=True)
        if report.encoding is not None and not report.encoding.certain:
            typer.echo(
                f"请用 --encoding 重新导入 / re-run with --encoding {report.encoding.encoding} "
                "(or one of the alternatives)",
                err=True,
            )
        raise typer.Exit(code=1)


def _import_into_database(
    url: str, data: bytes, file: Path, file_format: str, encoding: str
) -> ImportReport:
    """Run the import service on the configured database and commit."""
    from catalog.record_import import import_record_file

    return _in_database(
        url,
        lambda session: import_record_file(
            session=session,
            source=data,
            format=file_format,  # type: ignore[arg-type]
            encoding=encoding,  # type: ignore[arg-type]
            name=str(file),
        ),
    )


user_app = typer.Typer(
    help="员工账户 / staff accounts of the service.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
)
app.add_typer(user_app, name="user")


def _read_password() -> str:
    """The password from standard input: a line, or typed without echo at a terminal."""
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("密码 / password: ")
    return sys.stdin.readline().rstrip("\r\n")


@user_app.command("add", short_help="添加员工账户（密码从标准输入读取）/ add a staff account")
def user_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="用户名 / username")],
    role: Annotated[
        str,
        typer.Option(help="角色 / role: dispatcher|driver|branch_staff|planner|admin"),
    ],
    site: Annotated[
        str | None, typer.Option(help="分馆馆员的站点代码 / site code of branch staff")
    ] = None,
) -> None:
    """添加员工账户，密码从标准输入读取。/ Add a staff account; the password is read from
    standard input (one line), never from the command line."""
    from catalog.models import Role

    roles = [r.value for r in Role]
    if role not in roles:
        raise _fail(f"--role 应为 {'|'.join(roles)} / must be one of them, got {role!r}")
    password = _read_password()
    user = _in_database(
        _settings(ctx).database.url,
        lambda session: _create_user(session, username, password, role, site),
    )
    where = f"，站点 site {site}" if site else ""
    typer.echo(f"已添加 added: {user} {role}{where}")


def _create_user(
    session: Session, username: str, password: str, role: str, site: str | None
) -> str:
    from catalog.users import create_user

    return create_user(
        session, username=username, password=password, role=role, site_code=site
    ).username


def _in_database(url: str, work: Callable[[Session], _T]) -> _T:
    """Run ``work`` on the configured database (migrated first) and commit; a refusal or an
    unreachable database becomes a message, never a traceback."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from catalog.db import create_engine, session_factory, upgrade
    from catalog.errors import CirculationError

    try:
        shown = make_url(url).render_as_string(hide_password=True)
        engine = create_engine(url)
    except ArgumentError:
        raise _fail("SHUYUN_DATABASE_URL 不是有效的数据库地址 / is not a database URL") from None
    try:
        upgrade(engine)
        with session_factory(engine)() as session:
            result = work(session)
            session.commit()
    except CirculationError as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise _fail(f"数据库不可用 / database unavailable ({shown}): {reason}") from None
    finally:
        engine.dispose()
    return result


@app.command(short_help="运行服务（文档在 /docs）/ run the service (docs at /docs)")
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="监听地址 / address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口 / port, 1–65535")] = 8000,
    workers: Annotated[int, typer.Option(help="工作进程数 / worker processes, 1–32")] = 1,
) -> None:
    """运行服务（FastAPI，OpenAPI 文档在 /docs）。/ Run the service (OpenAPI docs at /docs).

    先执行数据库迁移；需要 SHUYUN_AUTH__SECRET_KEY（至少 32 个字符）。/ Migrates the
    database first; needs SHUYUN_AUTH__SECRET_KEY (at least 32 characters).
    """
    import uvicorn

    from api.security import secret_key

    if not 1 <= port <= 65535:
        raise _fail(f"--port 应在 1–65535 之间 / must be within 1–65535, got {port}")
    if not 1 <= workers <= 32:
        raise _fail(f"--workers 应在 1–32 之间 / must be within 1–32, got {workers}")
    settings = _settings(ctx)
    try:
        secret_key(settings.auth)  # refused here, once, rather than in each worker
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    _in_database(settings.database.url, lambda _session: None)
    from api.workers import WorkerProcesses

    # The plan workers: child processes of this server, stopped with it (0: run them apart).
    planners = WorkerProcesses(settings.solver.workers)
    planners.start()
    try:
        uvicorn.run(
            "api.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            # A worker process imports the street network's libraries (seconds on a busy
            # machine): uvicorn's 5 s default took that for a dead worker and restarted it.
            timeout_worker_healthcheck=SERVE_STARTUP_SECONDS,
        )
    finally:
        planners.stop()


@app.command(short_help="运行排班工作进程 / run a plan worker")
def worker(
    ctx: typer.Context,
    max_jobs: Annotated[
        int | None, typer.Option(help="做完这么多任务后退出 / exit after this many jobs")
    ] = None,
    migrate: Annotated[
        bool, typer.Option(help="先执行数据库迁移 / migrate the database first")
    ] = True,
    parent_pid: Annotated[
        int | None, typer.Option(hidden=True, help="exit when this process is gone")
    ] = None,
) -> None:
    """运行排班工作进程，直到 SIGTERM/Ctrl-C。/ Run a plan worker until SIGTERM or Ctrl-C.

    从 SHUYUN_DATABASE_URL
    所指的数据库中按顺序领取排班任务，在碑林路网上求解并记录；停止时正在求解的任务放回队列。/
    Takes queued plans from the database named by
    SHUYUN_DATABASE_URL one at a time, solves them on the Beilin street network and records
    them; a job being solved when it is stopped goes back to the queue. `shuyun serve`
    starts SHUYUN_SOLVER__WORKERS of these itself (default 1; 0: run them separately).
    """
    from api.workers import run_worker

    if max_jobs is not None and max_jobs < 1:
        raise _fail(f"--max-jobs 应至少为 1 / must be at least 1, got {max_jobs}")
    settings = _settings(ctx)
    if migrate:
        _in_database(settings.database.url, lambda _session: None)
    run_worker(settings, max_jobs=max_jobs, parent_pid=parent_pid)


if __name__ == "__main__":  # pragma: no cover
    app()
