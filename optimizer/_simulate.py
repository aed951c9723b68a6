"""Timing of one van's route: the single definition of service times and windows.

``solve`` (step times of the result), ``check`` (violations of a hand-made plan)
and ``diagnose`` (can a shipment be served alone?) all time routes with
``simulate``; the OR-Tools model in ``_ortools.py`` encodes the same rules.

Service time (VROOM's setup/service split):

- ``Site.service_duration`` is paid **once per stop** (parking, walking in):
  consecutive visits at the same site are one stop, and the site's time is
  charged when the van leaves the site.
- ``Shipment.pickup_service`` / ``delivery_service`` (``None`` means 0) is paid
  **per visit** (handing over that shipment's crates).

Windows:

- each visit's service starts inside one of its site's opening windows
  (windows bound the *start* of service, as in VROOM); a van may wait;
- no service runs across a closure: in a window followed by another window
  (a lunch closure) a visit must start early enough to finish its own service
  plus the site's service before the closure, ``start <= late - (visit service
  + site service)``; the day's last window bounds the start only;
- a pickup starts no earlier than the shipment's ``release``, a delivery starts
  no later than its ``deadline``.

Vans: the van leaves its start site at or after ``shift.early`` and is back at
its end site by ``shift.late``; end minus start is at most
``max_route_duration``. Opening windows of the start and end sites do not apply
to the van's own start and end. Each break is taken once, inside the route,
starting inside one of its windows, between two visits (on the road, or while
waiting at a site), never during a visit's service.

Among the departure times that give the earliest return, the latest is chosen
(no needless waiting at the first stop). Visits start as early as possible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from optimizer.model import UNREACHABLE, Break, Problem, Shipment, Van, VisitType

Interval = tuple[int, int]
RouteVisit = tuple[Shipment, VisitType]


def fmt_time(t: int) -> str:
    """``HH:MM`` (with a ``+Nd`` suffix after the first day) for messages; from a week
    on, the seconds themselves (a UNIX timestamp reads as itself, not ``HH:MM+18518d``)."""
    days, rest = divmod(t, 86400)
    if days >= 7:
        return f"{t} s"
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return text if days == 0 else f"{text}+{days}d"


def visit_site(shipment: Shipment, type: VisitType) -> str:
    return shipment.pickup if type == VisitType.PICKUP else shipment.delivery


def visit_service(shipment: Shipment, type: VisitType) -> int:
    """Per-visit service time (the shipment's own loading or unloading)."""
    value = shipment.pickup_service if type == VisitType.PICKUP else shipment.delivery_service
    return value or 0


def service_starts(
    problem: Problem, shipment: Shipment, type: VisitType, *, deadline: bool = True
) -> tuple[Interval, ...]:
    """Sorted, disjoint intervals in which the visit's service may start."""
    site = problem.sites[problem.index_of(visit_site(shipment, type))]
    own = visit_service(shipment, type) + site.service_duration
    windows = site.time_windows
    out: list[Interval] = []
    for i, window in enumerate(windows):
        lo, hi = window.early, window.late
        if i < len(windows) - 1:
            hi -= own  # must finish before the closure that follows
        if type == VisitType.PICKUP:
            lo = max(lo, shipment.release)
        elif deadline and shipment.deadline is not None:
            hi = min(hi, shipment.deadline)
        if lo <= hi:
            out.append((lo, hi))
    return tuple(out)


def visit_starts(
    problem: Problem, visits: Sequence[RouteVisit], *, deadline: bool = True
) -> tuple[tuple[Interval, ...], ...]:
    """``service_starts`` of each visit of a route."""
    return tuple(service_starts(problem, s, t, deadline=deadline) for s, t in visits)


def earliest_in(intervals: Sequence[Interval], t: int) -> int | None:
    """The earliest time ``>= t`` inside ``intervals``, or None."""
    for lo, hi in intervals:
        if t <= hi:
            return max(t, lo)
    return None


def break_starts(brk: Break) -> tuple[Interval, ...]:
    return tuple((w.early, w.late) for w in brk.time_windows)


@dataclass(frozen=True, slots=True)
class Issue:
    """A broken rule found while timing a route (``visit`` indexes the visits).

    ``seconds`` measures a soft timing's ``lead_time`` or ``delay`` (``optimizer.timing``);
    ``break_id`` names the break it is about, if any.
    """

    kind: str
    visit: int | None
    shipment: str | None
    zh: str
    en: str
    seconds: int = 0
    break_id: str | None = None


@dataclass(frozen=True, slots=True)
class VisitTiming:
    arrival: int
    waiting: int
    service_start: int
    end: int  # end of the visit's own service
    departure: int  # leaving the visit (plus the site's service if the stop ends here)
    distance: int  # metres driven before arriving
    load: tuple[int, ...]  # after the visit


@dataclass(frozen=True, slots=True)
class BreakTiming:
    brk: Break
    gap: int  # taken after visit ``gap`` (-1: after the start)
    start: int
    site: str | None  # None: on the road
    distance: int
    load: tuple[int, ...]
    waiting: int = 0  # a soft timing's wait before the break (its arrival: start - waiting)


@dataclass(frozen=True, slots=True)
class Timing:
    start: int
    end: int
    visits: tuple[VisitTiming, ...]
    breaks: tuple[BreakTiming, ...]
    distance: int
    travel: int  # seconds of driving
    issues: tuple[Issue, ...]

    @property
    def duration(self) -> int:
        return self.end - self.start


def simulate(
    problem: Problem,
    van: Van,
    visits: Sequence[RouteVisit],
    *,
    depart: int,
    break_gaps: Mapping[str, int] | None = None,
    breaks: bool = True,
    deadline: bool = True,
    shift: bool = True,
    starts: Sequence[tuple[Interval, ...]] | None = None,
) -> Timing:
    """Time ``visits`` for ``van`` leaving its start at ``depart``.

    ``break_gaps`` places each break (by id) after a visit index (-1: after the
    start); a break it does not place is taken after the last visit
    (``best_timing`` places them well). In its gap a break starts as early as
    its windows allow. ``breaks``, ``deadline`` and ``shift`` switch those
    rules off (for diagnosis). ``starts`` may hand in each visit's
    ``service_starts`` (with the same ``deadline``), when the route is timed
    many times.
    """
    if starts is None:
        starts = visit_starts(problem, visits, deadline=deadline)
    dur, dist_m = problem.durations, problem.distances
    n = len(visits)
    load = [0] * len(van.capacity)
    picked: set[str] = set()
    issues: list[Issue] = []
    out_visits: list[VisitTiming] = []
    out_breaks: list[BreakTiming] = []
    by_gap = _breaks_by_gap(van, break_gaps, n) if breaks else {}
    sites = [problem.index_of(visit_site(s, t)) for s, t in visits]
    prev_site = problem.index_of(van.start)
    prev_id: str = van.start
    t = depart
    dist = 0
    travel = 0
    end = depart
    # The per-visit loop is the final repair's hot path: the rare cases (an
    # unreachable leg, a late start, an overload) and the legs with breaks go
    # to helpers, the common case stays inline.
    for g in range(-1, n):
        last_leg = g + 1 == n
        nxt_site = problem.index_of(van.end_site) if last_leg else sites[g + 1]
        nxt_id = van.end_site if last_leg else visit_site(*visits[g + 1])
        leg_t, leg_d = dur[prev_site][nxt_site], dist_m[prev_site][nxt_site]
        if leg_t >= UNREACHABLE or leg_d >= UNREACHABLE:
            issues.append(_unreachable_issue(visits, g, prev_id, nxt_id))
            leg_t, leg_d = 0, 0
        take = by_gap.get(g)
        if take:
            cur, driven, arrived_at, at_site_break = _take_breaks(
                take, t, g, leg_t, leg_d, dist, prev_id, nxt_id, load, issues, out_breaks
            )
        else:
            cur, driven, arrived_at, at_site_break = t, 0, None, 0
        arrival = cur + (leg_t - driven) if arrived_at is None else arrived_at
        ready = cur + (leg_t - driven)
        dist += leg_d
        travel += leg_t
        if last_leg:
            end = ready
            break
        shipment, vtype = visits[g + 1]
        s = earliest_in(starts[g + 1], ready)
        if s is None:
            s = _late_start(problem, shipment, vtype, g + 1, ready, nxt_id, deadline, issues)
        vs = visit_service(shipment, vtype)
        e = s + vs
        next_site = sites[g + 2] if g + 2 < n else None
        setup = problem.sites[nxt_site].service_duration if next_site != nxt_site else 0
        if vtype == VisitType.PICKUP:
            picked.add(shipment.id)
            for d, a in enumerate(shipment.amount):
                load[d] += a
            over = [d for d in range(len(load)) if load[d] > van.capacity[d]]
            if over:
                issues.append(_capacity_issue(van, shipment, g + 1, load))
        elif shipment.id in picked:
            picked.discard(shipment.id)
            for d, a in enumerate(shipment.amount):
                load[d] -= a
        out_visits.append(
            VisitTiming(
                arrival=arrival,
                waiting=max(0, s - arrival - at_site_break),
                service_start=s,
                end=e,
                departure=e + setup,
                distance=dist,
                load=tuple(load),
            )
        )
        t = e + setup
        prev_site, prev_id = nxt_site, nxt_id
    if shift:
        issues.extend(_shift_issues(van, depart, end))
    return Timing(
        start=depart,
        end=end,
        visits=tuple(out_visits),
        breaks=tuple(out_breaks),
        distance=dist,
        travel=travel,
        issues=tuple(issues),
    )


def _breaks_by_gap(
    van: Van, break_gaps: Mapping[str, int] | None, n: int
) -> dict[int, list[Break]]:
    """The van's breaks by the gap they are taken in (clamped to ``-1 .. n - 1``; an
    unplaced break goes after the last visit), each gap's in the order of their windows."""
    by_gap: dict[int, list[Break]] = {}
    gaps = break_gaps or {}
    for brk in sorted(van.breaks, key=lambda b: (b.time_windows[0].early, b.id)):
        gap = min(max(gaps.get(brk.id, n - 1), -1), n - 1)
        by_gap.setdefault(gap, []).append(brk)
    return by_gap


def _take_breaks(
    take: Sequence[Break],
    t: int,
    g: int,
    leg_t: int,
    leg_d: int,
    dist: int,
    prev_id: str,
    nxt_id: str,
    load: Sequence[int],
    issues: list[Issue],
    out_breaks: list[BreakTiming],
) -> tuple[int, int, int | None, int]:
    """Take the breaks ``take`` on the leg of gap ``g`` (``leg_t`` s, ``leg_d`` m), leaving
    at ``t``: each starts as early as its windows allow, on the road or at either end.

    Appends a ``BreakTiming`` per break taken to ``out_breaks`` and a ``missing_break``
    issue per break that cannot start to ``issues``. Returns the time the last break ends
    (``t`` without one), the seconds driven by then, the arrival time when the van
    reached the next site before a break (else None), and the seconds of break taken
    there.
    """
    cur, driven, arrived_at = t, 0, None
    at_site_break = 0
    for brk in take:
        bs = earliest_in(break_starts(brk), cur)
        if bs is None:
            issues.append(
                Issue(
                    "missing_break",
                    None,
                    None,
                    f"休息 {brk.id} 无法在其时间窗内开始（{fmt_time(cur)} 之后）",
                    f"break {brk.id} cannot start inside its windows after {fmt_time(cur)}",
                    break_id=brk.id,
                )
            )
            continue
        ahead = min(leg_t - driven, bs - cur)
        driven += ahead
        if driven == leg_t and arrived_at is None:
            arrived_at = cur + ahead
        site: str | None
        if driven == leg_t:
            site = nxt_id
            at_site_break += brk.duration
        else:
            site = prev_id if driven == 0 else None
        here = dist + (leg_d if driven == leg_t else 0)
        out_breaks.append(BreakTiming(brk, g, bs, site, here, tuple(load)))
        cur = bs + brk.duration
    return cur, driven, arrived_at, at_site_break


def _unreachable_issue(visits: Sequence[RouteVisit], g: int, prev_id: str, nxt_id: str) -> Issue:
    """The issue of gap ``g``'s leg, from ``prev_id`` to ``nxt_id``, having no road."""
    last_leg = g + 1 == len(visits)
    who = "终点" if last_leg else nxt_id
    return Issue(
        "unreachable",
        None if last_leg else g + 1,
        None if last_leg else visits[g + 1][0].id,
        f"从 {prev_id} 到 {who} 没有道路",
        f"no path from {prev_id} to {nxt_id}",
    )


def _late_start(
    problem: Problem,
    shipment: Shipment,
    vtype: VisitType,
    i: int,
    ready: int,
    site_id: str,
    deadline: bool,
    issues: list[Issue],
) -> int:
    """The service start of visit ``i``, ready at ``ready`` after all its intervals.

    With ``deadline`` on and a window open once the deadline is lifted: that window's
    earliest start, with a ``deadline`` issue; otherwise ``ready``, with a
    ``time_window`` issue. The issue is appended to ``issues``.
    """
    relaxed = (
        earliest_in(service_starts(problem, shipment, vtype, deadline=False), ready)
        if deadline
        else None
    )
    if relaxed is not None:
        issues.append(
            Issue(
                "deadline",
                i,
                shipment.id,
                f"{shipment.id} 在 {fmt_time(relaxed)} 送达，晚于截止时间 "
                f"{fmt_time(shipment.deadline or 0)}",
                f"{shipment.id} delivered at {fmt_time(relaxed)}, after its deadline "
                f"{fmt_time(shipment.deadline or 0)}",
            )
        )
        return relaxed
    issues.append(
        Issue(
            "time_window",
            i,
            shipment.id,
            f"{fmt_time(ready)} 到达 {site_id}，已超出开放时间",
            f"arrives at {site_id} at {fmt_time(ready)}, after its opening hours",
        )
    )
    return ready


def _capacity_issue(van: Van, shipment: Shipment, i: int, load: Sequence[int]) -> Issue:
    """The issue of ``load``, after picking up ``shipment`` at visit ``i``, exceeding the
    van's capacity."""
    return Issue(
        "capacity",
        i,
        shipment.id,
        f"取 {shipment.id} 后装载 {tuple(load)} 超过容量 {van.capacity}",
        f"load {tuple(load)} after picking up {shipment.id} exceeds capacity {van.capacity}",
    )


def _shift_issues(van: Van, depart: int, end: int) -> list[Issue]:
    """The shift's issues of a route leaving at ``depart`` and back at ``end``: back
    after the shift, leaving before it, then over ``max_route_duration``."""
    issues = []
    if end > van.shift.late:
        issues.append(
            Issue(
                "shift",
                None,
                None,
                f"{fmt_time(end)} 回到终点，晚于班次结束 {fmt_time(van.shift.late)}",
                f"back at {fmt_time(end)}, after the shift ends at {fmt_time(van.shift.late)}",
            )
        )
    if depart < van.shift.early:
        issues.append(
            Issue(
                "shift",
                None,
                None,
                f"{fmt_time(depart)} 出发，早于班次开始 {fmt_time(van.shift.early)}",
                f"leaves at {fmt_time(depart)}, before the shift starts "
                f"at {fmt_time(van.shift.early)}",
            )
        )
    if van.max_route_duration is not None and end - depart > van.max_route_duration:
        issues.append(
            Issue(
                "max_duration",
                None,
                None,
                f"线路用时 {end - depart} 秒，超过上限 {van.max_route_duration} 秒",
                f"route takes {end - depart} s, over the limit of {van.max_route_duration} s",
            )
        )
    return issues


def best_timing(
    problem: Problem,
    van: Van,
    visits: Sequence[RouteVisit],
    *,
    break_gaps: Mapping[str, int] | None = None,
    breaks: bool = True,
    deadline: bool = True,
    shift: bool = True,
) -> Timing:
    """``simulate`` from the best departure time.

    Best: fewest issues, then earliest return, then latest departure. The
    candidates are the shift's start and every departure that reaches some
    visit exactly when one of its windows opens or closes (travelling without
    waiting). Without ``break_gaps``, each break goes where it does the least
    harm (see ``place_breaks``).
    """
    starts = visit_starts(problem, visits, deadline=deadline)
    if breaks and van.breaks and break_gaps is None:
        break_gaps = place_breaks(
            problem, van, visits, deadline=deadline, shift=shift, starts=starts
        )
    earliest = van.shift.early if shift else 0
    candidates = {earliest}
    offset = 0
    prev = problem.index_of(van.start)
    for i, (shipment, vtype) in enumerate(visits):
        here = problem.index_of(visit_site(shipment, vtype))
        offset += min(problem.durations[prev][here], UNREACHABLE)
        for window in starts[i]:
            candidates.update(t - offset for t in window if t - offset > earliest)
        offset += visit_service(shipment, vtype)
        nxt = problem.index_of(visit_site(*visits[i + 1])) if i + 1 < len(visits) else None
        if nxt != here:
            offset += problem.sites[here].service_duration
        prev = here

    def run(depart: int) -> Timing:
        return simulate(
            problem,
            van,
            visits,
            depart=depart,
            break_gaps=break_gaps,
            breaks=breaks,
            deadline=deadline,
            shift=shift,
            starts=starts,
        )

    # Waiting forced later in the route (a release, a lunch closure, a break
    # window) is not seen by the candidates above: also find, by bisection, the
    # latest departure that keeps the earliest return and breaks no more rules.
    # Both only get worse as the van leaves later, so bisection is exact.
    first = run(earliest)
    last = min(van.shift.late, problem.horizon) if shift else problem.horizon
    lo, hi = earliest, max(earliest, last)

    def keeps(timing: Timing) -> bool:
        return timing.end == first.end and _hard(timing) <= _hard(first)

    while lo < hi:
        mid = (lo + hi + 1) // 2
        if keeps(run(mid)):
            lo = mid
        else:
            hi = mid - 1
    if not first.issues:
        # Leaving at ``lo`` keeps the earliest return and breaks no rule (a later
        # start only shortens the route): no candidate ranks better, so the
        # O(visits²) scan below is only needed for routes that break a rule.
        return first if lo == earliest else run(lo)
    candidates.add(lo)
    timings = (run(depart) for depart in sorted(candidates))
    return min(timings, key=_rank)


def _hard(timing: Timing) -> int:
    """Issues a later departure cannot cure (all but the route's duration)."""
    return sum(1 for issue in timing.issues if issue.kind != "max_duration")


def _rank(timing: Timing) -> tuple[int, int, int]:
    return (len(timing.issues), timing.end, -timing.start)


def place_breaks(
    problem: Problem,
    van: Van,
    visits: Sequence[RouteVisit],
    *,
    deadline: bool = True,
    shift: bool = True,
    starts: Sequence[tuple[Interval, ...]] | None = None,
) -> dict[str, int]:
    """The gap (after which visit, -1: after the start) for each of the van's breaks.

    Breaks are placed one at a time, in the order of their windows, each in the
    gap that gives the fewest issues and then the earliest return, trying the
    shift's start and the best departure without breaks, among the gaps the
    van passes during the break's windows (timed without breaks).
    """
    if starts is None:
        starts = visit_starts(problem, visits, deadline=deadline)
    plain = best_timing(problem, van, visits, breaks=False, deadline=deadline, shift=shift)
    departures = sorted({plain.start, van.shift.early if shift else 0})
    # When the van leaves each gap without breaks; a break only delays what follows.
    leave = [plain.start, *(v.departure for v in plain.visits), plain.end]
    gaps: dict[str, int] = {}
    for brk in sorted(van.breaks, key=lambda b: (b.time_windows[0].early, b.id)):
        early, late = brk.time_windows[0].early, brk.time_windows[-1].late
        # Only the gaps whose time span meets the break's windows (and one more on
        # each side) are tried: elsewhere the break starts too late, or makes the
        # van wait for its window; on a 100-visit route this cuts the work ~10x.
        near = [g for g in range(-1, len(visits)) if leave[g + 1] <= late and leave[g + 2] >= early]
        candidates = (
            range(max(-1, near[0] - 1), min(len(visits), near[-1] + 2))
            if near
            else range(-1, len(visits))
        )
        ranked = (
            (
                _rank(
                    simulate(
                        problem,
                        van,
                        visits,
                        depart=depart,
                        break_gaps={**gaps, brk.id: gap},
                        deadline=deadline,
                        shift=shift,
                        starts=starts,
                    )
                ),
                gap,
            )
            for gap in candidates
            for depart in departures
        )
        gaps[brk.id] = min(ranked)[1]
    return gaps
