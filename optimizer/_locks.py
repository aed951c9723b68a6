"""Locked stops (``Problem.locks``): where a locked shipment may go, and plans cut to keep them.

A lock pins its shipments to its van (both visits, also the one not locked) and keeps the
order of its own visits; other visits may go anywhere. Every stage of ``solve`` keeps the
locks of the screened problem (``optimizer.solve``): the alone test tries a locked
shipment on its van only and the locked order is tested before the search
(``optimizer.diagnose``); OR-Tools pins the vans and orders the locked visits
(``optimizer._ortools``); a plan from elsewhere (``initial_routes``, a specialist's) is
cut here until it keeps them (``cut``); the final repair inserts a locked visit only where
``gap_bounds`` allows and never sets a locked shipment aside (``optimizer._serve``); the
answer's self-check and ``check`` report what breaks one (``optimizer.check``).

Locks are read by id (``Problem.locked_van``, ``Problem.lock_rank``), so a plan of any
problem holding the same shipments can be cut or checked.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterable, Sequence

from optimizer._plan import Plan, PlanRoute, RawVisit
from optimizer._simulate import best_timing
from optimizer.model import Lock, Problem, Shipment, Van, VisitType

VisitKey = tuple[str, VisitType]


def with_shipments(problem: Problem, shipments: Iterable[Shipment]) -> Problem:
    """``problem`` with only ``shipments``, its locks cut to their visits (each lock kept
    in its place, empty or not, so that ``locks[n]`` names the same lock)."""
    kept = tuple(shipments)
    ids = {s.id for s in kept}
    locks = tuple(
        Lock(lock.van, tuple(v for v in lock.visits if v.shipment in ids)) for lock in problem.locks
    )
    return dataclasses.replace(problem, shipments=kept, locks=locks)


def is_locked(problem: Problem, shipment: Shipment) -> bool:
    return shipment.id in problem.locked_van


def out_of_order(problem: Problem, keys: Sequence[VisitKey]) -> list[int]:
    """Positions in ``keys`` (one route's visits, in route order) of the locked visits out
    of their lock's order: per lock, all but a longest run in the locked order."""
    by_lock: dict[int, list[tuple[int, int]]] = {}  # lock -> (position in keys, its rank)
    for i, key in enumerate(keys):
        rank = problem.lock_rank.get(key)
        if rank is not None:
            by_lock.setdefault(rank[0], []).append((i, rank[1]))
    out: list[int] = []
    for items in by_lock.values():
        keep = _longest_increasing([rank for _, rank in items])
        out.extend(i for n, (i, _) in enumerate(items) if n not in keep)
    return sorted(out)


def _longest_increasing(values: Sequence[int]) -> set[int]:
    """Indices of a longest strictly increasing subsequence of ``values`` (patience)."""
    tails: list[int] = []  # tails[m]: the smallest last value of a run of length m + 1
    tail_at: list[int] = []  # its index in ``values``
    before: list[int] = [-1] * len(values)
    for i, value in enumerate(values):
        m = bisect.bisect_left(tails, value)
        if m == len(tails):
            tails.append(value)
            tail_at.append(i)
        else:
            tails[m] = value
            tail_at[m] = i
        before[i] = tail_at[m - 1] if m else -1
    out: set[int] = set()
    i = tail_at[-1] if tail_at else -1
    while i >= 0:
        out.add(i)
        i = before[i]
    return out


def cut(problem: Problem, plan: Plan, notes: list[str]) -> Plan:
    """``plan`` with every lock of ``problem`` kept: a shipment locked on another van, or
    with a locked visit out of its lock's order, is taken out (the search and the final
    repair put it back where the locks allow), and said so in ``notes``."""
    if not problem.locked_van:
        return plan
    out: list[PlanRoute] = []
    for route in plan:
        van = problem.vans[route.van].id
        removed: set[int] = set()
        for k, _ in route.visits:
            sid = problem.shipments[k].id
            locked = problem.locked_van.get(sid)
            if locked is not None and locked != van and k not in removed:
                removed.add(k)
                notes.append(f"{sid} is locked on van {locked}: taken off van {van} of the start")
        rest = [visit for visit in route.visits if visit[0] not in removed]
        keys = [(problem.shipments[k].id, vtype) for k, vtype in rest]
        for i in out_of_order(problem, keys):
            k = rest[i][0]
            if k not in removed:
                removed.add(k)
                notes.append(
                    f"{problem.shipments[k].id} is out of the locked order on van {van}: "
                    "taken out of the start"
                )
        if removed:
            visits = tuple(visit for visit in route.visits if visit[0] not in removed)
            route = PlanRoute(route.van, visits)
        if route.visits:
            out.append(route)
    return tuple(out)


def gap_bounds(
    problem: Problem, van: Van, visits: Sequence[RawVisit], k: int
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Where shipment ``k``'s pickup and delivery may go into ``visits`` (a route of
    ``van``) and keep every lock: ``((lo, hi), (lo, hi))`` of gaps, gap ``g`` being before
    ``visits[g]`` (``len(visits)``: at the end); ``None`` when ``k`` is locked on another
    van. A locked visit goes after every visit locked before it in its lock, and before
    every one locked after it; a visit not locked may go anywhere."""
    n = len(visits)
    if not problem.locked_van:
        return (0, n), (0, n)
    sid = problem.shipments[k].id
    locked = problem.locked_van.get(sid)
    if locked is None:
        return (0, n), (0, n)
    if locked != van.id:
        return None
    ranks = [problem.lock_rank.get((problem.shipments[m].id, vtype)) for m, vtype in visits]
    bounds = []
    for vtype in (VisitType.PICKUP, VisitType.DELIVERY):
        own = problem.lock_rank.get((sid, vtype))
        lo, hi = 0, n
        if own is not None:
            for g, rank in enumerate(ranks):
                if rank is None or rank[0] != own[0]:
                    continue
                if rank[1] < own[1]:
                    lo = g + 1
                elif hi == n:
                    hi = g
        bounds.append((lo, hi))
    return bounds[0], bounds[1]


def skeleton(problem: Problem) -> Plan:
    """A start plan made of the locks themselves: on each van, the visits of its locks'
    shipments that have both visits in one lock, lock after lock, in their order (what a
    dispatcher who locked a whole plan gave). A van whose locks do not keep every rule one
    after the other keeps its first lock only, or nothing."""
    index = {s.id: k for k, s in enumerate(problem.shipments)}
    van_index = {van.id: v for v, van in enumerate(problem.vans)}
    by_van: dict[int, list[tuple[RawVisit, ...]]] = {}
    for lock in problem.locks:
        keys = [(visit.shipment, visit.type) for visit in lock.visits]
        both = {sid for sid, _ in keys if (sid, VisitType.PICKUP) in keys} & {
            sid for sid, _ in keys if (sid, VisitType.DELIVERY) in keys
        }
        visits = tuple((index[sid], vtype) for sid, vtype in keys if sid in both)
        if visits:
            by_van.setdefault(van_index[lock.van], []).append(visits)
    out = []
    for v, chains in sorted(by_van.items()):
        van = problem.vans[v]
        for visits in (tuple(x for chain in chains for x in chain), chains[0]):
            timed = [(problem.shipments[k], vtype) for k, vtype in visits]
            if not best_timing(problem, van, timed).issues:
                out.append(PlanRoute(v, visits))
                break
            if len(chains) == 1:
                break
    return tuple(out)


def locked_whole(problem: Problem) -> bool:
    """Whether the locks leave nothing to choose: every visit of every shipment is locked
    and no van has two locks (whose visits the search could interleave). Its only plan is
    then the ``skeleton``, if that keeps every rule."""
    if not problem.shipments or len(problem.lock_rank) < 2 * len(problem.shipments):
        return False
    vans = [lock.van for lock in problem.locks if lock.visits]
    return len(vans) == len(set(vans))


def with_skeleton(problem: Problem, plan: Plan) -> Plan:
    """``plan`` (cut to keep the locks) with a van's route replaced by its ``skeleton``
    route where that has more visits: a specialist that cannot keep a lock's order loses
    the lock's shipments in ``cut``, and a dispatcher who locked a whole route gave a better
    start for that van."""
    locks = {route.van: route for route in skeleton(problem)}
    if not locks:
        return plan
    routes = {route.van: route for route in plan}
    for v, route in locks.items():
        if v not in routes or len(routes[v].visits) < len(route.visits):
            routes[v] = route
    return tuple(routes[v] for v in sorted(routes))


def lock_name(problem: Problem, sid: str) -> str:
    """The locks holding ``sid``'s visits, for messages: ``locks[0] (van_1)``."""
    held = sorted({n for (s, _), (n, _) in problem.lock_rank.items() if s == sid})
    names = ", ".join(f"locks[{n}]" for n in held)
    return f"{names} ({problem.locked_van[sid]})"
