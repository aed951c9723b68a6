"""Private: the location models other than the uncapacitated p-median, as HiGHS MIPs.

Columns are the candidate sites ``y`` (binary; existing sites fixed at 1), then each model's
continuous parts. Capacity follows PySAL spopt: a demand point's weight may be split among
open sites, ``x_ij`` being the share of ``i`` served by ``j``, with
``sum_i w_i x_ij <= capacity_j * y_j``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_INF = highspy.kHighsInf


@dataclass(frozen=True)
class MipAnswer:
    """A MIP's outcome: HiGHS's status, the values (empty without a solution), the bound."""

    status: str  # "optimal", "feasible", "infeasible" or "unsolved"
    values: FloatArray
    objective: float
    bound: float


@dataclass
class MipModel:
    """Columns and rows gathered as arrays, handed to HiGHS in one go."""

    cost: list[FloatArray] = field(default_factory=list)
    lower: list[FloatArray] = field(default_factory=list)
    upper: list[FloatArray] = field(default_factory=list)
    integer: list[BoolArray] = field(default_factory=list)
    row_lower: list[FloatArray] = field(default_factory=list)
    row_upper: list[FloatArray] = field(default_factory=list)
    row_of: list[IntArray] = field(default_factory=list)
    col_of: list[IntArray] = field(default_factory=list)
    coef: list[FloatArray] = field(default_factory=list)
    n_col: int = 0
    n_row: int = 0

    def columns(
        self,
        cost: FloatArray,
        lower: FloatArray | float,
        upper: FloatArray | float,
        *,
        integer: bool = False,
    ) -> IntArray:
        """Add columns; returns their indices."""
        count = len(cost)
        self.cost.append(np.asarray(cost, dtype=np.float64))
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), count))
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), count))
        self.integer.append(np.full(count, integer))
        self.n_col += count
        return np.arange(self.n_col - count, self.n_col, dtype=np.int64)

    def rows(
        self, lower: FloatArray, upper: FloatArray, row: IntArray, col: IntArray, coef: FloatArray
    ) -> None:
        """Add ``len(lower)`` rows; entry ``e`` puts ``coef[e]`` at (new row ``row[e]``,
        column ``col[e]``)."""
        count = len(lower)
        self.row_lower.append(np.asarray(lower, dtype=np.float64))
        self.row_upper.append(np.asarray(upper, dtype=np.float64))
        self.row_of.append(np.asarray(row, dtype=np.int64) + self.n_row)
        self.col_of.append(np.asarray(col, dtype=np.int64))
        self.coef.append(np.asarray(coef, dtype=np.float64))
        self.n_row += count

    def solve(
        self,
        *,
        maximize: bool = False,
        seconds: float,
        threads: int,
        integral: bool = False,
        start: FloatArray | None = None,
    ) -> MipAnswer:
        """Solve. ``integral``: every solution's objective is an integer, so a gap below 1
        proves the optimum and the bound may be rounded to the next integer."""
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", threads)
        h.setOptionValue("random_seed", 0)
        h.setOptionValue("time_limit", max(seconds, 0.01))
        h.setOptionValue("mip_rel_gap", 0.0 if integral else 1e-7)
        h.setOptionValue("mip_abs_gap", 1.0 - 1e-6 if integral else 0.0)
        sign = -1.0 if maximize else 1.0
        none_i = np.zeros(0, np.int32)
        h.addCols(
            self.n_col, sign * _cat(self.cost), _cat(self.lower), _cat(self.upper), 0,
            none_i, none_i, np.zeros(0),
        )  # fmt: skip
        rows, cols, coefs = _cat_i(self.row_of), _cat_i(self.col_of), _cat(self.coef)
        order = np.lexsort((cols, rows))
        starts = np.searchsorted(rows[order], np.arange(self.n_row)).astype(np.int32)
        h.addRows(
            self.n_row, _cat(self.row_lower), _cat(self.row_upper), len(order), starts,
            cols[order].astype(np.int32), coefs[order],
        )  # fmt: skip
        integer = np.flatnonzero(np.concatenate(self.integer)).astype(np.int32)
        h.changeColsIntegrality(len(integer), integer, np.ones(len(integer), dtype=np.uint8))
        if start is not None:
            h.setSolution(self.n_col, np.arange(self.n_col, dtype=np.int32), start)
        h.run()
        answer = _answer(h, sign)
        if not (integral and math.isfinite(answer.bound)):
            return answer
        rounded = math.floor(answer.bound + 1e-6) if maximize else math.ceil(answer.bound - 1e-6)
        return dataclasses.replace(answer, bound=float(rounded))


def _cat(parts: list[FloatArray]) -> FloatArray:
    return np.concatenate(parts) if parts else np.zeros(0)


def _cat_i(parts: list[IntArray]) -> IntArray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _answer(h: highspy.Highs, sign: float) -> MipAnswer:
    status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    values = np.asarray(h.getSolution().col_value) if has_solution else np.zeros(0)
    objective = sign * float(info.objective_function_value) if has_solution else math.nan
    bound = float(info.mip_dual_bound)
    bound = sign * bound if math.isfinite(bound) else -sign * math.inf
    if status == highspy.HighsModelStatus.kOptimal:
        return MipAnswer("optimal", values, objective, bound if math.isfinite(bound) else objective)
    if status == highspy.HighsModelStatus.kInfeasible:
        return MipAnswer("infeasible", values, math.nan, math.nan)
    return MipAnswer("feasible" if has_solution else "unsolved", values, objective, bound)


def site_columns(model: MipModel, n_site: int, existing: BoolArray, k: int) -> IntArray:
    """The binary site columns, existing ones fixed open, ``k`` new ones among the rest."""
    y = model.columns(np.zeros(n_site), existing.astype(np.float64), np.ones(n_site), integer=True)
    free = np.flatnonzero(~existing)
    model.rows(
        np.array([float(k)]), np.array([float(k)]), np.zeros(len(free), dtype=np.int64), y[free],
        np.ones(len(free)),
    )  # fmt: skip
    return y


def share_columns(
    model: MipModel, y: IntArray, pairs: tuple[IntArray, IntArray], cost: FloatArray,
    weights: FloatArray, capacity: FloatArray,
) -> IntArray:  # fmt: skip
    """Shares ``x_ij`` of the allowed ``pairs`` (demand, site): ``x_ij <= y_j`` and each
    site's served weight within its capacity."""
    demand, site = pairs
    x = model.columns(cost, 0.0, 1.0)
    count = len(x)
    model.rows(
        np.full(count, -_INF), np.zeros(count),
        np.repeat(np.arange(count), 2), np.column_stack([x, y[site]]).ravel(),
        np.tile([1.0, -1.0], count),
    )  # fmt: skip
    n_site = len(y)
    model.rows(
        np.full(n_site, -_INF), np.zeros(n_site),
        np.concatenate([site, np.arange(n_site)]), np.concatenate([x, y]),
        np.concatenate([weights[demand], -capacity]),
    )  # fmt: skip
    return x


