"""The problem as JSON (``shuyun solve``'s files, the stored plans): valid problems load and round
trip, invalid ones name field and value."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest

import optimizer.model
from dispatch.problem_json import MAX_LINES, ProblemInputError, problem_from_dict, problem_to_dict
from optimizer import (
    AMOUNT_MAX,
    COST_MAX,
    MATRIX_MAX,
    PRIORITY_MAX,
    RATE_MAX,
    TIME_MAX,
    Break,
    Lock,
    Problem,
    Shipment,
    ShipmentKind,
    Site,
    TimeWindow,
    Van,
    Visit,
    VisitType,
)

BASE: dict[str, Any] = {
    "sites": [
        {"id": "central", "location": [108.95, 34.25], "service": 600},
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
            "costs": {"per_km": 2, "per_hour": 60, "fixed": 150},
        }
    ],
    "shipments": [
        {"id": "s1", "pickup": "central", "delivery": "branch-001", "amount": [2, 24]},
        {
            "id": "s2",
            "pickup": "sp-1",
            "delivery": "branch-001",
            "amount": [1, 12],
            "kind": "hold",
            "deadline": 61200,
        },
    ],
}


def test_valid_problem_loads_and_round_trips() -> None:
    problem = problem_from_dict(BASE)
    assert [s.id for s in problem.sites] == ["central", "branch-001", "sp-1"]
    assert problem.sites[1].time_windows[1].early == 50400  # lunch closure 12:00-14:00
    assert problem.vans[0].breaks[0].duration == 2700
    again = problem_from_dict(problem_to_dict(problem))
    assert again == problem


def _with(path: list[Any], value: Any) -> Any:
    if not path:
        return [BASE]  # the whole problem replaced
    data = copy.deepcopy(BASE)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        # negative capacity: named by its JSON path and the value
        (
            ["vans", 0, "capacity"],
            [-1, 600],
            "vans.0.capacity.0: Input should be greater than or equal to 0 (got -1)",
        ),
        # a window that ends before it starts
        (
            ["sites", 1, "time_windows"],
            [[43200, 32400]],
            "sites.1.time_windows.0: 时间窗结束早于开始 / window ends before it starts "
            "(got [43200, 32400])",
        ),
        # the same for a van's shift and its break, each named by its JSON path
        (["vans", 0, "time_window"], [63000, 30600], "vans.0.time_window: 时间窗结束早于开始"),
        (
            ["vans", 0, "breaks", 0, "time_windows"],
            [[48600, 41400]],
            "vans.0.breaks.0.time_windows.0: 时间窗结束早于开始",
        ),
        # a missing field names its path; the parent object is shortened, not dumped
        (["vans", 0, "capacity"], None, "vans.0.capacity: Input should be a valid list"),
        # a problem that is not an object at all
        ([], None, "(top level): Input should be a valid dictionary"),
        # a shipment to a site that does not exist
        (["shipments", 0, "delivery"], "nowhere", "Shipment[s1].delivery names an unknown site"),
        # a matrix of the wrong shape
        (["matrices", "durations"], [[0, 1], [1, 0]], "Problem.durations has 2 rows, expected 3"),
        # a kind outside the glossary
        (["shipments", 0, "kind"], "teleport", "shipments.0.kind"),
        # an unknown field is refused, not ignored
        (["vans", 0, "colour"], "red", "vans.0.colour"),
        # amount vector of the wrong length
        (["shipments", 1, "amount"], [1], "Shipment[s2].amount has 1 dimensions, expected 2"),
        # a van based at an unknown depot
        (["vans", 0, "start"], "depot-x", "Van[van-1].start names an unknown site 'depot-x'"),
        # a JSON true in a matrix once became 1 and changed the route
        (
            ["matrices", "durations", 0, 1],
            True,
            "matrices.durations.0.1: Input should be a valid integer (got True)",
        ),
        # a JSON "300" once became 300
        (
            ["matrices", "durations", 0, 1],
            "300",
            "matrices.durations.0.1: Input should be a valid integer (got '300')",
        ),
        # fractions of a second
        (
            ["matrices", "durations", 2, 0],
            1.5,
            "matrices.durations.2.0: Input should be a valid integer (got 1.5)",
        ),
        # 1e30 once raised OverflowError inside the solver
        (
            ["matrices", "distances", 0, 1],
            1e30,
            "matrices.distances.0.1: Input should be a valid integer (got 1e+30)",
        ),
        (
            ["matrices", "distances", 0, 1],
            -1,
            "matrices.distances.0.1: Input should be greater than or equal to 0",
        ),
        (
            ["matrices", "distances", 0, 1],
            2**32,
            "matrices.distances.0.1: Input should be less than or equal to 4294967295",
        ),
        # a short row once said "must be 3x3, got 3x3": the row is named
        (["matrices", "durations", 1], [310, 0], "Problem.durations[1] has 2 entries, expected 3"),
        (
            ["matrices", "durations"],
            [[0, 1, 2]] * 2,
            "Problem.durations has 2 rows, expected 3 (one per site)",
        ),
        # NaN per_km once planned nothing and blamed the time limit
        (
            ["vans", 0, "costs", "per_km"],
            float("nan"),
            "vans.0.costs.per_km: Input should be a finite number (got nan)",
        ),
        (
            ["vans", 0, "costs", "per_km"],
            float("inf"),
            "vans.0.costs.per_km: Input should be a finite number (got inf)",
        ),
        (
            ["vans", 0, "costs", "per_hour"],
            1e300,
            "vans.0.costs.per_hour: Input should be less than or equal to 100000",
        ),
        # an infinite or 1e300 penalty, fixed cost, capacity or max_travel_time: once tracebacks
        (
            ["shipments", 0, "penalty"],
            float("inf"),
            "shipments.0.penalty: Input should be a finite number (got inf)",
        ),
        (
            ["shipments", 0, "penalty"],
            1e300,
            "shipments.0.penalty: Input should be less than or equal to 1000000 (got 1e+300)",
        ),
        (
            ["vans", 0, "costs", "fixed"],
            1e300,
            "vans.0.costs.fixed: Input should be less than or equal to 1000000",
        ),
        (
            ["vans", 0, "capacity", 0],
            float("inf"),
            "vans.0.capacity.0: Input should be a valid integer (got inf)",
        ),
        (
            ["vans", 0, "capacity", 0],
            10**300,
            "vans.0.capacity.0: Input should be less than or equal to 1000000000",
        ),
        (
            ["vans", 0, "max_travel_time"],
            1e300,
            "vans.0.max_travel_time: Input should be a valid integer (got 1e+300)",
        ),
        (
            ["vans", 0, "max_travel_time"],
            2**32,
            "vans.0.max_travel_time: Input should be less than or equal to 4294967295",
        ),
        # a priority above the objective's tiers, a word for a flag, a string for a time
        (
            ["shipments", 0, "priority"],
            101,
            "shipments.0.priority: Input should be less than or equal to 100",
        ),
        (
            ["shipments", 0, "deferrable"],
            "yes",
            "shipments.0.deferrable: Input should be a valid boolean (got 'yes')",
        ),
        (
            ["shipments", 0, "release"],
            "08:00",
            "shipments.0.release: Input should be a valid integer (got '08:00')",
        ),
        (
            ["shipments", 0, "pickup_service"],
            1.5,
            "shipments.0.pickup_service: Input should be a valid integer",
        ),
        (
            ["sites", 1, "time_windows", 0],
            [32400, 1.6e9],
            "sites.1.time_windows.0.1: Input should be a valid integer",
        ),
        # a location that is no place
        (
            ["sites", 0, "location"],
            [float("nan"), 34.25],
            "sites.0.location.0: Input should be a finite number",
        ),
        (["sites", 0, "location"], [34.25, 200.0], "Site[central].location must be [lon, lat]"),
        # an id that is a number
        (["vans", 0, "id"], 7, "vans.0.id: Input should be a valid string (got 7)"),
        # a lock's visit of a type that is neither end of a shipment
        (
            ["locks"],
            [{"van": "van-1", "visits": [{"shipment": "s1", "type": "lunch"}]}],
            "locks.0.visits.0.type: Input should be 'pickup' or 'delivery'",
        ),
        # a lock on a van the problem does not have
        (
            ["locks"],
            [{"van": "van-9", "visits": [{"shipment": "s1", "type": "pickup"}]}],
            "Problem.locks[0].van names an unknown van 'van-9'",
        ),
    ],
)
def test_invalid_problem_names_field_and_value(path: list[Any], value: Any, expected: str) -> None:
    with pytest.raises(ProblemInputError) as info:
        problem_from_dict(_with(path, value))
    message = str(info.value)
    assert message.startswith("问题 JSON 无效 / invalid problem JSON")
    assert expected in message
    assert all(len(line) < 200 for line in message.splitlines())


def test_missing_required_field_is_named_without_dumping_the_problem() -> None:
    data = copy.deepcopy(BASE)
    del data["vans"]
    with pytest.raises(ProblemInputError) as info:
        problem_from_dict(data)
    assert "vans: Field required" in str(info.value)
    assert len(str(info.value)) < 200


def test_refusals_are_listed_up_to_a_limit() -> None:
    # A matrix of strings is one refusal per entry: the message stays readable.
    data = copy.deepcopy(BASE)
    data["matrices"]["durations"] = data["matrices"]["distances"] = [["1", "2", "3"]] * 3
    with pytest.raises(ProblemInputError) as info:
        problem_from_dict(data)
    lines = str(info.value).splitlines()
    assert len(lines) == 1 + MAX_LINES + 1
    assert lines[1] == "  matrices.durations.0.0: Input should be a valid integer (got '1')"
    assert lines[-1] == f"  …另有 {18 - MAX_LINES} 处 / and {18 - MAX_LINES} more"


# --- every field of the model, both ways ----------------------------------------------------

#: A problem in which every field of every model type differs from its default.
FULL = Problem(
    sites=(
        Site(
            "central",
            location=(108.9535, 34.2560),
            service_duration=600,
            time_windows=(TimeWindow(28800, 43200), TimeWindow(50400, 64800)),
            name="碑林区图书馆",
        ),
        Site(
            "branch-001",
            location=(108.9480, 34.2545),
            service_duration=300,
            time_windows=(TimeWindow(32400, 64800),),
            name="柏树林分馆",
        ),
    ),
    durations=((0, 300), (310, 0)),
    distances=((0, 2000), (2100, 0)),
    vans=(
        Van(
            "van-1",
            "central",
            (40, 600),
            end="branch-001",
            shift=TimeWindow(30600, 63000),
            breaks=(Break("lunch", (TimeWindow(41400, 48600),), 2700),),
            max_route_duration=20000,
            cost_per_km=2.5,
            cost_per_hour=60.0,
            fixed_cost=150.0,
            skills=frozenset({"lift", "cold"}),
        ),
    ),
    shipments=(
        Shipment(
            "s1",
            "central",
            "branch-001",
            (2, 24),
            kind=ShipmentKind.HOLD,
            priority=3,
            release=30000,
            deadline=61200,
            deferrable=True,
            penalty=40.5,
            skills=frozenset({"lift"}),
            pickup_service=120,
            delivery_service=60,
        ),
    ),
    locks=(Lock("van-1", (Visit("s1", VisitType.PICKUP), Visit("s1", VisitType.DELIVERY))),),
)

#: Model types that are not part of a problem (plans, not the day's data).
NOT_IN_A_PROBLEM = {optimizer.model.PlannedRoute}


def _parts(value: object) -> Iterator[object]:
    """Every model object inside ``value`` (itself included), depth first."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield value
        for f in dataclasses.fields(value):
            if f.init:
                yield from _parts(getattr(value, f.name))
    elif isinstance(value, tuple | frozenset):
        for item in sorted(value, key=repr) if isinstance(value, frozenset) else value:
            yield from _parts(item)


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def test_full_problem_sets_every_field_of_every_model_type() -> None:
    model_types = {
        obj
        for obj in vars(optimizer.model).values()
        if isinstance(obj, type) and dataclasses.is_dataclass(obj)
    }
    assert {type(p) for p in _parts(FULL)} == model_types - NOT_IN_A_PROBLEM
    for part in _parts(FULL):
        for f in dataclasses.fields(part):
            if f.init and _default(f) is not dataclasses.MISSING:
                assert getattr(part, f.name) != _default(f), f"{type(part).__name__}.{f.name}"


