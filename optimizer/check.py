"""Annotate a plan with the rules it breaks, instead of rejecting it.

A dispatcher's hand-made plan (or any list of ``PlannedRoute``) is timed with
the same rules as ``solve`` (see ``optimizer._simulate``) and every broken rule
becomes a ``Violation`` from a closed vocabulary. Unknown ids are violations too,
never exceptions: a plan is always annotated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from optimizer._locks import out_of_order
from optimizer._simulate import RouteVisit, best_timing
from optimizer.model import PlannedRoute, Problem, VisitType


class ViolationKind(StrEnum):
    """Closed vocabulary of what a plan can get wrong."""

    UNKNOWN_VAN = "unknown_van"  # the route names a van the problem does not have
    UNKNOWN_SHIPMENT = "unknown_shipment"  # a visit names a shipment the problem does not have
    DUPLICATE = "duplicate"  # a van with two routes, or a pickup/delivery visited twice
    PRECEDENCE = "precedence"  # delivery before pickup, on another van, or missing
    UNPLANNED = "unplanned"  # a shipment of the problem in no route
    SKILLS = "skills"  # the van lacks a skill the shipment needs
    CAPACITY = "capacity"  # load above the van's capacity in some dimension
    UNREACHABLE = "unreachable"  # no path between two consecutive stops
    TIME_WINDOW = "time_window"  # service cannot start inside the site's opening hours
    DEADLINE = "deadline"  # a delivery starts after the shipment's deadline
    SHIFT = "shift"  # the van is back after its shift ends
    MAX_DURATION = "max_duration"  # the route is longer than the van's maximum
    MISSING_BREAK = "missing_break"  # a driver break cannot be taken inside its windows
    LOCK = "lock"  # a locked visit on another van, out of its lock's order, or missing


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule. ``step`` indexes ``PlannedRoute.visits`` (None: the whole route)."""

    kind: ViolationKind
    van: str | None
    shipment: str | None
    step: int | None
    message_zh: str
    message_en: str


def check(problem: Problem, routes: Sequence[PlannedRoute]) -> list[Violation]:
    """List every rule ``routes`` break for ``problem``.

    Each route is timed like ``solve`` times its own (earliest service start,
    the best departure time); driver breaks, which a ``PlannedRoute`` does not
    place, go where they do the least harm.

    Parameters
    ----------
    problem
        The day's problem.
    routes
        The plan: one ``PlannedRoute`` per van (vans without a route stay home).

    Returns
    -------
    list[Violation]
        Unknown ids and duplicates first, then each route's pairs, skills
        and timing, then what breaks the problem's locks (``lock_violations``),
        then the ``unplanned`` shipments in problem order. An empty list means
        the plan is feasible.
    """
    return annotate(problem, routes)


