"""planning: where the library network's sites serve, and where new ones should go.

Demand points weighted by population (:mod:`planning.demand`), travel times from every demand
point to every site by car and on foot (:mod:`planning.travel_times`), coverage, isochrones and
accessibility scores (:mod:`planning.access`), checked against the national standards for
public libraries (:mod:`planning.standards`). Location models on a demand × candidate
travel-time matrix (:mod:`planning.location`): p-median, maximal covering and p-center, with
existing sites kept open and optional capacities, each solved to proven optimality by HiGHS;
:mod:`planning.orlib` reads OR-Library's p-median benchmark.

Conventions: [lon, lat] WGS-84 (GCJ-02 only when loading a planner's file); whole seconds;
times run from each demand point to each site unless asked otherwise; "within N minutes" is
``<=``. Imports: :mod:`dispatch`, :mod:`catalog`, :mod:`geo` and :mod:`optimizer`; only
:mod:`api` (and the benchmark scripts) import it.
"""

from planning.access import (
    DEFAULT_BUFFER_M,
    PER_RESIDENTS,
    accessibility,
    coverage_summary,
    gravity_access,
    isochrones,
    two_step_fca,
    within,
)
from planning.demand import (
    ASSUMED_REFERENCE_POINTS,
    DemandError,
    SubdistrictPopulation,
    district_demand,
    load_demand,
    subdistrict_populations,
)
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
from planning.standards import (
    LIBRARY_SIZES,
    READING_CIRCLE_S,
    READING_CIRCLE_WALK_M,
    LibrarySize,
    library_size,
    required_libraries,
    standards_report,
)
from planning.travel_times import WALK_SPEED_KPH, nearest_site, travel_matrix, walk_graph

__all__ = [
    "ASSUMED_REFERENCE_POINTS",
    "DEFAULT_BUFFER_M",
    "LIBRARY_SIZES",
    "PER_RESIDENTS",
    "READING_CIRCLE_S",
    "READING_CIRCLE_WALK_M",
    "STATUSES",
    "WALK_SPEED_KPH",
    "DemandError",
    "LibrarySize",
    "LocationError",
    "LocationProblem",
    "LocationResult",
    "PmedInstance",
    "SubdistrictPopulation",
    "accessibility",
    "coverage_summary",
    "district_demand",
    "gravity_access",
    "isochrones",
    "library_size",
    "load_demand",
    "max_covering",
    "nearest_site",
    "p_center",
    "p_median",
    "read_optima",
    "read_pmed",
    "required_libraries",
    "standards_report",
    "subdistrict_populations",
    "travel_matrix",
    "two_step_fca",
    "walk_graph",
    "within",
]
