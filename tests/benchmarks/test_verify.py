"""The independent checker, one broken rule per row, on ``tiny.txt`` (see test_instances)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from benchmarks._instances import li_lim_dir, read_bks, read_instance, read_solution
from benchmarks.verify import verify
from settings import Settings

TINY = Path(__file__).with_name("tiny.txt")


def test_a_feasible_plan_has_no_violation_and_its_double_distance() -> None:
    verdict = verify(read_instance(TINY), [[1, 2, 3, 4]])
    assert verdict.feasible, verdict.violations
    assert verdict.vehicles == 1
    # 0-1-2 is 5 + 5, 2-3 is sqrt(45), 3-4 is 5, 4-0 is 10
    assert verdict.distance == pytest.approx(25 + math.sqrt(45), abs=1e-12)


@pytest.mark.parametrize(
    ("routes", "expected"),
    [
        ([[1, 3, 2, 4]], "load 13 after node 3 outside [0, 10]"),  # both loads at once
        ([[2, 1], [3, 4]], "delivery before pickup"),
        ([[1], [2], [3, 4]], "on routes 0 and 1"),  # pair split over two vehicles
        ([[1, 2]], "node(s) [3, 4] not visited"),
        ([[1, 2, 1, 3, 4]], "node 1 visited twice"),
        ([[1, 2, 0, 3, 4]], "node 0 is not a task node"),  # depot inside a route
        ([[1, 2], [3, 4], [], [1, 2]], "visited twice"),
        ([[1, 2], [3, 4], [1, 2], [3, 4]], "4 routes, more than the 3 vehicles"),
    ],
)
def test_each_broken_rule_is_reported(routes: list[list[int]], expected: str) -> None:
    verdict = verify(read_instance(TINY), routes)
    assert not verdict.feasible
    assert any(expected in v for v in verdict.violations), verdict.violations


def test_late_service_and_late_return_are_reported(tmp_path: Path) -> None:
    text = TINY.read_text()
    # node 2's window closes at 10: reached at 11 after 1 (arrive 5, serve 1, 5 more)
    late = tmp_path / "late.txt"
    late.write_text(text.replace("2\t6\t8\t-5\t0\t60", "2\t6\t8\t-5\t0\t10"))
    assert any(
        "node 2 starts at 11.0000" in v
        for v in verify(read_instance(late), [[1, 2], [3, 4]]).violations
    )
    # depot closes at 30: the route 1-2-3-4 is back at 25 + sqrt(45) + 4 services
    short = tmp_path / "short.txt"
    short.write_text(text.replace("0\t0\t0\t0\t0\t100", "0\t0\t0\t0\t0\t30"))
    violations = verify(read_instance(short), [[1, 2, 3, 4]]).violations
    assert any("back at the depot" in v for v in violations), violations


def test_every_best_known_solution_is_feasible(shuyun_settings: Settings) -> None:
    folder = li_lim_dir(shuyun_settings.data.bench_dir)
    if not (folder / "bks.csv").exists():
        pytest.skip(f"no Li & Lim data in {folder}")
    for name, best in read_bks(folder / "bks.csv").items():
        verdict = verify(
            read_instance(folder / f"{name}.txt"),
            read_solution(folder / "bks_routes" / f"{name}.txt"),
        )
        assert verdict.feasible, (name, verdict.violations)
        assert verdict.vehicles == best.vehicles
        assert verdict.distance == pytest.approx(best.distance, abs=1e-3)