def annotate(
    problem: Problem,
    routes: Sequence[PlannedRoute],
    *,
    break_gaps: Mapping[str, Mapping[str, int]] | None = None,
) -> list[Violation]:
    """``check`` with the breaks at known positions.

    ``break_gaps[van][break id]`` is the visit index after which the break is
    taken (-1: after the start), as ``solve`` knows them; elsewhere each break
    goes where it does the least harm.
    """
    shipments = {s.id: s for s in problem.shipments}
    vans = {v.id: v for v in problem.vans}
    out: list[Violation] = []
    placed: dict[tuple[str, VisitType], str] = {}
    routed_vans: set[str] = set()
    # First pass: ids and duplicates, so that pairs split across vans are seen whole.
    kept_of: list[list[int]] = []
    for route in routes:
        van = vans.get(route.van)
        if van is None:
            out.append(
                Violation(
                    ViolationKind.UNKNOWN_VAN,
                    route.van,
                    None,
                    None,
                    f"未知车辆 {route.van!r}",
                    f"unknown van {route.van!r}",
                )
            )
        elif route.van in routed_vans:
            out.append(
                Violation(
                    ViolationKind.DUPLICATE,
                    route.van,
                    None,
                    None,
                    f"车辆 {route.van} 有多条线路",
                    f"van {route.van} has more than one route",
                )
            )
        routed_vans.add(route.van)
        kept: list[int] = []
        for i, visit in enumerate(route.visits):
            shipment = shipments.get(visit.shipment)
            if shipment is None:
                out.append(
                    Violation(
                        ViolationKind.UNKNOWN_SHIPMENT,
                        route.van,
                        visit.shipment,
                        i,
                        f"未知调拨 {visit.shipment!r}",
                        f"unknown shipment {visit.shipment!r}",
                    )
                )
                continue
            key = (shipment.id, visit.type)
            if key in placed:
                out.append(
                    Violation(
                        ViolationKind.DUPLICATE,
                        route.van,
                        shipment.id,
                        i,
                        f"{shipment.id} 的{_zh_type(visit.type)}重复安排",
                        f"{visit.type.value} of {shipment.id} planned twice",
                    )
                )
                continue
            placed[key] = route.van
            kept.append(i)
        kept_of.append(kept)
    # Second pass: pairs, skills and timing of every route with a known van.
    for route, kept in zip(routes, kept_of, strict=True):
        van = vans.get(route.van)
        if van is None:
            continue
        out.extend(_check_pairs(route, kept, placed))
        for i in kept:
            shipment = shipments[route.visits[i].shipment]
            if route.visits[i].type == VisitType.PICKUP and not shipment.skills <= van.skills:
                missing = ", ".join(sorted(shipment.skills - van.skills))
                out.append(
                    Violation(
                        ViolationKind.SKILLS,
                        van.id,
                        shipment.id,
                        i,
                        f"车辆 {van.id} 缺少 {shipment.id} 需要的技能：{missing}",
                        f"van {van.id} lacks skills {shipment.id} needs: {missing}",
                    )
                )
        visits: list[RouteVisit] = [
            (shipments[route.visits[i].shipment], route.visits[i].type) for i in kept
        ]
        if not visits:
            continue
        gaps = None if break_gaps is None else break_gaps.get(van.id)
        if gaps is not None:
            # Positions count the visits of the route as given; the timing sees the kept ones.
            gaps = {b: sum(1 for i in kept if i <= g) - 1 for b, g in gaps.items()}
        timing = best_timing(problem, van, visits, break_gaps=gaps)
        for issue in timing.issues:
            out.append(
                Violation(
                    ViolationKind(issue.kind),
                    van.id,
                    issue.shipment,
                    None if issue.visit is None else kept[issue.visit],
                    issue.zh,
                    issue.en,
                )
            )
    out.extend(lock_violations(problem, routes))
    for shipment in problem.shipments:
        if (shipment.id, VisitType.PICKUP) not in placed and (
            shipment.id,
            VisitType.DELIVERY,
        ) not in placed:
            out.append(
                Violation(
                    ViolationKind.UNPLANNED,
                    None,
                    shipment.id,
                    None,
                    f"{shipment.id} 未安排在任何线路中",
                    f"{shipment.id} is in no route",
                )
            )
    return out


