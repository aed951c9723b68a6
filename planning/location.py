"""Where to open new sites: p-median, maximal covering and p-center, solved exactly.

Conventions: ``costs[i, j]`` is the travel time in seconds from demand point ``i`` to
candidate site ``j`` (any non-negative unit works); ``weights[i]`` is the population (or any
demand) of point ``i``. Existing sites are candidates already open: they stay open and do not
count among the ``k`` new ones. A site's capacity bounds the weight it serves; with
capacities a demand point's weight may be split among sites, as in PySAL spopt.

The shape follows spopt's ``spopt.locate`` (``PMedian``, ``MCLP``, ``PCenter``): a problem
built ``from_cost_matrix``, one function per model, the chosen sites and the assignment on the
result, and the assignment as a data frame. Every model is solved to proven optimality by
HiGHS (``highspy``), single-threaded unless asked; the result reports the bound the solver
proved, the gap and the seconds taken, and a status instead of raising when the time ran
out or the problem has no solution.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from planning import _mip
from planning._pmedian import solve_pmedian

__all__ = [
    "STATUSES",
    "LocationError",
    "LocationProblem",
    "LocationResult",
    "max_covering",
    "p_center",
    "p_median",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

STATUSES = ("optimal", "feasible", "infeasible", "unsolved")
"""A result's status: proven optimal; a solution without proof (time ran out); proven to
have no solution (capacities too small); no solution found in the time."""


class LocationError(ValueError):
    """Bad input to a location model; the message names the field and the value."""

    def __init__(self, field_name: str, value: object, message: str) -> None:
        super().__init__(f"{field_name}={_short(value)}: {message}")
        self.field = field_name
        self.value = value


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclasses.dataclass(frozen=True, eq=False)
class LocationProblem:
    """Demand points, candidate sites and what lies between them; immutable.

    Attributes
    ----------
    costs
        ``n_demand × n_candidates`` travel times (s), finite and non-negative.
    weights
        Demand of each point (population), non-negative.
    existing
        Candidates already open, sorted.
    capacities
        Weight each candidate can serve, or ``None`` for no limit.
    """

    costs: FloatArray
    weights: FloatArray
    existing: tuple[int, ...] = ()
    capacities: FloatArray | None = None

    @classmethod
    def from_cost_matrix(
        cls,
        costs: npt.ArrayLike,
        weights: npt.ArrayLike | None = None,
        *,
        existing: Sequence[int] = (),
        capacities: npt.ArrayLike | None = None,
    ) -> LocationProblem:
        """Build a problem from a demand × candidate cost matrix.

        Parameters
        ----------
        costs
            ``costs[i, j]``: seconds from demand point ``i`` to candidate ``j``.
        weights
            Demand of each point; 1 each when ``None``.
        existing
            Indices of candidates already open.
        capacities
            Weight each candidate can serve; ``None``: unlimited.

        Returns
        -------
        LocationProblem

        Raises
        ------
        LocationError
            Naming the field and the value: a matrix that is not 2-D, empty, not finite or
            negative; weights or capacities of the wrong length, negative or not finite; an
            existing index out of range or repeated.
        """
        matrix = _finite(costs, "costs", ndim=2)
        if matrix.shape[0] == 0 or matrix.shape[1] == 0:
            raise LocationError("costs", matrix.shape, "不能为空 / must not be empty")
        n_dem, n_site = matrix.shape
        w = np.ones(n_dem) if weights is None else _finite(weights, "weights", ndim=1)
        if len(w) != n_dem:
            raise LocationError("weights", len(w), f"长度须为 {n_dem} / length must be {n_dem}")
        ids = tuple(sorted(int(j) for j in existing))
        for j in existing:
            if not 0 <= int(j) < n_site or int(j) != j:
                raise LocationError("existing", j, f"须在 0..{n_site - 1} / must be in range")
        if len(set(ids)) != len(ids):
            raise LocationError("existing", list(existing), "有重复 / has repeats")
        cap = None
        if capacities is not None:
            cap = _finite(capacities, "capacities", ndim=1)
            if len(cap) != n_site:
                raise LocationError(
                    "capacities", len(cap), f"长度须为 {n_site} / length must be {n_site}"
                )
        for array in (matrix, w, cap):
            if array is not None:
                array.setflags(write=False)
        return cls(costs=matrix, weights=w, existing=ids, capacities=cap)

    @property
    def n_demand(self) -> int:
        return int(self.costs.shape[0])

    @property
    def n_candidates(self) -> int:
        return int(self.costs.shape[1])

    def existing_mask(self) -> BoolArray:
        mask = np.zeros(self.n_candidates, dtype=bool)
        mask[list(self.existing)] = True
        return mask


def _finite(values: npt.ArrayLike, name: str, *, ndim: int) -> FloatArray:
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise LocationError(name, values, "须为数值数组 / must be an array of numbers") from None
    if array.ndim != ndim:
        raise LocationError(name, array.shape, f"须为 {ndim} 维 / must be {ndim}-D")
    bad = ~np.isfinite(array) | (array < 0)
    if bad.any():
        where = tuple(int(v) for v in np.argwhere(bad)[0])
        raise LocationError(
            f"{name}[{', '.join(map(str, where))}]", float(array[where]),
            "须为有限非负数 / must be finite and non-negative",
        )  # fmt: skip
    return array


@dataclasses.dataclass(frozen=True)
class LocationResult:
    """The sites a model chose, what it achieved and what the solver proved.

    Attributes
    ----------
    model
        ``"p_median"``, ``"max_covering"`` or ``"p_center"``.
    status
        One of :data:`STATUSES`.
    solver
        What solved it (``"highs"``, ``"highs-benders"``, or ``"trivial"`` when there was
        no choice to make).
    new_sites
        The candidates chosen, sorted.
    sites
        Every open site: existing and new, sorted.
    objective
        p-median: weighted travel time (weight × s); maximal covering: weight covered;
        p-center: the worst-served demand point's time (s). NaN without a solution.
    bound
        The bound the solver proved: below the objective for p-median and p-center, above
        it for maximal covering.
    seconds
        Wall time of the solve.
    assignment
        Per demand point, the site serving it (the largest share when split), or -1 (not
        covered, or no solution).
    flows
        ``(demand point, site, weight served)`` of every assignment.
    """

    model: str
    status: str
    solver: str
    new_sites: tuple[int, ...]
    sites: tuple[int, ...]
    objective: float
    bound: float
    seconds: float
    assignment: tuple[int, ...]
    flows: tuple[tuple[int, int, float], ...]

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def gap(self) -> float:
        """Relative gap between objective and bound (0 when optimal; inf without bound)."""
        if not (math.isfinite(self.objective) and math.isfinite(self.bound)):
            return math.inf
        difference = abs(self.objective - self.bound)
        return 0.0 if difference <= 1e-9 * max(1.0, abs(self.objective)) else (
            difference / max(abs(self.objective), 1e-12)
        )  # fmt: skip

    def to_frame(self, problem: LocationProblem) -> pd.DataFrame:
        """The flows as a data frame: ``demand``, ``site``, ``weight``, ``cost`` (s)."""
        rows = [(i, j, w, float(problem.costs[i, j])) for i, j, w in self.flows]
        return pd.DataFrame(rows, columns=["demand", "site", "weight", "cost"])


def p_median(
    problem: LocationProblem, k: int, *, time_limit: float = 60.0, threads: int = 1
) -> LocationResult:
    """Open ``k`` new sites so that the weighted travel time to the nearest open site is least.

    Parameters
    ----------
    problem
        Demand, candidates, existing sites, capacities.
    k
        New sites to open.
    time_limit
        Seconds for the solver.
    threads
        HiGHS threads (1: single-threaded, the default).

    Returns
    -------
    LocationResult
        Uncapacitated: solved by Benders cuts over sorted distance levels and branch and cut
        (``"highs-benders"``); with capacities, by the classic one-variable-per-pair model.
    """
    start = time.perf_counter()
    existing = _check(problem, k, time_limit, threads)
    weighted = problem.weights > 0
    if problem.capacities is not None:
        answer, y, x = _mip.capacitated_median(
            problem.costs, problem.weights, existing, k, problem.capacities,
            seconds=time_limit, threads=threads,
        )  # fmt: skip
        demand, site = np.divmod(np.arange(len(x)), problem.n_candidates)
        return _from_answer(problem, "p_median", answer, y, x, (demand, site), start)
    free = int((~existing).sum())
    if k in (0, free) or not weighted.any():
        chosen = existing | (~existing & (np.cumsum(~existing) <= k))
        return _nearest(problem, "p_median", "trivial", chosen, "optimal", None, start)
    costs = problem.costs[weighted]
    outcome = solve_pmedian(
        costs, problem.weights[weighted], k + len(problem.existing), existing,
        time_limit=time_limit, threads=threads,
        integral=_integral(problem.costs) and _integral(problem.weights),
    )  # fmt: skip
    status = "optimal" if outcome.optimal else "feasible"
    return _nearest(
        problem, "p_median", "highs-benders", outcome.open_sites, status, outcome.bound, start
    )


def max_covering(
    problem: LocationProblem,
    k: int,
    radius: float,
    *,
    time_limit: float = 60.0,
    threads: int = 1,
) -> LocationResult:
    """Open ``k`` new sites so that the most weight lies within ``radius`` of an open site.

    Parameters
    ----------
    problem
        Demand, candidates, existing sites, capacities.
    k
        New sites to open.
    radius
        A demand point is covered by a site at most ``radius`` seconds away.
    time_limit, threads
        As for :func:`p_median`.

    Returns
    -------
    LocationResult
        The objective is the covered weight; uncovered points are assigned -1.
    """
    start = time.perf_counter()
    existing = _check(problem, k, time_limit, threads)
    try:
        reach = float(radius)
    except (TypeError, ValueError):
        reach = math.nan
    if not (math.isfinite(reach) and reach >= 0):
        raise LocationError("radius", radius, "须为有限非负数 / must be finite and non-negative")
    answer, y, x, pairs = _mip.max_covering(
        problem.costs, problem.weights, existing, k, reach, problem.capacities,
        seconds=time_limit, threads=threads,
    )  # fmt: skip
    if problem.capacities is not None:
        return _from_answer(problem, "max_covering", answer, y, x, pairs, start)
    if not len(answer.values):
        return _empty(problem, "max_covering", answer, start)
    chosen = answer.values[y] > 0.5
    status, bound = answer.status, answer.bound
    return _nearest(problem, "max_covering", "highs", chosen, status, bound, start, reach)


def p_center(
    problem: LocationProblem, k: int, *, time_limit: float = 60.0, threads: int = 1
) -> LocationResult:
    """Open ``k`` new sites so that the worst-served demand point's time is least.

    Demand points of weight 0 do not count. The optimum is one of the matrix's values: the
    solve is a bisection over them, each step a covering MIP ("can every point be served
    within this time?"); the bound is the least value not proven too small.

    Parameters
    ----------
    problem, k, time_limit, threads
        As for :func:`p_median`.

    Returns
    -------
    LocationResult
    """
    start = time.perf_counter()
    deadline = start + time_limit
    existing = _check(problem, k, time_limit, threads)
    weighted = problem.weights > 0
    if not weighted.any():
        chosen = existing | (~existing & (np.cumsum(~existing) <= k))
        return _nearest(problem, "p_center", "trivial", chosen, "optimal", 0.0, start)
    costs, weights, cap = problem.costs[weighted], problem.weights[weighted], problem.capacities
    radii = np.unique(costs)
    low = int(np.searchsorted(radii, costs.min(axis=1).max()))  # each point reaches a site
    if cap is None:
        greedy = _greedy_center(costs, existing, k)
        high = int(np.searchsorted(radii, costs[:, greedy].min(axis=1).max()))
        best = None
    else:
        # The largest radius first: if the capacities cannot serve everyone, nothing can.
        high = len(radii) - 1
        best = _mip.cover_within(
            costs, weights, existing, k, float(radii[high]), cap,
            seconds=time_limit, threads=threads,
        )  # fmt: skip
        if best[0].status not in ("optimal", "feasible"):
            return _empty(problem, "p_center", best[0], start)
    # Bisection: radii[high] is served (by ``best``, or the greedy sites), below ``low`` not.
    while low < high and time.perf_counter() < deadline:
        middle = (low + high) // 2
        test = _mip.cover_within(
            costs, weights, existing, k, float(radii[middle]), cap,
            seconds=deadline - time.perf_counter(), threads=threads,
        )  # fmt: skip
        if test[0].status in ("optimal", "feasible"):
            best, high = test, middle
        elif test[0].status == "infeasible":
            low = middle + 1
        else:
            break  # out of time
    status, bound = ("optimal" if low == high else "feasible"), float(radii[low])
    if best is None:
        return _nearest(problem, "p_center", "highs", greedy, status, bound, start, worst=True)
    answer, y, x, pairs = best
    if cap is None:
        chosen = answer.values[y] > 0.5
        return _nearest(problem, "p_center", "highs", chosen, status, bound, start, worst=True)
    rows = np.flatnonzero(weighted)
    result = _from_answer(problem, "p_center", answer, y, x, (rows[pairs[0]], pairs[1]), start)
    worst = max((float(problem.costs[i, j]) for i, j, _ in result.flows), default=0.0)
    return dataclasses.replace(result, status=status, objective=worst, bound=bound)


def _check(problem: LocationProblem, k: int, time_limit: float, threads: int) -> BoolArray:
    """The existing sites as a mask, after checking the arguments every model takes."""
    existing = problem.existing_mask()
    free = int((~existing).sum())
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 0 <= k <= free:
        raise LocationError("k", k, f"须为 0..{free} 的整数 / must be an integer in 0..{free}")
    if k + len(problem.existing) == 0:
        raise LocationError("k", k, "没有任何开放站点 / no site would be open")
    if not (math.isfinite(time_limit) and time_limit > 0):
        raise LocationError("time_limit", time_limit, "须为正数 / must be positive")
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise LocationError("threads", threads, "须为正整数 / must be a positive integer")
    return existing


def _integral(values: FloatArray) -> bool:
    return bool(np.all(values == np.round(values)))


def _greedy_center(costs: FloatArray, existing: BoolArray, k: int) -> BoolArray:
    """Existing sites, then one by one the site that lowers the worst time most."""
    chosen = existing.copy()
    current = costs[:, chosen].min(axis=1) if chosen.any() else np.full(len(costs), np.inf)
    for _ in range(k):
        worst = np.minimum(current[:, None], costs).max(axis=0)
        worst[chosen] = np.inf
        j = int(np.argmin(worst))
        chosen[j] = True
        current = np.minimum(current, costs[:, j])
    return chosen


def _nearest(
    problem: LocationProblem, model: str, solver: str, chosen: BoolArray, status: str,
    bound: float | None, start: float, radius: float | None = None, *, worst: bool = False,
) -> LocationResult:  # fmt: skip
    """A result whose demand points go to their nearest open site (within ``radius``)."""
    sites = np.flatnonzero(chosen)
    sub = problem.costs[:, sites]
    nearest = sites[np.argmin(sub, axis=1)]
    time_to = sub.min(axis=1)
    served = np.ones(problem.n_demand, dtype=bool) if radius is None else time_to <= radius
    weights = problem.weights
    if model == "max_covering":
        objective = float(weights[served].sum())
    elif worst:
        objective = float(time_to[weights > 0].max(initial=0.0))
    else:
        objective = float(weights @ time_to)
    assignment = np.where(served, nearest, -1)
    flows = tuple((int(i), int(assignment[i]), float(weights[i])) for i in np.flatnonzero(served))
    return LocationResult(
        model=model, status=status, solver=solver,
        new_sites=tuple(int(j) for j in sites if j not in problem.existing),
        sites=tuple(int(j) for j in sites), objective=objective,
        bound=objective if bound is None else float(bound),
        seconds=time.perf_counter() - start, assignment=tuple(int(a) for a in assignment),
        flows=flows,
    )  # fmt: skip


def _from_answer(
    problem: LocationProblem, model: str, answer: _mip.MipAnswer, y: npt.NDArray[np.int64],
    x: npt.NDArray[np.int64], pairs: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
    start: float,
) -> LocationResult:  # fmt: skip
    """A capacitated result: the shares ``x`` of ``pairs`` as flows."""
    if not len(answer.values):
        return _empty(problem, model, answer, start)
    sites = np.flatnonzero(answer.values[y] > 0.5)
    share = answer.values[x]
    used = share > 1e-9
    demand, site = pairs[0][used], pairs[1][used]
    amount = problem.weights[demand] * share[used]
    flows = tuple((int(i), int(j), float(a)) for i, j, a in zip(demand, site, amount, strict=True))
    assignment = np.full(problem.n_demand, -1)
    largest = np.zeros(problem.n_demand)
    for i, j, a in zip(demand, site, share[used], strict=True):
        if a > largest[i]:
            largest[i], assignment[i] = a, j
    return LocationResult(
        model=model, status=answer.status, solver="highs",
        new_sites=tuple(int(j) for j in sites if j not in problem.existing),
        sites=tuple(int(j) for j in sites), objective=answer.objective, bound=answer.bound,
        seconds=time.perf_counter() - start, assignment=tuple(int(a) for a in assignment),
        flows=flows,
    )  # fmt: skip


def _empty(
    problem: LocationProblem, model: str, answer: _mip.MipAnswer, start: float
) -> LocationResult:
    """A result without a solution: infeasible, or nothing found in time."""
    status = "infeasible" if answer.status == "infeasible" else "unsolved"
    bound = answer.bound if status == "unsolved" else math.nan
    return LocationResult(
        model=model, status=status, solver="highs", new_sites=(), sites=(),
        objective=math.nan, bound=float(bound), seconds=time.perf_counter() - start,
        assignment=(-1,) * problem.n_demand, flows=(),
    )  # fmt: skip
