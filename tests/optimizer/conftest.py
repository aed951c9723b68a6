"""Small named instances whose best plans are known by hand.

Times are seconds since midnight (``h(9, 30)`` is 09:30); matrices are tiny and
hand-written so each test can be checked with a pencil.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import pytest

from optimizer import (
    UNREACHABLE,
    Break,
    Problem,
    Shipment,
    ShipmentKind,
    Site,
    SolveParams,
    TimeWindow,
    Van,
)

# Helpers reach the tests as fixtures, never by ``import conftest``: every test
# package has a conftest module of that name.


@pytest.fixture
def fast() -> SolveParams:
    """Tiny instances reach their optimum within a few hundred solutions: a work
    limit keeps tests fast and reproducible; the time limit is only a safety net."""
    return SolveParams(warm_start=False, work_limit=300)


@pytest.fixture
def make_random() -> Callable[..., Problem]:
    """``random_problem`` (below), for tests that need a bigger instance."""
    return random_problem


def h(hours: int, minutes: int = 0) -> int:
    return hours * 3600 + minutes * 60


def uniform(n: int, seconds: int, metres: int) -> tuple[list[list[int]], list[list[int]]]:
    """Durations and distances with the same value between any two distinct sites."""
    durations = [[0 if i == j else seconds for j in range(n)] for i in range(n)]
    distances = [[0 if i == j else metres for j in range(n)] for i in range(n)]
    return durations, distances


LUNCH = (TimeWindow(h(9), h(12)), TimeWindow(h(14), h(17)))
"""A branch open 09:00-12:00 and 14:00-17:00, closed for lunch in between."""


@pytest.fixture
def lunch_wait() -> Problem:
    """A hold to fetch at service point sp_1 at 11:45 sharp, for branch_a 10 minutes away.

    The van leaves sp_1 at 11:45 and reaches branch_a at 11:55, but
    handing over takes 10 minutes and the branch closes at 12:00: no service
    runs across the lunch closure, so the van waits until 14:00.
    """
    sites = (
        Site("central"),
        Site("branch_a", service_duration=600, time_windows=LUNCH),
        Site("sp_1", time_windows=(TimeWindow(h(11, 45), h(11, 45)),)),
    )
    durations, distances = uniform(3, 600, 4000)
    van = Van("van_1", "central", (10,), shift=TimeWindow(h(8), h(18)))
    hold = Shipment("hold_1", "sp_1", "branch_a", (1,), kind=ShipmentKind.HOLD)
    return Problem(sites, durations, distances, (van,), (hold,))


@pytest.fixture
def late_hold() -> Problem:
    """A hold that cannot reach branch_a before its 09:00 deadline.

    It is released at branch_b at 08:50; loading takes 5 minutes and the drive
    10 more, so the earliest delivery starts at 09:05.
    """
    sites = (Site("central"), Site("branch_a"), Site("branch_b"))
    durations, distances = uniform(3, 600, 4000)
    van = Van("van_1", "central", (10,), shift=TimeWindow(h(8), h(18)))
    hold = Shipment(
        "hold_late",
        "branch_b",
        "branch_a",
        (1,),
        kind=ShipmentKind.HOLD,
        release=h(8, 50),
        deadline=h(9),
        pickup_service=300,
    )
    return Problem(sites, durations, distances, (van,), (hold,))


@pytest.fixture
def two_crate_loads() -> Problem:
    """Two transfers of 8 crates each, two vans of 10 crates: each needs its own van."""
    sites = (Site("central"), Site("branch_a"), Site("branch_b"))
    durations, distances = uniform(3, 600, 4000)
    vans = tuple(Van(f"van_{i}", "central", (10, 200), fixed_cost=50) for i in (1, 2))
    shipments = (
        Shipment("new_a", "central", "branch_a", (8, 80), kind=ShipmentKind.NEW_STOCK),
        Shipment("new_b", "central", "branch_b", (8, 80), kind=ShipmentKind.NEW_STOCK),
    )
    return Problem(sites, durations, distances, vans, shipments)


@pytest.fixture
def one_way() -> Problem:
    """One-way streets: central -> branch_a -> branch_b -> central is 3 short legs.

    Every leg against the one-way direction is ten times longer, so the van
    must deliver at branch_a before branch_b.
    """
    sites = (Site("central"), Site("branch_a"), Site("branch_b"))
    short, long = 300, 3000
    durations = [[0, short, long], [long, 0, short], [short, long, 0]]
    distances = [[v * 10 for v in row] for row in durations]
    van = Van("van_1", "central", (10,))
    shipments = (
        Shipment("to_b", "central", "branch_b", (1,)),
        Shipment("to_a", "central", "branch_a", (1,)),
    )
    return Problem(sites, durations, distances, (van,), shipments)


@pytest.fixture
def lunch_break() -> Problem:
    """A van busy from 10:00 to past 13:00, with a 30-minute break due 12:00-12:30."""
    sites = (
        Site("central"),
        Site("branch_a", time_windows=(TimeWindow(h(10), h(17)),)),
        Site("branch_b", time_windows=(TimeWindow(h(13), h(17)),)),
    )
    durations, distances = uniform(3, 1800, 15000)
    van = Van(
        "van_1",
        "central",
        (10,),
        shift=TimeWindow(h(9), h(18)),
        breaks=(Break("lunch", (TimeWindow(h(12), h(12, 30)),), 1800),),
    )
    shipments = (
        Shipment("a_to_b", "branch_a", "branch_b", (2,), pickup_service=600),
        Shipment("c_to_a", "central", "branch_a", (1,)),
    )
    return Problem(sites, durations, distances, (van,), shipments)


def random_problem(
    seed: int, *, sites: int = 12, shipments: int = 20, vans: int = 4, lunch: bool = True
) -> Problem:
    """A random but metric instance: points in a 10 km square, 30 km/h."""
    rng = random.Random(seed)
    points = [(rng.uniform(0, 10000), rng.uniform(0, 10000)) for _ in range(sites)]
    site_list = [Site("central", service_duration=300)]
    for i in range(1, sites):
        windows = LUNCH if lunch and i % 3 == 0 else (TimeWindow(h(9), h(17)),)
        site_list.append(Site(f"site_{i}", service_duration=120, time_windows=windows))
    distances = [[round(math.dist(a, b) * 1.3) for b in points] for a in points]
    durations = [[round(d / 8.3) for d in row] for row in distances]
    van_list = tuple(
        Van(
            f"van_{v}",
            "central",
            (12, 300),
            shift=TimeWindow(h(8), h(18)),
            cost_per_km=2.0,
            cost_per_hour=30.0,
            fixed_cost=80.0,
        )
        for v in range(vans)
    )
    shipment_list = []
    for k in range(shipments):
        a, b = rng.sample(range(sites), 2)
        shipment_list.append(
            Shipment(
                f"t_{k}",
                site_list[a].id,
                site_list[b].id,
                (rng.randint(1, 4), rng.randint(5, 60)),
                deferrable=k % 4 == 0,
                penalty=40.0,
            )
        )
    return Problem(tuple(site_list), durations, distances, van_list, tuple(shipment_list))


@pytest.fixture
def check_day() -> Problem:
    """A day for checking hand-made plans: every rule can be broken by a short route.

    Sites 10 minutes (4 km) apart; branch_a has a lunch closure; the island has no road.
    Vans: van_1 (all day), van_2 (on duty 08:00-09:00 only), van_3 (30-minute routes,
    tail lift), van_4 (a break due before its shift starts).
    """
    sites = (
        Site("central"),
        Site("branch_a", time_windows=LUNCH),
        Site("branch_b"),
        Site("island"),
    )
    durations, distances = uniform(4, 600, 4000)
    for matrix in (durations, distances):
        for i in range(3):
            matrix[i][3] = matrix[3][i] = UNREACHABLE
    day = TimeWindow(h(8), h(18))
    vans = (
        Van("van_1", "central", (10,), shift=day),
        Van("van_2", "central", (10,), shift=TimeWindow(h(8), h(9))),
        Van("van_3", "central", (10,), shift=day, max_route_duration=1800, skills={"lift"}),
        Van(
            "van_4",
            "central",
            (10,),
            shift=TimeWindow(h(9), h(18)),
            breaks=(Break("early_tea", (TimeWindow(h(8), h(8, 10)),), 600),),
        ),
    )
    shipments = (
        Shipment("big", "central", "branch_a", (8,)),
        Shipment("small", "central", "branch_b", (4,)),
        Shipment("hold", "central", "branch_b", (1,), kind=ShipmentKind.HOLD, deadline=h(8, 15)),
        Shipment("evening", "central", "branch_a", (1,), release=h(16, 55)),
        Shipment("lifty", "central", "branch_a", (1,), skills={"lift"}),
        Shipment("to_island", "central", "island", (1,)),
    )
    return Problem(sites, durations, distances, vans, shipments)
