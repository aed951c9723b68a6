"""The timing of one van's route, public: ``route_timing``.

A route whose order is given (a dispatcher's edit, a VROOM client's plan) is timed by the
optimiser's one definition of the rules (``optimizer._simulate``: service once per stop,
windows bounding the start of service, lunch closures, releases and deadlines, breaks,
the shift). Two ways:

- hard (the default), as ``solve`` times its own routes: service starts as early as the
  windows allow, the van leaves at the best time (fewest broken rules, then the earliest
  return, then the latest departure), each break goes where it does the least harm unless
  ``break_gaps`` places it; a rule that cannot be kept is an issue (a late start is late);
- soft, VROOM's plan mode ("choose ETA", ``vroom -c``): every window, the shift's start
  and its end become soft; a visit or break may start before its window (``lead_time``)
  or after it (``delay``), the van may leave before its shift (``lead_time``) or come back
  after it (``delay``), each measured in seconds (``Issue.seconds``). The times minimise
  the sum of those seconds, then the route's length, then are the earliest
  (``optimizer._eta``, exact). Breaks are taken where ``break_gaps`` puts them, in its
  order within a gap; a break it does not place is not taken (``missing_break``). Travel
  before a break is driven before it (a break is on the road or at a stop). ``bounds``
  are hard: VROOM's ``service_at``, ``service_after`` and ``service_before``. As in
  VROOM, a stop's site service (VROOM's setup) comes first, before the first visit's own
  service, and the windows bound the start of the stop (hard: the site's service is
  charged when the van leaves; both take the same time, VROOM's order moves the later
  visits of a stop by the setup); a window bounds the start of the stop only, as in
  VROOM (no closure rule: service may run into a closure).

Both give a ``Timing``: the van's start and end, each visit's arrival, waiting, service
start, departure, distance and load after it, each break's start, and the issues.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from optimizer._eta import EtaInfeasible, Event, choose_times
from optimizer._simulate import (
    BreakTiming,
    Issue,
    RouteVisit,
    Timing,
    VisitTiming,
    _capacity_issue,
    best_timing,
    fmt_time,
    visit_service,
    visit_site,
)
from optimizer.errors import ProblemError
from optimizer.model import UNREACHABLE, Break, Problem, Shipment, Van, Visit, VisitType

__all__ = ["BreakTiming", "Issue", "Timing", "TimingBounds", "VisitTiming", "route_timing"]

Bound = tuple[int | None, int | None]
"""``(earliest, latest)`` start of an event, seconds; None: no bound."""


@dataclass(frozen=True, slots=True)
class TimingBounds:
    """Hard bounds on when a soft-timed route's events start: the van's departure, its
    return, visits by index into the route's visits, breaks by id."""

    start: Bound = (None, None)
    end: Bound = (None, None)
    visits: Mapping[int, Bound] = field(default_factory=dict)
    breaks: Mapping[str, Bound] = field(default_factory=dict)


