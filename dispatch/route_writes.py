"""An edited plan's routes as the rows ``catalog.plan_edits.save_routes`` writes.

Three ways, by what the van has done when the edit is saved:

- ``planned_write``: a van that has worked nothing, timed as ``solve`` times its routes (from
  its depot at the start of its shift);
- ``kept_write``: a van that has worked stops, its route left as it was by the edit: the
  stored rows as they are (its worked stops as they happened, the rest as last timed);
- ``resumed_write``: a van that has worked stops, its route changed by the edit: its worked
  stops as they happened, then the rest timed from its last scan, not before now, as the
  check from now (``dispatch.check_now``) times it.

The violations written on the stops are the check's (``found``), the stops named as the plan
in memory names them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from catalog.models import PlanRoute as RouteRow
from catalog.models import PlanStepType
from catalog.models import PlanStop as StopRow
from catalog.plan_edits import WORK, RouteWrite, StopWrite
from dispatch.check_now import RestFromNow
from dispatch.edits import PlanCheck, PlanViolation
from dispatch.plan import Plan, PlanRoute, Stop, time_route, travel_cost, van_of
from dispatch.rest_of_day import VanSoFar
from optimizer import Timing

__all__ = ["kept_write", "planned_write", "resumed_write", "worked_first"]


def planned_write(plan: Plan, route: PlanRoute, found: PlanCheck) -> RouteWrite:
    """The van's route as rows: start, its stops with the breaks where the timing puts them,
    end; times, loads and distances (metres driven from the start) as the solve stores them."""
    timed = time_route(plan, route.van)
    van = van_of(plan.problem, route.van)
    load: tuple[int, ...] = (0,) * len(van.capacity)
    at = timed.start
    stops = [StopWrite(None, PlanStepType.start, van.start, at, 0, at, at)]
    breaks = list(timed.breaks)

    def take_breaks(after: int) -> None:
        while breaks and breaks[0].after == after:
            b = breaks.pop(0)
            stops.append(_break_write(b.id, b.site, b.start, b.duration, load, b.distance))

    take_breaks(0)
    for n, t in enumerate(timed.stops, start=1):
        load = t.load
        stops.append(
            _stop_write(
                t.stop, t.arrival, t.waiting, t.service_start, t.departure, load, t.distance, found
            )
        )
        take_breaks(n)
    end = _end_write(van.end_site, timed.end, load, timed.distance, found.on_van(route.van))
    return RouteWrite(route.van, timed.distance, timed.duration, timed.cost, (*stops, end))


def kept_write(stored: RouteRow, route: PlanRoute, found: PlanCheck) -> RouteWrite:
    """The stored route as it is, with the edit's locks and the check's violations."""
    locked = {s.id: s.locked for s in route.stops}
    stops = tuple(_row_write(s, locked, route.van, found) for s in stored.stops)
    return RouteWrite(stored.van_code, stored.distance, stored.duration, stored.cost, stops)


def worked_first(route: PlanRoute, so_far: VanSoFar) -> PlanRoute:
    """The route with its worked stops first, in the order of the route, the rest after
    them: the order the van works them in (a stop passed over and worked later comes after
    the last worked stop)."""
    done = so_far.worked_stops
    first = [s for s in route.stops if s.id in done]
    rest = [s for s in route.stops if s.id not in done]
    return PlanRoute(route.van, (*first, *rest))


def resumed_write(
    stored: RouteRow,
    so_far: VanSoFar,
    plan: Plan,
    route: PlanRoute,
    rest: RestFromNow,
    found: PlanCheck,
) -> RouteWrite:
    """The route of a van that has worked stops, changed by an edit: its stored start, worked
    stops (times from their scans, as the rest of the day has them) and breaks taken, then
    the rest of ``route`` (in :func:`worked_first`'s order) timed from the van's last scan,
    not before now."""
    locked = {s.id: s.locked for s in route.stops}
    head = [
        dataclasses.replace(
            _row_write(row, locked, route.van, found),
            arrival=happened.arrival,
            waiting=happened.waiting,
            service_start=happened.service_start,
            departure=happened.departure,
        )
        for row, happened in zip(_worked_rows(stored.stops, so_far), so_far.worked, strict=True)
    ]
    timing = rest.timing(route.van)
    van = van_of(plan.problem, route.van)
    tail = _timed_rest(
        [s for s in route.stops if s.id not in so_far.worked_stops],
        rest.stop_of[route.van],
        timing,
        rest.helpers,
        so_far,
        head[-1],
        found,
    )
    last = tail[-1] if tail else head[-1]
    distance = so_far.distance + timing.distance
    end = _end_write(
        van.end_site,
        timing.end,
        (last.load_crates, last.load_kg),
        distance,
        found.on_van(route.van),
    )
    cost = van.fixed_cost + travel_cost(van, timing) + van.cost_per_km * so_far.distance / 1000
    began = head[0].departure
    stops = (*head, *tail, end)
    return RouteWrite(route.van, distance, end.arrival - began, round(cost, 2), stops)


def _worked_rows(rows: Sequence[StopRow], so_far: VanSoFar) -> list[StopRow]:
    """The stored start, the worked stops and the breaks taken, up to the last worked stop:
    the rows of ``so_far.worked``, in its order."""
    worked = [i for i, s in enumerate(rows) if s.type in WORK and str(s.id) in so_far.worked_stops]
    return [
        s
        for s in rows[: worked[-1] + 1]
        if s.type == PlanStepType.start
        or (s.type in WORK and str(s.id) in so_far.worked_stops)
        or (s.type == PlanStepType.break_ and s.break_id in so_far.breaks_taken)
    ]


def _timed_rest(
    stops: Sequence[Stop],
    stop_of: Sequence[str | None],
    timing: Timing,
    helpers: Mapping[str, str],
    so_far: VanSoFar,
    before: StopWrite,
    found: PlanCheck,
) -> list[StopWrite]:
    """The stops not worked, timed by their visits in ``timing`` (``stop_of``: the stop of
    each visit), with the breaks where the timing puts them. A stop none of whose visits is
    still to make (its copies were all handled elsewhere) is passed at the time of the one
    before it."""
    visits: dict[str, list[int]] = {}
    for i, sid in enumerate(stop_of):
        if sid is not None:
            visits.setdefault(sid, []).append(i)
    breaks = sorted(timing.breaks, key=lambda b: b.start)
    out: list[StopWrite] = []
    load: Sequence[int] = (before.load_crates, before.load_kg)
    at, metres = before.departure, before.distance

    def take_breaks(up_to: int) -> None:
        while breaks and breaks[0].gap <= up_to:
            b = breaks.pop(0)
            site = helpers.get(b.site, b.site) if b.site is not None else None
            metres_then = so_far.distance + b.distance
            out.append(_break_write(b.brk.id, site, b.start, b.brk.duration, load, metres_then))

    for stop in stops:
        mine = visits.get(stop.id)
        if not mine:
            out.append(_stop_write(stop, at, 0, at, at, load, metres, found))
            continue
        take_breaks(mine[0] - 1)
        first, last = timing.visits[mine[0]], timing.visits[mine[-1]]
        at, load, metres = last.departure, last.load, so_far.distance + first.distance
        out.append(
            _stop_write(
                stop, first.arrival, first.waiting, first.service_start, at, load, metres, found
            )
        )
    take_breaks(len(timing.visits))
    return out


def _stop_write(
    stop: Stop,
    arrival: int,
    waiting: int,
    service_start: int,
    departure: int,
    load: Sequence[int],
    distance: int,
    found: PlanCheck,
) -> StopWrite:
    crates, kg = _crates_kg(load)
    return StopWrite(
        int(stop.id) if stop.id.isdigit() else None,
        PlanStepType(stop.type.value),
        stop.site,
        arrival,
        waiting,
        service_start,
        departure,
        load_crates=crates,
        load_kg=kg,
        distance=distance,
        shipment_ids=stop.shipments,
        locked=stop.locked,
        violations=_violations(found.at_stop(stop.id)),
    )


def _break_write(
    break_id: str, site: str | None, start: int, duration: int, load: Sequence[int], distance: int
) -> StopWrite:
    crates, kg = _crates_kg(load)
    return StopWrite(
        None,
        PlanStepType.break_,
        site,
        start,
        0,
        start,
        start + duration,
        load_crates=crates,
        load_kg=kg,
        distance=distance,
        break_id=break_id,
    )


def _end_write(
    site: str,
    at: int,
    load: Sequence[int],
    distance: int,
    violations: Sequence[PlanViolation],
) -> StopWrite:
    crates, kg = _crates_kg(load)
    return StopWrite(
        None,
        PlanStepType.end,
        site,
        at,
        0,
        at,
        at,
        load_crates=crates,
        load_kg=kg,
        distance=distance,
        violations=_violations(violations),
    )


def _row_write(s: StopRow, locked: Mapping[str, bool], van: str, found: PlanCheck) -> StopWrite:
    """A stored row as it is, with the edit's lock and the check's violations."""
    key = str(s.id)
    if s.type in WORK:
        violations = found.at_stop(key)
    elif s.type == PlanStepType.end:
        violations = found.on_van(van)
    else:
        violations = ()
    return StopWrite(
        s.id if s.type in WORK else None,
        s.type,
        s.site_code,
        s.arrival,
        s.waiting,
        s.service_start,
        s.departure,
        load_crates=s.load_crates,
        load_kg=s.load_kg,
        distance=s.distance,
        shipment_ids=tuple(s.shipment_ids),
        locked=locked.get(key, s.locked),
        violations=_violations(violations),
        break_id=s.break_id,
    )


def _violations(found: Sequence[PlanViolation]) -> tuple[dict[str, Any], ...]:
    return tuple(
        {"kind": v.kind.value, "shipment": v.shipment, "zh": v.message_zh, "en": v.message_en}
        for v in found
    )


def _crates_kg(load: Sequence[int]) -> tuple[int, int]:
    """The stored load columns of the optimiser's (crates, kg) vector."""
    return (load[0] if load else 0, load[1] if len(load) > 1 else 0)
