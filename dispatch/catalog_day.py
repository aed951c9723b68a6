"""A day planned from the catalogue alone: its sites and calendar, the fleet, the street matrices.

:func:`solve_date` reads everything a day needs from the catalogue (the sites' opening
intervals that weekday, their closed dates and van days, the fleet's active vans, the open
transfers) and the street matrices from a :class:`MatrixSource`, and solves it;
:func:`record_date` writes the answer back (every transfer planned on a van's stop or
deferred with a reason) and returns the plan to store (:class:`catalog.plans.PlanRecord`).
:func:`plan_date` does both in one go; the plan worker (:mod:`dispatch.worker`) calls them
apart, so that the recording and the job's "done" go in one transaction.

The day's calendar decides before the search: a transfer to or from a site that is closed
that day, or that no van calls at on that weekday, is deferred with the reason
``site_closed`` or ``no_van_day`` (:mod:`dispatch.reasons`) rather than searched for.
Times are seconds since midnight of the day; the matrices seconds and metres.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from catalog.models import Site as CatalogSite
from catalog.models import SiteKind, Transfer, TransferStatus
from catalog.plans import PlanRecord, RouteRecord, ShipmentRecord, StopRecord, UnplannedRecord
from catalog.settings import CirculationSettings
from catalog.sites import open_intervals
from catalog.transfers import DeferredTransfer, record_plan, transfer_demand
from dispatch.errors import DispatchError
from dispatch.fleet import vans_for_day
from dispatch.network import site_network
from dispatch.problem_json import problem_to_dict
from dispatch.reasons import NO_VAN_DAY, SITE_CLOSED, reason_text
from dispatch.rest_of_day import RestOfDay, rename_open, rest_of_day, rest_start, worked_shipments
from dispatch.shipments import ShipmentTransfers, demand_to_shipments, record_result
from optimizer import (
    Lock,
    PlannedRoute,
    Problem,
    ProblemError,
    Result,
    Shipment,
    Site,
    SolveParams,
    TimeWindow,
    Visit,
    VisitType,
    solve,
)

__all__ = [
    "SERVICE_SECONDS",
    "DatePlan",
    "MatrixSource",
    "SitePoint",
    "StreetMatrices",
    "day_sites",
    "plan_date",
    "record_date",
    "solve_date",
    "warm_locks",
    "warm_routes",
]

SERVICE_SECONDS: Mapping[SiteKind, int] = {
    SiteKind.central: 600,
    SiteKind.branch: 300,
    SiteKind.service_point: 180,
}
"""Minutes at a stop by kind of site (parking, handing over crates), as in the demo network."""

Matrices = tuple[list[list[int]], list[list[int]]]
Solver = Callable[..., Result]
"""``optimizer.solve``'s signature: ``(problem, *, time_limit, seed, initial_routes, params)``."""


@dataclass(frozen=True, slots=True)
class SitePoint:
    """A site's code and where it is ([lon, lat] WGS-84): what its matrix rows depend on."""

    code: str
    lon: float
    lat: float


class MatrixSource(Protocol):
    """Travel seconds and metres between ``points``, indexed like them."""

    def __call__(self, points: Sequence[SitePoint]) -> Matrices: ...


class StreetMatrices:
    """The Beilin street matrices, computed once per set of sites in this process.

    The graph is loaded when first needed and kept; matrices are kept per set of sites
    (their codes and coordinates), so a worker computes them once and again only when a
    site is added or moved.

    Parameters
    ----------
    beilin_dir
        The ``beilin/`` folder (``settings.data.beilin_dir``).
    depart_at
        Seconds since midnight whose traffic the times assume (None: off-peak).
    keep
        How many sets of sites to keep matrices for.
    """

    def __init__(self, beilin_dir: Path, *, depart_at: int | None = None, keep: int = 4) -> None:
        self.beilin_dir = beilin_dir
        self.depart_at = depart_at
        self.keep = keep
        self._graph: Any = None
        self._matrices: dict[tuple[SitePoint, ...], Matrices] = {}

    def graph(self) -> Any:
        """The routable street graph (loaded once)."""
        if self._graph is None:
            import geo

            self._graph = geo.load_beilin_graph(self.beilin_dir)
        return self._graph

    def __call__(self, points: Sequence[SitePoint]) -> Matrices:
        key = tuple(points)
        if key not in self._matrices:
            net = site_network(
                self.graph(),
                [p.code for p in points],
                [(p.lon, p.lat) for p in points],
                depart_at=self.depart_at,
            )
            if len(self._matrices) >= self.keep:
                self._matrices.pop(next(iter(self._matrices)))
            self._matrices[key] = (net.durations.tolist(), net.distances.tolist())
        return self._matrices[key]


