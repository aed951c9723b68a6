"""Private: the uncapacitated p-median, solved exactly with HiGHS in three phases.

1. **The LP relaxation by Benders cuts** (after Durán-Mateluna, Alès and Elloumi, "An
   efficient Benders decomposition for the p-median problem", EJOR 308, 2023). The master
   keeps the site variables ``y`` and one ``theta_i`` per demand point. For any radius ``r``

       theta_i >= r - sum_j max(0, r - d_ij) * y_j

   holds, and at a given ``y`` the radius where the cumulative ``y`` over ``i``'s nearest
   sites first reaches 1 makes it tight: each demand point's subproblem is a sort and a
   cumulative sum, no LP. Cuts are taken in-out (Ben-Ameur and Neto): at a point between the
   master's answer and the best interior point so far, which needs few rounds.
2. **A solution and reduced-cost fixing.** The LP's largest ``y``, improved by best swaps,
   is the incumbent; every site whose reduced cost alone lifts the LP bound past it is
   closed for good (no better solution opens it), and the LP is solved again over the sites
   left while that closes many.
3. **Branch and cut** on the sites left, best bound first: each node's LP is the same
   master with the node's bounds on ``y``, cut until exact (every cut is globally valid,
   so one pool serves all nodes); reduced-cost fixing again inside each subtree. A node
   whose LP reaches the incumbent is pruned; when none is left the incumbent is optimal.

HiGHS only ever solves LPs here, from the last basis. Solving the master as a HiGHS MIP
again after each round of cuts, or the radius formulation (Elloumi 2010) as one MIP, was
measured and was an order of magnitude slower (benchmarks/RESULTS.md, p-median section).
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_EPS = 1e-9
_LP_TOL = 1e-7  # relative gap at which the LP relaxation counts as solved
_IN_OUT = 0.5  # weight of the master's answer in the separation point
_INF = highspy.kHighsInf


@dataclass(frozen=True)
class PMedianOutcome:
    """What the three phases found and proved."""

    open_sites: BoolArray
    objective: float
    bound: float
    optimal: bool
    lp_bound: float
    lp_rounds: int
    sites_left: int


def solve_pmedian(
    costs: FloatArray,
    weights: FloatArray,
    k_total: int,
    fixed: BoolArray,
    *,
    time_limit: float,
    threads: int = 1,
    integral: bool = False,
) -> PMedianOutcome:
    """Open ``k_total`` sites (the ``fixed`` ones among them) minimising ``sum_i w_i d_i``.

    ``costs`` is demand points × sites, weights positive, ``k_total`` below the number of
    sites. ``integral``: every objective value is an integer, so a gap below 1 proves the
    optimum.
    """
    deadline = time.perf_counter() + time_limit
    left = np.ones(len(fixed), dtype=bool)
    incumbent = _rounded(np.zeros(len(fixed)), k_total, fixed)
    upper, lp_bound, rounds = math.inf, -math.inf, 0
    while True:
        levels = _Levels(costs[:, left])
        master = _Master(levels, weights, k_total, fixed[left], threads)
        bound, more = _solve_relaxation(master, levels, weights, k_total, fixed[left], deadline)
        rounds += more
        if not math.isfinite(upper):
            start = np.zeros(len(fixed), dtype=bool)
            start[np.flatnonzero(left)] = _rounded(master.y(), k_total, fixed[left])
            incumbent = swap_search(costs, weights, start, fixed)
            upper = float(weights @ costs[:, incumbent].min(axis=1))
        slack = 1.0 - 1e-6 if integral else 1e-9 * max(1.0, abs(upper))
        lp_bound = max(lp_bound, min(bound, upper))
        if more == 0 or upper - bound <= slack:
            break
        # Fixing is valid from any dual-feasible answer of the master, a relaxation: a site
        # whose reduced cost lifts the bound past the incumbent is in no better solution.
        keep = fixed[left] | (master.y() > 1e-9) | incumbent[left]
        keep |= bound + master.reduced_costs() <= upper - slack
        if keep.sum() > 0.8 * len(keep):
            break  # closing so few is not worth a new master
        left[np.flatnonzero(left)[~keep]] = False
    if upper - lp_bound <= slack or time.perf_counter() >= deadline:
        return PMedianOutcome(
            incumbent, upper, _rounded_bound(lp_bound, upper, integral),
            upper - lp_bound <= slack, lp_bound, rounds, int(left.sum()),
        )  # fmt: skip
    chosen, value, bound = _branch_and_cut(
        master, levels, weights, fixed[left], incumbent[left], upper, deadline=deadline,
        gap=slack,
    )  # fmt: skip
    if value < upper:
        incumbent = np.zeros(len(fixed), dtype=bool)
        incumbent[np.flatnonzero(left)[chosen]] = True
        upper = value
    # Sites closed by fixing only take part in solutions no better than the incumbent.
    bound = min(max(bound, lp_bound), upper)
    return PMedianOutcome(
        incumbent, upper, _rounded_bound(bound, upper, integral), upper - bound <= slack,
        lp_bound, rounds, int(left.sum()),
    )  # fmt: skip


def _rounded_bound(bound: float, upper: float, integral: bool) -> float:
    """The bound, up to the next integer when every objective value is one."""
    if integral and math.isfinite(bound):
        bound = float(math.ceil(bound - 1e-6))
    return min(bound, upper)


@dataclass(frozen=True)
class _Cuts:
    """Cuts ``theta_i + sum_j coef * y_j >= rhs``, their ``y`` parts as CSR rows."""

    clients: IntArray
    rhs: FloatArray
    starts: IntArray
    columns: IntArray
    coefs: FloatArray


class _Levels:
    """Each demand point's sites sorted by cost, for the closed-form subproblem."""

    def __init__(self, costs: FloatArray) -> None:
        self.costs = costs
        self.order = np.argsort(costs, axis=1, kind="stable")
        self.sorted = np.take_along_axis(costs, self.order, axis=1)

    def radius_positions(self, y: FloatArray) -> IntArray:
        """Per demand point, the first sorted position where the cumulative ``y`` reaches 1."""
        cumulative = np.cumsum(y[self.order], axis=1)
        return np.argmax(cumulative >= 1.0 - 1e-7, axis=1).astype(np.int64)

    def values(self, y: FloatArray, positions: IntArray) -> FloatArray:
        """The cuts' right-hand sides at ``y``: each demand point's subproblem value."""
        radius = self.sorted[np.arange(len(positions)), positions]
        saving = np.maximum(radius[:, None] - self.costs, 0.0) @ y
        return np.asarray(radius - saving)

    def cuts(self, clients: IntArray, positions: IntArray) -> _Cuts:
        """The optimality cuts of ``clients`` at their radius ``positions``."""
        radius = self.sorted[clients, positions]
        closer = self.costs[clients] < radius[:, None] - _EPS
        rows, columns = np.nonzero(closer)
        starts = np.concatenate([[0], np.cumsum(closer.sum(axis=1))]).astype(np.int64)
        coefs = radius[rows] - self.costs[clients[rows], columns]
        return _Cuts(clients, radius, starts, columns.astype(np.int64), coefs)


