"""A day of dispatch: open transfers → shipments → solve → plan recorded, and its counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from catalog.models import TransferKind
from catalog.settings import CirculationSettings
from catalog.transfers import transfer_demand
from dispatch.kinds import TRANSFER_POLICY, TransferPolicy
from dispatch.shipments import (
    ShipmentTransfers,
    demand_to_shipments,
    record_result,
    site_codes,
)
from optimizer import Problem, Result, Site, SolveParams, Van, solve

__all__ = ["DayPlan", "KindCounts", "plan_day", "summarise"]


@dataclass(frozen=True, slots=True)
class KindCounts:
    """The day's load of one transfer kind: shipments (groups), transfers (= items), crates."""

    shipments: int = 0
    transfers: int = 0
    crates: int = 0
    planned: int = 0
    """Transfers planned."""
    deferred: int = 0
    """Transfers deferred."""


@dataclass(frozen=True, slots=True)
class DayPlan:
    """What :func:`plan_day` did.

    Attributes
    ----------
    day
        The planning day.
    problem, result
        The optimiser's problem and answer.
    mapping
        ``{shipment id: ShipmentTransfers}``.
    by_kind
        Counts per transfer kind (``hold``, ``return_home`` ...).
    deferred_reasons
        Deferred transfers per optimiser reason code.
    """

    day: date
    problem: Problem
    result: Result
    mapping: dict[str, ShipmentTransfers]
    by_kind: dict[str, KindCounts] = field(default_factory=dict)
    deferred_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def transfers(self) -> int:
        """Transfers (= items moved or waiting) in the day's demand."""
        return sum(c.transfers for c in self.by_kind.values())

    @property
    def crates(self) -> int:
        return sum(c.crates for c in self.by_kind.values())

    @property
    def planned(self) -> int:
        """Transfers planned on a van."""
        return sum(c.planned for c in self.by_kind.values())

    @property
    def deferred(self) -> int:
        """Transfers deferred (延后)."""
        return sum(c.deferred for c in self.by_kind.values())


def plan_day(
    session: Session,
    *,
    day: date,
    sites: Sequence[Site],
    durations: Sequence[Sequence[int]],
    distances: Sequence[Sequence[int]],
    vans: Sequence[Van],
    time_limit: float = 10.0,
    seed: int = 0,
    params: SolveParams | None = None,
    staff: str = "dispatcher",
    now: datetime | None = None,
    policy: Mapping[TransferKind, TransferPolicy] = TRANSFER_POLICY,
    settings: CirculationSettings | None = None,
) -> DayPlan:
    """Plan one day: read the open transfers, solve, write the plan back.

    A crate group bigger than the largest van (by crates, then kg) is shipped in van-sized
    parts (:mod:`dispatch.parts`), so that several vans, trips or days carry it.

    Parameters
    ----------
    session
        Session on the catalogue; the caller commits.
    day
        The day the vans drive.
    sites, durations, distances
        The optimiser's sites (ids = catalogue site codes, with the day's opening windows)
        and their matrices (seconds, metres), indexed like ``sites``.
    vans
        The day's fleet.
    time_limit, seed, params
        Passed to :func:`optimizer.solve`.
    staff
        Who is recorded as planning (transfer events).
    now
        When the plan is recorded (default: the current time).
    policy
        Per-kind policy (default: the one table, :data:`catalog.policy.TRANSFER_POLICY`).
    settings
        The catalogue's settings: books per crate and kg per book of the demand.

    Returns
    -------
    DayPlan
        The problem, the result and the day's counts.

    Raises
    ------
    DispatchError
        Inconsistent demand (see :func:`dispatch.shipments.demand_to_shipments`).
    optimizer.ProblemError
        A transfer between sites missing from ``sites``, or bad matrices or vans.
    """
    settings = settings or CirculationSettings()
    shipments, mapping = demand_to_shipments(
        transfer_demand(session, settings=settings),
        site_code_of=site_codes(session),
        day=day,
        policy=policy,
        # A group bigger than the largest van goes in parts that each fit it.
        van_capacity=max((tuple(van.capacity) for van in vans), default=None),
        books_per_crate=settings.crate_capacity,
    )
    problem = Problem(
        sites=tuple(sites),
        durations=durations,  # type: ignore[arg-type]
        distances=distances,  # type: ignore[arg-type]
        vans=tuple(vans),
        shipments=shipments,
    )
    result = solve(problem, time_limit=time_limit, seed=seed, params=params)
    record_result(session, result, mapping, day=day, staff=staff, now=now)
    return summarise(day, problem, result, mapping)


def summarise(
    day: date, problem: Problem, result: Result, mapping: Mapping[str, ShipmentTransfers]
) -> DayPlan:
    """Counts of a solved day by transfer kind, and deferred transfers by reason."""
    unassigned = {u.shipment: u.reason.value for u in result.unassigned}
    totals: dict[str, Counter[str]] = {}
    reasons: Counter[str] = Counter()
    for shipment_id, group in mapping.items():
        c = totals.setdefault(group.kind.value, Counter())
        c["shipments"] += 1
        c["transfers"] += group.items
        c["crates"] += group.crates
        if shipment_id in unassigned:
            c["deferred"] += group.items
            reasons[unassigned[shipment_id]] += group.items
        else:
            c["planned"] += group.items
    return DayPlan(
        day=day,
        problem=problem,
        result=result,
        mapping=dict(mapping),
        by_kind={k: KindCounts(**totals[k]) for k in sorted(totals)},
        deferred_reasons=dict(sorted(reasons.items())),
    )
