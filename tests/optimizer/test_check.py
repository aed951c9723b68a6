"""check(): a hand-made plan is annotated with the rules it breaks, never rejected."""

from __future__ import annotations

import dataclasses

import pytest

from optimizer import (
    Break,
    PlannedRoute,
    Problem,
    Shipment,
    TimeWindow,
    Van,
    Violation,
    ViolationKind,
    Visit,
    VisitType,
    check,
)

K = ViolationKind


def h(hours: int, minutes: int = 0) -> int:
    return hours * 3600 + minutes * 60


def p(shipment: str) -> Visit:
    return Visit(shipment, VisitType.PICKUP)


def d(shipment: str) -> Visit:
    return Visit(shipment, VisitType.DELIVERY)


def route(van: str, *visits: Visit) -> PlannedRoute:
    return PlannedRoute(van, visits)


def found(violations: list[Violation]) -> set[tuple[str, str | None, str | None, int | None]]:
    """(kind, van, shipment, step) of every violation but the unplanned shipments."""
    return {(v.kind.value, v.van, v.shipment, v.step) for v in violations if v.kind != K.UNPLANNED}


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        # a route for a van the problem does not have
        ([route("van_9", p("big"), d("big"))], {("unknown_van", "van_9", None, None)}),
        # a visit of a shipment the problem does not have
        ([route("van_1", p("ghost"))], {("unknown_shipment", "van_1", "ghost", 0)}),
        # the same pickup twice
        (
            [route("van_1", p("small"), p("small"), d("small"))],
            {("duplicate", "van_1", "small", 1)},
        ),
        # one van, two routes
        (
            [route("van_1", p("small"), d("small")), route("van_1", p("big"), d("big"))],
            {("duplicate", "van_1", None, None)},
        ),
        # delivered before it is picked up
        ([route("van_1", d("small"), p("small"))], {("precedence", "van_1", "small", 0)}),
        # picked up by one van, delivered by another: reported once, at the pickup
        (
            [route("van_1", p("small")), route("van_2", d("small"))],
            {("precedence", "van_1", "small", 0)},
        ),
        # picked up and never delivered
        ([route("van_1", p("small"))], {("precedence", "van_1", "small", 0)}),
        # 8 + 4 crates in a 10-crate van
        (
            [route("van_1", p("big"), p("small"), d("big"), d("small"))],
            {("capacity", "van_1", "small", 1)},
        ),
        # branch_a opens at 09:00, so the hold reaches branch_b long after 08:15
        (
            [route("van_1", p("big"), d("big"), p("hold"), d("hold"))],
            {("deadline", "van_1", "hold", 3)},
        ),
        # released 16:55, reaches branch_a at 17:05, after closing time
        ([route("van_1", p("evening"), d("evening"))], {("time_window", "van_1", "evening", 1)}),
        # van_2 is off duty at 09:00, branch_a opens at 09:00
        ([route("van_2", p("big"), d("big"))], {("shift", "van_2", None, None)}),
        # two trips take 40 minutes, van_3 may drive 30
        (
            [route("van_3", p("small"), d("small"), p("lifty"), d("lifty"))],
            {("max_duration", "van_3", None, None)},
        ),
        # van_1 has no tail lift
        ([route("van_1", p("lifty"), d("lifty"))], {("skills", "van_1", "lifty", 0)}),
        # van_4's tea break is due before its shift starts
        ([route("van_4", p("small"), d("small"))], {("missing_break", "van_4", None, None)}),
        # no road to the island, nor back
        (
            [route("van_1", p("to_island"), d("to_island"))],
            {("unreachable", "van_1", "to_island", 1), ("unreachable", "van_1", None, None)},
        ),
    ],
)
def test_each_broken_rule_is_named(
    check_day: Problem, plan: list[PlannedRoute], expected: set[tuple]
) -> None:
    assert found(check(check_day, plan)) == expected


def test_a_feasible_plan_has_no_violations(check_day: Problem) -> None:
    problem = dataclasses.replace(check_day, shipments=check_day.shipments[:2])
    plan = [route("van_1", p("small"), d("small"), p("big"), d("big"))]
    assert check(problem, plan) == []


def test_shipments_in_no_route_are_unplanned(check_day: Problem) -> None:
    violations = check(check_day, [route("van_1", p("small"), d("small"))])
    unplanned = [v.shipment for v in violations if v.kind == K.UNPLANNED]
    assert unplanned == ["big", "hold", "evening", "lifty", "to_island"]


def test_a_bad_plan_lists_every_violation_with_both_languages(check_day: Problem) -> None:
    plan = [
        route("van_1", p("big"), p("small"), d("big"), d("small"), p("hold"), d("hold")),
        route("van_2", p("ghost"), d("lifty")),
        route("van_7"),
    ]
    violations = check(check_day, plan)
    assert found(violations) == {
        ("capacity", "van_1", "small", 1),
        ("deadline", "van_1", "hold", 5),
        ("unknown_shipment", "van_2", "ghost", 0),
        ("precedence", "van_2", "lifty", 1),
        ("shift", "van_2", None, None),  # branch_a opens when van_2's shift ends
        ("unknown_van", "van_7", None, None),
    }
    assert {v.shipment for v in violations if v.kind == K.UNPLANNED} == {"evening", "to_island"}
    deadline = next(v for v in violations if v.kind == K.DEADLINE)
    assert "08:15" in deadline.message_zh and "截止" in deadline.message_zh
    assert "deadline 08:15" in deadline.message_en
    assert all(v.message_zh and v.message_en for v in violations)


def test_a_break_goes_where_it_breaks_nothing(check_day: Problem) -> None:
    # Released 11:40, due at branch_b by 11:55: the 11:00-12:00 break must wait
    # until after the delivery, not start as soon as its window opens.
    hold = Shipment("hold", "central", "branch_b", (1,), release=h(11, 40), deadline=h(11, 55))
    van = Van(
        "van_1",
        "central",
        (10,),
        shift=TimeWindow(h(9), h(18)),
        breaks=(Break("lunch", (TimeWindow(h(11), h(12)),), 1800),),
    )
    problem = dataclasses.replace(check_day, vans=(van,), shipments=(hold,))
    assert check(problem, [route("van_1", p("hold"), d("hold"))]) == []
