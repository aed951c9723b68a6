"""``optimizer.route_timing``: a given route timed by the optimiser's rules, hard or soft.

Hard, it is the timing ``solve`` gives its own routes; soft, it is VROOM's plan mode
("choose ETA"): windows and the shift soft, the least lead time and delay in seconds, then
the shortest route, then the earliest times (checked against pyvroom in
``tests/api/test_vroom_plan_mode.py``; here by hand on hand-written days).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from optimizer import (
    Break,
    Problem,
    ProblemError,
    Shipment,
    Site,
    StepType,
    TimeWindow,
    TimingBounds,
    Van,
    Visit,
    VisitType,
    route_timing,
    solve,
)

ROOT = Path(__file__).resolve().parents[2]

P, D = VisitType.PICKUP, VisitType.DELIVERY


def h(hours: int, minutes: int = 0) -> int:
    return hours * 3600 + minutes * 60


def day(
    *, windows: tuple[TimeWindow, ...] = (TimeWindow(),), breaks: tuple[Break, ...] = ()
) -> Problem:
    """A depot and two branches on a line, 10 minutes apart; one van from 08:00 to 17:00;
    one shipment from branch a to branch b (``windows`` at b), one from the depot to a."""
    sites = (
        Site("depot"),
        Site("a", service_duration=120),
        Site("b", service_duration=60, time_windows=windows),
    )
    durations = [[abs(i - j) * 600 for j in range(3)] for i in range(3)]
    distances = [[abs(i - j) * 5000 for j in range(3)] for i in range(3)]
    van = Van("van", "depot", (10,), shift=TimeWindow(h(8), h(17)), breaks=breaks)
    shipments = (
        Shipment("s1", "a", "b", (2,), delivery_service=30),
        Shipment("s2", "depot", "a", (3,), pickup_service=60),
    )
    return Problem(sites, durations, distances, (van,), shipments)


ROUTE = [Visit("s2", P), Visit("s2", D), Visit("s1", P), Visit("s1", D)]


def test_the_hard_timing_is_the_one_solve_gives_its_routes() -> None:
    problem = day(windows=(TimeWindow(h(10), h(12)),))
    result = solve(problem, time_limit=2)
    (route,) = result.routes
    visits = [
        Visit(sid, VisitType(step.type.value))
        for step in route.steps
        if step.type in (StepType.PICKUP, StepType.DELIVERY)
        for sid in step.shipments
    ]
    timing = route_timing(problem, "van", visits)
    assert timing.issues == ()
    starts = [
        s.service_start for s in route.steps if s.type in (StepType.PICKUP, StepType.DELIVERY)
    ]
    assert starts[-1] == timing.visits[-1].service_start == h(10)  # waits for b to open
    assert route.steps[0].departure == timing.start and route.steps[-1].arrival == timing.end
    assert timing.distance == route.distance


def test_a_van_or_its_id_and_unknown_names_are_refused_by_name() -> None:
    problem = day()
    assert route_timing(problem, problem.vans[0], ROUTE) == route_timing(problem, "van", ROUTE)
    with pytest.raises(ProblemError, match="unknown van 'lorry'"):
        route_timing(problem, "lorry", ROUTE)
    with pytest.raises(ProblemError, match=r"visits\[1\] names an unknown shipment 's9'"):
        route_timing(problem, "van", [Visit("s2", P), Visit("s9", D)])
    with pytest.raises(ProblemError, match="unknown break 'lunch'"):
        route_timing(problem, "van", ROUTE, break_gaps={"lunch": 1})
    with pytest.raises(ProblemError, match="bounds are for a soft timing"):
        route_timing(problem, "van", ROUTE, bounds=TimingBounds(start=(h(9), None)))


def test_the_hard_timing_reports_a_late_visit_and_the_soft_one_measures_it() -> None:
    # b closes at 08:20; leaving at 08:00 the van is there at 08:23 (s2 picked up at the
    # depot 60 s, 10 min to a, 120 s there, 10 min to b).
    problem = day(windows=(TimeWindow(h(8), h(8, 20)),))
    hard = route_timing(problem, "van", ROUTE)
    assert [(i.kind, i.visit) for i in hard.issues] == [("time_window", 3)]
    assert hard.visits[3].arrival == h(8, 23)
    # Soft: 180 s of lead before the shift or 180 s of delay at b: a tie, and the earliest
    # times win (VROOM's last round).
    soft = route_timing(problem, "van", ROUTE, soft=True)
    assert [(i.kind, i.visit, i.seconds) for i in soft.issues] == [("lead_time", None, 180)]
    assert (soft.start, soft.visits[3].service_start) == (h(8) - 180, h(8, 20))
    # Held to the shift, the van is late instead, by as much.
    held = route_timing(problem, "van", ROUTE, soft=True, bounds=TimingBounds(start=(h(8), None)))
    assert [(i.kind, i.visit, i.shipment, i.seconds) for i in held.issues] == [
        ("delay", 3, "s1", 180)
    ]


def test_soft_bounds_are_hard_and_an_impossible_one_is_an_error() -> None:
    problem = day()
    at = TimingBounds(visits={2: (h(9), h(9))})
    timing = route_timing(problem, "van", ROUTE, soft=True, bounds=at)
    assert timing.visits[2].service_start == h(9)
    assert timing.issues == ()
    early = TimingBounds(start=(h(7), None), visits={0: (None, h(7, 30))})
    timing = route_timing(problem, "van", ROUTE, soft=True, bounds=early)
    (lead,) = timing.issues
    assert (lead.kind, lead.visit, lead.seconds) == ("lead_time", None, h(8) - timing.start)
    impossible = TimingBounds(start=(h(9), None), visits={1: (None, h(9, 5))})
    with pytest.raises(ProblemError, match="cannot all be kept"):
        route_timing(problem, "van", ROUTE, soft=True, bounds=impossible)


def test_soft_breaks_go_where_they_are_placed_and_missing_ones_are_told() -> None:
    lunch = Break("lunch", (TimeWindow(h(8, 30), h(9)),), 1800)
    problem = day(breaks=(lunch,))
    timing = route_timing(problem, "van", ROUTE, soft=True)
    assert timing.breaks == ()
    assert [(i.kind, i.break_id) for i in timing.issues] == [("missing_break", "lunch")]
    timing = route_timing(problem, "van", ROUTE, soft=True, break_gaps={"lunch": 2})
    (brk,) = timing.breaks
    assert brk.gap == 2 and h(8, 30) <= brk.start <= h(9)
    assert timing.issues == ()
    # Travel before the break is driven before it: the van reaches b as the break ends
    # plus what is left of the 10-minute leg.
    left = 600 - (brk.start - brk.waiting - timing.visits[2].departure)
    assert timing.visits[3].arrival == brk.start + 1800 + left


def test_a_feasible_route_without_choices_is_timed_alike_both_ways() -> None:
    problem = day()
    hard = route_timing(problem, "van", ROUTE)
    soft = route_timing(problem, "van", ROUTE, soft=True)
    assert (hard.start, hard.end, hard.distance, hard.travel) == (
        soft.start,
        soft.end,
        soft.distance,
        soft.travel,
    )
    assert [v.load for v in hard.visits] == [v.load for v in soft.visits]


def test_no_package_outside_the_optimiser_imports_its_private_modules() -> None:
    found = []
    for package in ("api", "catalog", "dispatch", "planning", "benchmarks"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else []
                )
                found += [
                    f"{path.relative_to(ROOT)}: {n}" for n in names if n.startswith("optimizer._")
                ]
    assert found == []
