"""Location models: every optimum checked against brute force over all site choices.

Instances are small and named; brute force enumerates ``itertools.combinations`` of the free
candidates. With capacities, each choice's best assignment is an LP (scipy's ``linprog``), so
brute force stays independent of the HiGHS models under test.
"""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

from planning import (
    LocationError,
    LocationProblem,
    LocationResult,
    max_covering,
    p_center,
    p_median,
    read_optima,
    read_pmed,
)


def random_instance(
    seed: int, n_demand: int, n_candidates: int, *, integral: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Points in a 1 km square, travel times at 5 m/s; weights 0–4 (or real numbers)."""
    rng = np.random.default_rng(seed)
    demand, candidates = rng.random((n_demand, 2)), rng.random((n_candidates, 2))
    seconds = 200.0 * np.linalg.norm(demand[:, None] - candidates[None], axis=2)
    if integral:
        return np.rint(seconds), rng.integers(0, 5, n_demand).astype(float)
    return seconds, rng.random(n_demand) * 3


INSTANCES = [
    # (name, seed, demand points, candidates, k, existing, integral)
    ("one new site", 1, 12, 5, 1, (), True),
    ("three of eight", 2, 20, 8, 3, (), True),
    ("two beside an existing site", 3, 25, 9, 2, (4,), True),
    ("real-valued times and weights", 4, 18, 7, 2, (), False),
    ("two existing, two new", 5, 30, 10, 2, (0, 7), True),
    ("four of twelve", 6, 40, 12, 4, (), True),
]


def choices(n_candidates: int, k: int, existing: tuple[int, ...]):
    free = [j for j in range(n_candidates) if j not in existing]
    for new in itertools.combinations(free, k):
        yield [*existing, *new]


def assert_sites(result: LocationResult, k: int, existing: tuple[int, ...]) -> None:
    assert result.optimal, result.status
    assert set(existing) <= set(result.sites)
    assert len(result.new_sites) == k and not set(result.new_sites) & set(existing)
    assert result.gap < 1e-6


@pytest.mark.parametrize(
    ("name", "seed", "n_dem", "n_cand", "k", "existing", "integral"), INSTANCES
)
def test_p_median_is_the_brute_force_optimum(
    name: str, seed: int, n_dem: int, n_cand: int, k: int, existing: tuple, integral: bool
) -> None:
    costs, weights = random_instance(seed, n_dem, n_cand, integral=integral)
    problem = LocationProblem.from_cost_matrix(costs, weights, existing=existing)
    result = p_median(problem, k)
    best = min(weights @ costs[:, s].min(axis=1) for s in choices(n_cand, k, existing))
    assert result.objective == pytest.approx(best, rel=1e-9)
    assert_sites(result, k, existing)
    # Every demand point goes to its nearest open site, and the objective adds up.
    chosen = list(result.sites)
    nearest = np.array(chosen)[np.argmin(costs[:, chosen], axis=1)]
    assert result.assignment == tuple(nearest)
    assert sum(w * costs[i, j] for i, j, w in result.flows) == pytest.approx(best)


@pytest.mark.parametrize(
    ("name", "seed", "n_dem", "n_cand", "k", "existing", "integral"), INSTANCES
)
def test_max_covering_is_the_brute_force_optimum(
    name: str, seed: int, n_dem: int, n_cand: int, k: int, existing: tuple, integral: bool
) -> None:
    costs, weights = random_instance(seed, n_dem, n_cand, integral=integral)
    radius = float(np.quantile(costs, 0.3))
    problem = LocationProblem.from_cost_matrix(costs, weights, existing=existing)
    result = max_covering(problem, k, radius)
    best = max(
        weights[costs[:, s].min(axis=1) <= radius].sum() for s in choices(n_cand, k, existing)
    )
    assert result.objective == pytest.approx(best)
    assert_sites(result, k, existing)
    for i, site in enumerate(result.assignment):
        assert (site == -1) == (costs[i, list(result.sites)].min() > radius)


@pytest.mark.parametrize(
    ("name", "seed", "n_dem", "n_cand", "k", "existing", "integral"), INSTANCES
)
def test_p_center_is_the_brute_force_optimum(
    name: str, seed: int, n_dem: int, n_cand: int, k: int, existing: tuple, integral: bool
) -> None:
    costs, weights = random_instance(seed, n_dem, n_cand, integral=integral)
    problem = LocationProblem.from_cost_matrix(costs, weights, existing=existing)
    result = p_center(problem, k)
    counted = weights > 0  # weightless points do not count
    best = min(costs[counted][:, s].min(axis=1).max() for s in choices(n_cand, k, existing))
    assert result.objective == pytest.approx(best)
    assert result.bound == pytest.approx(best)
    assert_sites(result, k, existing)


def test_p_median_branches_where_the_lp_is_fractional(pmed_dir: Path) -> None:
    # pmed6's LP bound (7783.5) is below its optimum: branch and cut must close the gap.
    instance = read_pmed(pmed_dir / "pmed6.txt")
    result = p_median(LocationProblem.from_cost_matrix(instance.costs), instance.p)
    assert result.optimal
    assert result.objective == read_optima(pmed_dir / "pmedopt.txt")["pmed6"] == 7824
    assert result.bound == pytest.approx(7824, abs=1.0)


def test_pmed1_is_proven_optimal(pmed_dir: Path) -> None:
    instance = read_pmed(pmed_dir / "pmed1.txt")
    result = p_median(LocationProblem.from_cost_matrix(instance.costs), instance.p)
    assert (result.status, result.solver) == ("optimal", "highs-benders")
    assert result.objective == read_optima(pmed_dir / "pmedopt.txt")["pmed1"] == 5819
    assert len(result.sites) == 5


# --- capacities: brute force by one LP per choice of sites -----------------------------------


def transport(
    costs: np.ndarray, weights: np.ndarray, sites: list[int], capacity: np.ndarray
) -> float | None:
    """Least weighted cost serving all demand from ``sites`` within capacity (split allowed)."""
    n_dem, n_open = len(weights), len(sites)
    c = (weights[:, None] * costs[:, sites]).ravel()  # x[i, position] in row-major order
    serve_all = np.kron(np.eye(n_dem), np.ones(n_open))
    a_ub = np.zeros((n_open, n_dem * n_open))
    for position in range(n_open):
        a_ub[position, position::n_open] = weights
    answer = linprog(
        c, A_ub=a_ub, b_ub=capacity[sites], A_eq=serve_all, b_eq=np.ones(n_dem), bounds=(0, 1)
    )
    return float(answer.fun) if answer.status == 0 else None


CAPACITATED = [
    # (name, seed, demand points, candidates, k, existing)
    ("two of six", 11, 10, 6, 2, ()),
    ("three of seven, one existing", 12, 12, 7, 2, (3,)),
]


def capacities_for(weights: np.ndarray, n_cand: int, n_open: int, seed: int) -> np.ndarray:
    """Capacities of 1 to 1.4 times an even share of the total weight among the ``n_open``
    sites: any choice serves everyone, and the capacities bind."""
    rng = np.random.default_rng(seed)
    return np.ceil(weights.sum() / n_open * rng.uniform(1.0, 1.4, n_cand))


@pytest.mark.parametrize(("name", "seed", "n_dem", "n_cand", "k", "existing"), CAPACITATED)
def test_capacitated_p_median_is_the_brute_force_optimum(
    name: str, seed: int, n_dem: int, n_cand: int, k: int, existing: tuple
) -> None:
    costs, weights = random_instance(seed, n_dem, n_cand)
    weights += 1  # everyone counts
    capacity = capacities_for(weights, n_cand, k + len(existing), seed)
    problem = LocationProblem.from_cost_matrix(
        costs, weights, existing=existing, capacities=capacity
    )
    result = p_median(problem, k)
    values = [transport(costs, weights, s, capacity) for s in choices(n_cand, k, existing)]
    best = min(v for v in values if v is not None)
    assert result.objective == pytest.approx(best, rel=1e-6)
    assert_sites(result, k, existing)
    assert_capacity_kept(result, problem, everyone=True)
    # The capacity binds: the uncapacitated optimum is strictly better.
    unlimited = LocationProblem.from_cost_matrix(costs, weights, existing=existing)
    assert p_median(unlimited, k).objective < best - 1e-6


@pytest.mark.parametrize(("name", "seed", "n_dem", "n_cand", "k", "existing"), CAPACITATED)
def test_capacitated_max_covering_is_the_brute_force_optimum(
    name: str, seed: int, n_dem: int, n_cand: int, k: int, existing: tuple
) -> None:
    costs, weights = random_instance(seed, n_dem, n_cand)
    weights += 1
    capacity = capacities_for(weights, n_cand, k + len(existing), seed) / 2
    radius = float(np.quantile(costs, 0.5))
    problem = LocationProblem.from_cost_matrix(
        costs, weights, existing=existing, capacities=capacity
    )
    result = max_covering(problem, k, radius)
    best = max(covered(costs, weights, s, capacity, radius) for s in choices(n_cand, k, existing))
    assert result.objective == pytest.approx(best, rel=1e-6)
    assert_sites(result, k, existing)
    assert_capacity_kept(result, problem, everyone=False)
    assert all(costs[i, j] <= radius for i, j, _ in result.flows)


def covered(costs, weights, sites, capacity, radius) -> float:
    """Most weight served within ``radius`` from ``sites`` within capacity (an LP)."""
    n_dem, n_open = len(weights), len(sites)
    reach = (costs[:, sites] <= radius).ravel()
    c = -np.repeat(weights, n_open) * reach
    a_ub = np.vstack([np.kron(np.eye(n_dem), np.ones(n_open)), np.zeros((n_open, n_dem * n_open))])
    for position in range(n_open):
        a_ub[n_dem + position, position::n_open] = weights
    b_ub = np.concatenate([np.ones(n_dem), capacity[sites]])
    bounds = [(0, 1 if r else 0) for r in reach]
    return -float(linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=bounds).fun)


@pytest.mark.parametrize(("name", "seed", "n_dem", "n_cand", "k", "existing"), CAPACITATED)
def test_capacitated_p_center_is_the_brute_force_optimum(
    name: str, seed: int, n_dem: int, n_cand: int, k: int, existing: tuple
) -> None:
    costs, weights = random_instance(seed, n_dem, n_cand)
    weights += 1
    capacity = capacities_for(weights, n_cand, k + len(existing), seed)
    problem = LocationProblem.from_cost_matrix(
        costs, weights, existing=existing, capacities=capacity
    )
    result = p_center(problem, k)
    best = math.inf
    for sites in choices(n_cand, k, existing):
        for radius in np.unique(costs):
            if radius >= best:
                break
            allowed = np.where(costs <= radius, costs, 1e6)  # pairs beyond the radius forbidden
            value = transport(allowed, weights, sites, capacity)
            if value is not None and value < 1e6:
                best = float(radius)
                break
    assert result.objective == pytest.approx(best)
    assert_sites(result, k, existing)
    assert_capacity_kept(result, problem, everyone=True)


def assert_capacity_kept(
    result: LocationResult, problem: LocationProblem, *, everyone: bool
) -> None:
    assert problem.capacities is not None
    served_by = np.zeros(problem.n_candidates)
    served = np.zeros(problem.n_demand)
    for i, j, amount in result.flows:
        assert j in result.sites
        served_by[j] += amount
        served[i] += amount
    assert (served_by <= problem.capacities + 1e-6).all()
    assert (served <= problem.weights + 1e-6).all()
    if everyone:
        np.testing.assert_allclose(served, problem.weights, rtol=1e-6)


def test_too_little_capacity_is_infeasible_not_an_error() -> None:
    costs, weights = random_instance(21, 8, 4)
    weights += 1
    problem = LocationProblem.from_cost_matrix(
        costs,
        weights,
        capacities=np.full(4, weights.sum() / 3),  # two sites serve 2/3
    )
    for result in (p_median(problem, 2), p_center(problem, 2)):
        assert result.status == "infeasible"
        assert result.sites == () and math.isnan(result.objective)
        assert set(result.assignment) == {-1}


# --- fixed sites, trivial choices, the result ------------------------------------------------


def test_existing_sites_stay_open_even_when_poorly_placed() -> None:
    costs, weights = random_instance(31, 30, 8)
    worst = int(np.argmax(weights @ costs))  # the site nobody would choose
    problem = LocationProblem.from_cost_matrix(costs, weights, existing=[worst])
    for result in (p_median(problem, 2), max_covering(problem, 2, 50.0), p_center(problem, 2)):
        assert worst in result.sites and worst not in result.new_sites
        assert len(result.sites) == 3


def test_no_new_site_assigns_to_the_existing_ones() -> None:
    costs, weights = random_instance(32, 10, 5)
    problem = LocationProblem.from_cost_matrix(costs, weights, existing=[1, 3])
    result = p_median(problem, 0)
    assert (result.status, result.sites, result.new_sites) == ("optimal", (1, 3), ())
    assert result.objective == pytest.approx(weights @ costs[:, [1, 3]].min(axis=1))


def test_result_as_a_frame() -> None:
    costs, weights = random_instance(33, 6, 3)
    problem = LocationProblem.from_cost_matrix(costs, weights + 1)
    result = p_median(problem, 1)
    frame = result.to_frame(problem)
    assert list(frame.columns) == ["demand", "site", "weight", "cost"]
    assert len(frame) == 6
    assert (frame["weight"] * frame["cost"]).sum() == pytest.approx(result.objective)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"costs": [1, 2, 3]}, "costs"),  # one-dimensional
        ({"costs": np.zeros((0, 3))}, "costs"),  # no demand point
        ({"costs": [[1, -2]]}, "costs[0, 1]"),  # a negative time, named by its position
        ({"costs": [[1, math.nan]]}, "costs[0, 1]"),  # not a number
        ({"costs": [["a", 1]]}, "costs"),  # not numbers at all
        ({"costs": [[1, 2]], "weights": [1, 2]}, "weights"),  # one weight per demand point
        ({"costs": [[1, 2]], "weights": [-1]}, "weights[0]"),  # negative population
        ({"costs": [[1, 2]], "existing": [2]}, "existing"),  # no candidate 2
        ({"costs": [[1, 2]], "existing": [1, 1]}, "existing"),  # repeated
        ({"costs": [[1, 2]], "capacities": [1]}, "capacities"),  # one per candidate
        ({"costs": [[1, 2]], "capacities": [1, math.inf]}, "capacities[1]"),  # unlimited is None
    ],
)
def test_bad_problems_name_the_field(kwargs: dict, field: str) -> None:
    costs = kwargs.pop("costs")
    with pytest.raises(LocationError) as error:
        LocationProblem.from_cost_matrix(costs, **kwargs)
    assert error.value.field == field
    assert str(error.value).startswith(f"{field}=")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda p: p_median(p, 3), "k"),  # only two free candidates
        (lambda p: p_median(p, -1), "k"),
        (lambda p: p_median(p, True), "k"),  # a bool is not a count
        (lambda p: p_center(p, 1.5), "k"),
        (lambda p: max_covering(p, 1, -5.0), "radius"),
        (lambda p: max_covering(p, 1, math.inf), "radius"),
        (lambda p: max_covering(p, 1, "ten minutes"), "radius"),  # not a number
        (lambda p: p_median(p, 1, time_limit=0), "time_limit"),
        (lambda p: p_median(p, 1, threads=0), "threads"),
    ],
)
def test_bad_arguments_name_the_field(call, field: str) -> None:
    problem = LocationProblem.from_cost_matrix([[1.0, 2.0], [3.0, 1.0]])
    with pytest.raises(LocationError) as error:
        call(problem)
    assert error.value.field == field


def test_no_open_site_at_all_is_refused() -> None:
    problem = LocationProblem.from_cost_matrix([[1.0, 2.0]])
    with pytest.raises(LocationError, match="no site would be open"):
        p_median(problem, 0)


def test_the_problem_is_immutable() -> None:
    problem = LocationProblem.from_cost_matrix([[1.0, 2.0]])
    with pytest.raises(ValueError, match="read-only"):
        problem.costs[0, 0] = 5.0


# --- one process with OR-Tools ----------------------------------------------------------------


@pytest.mark.parametrize(
    "first",
    [
        "import planning",  # HiGHS's library loaded by highspy first
        "from ortools.sat.python import cp_model; import optimizer",  # OR-Tools' copy first
    ],
)
def test_planning_and_ortools_share_one_process(first: str) -> None:
    # OR-Tools bundles its own libhighs.so.1; a process loads one, so highspy must be the same
    # HiGHS release or whichever comes second fails to import (pyproject's pin).
    script = (
        f"{first}\n"
        "import planning, optimizer\n"
        "from ortools.constraint_solver import pywrapcp\n"
        "from ortools.sat.python import cp_model\n"
        "problem = planning.LocationProblem.from_cost_matrix([[0, 5, 9], [5, 0, 4], [9, 4, 0]])\n"
        "result = planning.p_median(problem, 1)\n"
        "assert (result.sites, result.objective, result.status) == ((1,), 9.0, 'optimal')\n"
        "model = cp_model.CpModel(); model.new_bool_var('x')\n"
        "assert cp_model.CpSolver().solve(model) == cp_model.OPTIMAL\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
