"""The demo day's fleet and workload, turned into the optimiser's problem model.

Demo data, clearly labelled as such (演示数据): the vans, their shifts and the
generated shipments are plausible for a district library network but invented.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from dispatch.demo_sites import HOUR, DemoSite
from dispatch.kinds import CRATE_KG, shipment_policy
from optimizer import Break, Problem, Shipment, ShipmentKind, Site, TimeWindow, Van

VAN_CAPACITY = (40, 600)  # crates, kg: a small panel van (e.g. a 1.5 t Wuling/Jinbei class)


@dataclass(frozen=True, slots=True)
class DemoFleet:
    vans: tuple[Van, ...]


def demo_vans(depot: str = "central", count: int = 3) -> tuple[Van, ...]:
    """``count`` vans based at the central library, 08:30–17:30 shifts, a 45-minute lunch break."""
    lunch = Break(
        id="lunch",
        time_windows=(TimeWindow(11 * HOUR + 1800, 13 * HOUR + 1800),),
        duration=45 * 60,
    )
    return tuple(
        Van(
            id=f"van-{i + 1}",
            start=depot,
            capacity=VAN_CAPACITY,
            shift=TimeWindow(8 * HOUR + 1800, 17 * HOUR + 1800),
            breaks=(lunch,),
            max_route_duration=9 * HOUR,
            cost_per_km=2.0,  # fuel and wear, yuan per km
            cost_per_hour=60.0,  # driver's time, yuan per hour
            fixed_cost=150.0,  # a van taken out for the day
        )
        for i in range(count)
    )


def site_model(site: DemoSite) -> Site:
    """A demo site as an optimiser ``Site`` with its opening windows."""
    return Site(
        id=site.id,
        location=(site.lon, site.lat),
        service_duration=site.service_seconds,
        time_windows=tuple(TimeWindow(a, b) for a, b in site.hours),
        name=site.name_zh,
    )


def generated_shipments(
    sites: Sequence[DemoSite], *, count: int = 150, seed: int = 7
) -> tuple[Shipment, ...]:
    """A mixed day of transfers between the demo sites (used when no catalogue is loaded).

    Priority, deferrability, penalty and deadline come from the one policy table
    (:data:`dispatch.kinds.TRANSFER_POLICY`), as the dispatch adapter reads them: holds are
    not deferrable and every generated hold is due today, on the destination's shelf by its
    closing time; returns home, new stock and rebalancing may wait for tomorrow at their
    penalty per crate. A crate weighs :data:`~dispatch.kinds.CRATE_KG`.
    """
    rng = random.Random(seed)
    central = next(s for s in sites if s.kind == "central")
    others = [s for s in sites if s.kind != "central"]
    branches = [s for s in sites if s.kind == "branch"]
    kinds = [ShipmentKind.HOLD] * 45 + [ShipmentKind.RETURN_HOME] * 60
    kinds += [ShipmentKind.NEW_STOCK] * 30 + [ShipmentKind.REBALANCE] * 15
    shipments = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        if kind == ShipmentKind.NEW_STOCK:
            origin, dest = central, rng.choice(others)
            crates = rng.randint(1, 3)
        elif kind == ShipmentKind.RETURN_HOME:
            origin, dest = rng.sample(others, 2)
            crates = 1
        elif kind == ShipmentKind.REBALANCE:
            origin, dest = rng.sample(branches, 2)
            crates = rng.randint(1, 2)
        else:
            origin, dest = rng.sample([central, *others], 2)
            crates = 1
        rule = shipment_policy(kind)
        shipments.append(
            Shipment(
                id=f"s{i + 1:03d}",
                pickup=origin.id,
                delivery=dest.id,
                amount=(crates, math.ceil(crates * CRATE_KG)),
                kind=kind,
                priority=rule.priority,
                deadline=max(close for _, close in dest.hours) if rule.binds_van_day else None,
                deferrable=rule.deferrable,
                penalty=rule.penalty_per_crate * crates,
            )
        )
    return tuple(shipments)


def build_problem(
    sites: Sequence[DemoSite],
    durations: Sequence[Sequence[int]],
    distances: Sequence[Sequence[int]],
    vans: Sequence[Van],
    shipments: Sequence[Shipment],
) -> Problem:
    """The optimiser's problem for a day: matrices indexed like ``sites``."""
    return Problem(
        sites=tuple(site_model(s) for s in sites),
        durations=durations,  # type: ignore[arg-type]
        distances=distances,  # type: ignore[arg-type]
        vans=tuple(vans),
        shipments=tuple(shipments),
    )
