"""VROOM's plan mode (``options.c``, ``vroom -c``): the vehicles' steps timed, violations told.

The reference is VROOM itself: pyvroom's plan mode (``vroom.Input.check``) on the same
request must give the same steps (arrival, waiting, travel, setup, service, load), costs
and violations, on VROOM's documented plan-mode example (``example_3.json``, on a
great-circle matrix of its coordinates) and on small matrix requests, one rule each.
Distances are left out of the comparison: pyvroom's plan mode reports none.
"""

from __future__ import annotations

import copy
import json
import math
import random
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_seed import bearer
from test_vroom_json import as_steps, example, great_circle, pyvroom
from typer.testing import CliRunner

from api.cli import app
from api.vroom_json import solve_vroom_request

DAY = 1_600_000_000
"""A UNIX time, as VROOM's clients send them."""


def planned(request: dict[str, Any]) -> dict[str, Any]:
    return solve_vroom_request({**request, "options": {"c": True}}, time_limit=1, seed=0)


def _causes(violations: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(v, sort_keys=True) for v in violations)


def shape(answer: dict[str, Any]) -> Any:
    """What VROOM's plan mode decides, in a form to compare (violations as sets)."""
    assert answer["code"] == 0, answer
    routes = [
        (
            r["vehicle"],
            r["cost"],
            r["duration"],
            r["setup"],
            r["service"],
            r["waiting_time"],
            r.get("delivery"),
            r.get("pickup"),
            _causes(r["violations"]),
            [
                (
                    s["type"],
                    s.get("id"),
                    s["arrival"],
                    s["waiting_time"],
                    s["duration"],
                    s["setup"],
                    s["service"],
                    s.get("load"),
                    _causes(s["violations"]),
                )
                for s in r["steps"]
            ],
        )
        for r in answer["routes"]
    ]
    summary = answer["summary"]
    unassigned = sorted((u["id"], u["type"]) for u in answer["unassigned"])
    return routes, _causes(summary["violations"]), summary["cost"], unassigned