def lock_violations(
    problem: Problem, routes: Sequence[PlannedRoute], *, missing: bool = True
) -> list[Violation]:
    """What ``routes`` break of ``problem.locks``, as ``lock`` violations.

    A locked visit planned on another van (or the other visit of a locked shipment,
    which its lock pins to the same van), a locked visit out of its lock's order (all
    but a longest run in that order, on the lock's van), and, with ``missing``, a locked
    visit in no route. Visits of unknown vans or shipments, and repeated ones, are left
    to ``check``'s other violations.
    """
    if not problem.locked_van:
        return []
    vans = {van.id for van in problem.vans}
    shipments = {s.id for s in problem.shipments}
    out: list[Violation] = []
    placed: set[tuple[str, VisitType]] = set()
    routed: set[str] = set()
    for route in routes:
        if route.van not in vans or route.van in routed:
            continue
        routed.add(route.van)
        keys: list[tuple[str, VisitType]] = []
        steps: list[int] = []
        for i, visit in enumerate(route.visits):
            key = (visit.shipment, visit.type)
            if visit.shipment not in shipments or key in placed:
                continue
            placed.add(key)
            locked = problem.locked_van.get(visit.shipment)
            if locked is not None and locked != route.van:
                zh_type, en_type = _zh_type(visit.type), visit.type.value
                how_zh, how_en = (
                    ("锁定在", "is locked on")
                    if key in problem.lock_rank
                    else ("随其锁定的另一端固定在", "is pinned by its locked other end to")
                )
                out.append(
                    Violation(
                        ViolationKind.LOCK,
                        route.van,
                        visit.shipment,
                        i,
                        f"{visit.shipment} 的{zh_type}{how_zh}车辆 {locked} 上，却安排在车辆 "
                        f"{route.van} 上",
                        f"{en_type} of {visit.shipment} {how_en} van {locked}, but is planned "
                        f"on van {route.van}",
                    )
                )
                continue
            keys.append(key)
            steps.append(i)
        for n in out_of_order(problem, keys):
            sid, vtype = keys[n]
            lock, position = problem.lock_rank[keys[n]]
            size = len(problem.locks[lock].visits)
            out.append(
                Violation(
                    ViolationKind.LOCK,
                    route.van,
                    sid,
                    steps[n],
                    f"{sid} 的{_zh_type(vtype)}不符合车辆 {route.van} 的锁定顺序"
                    f"（locks[{lock}] 中第 {position + 1}/{size} 个）",
                    f"{vtype.value} of {sid} is out of the locked order on van {route.van} "
                    f"(visit {position + 1} of {size} of locks[{lock}])",
                )
            )
    if missing:
        for (sid, vtype), (lock, _) in problem.lock_rank.items():
            if (sid, vtype) not in placed:
                van = problem.locks[lock].van
                out.append(
                    Violation(
                        ViolationKind.LOCK,
                        van,
                        sid,
                        None,
                        f"{sid} 的{_zh_type(vtype)}锁定在车辆 {van} 上，但不在任何线路中",
                        f"{vtype.value} of {sid} is locked on van {van}, but is in no route",
                    )
                )
    return out


def _zh_type(type: VisitType) -> str:
    return "取件" if type == VisitType.PICKUP else "送达"


def _check_pairs(
    route: PlannedRoute,
    kept: list[int],
    placed: dict[tuple[str, VisitType], str],
) -> list[Violation]:
    """Pickup before delivery, both on this route."""
    out: list[Violation] = []
    here = {(route.visits[i].shipment, route.visits[i].type): i for i in kept}
    for (sid, vtype), i in sorted(here.items(), key=lambda item: item[1]):
        other = VisitType.DELIVERY if vtype == VisitType.PICKUP else VisitType.PICKUP
        j = here.get((sid, other))
        if j is not None:
            if vtype == VisitType.DELIVERY and j > i:
                out.append(
                    Violation(
                        ViolationKind.PRECEDENCE,
                        route.van,
                        sid,
                        i,
                        f"{sid} 先送达后取件",
                        f"{sid} is delivered before it is picked up",
                    )
                )
            continue
        elsewhere = placed.get((sid, other))
        if elsewhere is not None and elsewhere != route.van:
            zh = f"{sid} 的取件和送达不在同一辆车上（另一端在 {elsewhere}）"
            en = f"{sid} is picked up and delivered by different vans (other end on {elsewhere})"
        elif vtype == VisitType.PICKUP:
            zh, en = f"{sid} 取件后没有送达", f"{sid} is picked up but never delivered"
        else:
            zh, en = f"{sid} 送达前没有取件", f"{sid} is delivered but never picked up"
        # Report a split pair once: at the pickup, or at a delivery whose pickup is nowhere.
        if vtype == VisitType.PICKUP or elsewhere is None or elsewhere == route.van:
            out.append(Violation(ViolationKind.PRECEDENCE, route.van, sid, i, zh, en))
    return out
