"""The edit tests' small named day, and the dispatcher's plan of it.

Four sites on one street, ``x`` km from the central library::

    west (-4) ---- central (0) ---- east (+4) ---- kiosk (+8)

driven at 24 km/h (150 s a km), except the way back from east to central: a one-way street
makes it a 6 km detour. Every stop takes 5 minutes (the site's service). Opening hours:
central, west and east 08:00-20:00, the kiosk 08:00-09:00 only (a smart kiosk refilled early in
the morning). Two vans at central, shift 08:00-18:00: ``van_1`` carries 6 crates, the small
``van_2`` 3.

Shipments (crates): s1 central→east (2, new stock), s2 central→kiosk (2, new stock), s3
west→east (1, a hold due by 09:00), s4 west→central (1, return home), s5 kiosk→west (3, rebalance,
deferrable). The dispatcher's plan, ``PLAN`` (s5 left for tomorrow)::

    van_1: a1 pickup central s1 · a2 pickup west s3 s4 · a3 delivery east s1 s3 ·
           a4 delivery central s4                     (4 + 8 + 6 = 18 km)
    van_2: b1 pickup central s2 · b2 delivery kiosk s2    (8 + 8 = 16 km)
"""

from __future__ import annotations

from dispatch.plan import Plan, PlanRoute, Stop
from optimizer import Problem, Shipment, ShipmentKind, Site, TimeWindow, Van, VisitType

H = 3600
KM = 1000
PER_KM = 150  # seconds
SERVICE = 300
X = {"central": 0, "west": -4, "east": 4, "kiosk": 8}
SITES = tuple(X)


def h(hours: int, minutes: int = 0) -> int:
    return hours * H + minutes * 60


def km(a: str, b: str) -> int:
    """Kilometres from ``a`` to ``b`` on the day's street."""
    if (a, b) == ("east", "central"):
        return 6  # the one-way detour
    return abs(X[a] - X[b])


def problem(*, van_2_capacity: int = 3, shift_end: int = h(18)) -> Problem:
    """The day's problem (see the module docstring)."""
    hours = {"kiosk": (TimeWindow(h(8), h(9)),)}
    sites = tuple(
        Site(
            code, service_duration=SERVICE, time_windows=hours.get(code, (TimeWindow(h(8), h(20)),))
        )
        for code in SITES
    )
    distances = tuple(tuple(km(a, b) * KM for b in SITES) for a in SITES)
    durations = tuple(tuple(km(a, b) * PER_KM for b in SITES) for a in SITES)
    shift = TimeWindow(h(8), shift_end)
    vans = (
        Van("van_1", "central", (6,), shift=shift),
        Van("van_2", "central", (van_2_capacity,), shift=shift),
    )
    new = ShipmentKind.NEW_STOCK
    shipments = (
        Shipment("s1", "central", "east", (2,), kind=new),
        Shipment("s2", "central", "kiosk", (2,), kind=new),
        Shipment("s3", "west", "east", (1,), kind=ShipmentKind.HOLD, deadline=h(9)),
        Shipment("s4", "west", "central", (1,), kind=ShipmentKind.RETURN_HOME),
        Shipment("s5", "kiosk", "west", (3,), kind=ShipmentKind.REBALANCE, deferrable=True),
    )
    return Problem(sites, durations, distances, vans, shipments)


P, D = VisitType.PICKUP, VisitType.DELIVERY

VAN_1 = PlanRoute(
    "van_1",
    (
        Stop("a1", P, "central", ("s1",)),
        Stop("a2", P, "west", ("s3", "s4")),
        Stop("a3", D, "east", ("s1", "s3")),
        Stop("a4", D, "central", ("s4",)),
    ),
)
VAN_2 = PlanRoute("van_2", (Stop("b1", P, "central", ("s2",)), Stop("b2", D, "kiosk", ("s2",))))


def plan(**changes: int) -> Plan:
    """The dispatcher's plan of the day (``problem(**changes)``), s5 deferred."""
    return Plan(problem(**changes), (VAN_1, VAN_2), {"s5": "deferred_capacity"})


def ids(plan: Plan, van: str) -> list[str]:
    """The van's stop ids, in order."""
    return [stop.id for stop in plan.route(van).stops]
