"""Search parameters of ``solve``: everything that is not the problem, the time or the seed."""

from __future__ import annotations

from dataclasses import dataclass

FIRST_SOLUTION_STRATEGIES = frozenset(
    {
        "AUTOMATIC",
        "PATH_CHEAPEST_ARC",
        "PATH_MOST_CONSTRAINED_ARC",
        "SAVINGS",
        "PARALLEL_SAVINGS",
        "CHRISTOFIDES",
        "BEST_INSERTION",
        "PARALLEL_CHEAPEST_INSERTION",
        "SEQUENTIAL_CHEAPEST_INSERTION",
        "LOCAL_CHEAPEST_INSERTION",
        "LOCAL_CHEAPEST_COST_INSERTION",
        "GLOBAL_CHEAPEST_ARC",
        "LOCAL_CHEAPEST_ARC",
        "FIRST_UNBOUND_MIN_VALUE",
    }
)
"""OR-Tools first-solution strategies ``SolveParams.first_solution`` accepts."""

METAHEURISTICS = frozenset(
    {
        "AUTOMATIC",
        "GREEDY_DESCENT",
        "GUIDED_LOCAL_SEARCH",
        "SIMULATED_ANNEALING",
        "TABU_SEARCH",
        "GENERIC_TABU_SEARCH",
    }
)
"""OR-Tools local-search metaheuristics ``SolveParams.metaheuristic`` accepts."""


@dataclass(frozen=True, slots=True)
class SolveParams:
    """How ``solve`` searches.

    Parameters
    ----------
    work_limit
        Stop after this many solutions of the OR-Tools search (its
        ``solution_limit``) instead of only at the time limit. The search is
        single-threaded, so the same problem, seed and ``work_limit`` give the
        same plan on any machine, as long as the time limit is not reached
        first (``Result.stats.stopped_by`` says which limit stopped it).
        ``None`` (the default) searches until the time limit.
    warm_start
        Start OR-Tools from a specialist solver's plan (``optimizer._warm``: PyVRP's
        iterated local search when it can express the problem, else VROOM, polished by
        PyVRP), which aims at ``warm_start_share`` of the time budget. Skipped when
        ``initial_routes`` are given and when ``work_limit`` is set (both stop on time,
        which is not reproducible).
    warm_start_share
        Fraction of ``time_limit`` given to the warm start, in ``(0, 1)``; more when the
        rest would exceed what OR-Tools needs after it (its build and its stall window,
        ``optimizer.solve.SEARCH_WINDOWS``).
    first_solution
        Name of the OR-Tools first-solution strategy (see
        ``FIRST_SOLUTION_STRATEGIES``).
    metaheuristic
        Name of the OR-Tools local-search metaheuristic (see ``METAHEURISTICS``).
    log_search
        Let OR-Tools log its search to stderr.
    """

    work_limit: int | None = None
    warm_start: bool = True
    warm_start_share: float = 0.7
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    log_search: bool = False

    def __post_init__(self) -> None:
        if self.work_limit is not None and (
            not isinstance(self.work_limit, int)
            or isinstance(self.work_limit, bool)
            or self.work_limit < 1
        ):
            raise ValueError(
                f"SolveParams.work_limit must be an integer >= 1, got {self.work_limit!r}"
            )
        if not isinstance(self.warm_start_share, int | float) or not (
            0 < self.warm_start_share < 1
        ):
            raise ValueError(
                f"SolveParams.warm_start_share must be in (0, 1), got {self.warm_start_share!r}"
            )
        if self.first_solution not in FIRST_SOLUTION_STRATEGIES:
            raise ValueError(
                f"SolveParams.first_solution must be one of {sorted(FIRST_SOLUTION_STRATEGIES)}, "
                f"got {self.first_solution!r}"
            )
        if self.metaheuristic not in METAHEURISTICS:
            raise ValueError(
                f"SolveParams.metaheuristic must be one of {sorted(METAHEURISTICS)}, "
                f"got {self.metaheuristic!r}"
            )