def route_timing(
    problem: Problem,
    van: Van | str,
    visits: Sequence[Visit],
    *,
    break_gaps: Mapping[str, int] | None = None,
    soft: bool = False,
    bounds: TimingBounds | None = None,
) -> Timing:
    """Time ``visits`` (in this order) on ``van`` (see the module docstring).

    Parameters
    ----------
    problem
        The problem the van and the visits' shipments belong to.
    van
        The van, or its id.
    visits
        The route's visits in order (a shipment's pickup and delivery, once each).
    break_gaps
        ``{break id: gap}``: the break is taken after visit ``gap`` (-1: after the start).
        Hard: breaks it leaves out go where they do the least harm (all of them without
        it). Soft: only the breaks it names are taken.
    soft
        VROOM's plan mode: windows and the shift soft, violations measured in seconds.
    bounds
        Hard bounds on the events' start (soft timing only).

    Returns
    -------
    Timing
        With ``issues`` for every rule the route breaks (``Issue.kind``: hard ``capacity``,
        ``unreachable``, ``time_window``, ``deadline``, ``shift``, ``max_duration``,
        ``missing_break``; soft ``lead_time``, ``delay``, ``capacity``, ``unreachable``,
        ``max_duration``, ``missing_break``).

    Raises
    ------
    ProblemError
        An unknown van, shipment or break, a break placed outside the route, bounds on a
        hard timing, or soft bounds that cannot all be kept; the message names it.
    """
    vehicle = _van(problem, van)
    route = _visits(problem, visits)
    gaps = dict(break_gaps or {})
    known = {b.id for b in vehicle.breaks}
    for break_id, gap in gaps.items():
        if break_id not in known:
            raise ProblemError(f"break_gaps names an unknown break {break_id!r} of {vehicle.id}")
        if not -1 <= gap < max(len(route), 1):
            raise ProblemError(f"break_gaps[{break_id!r}] must be -1 … {len(route) - 1}, got {gap}")
    if not soft:
        if bounds is not None:
            raise ProblemError("route_timing: bounds are for a soft timing (soft=True)")
        return best_timing(problem, vehicle, route, break_gaps=break_gaps)
    return _soft(problem, vehicle, route, gaps, bounds or TimingBounds())


def _van(problem: Problem, van: Van | str) -> Van:
    if isinstance(van, Van):
        return van
    found = next((v for v in problem.vans if v.id == van), None)
    if found is None:
        raise ProblemError(f"route_timing: unknown van {van!r}")
    return found


def _visits(problem: Problem, visits: Sequence[Visit]) -> list[RouteVisit]:
    wanted = {v.shipment for v in visits}
    shipments = {s.id: s for s in problem.shipments if s.id in wanted}
    out: list[RouteVisit] = []
    for i, visit in enumerate(visits):
        shipment = shipments.get(visit.shipment)
        if shipment is None:
            raise ProblemError(f"visits[{i}] names an unknown shipment {visit.shipment!r}")
        out.append((shipment, VisitType(visit.type)))
    return out


# --- the soft timing -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Slot:
    """One event of the route: start, a visit (``visit`` its index), a break or the end."""

    kind: str  # "start", "visit", "break", "end"
    visit: int | None = None
    brk: Break | None = None
    gap: int = -1


def _slots(van: Van, n: int, gaps: Mapping[str, int]) -> list[_Slot]:
    by_id = {b.id: b for b in van.breaks}
    after: dict[int, list[Break]] = {}
    for break_id, gap in gaps.items():
        after.setdefault(gap, []).append(by_id[break_id])
    slots = [_Slot("start")]
    slots += [_Slot("break", brk=b, gap=-1) for b in after.get(-1, [])]
    for i in range(n):
        slots.append(_Slot("visit", visit=i))
        slots += [_Slot("break", brk=b, gap=i) for b in after.get(i, [])]
    return [*slots, _Slot("end")]


def _soft(
    problem: Problem,
    van: Van,
    route: Sequence[RouteVisit],
    gaps: Mapping[str, int],
    bounds: TimingBounds,
) -> Timing:
    slots = _slots(van, len(route), gaps)
    sites = [problem.index_of(visit_site(s, t)) for s, t in route]
    where = [problem.index_of(van.start), *sites, problem.index_of(van.end_site)]
    ids = [van.start, *(visit_site(s, t) for s, t in route), van.end_site]
    issues: list[Issue] = []
    # Legs between consecutive stops (start, visits, end): travel and distance.
    legs: list[tuple[int, int]] = []
    for k in range(len(where) - 1):
        leg_t = problem.durations[where[k]][where[k + 1]]
        leg_d = problem.distances[where[k]][where[k + 1]]
        if leg_t >= UNREACHABLE or leg_d >= UNREACHABLE:
            last = k == len(route)  # the leg back to the end
            issues.append(
                Issue(
                    "unreachable",
                    None if last else k,
                    None if last else route[k][0].id,
                    f"从 {ids[k]} 到 {ids[k + 1]} 没有道路",
                    f"no path from {ids[k]} to {ids[k + 1]}",
                )
            )
            leg_t, leg_d = 0, 0
        legs.append((leg_t, leg_d))
    events = [_event(problem, van, route, sites, legs, slot, bounds) for slot in slots]
    try:
        times = choose_times(events)
    except EtaInfeasible:
        raise ProblemError(
            f"route_timing: 车辆 {van.id} 的固定时刻无法同时满足 / the fixed times of van "
            f"{van.id}'s route cannot all be kept"
        ) from None
    return _assemble(problem, van, route, slots, events, times, legs, ids, issues)


