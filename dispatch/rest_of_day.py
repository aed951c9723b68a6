"""The rest of a van day, from where the vans are: a re-plan made while the vans are out.

A morning re-plan starts every van at its depot. Once the vans are out, the plan in force is
partly worked: a van has worked some of its stops (the drivers' scans say which), stands at
the site of the last one, and carries the copies it collected and has not dropped yet. The
rest of the day is planned from there:

- each van starts at the site of its last worked stop, when its driver scanned there last
  (or now, if later), without the breaks it took before and those it can no longer take;
  a van with no stop worked starts at its depot, not before now;
- the copies on board are VROOM-style delivery jobs (:mod:`optimizer.jobs`) loaded at that
  start, which only that van may serve (a skill of its own): they are not deferrable;
- every transfer still to collect is planned as any re-plan plans it, from the catalogue.

The stored plan is the whole day: each van's worked stops as the plan in force had them
(locked, each with only the copies scanned there), then the rest. A stop counts as worked
when one of its copies was scanned there; a stop passed without a scan is not, and its work
is planned again (its copies still to collect, or still on board).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog._lookup import resolve_now
from catalog.models import Plan as PlanRow
from catalog.models import PlanStepType, PlanStop, Transfer, TransferStatus
from catalog.plans import RouteRecord, StopRecord
from catalog.settings import CirculationSettings
from dispatch.errors import DispatchError
from dispatch.problem_json import ProblemInputError, problem_from_dict
from dispatch.shipments import ShipmentTransfers
from optimizer import (
    Lock,
    Problem,
    Result,
    Shipment,
    StepType,
    TimeWindow,
    Van,
    Visit,
    VisitType,
)
from optimizer.jobs import Job, JobType, WithJobs, with_jobs

__all__ = [
    "RestOfDay",
    "RestStart",
    "VanSoFar",
    "aboard_skill",
    "as_driven",
    "day_so_far",
    "rename_open",
    "rest_of_day",
    "rest_start",
    "start_of",
    "worked_shipments",
]

_SCANNED = (TransferStatus.picked_up, TransferStatus.delivered)


def aboard_skill(van: str) -> str:
    """The skill that keeps a van's copies on board on that van."""
    return f"aboard:{van}"


@dataclass(frozen=True, slots=True)
class VanSoFar:
    """What a van of the plan in force has done by now.

    ``site``/``free_at``: where and when (seconds of the day) the rest of its day starts;
    ``worked``: the stored start row, the worked stops (each with only the copies scanned
    there) and the breaks before the last of them; ``distance``: metres driven to the last
    worked stop; ``aboard``: per shipment, its copies collected at a worked stop and not
    delivered; ``worked_stops``: the ids of the stored stops worked (as ``plan_of`` names
    them).
    """

    van: str
    site: str
    free_at: int
    worked: tuple[StopRecord, ...]
    distance: int
    breaks_taken: frozenset[str]
    aboard: Mapping[str, tuple[int, ...]]
    worked_stops: frozenset[str] = frozenset()

    @property
    def moved(self) -> bool:
        """Has the van worked a stop (else it starts the rest at its depot)?"""
        return any(s.type in (PlanStepType.pickup, PlanStepType.delivery) for s in self.worked)


def _seconds(day: date, moment: datetime) -> int:
    return math.floor((moment - datetime.combine(day, time())).total_seconds())


def day_so_far(
    session: Session, row: PlanRow, *, now: datetime
) -> tuple[tuple[VanSoFar, ...], tuple[str, ...]]:
    """Per route of the stored plan ``row``, what its van has done by ``now`` (naive local
    time), from the transfers' scans; and notes on what cannot be planned again (copies
    partly dropped at a stop: the rest of them is left to the driver)."""
    ids = {t for route in row.routes for stop in route.stops for t in stop.transfer_ids}
    scans = {
        t.id: t
        for t in session.scalars(select(Transfer).where(Transfer.id.in_(sorted(ids))))
        if t.status in _SCANNED
    }
    shipment_of = {t: s.shipment_id for s in row.shipments for t in s.transfer_ids}
    at = _seconds(row.day, now)
    notes: list[str] = []
    out = []
    for route in row.routes:
        so_far, more = _van_so_far(
            route.van_code, list(route.stops), scans, shipment_of, row.day, at
        )
        out.append(so_far)
        notes.extend(more)
    return tuple(out), tuple(notes)