def test_every_field_survives_the_json_round_trip() -> None:
    again = problem_from_dict(json.loads(json.dumps(problem_to_dict(FULL))))
    # Innermost first, so that a lost field is named by its own type.
    for before, after in reversed(list(zip(_parts(FULL), _parts(again), strict=True))):
        for f in dataclasses.fields(before):
            name = f"{type(before).__name__}.{f.name}"
            assert getattr(after, f.name) == getattr(before, f.name), name
    assert again == FULL


@pytest.mark.parametrize(
    "change",
    [
        {},  # the defaults: open windows, no end site, no limits
        {"time": 1_600_000_000},  # UNIX timestamps
        {"time": TIME_MAX},  # the last representable second
    ],
)
def test_extreme_values_survive_the_round_trip(change: dict[str, int]) -> None:
    t = change.get("time", 0)
    problem = Problem(
        sites=(Site("a", time_windows=(TimeWindow(t, TIME_MAX),)), Site("b")),
        durations=((0, MATRIX_MAX), (1, 0)),
        distances=((0, MATRIX_MAX), (1, 0)),
        vans=(
            Van(
                "v",
                "a",
                (AMOUNT_MAX,),
                cost_per_km=RATE_MAX,
                cost_per_hour=RATE_MAX,
                fixed_cost=COST_MAX,
            ),
        ),
        shipments=(
            Shipment(
                "s", "a", "b", (AMOUNT_MAX,), priority=PRIORITY_MAX, release=t, penalty=COST_MAX
            ),
        ),
    )
    assert problem_from_dict(json.loads(json.dumps(problem_to_dict(problem)))) == problem


def test_a_vroom_request_is_refused_with_the_way_to_read_it() -> None:
    """VROOM's own request given where ours is expected: the refusal says how to read it."""
    request = {
        "vehicles": [{"id": 1, "start_index": 0, "capacity": [4]}],
        "shipments": [
            {"pickup": {"id": 1, "location_index": 1}, "delivery": {"id": 2, "location_index": 2}}
        ],
        "matrices": {"car": {"durations": [[0, 1, 1], [1, 0, 1], [1, 1, 0]]}},
    }
    with pytest.raises(ProblemInputError) as info:
        problem_from_dict(request)
    message = str(info.value)
    assert message.startswith("问题 JSON 无效 / invalid problem JSON")
    assert "vehicles: Extra inputs are not permitted" in message
    hint = message.splitlines()[1]  # first, before the fields it explains
    assert "--vroom" in hint and hint.endswith("POST it to /vroom")


def test_our_own_problem_gets_no_vroom_hint() -> None:
    data = copy.deepcopy(BASE)
    del data["vans"]
    with pytest.raises(ProblemInputError) as info:
        problem_from_dict(data)
    assert "--vroom" not in str(info.value)
