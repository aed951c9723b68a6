"""The one route representation inside ``solve``: van and shipment indices, breaks placed.

``solve`` searches the *screened* problem (``Screened.problem``: the shipments some van can
serve alone). A ``PlanRoute`` names its van by index into ``problem.vans`` and each visit as
``(k, VisitType)`` with ``k`` an index into the screened problem's ``shipments``;
``break_gaps`` says after which visit each break is taken (``None``: where our timing puts
it). ``PlannedRoute`` (ids) is only met at the edges: ``initial_routes`` coming in, the
specialists' plans (``optimizer._warm``), ``check``. Each route of the answer is timed
once (``optimizer._simulate.best_timing``), and that timing makes its steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from optimizer.model import PlannedRoute, Problem, Shipment, Visit, VisitType

RawVisit = tuple[int, VisitType]
Gaps = tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class PlanRoute:
    """One van's route: ``van`` indexes ``Problem.vans``, visits index its shipments."""

    van: int
    visits: tuple[RawVisit, ...]
    break_gaps: Gaps | None = None

    def shipments(self) -> set[int]:
        return {k for k, _ in self.visits}

    def gaps(self) -> dict[str, int] | None:
        return None if self.break_gaps is None else dict(self.break_gaps)


Plan = tuple[PlanRoute, ...]


def as_gaps(gaps: dict[str, int] | None) -> Gaps | None:
    return None if gaps is None else tuple(sorted(gaps.items()))


def served(plan: Iterable[PlanRoute]) -> set[int]:
    return {k for route in plan for k, _ in route.visits}


def route_visits(problem: Problem, route: PlanRoute) -> list[tuple[Shipment, VisitType]]:
    return [(problem.shipments[k], vtype) for k, vtype in route.visits]


def from_planned(problem: Problem, routes: Sequence[PlannedRoute], notes: list[str]) -> Plan:
    """The usable part of ``routes`` (ids) for ``problem``: whole pairs, in order, once each.

    What is left out is said in ``notes``: unknown vans, a van's second route, repeated or
    unpaired visits, shipments ``problem`` does not hold (no van can serve them alone).
    """
    van_index = {v.id: i for i, v in enumerate(problem.vans)}
    ship_index = {s.id: k for k, s in enumerate(problem.shipments)}
    out: dict[int, PlanRoute] = {}
    used: set[str] = set()
    for route in routes:
        v = van_index.get(route.van)
        if v is None:
            notes.append(f"warm start names an unknown van {route.van!r}: ignored")
            continue
        if v in out:
            notes.append(f"van {route.van} has a second route: ignored")
            continue
        order = [(visit.shipment, visit.type) for visit in route.visits]
        position = {item: i for i, item in reversed(list(enumerate(order)))}
        visits: list[RawVisit] = []
        for i, (sid, vtype) in enumerate(order):
            if position[(sid, vtype)] != i:
                notes.append(f"{vtype.value} of {sid} repeated on van {route.van}: ignored")
                continue
            if sid not in ship_index:
                notes.append(f"{sid} cannot be served by any van: left out of the warm start")
                continue
            pickup = position.get((sid, VisitType.PICKUP))
            delivery = position.get((sid, VisitType.DELIVERY))
            if pickup is None or delivery is None or pickup > delivery or sid in used:
                if vtype == VisitType.PICKUP:
                    notes.append(f"{sid} has no pickup-then-delivery on van {route.van}: ignored")
                continue
            if vtype == VisitType.DELIVERY:
                used.add(sid)
            visits.append((ship_index[sid], vtype))
        if visits:
            out[v] = PlanRoute(v, tuple(visits))
    return tuple(out[v] for v in sorted(out))


def to_planned(problem: Problem, plan: Iterable[PlanRoute]) -> list[PlannedRoute]:
    """``plan`` with ids, for ``check`` and the specialists."""
    return [
        PlannedRoute(
            problem.vans[route.van].id,
            tuple(Visit(problem.shipments[k].id, vtype) for k, vtype in route.visits),
        )
        for route in plan
    ]