@dataclass(frozen=True, slots=True)
class DatePlan:
    """A solved day, not yet recorded.

    Attributes
    ----------
    day
        The day the vans drive.
    problem, result
        The optimiser's problem (the day's visitable sites, the fleet, the shipments searched)
        and its answer.
    mapping
        ``{shipment id: ShipmentTransfers}`` of every shipment of the day, searched or not.
    shipments
        Every shipment of the day (``problem.shipments`` and the ones deferred by the
        calendar), by id.
    calendar
        ``{shipment id: (reason code, detail)}`` of the shipments the calendar deferred.
    notes
        What was noticed on the way (a warm start's unusable parts).
    rest
        A rest-of-day re-plan's worked stops and copies on board (:mod:`dispatch.rest_of_day`);
        then ``problem`` is the whole day and ``result`` the rest of it.
    """

    day: date
    problem: Problem
    result: Result
    mapping: dict[str, ShipmentTransfers]
    shipments: dict[str, Shipment]
    calendar: dict[str, tuple[str, str]]
    notes: tuple[str, ...] = ()
    rest: RestOfDay | None = None


def day_sites(
    sites: Iterable[CatalogSite], day: date, *, depots: Iterable[str] = ()
) -> tuple[list[Site], dict[str, tuple[str, str]]]:
    """The optimiser's sites of ``day``, and why each site left out cannot be visited.

    A site is visited when a van calls that weekday and it is open that day (its opening
    intervals become the time windows). A depot of a van is always in (its hours if open,
    else open all day: vans start and end there), but not visitable when closed.

    Returns
    -------
    sites
        The day's optimiser sites, in the order given.
    closed
        ``{site code: (reason code, detail)}`` of the sites no van may visit that day.
    """
    depots = set(depots)
    out: list[Site] = []
    closed: dict[str, tuple[str, str]] = {}
    weekday = ("一", "二", "三", "四", "五", "六", "日")[day.weekday()]
    for site in sites:
        windows = open_intervals(site, day)
        if not windows:
            closed[site.code] = (
                SITE_CLOSED,
                f"{site.code} 于 {day.isoformat()} 闭馆 / {site.code} is closed on "
                f"{day.isoformat()}",
            )
        elif day.weekday() not in site.van_weekdays:
            closed[site.code] = (
                NO_VAN_DAY,
                f"周{weekday}无配送车到 {site.code} / no van calls at {site.code} on "
                f"{day.strftime('%A')}s",
            )
        if site.code in closed and site.code not in depots:
            continue
        out.append(
            Site(
                id=site.code,
                location=(site.lon, site.lat),
                service_duration=SERVICE_SECONDS[site.kind],
                time_windows=(
                    tuple(TimeWindow(a, b) for a, b in windows)
                    if site.code not in closed
                    else (TimeWindow(),)
                ),
                name=site.name_zh,
            )
        )
    return out, closed


def _catalogue_sites(session: Session) -> list[CatalogSite]:
    return list(
        session.scalars(
            select(CatalogSite)
            .options(
                selectinload(CatalogSite.opening_hours),
                selectinload(CatalogSite.closed_dates),
                selectinload(CatalogSite.van_days),
            )
            .order_by(CatalogSite.code)
            .execution_options(populate_existing=True)
        )
    )


def _submatrix(matrix: Sequence[Sequence[int]], rows: Sequence[int]) -> list[list[int]]:
    return [[int(matrix[i][j]) for j in rows] for i in rows]


