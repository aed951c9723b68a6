"""The p-median benchmark script: its rows on the hand-written instance, the Beilin times."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

import geo
from benchmarks.pmed import beilin_costs, main

FIXTURES = Path(__file__).resolve().parents[1] / "planning" / "fixtures"
GRID_OSM = Path(__file__).resolve().parents[1] / "geo" / "data" / "grid.osm"


def test_script_writes_one_row_per_instance_and_solver(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(FIXTURES / "tiny_pmed.txt", tmp_path / "tiny_pmed.txt")
    shutil.copy(FIXTURES / "tiny_pmedopt.txt", tmp_path / "pmedopt.txt")
    out = tmp_path / "rows.json"
    code = main(["--dir", str(tmp_path), "--instances", "tiny_pmed", "--solvers", "shuyun",
                 "--time-limit", "5", "--json", str(out)])  # fmt: skip
    assert code == 0
    rows = json.loads(out.read_text())
    assert [(r["instance"], r["solver"], r["objective"], r["optimal"]) for r in rows] == [
        ("tiny_pmed", "shuyun", 12.0, True)  # the optimum of the fixture's optima file
    ]
    assert set(rows[0]) == {"instance", "solver", "objective", "bound", "optimal", "seconds"}
    assert "| tiny_pmed | 12 | 12 ✓ |" in capsys.readouterr().out
    # --load reprints the saved rows without solving.
    assert main(["--dir", str(tmp_path), "--load", str(out)]) == 0
    assert "1/1 proven optimal" in capsys.readouterr().out


def test_unknown_instance_is_refused(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "tiny_pmedopt.txt", tmp_path / "pmedopt.txt")
    with pytest.raises(SystemExit):
        main(["--dir", str(tmp_path), "--instances", "pmed99", "--solvers", "shuyun"])


def test_beilin_costs_are_travel_times_from_demand_to_candidate() -> None:
    # On the hand-written grid (a one-way street among them): every time against networkx.
    G = geo.routable_graph(geo.graph_from_xml(GRID_OSM, simplify=False))
    costs, demand, candidates = beilin_costs(G, n_demand=5, n_candidates=3, seed=1)
    assert costs.shape == (5, 3) and len(set(demand)) == 5 and len(set(candidates)) == 3
    for i, d in enumerate(demand):
        for j, c in enumerate(candidates):
            expected = nx.shortest_path_length(G, d, c, weight="travel_time")
            assert costs[i, j] == np.rint(expected)