def _event(
    problem: Problem,
    van: Van,
    route: Sequence[RouteVisit],
    sites: Sequence[int],
    legs: Sequence[tuple[int, int]],
    slot: _Slot,
    bounds: TimingBounds,
) -> Event:
    if slot.kind == "start":
        lo, hi = bounds.start
        return Event(0, legs[0][0], early=van.shift.early, lo=lo, hi=hi)
    if slot.kind == "end":
        lo, hi = bounds.end
        return Event(0, 0, late=van.shift.late, lo=lo, hi=hi)
    if slot.kind == "break":
        assert slot.brk is not None
        lo, hi = bounds.breaks.get(slot.brk.id, (None, None))
        windows = tuple((w.early, w.late) for w in slot.brk.time_windows)
        return Event(slot.brk.duration, 0, True, _binding(windows), lo=lo, hi=hi)
    i = slot.visit
    assert i is not None
    shipment, vtype = route[i]
    here = sites[i]
    before = sites[i - 1] if i > 0 else None
    setup = problem.sites[here].service_duration if before != here else 0
    windows = _soft_windows(problem, shipment, vtype)
    lo, hi = bounds.visits.get(i, (None, None))
    action = visit_service(shipment, vtype) + setup
    return Event(action, legs[i + 1][0], False, _binding(windows), lo=lo, hi=hi)


def _soft_windows(
    problem: Problem, shipment: Shipment, vtype: VisitType
) -> tuple[tuple[int, int], ...]:
    """The windows a soft-timed visit should start in: its site's, bounding the start only
    (VROOM's rule: no closure rule), within the shipment's release (a pickup) or deadline
    (a delivery); the site's own when those leave none."""
    site = problem.sites[problem.index_of(visit_site(shipment, vtype))]
    own = tuple((w.early, w.late) for w in site.time_windows)
    out = []
    for early, late in own:
        if vtype == VisitType.PICKUP:
            early = max(early, shipment.release)
        elif shipment.deadline is not None:
            late = min(late, shipment.deadline)
        if early <= late:
            out.append((early, late))
    return tuple(out) or own


