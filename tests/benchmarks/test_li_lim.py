"""The benchmark script end to end on ``tiny.txt`` (see test_instances), every solver."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks.li_lim import main

TINY = Path(__file__).with_name("tiny.txt")


def test_script_solves_checks_and_writes_one_row_per_instance_and_solver(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(TINY, tmp_path / "tiny.txt")
    # the best-known plan of tiny is 1-2-3-4 on one vehicle: 25 + sqrt(45)
    (tmp_path / "bks.csv").write_text(
        "instance,vehicles,distance,source\ntiny,1,31.7082,hand-made\n"
    )
    out = tmp_path / "rows.json"
    code = main(
        [
            "--dir",
            str(tmp_path),
            "--time-limit",
            "0.3",
            "--solvers",
            "shuyun,warm_start,pyvrp,vroom",
            "--json",
            str(out),
        ]
    )
    assert code == 0
    rows = json.loads(out.read_text())
    assert [r["solver"] for r in rows] == ["shuyun", "warm_start", "pyvrp", "vroom"]
    for row in rows:
        assert row["instance"] == "tiny"
        assert (row["bks_vehicles"], row["bks_distance"]) == (1, 31.7082)
        assert row["feasible"] is True
        assert row["vehicles"] == 1
        assert row["distance"] == pytest.approx(31.7082, abs=1e-4)
    table = capsys.readouterr().out
    assert "shuyun / best peer" in table
    assert "1/1" in table


def test_unknown_solver_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bks.csv").write_text("instance,vehicles,distance,source\n")
    with pytest.raises(SystemExit):
        main(["--dir", str(tmp_path), "--solvers", "gurobi"])


def test_instance_classes_of_both_sets() -> None:
    from benchmarks.li_lim import instance_class

    assert instance_class("LR1_2_5") == "LR1"
    assert instance_class("LRC2_2_10") == "LRC2"
    assert instance_class("lrc105") == "LRC1"
    assert instance_class("lc201") == "LC2"


def test_class_table_compares_extra_vehicles_with_the_best_peer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from benchmarks.li_lim import Row, class_figures, print_classes

    def row(name: str, solver: str, vehicles: int, distance: float) -> Row:
        return Row(name, solver, vehicles, distance, 10, 100.0, 30.0, True)

    rows = [
        row("LR1_2_1", "shuyun", 11, 100.0),
        row("LR1_2_2", "shuyun", 10, 101.0),
        row("LR1_2_1", "pyvrp", 10, 102.0),
        row("LR1_2_2", "pyvrp", 10, 103.0),
    ]
    ours = class_figures(rows, "shuyun", "LR1")
    assert (ours.at_bks_vehicles, ours.mean_extra_vehicles) == (1, 0.5)
    assert ours.mean_gap == pytest.approx(1.0)
    print_classes(rows, ["shuyun", "pyvrp"])
    assert "+0.50 vs best peer +0.00 (pyvrp): MISSED" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--solvers", "gurobi"], "--solvers"),
        (["--instances", "lc999"], "--instances"),
        (["--time-limit", "0"], "--time-limit"),
        (["--time-limit", "nan"], "--time-limit"),
    ],
)
def test_bad_options_are_refused_naming_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], named: str
) -> None:
    shutil.copy(TINY, tmp_path / "tiny.txt")
    (tmp_path / "bks.csv").write_text("instance,vehicles,distance,source\ntiny,1,31.7082,x\n")
    with pytest.raises(SystemExit) as exited:
        main(["--dir", str(tmp_path), *args])
    assert exited.value.code == 2
    assert named in capsys.readouterr().err


def test_a_folder_without_bks_csv_is_refused_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--dir", str(tmp_path)])
    assert exited.value.code == 2
    assert "bks.csv" in capsys.readouterr().err
