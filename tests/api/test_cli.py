"""The ``shuyun`` command line: bilingual help, ``solve`` and ``matrix`` on real inputs,
and exit code 2 with a message naming the field and the value for every bad input."""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest
from rich.cells import cell_len
from typer.testing import CliRunner, Result

import geo
from api.cli import app
from optimizer import UnassignedReason

CJK = re.compile(r"[\u4e00-\u9fff]")

#: Real places within ~1.5 km of the Bell Tower, [lon, lat] WGS-84.
BEILIN_SITES = {
    "bell": (108.9425, 34.2611),  # 钟楼
    "south_gate": (108.9446, 34.2525),  # 南门（永宁门）
    "stele": (108.9535, 34.2560),  # 碑林博物馆
    "shuyuanmen": (108.9480, 34.2545),  # 书院门
}

#: A small VROOM-shaped problem: a central library, a branch closed at lunch, a service point;
#: one van with a lunch break; one shipment too big for the van.
PROBLEM: dict[str, Any] = {
    "sites": [
        {"id": "central", "location": [108.9535, 34.2560], "service": 600},
        {"id": "branch-001", "service": 300, "time_windows": [[32400, 43200], [50400, 64800]]},
        {"id": "sp-1", "service": 180},
    ],
    "matrices": {
        "durations": [[0, 300, 400], [310, 0, 200], [420, 190, 0]],
        "distances": [[0, 2000, 2500], [2100, 0, 1200], [2600, 1100, 0]],
    },
    "vans": [
        {
            "id": "van-1",
            "start": "central",
            "capacity": [40, 600],
            "time_window": [30600, 63000],
            "breaks": [{"id": "lunch", "time_windows": [[41400, 48600]], "service": 2700}],
        }
    ],
    "shipments": [
        {"id": "s1", "pickup": "central", "delivery": "branch-001", "amount": [2, 24]},
        {"id": "s2", "pickup": "sp-1", "delivery": "branch-001", "amount": [1, 12], "kind": "hold"},
        {"id": "s3", "pickup": "branch-001", "delivery": "sp-1", "amount": [3, 40]},
        {"id": "too-big", "pickup": "central", "delivery": "sp-1", "amount": [60, 700]},
    ],
}


@pytest.fixture(scope="session")
def beilin_graph(beilin_dir: Path) -> nx.MultiDiGraph:
    """The real, routable Beilin drive graph (the one ``shuyun matrix`` loads; cached)."""
    return geo.load_beilin_graph(beilin_dir)


@pytest.fixture
def runner() -> CliRunner:
    # Wide terminal: rich must not wrap the help text in the middle of a word.
    return CliRunner(env={"COLUMNS": "200", "TERMINAL_WIDTH": "200"})


def _write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _sites_csv(path: Path, sites: dict[str, tuple[float, float]]) -> Path:
    return _write_csv(path, ["id,lon,lat"] + [f"{k},{x},{y}" for k, (x, y) in sites.items()])


