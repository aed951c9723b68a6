"""shuyun's van-route optimiser: pure, no database, no web, no networkx.

Public namespace: the problem model, ``solve``, ``check`` and the result types.
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
    "Unassigned",
    "UnassignedReason",
    "Van",
    "VanUse",
    "Violation",
    "ViolationKind",
    "Visit",
    "VisitType",
    "check",
    "planned_routes",
    "solve",
]