def _scanned_here(stop: PlanStop, scans: Mapping[int, Transfer]) -> list[Transfer]:
    if stop.type == PlanStepType.pickup:
        return [scans[t] for t in stop.transfer_ids if t in scans and scans[t].picked_up_at]
    return [
        scans[t]
        for t in stop.transfer_ids
        if t in scans and scans[t].status == TransferStatus.delivered and scans[t].delivered_at
    ]


def _van_so_far(
    van: str,
    stops: Sequence[PlanStop],
    scans: Mapping[int, Transfer],
    shipment_of: Mapping[int, str],
    day: date,
    at: int,
) -> tuple[VanSoFar, tuple[str, ...]]:
    start = stops[0]
    worked: list[tuple[int, PlanStop, list[Transfer]]] = []
    for i, stop in enumerate(stops):
        if stop.type in (PlanStepType.pickup, PlanStepType.delivery):
            here = _scanned_here(stop, scans)
            if here:
                worked.append((i, stop, here))
    if not worked:
        return (
            VanSoFar(
                van, start.site_code or "", max(at, 0), (StopRecord.of(start),), 0, frozenset(), {}
            ),
            (),
        )
    last = worked[-1][0]
    records: list[StopRecord] = [StopRecord.of(start)]
    breaks: set[str] = set()
    picked: dict[str, set[int]] = {}
    dropped: dict[str, set[int]] = {}
    last_scan = 0
    positions = {i for i, _, _ in worked}
    for i, stop in enumerate(stops[: last + 1]):
        if stop.type == PlanStepType.break_ and stop.break_id:
            breaks.add(stop.break_id)
            records.append(StopRecord.of(stop))
            continue
        if i not in positions:
            continue
        here = next(h for j, _, h in worked if j == i)
        ids = {t.id for t in here}
        sids = tuple(s for s in stop.shipment_ids if any(shipment_of.get(t) == s for t in ids))
        into = picked if stop.type == PlanStepType.pickup else dropped
        for t in here:
            into.setdefault(shipment_of.get(t.id, ""), set()).add(t.id)
        field = "picked_up_at" if stop.type == PlanStepType.pickup else "delivered_at"
        times = [_seconds(day, getattr(t, field)) for t in here]
        # The stop as it happened (first scan to last): a plan that kept the planned times
        # would carry a late stop's delay on to every stop after it, which the rest does not.
        records.append(
            dataclasses.replace(
                StopRecord.of(stop),
                arrival=min(times),
                waiting=0,
                service_start=min(times),
                departure=max(times),
                shipment_ids=sids,
                transfer_ids=tuple(t for t in stop.transfer_ids if t in ids),
            )
        )
        last_scan = max(last_scan, *times)
    aboard: dict[str, tuple[int, ...]] = {}
    notes: list[str] = []
    for sid, taken in picked.items():
        if not sid:
            continue
        riding = tuple(sorted(t for t in taken if scans[t].status == TransferStatus.picked_up))
        if not riding:
            continue
        if sid in dropped:
            notes.append(
                f"{van} 在送达站只卸下 {sid} 的部分图书，其余 {len(riding)} 册请司机处理 / {van} "
                f"dropped only part of {sid}: its other {len(riding)} copies are left to the "
                "driver"
            )
            continue
        aboard[sid] = riding
    site = stops[last].site_code or start.site_code or ""
    return (
        VanSoFar(
            van,
            site,
            max(at, last_scan),
            tuple(records),
            stops[last].distance,
            frozenset(breaks),
            aboard,
            frozenset(str(stop.id) for _, stop, _ in worked),
        ),
        tuple(notes),
    )


def as_driven(so_far: VanSoFar, problem: Problem) -> VanSoFar:
    """The van's worked stops with the drive to each as long as ``problem`` says it is: the
    scans say when a stop was worked, not when the van got there, and the time between
    leaving one stop and the first scan at the next beyond the drive is waiting (a van
    out at 09:00 whose first scan is at 11:00 did not drive for two hours)."""
    out: list[StopRecord] = []
    came_from: str | None = None
    for record in so_far.worked:
        site = record.site_code
        if (
            record.type in (PlanStepType.pickup, PlanStepType.delivery)
            and out
            and came_from in problem.site_index
            and site in problem.site_index
        ):
            drive = problem.durations[problem.index_of(came_from)][problem.index_of(site)]
            arrival = min(record.service_start, out[-1].departure + drive)
            record = dataclasses.replace(
                record, arrival=arrival, waiting=record.service_start - arrival
            )
        out.append(record)
        came_from = site or came_from
    return dataclasses.replace(so_far, worked=tuple(out))