def _binding(windows: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """The windows, or none when one window spans every time (it never binds)."""
    return () if any(early <= 0 and late >= 2**32 - 1 for early, late in windows) else windows


def _assemble(
    problem: Problem,
    van: Van,
    route: Sequence[RouteVisit],
    slots: Sequence[_Slot],
    events: Sequence[Event],
    times: Sequence[int],
    legs: Sequence[tuple[int, int]],
    ids: Sequence[str],
    issues: list[Issue],
) -> Timing:
    """The ``Timing`` of the chosen times: travel driven before breaks, VROOM's arrivals
    (the end of the event before plus the travel left), loads and the issues."""
    load = [0] * len(van.capacity)
    picked: set[str] = set()
    visits: list[VisitTiming] = []
    breaks: list[BreakTiming] = []
    leg = 0  # index of the leg being driven
    left = legs[0][0]  # seconds of it still to drive
    driven_here = 0
    dist = 0
    ready = times[0]  # when the event before ends
    end = times[-1]
    _window_issue(issues, "start", None, None, None, events[0], times[0])
    for k in range(1, len(slots)):
        slot, t = slots[k], times[k]
        if slot.kind == "break":
            assert slot.brk is not None
            ahead = min(left, max(0, t - ready))
            left -= ahead
            driven_here += ahead
            arrival = ready + ahead
            site = ids[leg + 1] if left == 0 else (ids[leg] if driven_here == 0 else None)
            here = dist + (legs[leg][1] if left == 0 else 0)
            breaks.append(
                BreakTiming(slot.brk, slot.gap, t, site, here, tuple(load), waiting=t - arrival)
            )
            _window_issue(issues, "break", None, None, slot.brk.id, events[k], t)
            ready = t + events[k].action
            continue
        arrival = ready + left
        dist += legs[leg][1]
        if slot.kind == "end":
            _window_issue(issues, "end", None, None, None, events[k], t)
            break
        i = slot.visit
        assert i is not None
        shipment, vtype = route[i]
        if vtype == VisitType.PICKUP:
            picked.add(shipment.id)
            load = [a + b for a, b in zip(load, shipment.amount, strict=True)]
            if any(a > c for a, c in zip(load, van.capacity, strict=True)):
                issues.append(_capacity_issue(van, shipment, i, load))
        elif shipment.id in picked:
            picked.discard(shipment.id)
            load = [a - b for a, b in zip(load, shipment.amount, strict=True)]
        visits.append(
            VisitTiming(
                arrival=arrival,
                waiting=t - arrival,
                service_start=t,
                end=t + events[k].action,
                departure=t + events[k].action,
                distance=dist,
                load=tuple(load),
            )
        )
        _window_issue(issues, "visit", i, shipment.id, None, events[k], t)
        ready = t + events[k].action
        leg += 1
        left, driven_here = legs[leg][0], 0
    placed = {b.brk.id for b in breaks}
    for brk in van.breaks:
        if brk.id not in placed:
            issues.append(
                Issue(
                    "missing_break",
                    None,
                    None,
                    f"休息 {brk.id} 未安排在线路中",
                    f"break {brk.id} is not in the route",
                    break_id=brk.id,
                )
            )
    start = times[0]
    if van.max_route_duration is not None and end - start > van.max_route_duration:
        issues.append(
            Issue(
                "max_duration",
                None,
                None,
                f"线路用时 {end - start} 秒，超过上限 {van.max_route_duration} 秒",
                f"route takes {end - start} s, over the limit of {van.max_route_duration} s",
                seconds=end - start - van.max_route_duration,
            )
        )
    return Timing(
        start=start,
        end=end,
        visits=tuple(visits),
        breaks=tuple(breaks),
        distance=dist,
        travel=sum(t for t, _ in legs),
        issues=tuple(issues),
    )


def _window_issue(
    issues: list[Issue],
    kind: str,
    visit: int | None,
    shipment: str | None,
    break_id: str | None,
    event: Event,
    t: int,
) -> None:
    """The ``lead_time`` or ``delay`` of an event started at ``t``, if any."""
    lead = delay = 0
    if event.early is not None and t < event.early:
        lead = event.early - t
    if event.late is not None and t > event.late:
        delay = t - event.late
    if event.windows:
        early = [w for w in event.windows if w[0] > t]
        late = [w for w in event.windows if w[1] < t]
        inside = any(lo <= t <= hi for lo, hi in event.windows)
        if not inside:
            to_next = early[0][0] - t if early else None
            from_last = t - late[-1][1] if late else None
            if from_last is None or (to_next is not None and to_next < from_last):
                lead = to_next or 0
            else:
                delay = from_last
    who = {"start": "出发", "end": "返回"}.get(kind, shipment or f"休息 {break_id}")
    en = {"start": "leaves", "end": "returns"}.get(kind, f"{shipment or f'break {break_id}'}")
    if lead:
        issues.append(
            Issue(
                "lead_time",
                visit,
                shipment,
                f"{who}于 {fmt_time(t)}，早于时间窗 {lead} 秒",
                f"{en} at {fmt_time(t)}, {lead} s before its window",
                seconds=lead,
                break_id=break_id,
            )
        )
    if delay:
        issues.append(
            Issue(
                "delay",
                visit,
                shipment,
                f"{who}于 {fmt_time(t)}，晚于时间窗 {delay} 秒",
                f"{en} at {fmt_time(t)}, {delay} s after its window",
                seconds=delay,
                break_id=break_id,
            )
        )