def capacitated_median(
    costs: FloatArray, weights: FloatArray, existing: BoolArray, k: int, capacity: FloatArray,
    *, seconds: float, threads: int,
) -> tuple[MipAnswer, IntArray, IntArray]:  # fmt: skip
    """The capacitated p-median (spopt's classic form): ``(answer, y columns, x columns)``;
    ``x`` covers every (demand, site) pair in row-major order."""
    n_dem, n_site = costs.shape
    model = MipModel()
    y = site_columns(model, n_site, existing, k)
    demand, site = np.divmod(np.arange(n_dem * n_site), n_site)
    x = share_columns(model, y, (demand, site), weights[demand] * costs.ravel(), weights, capacity)
    _each_served_once(model, x, demand, n_dem, lower=1.0)
    # Shares make the objective fractional even on integer data.
    return model.solve(seconds=seconds, threads=threads), y, x


def max_covering(
    costs: FloatArray, weights: FloatArray, existing: BoolArray, k: int, radius: float,
    capacity: FloatArray | None, *, seconds: float, threads: int,
) -> tuple[MipAnswer, IntArray, IntArray, tuple[IntArray, IntArray]]:  # fmt: skip
    """Maximal covering: ``(answer, y columns, share columns, their (demand, site) pairs)``.

    Uncapacitated, the share columns are one ``z_i`` per demand point (covered or not);
    capacitated, one ``x_ij`` per pair within ``radius``.
    """
    n_dem, n_site = costs.shape
    model = MipModel()
    y = site_columns(model, n_site, existing, k)
    demand, site = np.nonzero(costs <= radius)
    if capacity is None:
        z = model.columns(weights, 0.0, 1.0)
        # z_i <= sum of the open sites within reach
        model.rows(
            np.full(n_dem, -_INF), np.zeros(n_dem),
            np.concatenate([np.arange(n_dem), demand]), np.concatenate([z, y[site]]),
            np.concatenate([np.ones(n_dem), -np.ones(len(site))]),
        )  # fmt: skip
        integral = bool(np.all(weights == np.round(weights)))
        answer = model.solve(maximize=True, seconds=seconds, threads=threads, integral=integral)
        return answer, y, z, (np.arange(n_dem), np.full(n_dem, -1))
    x = share_columns(model, y, (demand, site), weights[demand], weights, capacity)
    _each_served_once(model, x, demand, n_dem, lower=-_INF)
    answer = model.solve(maximize=True, seconds=seconds, threads=threads)
    return answer, y, x, (demand, site)


def cover_within(
    costs: FloatArray, weights: FloatArray, existing: BoolArray, k: int, radius: float,
    capacity: FloatArray | None, *, seconds: float, threads: int,
) -> tuple[MipAnswer, IntArray, IntArray, tuple[IntArray, IntArray]]:  # fmt: skip
    """p-center's test: can ``k`` new sites serve every demand point within ``radius``?

    ``(answer, y columns, x columns, their pairs)``; without capacity there are no ``x``.
    """
    n_dem, n_site = costs.shape
    model = MipModel()
    y = site_columns(model, n_site, existing, k)
    demand, site = np.nonzero(costs <= radius)
    if capacity is None:
        model.rows(np.ones(n_dem), np.full(n_dem, _INF), demand, y[site], np.ones(len(site)))
        answer = model.solve(seconds=seconds, threads=threads)
        return answer, y, np.zeros(0, dtype=np.int64), (demand, site)
    x = share_columns(model, y, (demand, site), np.zeros(len(site)), weights, capacity)
    _each_served_once(model, x, demand, n_dem, lower=1.0)
    return model.solve(seconds=seconds, threads=threads), y, x, (demand, site)


def _each_served_once(
    model: MipModel, x: IntArray, demand: IntArray, n_dem: int, *, lower: float
) -> None:
    """``lower <= sum_j x_ij <= 1`` for every demand point."""
    model.rows(np.full(n_dem, lower), np.ones(n_dem), demand, x, np.ones(len(x)))
