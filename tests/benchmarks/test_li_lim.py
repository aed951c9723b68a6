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
