"""``optimizer._pyvrp.polish``: PyVRP improves a plan of a day with lunch closures and a
break, each visit kept in the opening window it had, breaks placed by our own timing."""

from __future__ import annotations

import pytest

from optimizer import (
    Break,
    PlannedRoute,
    Problem,
    Shipment,
    Site,
    TimeWindow,
    Van,
    Visit,
    VisitType,
    check,
)
from optimizer._pyvrp import polish

H = 3600
LUNCH_CLOSED = (TimeWindow(9 * H, 12 * H), TimeWindow(14 * H, 18 * H))


def four_branches() -> Problem:
    """A depot and branches a, b, c on a line, 10 minutes (5 km) per step; one van."""
    sites = (
        Site("central"),
        *(Site(name, service_duration=300, time_windows=LUNCH_CLOSED) for name in "abc"),
    )
    step = [[abs(i - j) for j in range(4)] for i in range(4)]
    return Problem(
        sites=sites,
        durations=[[600 * d for d in row] for row in step],
        distances=[[5000 * d for d in row] for row in step],
        vans=(
            Van(
                "van-1",
                start="central",
                capacity=(10,),
                shift=TimeWindow(8 * H, 18 * H),
                breaks=(Break("lunch", (TimeWindow(11 * H + 1800, 13 * H + 1800),), 2700),),
                cost_per_km=2.0,
                cost_per_hour=60.0,
                fixed_cost=150.0,
            ),
        ),
        shipments=(
            Shipment("a_to_c", pickup="a", delivery="c", amount=(1,)),
            Shipment("b_to_c", pickup="b", delivery="c", amount=(1,)),
        ),
    )


def visits(*pairs: tuple[str, str]) -> tuple[Visit, ...]:
    return tuple(Visit(s, VisitType(t)) for s, t in pairs)


def test_a_zigzag_is_straightened_and_keeps_every_rule() -> None:
    problem = four_branches()
    # a -> b -> c is the straight line; this plan drives c and back in between.
    zigzag = PlannedRoute(
        "van-1",
        visits(
            ("a_to_c", "pickup"),
            ("a_to_c", "delivery"),
            ("b_to_c", "pickup"),
            ("b_to_c", "delivery"),
        ),
    )
    assert check(problem, [zigzag]) == []
    routes = polish(problem, [zigzag], time_limit=0.5, seed=1)
    assert routes is not None
    assert check(problem, routes) == []
    order = [(v.shipment, v.type.value) for r in routes for v in r.visits]
    assert order.index(("b_to_c", "pickup")) < order.index(("a_to_c", "delivery"))


def test_a_shipment_left_out_is_planned_by_the_polish() -> None:
    problem = four_branches()
    partial = PlannedRoute("van-1", visits(("a_to_c", "pickup"), ("a_to_c", "delivery")))
    routes = polish(problem, [partial], time_limit=0.5, seed=1)
    assert routes is not None
    assert {v.shipment for r in routes for v in r.visits} == {"a_to_c", "b_to_c"}
    assert check(problem, routes) == []


def test_time_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="polish time_limit must be > 0"):
        polish(four_branches(), [], time_limit=0, seed=1)