@dataclass(frozen=True, slots=True)
class RestStart:
    """Where a rest-of-day re-plan starts: the plan in force (its problem and shipment
    records) and what each of its vans has done."""

    plan_id: int
    so_far: tuple[VanSoFar, ...]
    before: Problem
    before_shipments: dict[str, ShipmentTransfers]
    notes: tuple[str, ...]
    at: int
    """Now, in seconds of the plan's day."""


def rest_start(
    session: Session, warm_start: Mapping[str, object] | None, *, now: datetime | None = None
) -> RestStart | None:
    """The start of a rest-of-day re-plan named by a job's warm start
    (``{"rest_of_day": {"plan": <id of the plan in force>}}``), read at ``now`` (default:
    the clock); None for any other job.

    Raises
    ------
    DispatchError
        The warm start names no stored plan with a problem.
    """
    raw = (warm_start or {}).get("rest_of_day")
    if not raw:
        return None
    plan_id = raw.get("plan") if isinstance(raw, dict) else None
    row = session.get(PlanRow, plan_id) if isinstance(plan_id, int) else None
    if row is None or row.problem is None:
        raise DispatchError(
            "warm_start.rest_of_day.plan", plan_id, "must name a stored plan with its problem"
        )
    try:
        before = problem_from_dict(row.problem)
    except ProblemInputError as exc:
        raise DispatchError("warm_start.rest_of_day.plan", plan_id, str(exc)) from None
    return start_of(session, row, before, now=now)


def start_of(
    session: Session, row: PlanRow, before: Problem, *, now: datetime | None = None
) -> RestStart:
    """What the vans of the stored plan ``row`` (made for ``before``) have done by ``now``
    (default: the clock), from the drivers' scans."""
    moment = resolve_now(now)
    scanned, notes = day_so_far(session, row, now=moment)
    so_far = tuple(as_driven(s, before) for s in scanned)
    records = {
        s.shipment_id: ShipmentTransfers(
            s.shipment_id, s.kind, s.items, s.crates, tuple(s.transfer_ids), s.part, s.parts
        )
        for s in row.shipments
    }
    return RestStart(row.id, so_far, before, records, notes, _seconds(row.day, moment))


# --- the problem of the rest of the day ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RestOfDay:
    """The rest of a day, ready to solve and to store.

    ``day_problem``: the whole day as stored with the plan (the worked shipments, locked on
    their vans in the order worked, and the open ones); ``search``: what the solver gets
    (vans where they are, the copies on board as jobs); ``worked``: the worked shipments'
    records (the copies scanned, those on board included); ``aboard``: the shipments on
    board with those copies only.
    """

    day_problem: Problem
    search: WithJobs
    so_far: tuple[VanSoFar, ...]
    worked: dict[str, ShipmentTransfers]
    aboard: dict[str, ShipmentTransfers]
    notes: tuple[str, ...] = ()

    def in_sites(self, result: Result) -> Result:
        """The solver's answer on the catalogue's sites: the helper sites' loading steps
        left out, the starts at the sites they copy."""
        helpers = self.search.helpers
        routes = []
        for route in result.routes:
            steps = []
            for step in route.steps:
                site = step.site
                if site in helpers:
                    if step.type in (StepType.PICKUP, StepType.DELIVERY):
                        continue  # loading the copies already on board
                    site = helpers[site]
                steps.append(dataclasses.replace(step, site=site))
            routes.append(dataclasses.replace(route, steps=tuple(steps)))
        return dataclasses.replace(result, routes=tuple(routes))

    def whole_day(self, routes: Sequence[RouteRecord]) -> tuple[RouteRecord, ...]:
        """The rest's routes after each van's worked stops; a van with worked stops and no
        rest drives back to its end."""
        by_van = {r.van_code: r for r in routes}
        out = []
        for van in self.day_problem.vans:
            so_far = next((s for s in self.so_far if s.van == van.id), None)
            rest = by_van.get(van.id)
            if so_far is None or not so_far.moved:
                if rest is not None:
                    out.append(rest)
                continue
            out.append(self._joined(van, so_far, rest))
        return tuple(out)

    def _joined(self, van: Van, so_far: VanSoFar, rest: RouteRecord | None) -> RouteRecord:
        if rest is None:
            problem = self.day_problem
            here, end = problem.index_of(so_far.site), problem.index_of(van.end_site)
            back = so_far.free_at + problem.durations[here][end]
            metres = problem.distances[here][end]
            tail: tuple[StopRecord, ...] = (
                StopRecord(
                    PlanStepType.end,
                    van.end_site,
                    back,
                    0,
                    back,
                    back,
                    distance=so_far.distance + metres,
                ),
            )
            distance, cost = metres, van.cost_per_km * metres / 1000
        else:
            tail = tuple(
                dataclasses.replace(s, distance=s.distance + so_far.distance)
                for s in rest.stops
                if s.type != PlanStepType.start
            )
            distance, cost = rest.distance, rest.cost
        stops = (*so_far.worked, *tail)
        began = so_far.worked[0].departure
        return RouteRecord(
            van_code=van.id,
            distance=so_far.distance + distance,
            duration=stops[-1].arrival - began,
            cost=cost + van.cost_per_km * so_far.distance / 1000,
            stops=stops,
        )


