"""Why a shipment cannot be planned: the reason, from ``UnassignedReason``.

Each shipment is first tried *alone*: for every van, the route start → pickup →
delivery → end is timed (``optimizer._simulate``) under a growing set of rules,
and the first rule that breaks it is that van's reason:

1. ``skills``: the van lacks a skill the shipment needs;
2. ``capacity_exceeds_van``: the amount exceeds the van's capacity in some dimension;
3. ``unreachable``: no path between two of the four stops;
4. ``time_window``: opening hours (and the release) cannot be met, even with
   no deadline and an unlimited shift;
5. ``shift``: the van's shift or maximum route duration cannot be met, even
   with no deadline;
6. ``deadline``: it could be served only by ignoring the deadline.

The shipment's reason is the one of the van that got furthest (``no_vehicle`` when
the problem has no van at all). A locked shipment (``Problem.locks``) is tried on its
van only, and its reason is ``lock_infeasible``, the detail naming the lock and the
first rule that van breaks; ``unlockable`` then tests the locked orders themselves. A
shipment that some van can serve alone is handed to the solver, restricted to those vans;
if the solver still leaves it out, the reason is ``deferred_capacity`` (feasible
alone, but no room today). Driver breaks are not part of the alone test, so it
never rejects a shipment the solver could plan. It assumes travel durations
satisfy the triangle inequality, as shortest-path matrices do.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from optimizer._insert import OutOfTime, insert
from optimizer._locks import lock_name
from optimizer._simulate import Timing, best_timing, fmt_time
from optimizer.model import UNREACHABLE, Problem, Shipment, Van, VisitType
from optimizer.result import Unassigned, UnassignedReason

_LEVELS = (
    UnassignedReason.SKILLS,
    UnassignedReason.CAPACITY_EXCEEDS_VAN,
    UnassignedReason.UNREACHABLE,
    UnassignedReason.TIME_WINDOW,
    UnassignedReason.SHIFT,
    UnassignedReason.DEADLINE,
)


@dataclass(frozen=True, slots=True)
class Alone:
    """Can ``shipment`` be served by a van on its own?

    ``vans`` are the indices (in ``Problem.vans``) of the vans that can;
    ``reason`` is None when there is at least one.
    """

    shipment: str
    vans: tuple[int, ...]
    reason: UnassignedReason | None
    detail: str = ""


def alone(problem: Problem, shipment: Shipment) -> Alone:
    """Try ``shipment`` alone on every van of ``problem`` (on its van only when locked)."""
    locked = problem.locked_van.get(shipment.id)
    if locked is not None:
        v, van = next((v, van) for v, van in enumerate(problem.vans) if van.id == locked)
        level = _first_failure(problem, van, shipment)
        if level is None:
            return Alone(shipment.id, (v,), None)
        reason = UnassignedReason.LOCK_INFEASIBLE
        return Alone(shipment.id, (), reason, _lock_detail(problem, shipment, van, _LEVELS[level]))
    able: list[int] = []
    furthest = -1
    seen: dict[tuple[object, ...], int | None] = {}
    for v, van in enumerate(problem.vans):
        # Vans alike in everything the alone test looks at share its answer.
        key = (
            van.start,
            van.end_site,
            van.capacity,
            van.shift,
            van.max_route_duration,
            van.skills,
        )
        if key not in seen:
            seen[key] = _first_failure(problem, van, shipment)
        level = seen[key]
        if level is None:
            able.append(v)
        else:
            furthest = max(furthest, level)
    if able:
        return Alone(shipment.id, tuple(able), None)
    reason = _LEVELS[furthest] if problem.vans else UnassignedReason.NO_VEHICLE
    return Alone(shipment.id, (), reason, _detail(problem, shipment, reason))


def diagnose(problem: Problem, shipment_ids: Iterable[str]) -> tuple[Unassigned, ...]:
    """The reason each of ``shipment_ids`` is not planned.

    Parameters
    ----------
    problem
        The day's problem.
    shipment_ids
        Shipments left out of a plan (unknown ids raise ``KeyError``).

    Returns
    -------
    tuple[Unassigned, ...]
        One entry per id, in the given order: the alone test's reason, or
        ``deferred_capacity`` when some van could serve it alone.
    """
    by_id = {s.id: s for s in problem.shipments}
    out: list[Unassigned] = []
    for sid in shipment_ids:
        shipment = by_id[sid]
        result = alone(problem, shipment)
        if result.reason is None:
            out.append(deferred(shipment))
        else:
            out.append(Unassigned(sid, result.reason, result.detail))
    return tuple(out)


def deferred(shipment: Shipment) -> Unassigned:
    """A shipment some van could serve alone, left for another day."""
    if shipment.deferrable:
        detail = (
            f"可单独配送，但今天的车辆已无空余运力，改在下一个工作日配送"
            f"（延后代价 {shipment.penalty * (1 + shipment.priority):g} 元） / "
            f"feasible alone, but the vans have no room left today: deferred to the next "
            f"working day (penalty {shipment.penalty * (1 + shipment.priority):g} yuan)"
        )
    else:
        detail = (
            "可单独配送，但今天的车辆已满 / feasible alone, but the fleet has no room left today"
        )
    return Unassigned(shipment.id, UnassignedReason.DEFERRED_CAPACITY, detail)


def _first_failure(problem: Problem, van: Van, shipment: Shipment) -> int | None:
    """Index in ``_LEVELS`` of the first rule ``van`` breaks, or None."""
    if not shipment.skills <= van.skills:
        return 0
    if any(a > c for a, c in zip(shipment.amount, van.capacity, strict=True)):
        return 1
    i = problem.index_of
    stops = (
        i(van.start),
        i(shipment.pickup),
        i(shipment.delivery),
        i(van.end_site),
    )
    for a, b in itertools.pairwise(stops):
        if problem.durations[a][b] >= UNREACHABLE or problem.distances[a][b] >= UNREACHABLE:
            return 2
    visits = ((shipment, VisitType.PICKUP), (shipment, VisitType.DELIVERY))
    for level, (shift, deadline) in enumerate(((False, False), (True, False), (True, True)), 3):
        timing = best_timing(problem, van, visits, breaks=False, deadline=deadline, shift=shift)
        if timing.issues:
            return level
    return None


def _detail(problem: Problem, shipment: Shipment, reason: UnassignedReason) -> str:
    if reason == UnassignedReason.NO_VEHICLE:
        return "问题中没有任何车辆 / the problem has no van at all"
    if reason == UnassignedReason.SKILLS:
        skills = ", ".join(sorted(shipment.skills))
        return f"没有车辆具备技能 {skills} / no van has the skills {skills}"
    if reason == UnassignedReason.CAPACITY_EXCEEDS_VAN:
        return (
            f"数量 {shipment.amount} 超过每辆车的容量 / "
            f"amount {shipment.amount} exceeds every van's capacity"
        )
    if reason == UnassignedReason.UNREACHABLE:
        return (
            f"{shipment.pickup} 或 {shipment.delivery} 与车场之间没有道路 / "
            f"no path between the depot, {shipment.pickup} and {shipment.delivery}"
        )
    if reason == UnassignedReason.TIME_WINDOW:
        return (
            f"在 {shipment.pickup} 和 {shipment.delivery} 的开放时间内无法完成取送 / "
            f"pickup at {shipment.pickup} and delivery at {shipment.delivery} "
            f"cannot both fit their opening hours"
        )
    if reason == UnassignedReason.DEADLINE:
        deadline = fmt_time(shipment.deadline or 0)
        return (
            f"最早也无法在截止时间 {deadline} 前送达 / "
            f"cannot be delivered before its deadline {deadline}, even alone"
        )
    return (
        "单独配送也超出司机班次或线路时长上限 / "
        "even alone it does not fit any driver's shift or maximum route duration"
    )


def _lock_detail(problem: Problem, shipment: Shipment, van: Van, reason: UnassignedReason) -> str:
    """Why the van a shipment is locked on cannot serve it even alone."""
    name = lock_name(problem, shipment.id)
    why = {
        UnassignedReason.SKILLS: (
            f"缺少技能 {', '.join(sorted(shipment.skills - van.skills))}",
            f"it lacks the skills {', '.join(sorted(shipment.skills - van.skills))}",
        ),
        UnassignedReason.CAPACITY_EXCEEDS_VAN: (
            f"数量 {shipment.amount} 超过其容量 {van.capacity}",
            f"the amount {shipment.amount} exceeds its capacity {van.capacity}",
        ),
        UnassignedReason.UNREACHABLE: (
            f"其车场与 {shipment.pickup}、{shipment.delivery} 之间没有道路",
            f"there is no path between its depot, {shipment.pickup} and {shipment.delivery}",
        ),
        UnassignedReason.TIME_WINDOW: (
            f"无法在 {shipment.pickup} 和 {shipment.delivery} 的开放时间内完成取送",
            f"pickup at {shipment.pickup} and delivery at {shipment.delivery} cannot both fit "
            "their opening hours",
        ),
        UnassignedReason.SHIFT: (
            "超出司机班次或线路时长上限",
            "it does not fit the driver's shift or the maximum route duration",
        ),
        UnassignedReason.DEADLINE: (
            f"无法在截止时间 {fmt_time(shipment.deadline or 0)} 前送达",
            f"it cannot deliver before the deadline {fmt_time(shipment.deadline or 0)}",
        ),
    }[reason]
    return (
        f"锁定在车辆 {van.id} 上（{name}），但该车单独配送也不行：{why[0]} / "
        f"locked on van {van.id} by {name}, but that van cannot serve it even alone: {why[1]}"
    )


def unlockable(problem: Problem, *, deadline: float) -> dict[int, str]:
    """The locked shipments of ``problem`` that cannot be served in their locked order, each
    with why (``lock_infeasible``'s detail), by index in ``problem.shipments``.

    ``problem`` is a screened day: its van can serve each locked shipment alone. Per lock,
    only what is certain: its shipments with both visits in it, in its order, are timed
    one more at a time (the first in the lock first: a later one that does not fit after
    them is out); then each shipment with one visit in it is inserted (``_insert``), where
    the lock allows, into the route of those (a route that every plan keeping the lock
    holds in this order, and a visit more only delays what follows). What fails only
    together with free visits is left to the search and the final repair. Shipments not
    reached by ``deadline`` (``time.perf_counter()``) are not tested.
    """
    out: dict[int, str] = {}
    index = {s.id: k for k, s in enumerate(problem.shipments)}
    vans = {van.id: van for van in problem.vans}
    try:
        for n, lock in enumerate(problem.locks):
            van = vans[lock.van]
            keys = [(visit.shipment, visit.type) for visit in lock.visits]
            both = {sid for sid, vtype in keys if vtype == VisitType.DELIVERY} & {
                sid for sid, vtype in keys if vtype == VisitType.PICKUP
            }
            rigid = [sid for sid, vtype in keys if vtype == VisitType.PICKUP and sid in both]
            kept = _rigid_kept(problem, van, keys, rigid, n, deadline, out, index)
            skeleton = tuple((index[sid], vtype) for sid, vtype in keys if sid in kept)
            for sid in dict.fromkeys(sid for sid, _ in keys if sid not in both):
                k = index[sid]
                if k in out:
                    continue
                if insert(problem, van, skeleton, k, deadline=deadline) is None:
                    listed = _listed(kept)
                    zh, en = (
                        (f"按锁定顺序与 {listed} 一起", f"the locked order with {listed}")
                        if kept
                        else ("单独", "it alone")
                    )
                    out[k] = (
                        f"锁定在车辆 {van.id} 上（locks[{n}]）：{zh}，该车线路中没有可行的位置"
                        f"（开放时间、容量、班次或休息） / locked on van {van.id} by locks[{n}]: "
                        f"no place on its route keeps {en} within the windows, capacity, "
                        "shift and breaks"
                    )
    except OutOfTime:
        pass
    return out


def _rigid_kept(
    problem: Problem,
    van: Van,
    keys: list[tuple[str, VisitType]],
    rigid: list[str],
    n: int,
    deadline: float,
    out: dict[int, str],
    index: dict[str, int],
) -> list[str]:
    """The shipments of ``rigid`` (both visits in lock ``n``) kept, in the lock's order;
    those that do not fit after the ones kept before them go into ``out``."""
    by_id = {s.id: s for s in problem.shipments}

    def timing(ids: set[str]) -> Timing:
        visits = [(by_id[sid], vtype) for sid, vtype in keys if sid in ids]
        return best_timing(problem, van, visits)

    if not rigid or not timing(set(rigid)).issues:
        return rigid
    kept: list[str] = []
    for sid in rigid:
        if time.perf_counter() >= deadline:
            raise OutOfTime
        issues = timing({*kept, sid}).issues
        if not issues:
            kept.append(sid)
            continue
        issue = next((i for i in issues if i.shipment == sid), issues[0])
        after = (f"排在 {_listed(kept)} 之后", f"after {_listed(kept)}") if kept else ("", "")
        out[index[sid]] = (
            f"锁定在车辆 {van.id} 上（locks[{n}]）：按锁定顺序{after[0]}无法完成：{issue.zh} / "
            f"locked on van {van.id} by locks[{n}]: in the locked order{' ' if kept else ''}"
            f"{after[1]} it cannot be served: {issue.en}"
        )
    return kept


def _listed(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:5])
    return shown + (f" … ({len(ids)})" if len(ids) > 5 else "")