class _Master:
    """The HiGHS master LP: columns ``y`` (sites) then ``theta`` (demand points)."""

    def __init__(
        self, levels: _Levels, weights: FloatArray, k_total: int, fixed: BoolArray, threads: int
    ) -> None:
        n_dem, n_site = levels.costs.shape
        self.n_site, self.n_dem = n_site, n_dem
        self.k_total = k_total
        self.h = _highs(threads)
        lower = np.concatenate([fixed.astype(np.float64), levels.sorted[:, 0]])
        upper = np.concatenate([np.ones(n_site), np.full(n_dem, _INF)])
        cost = np.concatenate([np.zeros(n_site), weights])
        none_i, none_f = np.zeros(0, np.int32), np.zeros(0)
        self.h.addCols(n_site + n_dem, cost, lower, upper, 0, none_i, none_i, none_f)
        self.h.addRows(
            1, np.array([float(k_total)]), np.array([float(k_total)]), n_site,
            np.array([0], np.int32), np.arange(n_site, dtype=np.int32), np.ones(n_site),
        )  # fmt: skip

    def add(self, cuts: _Cuts) -> None:
        count = len(cuts.clients)
        # Each row holds its y entries, then its theta entry.
        lengths = np.diff(cuts.starts) + 1
        ends = np.cumsum(lengths) - 1
        index = np.empty(int(lengths.sum()), dtype=np.int32)
        value = np.empty(len(index))
        index[ends], value[ends] = self.n_site + cuts.clients, 1.0
        rest = np.ones(len(index), dtype=bool)
        rest[ends] = False
        index[rest], value[rest] = cuts.columns, cuts.coefs
        starts = (ends - lengths + 1).astype(np.int32)
        self.h.addRows(count, cuts.rhs, np.full(count, _INF), len(index), starts, index, value)

    def solve(self, seconds: float) -> tuple[FloatArray, FloatArray, float] | None:
        """``(y, theta, objective)``, or ``None`` when the LP was not solved in time."""
        self.h.setOptionValue("time_limit", max(seconds, 0.01))
        self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        col = np.asarray(self.h.getSolution().col_value)
        objective = float(self.h.getInfo().objective_function_value)
        return col[: self.n_site], col[self.n_site :], objective

    def set_bounds(self, lower: FloatArray, upper: FloatArray) -> None:
        index = np.arange(self.n_site, dtype=np.int32)
        self.h.changeColsBounds(self.n_site, index, lower, upper)

    def y(self) -> FloatArray:
        col = np.asarray(self.h.getSolution().col_value)
        return col[: self.n_site] if len(col) >= self.n_site else np.zeros(self.n_site)

    def reduced_costs(self) -> FloatArray:
        return np.asarray(self.h.getSolution().col_dual)[: self.n_site]


