"""VROOM's single-location job, grown into the model as shipments.

A job is one visit at one site (VROOM's ``jobs``): a *delivery* job drops an amount that
was loaded at the van's start, a *pickup* job collects an amount that stays on the van
until its end. The model moves amounts only in shipments, so ``with_jobs`` writes each job
as one shipment whose other end is a helper site, with matrix entries that give it exactly
VROOM's rules:

- a delivery job is a shipment from a **loading** site to the job's site. The loading
  site is a copy of a van's start site (the same place, no time, no distance) that can be
  reached only from the van's start, itself a copy of its start site used for nothing
  else, or from another loading visit there: every delivery job of a route is loaded
  before its first other visit, and no van comes back to load more (no second trip);
- a pickup job is a shipment from the job's site to an **unloading** site, a copy of a
  van's end site from which only the van's end (a copy too) or another unloading visit can
  be reached: the amount stays on board to the end;
- a job with no amount is a shipment from the job's site to its **twin**, the same place
  reachable only from the job's site: the twin adds no travel and no time.

The job's ``service`` is its own visit's service; its site's ``service_duration`` is
VROOM's setup. The rest of the model (windows, breaks, skills, priorities, the solvers,
``check``) applies to these shipments unchanged.

Which depot: a delivery job is loaded where the vans able to serve it (those with every
skill it needs) start; only vans starting there can serve it. When those vans start from
several sites, the job is loaded at the one nearest to it (``durations``), so it may miss
a plan in which a van from another depot serves it. Pickup jobs and the vans' end sites
likewise. With one depot (the usual case) nothing is restricted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from optimizer.errors import ProblemError
from optimizer.model import (
    AMOUNT_MAX,
    COST_MAX,
    PRIORITY_MAX,
    TIME_MAX,
    UNREACHABLE,
    Problem,
    Shipment,
    Site,
    Van,
    VisitType,
    _as_tuple,
    _check_id,
    _check_int,
    _check_number,
    _check_skills,
    _check_vector,
    _shown,
)


class JobType(StrEnum):
    DELIVERY = "delivery"  # the amount is loaded at the van's start
    PICKUP = "pickup"  # the amount is brought back to the van's end


@dataclass(frozen=True, slots=True)
class Job:
    """A single-location task: ``amount`` delivered at ``site`` (loaded at the van's start)
    or picked up there (unloaded at the van's end).

    ``service`` is the visit's own service time (s); the site's ``service_duration`` is
    paid once per stop, as for shipments. ``priority``, ``deferrable``, ``penalty`` and
    ``skills`` mean what they mean for a ``Shipment``. An amount of zeros makes a plain
    visit.
    """

    id: str
    site: str
    type: JobType
    amount: tuple[int, ...]
    service: int = 0
    priority: int = 0
    skills: frozenset[str] = frozenset()
    deferrable: bool = False
    penalty: float = 0.0

    def __post_init__(self) -> None:
        _check_id("Job", self.id)
        owner = f"Job[{self.id}]"
        if not isinstance(self.site, str):
            raise ProblemError(f"{owner}.site must be a site id, got {_shown(self.site)}")
        try:
            object.__setattr__(self, "type", JobType(self.type))
        except ValueError:
            raise ProblemError(
                f"{owner}.type must be 'delivery' or 'pickup', got {_shown(self.type)}"
            ) from None
        object.__setattr__(self, "amount", _as_tuple(owner, "amount", self.amount))
        object.__setattr__(self, "skills", frozenset(_as_tuple(owner, "skills", self.skills)))
        if not self.amount:
            raise ProblemError(f"{owner}.amount must have at least one dimension")
        _check_vector(owner, "amount", self.amount, AMOUNT_MAX)
        _check_int(owner, "service", self.service, TIME_MAX)
        _check_int(owner, "priority", self.priority, PRIORITY_MAX)
        if not isinstance(self.deferrable, bool):
            raise ProblemError(
                f"{owner}.deferrable must be True or False, got {_shown(self.deferrable)}"
            )
        _check_number(owner, "penalty", self.penalty, COST_MAX)
        _check_skills(owner, self.skills)


@dataclass(frozen=True, slots=True)
class JobShipment:
    """How a job lives in the problem: ``shipment`` (same id as the job), of which the
    ``visit`` end is the job's own visit; the other end is at a helper site."""

    job: Job
    visit: VisitType


@dataclass(frozen=True, slots=True)
class WithJobs:
    """A problem with its jobs written as shipments (see the module docstring).

    ``jobs`` maps each job's shipment id (the job's id) to how it is written;
    ``helpers`` maps each site added for them (loading, unloading, twins, the vans' start
    and end copies) to the site it is a copy of. Results name these sites: a visit at a
    helper site is not a stop of its own.
    """

    problem: Problem
    jobs: dict[str, JobShipment]
    helpers: dict[str, str]


def with_jobs(problem: Problem, jobs: Sequence[Job]) -> WithJobs:
    """``problem`` with ``jobs`` written as shipments, with VROOM's rules for jobs.

    Parameters
    ----------
    problem
        The problem without its jobs (its shipments, sites, matrices and vans).
    jobs
        The jobs; their ids must differ from each other and from the shipments' ids, their
        sites must be sites of ``problem``.

    Returns
    -------
    WithJobs
        The new problem (helper sites appended after ``problem.sites``, their matrix rows
        and columns derived from the sites they copy) and how to read its results.

    Raises
    ------
    ProblemError
        For an unknown site or a duplicate id, naming the job.
    """
    jobs = _as_tuple("with_jobs", "jobs", jobs)
    taken = {s.id for s in problem.shipments}
    for i, job in enumerate(jobs):
        if not isinstance(job, Job):
            raise ProblemError(f"with_jobs jobs[{i}] must be a Job, got {_shown(job)}")
        if job.site not in problem.site_index:
            raise ProblemError(f"Job[{job.id}].site names an unknown site {job.site!r}")
        if job.id in taken:
            raise ProblemError(f"Job[{job.id}].id is already a shipment's or a job's id")
        taken.add(job.id)
    if not jobs:
        return WithJobs(problem, {}, {})
    grid = _Grid(problem)
    written: dict[str, JobShipment] = {}
    shipments: list[Shipment] = list(problem.shipments)
    loading: dict[str, str] = {}  # start site -> its loading site
    unloading: dict[str, str] = {}  # end site -> its unloading site
    twins: dict[str, str] = {}
    for job in jobs:
        common = {
            "amount": job.amount,
            "priority": job.priority,
            "skills": job.skills,
            "deferrable": job.deferrable,
            "penalty": job.penalty,
        }
        depot = _depot(problem, job) if any(job.amount) else None
        if depot is not None and job.type == JobType.DELIVERY:
            if depot not in loading:
                loading[depot] = grid.add(f"{depot}#load", depot, into="start", out="row")
            shipment = Shipment(
                job.id, loading[depot], job.site, delivery_service=job.service, **common
            )
            written[job.id] = JobShipment(job, VisitType.DELIVERY)
        elif depot is not None:
            if depot not in unloading:
                unloading[depot] = grid.add(f"{depot}#unload", depot, into="column", out="end")
            shipment = Shipment(
                job.id, job.site, unloading[depot], pickup_service=job.service, **common
            )
            written[job.id] = JobShipment(job, VisitType.PICKUP)
        else:
            if job.site not in twins:
                twins[job.site] = grid.add(f"{job.site}#twin", job.site, into="site", out="row")
            shipment = Shipment(
                job.id, job.site, twins[job.site], pickup_service=job.service, **common
            )
            written[job.id] = JobShipment(job, VisitType.PICKUP)
        shipments.append(shipment)
    vans = [_van_copies(van, grid, loading, unloading) for van in problem.vans]
    out = dataclasses.replace(
        problem,
        sites=(*problem.sites, *grid.sites),
        durations=grid.matrix(problem.durations),
        distances=grid.matrix(problem.distances),
        vans=tuple(vans),
        shipments=tuple(shipments),
    )
    return WithJobs(out, written, dict(grid.copy_of))


def _depot(problem: Problem, job: Job) -> str | None:
    """The start (delivery job) or end site (pickup job) the job is loaded or unloaded at:
    that of the vans able to serve it, the nearest when they use several; None without
    vans."""
    able = [v for v in problem.vans if job.skills <= v.skills] or list(problem.vans)
    if not able:
        return None
    here = problem.index_of(job.site)
    if job.type == JobType.DELIVERY:
        depots = list(dict.fromkeys(v.start for v in able))
        return min(depots, key=lambda s: problem.durations[problem.index_of(s)][here])
    depots = list(dict.fromkeys(v.end_site for v in able))
    return min(depots, key=lambda s: problem.durations[here][problem.index_of(s)])


def _van_copies(van: Van, grid: _Grid, loading: dict[str, str], unloading: dict[str, str]) -> Van:
    """The van leaving from a copy of its start when it loads jobs there, and ending at a
    copy of its end when it unloads jobs there: the only ways in and out of those sites."""
    start, end = van.start, van.end_site
    if start in loading:
        start = grid.copy(f"{van.start}#start", van.start)
        grid.link(start, loading[van.start])
    if end in unloading:
        end = grid.copy(f"{end}#end", end)
        grid.link(unloading[van.end_site], end)
    return dataclasses.replace(van, start=start, end=end)


class _Grid:
    """The helper sites being added, and how their matrix entries derive from the sites
    they copy.

    ``into`` says which sites reach a helper: ``"column"`` all, as its original does;
    ``"start"`` none but those ``link`` names (a van's start copy); ``"site"`` only its
    original. ``out`` says where it leads: ``"row"`` everywhere, as its original does;
    ``"end"`` only where ``link`` names (a van's end copy). A helper reaches itself.
    """

    def __init__(self, problem: Problem) -> None:
        self._problem = problem
        self._ids = set(problem.site_index)
        self.sites: list[Site] = []
        self.copy_of: dict[str, str] = {}
        self._position: dict[str, int] = {}
        self._rules: list[tuple[int, str, str]] = []  # original index, into, out
        self._links: list[tuple[int, int]] = []  # (from, to) positions driven for free
        self._copies: dict[str, str] = {}

    def add(self, wanted: str, original: str, *, into: str, out: str) -> str:
        site_id = wanted
        n = 1
        while site_id in self._ids:
            n += 1
            site_id = f"{wanted}{n}"
        self._ids.add(site_id)
        base = self._problem.sites[self._problem.index_of(original)]
        self._position[site_id] = len(self._problem.sites) + len(self.sites)
        self.sites.append(Site(site_id, location=base.location, name=base.name))
        self.copy_of[site_id] = original
        self._rules.append((self._problem.index_of(original), into, out))
        return site_id

    def copy(self, wanted: str, original: str) -> str:
        """A plain copy of ``original`` (a van's start or end), one per name."""
        if wanted not in self._copies:
            self._copies[wanted] = self.add(wanted, original, into="column", out="row")
        return self._copies[wanted]

    def link(self, a: str, b: str) -> None:
        self._links.append((self._position[a], self._position[b]))

    def matrix(self, values: Sequence[Sequence[int]]) -> tuple[tuple[int, ...], ...]:
        n = len(self._problem.sites)
        origin = np.array([*range(n), *(rule[0] for rule in self._rules)], dtype=np.int64)
        grid = np.asarray(values, dtype=np.int64).reshape(n, n)[np.ix_(origin, origin)]
        for k, (o, into, out) in enumerate(self._rules):
            j = n + k
            if into != "column":
                grid[:, j] = UNREACHABLE
                if into == "site":
                    grid[o, j] = 0  # the same place, reached from its job's site only
            if out == "end":
                grid[j, :] = UNREACHABLE
        for a, b in self._links:
            grid[a, b] = 0
        np.fill_diagonal(grid, 0)
        return tuple(tuple(row) for row in grid.tolist())