def worked_shipments(so_far: Sequence[VanSoFar]) -> tuple[str, ...]:
    """The shipments of the worked stops, in the order worked."""
    return tuple(
        dict.fromkeys(sid for s in so_far for stop in s.worked for sid in stop.shipment_ids)
    )


def rename_open(
    shipments: Sequence[Shipment],
    mapping: Mapping[str, ShipmentTransfers],
    taken: Sequence[str],
) -> tuple[tuple[Shipment, ...], dict[str, ShipmentTransfers]]:
    """The open shipments and their records, one whose id a worked shipment holds (copies
    left behind at a worked stop, new requests between the same sites) renamed
    ``<id>~<n>``: one plan holds a shipment id once."""
    held = set(taken)
    used = held | {s.id for s in shipments} | set(mapping)
    names: dict[str, str] = {}
    for sid in (*(s.id for s in shipments), *mapping):
        if sid in held and sid not in names:
            n = 2
            while f"{sid}~{n}" in used:
                n += 1
            names[sid] = f"{sid}~{n}"
            used.add(names[sid])
    return (
        tuple(dataclasses.replace(s, id=names.get(s.id, s.id)) for s in shipments),
        {
            names.get(sid, sid): dataclasses.replace(record, shipment_id=names.get(sid, sid))
            for sid, record in mapping.items()
        },
    )


def rest_of_day(
    problem: Problem,
    *,
    before: Problem,
    before_shipments: Mapping[str, ShipmentTransfers],
    so_far: Sequence[VanSoFar],
    at: int,
    settings: CirculationSettings,
) -> RestOfDay:
    """The rest of the day from where the vans are.

    Parameters
    ----------
    problem
        The day as a re-plan reads it now: the open transfers' shipments (renamed by
        :func:`rename_open`) and the dispatcher's locks.
    before, before_shipments
        The problem and the shipment records of the plan in force (the worked shipments
        are taken from there).
    so_far
        What each van has done (:func:`day_so_far`).
    at
        Now, in seconds of the day: a van of the fleet with no route in the plan in force
        starts at its depot, not before.
    settings
        Books per crate and kg per book, to load the copies on board.

    Raises
    ------
    DispatchError
        A worked shipment the plan in force does not know (its stored problem and rows
        disagree).
    """
    worked_ids = worked_shipments(so_far)
    known = {s.id: s for s in before.shipments}
    for sid in worked_ids:
        if sid not in known or sid not in before_shipments:
            raise DispatchError("plan.shipments", sid, "worked, but not in the plan's problem")
    worked, aboard, jobs, notes = _worked_and_aboard(
        problem, known, before_shipments, so_far, settings
    )
    locks = [
        Lock(s.van, tuple(v for stop in s.worked for v in _visits(stop))) for s in so_far if s.moved
    ]
    day_problem = dataclasses.replace(
        problem,
        shipments=(*(known[sid] for sid in worked_ids), *problem.shipments),
        locks=tuple(locks),
    )
    open_ids = {s.id for s in problem.shipments}
    search = dataclasses.replace(
        problem,
        vans=tuple(
            _van_now(v, next((s for s in so_far if s.van == v.id), None), at) for v in problem.vans
        ),
        locks=_rest_locks(problem.locks, open_ids, {j.id for j in jobs}),
    )
    written = with_jobs(search, jobs)
    defined = {j.id: known[j.id] for j in jobs}
    shipments = tuple(
        dataclasses.replace(s, kind=defined[s.id].kind, deadline=defined[s.id].deadline)
        if s.id in defined
        else s
        for s in written.problem.shipments
    )
    written = dataclasses.replace(
        written, problem=dataclasses.replace(written.problem, shipments=shipments)
    )
    return RestOfDay(day_problem, written, tuple(so_far), worked, aboard, tuple(notes))


