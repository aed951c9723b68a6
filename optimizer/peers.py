"""The specialist solvers on their own, for benchmarks that compare shuyun with them.

``solve`` uses PyVRP and VROOM only as warm starts (``optimizer._warm``); measuring shuyun
against them needs each on the *same* problem, matrices and rules. This module is the
documented way in, so that a benchmark imports nothing private:

- ``solve_with_vroom``: VROOM (pyvroom) on a ``Problem``, its plan back as routes;
- ``vroom_input``, ``solve_searches``, ``plan_from_answer``, ``without_breaks``,
  ``SEARCHES``, ``VROOM_THREADS``: VROOM at one effort (searches x depth), with or without
  the vans' breaks;
- ``pyvrp_warm_start``: shuyun's PyVRP stage alone over a budget;
- ``repair_route``: a route cut back until it keeps every rule of ours;
- ``route_timing``: a route timed by our rules (the one definition, ``_simulate``).

Each needs its library installed (``ImportError`` otherwise).
"""

from __future__ import annotations

from optimizer._pyvrp import warm_start as pyvrp_warm_start
from optimizer._repair import repair_route
from optimizer._simulate import best_timing as route_timing
from optimizer._vroom import (
    SEARCHES,
    VroomPlan,
    plan_from_answer,
    solve_searches,
    solve_with_vroom,
    vroom_input,
    without_breaks,
)
from optimizer._vroom import THREADS as VROOM_THREADS

__all__ = [
    "SEARCHES",
    "VROOM_THREADS",
    "VroomPlan",
    "plan_from_answer",
    "pyvrp_warm_start",
    "repair_route",
    "route_timing",
    "solve_searches",
    "solve_with_vroom",
    "vroom_input",
    "without_breaks",
]