def _refused(result: Result, *fragments: str) -> None:
    """Exit code 2, a bilingual message, every fragment in it, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "错误 error:" in result.stderr
    assert CJK.search(result.stderr) and re.search(r"[a-z]{4}", result.stderr)
    for fragment in fragments:
        assert fragment in result.stderr


# --- help ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        ([], "碑林区图书馆", "book logistics"),
        (["demo"], "建立演示日", "Build the demo day"),
        (["solve"], "求解", "Solve a problem JSON"),
        (["matrix"], "行车时间", "Travel-time"),
    ],
)
def test_help_is_chinese_then_english(runner: CliRunner, args: list[str], zh: str, en: str) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert zh in result.output and en in result.output
    assert result.output.index(zh) < result.output.index(en)


# --- solve --------------------------------------------------------------------------------


def test_solve_accounts_for_every_shipment(runner: CliRunner, tmp_path: Path) -> None:
    problem = _write_json(tmp_path / "problem.json", PROBLEM)
    out = tmp_path / "result.json"
    result = runner.invoke(app, ["solve", str(problem), "-o", str(out), "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    assert "已安排 planned 3" in result.stdout and "未安排 unassigned 1" in result.stdout

    data = json.loads(out.read_text(encoding="utf-8"))
    picked = [
        s
        for r in data["routes"]
        for st in r["steps"]
        if st["type"] == "pickup"
        for s in st["shipments"]
    ]
    dropped = [
        s
        for r in data["routes"]
        for st in r["steps"]
        if st["type"] == "delivery"
        for s in st["shipments"]
    ]
    unassigned = {u["id"]: u["reason"] for u in data["unassigned"]}
    assert sorted(picked) == sorted(dropped) == ["s1", "s2", "s3"]
    assert unassigned == {"too-big": UnassignedReason.CAPACITY_EXCEEDS_VAN.value}
    assert data["summary"]["planned"] + data["summary"]["unassigned"] == len(PROBLEM["shipments"])
    # the lunch break is in the route, inside its window
    [brk] = [st for r in data["routes"] for st in r["steps"] if st["type"] == "break"]
    assert 41400 <= brk["service_start"] <= 48600


def _problem_with(path: list[Any], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(PROBLEM)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "fragments"),
    [
        # a shipment to a site that does not exist: named by shipment, field and value
        (["shipments", 0, "delivery"], "nowhere", ["Shipment[s1].delivery", "'nowhere'"]),
        # negative capacity: named by its JSON path and the value
        (["vans", 0, "capacity"], [-1, 600], ["vans.0.capacity.0", "got -1"]),
        # a site window that ends before it starts: JSON path and the window
        (
            ["sites", 1, "time_windows"],
            [[43200, 32400]],
            ["sites.1.time_windows.0", "(got [43200, 32400])"],
        ),
        # the same for the van's shift
        (
            ["vans", 0, "time_window"],
            [63000, 30600],
            ["vans.0.time_window", "(got [63000, 30600])"],
        ),
        # a missing field is named, and the message stays one line per problem
        (["vans", 0], {"id": "van-1", "start": "central"}, ["vans.0.capacity", "Field required"]),
        # NaN per_km once gave rc 0, nothing planned and "allow more time"
        (["vans", 0, "costs"], {"per_km": float("nan")}, ["vans.0.costs.per_km", "got nan"]),
        (["vans", 0, "costs"], {"per_km": float("inf")}, ["vans.0.costs.per_km", "got inf"]),
        # infinite or 1e300 penalty, fixed cost, capacity, max_travel_time: once tracebacks
        (["shipments", 0, "penalty"], float("inf"), ["shipments.0.penalty", "finite", "got inf"]),
        (["shipments", 0, "penalty"], 1e300, ["shipments.0.penalty", "1000000", "got 1e+300"]),
        (["vans", 0, "costs"], {"fixed": 1e300}, ["vans.0.costs.fixed", "got 1e+300"]),
        (["vans", 0, "capacity"], [float("inf"), 600], ["vans.0.capacity.0", "got inf"]),
        (["vans", 0, "capacity"], [10**300, 600], ["vans.0.capacity.0", "1000000000"]),
        (["vans", 0, "max_travel_time"], 1e300, ["vans.0.max_travel_time", "got 1e+300"]),
        (["vans", 0, "max_travel_time"], float("inf"), ["vans.0.max_travel_time", "got inf"]),
        # a matrix entry of 1e30, true (once 1, changing the route) or "300" (once 300)
        (["matrices", "durations", 0, 1], 1e30, ["matrices.durations.0.1", "got 1e+30"]),
        (["matrices", "durations", 0, 1], True, ["matrices.durations.0.1", "got True"]),
        (["matrices", "durations", 0, 1], "300", ["matrices.durations.0.1", "got '300'"]),
        # a short row (once "must be 3x3, got 3x3"): the row is named
        (
            ["matrices", "durations", 1],
            [310, 0],
            ["Problem.durations[1] has 2 entries, expected 3"],
        ),
    ],
)
def test_solve_refuses_an_invalid_problem(
    runner: CliRunner, tmp_path: Path, path: list[Any], value: Any, fragments: list[str]
) -> None:
    problem = _write_json(tmp_path / "problem.json", _problem_with(path, value))
    out = tmp_path / "result.json"
    result = runner.invoke(app, ["solve", str(problem), "-o", str(out)])
    _refused(result, "问题 JSON 无效 / invalid problem JSON", *fragments)
    assert not out.exists()


def test_solve_refuses_a_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = runner.invoke(app, ["solve", str(missing), "-o", str(tmp_path / "r.json")])
    _refused(result, "PROBLEM", "文件不存在 / file not found", str(missing))


def test_solve_refuses_invalid_json(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"sites": [', encoding="utf-8")
    result = runner.invoke(app, ["solve", str(bad), "-o", str(tmp_path / "r.json")])
    _refused(result, "不是有效的 JSON / is not valid JSON", str(bad), "line 1")


@pytest.mark.parametrize("limit", ["0", "-1", "nan"])
def test_solve_refuses_a_time_limit_that_is_not_positive(
    runner: CliRunner, tmp_path: Path, limit: str
) -> None:
    problem = _write_json(tmp_path / "problem.json", PROBLEM)
    args = ["solve", str(problem), "-o", str(tmp_path / "r.json"), "--time-limit", limit]
    _refused(runner.invoke(app, args), "--time-limit", f"got {float(limit)}")


def test_solve_refuses_an_output_folder_that_does_not_exist(
    runner: CliRunner, tmp_path: Path
) -> None:
    # checked before solving, so that a long solve is not lost
    problem = _write_json(tmp_path / "problem.json", PROBLEM)
    out = tmp_path / "no-such-folder" / "r.json"
    _refused(
        runner.invoke(app, ["solve", str(problem), "-o", str(out)]), "-o/--output", "no-such-folder"
    )


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--vans", "0"], ["--vans", "1–20", "got 0"]),
        (["--vans", "21"], ["--vans", "got 21"]),
        (["--time-limit", "0"], ["--time-limit", "got 0.0"]),
        (["--scale", "2"], ["--scale", "0.01–1", "got 2.0"]),
        (["--service-points", "31"], ["--service-points", "got 31"]),
        (["--port", "0"], ["--port", "1–65535", "got 0"]),
        (["--date", "2026-13-01"], ["--date", "YYYY-MM-DD", "got '2026-13-01'"]),
    ],
)
def test_demo_refuses_bad_options_before_doing_any_work(
    runner: CliRunner, tmp_path: Path, args: list[str], fragments: list[str]
) -> None:
    out = tmp_path / "demo"
    _refused(runner.invoke(app, ["demo", "--out", str(out), *args]), *fragments)
    assert not out.exists()


def _solve(runner: CliRunner, tmp_path: Path, data: dict[str, Any], *extra: str) -> dict[str, Any]:
    problem = _write_json(tmp_path / "problem.json", data)
    out = tmp_path / "result.json"
    result = runner.invoke(app, ["solve", str(problem), "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    answer: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return answer


def test_solve_without_vans_says_there_is_no_van(runner: CliRunner, tmp_path: Path) -> None:
    # 0 vans once gave every shipment capacity_exceeds_van.
    data = _solve(runner, tmp_path, _problem_with(["vans"], []), "--time-limit", "1")
    assert {u["reason"] for u in data["unassigned"]} == {UnassignedReason.NO_VEHICLE.value}
    assert len(data["unassigned"]) == len(PROBLEM["shipments"])


def test_solve_writes_the_notes(runner: CliRunner, tmp_path: Path) -> None:
    # A break due before the shift starts is dropped: the result file says so.
    problem = copy.deepcopy(PROBLEM)
    problem["vans"][0]["breaks"].append({"id": "dawn", "time_windows": [[0, 600]], "service": 300})
    data = _solve(runner, tmp_path, problem, "--time-limit", "1")
    assert data["notes"] == ["break dawn of van van-1 cannot be taken within its shift: ignored"]


def test_solve_in_unix_time(runner: CliRunner, tmp_path: Path) -> None:
    # VROOM's clients send UNIX timestamps: the same day, 1.6e9 s later.
    t0 = 1_600_041_600
    data = copy.deepcopy(PROBLEM)
    data["sites"][1]["time_windows"] = [[t0 + 32400, t0 + 43200], [t0 + 50400, t0 + 64800]]
    van = data["vans"][0]
    van["time_window"] = [t0 + 30600, t0 + 63000]
    van["breaks"][0]["time_windows"] = [[t0 + 41400, t0 + 48600]]
    answer = _solve(runner, tmp_path, data, "--time-limit", "1")
    assert answer["summary"]["planned"] == 3
    assert [u["id"] for u in answer["unassigned"]] == ["too-big"]
    [brk] = [st for r in answer["routes"] for st in r["steps"] if st["type"] == "break"]
    assert t0 + 41400 <= brk["service_start"] <= t0 + 48600


def test_solve_caps_a_huge_time_limit(runner: CliRunner, tmp_path: Path) -> None:
    # 1e300 s once overflowed inside OR-Tools; a problem without vans solves at once.
    problem = _write_json(tmp_path / "problem.json", _problem_with(["vans"], []))
    out = tmp_path / "result.json"
    result = runner.invoke(app, ["solve", str(problem), "-o", str(out), "--time-limit", "1e300"])
    assert result.exit_code == 0, result.output
    assert "按 86400 秒求解 / is over the maximum: solving for 86400 s" in result.stderr
    assert out.exists()


@pytest.mark.parametrize("seed", ["-1", str(2**32)])
def test_solve_refuses_a_seed_out_of_range(runner: CliRunner, tmp_path: Path, seed: str) -> None:
    problem = _write_json(tmp_path / "problem.json", PROBLEM)
    args = ["solve", str(problem), "-o", str(tmp_path / "r.json"), "--seed", seed]
    _refused(runner.invoke(app, args), "--seed", "0–4294967295", f"got {seed}")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_solve_checks_the_output_before_reading_the_problem(
    runner: CliRunner, tmp_path: Path
) -> None:
    # /proc takes no new files (not even root's): refused before anything else, so a long
    # solve is never lost at the end; the problem file is not even read.
    broken = tmp_path / "problem.json"
    broken.write_text("{", encoding="utf-8")
    result = runner.invoke(app, ["solve", str(broken), "-o", "/proc/result.json"])
    _refused(result, "-o/--output", "无法在目录中写入 / cannot write in /proc")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only file")
def test_solve_refuses_a_read_only_output_file(runner: CliRunner, tmp_path: Path) -> None:
    problem = _write_json(tmp_path / "problem.json", PROBLEM)
    out = tmp_path / "result.json"
    out.write_text("keep me", encoding="utf-8")
    out.chmod(0o444)
    result = runner.invoke(app, ["solve", str(problem), "-o", str(out)])
    _refused(result, "-o/--output", "文件不可写 / file is not writable")
    assert out.read_text(encoding="utf-8") == "keep me"


def test_solve_replaces_the_output_atomically(runner: CliRunner, tmp_path: Path) -> None:
    # Written next to the old file, then renamed over it: no temporary file is left.
    (tmp_path / "result.json").write_text("yesterday's plan", encoding="utf-8")
    data = _solve(runner, tmp_path, PROBLEM, "--time-limit", "1")
    assert data["summary"]["planned"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["problem.json", "result.json"]


# --- solve --vroom --------------------------------------------------------------------------

VROOM_EXAMPLES = Path(__file__).parent / "fixtures" / "vroom"


def test_solve_vroom_reads_and_writes_vroom_s_own_format(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "answer.json"
    args = ["solve", str(VROOM_EXAMPLES / "example_2.json"), "-o", str(out), "--vroom"]
    result = runner.invoke(app, [*args, "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    answer = json.loads(out.read_text(encoding="utf-8"))
    assert answer["code"] == 0
    assert answer["summary"]["cost"] == 5461  # VROOM's documented answer
    assert "已安排任务 tasks planned 2，未安排 unassigned 0，成本 cost 5461" in result.stdout


def test_solve_vroom_writes_vroom_s_error_and_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    request = json.loads((VROOM_EXAMPLES / "example_2.json").read_text(encoding="utf-8"))
    request["jobs"][1]["location_index"] = 9
    out = tmp_path / "answer.json"
    problem = _write_json(tmp_path / "request.json", request)
    result = runner.invoke(app, ["solve", str(problem), "-o", str(out), "--vroom"])
    _refused(result, "VROOM code 2", "jobs[1].location_index: 9")
    answer = json.loads(out.read_text(encoding="utf-8"))
    assert answer["code"] == 2 and "jobs[1].location_index" in answer["error"]


def test_solve_vroom_refuses_a_file_that_is_not_json(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "request.json"
    broken.write_text("{", encoding="utf-8")
    result = runner.invoke(app, ["solve", str(broken), "-o", str(tmp_path / "a.json"), "--vroom"])
    _refused(result, "PROBLEM", "不是有效的 JSON / is not valid JSON")


def test_solve_vroom_routes_locations_on_the_beilin_network(
    runner: CliRunner, tmp_path: Path, beilin_graph: nx.MultiDiGraph
) -> None:
    request = {
        "vehicles": [{"id": 1, "start": list(BEILIN_SITES["bell"])}],
        "jobs": [
            {"id": i, "location": list(BEILIN_SITES[name])}
            for i, name in enumerate(("south_gate", "stele", "shuyuanmen"))
        ],
    }
    problem = _write_json(tmp_path / "request.json", request)
    out = tmp_path / "answer.json"
    result = runner.invoke(
        app, ["solve", str(problem), "-o", str(out), "--vroom", "--time-limit", "1"]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(out.read_text(encoding="utf-8"))
    assert answer["summary"]["unassigned"] == 0
    assert answer["summary"]["distance"] > 1000
    assert "里程" in result.stdout


# --- matrix -------------------------------------------------------------------------------


def _matrix(runner: CliRunner, csv_path: Path, out: Path, *extra: str) -> dict[str, Any]:
    result = runner.invoke(app, ["matrix", str(csv_path), "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def test_matrix_of_beilin_sites_is_integer_seconds_and_metres(
    runner: CliRunner, tmp_path: Path, beilin_graph: nx.MultiDiGraph
) -> None:
    data = _matrix(runner, _sites_csv(tmp_path / "sites.csv", BEILIN_SITES), tmp_path / "m.json")
    ids = list(BEILIN_SITES)
    assert data["ids"] == ids
    assert data["units"] == {"durations": "s", "distances": "m"}
    assert "OpenStreetMap" in data["credit"]
    n = len(ids)
    for name in ("durations", "distances"):
        matrix = data[name]
        assert len(matrix) == n and all(len(row) == n for row in matrix)
        assert all(type(v) is int for row in matrix for v in row)
        assert [matrix[i][i] for i in range(n)] == [0] * n
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            if i == j:
                continue
            metres, seconds = data["distances"][i][j], data["durations"][i][j]
            straight = geo.haversine_m(*BEILIN_SITES[a], *BEILIN_SITES[b])
            # by road, never much shorter than in a straight line (sites snap ≤ ~60 m),
            # and never faster than 60 km/h on average in the old town
            assert metres > straight - 150
            assert 0 < metres / seconds < 60 / 3.6


def test_matrix_prints_json_to_stdout_without_output(runner: CliRunner, tmp_path: Path) -> None:
    csv_path = _sites_csv(
        tmp_path / "sites.csv", {"bell": BEILIN_SITES["bell"], "stele": BEILIN_SITES["stele"]}
    )
    result = runner.invoke(app, ["matrix", str(csv_path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ids"] == ["bell", "stele"]


def test_matrix_reads_gcj02_coordinates(runner: CliRunner, tmp_path: Path) -> None:
    # The same places as read off a Chinese web map (GCJ-02, offset ~500 m from WGS-84).
    gcj: dict[str, tuple[float, float]] = {}
    for name, (lon, lat) in BEILIN_SITES.items():
        glon, glat = geo.wgs84_to_gcj02(lon, lat)
        gcj[name] = (float(glon), float(glat))
    assert geo.haversine_m(*gcj["bell"], *BEILIN_SITES["bell"]) > 300
    wgs = _matrix(runner, _sites_csv(tmp_path / "wgs.csv", BEILIN_SITES), tmp_path / "wgs.json")
    shifted = _sites_csv(tmp_path / "gcj.csv", gcj)
    converted = _matrix(runner, shifted, tmp_path / "gcj.json", "--gcj02")
    for name in ("durations", "distances"):
        diff = np.abs(np.array(wgs[name]) - np.array(converted[name]))
        assert diff.max() <= 2  # round-trip precision of the datum shift, not a different site


@pytest.mark.parametrize(
    ("rows", "fragments"),
    [
        # no lat column
        (["id,lon", "bell,108.9425"], ["缺少列 / missing columns", "['lat']"]),
        # a lon that is not a number: line, site, field and value
        (
            ["id,lon,lat", "bell,108.9425,34.2611", "stele,东经108,34.2560"],
            ["line 3", "(stele)", "lon", "'东经108'"],
        ),
        # a row cut short
        (["id,lon,lat", "bell,108.9425"], ["line 2", "lat", "''"]),
        # the same id twice
        (
            ["id,lon,lat", "bell,108.9425,34.2611", "bell,108.9535,34.2560"],
            ["line 3", "duplicate id 'bell'"],
        ),
        # lon and lat swapped
        (
            ["id,lon,lat", "bell,34.2611,108.9425"],
            ["line 2", "out of range", "(34.2611, 108.9425)"],
        ),
        # no site at all
        (["id,lon,lat"], ["no sites"]),
    ],
)
def test_matrix_refuses_a_bad_sites_csv(
    runner: CliRunner, tmp_path: Path, rows: list[str], fragments: list[str]
) -> None:
    csv_path = _write_csv(tmp_path / "sites.csv", rows)
    out = tmp_path / "m.json"
    _refused(runner.invoke(app, ["matrix", str(csv_path), "-o", str(out)]), "SITES", *fragments)
    assert not out.exists()


def test_matrix_refuses_a_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "sites.csv"
    _refused(
        runner.invoke(app, ["matrix", str(missing)]), "文件不存在 / file not found", str(missing)
    )


def test_matrix_refuses_a_site_far_outside_the_network(
    runner: CliRunner, tmp_path: Path, beilin_graph: nx.MultiDiGraph
) -> None:
    sites = {"bell": BEILIN_SITES["bell"], "xianyang": (108.71, 34.33)}  # ~23 km west
    result = runner.invoke(app, ["matrix", str(_sites_csv(tmp_path / "s.csv", sites))])
    _refused(result, "'xianyang'", "outside the street network's extent")
    assert re.search(r"'xianyang' is about \d+\.\d km from the street network", result.stderr)
    assert "'bell'" not in result.stderr


def test_matrix_refuses_a_site_farther_from_a_street_than_max_snap(
    runner: CliRunner, tmp_path: Path, beilin_graph: nx.MultiDiGraph
) -> None:
    # The Bell Tower stands in a roundabout, some tens of metres from its carriageway.
    csv_path = _sites_csv(tmp_path / "s.csv", {"bell": BEILIN_SITES["bell"]})
    result = runner.invoke(app, ["matrix", str(csv_path), "--max-snap", "5"])
    _refused(result)
    assert re.search(r"site 'bell' is \d+ m from the nearest street \(limit 5 m\)", result.stderr)


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--depart-at", "8:60"], ["--depart-at", "'8:60'"]),
        (["--depart-at", "morning"], ["--depart-at", "HH:MM", "'morning'"]),
        (["--max-snap", "0"], ["--max-snap", "got 0.0"]),
    ],
)
def test_matrix_refuses_bad_options(
    runner: CliRunner, tmp_path: Path, args: list[str], fragments: list[str]
) -> None:
    csv_path = _sites_csv(tmp_path / "s.csv", {"bell": BEILIN_SITES["bell"]})
    _refused(runner.invoke(app, ["matrix", str(csv_path), *args]), *fragments)


# --- settings -----------------------------------------------------------------------------


def test_a_data_folder_without_the_beilin_data_is_named_with_its_variable(
    runner: CliRunner, tmp_path: Path
) -> None:
    csv_path = _sites_csv(tmp_path / "s.csv", {"a": (108.9425, 34.2611)})
    empty = tmp_path / "no-data"
    empty.mkdir()
    result = runner.invoke(app, ["matrix", str(csv_path)], env={"SHUYUN_DATA_DIR": str(empty)})
    _refused(result, f"SHUYUN_DATA_DIR={str(empty)!r}", "holds no Beilin data")


def test_the_folder_holding_beilin_is_as_good_as_beilin_itself(
    runner: CliRunner, tmp_path: Path, beilin_dir: Path
) -> None:
    csv_path = _sites_csv(tmp_path / "s.csv", {"a": (108.9425, 34.2611), "b": (108.9535, 34.256)})
    result = runner.invoke(
        app, ["matrix", str(csv_path)], env={"SHUYUN_DATA_DIR": str(beilin_dir.parent)}
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ids"] == ["a", "b"]


def test_a_bad_setting_is_refused_at_start_naming_the_variable(
    runner: CliRunner, tmp_path: Path
) -> None:
    problem = _write_json(tmp_path / "problem.json", PROBLEM)
    result = runner.invoke(
        app,
        ["solve", str(problem), "-o", str(tmp_path / "r.json")],
        env={"SHUYUN_SOLVER__TIME_LIMIT": "0"},
    )
    _refused(result, "SHUYUN_SOLVER__TIME_LIMIT='0'")
    assert not (tmp_path / "r.json").exists()


def test_the_command_list_fits_an_80_column_terminal() -> None:
    """Each command's summary on its own line, not cut short, in both languages."""
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    listed = result.output.split("Commands")[1].splitlines()[1:]
    rows = [line for line in listed if line.startswith("│ ") and line.strip("│ ")]
    names = [row.strip("│ ").split()[0] for row in rows]
    assert names == ["demo", "solve", "matrix", "import-records", "serve", "worker", "user"]
    assert not any("…" in row for row in rows)
    assert all(re.search("[\u4e00-\u9fff]", row) and re.search("[a-z]{3}", row) for row in rows)


def test_a_command_help_is_wrapped_to_the_terminal_not_to_the_source() -> None:
    """The docstring's line breaks are not kept: every line of a paragraph but its last is
    filled to near the terminal's width."""
    result = CliRunner().invoke(app, ["solve", "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    text = result.output.split("╭")[0]
    assert "Every shipment is either in a route" in " ".join(text.split())
    paragraphs = [p.splitlines() for p in re.split(r"\n\s*\n", text) if p.strip()]
    assert len(paragraphs) == 3  # the usage line, the summary, the details
    for lines in paragraphs[1:]:
        assert all(cell_len(line.rstrip()) >= 60 for line in lines[:-1]), lines
