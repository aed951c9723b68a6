"""Solomon's VRPTW set read as new stock from the depot (``benchmarks._solomon``), the
best-known routes checked on the converted instance, and the script end to end."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from benchmarks._instances import read_bks, read_solution
from benchmarks._solomon import customers_only, read_solomon, solomon_dir, with_loads
from benchmarks.solomon import main
from benchmarks.verify import verify
from settings import Settings

TINY = Path(__file__).with_name("tiny_solomon.txt")


def test_customers_become_drops_of_loads_taken_at_the_depot() -> None:
    instance = read_solomon(TINY)
    assert (instance.name, instance.vehicles, instance.capacity) == ("tiny_solomon", 3, 30)
    rest = instance.nodes[1:]
    drops, loads = rest[:4], rest[4:]
    assert [n.id for n in drops] == [1, 2, 3, 4] and [n.id for n in loads] == [5, 6, 7, 8]
    for drop, load in zip(drops, loads, strict=True):
        assert (drop.pickup, load.delivery) == (load.id, drop.id)
        assert load.demand == -drop.demand > 0
        assert (load.x, load.y, load.early, load.late) == (0, 0, 0, 0)  # as the van leaves
        assert load.service == 0
    assert instance.distance(5, 1) == 5.0  # from the depot's place to customer 1


def test_routes_round_trip_between_customers_and_the_converted_instance() -> None:
    instance = read_solomon(TINY)
    routes = [[1, 2], [4, 3]]
    converted = with_loads(instance, routes)
    assert converted == [[5, 6, 1, 2], [8, 7, 4, 3]]
    assert customers_only(instance, converted) == routes
    verdict = verify(instance, converted)
    assert verdict.feasible, verdict.violations
    legs = [(0, 1), (1, 2), (2, 0), (0, 4), (4, 3), (3, 0)]
    expected = sum(instance.distance(a, b) for a, b in legs)
    assert verdict.distance == pytest.approx(expected)


def test_a_van_cannot_come_back_to_the_depot_for_more() -> None:
    """A Solomon vehicle makes one trip: a load is taken only as its vehicle leaves."""
    instance = read_solomon(TINY)
    reloaded = [[5, 6, 7, 1, 2, 3, 8, 4]]  # back at the depot for customer 4's load
    verdict = verify(instance, reloaded)
    assert not verdict.feasible
    assert verify(instance, with_loads(instance, [[1, 2, 3], [4]])).feasible


def test_an_overloaded_route_is_caught() -> None:
    instance = read_solomon(TINY)
    verdict = verify(instance, with_loads(instance, [[1, 2, 3, 4]]))  # 50 on a van of 30
    assert not verdict.feasible


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("T\nVEHICLE\n 25\nCUSTOMER\n 0 0 0 0 0 100 0\n", "fleet line"),
        ("T\n 25 200\n 0 0 0 0 0 100 0\n 1 1 1 10 0 50\n", "needs 7 fields"),
        ("T\n 25 200\n 0 0 0 0 0 100 0\n 2 1 1 10 0 50 5\n", "ids must run 0, 1, 2"),
    ],
)
def test_a_malformed_file_is_refused_with_its_name(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match=fragment) as raised:
        read_solomon(path)
    assert str(path) in str(raised.value)


def test_every_best_known_route_file_is_feasible_at_its_distance(
    shuyun_settings: Settings,
) -> None:
    folder = solomon_dir(shuyun_settings.data.bench_dir)
    if not (folder / "bks.csv").exists():
        pytest.skip(f"no Solomon data in {folder}")
    bks = read_bks(folder / "bks.csv")
    assert len(bks) == 56
    files = sorted((folder / "bks_routes").glob("*.txt"))
    assert len(files) == 49
    for path in files:
        instance = read_solomon(folder / f"{path.stem}.txt")
        assert len(instance.nodes) == 201
        verdict = verify(instance, with_loads(instance, read_solution(path)))
        best = bks[path.stem]
        assert verdict.feasible, (path.stem, verdict.violations[:3])
        assert verdict.vehicles == best.vehicles, path.stem
        assert math.isclose(verdict.distance, best.distance, abs_tol=1e-3), path.stem


def test_script_solves_checks_and_writes_one_row_per_solver(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(TINY, tmp_path / "tiny.txt")
    instance = read_solomon(TINY)
    best = verify(instance, with_loads(instance, [[1, 2, 3], [4]]))  # 30 and 20 units
    assert best.feasible
    (tmp_path / "bks.csv").write_text(
        f"instance,vehicles,distance,source\ntiny,2,{best.distance:.4f},hand-made\n"
    )
    out = tmp_path / "rows.json"
    code = main(["--dir", str(tmp_path), "--time-limit", "0.3", "--json", str(out)])
    assert code == 0
    rows = json.loads(out.read_text())
    assert [r["solver"] for r in rows] == ["shuyun", "pyvrp", "vroom"]
    for row in rows:
        assert row["feasible"] is True, row["violations"]
        assert row["vehicles"] == 2
        assert row["distance"] >= best.distance - 1e-3
    assert "shuyun / best peer" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [["--solvers", "gurobi"], ["--instances", "c999"], ["--time-limit", "0"]],
)
def test_bad_options_are_refused(tmp_path: Path, args: list[str]) -> None:
    shutil.copy(TINY, tmp_path / "tiny.txt")
    (tmp_path / "bks.csv").write_text("instance,vehicles,distance,source\ntiny,2,1.0,x\n")
    with pytest.raises(SystemExit):
        main(["--dir", str(tmp_path), *args])


def test_a_folder_without_the_set_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--dir", str(tmp_path)])
