"""Jobs: VROOM's single-location tasks, written as shipments with VROOM's load rules."""

from __future__ import annotations

import pytest

from optimizer import (
    UNREACHABLE,
    Problem,
    ProblemError,
    Shipment,
    Site,
    SolveParams,
    StepType,
    TimeWindow,
    Van,
    VisitType,
    solve,
)
from optimizer.jobs import Job, JobType, with_jobs


def h(hours: int, minutes: int = 0) -> int:
    return hours * 3600 + minutes * 60


def line(n: int, seconds: int = 600, metres: int = 5000) -> tuple[list[list[int]], list[list[int]]]:
    """Sites on a line, ``seconds`` and ``metres`` apart from one to the next."""
    durations = [[abs(i - j) * seconds for j in range(n)] for i in range(n)]
    distances = [[abs(i - j) * metres for j in range(n)] for i in range(n)]
    return durations, distances


def base(vans: tuple[Van, ...], n: int = 4, **site_kwargs: dict) -> Problem:
    """``central`` then sites ``s1`` … ``s{n-1}`` on a line; ``site_kwargs`` per site id."""
    sites = [Site("central")]
    sites += [Site(f"s{i}", **site_kwargs.get(f"s{i}", {})) for i in range(1, n)]
    durations, distances = line(n)
    return Problem(tuple(sites), durations, distances, vans, ())


@pytest.mark.parametrize(
    "kwargs",
    [
        {},  # a delivery of one crate, the defaults
        {"type": "pickup"},  # as text
        {"amount": (0, 0)},  # nothing to carry: a plain visit
        {"service": 300, "priority": 100, "skills": ["lift"]},
        {"deferrable": True, "penalty": 50.0},
    ],
)
def test_valid_jobs(kwargs: dict) -> None:
    fields = {"type": JobType.DELIVERY, "amount": (1, 0), **kwargs}
    job = Job("j1", "s1", **fields)
    assert isinstance(job.type, JobType)
    assert isinstance(job.skills, frozenset)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"id": ""}, r"Job\.id must be a non-empty string"),
        ({"site": 3}, r"Job\[j1\]\.site must be a site id, got 3"),
        ({"type": "both"}, r"Job\[j1\]\.type must be 'delivery' or 'pickup', got 'both'"),
        ({"amount": ()}, r"Job\[j1\]\.amount must have at least one dimension"),
        ({"amount": (-1,)}, r"Job\[j1\]\.amount\[0\] must be >= 0, got -1"),
        ({"service": 1.5}, r"Job\[j1\]\.service must be an integer, got 1\.5"),
        ({"priority": 101}, r"Job\[j1\]\.priority must be <= 100, got 101"),
        ({"deferrable": "yes"}, r"Job\[j1\]\.deferrable must be True or False"),
        ({"skills": [1]}, r"Job\[j1\]\.skills must be strings, got 1"),
    ],
)
def test_invalid_jobs(kwargs: dict, match: str) -> None:
    fields = {"id": "j1", "site": "s1", "type": "delivery", "amount": (1,), **kwargs}
    with pytest.raises(ProblemError, match=match):
        Job(**fields)


def test_a_job_names_a_known_site_and_a_free_id() -> None:
    van = Van("v1", "central", (4,))
    problem = base((van,))
    with pytest.raises(ProblemError, match=r"Job\[j1\]\.site names an unknown site 'nowhere'"):
        with_jobs(problem, [Job("j1", "nowhere", JobType.DELIVERY, (1,))])
    with pytest.raises(ProblemError, match=r"Job\[j1\]\.id is already"):
        with_jobs(problem, [Job("j1", "s1", "delivery", (1,)), Job("j1", "s2", "pickup", (1,))])


def test_a_delivery_job_is_loaded_at_the_start_and_nowhere_else() -> None:
    van = Van("v1", "central", (4,))
    written = with_jobs(base((van,)), [Job("j1", "s2", JobType.DELIVERY, (1,), service=60)])
    problem = written.problem
    (shipment,) = problem.shipments
    assert (shipment.delivery, shipment.delivery_service) == ("s2", 60)
    assert written.jobs["j1"].visit == VisitType.DELIVERY
    assert written.helpers == {"central#load": "central", "central#start": "central"}
    (van_now,) = problem.vans
    assert (van_now.start, van_now.end_site) == ("central#start", "central")
    load, start = problem.index_of("central#load"), problem.index_of("central#start")
    durations = problem.durations
    assert durations[start][load] == 0  # the van loads before it leaves
    assert durations[load][problem.index_of("s2")] == 1200  # as from central
    # Back at the depot (a visit there, or any other site): no second loading.
    for site in ("central", "s1", "s2", "s3"):
        assert durations[problem.index_of(site)][load] == UNREACHABLE