def warm_routes(
    warm_start: Mapping[str, Any] | None, problem: Problem
) -> tuple[tuple[PlannedRoute, ...] | None, tuple[str, ...]]:
    """The routes of a job's warm start (``{"routes": [{"van", "visits": [{"shipment",
    "type"}]}]}``) that ``problem`` knows, and notes on what was left out.

    Raises
    ------
    DispatchError
        A warm start that is not shaped so (names the field).
    """
    if not warm_start or not warm_start.get("routes"):
        return None, ()
    vans = {v.id for v in problem.vans}
    shipments = {s.id for s in problem.shipments}
    routes: list[PlannedRoute] = []
    notes: list[str] = []
    raw_routes = warm_start["routes"]
    if not isinstance(raw_routes, list):
        raise DispatchError("warm_start.routes", raw_routes, "must be a list of routes")
    for r, raw in enumerate(raw_routes):
        try:
            van = str(raw["van"])
            visits = [Visit(str(v["shipment"]), VisitType(v["type"])) for v in raw["visits"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise DispatchError(
                f"warm_start.routes[{r}]", raw, f"needs van and visits of shipment, type: {exc}"
            ) from None
        if van not in vans:
            notes.append(f"warm start: van {van} is not in today's fleet: its route ignored")
            continue
        known = [v for v in visits if v.shipment in shipments]
        if len(known) < len(visits):
            gone = sorted({v.shipment for v in visits} - shipments)
            notes.append(f"warm start: {', '.join(gone)} no longer open: left out")
        routes.append(PlannedRoute(van, tuple(known)))
    return tuple(routes), tuple(notes)


def warm_locks(
    warm_start: Mapping[str, Any] | None, problem: Problem
) -> tuple[tuple[Lock, ...], tuple[str, ...]]:
    """The locks of a re-plan's warm start (``{"locks": [{"van", "visits": [{"shipment",
    "type"}]}]}``, a dispatcher's locked stops) that ``problem`` knows, and notes on what was
    left out: a van no longer in the fleet, a shipment no longer open.

    Raises
    ------
    DispatchError
        Locks that are not shaped so (names the field).
    """
    if not warm_start or not warm_start.get("locks"):
        return (), ()
    vans = {v.id for v in problem.vans}
    shipments = {s.id for s in problem.shipments}
    raw_locks = warm_start["locks"]
    if not isinstance(raw_locks, list):
        raise DispatchError("warm_start.locks", raw_locks, "must be a list of locks")
    locks: list[Lock] = []
    notes: list[str] = []
    for n, raw in enumerate(raw_locks):
        try:
            van = str(raw["van"])
            visits = [Visit(str(v["shipment"]), VisitType(v["type"])) for v in raw["visits"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise DispatchError(
                f"warm_start.locks[{n}]", raw, f"needs van and visits of shipment, type: {exc}"
            ) from None
        if van not in vans:
            notes.append(f"locks: van {van} is not in today's fleet: its locks dropped")
            continue
        known = tuple(v for v in visits if v.shipment in shipments)
        if len(known) < len(visits):
            gone = sorted({v.shipment for v in visits} - shipments)
            notes.append(f"locks: {', '.join(gone)} no longer open: unlocked")
        if known:
            locks.append(Lock(van, known))
    try:
        dataclasses.replace(problem, locks=tuple(locks))
    except ProblemError as exc:
        return (), (*notes, f"locks contradict each other, all dropped: {exc}")
    return tuple(locks), tuple(notes)


def solve_date(
    session: Session,
    *,
    day: date,
    time_limit: float,
    matrices: MatrixSource,
    seed: int = 0,
    params: SolveParams | None = None,
    settings: CirculationSettings | None = None,
    warm_start: Mapping[str, Any] | None = None,
    solver: Solver = solve,
    on_phase: Callable[[str], None] | None = None,
    now: datetime | None = None,
) -> DatePlan:
    """Read the day from the catalogue and solve it; nothing is written.

    The read transaction is committed before the search, so that the search holds no
    database snapshot however long it runs.

    Parameters
    ----------
    session
        Session on the catalogue (its transaction is committed before the search).
    day
        The day the vans drive.
    time_limit, seed, params
        Passed to ``solver``.
    matrices
        Travel seconds and metres between the catalogue's sites (all of them, in code
        order; :class:`StreetMatrices` on the street network).
    settings
        The catalogue's circulation settings (books per crate, kg per book).
    warm_start
        A re-plan's routes to start from (see :func:`warm_routes`); with ``rest_of_day``,
        the rest of the day from where the vans of the plan in force are
        (:mod:`dispatch.rest_of_day`).
    solver
        :func:`optimizer.solve`, or a stand-in that runs it elsewhere (the worker's child
        process) with the same signature.
    on_phase
        Told ``"loading_network"``, ``"building_day"`` and ``"solving"`` as each begins.
    now
        The current time (default: the clock): transfers planned for a day before its
        date are planned again, those planned for another day to come are left to it.

    Raises
    ------
    DispatchError
        Inconsistent demand, or a bad warm start.
    geo.SnapError
        A site too far from the street network (by :class:`StreetMatrices`).
    """
    tell = on_phase or (lambda _phase: None)
    settings = settings or CirculationSettings()
    catalogue = _catalogue_sites(session)
    points = [SitePoint(s.code, s.lon, s.lat) for s in catalogue]
    tell("loading_network")
    durations, distances = matrices(points)
    tell("building_day")
    vans = vans_for_day(session, day)
    sites, closed = day_sites(catalogue, day, depots={v.start for v in vans})
    demand = transfer_demand(
        session,
        statuses=(TransferStatus.requested, TransferStatus.planned),
        settings=settings,
        planned_for=day,
        now=now,
    )
    all_shipments, mapping = demand_to_shipments(
        demand,
        site_code_of={s.id: s.code for s in catalogue},
        day=day,
        van_capacity=max((tuple(van.capacity) for van in vans), default=None),
        books_per_crate=settings.crate_capacity,
    )
    started = rest_start(session, warm_start, now=now)
    if started is not None:
        all_shipments, mapping = rename_open(
            all_shipments, mapping, worked_shipments(started.so_far)
        )
    session.commit()  # no snapshot held through the search (nothing written here)
    calendar: dict[str, tuple[str, str]] = {}
    searched: list[Shipment] = []
    for shipment in all_shipments:
        why = closed.get(shipment.pickup) or closed.get(shipment.delivery)
        if why is None:
            searched.append(shipment)
        else:
            calendar[shipment.id] = why
    index = {p.code: i for i, p in enumerate(points)}
    rows = [index[s.id] for s in sites]
    problem = Problem(
        sites=tuple(sites),
        durations=_submatrix(durations, rows),  # type: ignore[arg-type]
        distances=_submatrix(distances, rows),  # type: ignore[arg-type]
        vans=vans,
        shipments=tuple(searched),
    )
    initial, notes = warm_routes(warm_start, problem)
    locks, lock_notes = warm_locks(warm_start, problem)
    problem = dataclasses.replace(problem, locks=locks)  # a re-plan keeps the dispatcher's
    notes = (*notes, *lock_notes)
    shipments = {s.id: s for s in all_shipments}
    rest = None
    if started is not None:
        rest = rest_of_day(
            problem,
            before=started.before,
            before_shipments=started.before_shipments,
            so_far=started.so_far,
            at=started.at,
            settings=settings,
        )
        # the plan in force's routes start at the depot: no warm start for the rest
        problem, initial = rest.search.problem, None
        notes = (*notes, *started.notes, *rest.notes)
        shipments.update((s.id, s) for s in rest.day_problem.shipments)
    tell("solving")
    result = solver(
        problem, time_limit=time_limit, seed=seed, initial_routes=initial, params=params
    )
    if rest is not None:
        problem, result = rest.day_problem, rest.in_sites(result)
    return DatePlan(
        day=day,
        problem=problem,
        result=result,
        mapping=mapping,
        shipments=shipments,
        calendar=calendar,
        notes=notes,
        rest=rest,
    )


def _still_plannable(session: Session, mapping: Mapping[str, ShipmentTransfers]) -> set[int]:
    """The transfers of ``mapping`` that may still be planned, locked until commit (on
    PostgreSQL) so that no desk changes them between this read and the recording."""
    ids = sorted(t for group in mapping.values() for t in group.transfer_ids)
    if not ids:
        return set()
    rows = session.execute(
        select(Transfer.id, Transfer.status)
        .where(Transfer.id.in_(ids))
        .order_by(Transfer.id)
        .with_for_update()
    )
    return {
        transfer_id
        for transfer_id, status in rows
        if status in (TransferStatus.requested, TransferStatus.planned)
    }


def record_date(
    session: Session, plan: DatePlan, *, staff: str, now: datetime | None = None
) -> PlanRecord:
    """Record a solved day on its transfers (planned on a van's stop, or deferred with the
    reason) and return the plan to store (flushed; the caller commits).

    A transfer that changed while the day was solved (cancelled, picked up) is left out of
    the plan and said so in its note; one added meanwhile waits for the next plan.
    """
    live = _still_plannable(session, plan.mapping)
    mapping = {
        sid: dataclasses.replace(
            group,
            transfer_ids=tuple(t for t in group.transfer_ids if t in live),
            items=sum(1 for t in group.transfer_ids if t in live),
        )
        for sid, group in plan.mapping.items()
    }
    gone = sorted(t for group in plan.mapping.values() for t in group.transfer_ids if t not in live)
    searched = {sid: group for sid, group in mapping.items() if sid not in plan.calendar}
    result = plan.result
    if plan.rest is not None:  # the copies on board are no transfers to plan or defer
        aboard = plan.rest.aboard
        result = dataclasses.replace(
            result, unassigned=tuple(u for u in result.unassigned if u.shipment not in aboard)
        )
    planned, deferred = record_result(session, result, searched, day=plan.day, staff=staff, now=now)
    calendar_deferred = [
        DeferredTransfer(t, f"{code}: {detail}", sid)
        for sid, (code, detail) in plan.calendar.items()
        for t in mapping[sid].transfer_ids
    ]
    record_plan(session, deferred=calendar_deferred, staff=staff, now=now)
    notes = list(plan.notes)
    if gone:
        shown = ", ".join(str(t) for t in gone[:20]) + (" ..." if len(gone) > 20 else "")
        notes.append(
            f"求解期间有 {len(gone)} 个调拨已变化（取消或已取件），未计入 / {len(gone)} "
            f"transfers changed while the day was solved (cancelled or picked up) and were "
            f"left out: {shown}"
        )
    return _plan_record(
        plan,
        mapping,
        planned=len(planned),
        deferred=len(deferred) + len(calendar_deferred),
        note="; ".join(notes),
    )


def _plan_record(
    plan: DatePlan,
    mapping: Mapping[str, ShipmentTransfers],
    *,
    planned: int,
    deferred: int,
    note: str,
) -> PlanRecord:
    rest = plan.rest
    on_stops = {**mapping, **rest.aboard} if rest is not None else mapping
    records = {**mapping, **rest.worked} if rest is not None else mapping

    def transfers_of(shipment_ids: Iterable[str]) -> tuple[int, ...]:
        return tuple(t for s in shipment_ids for t in on_stops[s].transfer_ids)

    routes = tuple(
        RouteRecord(
            van_code=route.van,
            distance=route.distance,
            duration=route.duration,
            cost=route.cost,
            stops=tuple(
                StopRecord(
                    type=step.type.value,
                    site_code=step.site,
                    arrival=step.arrival,
                    waiting=step.waiting,
                    service_start=step.service_start,
                    departure=step.departure,
                    load_crates=step.load[0] if step.load else 0,
                    load_kg=step.load[1] if len(step.load) > 1 else 0,
                    distance=step.distance,
                    shipment_ids=tuple(step.shipments),
                    transfer_ids=transfers_of(step.shipments),
                    break_id=step.break_id,
                )
                for step in route.steps
            ),
        )
        for route in plan.result.routes
    )
    if rest is not None:
        routes = rest.whole_day(routes)
    shipments = tuple(
        ShipmentRecord(
            shipment_id=sid,
            kind=group.kind,
            pickup_site_code=plan.shipments[sid].pickup,
            delivery_site_code=plan.shipments[sid].delivery,
            items=group.items,
            crates=group.crates,
            kg=plan.shipments[sid].amount[1] if len(plan.shipments[sid].amount) > 1 else 0,
            transfer_ids=group.transfer_ids,
            part=group.part,
            parts=group.parts,
        )
        for sid, group in records.items()
    )
    left = [(u.shipment, u.reason.value, u.detail) for u in plan.result.unassigned]
    left += [(sid, code, detail) for sid, (code, detail) in plan.calendar.items()]
    unplanned = tuple(
        UnplannedRecord(
            shipment_id=sid,
            kind=on_stops[sid].kind,
            reason=code,
            detail=detail or reason_text(code).en,
            transfer_ids=on_stops[sid].transfer_ids,
        )
        for sid, code, detail in left
    )
    summary = plan.result.summary
    cost = float(summary.cost) if math.isfinite(summary.cost) else 0.0
    distance, duration = summary.distance, summary.duration
    if rest is not None:  # the whole day's, worked stops included
        cost = sum(r.cost for r in routes)
        distance, duration = sum(r.distance for r in routes), sum(r.duration for r in routes)
    return PlanRecord(
        routes=routes,
        shipments=shipments,
        unplanned=unplanned,
        cost=cost,
        distance=distance,
        duration=duration,
        planned_transfers=planned,
        deferred_transfers=deferred,
        note=note,
        problem=problem_to_dict(plan.problem),
    )


def plan_date(
    session: Session,
    *,
    day: date,
    time_limit: float,
    matrices: MatrixSource,
    staff: str,
    seed: int = 0,
    params: SolveParams | None = None,
    settings: CirculationSettings | None = None,
    now: datetime | None = None,
) -> tuple[DatePlan, PlanRecord]:
    """Solve ``day`` from the catalogue and record it on the transfers (flushed; the caller
    commits): :func:`solve_date` then :func:`record_date`."""
    plan = solve_date(
        session,
        day=day,
        time_limit=time_limit,
        matrices=matrices,
        seed=seed,
        params=params,
        settings=settings,
        now=now,
    )
    return plan, record_date(session, plan, staff=staff, now=now)
