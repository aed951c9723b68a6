"""shuyun's van-route optimiser: pure, no database, no web, no networkx.

Public namespace: the problem model, ``solve``, ``check``, the result types, and
``route_timing`` (a given route timed by the same rules, hard or soft as VROOM's plan mode).
"""

from optimizer.check import Violation, ViolationKind, check
from optimizer.errors import ProblemError
from optimizer.model import (
    AMOUNT_MAX,
    COST_MAX,
    MATRIX_MAX,
    MAX_SHIPMENTS,
    MAX_VANS,
    PRIORITY_MAX,
    RATE_MAX,
    TIME_MAX,
    UNREACHABLE,
    Break,
    Lock,
    PlannedRoute,
    Problem,
    Shipment,
    ShipmentKind,
    Site,
    TimeWindow,
    Van,
    Visit,
    VisitType,
)
from optimizer.params import SolveParams
from optimizer.result import (
    Result,
    Route,
    Step,
    StepType,
    Summary,
    Unassigned,
    UnassignedReason,
    VanUse,
)
from optimizer.solve import planned_routes, solve
from optimizer.timing import (
    BreakTiming,
    Issue,
    Timing,
    TimingBounds,
    VisitTiming,
    route_timing,
)

__all__ = [
    "AMOUNT_MAX",
    "COST_MAX",
    "MATRIX_MAX",
    "MAX_SHIPMENTS",
    "MAX_VANS",
    "PRIORITY_MAX",
    "RATE_MAX",
    "TIME_MAX",
    "UNREACHABLE",
    "Break",
    "BreakTiming",
    "Issue",
    "Lock",
    "PlannedRoute",
    "Problem",
    "ProblemError",
    "Result",
    "Route",
    "Shipment",
    "ShipmentKind",
    "Site",
    "SolveParams",
    "Step",
    "StepType",
    "Summary",
    "TimeWindow",
    "Timing",
    "TimingBounds",
    "Unassigned",
    "UnassignedReason",
    "Van",
    "VanUse",
    "Violation",
    "ViolationKind",
    "Visit",
    "VisitTiming",
    "VisitType",
    "check",
    "planned_routes",
    "route_timing",
    "solve",
]