@pytest.fixture
def fast() -> SolveParams:
    return SolveParams(warm_start=False, work_limit=300)


def test_no_second_trip_for_more_deliveries(fast: SolveParams) -> None:
    # Three crates for a van of two: VROOM loads everything at the start, so one waits.
    van = Van("v1", "central", (2,), cost_per_hour=3600.0)
    jobs = [Job(f"j{i}", f"s{i}", JobType.DELIVERY, (1,)) for i in (1, 2, 3)]
    result = solve(with_jobs(base((van,)), jobs).problem, time_limit=5, params=fast)
    assert result.summary.planned == 2
    assert [u.shipment for u in result.unassigned] == ["j3"]  # the farthest one waits
    start = result.routes[0].steps[1]
    assert (start.type, start.site, start.load) == (StepType.PICKUP, "central#load", (2,))


def test_pickups_stay_on_board_to_the_end(fast: SolveParams) -> None:
    # A van of one crate: a pickup at s1 (only early) then a delivery at s2 would carry two
    # crates after s1 (the delivery's, loaded at the start, and the pickup's): one waits.
    van = Van("v1", "central", (1,), shift=TimeWindow(h(8), h(18)))
    problem = base(
        (van,),
        s1={"time_windows": (TimeWindow(h(8), h(8, 30)),)},
        s2={"time_windows": (TimeWindow(h(9), h(10)),)},
    )
    jobs = [Job("up", "s1", JobType.PICKUP, (1,)), Job("down", "s2", JobType.DELIVERY, (1,))]
    result = solve(with_jobs(problem, jobs).problem, time_limit=5, params=fast)
    assert result.summary.planned == 1
    # With the order free, the delivery goes first and both fit.
    free = solve(with_jobs(base((van,)), jobs).problem, time_limit=5, params=fast)
    assert free.summary.planned == 2
    sites = [step.site for step in free.routes[0].steps]
    assert sites.index("s2") < sites.index("s1")
    assert sites[-2:] == ["central#unload", "central#end"]


def test_a_job_without_amount_costs_only_its_visit(fast: SolveParams) -> None:
    van = Van("v1", "central", (1,))
    written = with_jobs(base((van,)), [Job("look", "s3", JobType.DELIVERY, (0,), service=120)])
    assert written.helpers == {"s3#twin": "s3"}  # no depot involved
    result = solve(written.problem, time_limit=5, params=fast)
    (route,) = result.routes
    assert route.distance == 2 * 15000  # there and back, nothing more
    assert route.duration == 2 * 1800 + 120


def test_a_job_is_loaded_at_the_depot_of_the_vans_that_can_serve_it(fast: SolveParams) -> None:
    # Two depots: central and s3. Only the van from s3 has the skill, so the job is loaded
    # at s3 even though central is as near.
    vans = (
        Van("from_central", "central", (4,)),
        Van("from_s3", "s3", (4,), skills=frozenset({"lift"})),
    )
    jobs = [Job("j", "s2", JobType.DELIVERY, (1,), skills=frozenset({"lift"}))]
    written = with_jobs(base(vans), jobs)
    (shipment,) = written.problem.shipments
    assert written.helpers[shipment.pickup] == "s3"
    result = solve(written.problem, time_limit=5, params=fast)
    assert [r.van for r in result.routes] == ["from_s3"]
    assert written.problem.vans[0].start == "central"  # loads nothing: unchanged


def test_jobs_sit_beside_shipments(fast: SolveParams) -> None:
    van = Van("v1", "central", (2,))
    problem = base((van,))
    problem = Problem(
        problem.sites,
        problem.durations,
        problem.distances,
        problem.vans,
        (Shipment("move", "s1", "s3", (1,)),),
    )
    written = with_jobs(problem, [Job("drop", "s2", JobType.DELIVERY, (1,))])
    result = solve(written.problem, time_limit=5, params=fast)
    assert result.summary.planned == 2
    assert result.unassigned == ()
