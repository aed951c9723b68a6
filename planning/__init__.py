"""planning: where the library network's sites serve, and where new ones should go.

Demand points weighted by population (:mod:`planning.demand`), travel times from every demand
point to every site by car and on foot (:mod:`planning.travel_times`), coverage, isochrones and
accessibility scores (:mod:`planning.access`), checked against the national standards for
public libraries (:mod:`planning.standards`).

Conventions: [lon, lat] WGS-84 (GCJ-02 only when loading a planner's file); whole seconds;
times run from each demand point to each site unless asked otherwise; "within N minutes" is
``<=``. Imports: :mod:`dispatch`, :mod:`catalog`, :mod:`geo` and :mod:`optimizer`; only
:mod:`api` imports it.
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
    "WALK_SPEED_KPH",
    "DemandError",
    "LibrarySize",
    "SubdistrictPopulation",
    "accessibility",
    "coverage_summary",
    "district_demand",
    "gravity_access",
    "isochrones",
    "library_size",
    "load_demand",
    "nearest_site",
    "required_libraries",
    "standards_report",
    "subdistrict_populations",
    "travel_matrix",
    "two_step_fca",
    "walk_graph",
    "within",
]
