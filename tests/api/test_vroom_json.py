"""``solve_vroom_request``: VROOM's own request in, VROOM's own answer out.

Checked on VROOM's documented examples (``fixtures/vroom``, see its README): the matrix
example must get VROOM's documented answer or a cheaper one; the examples located near
Paris are off the Beilin network, and on a great-circle matrix must cost no more than
pyvroom itself on the same input, with a plan pyvroom's own plan mode finds no fault in.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import vroom

import geo
from api.vroom_answer import polyline
from api.vroom_json import solve_vroom_request

FIXTURES = Path(__file__).parent / "fixtures" / "vroom"

SPEED = 15.0
"""Metres per second of the great-circle matrices the tests build (54 km/h)."""

BEILIN = {
    "bell": [108.9425, 34.2611],  # 钟楼, the depot of the Beilin requests
    "south_gate": [108.9446, 34.2525],  # 南门（永宁门）
    "stele": [108.9535, 34.2560],  # 碑林博物馆
    "shuyuanmen": [108.9480, 34.2545],  # 书院门
}


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def solved(request: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    # One second is plenty for the tiny requests (the search stalls on them before).
    return solve_vroom_request(request, time_limit=kwargs.pop("time_limit", 1), seed=0, **kwargs)


@pytest.fixture(scope="module")
def beilin_graph(beilin_dir: Path) -> nx.MultiDiGraph:
    """The real, routable Beilin drive graph (cached; ~1 s to load)."""
    return geo.load_beilin_graph(beilin_dir)


def great_circle(request: dict[str, Any]) -> dict[str, Any]:
    """``request`` with a matrix of its locations: great-circle metres, at ``SPEED``."""
    out = copy.deepcopy(request)
    places: list[tuple[float, float]] = []

    def index(location: list[float]) -> int:
        if tuple(location) not in places:
            places.append((location[0], location[1]))
        return places.index((location[0], location[1]))

    for job in out.get("jobs", []):
        job["location_index"] = index(job["location"])
    for shipment in out.get("shipments", []):
        for end in ("pickup", "delivery"):
            shipment[end]["location_index"] = index(shipment[end]["location"])
    for vehicle in out["vehicles"]:
        for end in ("start", "end"):
            if end in vehicle:
                vehicle[f"{end}_index"] = index(vehicle[end])
    metres = [[round(float(geo.haversine_m(*a, *b))) for b in places] for a in places]
    seconds = [[round(m / SPEED) for m in row] for row in metres]
    out["matrices"] = {"car": {"durations": seconds, "distances": metres}}
    return out


def pyvroom(request: dict[str, Any], tmp_path: Path, *, plan: bool = False) -> dict[str, Any]:
    """pyvroom's answer to the same JSON (``plan``: its plan mode, VROOM's ``-c``)."""
    path = tmp_path / "vroom_request.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    problem = vroom.Input.from_json(path)
    solution = problem.check(1) if plan else problem.solve(exploration_level=5, nb_threads=1)
    answer: dict[str, Any] = solution.to_dict()
    return answer


def as_steps(request: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """``request`` with our routes as its vehicles' ``steps`` (for VROOM's plan mode)."""
    out = copy.deepcopy(request)
    routes = {r["vehicle"]: r for r in answer["routes"]}
    for vehicle in out["vehicles"]:
        route = routes.get(vehicle["id"])
        steps = route["steps"] if route else []
        vehicle["steps"] = [
            {"type": s["type"], **({"id": s["id"]} if "id" in s else {})} for s in steps
        ]
    return out


# --- VROOM's examples ---------------------------------------------------------------------


def test_the_matrix_example_gets_vroom_s_documented_answer() -> None:
    documented = example("example_2_sol.json")
    answer = solved(example("example_2.json"))
    assert answer["code"] == 0
    assert answer["summary"]["cost"] <= documented["summary"]["cost"]  # 5461: the optimum
    (route,) = answer["routes"]
    (expected,) = documented["routes"]
    assert [s.get("id") for s in route["steps"]] == [None, 1414, 1515, None]
    for ours, theirs in zip(route["steps"], expected["steps"], strict=True):
        assert (ours["type"], ours["arrival"], ours["duration"]) == (
            theirs["type"],
            theirs["arrival"],
            theirs["duration"],
        )
    # VROOM's keys, all of them (``job`` is deprecated in favour of ``id``).
    assert set(documented) <= set(answer)
    assert set(documented["summary"]) <= set(answer["summary"])
    assert set(expected) <= set(route)
    for ours, theirs in zip(route["steps"], expected["steps"], strict=True):
        assert set(theirs) - {"job"} <= set(ours)


def test_the_answer_has_the_keys_of_vroom_s_example_with_amounts_and_distances() -> None:
    documented = example("example_1_sol.json")
    answer = solved(great_circle(example("example_1.json")))
    assert answer["code"] == 0
    assert set(documented["summary"]) <= set(answer["summary"])
    for ours, theirs in zip(answer["routes"], documented["routes"], strict=False):
        assert set(theirs) <= set(ours) | {"geometry"}  # geometry: only with options.g
        kinds = {s["type"]: set(s) for s in ours["steps"]}
        for step in theirs["steps"]:
            if step["type"] in kinds:
                assert set(step) - {"job"} <= kinds[step["type"]]


@pytest.mark.parametrize("name", ["example_1.json", "example_3.json"])
def test_examples_near_paris_are_off_the_beilin_network(
    name: str, beilin_graph: nx.MultiDiGraph
) -> None:
    answer = solved(example(name), graph=beilin_graph)
    assert answer["code"] == 2
    # Named by the field of the first task there, with its coordinates.
    assert "jobs[0]" in answer["error"] and "outside the street network" in answer["error"]
    assert "1.98935" in answer["error"]


def test_without_a_matrix_or_a_network_a_matrix_is_asked_for() -> None:
    answer = solved(example("example_1.json"))
    assert answer["code"] == 2
    assert "a matrix is needed" in answer["error"]


@pytest.mark.parametrize("name", ["example_1.json", "example_3.json"])
def test_examples_near_paris_cost_no_more_than_vroom_on_their_great_circle_matrix(
    name: str, tmp_path: Path
) -> None:
    request = great_circle(example(name))
    answer = solved(request, time_limit=3)
    assert answer["code"] == 0, answer
    # Example 3's steps overload vehicle 1: VROOM refuses them in its solving mode (we drop
    # them as a warm start), so VROOM solves it without.
    theirs = pyvroom(
        {
            **request,
            "vehicles": [
                {k: v for k, v in veh.items() if k != "steps"} for veh in request["vehicles"]
            ],
        },
        tmp_path,
    )
    assert answer["summary"]["unassigned"] <= theirs["summary"]["unassigned"]
    assert answer["summary"]["cost"] <= theirs["summary"]["cost"]
    # VROOM's own plan mode finds nothing wrong with our plan.
    checked = pyvroom(as_steps(request, answer), tmp_path, plan=True)
    assert checked["summary"]["violations"] == []
    assert checked["summary"]["duration"] == answer["summary"]["duration"]


# --- the translation, row by row ----------------------------------------------------------


def matrix_request(**changes: Any) -> dict[str, Any]:
    """One vehicle from 0 back to 0, jobs at 1 and 2; points on a line 600 s apart."""
    request: dict[str, Any] = {
        "vehicles": [{"id": 7, "start_index": 0, "end_index": 0, "capacity": [2]}],
        "jobs": [
            {"id": 1, "location_index": 1, "delivery": [1], "service": 60},
            {"id": 2, "location_index": 2, "delivery": [1], "service": 60},
        ],
        "matrices": {
            "car": {
                "durations": [[abs(i - j) * 600 for j in range(4)] for i in range(4)],
                "distances": [[abs(i - j) * 9000 for j in range(4)] for i in range(4)],
            }
        },
    }
    request.update(changes)
    return request


def test_a_van_without_end_stops_at_its_last_task() -> None:
    vehicles = [{"id": 7, "start_index": 0, "capacity": [2]}]
    answer = solved(matrix_request(vehicles=vehicles))
    (route,) = answer["routes"]
    assert [s["type"] for s in route["steps"]] == ["start", "job", "job"]
    assert route["duration"] == 1200 and route["distance"] == 18000
    assert route["cost"] == 1200  # VROOM's default cost: travel seconds


def test_vroom_s_loads_deliveries_from_the_start_pickups_to_the_end() -> None:
    jobs = [
        {"id": 1, "location_index": 1, "pickup": [1], "time_windows": [[0, 700]]},
        {"id": 2, "location_index": 2, "delivery": [1], "time_windows": [[1000, 5000]]},
    ]
    vehicles = [{"id": 7, "start_index": 0, "end_index": 0, "capacity": [1]}]
    answer = solved(matrix_request(jobs=jobs, vehicles=vehicles))
    # The pickup must come first (its window), when the delivery is still on board: 2 > 1.
    assert answer["summary"]["unassigned"] == 1
    (left,) = answer["unassigned"]
    assert set(left) == {"id", "type", "location_index", "reason"}
    assert left["type"] == "job"
    # Without the windows both fit: deliver first, then pick up.
    free = [{k: v for k, v in job.items() if k != "time_windows"} for job in jobs]
    answer = solved(matrix_request(jobs=free, vehicles=vehicles))
    (route,) = answer["routes"]
    assert [(s.get("id"), s["load"]) for s in route["steps"]] == [
        (None, [1]),
        (2, [0]),
        (1, [1]),
        (None, [1]),
    ]
    assert (route["delivery"], route["pickup"]) == ([1], [1])


def test_a_shipment_left_out_lists_both_of_its_tasks() -> None:
    shipments = [
        {
            "amount": [5],  # more than the van takes
            "pickup": {"id": 40, "location_index": 3},
            "delivery": {"id": 41, "location_index": 1, "description": "branch"},
        }
    ]
    answer = solved(matrix_request(shipments=shipments))
    assert answer["summary"]["unassigned"] == 2
    assert [(u["id"], u["type"]) for u in answer["unassigned"]] == [
        (40, "pickup"),
        (41, "delivery"),
    ]
    assert answer["unassigned"][1]["description"] == "branch"
    assert {u["reason"] for u in answer["unassigned"]} == {"capacity_exceeds_van"}


def test_a_stop_pays_its_setup_once_and_each_task_its_service() -> None:
    jobs = [
        {"id": 1, "location_index": 3, "setup": 100, "service": 60, "delivery": [1]},
        {"id": 2, "location_index": 3, "setup": 100, "service": 30, "delivery": [1]},
    ]
    answer = solved(matrix_request(jobs=jobs))
    (route,) = answer["routes"]
    assert (route["setup"], route["service"]) == (100, 90)
    first, second = route["steps"][1:3]
    assert (first["setup"], second["setup"]) == (100, 0)
    assert route["steps"][-1]["arrival"] - route["steps"][0]["arrival"] == 3600 + 100 + 90


def test_a_custom_cost_matrix_prices_the_routes() -> None:
    request = matrix_request()
    request["matrices"]["car"]["costs"] = [[0, 5, 5, 5], [5, 0, 1, 5], [5, 1, 0, 5], [5, 5, 5, 0]]
    request["vehicles"][0]["costs"] = {"fixed": 10}
    (route,) = solved(request)["routes"]
    assert route["cost"] == 10 + 5 + 1 + 5
    assert route["distance"] == 36000  # read from the distances matrix


def test_vehicle_steps_are_a_warm_start() -> None:
    steps = [{"type": "start"}, {"type": "job", "id": 2}, {"type": "job", "id": 1}, {"type": "end"}]
    vehicles = [{"id": 7, "start_index": 0, "end_index": 0, "capacity": [2], "steps": steps}]
    answer = solved(matrix_request(vehicles=vehicles))
    assert answer["code"] == 0 and answer["summary"]["unassigned"] == 0
    assert answer["summary"]["cost"] == 2400


def test_unix_times_and_breaks_come_back_as_given() -> None:
    day = 1_600_416_000
    vehicles = [
        {
            "id": 7,
            "start_index": 0,
            "end_index": 0,
            "capacity": [2],
            "time_window": [day, day + 8 * 3600],
            "breaks": [{"id": 3, "service": 900, "time_windows": [[day + 600, day + 1200]]}],
        }
    ]
    (route,) = solved(matrix_request(vehicles=vehicles))["routes"]
    (brk,) = [s for s in route["steps"] if s["type"] == "break"]
    assert (brk["id"], brk["service"]) == (3, 900)
    assert day + 600 <= brk["arrival"] <= day + 1200
    assert route["steps"][0]["arrival"] >= day


_PLANNED = {"id": 7, "start_index": 0, "capacity": [2], "steps": [{"type": "job"}, {"type": "job"}]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"vehicles": None}, "vehicles: Field required"),  # no vehicles key at all
        (
            {"jobs": [{"id": "1", "location_index": 1}]},
            "jobs[0].id: Input should be a valid integer",
        ),
        ({"jobs": [{"id": 1, "location_index": 1}] * 2}, "jobs[1].id: 重复的 id / duplicate id 1"),
        ({"jobs": [{"id": 1, "location_index": 9}]}, "jobs[0].location_index: 9"),
        ({"jobs": [{"id": 1}]}, "jobs[0].location_index: 有矩阵时必填 / required"),
        # A key VROOM does not have (a vehicle's, on a job): refused, not ignored.
        ({"jobs": [{"id": 1, "location_index": 1, "time_window": [0, 9]}]}, "jobs[0].time_window"),
        ({"jobs": [{"id": 1, "location_index": 1, "time_windows": [[9, 0]]}]}, "time_windows[0]"),
        (
            {"jobs": [{"id": 1, "location_index": 1, "delivery": [1, 2]}]},
            "jobs[0].delivery: 长度 2",
        ),
        ({"vehicles": [{"id": 7, "capacity": [2]}]}, "vehicles[0]: 需要 start 或 end"),
        ({"vehicles": [{"id": 7, "start_index": 0}]}, "vehicles[0].capacity: 缺少"),
        (
            {"vehicles": [{"id": 7, "start_index": 0, "capacity": [2], "max_tasks": 1}]},
            "vehicles[0].max_tasks",
        ),
        (
            {"vehicles": [{"id": 7, "start_index": 0, "capacity": [2], "speed_factor": 9}]},
            "vehicles[0].speed_factor",
        ),
        # Plan mode (tests/api/test_vroom_plan_mode.py) checks the vehicles' steps.
        ({"options": {"c": True}, "vehicles": [_PLANNED]}, "vehicles[0].steps[0].id"),
        ({"matrix": [[0, 1], [1]], "matrices": None}, "matrix[1]: 1 项"),
        ({"matrices": {"car": {"distances": [[0]]}}}, "matrices.car.durations: 缺少"),
    ],
)
def test_input_errors_name_the_field(change: dict[str, Any], field: str) -> None:
    request = matrix_request(**change)
    if change.get("vehicles") is None and "vehicles" in change:
        del request["vehicles"]
    answer = solved(request)
    assert answer["code"] == 2
    assert set(answer) == {"code", "error"}
    assert field in answer["error"]


def test_a_request_that_is_not_an_object_is_an_input_error() -> None:
    answer = solve_vroom_request([], time_limit=1, seed=0)  # type: ignore[arg-type]
    assert answer == {
        "code": 2,
        "error": "请求无效 / invalid request: 应为 JSON 对象 / must be a JSON object",
    }


# --- on the Beilin network ----------------------------------------------------------------


def decode(line: str) -> list[tuple[float, float]]:
    """An encoded polyline's ``(lon, lat)`` points."""
    values: list[int] = []
    shift = value = 0
    for char in line:
        byte = ord(char) - 63
        value |= (byte & 0x1F) << shift
        shift += 5
        if byte < 0x20:
            values.append(~(value >> 1) if value & 1 else value >> 1)
            shift = value = 0
    points, lat, lon = [], 0, 0
    for d_lat, d_lon in zip(values[::2], values[1::2], strict=True):
        lat, lon = lat + d_lat, lon + d_lon
        points.append((lon / 1e5, lat / 1e5))
    return points


