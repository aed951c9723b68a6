"""Scenarios of the network, each a simulated month (:mod:`planning.month`), side by side.

A :class:`Scenario` names what a planner changes: the fleet, the days a van calls at the
branches and service points, the opening hours (:data:`OPENING_HOURS`), new service points
(e.g. where :func:`new_site_options` puts them by p-median or maximal covering), a van off
the road on one day, the vans' shift, and the seed. :func:`run_scenario` simulates one and
returns its figures in a row; :func:`compare` runs several one after another and gives one
data frame, a scenario a row. :func:`planning.sweep.sweep` runs the same on Dask.

Everything a scenario needs to run is in it or in the shared data folder, so that a worker
process given a scenario and the folder computes exactly what :func:`compare` does here.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

import geo
from catalog.models import SiteKind
from dispatch.demo_sites import BRANCH_HOURS, CENTRAL_HOURS, SERVICE_POINT_HOURS
from planning.demand import district_demand
from planning.location import LocationProblem, LocationResult, max_covering, p_center, p_median
from planning.month import (
    DEFAULT_HOURS,
    WORK_LIMIT,
    Hours,
    MonthError,
    MonthNetwork,
    month_network,
    new_service_point,
    simulate_month,
)
from planning.standards import READING_CIRCLE_S
from planning.travel_times import travel_matrix

__all__ = [
    "OPENING_HOURS",
    "VAN_WEEKDAYS",
    "Scenario",
    "SiteChoice",
    "compare",
    "new_site_options",
    "run_scenario",
]

H = 3600
_WORKDAYS = (1, 2, 3, 4, 5, 6)  # Tuesday to Sunday: closed on Mondays (周一闭馆)

OPENING_HOURS: Mapping[str, Mapping[str, Hours]] = {
    # The demo network's hours every day: branches and service points closed at lunch.
    "demo": DEFAULT_HOURS,
    # Many Chinese public libraries close one day a week: the branches and service points
    # on Mondays; the central library stays open.
    "closed_monday": {
        SiteKind.central.value: {d: CENTRAL_HOURS for d in range(7)},
        SiteKind.branch.value: {d: BRANCH_HOURS for d in _WORKDAYS},
        SiteKind.service_point.value: {d: SERVICE_POINT_HOURS for d in _WORKDAYS},
    },
    # Longer hours, no lunch closure: branches 09:00–20:00, service points 09:30–19:00.
    "long": {
        SiteKind.central.value: {d: ((9 * H, 21 * H),) for d in range(7)},
        SiteKind.branch.value: {d: ((9 * H, 20 * H),) for d in range(7)},
        SiteKind.service_point.value: {d: ((9 * H + 1800, 19 * H),) for d in range(7)},
    },
}
"""Named opening hours per kind of site, for :attr:`Scenario.hours`."""

VAN_WEEKDAYS: Mapping[int, tuple[int, ...]] = {
    7: (0, 1, 2, 3, 4, 5, 6),
    6: (0, 1, 2, 3, 4, 5),
    5: (0, 1, 2, 3, 4),
    3: (0, 2, 4),
    2: (1, 4),
    1: (2,),
}
"""The weekdays a van calls at the branches and service points, by days a week."""

NewSite = tuple[str, float, float]
"""``(code, lon, lat)`` of a new service point, [lon, lat] WGS-84."""


@dataclass(frozen=True, slots=True)
class Scenario:
    """One way of running the network for a month; immutable, picklable, hashable.

    Attributes
    ----------
    name
        A label (the row of :func:`compare`); by default made of the fields.
    fleet
        Vans at the central library.
    van_days
        Days a week a van calls at each branch and service point (a key of
        :data:`VAN_WEEKDAYS`); the central library, the depot, every day.
    hours
        A key of :data:`OPENING_HOURS`.
    new_sites
        Service points added to the demo network, ``(code, lon, lat)`` each.
    breakdown_day
        A day (0 = the first) when the first van is off the road; None: none.
    shift
        The vans' shift ``(start_s, end_s)``; None: the demo's 08:30–17:30.
    seed
        Seeds the catalogue, the circulation and the solves.
    days, scale, work_limit
        As for :func:`planning.month.simulate_month`.
    """

    name: str = ""
    fleet: int = 3
    van_days: int = 7
    hours: str = "demo"
    new_sites: tuple[NewSite, ...] = ()
    breakdown_day: int | None = None
    shift: tuple[int, int] | None = None
    seed: int = 0
    days: int = 30
    scale: float = 0.02
    work_limit: int = WORK_LIMIT

    def __post_init__(self) -> None:
        if self.van_days not in VAN_WEEKDAYS:
            raise MonthError(
                "van_days", self.van_days, f"须为 {sorted(VAN_WEEKDAYS)} 之一 / unknown"
            )
        if self.hours not in OPENING_HOURS:
            raise MonthError("hours", self.hours, f"须为 {sorted(OPENING_HOURS)} 之一 / unknown")
        for site in self.new_sites:
            if len(site) != 3:
                raise MonthError(
                    "new_sites", site, "须为 (code, lon, lat) / must be (code, lon, lat)"
                )
        if not self.name:
            object.__setattr__(self, "name", self.label())

    def label(self) -> str:
        """``fleet=3 hours=demo van_days=7 +p1`` and so on: the fields that differ."""
        parts = [f"fleet={self.fleet}", f"hours={self.hours}", f"van_days={self.van_days}"]
        if self.new_sites:
            parts.append("+" + "+".join(code for code, _, _ in self.new_sites))
        if self.breakdown_day is not None:
            parts.append(f"breakdown@{self.breakdown_day}")
        if self.shift is not None:
            a, b = self.shift
            parts.append(f"shift={a // H:02d}:{a % H // 60:02d}-{b // H:02d}:{b % H // 60:02d}")
        return " ".join(parts)

    def replace(self, **changes: Any) -> Scenario:
        """A copy with ``changes``; the name is made again unless given."""
        return dataclasses.replace(self, **{"name": "", **changes})


@functools.lru_cache(maxsize=2)
def _graph(beilin_dir: str) -> nx.MultiDiGraph:
    # One street graph per worker process, kept for the tasks after the first.
    return geo.load_beilin_graph(Path(beilin_dir))


@functools.lru_cache(maxsize=8)
def _network(beilin_dir: str, new_sites: tuple[NewSite, ...]) -> MonthNetwork:
    added = [new_service_point(code, lon, lat) for code, lon, lat in new_sites]
    return month_network(_graph(beilin_dir), beilin_dir, added=added)


def run_scenario(scenario: Scenario, beilin_dir: str | Path) -> pd.Series:
    """Simulate ``scenario``'s month; its figures (:meth:`MonthReport.summary`) in a row,
    after the scenario's own fields.

    Parameters
    ----------
    scenario
        What to simulate.
    beilin_dir
        The shared ``beilin/`` folder (``settings.data.beilin_dir``).
    """
    network = _network(str(beilin_dir), tuple(scenario.new_sites))
    report = simulate_month(
        network,
        days=scenario.days,
        scale=scenario.scale,
        fleet=scenario.fleet,
        seed=scenario.seed,
        hours=OPENING_HOURS[scenario.hours],
        van_weekdays=VAN_WEEKDAYS[scenario.van_days],
        breakdown_day=scenario.breakdown_day,
        shift=scenario.shift,
        work_limit=scenario.work_limit,
    )
    fields = {
        "fleet": scenario.fleet,
        "van_days": scenario.van_days,
        "hours": scenario.hours,
        "new_sites": "+".join(code for code, _, _ in scenario.new_sites) or "none",
        "breakdown_day": -1 if scenario.breakdown_day is None else scenario.breakdown_day,
        "shift": scenario.label().split("shift=")[-1] if scenario.shift else "08:30-17:30",
        "seed": scenario.seed,
    }
    return pd.concat([pd.Series(fields, dtype=object), report.summary().astype(object)]).rename(
        scenario.name
    )


def results_frame(rows: Sequence[pd.Series]) -> pd.DataFrame:
    """Rows of :func:`run_scenario` as one frame, a scenario a row (index ``scenario``),
    numbers as numbers."""
    frame = pd.DataFrame(list(rows))
    frame.index.name = "scenario"
    return frame.infer_objects()


def compare(scenarios: Sequence[Scenario], beilin_dir: str | Path) -> pd.DataFrame:
    """Run ``scenarios`` one after another in this process: one row each, side by side.

    Raises
    ------
    MonthError
        Two scenarios with the same name (the rows would be confused).
    """
    _check_names(scenarios)
    return results_frame([run_scenario(s, beilin_dir) for s in scenarios])


def _check_names(scenarios: Sequence[Scenario]) -> None:
    names = [s.name for s in scenarios]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise MonthError("scenarios", twice, "场景名称重复 / two scenarios with the same name")


@dataclass(frozen=True)
class SiteChoice:
    """New service points chosen by one location model.

    Attributes
    ----------
    model
        ``p_median``, ``max_covering`` or ``p_center``.
    sites
        ``(code, lon, lat)`` of each new point, for :attr:`Scenario.new_sites`.
    result
        The model's answer (objective, bound, status, seconds).
    """

    model: str
    sites: tuple[NewSite, ...]
    result: LocationResult


def new_site_options(
    G: nx.MultiDiGraph,
    beilin_dir: str | Path,
    existing: Sequence[tuple[str, float, float]],
    *,
    k: int = 2,
    models: Sequence[str] = ("p_median", "max_covering"),
    radius_s: float = READING_CIRCLE_S,
    demand: Any = None,
    time_limit: float = 60.0,
) -> dict[str, SiteChoice]:
    """Where ``k`` new service points go by each location model, on foot, among the demand
    points themselves (every street node of the district is a candidate).

    Parameters
    ----------
    G
        The street graph.
    beilin_dir
        The shared ``beilin/`` folder (the census weights).
    existing
        ``(code, lon, lat)`` of the sites open now (kept open).
    k
        New points to open.
    models
        Among ``p_median`` (least population-weighted walking time), ``max_covering`` (most
        residents within ``radius_s`` on foot) and ``p_center`` (the worst-served resident's
        time).
    radius_s
        The covering radius: the 15-minute reading circle by default.
    demand
        Demand points (default :func:`planning.district_demand`).
    time_limit
        Seconds per model's solve.

    Returns
    -------
    dict
        ``{model: SiteChoice}``; the new points are named ``<model>-<i>``.
    """
    solvers: dict[str, Callable[..., LocationResult]] = {
        "p_median": p_median,
        "max_covering": max_covering,
        "p_center": p_center,
    }
    unknown = [m for m in models if m not in solvers]
    if unknown:
        raise MonthError("models", unknown, f"须为 {sorted(solvers)} / unknown location model")
    points = demand if demand is not None else district_demand(G, beilin_dir)
    candidates = [
        (str(i), float(g.x), float(g.y)) for i, g in zip(points.index, points.geometry, strict=True)
    ]
    columns = [*existing, *candidates]
    costs = travel_matrix(G, points, columns, mode="walk").astype(float)
    # A point no street reaches would make every model's sum infinite: it counts for none.
    costs = np.minimum(costs, float(geo.UNREACHABLE))
    problem = LocationProblem.from_cost_matrix(
        costs, np.asarray(points["population"], dtype=float), existing=range(len(existing))
    )
    out: dict[str, SiteChoice] = {}
    for model in models:
        if model == "max_covering":
            result = max_covering(problem, k, radius_s, time_limit=time_limit)
        else:
            result = solvers[model](problem, k, time_limit=time_limit)
        sites = tuple(
            (f"{model.replace('_', '-')}-{n + 1}", columns[j][1], columns[j][2])
            for n, j in enumerate(result.new_sites)
        )
        out[model] = SiteChoice(model, sites, result)
    return out