def _visits(stop: StopRecord) -> tuple[Visit, ...]:
    if stop.type not in (PlanStepType.pickup, PlanStepType.delivery):
        return ()
    return tuple(Visit(sid, VisitType(PlanStepType(stop.type).value)) for sid in stop.shipment_ids)


def _worked_and_aboard(
    problem: Problem,
    known: Mapping[str, Shipment],
    records: Mapping[str, ShipmentTransfers],
    so_far: Sequence[VanSoFar],
    settings: CirculationSettings,
) -> tuple[dict[str, ShipmentTransfers], dict[str, ShipmentTransfers], list[Job], list[str]]:
    worked: dict[str, set[int]] = {}
    for s in so_far:
        for stop in s.worked:
            for sid in stop.shipment_ids:
                worked.setdefault(sid, set()).update(
                    t for t in stop.transfer_ids if t in set(records[sid].transfer_ids)
                )
    worked_records = {
        sid: dataclasses.replace(
            records[sid],
            items=len(ids),
            crates=math.ceil(len(ids) / settings.crate_capacity),
            transfer_ids=tuple(sorted(ids)),
        )
        for sid, ids in worked.items()
    }
    aboard: dict[str, ShipmentTransfers] = {}
    jobs: list[Job] = []
    notes: list[str] = []
    for s in so_far:
        for sid, riding in s.aboard.items():
            shipment = known[sid]
            if shipment.delivery not in problem.site_index:
                notes.append(
                    f"{s.van} 车上 {sid} 的 {len(riding)} 册今天无法送达（{shipment.delivery} "
                    f"闭馆）/ {len(riding)} copies of {sid} on {s.van} cannot be dropped today "
                    f"({shipment.delivery} is closed)"
                )
                continue
            crates = math.ceil(len(riding) / settings.crate_capacity)
            aboard[sid] = dataclasses.replace(
                records[sid], items=len(riding), crates=crates, transfer_ids=riding
            )
            kg = math.ceil(len(riding) * settings.kg_per_book)
            amount = (crates, kg, *shipment.amount[2:])[: len(shipment.amount)]
            jobs.append(
                Job(
                    sid,
                    shipment.delivery,
                    JobType.DELIVERY,
                    amount,
                    service=shipment.delivery_service or 0,
                    priority=shipment.priority,
                    skills=frozenset({aboard_skill(s.van)}),
                )
            )
    return worked_records, aboard, jobs, notes


def _van_now(van: Van, so_far: VanSoFar | None, at: int) -> Van:
    """The van as the rest of its day finds it: where it is (its depot if it has worked no
    stop, or has no route in the plan in force), from when it is free (not before now), the
    breaks it has not taken and can still take, the route's duration left; with the skill
    of its own copies on board."""
    moved = so_far is not None and so_far.moved
    free = so_far.free_at if so_far is not None else at
    early = min(max(van.shift.early, free), van.shift.late)
    taken = so_far.breaks_taken if so_far is not None else frozenset()
    breaks = tuple(
        b for b in van.breaks if b.id not in taken and any(w.late >= early for w in b.time_windows)
    )
    max_duration = van.max_route_duration
    if max_duration is not None and so_far is not None and moved:
        max_duration = max(0, max_duration - (early - so_far.worked[0].departure))
    aboard = so_far is not None and bool(so_far.aboard)
    return dataclasses.replace(
        van,
        start=so_far.site if so_far is not None and moved else van.start,
        shift=TimeWindow(early, van.shift.late),
        breaks=breaks,
        max_route_duration=max_duration,
        skills=van.skills | {aboard_skill(van.id)} if aboard else van.skills,
    )


def _rest_locks(locks: Sequence[Lock], open_ids: set[str], aboard: set[str]) -> tuple[Lock, ...]:
    """The dispatcher's locks on what is left to do: the open shipments' visits and the
    drops of the copies on board."""
    out = []
    for lock in locks:
        visits = tuple(
            v
            for v in lock.visits
            if v.shipment in open_ids or (v.shipment in aboard and v.type == VisitType.DELIVERY)
        )
        if visits:
            out.append(Lock(lock.van, visits))
    return tuple(out)
