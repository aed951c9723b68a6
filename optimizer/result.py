"""What ``solve`` returns: routes made of steps, a summary, and the unassigned work.

Nothing is silently dropped: every shipment of the problem is either in exactly
one route (a pickup step and a later delivery step on the same van) or in
``Result.unassigned`` with a reason from ``UnassignedReason``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class StepType(StrEnum):
    START = "start"
    PICKUP = "pickup"
    DELIVERY = "delivery"
    BREAK = "break"
    END = "end"


class UnassignedReason(StrEnum):
    """Closed vocabulary of why a shipment is not planned today."""

    DEFERRED_CAPACITY = "deferred_capacity"  # feasible alone, but no room in today's fleet
    TIME_WINDOW = "time_window"  # no van can reach pickup and delivery inside opening hours
    DEADLINE = "deadline"  # the delivery cannot start before the hold's deadline
    CAPACITY_EXCEEDS_VAN = "capacity_exceeds_van"  # larger than every van's capacity
    UNREACHABLE = "unreachable"  # no path on the street network
    SHIFT = "shift"  # cannot fit in any driver's shift / max route duration
    SKILLS = "skills"  # no van has every skill the shipment needs
    NO_VEHICLE = "no_vehicle"  # the problem has no van at all
    TIME_LIMIT = "time_limit"  # the time limit came before a plan for it
    LOCK_INFEASIBLE = "lock_infeasible"  # cannot be served as a dispatcher locked it


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a route. Times in seconds since midnight, distance in metres."""

    type: StepType
    site: str | None  # None for a break taken on the road
    shipments: tuple[str, ...] = ()
    arrival: int = 0
    waiting: int = 0
    service_start: int = 0
    departure: int = 0
    load: tuple[int, ...] = ()
    distance: int = 0
    break_id: str | None = None


@dataclass(frozen=True, slots=True)
class Route:
    van: str
    steps: tuple[Step, ...]
    distance: int
    duration: int
    cost: float

    @property
    def shipments(self) -> tuple[str, ...]:
        return tuple(
            s for step in self.steps if step.type == StepType.PICKUP for s in step.shipments
        )


@dataclass(frozen=True, slots=True)
class Unassigned:
    shipment: str
    reason: UnassignedReason
    detail: str = ""


@dataclass(frozen=True, slots=True)
class VanUse:
    van: str
    distance: int
    duration: int
    utilisation: tuple[float, ...]  # peak load / capacity, per dimension


@dataclass(frozen=True, slots=True)
class Summary:
    vans_used: int
    distance: int
    duration: int
    cost: float
    planned: int
    unassigned: int
    per_van: tuple[VanUse, ...] = ()


@dataclass(frozen=True, slots=True)
class SolveStats:
    """How ``solve`` got its answer: the stages, their time and what each decided.

    Seconds are wall-clock; ``first_solution_seconds`` counts from the call.
    """

    time_limit: float = 0.0  # the budget used: the one asked, cut to what can be useful
    slowdown: float = 1.0  # wall per CPU second measured in the alone test (1.0 idle)
    prefiltered: int = 0  # shipments no van can serve alone, not searched
    warm_start_source: str = "none"  # pyvrp, vroom, initial_routes, locks, or none (why)
    warm_start_seconds: float = 0.0
    polish: str = "none"  # what PyVRP's polish of VROOM's plan did
    warm_start: str = "none"  # used, rejected, kept (why), not searched, or none
    status: str = "ROUTING_NOT_SOLVED"  # OR-Tools' search status
    objective: int | None = None  # the search's objective, integer milli-yuan, all tiers
    solutions: int = 0
    stopped_by: str = ""  # work_limit, time_limit, stalled, search_done, or not searched
    build_seconds: float = 0.0
    search_seconds: float = 0.0
    first_solution_seconds: float | None = None
    repaired: int = 0  # shipments the final repair put in (holds first)
    displaced: int = 0  # deferrable shipments it set aside for them
    notes: tuple[str, ...] = ()  # what was ignored: parts of a warm start, breaks
    self_check: tuple[str, ...] = ()  # rules the answer breaks: expected empty
    failure: str | None = None


@dataclass(frozen=True, slots=True)
class Result:
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    summary: Summary
    runtime: float = 0.0
    stats: SolveStats = field(default_factory=SolveStats, compare=False)