def test_polyline_is_google_s_encoding() -> None:
    # The example of Google's "Encoded Polyline Algorithm Format" page.
    assert polyline([[-120.2, 38.5], [-120.95, 40.7], [-126.453, 43.252]]) == (
        "_p~iF~ps|U_ulLnnqC_mqNvxq`@"
    )


def test_a_beilin_request_is_routed_on_the_street_network(beilin_graph: nx.MultiDiGraph) -> None:
    request = {
        "vehicles": [{"id": 1, "start": BEILIN["bell"], "end": BEILIN["bell"]}],
        "jobs": [
            {"id": 10 + i, "location": BEILIN[name], "service": 120}
            for i, name in enumerate(("south_gate", "stele", "shuyuanmen"))
        ],
        "options": {"g": True},
    }
    answer = solved(request, graph=beilin_graph)
    assert answer["code"] == 0, answer
    (route,) = answer["routes"]
    assert sorted(s["id"] for s in route["steps"] if s["type"] == "job") == [10, 11, 12]
    assert route["distance"] > 2000  # by road, around the old city's gates
    points = decode(route["geometry"])
    assert len(points) > 10
    for a, b in ((points[0], BEILIN["bell"]), (points[-1], BEILIN["bell"])):
        assert float(geo.haversine_m(*a, *b)) < 100  # starts and ends at the bell tower
    assert "routing" in answer["summary"]["computing_times"]


def test_geometry_needs_the_network() -> None:
    answer = solved({**matrix_request(), "options": {"g": True}})
    assert answer["code"] == 2 and "options.g" in answer["error"]
