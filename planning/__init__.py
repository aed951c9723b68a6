"""planning: where the library network should open its next sites.

Location models on a demand × candidate travel-time matrix (:mod:`planning.location`):
p-median (least population-weighted travel time), maximal covering (most population within a
time) and p-center (the worst-served person's time), with existing sites kept open and
optional capacities, each solved to proven optimality by HiGHS. :mod:`planning.orlib` reads
OR-Library's p-median benchmark.

Imports: :mod:`dispatch`, :mod:`catalog`, :mod:`geo`, :mod:`optimizer` may be used; only
:mod:`api` (and the benchmark scripts) import this package.
"""

from planning.location import (
    STATUSES,
    LocationError,
    LocationProblem,
    LocationResult,
    max_covering,
    p_center,
    p_median,
)
from planning.orlib import PmedInstance, read_optima, read_pmed

__all__ = [
    "STATUSES",
    "LocationError",
    "LocationProblem",
    "LocationResult",
    "PmedInstance",
    "max_covering",
    "p_center",
    "p_median",
    "read_optima",
    "read_pmed",
]
