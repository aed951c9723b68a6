"""``benchmarks/api_load.py`` run tiny: a real server on a small demo day, three desks for a few
seconds while a plan of one second solves. It proves the script works end to end (no timing
is asserted: the machine is shared)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.api_load import ACTIONS, main


def test_a_tiny_load_run_reports_every_endpoint_and_the_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "load.json"
    argv = ["--users", "3", "--seconds", "4", "--requests", "300", "--plan-seconds", "1"]
    argv += ["--think", "0.005"]  # the pauses of a person, short
    assert main([*argv, "--scale", "0.03", "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert figures["think_s"] == 0.005
    rows = {row["endpoint"]: row for row in figures["endpoints"]}
    assert "POST /auth/token" in rows and "POST /plans" in rows
    assert (
        {"GET /records/search", "GET /items/{barcode}"}
        <= set(rows)
        <= {
            *ACTIONS,
            "POST /auth/token",
            "POST /plans",
            "GET /plans/{plan_id}",
        }
    )
    assert sum(r["errors"] for r in rows.values()) == 0, figures["error_samples"]
    desk_requests = sum(r["requests"] for label, r in rows.items() if label in ACTIONS)
    assert 0 < desk_requests <= 300 + 3  # the budget, and a desk's request under way each
    for row in rows.values():
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["max_ms"]
        assert row["ratio"] == round(row["p95_ms"] / 200.0, 2)
    assert figures["plan"]["status"] == "done" and figures["plan"]["within_budget"] is True
    table = capsys.readouterr().out
    assert "p95 ours" in table and "GET /records/search" in table and "within budget" in table