def _highs(threads: int) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    h.setOptionValue("random_seed", 0)
    # Each round changes the master a little and starts from the last basis: presolving it
    # again would cost most of the time.
    h.setOptionValue("presolve", "off")
    return h


def _solve_relaxation(
    master: _Master, levels: _Levels, weights: FloatArray, k_total: int, fixed: BoolArray,
    deadline: float,
) -> tuple[float, int]:  # fmt: skip
    """Phase 1: the LP relaxation's value by stabilised cutting planes, and the rounds."""
    free = ~fixed
    y_in = np.where(fixed, 1.0, (k_total - fixed.sum()) / max(int(free.sum()), 1))
    positions = levels.radius_positions(y_in)
    best_in = float(weights @ levels.values(y_in, positions))
    master.add(levels.cuts(np.arange(master.n_dem), positions))
    bound, rounds = -math.inf, 0
    while time.perf_counter() < deadline:
        answer = master.solve(deadline - time.perf_counter())
        if answer is None:
            break
        y_out, theta, bound = answer
        rounds += 1
        if best_in - bound <= _LP_TOL * max(1.0, abs(best_in)):
            break
        y_sep = _IN_OUT * y_out + (1.0 - _IN_OUT) * y_in
        pos = levels.radius_positions(y_sep)
        value = levels.values(y_sep, pos)
        if weights @ value < best_in:
            best_in, y_in = float(weights @ value), y_sep
        violated = _violated(levels, y_out, theta, pos)
        if len(violated) == 0:  # the separation point misled: cut at the master's answer
            pos = levels.radius_positions(y_out)
            violated = _violated(levels, y_out, theta, pos)
            if len(violated) == 0:
                break  # nothing cuts the master's answer off: it is the LP optimum
        master.add(levels.cuts(violated, pos[violated]))
    return bound, rounds


def _violated(levels: _Levels, y: FloatArray, theta: FloatArray, positions: IntArray) -> IntArray:
    """Demand points whose cut at ``positions`` cuts ``(y, theta)`` off."""
    value = levels.values(y, positions)
    return np.flatnonzero(value > theta + 1e-6 * np.maximum(1.0, np.abs(value)))


def _rounded(y: FloatArray, k_total: int, fixed: BoolArray) -> BoolArray:
    """The fixed sites, then the largest ``y``, ``k_total`` in all."""
    chosen = np.zeros(len(y), dtype=bool)
    chosen[np.argsort(-np.where(fixed, 2.0, y), kind="stable")[:k_total]] = True
    return chosen


