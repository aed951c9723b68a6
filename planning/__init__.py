"""planning: where the library network's sites serve, and where new ones should go.

Demand points weighted by population (:mod:`planning.demand`), travel times from every demand
point to every site by car and on foot (:mod:`planning.travel_times`), coverage, isochrones and
accessibility scores (:mod:`planning.access`), checked against the national standards for
public libraries (:mod:`planning.standards`). Location models on a demand × candidate
travel-time matrix (:mod:`planning.location`): p-median, maximal covering and p-center, with
existing sites kept open and optional capacities, each solved to proven optimality by HiGHS;
:mod:`planning.orlib` reads OR-Library's p-median benchmark. A month of van work on the
network, day after day (:mod:`planning.month`), scenarios of it side by side
(:mod:`planning.scenarios`), and sweeps of scenarios on Dask (:mod:`planning.sweep`).

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
from planning.month import (
    DEFAULT_HOURS,
    MORNING_ROUND,
    SHORT_ROUND,
    MonthError,
    MonthNetwork,
    MonthReport,
    month_network,
    new_service_point,
    simulate_month,
)
from planning.orlib import PmedInstance, read_optima, read_pmed
from planning.scenarios import (
    OPENING_HOURS,
    VAN_WEEKDAYS,
    Scenario,
    SiteChoice,
    compare,
    new_site_options,
    run_scenario,
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
from planning.sweep import SweepTiming, same_numbers, serial, sweep, timed_sweeps
from planning.travel_times import WALK_SPEED_KPH, nearest_site, travel_matrix, walk_graph

__all__ = [
    "ASSUMED_REFERENCE_POINTS",
    "DEFAULT_BUFFER_M",
    "DEFAULT_HOURS",
    "LIBRARY_SIZES",
    "MORNING_ROUND",
    "OPENING_HOURS",
    "PER_RESIDENTS",
    "READING_CIRCLE_S",
    "READING_CIRCLE_WALK_M",
    "SHORT_ROUND",
    "STATUSES",
    "VAN_WEEKDAYS",
    "WALK_SPEED_KPH",
    "DemandError",
    "LibrarySize",
    "LocationError",
    "LocationProblem",
    "LocationResult",
    "MonthError",
    "MonthNetwork",
    "MonthReport",
    "PmedInstance",
    "Scenario",
    "SiteChoice",
    "SubdistrictPopulation",
    "SweepTiming",
    "accessibility",
    "compare",
    "coverage_summary",
    "district_demand",
    "gravity_access",
    "isochrones",
    "library_size",
    "load_demand",
    "max_covering",
    "month_network",
    "nearest_site",
    "new_service_point",
    "new_site_options",
    "p_center",
    "p_median",
    "read_optima",
    "read_pmed",
    "required_libraries",
    "run_scenario",
    "same_numbers",
    "serial",
    "simulate_month",
    "standards_report",
    "subdistrict_populations",
    "sweep",
    "timed_sweeps",
    "travel_matrix",
    "two_step_fca",
    "walk_graph",
    "within",
]