def vroom_plan(request: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    return pyvroom({**request, "options": {"c": True}}, tmp_path, plan=True)


# --- VROOM's documented example ------------------------------------------------------------


def test_the_documented_plan_mode_example_gets_vroom_s_answer(tmp_path: Path) -> None:
    request = great_circle(example("example_3.json"))
    ours = planned(request)
    assert shape(ours) == shape(vroom_plan(request, tmp_path))
    # As in the documented answer (example_3_sol.json, on OSRM's roads): vehicle 1 leaves
    # overloaded (7 > 4), vehicle 2 leaves 800 s before its shift (its start's
    # service_after allows it) to cut its delays, and is late all the same.
    one, two = ours["routes"]
    assert one["steps"][0]["violations"] == [{"cause": "load"}]
    assert one["steps"][0]["load"] == [7]
    assert two["steps"][0]["arrival"] == 1600415200
    assert two["steps"][0]["violations"] == [{"cause": "lead_time", "duration": 800}]
    # The documented answer's summary (VROOM-Project/vroom docs/example_3_sol.json at
    # 10786eee7f589ad947762ba5dc4b045bf998d82d): lead_time 800, delay 2712 (OSRM's roads
    # are slower than the great circle at 54 km/h: ours is late by less), load.
    assert [v["cause"] for v in ours["summary"]["violations"]] == ["load", "lead_time", "delay"]
    assert ours["summary"]["violations"][1] == {"cause": "lead_time", "duration": 800}
    assert ours["summary"]["unassigned"] == 0


@pytest.mark.parametrize("name", ["example_1.json", "example_2.json"])
def test_a_solved_plan_replayed_in_plan_mode_keeps_its_times(name: str, tmp_path: Path) -> None:
    request = example(name)
    request = great_circle(request) if "matrix" not in request else request
    solved = solve_vroom_request(request, time_limit=2, seed=0)
    replay = as_steps(request, solved)
    ours = planned(replay)
    assert shape(ours) == shape(vroom_plan(replay, tmp_path))
    assert ours["summary"]["violations"] == []
    assert ours["summary"]["cost"] == solved["summary"]["cost"]


# --- one rule at a time, against pyvroom ---------------------------------------------------

MATRICES = {
    "car": {
        "durations": [[abs(i - j) * 600 for j in range(5)] for i in range(5)],
        "distances": [[abs(i - j) * 9000 for j in range(5)] for i in range(5)],
    }
}


def job(i: int, index: int, **more: Any) -> dict[str, Any]:
    return {"id": i, "location_index": index, "delivery": [1], "service": 60, **more}


def steps(*tasks: tuple[str, int]) -> list[dict[str, Any]]:
    inner = [{"type": kind, "id": i} for kind, i in tasks]
    return [{"type": "start"}, *inner, {"type": "end"}]


def request(
    jobs: list[dict[str, Any]],
    route: list[dict[str, Any]],
    *,
    shipments: list[dict[str, Any]] | None = None,
    **vehicle: Any,
) -> dict[str, Any]:
    van = {"id": 7, "start_index": 0, "end_index": 0, "capacity": [3], **vehicle}
    van = {k: v for k, v in van.items() if v is not None}
    van["steps"] = route
    return {"vehicles": [van], "jobs": jobs, "shipments": shipments or [], "matrices": MATRICES}


BREAK = {"id": 5, "service": 900, "time_windows": [[1000, 1300]]}
SHIPMENT = {
    "amount": [1],
    "pickup": {"id": 10, "location_index": 1, "service": 30},
    "delivery": {"id": 11, "location_index": 3, "service": 40},
}
WITH_BREAK = [
    {"type": "start"},
    {"type": "job", "id": 1},
    {"type": "break", "id": 5},
    {"type": "job", "id": 2},
    {"type": "end"},
]

CASES: dict[str, dict[str, Any]] = {
    "waiting for a window": request(
        [job(1, 1, time_windows=[[3000, 4000]]), job(2, 2)],
        steps(("job", 1), ("job", 2)),
        time_window=[0, 100000],
    ),
    "delays": request(
        [job(1, 2, time_windows=[[0, 100]]), job(2, 1, time_windows=[[0, 100]])],
        steps(("job", 1), ("job", 2)),
        time_window=[0, 100000],
    ),
    "the better of two windows": request(
        [
            job(1, 2, time_windows=[[0, 100], [5000, 6000]]),
            job(2, 1, time_windows=[[0, 700], [9000, 9100]]),
        ],
        steps(("job", 1), ("job", 2)),
        time_window=[0, 100000],
    ),
    "back after the shift, UNIX times": request(
        [job(1, 4), job(2, 3)],
        steps(("job", 1), ("job", 2)),
        time_window=[DAY + 1000, DAY + 3000],
    ),
    "a break on the road": request(
        [job(1, 1), job(2, 3)], WITH_BREAK, time_window=[0, 100000], breaks=[BREAK]
    ),
    "a break waiting for its window": request(
        [job(1, 1), job(2, 3)],
        WITH_BREAK,
        time_window=[0, 100000],
        breaks=[{**BREAK, "time_windows": [[2000, 2300]]}],
    ),
    "two breaks, one of two windows": request(
        [job(1, 1, time_windows=[[2000, 2100]]), job(2, 4)],
        [
            {"type": "start"},
            {"type": "break", "id": 5},
            {"type": "job", "id": 1},
            {"type": "break", "id": 6},
            {"type": "job", "id": 2},
            {"type": "end"},
        ],
        time_window=[0, 100000],
        breaks=[
            {"id": 5, "service": 300, "time_windows": [[0, 50]]},
            {"id": 6, "service": 200, "time_windows": [[1500, 1600], [4000, 4100]]},
        ],
    ),
    "missing_break": request([job(1, 1), job(2, 3)], steps(("job", 1), ("job", 2)), breaks=[BREAK]),
    "max_load": request(
        [job(1, 1), job(2, 3)],
        [{"type": "start"}, {"type": "break", "id": 5}, *steps(("job", 1), ("job", 2))[1:]],
        breaks=[{"id": 5, "service": 300, "max_load": [1], "time_windows": [[0, 100]]}],
    ),
    "skills": request([job(1, 1, skills=[3]), job(2, 3)], steps(("job", 1), ("job", 2))),
    "max_tasks": request(
        [job(1, 1), job(2, 3), job(3, 2)], steps(("job", 1), ("job", 2), ("job", 3)), max_tasks=1
    ),
    "max_travel_time and max_distance": request(
        [job(1, 1), job(2, 3)],
        steps(("job", 1), ("job", 2)),
        max_travel_time=1000,
        max_distance=1000,
    ),
    "a shipment": request(
        [job(1, 2)], steps(("pickup", 10), ("job", 1), ("delivery", 11)), shipments=[SHIPMENT]
    ),
    "precedence": request(
        [job(1, 2)], steps(("delivery", 11), ("job", 1), ("pickup", 10)), shipments=[SHIPMENT]
    ),
    "a pickup without its delivery": request(
        [job(1, 2)], steps(("pickup", 10), ("job", 1)), shipments=[SHIPMENT]
    ),
    "tasks in no steps": request([job(1, 2), job(2, 3)], steps(("job", 1)), shipments=[SHIPMENT]),
    "a pickup job, brought back": request(
        [{"id": 1, "location_index": 1, "pickup": [2]}, job(2, 3)], steps(("job", 1), ("job", 2))
    ),
    "a job that delivers and picks up": request(
        [{"id": 1, "location_index": 1, "pickup": [2], "delivery": [1], "service": 50}, job(2, 3)],
        steps(("job", 1), ("job", 2)),
    ),
    "a job that overloads the van": request(
        [{"id": 1, "location_index": 1, "pickup": [4], "delivery": [1], "service": 50}, job(2, 3)],
        steps(("job", 2), ("job", 1)),
    ),
    "setup once per place": request(
        [job(1, 1, setup=100), job(2, 1, setup=100), job(3, 2, setup=50)],
        steps(("job", 1), ("job", 2), ("job", 3)),
    ),
    "no end": request([job(1, 1), job(2, 3)], steps(("job", 1), ("job", 2)), end_index=None),
    "no start": request([job(1, 1), job(2, 3)], steps(("job", 1), ("job", 2)), start_index=None),
    "service_at": request(
        [job(1, 1), job(2, 3)],
        [{"type": "start"}, {"type": "job", "id": 1, "service_at": 5000}, {"type": "job", "id": 2}],
        time_window=[0, 100000],
    ),
    "service_before a window": request(
        [job(1, 1, time_windows=[[3000, 4000]]), job(2, 3)],
        [{"type": "start"}, {"type": "job", "id": 1, "service_before": 1000}, {"type": "end"}],
        time_window=[0, 100000],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_plan_mode_answers_as_vroom_does(case: str, tmp_path: Path) -> None:
    assert shape(planned(CASES[case])) == shape(vroom_plan(CASES[case], tmp_path))


def test_each_rule_is_told_where_vroom_tells_it() -> None:
    """The figures behind the comparison above, read once by hand."""
    (route,) = planned(CASES["delays"])["routes"]
    assert [s["violations"] for s in route["steps"][1:3]] == [
        [{"cause": "delay", "duration": 1100}],  # arrives at 1200 for [0, 100]
        [{"cause": "delay", "duration": 1760}],  # 1200 + 60 + 600 = 1860
    ]
    assert route["violations"] == [{"cause": "delay", "duration": 2860}]
    (route,) = planned(CASES["a break on the road"])["routes"]
    brk = route["steps"][2]
    # Job 1 ends at 660; the break starts when its window opens, 340 s down the road.
    assert (brk["type"], brk["arrival"], brk["duration"]) == ("break", 1000, 940)
    assert route["steps"][3]["arrival"] == 1000 + 900 + 860
    answer = planned(CASES["precedence"])
    (route,) = answer["routes"]
    assert {"cause": "precedence"} in route["steps"][1]["violations"]  # delivery first
    assert {"cause": "precedence"} in route["steps"][3]["violations"]  # then its pickup
    (route,) = planned(CASES["missing_break"])["routes"]
    assert route["violations"] == [{"cause": "missing_break"}]
    (route,) = planned(CASES["a job that delivers and picks up"])["routes"]
    assert [s["load"] for s in route["steps"]] == [[2], [3], [2], [2]]  # 2 - 1 + 2, then - 1
    answer = planned(CASES["tasks in no steps"])
    assert sorted((u["id"], u["type"]) for u in answer["unassigned"]) == [
        (2, "job"),
        (10, "pickup"),
        (11, "delivery"),
    ]


def random_route(seed: int) -> dict[str, Any]:
    """A vehicle's steps through 3 to 30 random jobs, half with one or two windows (UNIX
    times), some with setup, and a break somewhere half of the time."""
    rng = random.Random(seed)
    n = rng.randint(3, 30)
    places = [(rng.uniform(0, 10), rng.uniform(0, 10)) for _ in range(n + 1)]
    seconds = [[round(math.dist(a, b) * 120) for b in places] for a in places]
    jobs = []
    for i in range(1, n + 1):
        task: dict[str, Any] = {"id": i, "location_index": i, "delivery": [1]}
        task["service"] = rng.choice([0, 60, 300])
        if rng.random() < 0.5:
            early = DAY + rng.randint(0, 8000)
            task["time_windows"] = [[early, early + rng.randint(0, 2000)]]
            if rng.random() < 0.3:
                later = task["time_windows"][0][1] + rng.randint(100, 3000)
                task["time_windows"].append([later, later + rng.randint(0, 2000)])
        if rng.random() < 0.2:
            task["setup"] = rng.randint(0, 200)
        jobs.append(task)
    order = rng.sample(range(1, n + 1), n)
    route = steps(*(("job", i) for i in order))
    breaks = []
    if rng.random() < 0.6:
        early = DAY + rng.randint(0, 6000)
        breaks = [{"id": 1, "service": 600, "time_windows": [[early, early + 1200]]}]
        route.insert(rng.randint(1, len(route) - 1), {"type": "break", "id": 1})
    van = {"id": 1, "start_index": 0, "end_index": 0, "capacity": [n], "breaks": breaks}
    van.update({"time_window": [DAY, DAY + 20000], "steps": route})
    return {"vehicles": [van], "jobs": jobs, "matrices": {"car": {"durations": seconds}}}


def _spent(answer: dict[str, Any]) -> int:
    return sum(v.get("duration", 0) for v in answer["summary"]["violations"])


def _makespan(answer: dict[str, Any]) -> int:
    (route,) = answer["routes"]
    return int(route["steps"][-1]["arrival"] - route["steps"][0]["arrival"])


@pytest.mark.parametrize("seed", range(24))
def test_random_routes_are_timed_as_vroom_times_them(seed: int, tmp_path: Path) -> None:
    given = random_route(seed)
    ours, theirs = planned(given), vroom_plan(given, tmp_path)
    if shape(ours) != shape(theirs):
        # Never worse by VROOM's own objective: no more violation, then no longer route.
        assert (_spent(ours), _makespan(ours)) < (_spent(theirs), _makespan(theirs))


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (steps(("job", 9)), "vehicles[0].steps[1].id: 未知的 job / unknown job id 9"),
        (steps(("job", 1), ("job", 1)), "vehicles[0].steps[2].id: job 1 已在 vehicles[0].steps[1]"),
        ([{"type": "start"}, {"type": "break", "id": 6}], "vehicles[0].steps[1].id: 车辆 7"),
        (
            [{"type": "break", "id": 5}, {"type": "job", "id": 1}, {"type": "break", "id": 5}],
            "vehicles[0].steps[2].id: 休息 5 重复 / break 5 twice",
        ),
        (steps(("pickup", 1)), "unknown pickup id 1"),
        ([{"type": "job", "id": 1}, {"type": "start"}], "vehicles[0].steps[1].type: start"),
        ([{"type": "end"}, {"type": "job", "id": 1}], "vehicles[0].steps[0].type: end"),
        (
            [{"type": "job", "id": 1, "service_after": 900, "service_before": 800}],
            "vehicles[0].steps[0]: service_after/service_at 900",
        ),
        (
            [
                {"type": "start", "service_at": 1000},
                {"type": "job", "id": 1, "service_before": 1200},
            ],
            "infeasible route for vehicle 7",
        ),
    ],
)
def test_steps_vroom_refuses_are_input_errors(route: list[dict[str, Any]], message: str) -> None:
    answer = planned(request([job(1, 1)], route, breaks=[BREAK]))
    assert answer["code"] == 2
    assert message in answer["error"]


def test_shuyun_solve_vroom_plan_writes_the_plan_mode_answer(tmp_path: Path) -> None:
    given = copy.deepcopy(CASES["delays"])
    problem = tmp_path / "request.json"
    problem.write_text(json.dumps(given), encoding="utf-8")
    out = tmp_path / "answer.json"
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(app, ["solve", str(problem), "-o", str(out), "--vroom", "-c"])
    assert result.exit_code == 0, result.output
    answer = json.loads(out.read_text(encoding="utf-8"))
    assert answer["routes"] == planned(given)["routes"]
    assert answer["summary"]["violations"] == [{"cause": "delay", "duration": 2860}]
    # The same request with options.c in the file needs no flag.
    problem.write_text(json.dumps({**given, "options": {"c": True}}), encoding="utf-8")
    result = runner.invoke(app, ["solve", str(problem), "-o", str(out), "--vroom"])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["violations"] != []
    result = runner.invoke(app, ["solve", str(problem), "-o", str(out), "-c"])
    assert result.exit_code == 2
    assert "-c/--plan" in result.output


# --- jobs that deliver and pick up, solved ---------------------------------------------------


PLACES = [(0, 0), (3, 4), (6, 1), (2, -5), (-4, -2), (-5, 3)]
"""Points of a plane (hundreds of metres), for a matrix where no detour is free."""


def plane() -> dict[str, Any]:
    seconds = [[round(math.dist(a, b) * 100) for b in PLACES] for a in PLACES]
    return {"car": {"durations": seconds, "distances": [[s * 10 for s in r] for r in seconds]}}


def test_a_job_that_delivers_and_picks_up_is_solved_as_vroom_solves_it(tmp_path: Path) -> None:
    jobs = [
        {"id": 1, "location_index": 1, "delivery": [2], "pickup": [1], "service": 60},
        {"id": 2, "location_index": 2, "pickup": [2], "service": 60},
        {"id": 3, "location_index": 3, "delivery": [1], "pickup": [2], "service": 60},
        {"id": 4, "location_index": 4, "delivery": [1], "service": 60},
        {"id": 5, "location_index": 5, "delivery": [2], "pickup": [2], "service": 60},
    ]
    given = {
        "vehicles": [{"id": 7, "start_index": 0, "end_index": 0, "capacity": [7]}],
        "jobs": jobs,
        "matrices": plane(),
    }
    ours = solve_vroom_request(given, time_limit=1, seed=0)
    theirs = pyvroom(given, tmp_path)
    assert ours["code"] == 0, ours
    assert ours["summary"]["unassigned"] == theirs["summary"]["unassigned"] == 0
    assert ours["summary"]["cost"] <= theirs["summary"]["cost"]
    assert ours["summary"]["delivery"] == theirs["summary"]["delivery"] == [6]
    assert ours["summary"]["pickup"] == theirs["summary"]["pickup"] == [7]
    (route,) = ours["routes"]
    assert [s.get("id") for s in route["steps"]].count(1) == 1  # one step per job
    # VROOM's plan mode agrees with every load and time of our route.
    checked = vroom_plan(as_steps(given, ours), tmp_path)
    assert checked["summary"]["violations"] == []
    assert [s["load"] for s in checked["routes"][0]["steps"]] == [s["load"] for s in route["steps"]]
    assert [s["arrival"] for s in checked["routes"][0]["steps"]] == [
        s["arrival"] for s in route["steps"]
    ]


def test_a_job_whose_pickup_cannot_ride_is_left_out_whole(tmp_path: Path) -> None:
    jobs = [
        {"id": 1, "location_index": 1, "delivery": [1], "pickup": [3], "service": 60},
        {"id": 2, "location_index": 2, "delivery": [1], "service": 60},
    ]
    given = {
        "vehicles": [{"id": 7, "start_index": 0, "end_index": 0, "capacity": [2]}],
        "jobs": jobs,
        "matrices": MATRICES,
    }
    ours = solve_vroom_request(given, time_limit=1, seed=0)
    theirs = pyvroom(given, tmp_path)
    assert ours["code"] == 0, ours
    assert [(u["id"], u["type"]) for u in ours["unassigned"]] == [(1, "job")]
    assert [u["id"] for u in theirs["unassigned"]] == [1]
    assert ours["unassigned"][0]["reason"] == "split_job"
    assert ours["summary"]["cost"] <= theirs["summary"]["cost"]


def test_solving_again_for_a_split_job_keeps_the_time_limit() -> None:
    # Job 1's pickup can never ride (more than the van holds): every plan serves it apart,
    # so the request is solved three times; 40 other jobs keep each solve busy to its limit.
    rng = random.Random(3)
    places = [(0.0, 0.0)] + [(rng.uniform(0, 50), rng.uniform(0, 50)) for _ in range(41)]
    seconds = [[round(math.dist(a, b) * 60) for b in places] for a in places]
    jobs = [{"id": 1, "location_index": 1, "delivery": [1], "pickup": [150], "service": 60}]
    jobs += [{"id": k, "location_index": k, "delivery": [1], "service": 60} for k in range(2, 42)]
    given = {
        "vehicles": [
            {"id": v, "start_index": 0, "end_index": 0, "capacity": [100]} for v in (1, 2)
        ],
        "jobs": jobs,
        "matrices": {"car": {"durations": seconds}},
    }
    began = time.perf_counter()
    ours = solve_vroom_request(given, time_limit=2.0, seed=0)
    taken = time.perf_counter() - began
    assert ours["code"] == 0, ours
    assert [(u["id"], u["reason"]) for u in ours["unassigned"]] == [(1, "split_job")]
    assert taken < 2.0 + 1.0, taken  # three solves of 2 s each took 5-6 s before


# --- through the service -------------------------------------------------------------------


def test_post_vroom_answers_in_plan_mode(client: TestClient) -> None:
    given = {**CASES["delays"], "options": {"c": True}}
    response = client.post("/vroom", json=given, headers=bearer("planner"))
    assert response.status_code == 200
    answer = response.json()
    assert answer["routes"] == planned(CASES["delays"])["routes"]
    bad = {**given, "vehicles": [{**given["vehicles"][0], "steps": steps(("job", 9))}]}
    response = client.post("/vroom", json=bad, headers=bearer("planner"))
    assert response.status_code == 400
    assert "unknown job id 9" in response.json()["error"]