def swap_search(
    costs: FloatArray, weights: FloatArray, chosen: BoolArray, fixed: BoolArray
) -> BoolArray:
    """Best-improvement swaps (one open site out, one closed site in) until none improves.

    Parameters
    ----------
    costs, weights
        Demand points × sites, and the demand points' weights.
    chosen
        The open sites to start from (``fixed`` among them).
    fixed
        Sites that stay open.

    Returns
    -------
    ndarray of bool
        Open sites no single swap improves.
    """
    chosen = chosen.copy()
    rows = np.arange(costs.shape[0])
    while True:
        open_idx = np.flatnonzero(chosen)
        sub = costs[:, open_idx]
        order = np.argsort(sub, axis=1, kind="stable")
        nearest = open_idx[order[:, 0]]
        d1 = sub[rows, order[:, 0]]
        d2 = sub[rows, order[:, 1]] if len(open_idx) > 1 else np.full(len(rows), np.inf)
        # Gain of opening j; the loss of then closing open f falls on f's own demand points.
        gain = weights @ np.maximum(d1[:, None] - costs, 0.0)
        extra = weights[:, None] * (np.minimum(d2[:, None], costs) - np.minimum(d1[:, None], costs))
        loss = np.zeros((costs.shape[1], costs.shape[1]))
        np.add.at(loss, nearest, extra)
        delta = loss[open_idx] - gain[None, :]
        delta[:, chosen] = np.inf
        delta[fixed[open_idx], :] = np.inf
        f, j = np.unravel_index(np.argmin(delta), delta.shape)
        if not delta[f, j] < -1e-9 * max(1.0, float(weights @ d1)):
            return chosen
        chosen[open_idx[f]] = False
        chosen[j] = True


def _branch_and_cut(
    master: _Master, levels: _Levels, weights: FloatArray, fixed: BoolArray,
    incumbent: BoolArray, upper: float, *, deadline: float, gap: float,
) -> tuple[BoolArray, float, float]:  # fmt: skip
    """Phase 3: branch and bound on the sites, each node's LP solved by the same cuts (all
    globally valid, kept in one pool); ``(open sites, value, proven bound)``."""
    n_site = master.n_site
    k_total = master.k_total
    counter = itertools.count()
    root = (-math.inf, next(counter), fixed.astype(np.float64), np.ones(n_site))
    heap: list[tuple[float, int, FloatArray, FloatArray]] = [root]
    while heap:
        node_bound, _, lower, upper_y = heap[0]
        if node_bound >= upper - gap:
            heap.clear()  # best first: every node left is pruned too
            break
        if time.perf_counter() >= deadline:
            break
        heapq.heappop(heap)
        if lower.sum() > k_total + 1e-9 or upper_y.sum() < k_total - 1e-9:
            continue
        master.set_bounds(lower, upper_y)
        node = _node_relaxation(master, levels, upper - gap, deadline)
        if node is None:
            if time.perf_counter() >= deadline:
                heap.append((node_bound, next(counter), lower, upper_y))
            continue
        y, bound = node
        if np.all(np.minimum(y, 1.0 - y) < 1e-6):
            chosen = y > 0.5
            value = float(weights @ levels.costs[:, chosen].min(axis=1))
            if value < upper:
                upper, incumbent = value, chosen
            continue
        # Reduced-cost fixing inside this subtree.
        reduced = master.reduced_costs()
        upper_y = np.where((y < 1e-9) & (bound + reduced > upper - gap), 0.0, upper_y)
        lower = np.where((y > 1 - 1e-9) & (bound - reduced > upper - gap), 1.0, lower)
        j = int(np.argmin(np.abs(y - 0.5)))  # the most fractional site
        for fix in (1.0, 0.0):
            lo, hi = lower.copy(), upper_y.copy()
            lo[j] = hi[j] = fix
            heapq.heappush(heap, (bound, next(counter), lo, hi))
    proven = min([upper, *(entry[0] for entry in heap)])
    return incumbent, upper, proven


def _node_relaxation(
    master: _Master, levels: _Levels, cutoff: float, deadline: float
) -> tuple[FloatArray, float] | None:
    """A node's LP by cutting planes at its answers; ``None`` when pruned (bound past
    ``cutoff``), infeasible or out of time."""
    while time.perf_counter() < deadline:
        answer = master.solve(deadline - time.perf_counter())
        if answer is None:
            return None
        y, theta, value = answer
        if value >= cutoff:
            return None
        positions = levels.radius_positions(y)
        violated = _violated(levels, y, theta, positions)
        if len(violated) == 0:
            return y, value
        master.add(levels.cuts(violated, positions[violated]))
    return None
