"""The one adapter between the catalogue's transfers and the optimiser's shipments.

A day of dispatch reads the open transfers (调拨) from the catalogue as van load per
origin, destination and kind (:func:`catalog.transfers.transfer_demand`), turns each group
into one optimiser :class:`~optimizer.Shipment`, or a group bigger than a van into van-sized
parts (:func:`demand_to_shipments`, :mod:`dispatch.parts`), solves the
day, and writes the plan back: every transfer is either planned on a van's stop or
deferred (延后) with the optimiser's reason (:func:`record_result`).
:func:`dispatch.day.plan_day` does the whole day for one session.

Conventions: times inside the problem are integer seconds since midnight of the planning
day; amounts are ``(crates, kg)`` like the vans' capacity.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Site as CatalogSite
from catalog.models import TransferKind
from catalog.policy import BOOKS_PER_CRATE
from catalog.transfers import DeferredTransfer, PlannedTransfer, TransferDemand, record_plan
from dispatch.errors import DispatchError
from dispatch.kinds import SHIPMENT_KIND, TRANSFER_POLICY, TransferPolicy
from dispatch.parts import Part, SplitError, split_group
from optimizer import Result, Shipment, StepType

__all__ = [
    "ShipmentTransfers",
    "demand_to_shipments",
    "record_result",
    "site_codes",
]

DAY_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class ShipmentTransfers:
    """What one shipment carries: its demand group, or part ``part`` of ``parts`` of it.

    A group bigger than the largest van is shipped in parts (:mod:`dispatch.parts`); each
    part is a shipment of its own, ``<group>#<part>/<parts>``.
    """

    shipment_id: str
    kind: TransferKind
    items: int
    crates: int
    transfer_ids: tuple[int, ...]
    part: int = 1
    parts: int = 1

    @property
    def group_id(self) -> str:
        """The shipment id of the whole group, ``t-<kind>-<origin>-<destination>``."""
        return self.shipment_id.split("#", 1)[0]


def site_codes(session: Session) -> dict[int, str]:
    """Every catalogue site as ``{site id: code}``; the codes are the optimiser's site ids."""
    return {
        site_id: code for site_id, code in session.execute(select(CatalogSite.id, CatalogSite.code))
    }


def _deadline_seconds(deadline: datetime, *, day: date, policy: TransferPolicy) -> int | None:
    """A transfer's deadline as seconds of ``day``: None after the day, and None when it has
    already passed.

    A late hold is still a patron waiting: it must go as soon as possible, not wait for a
    deadline that can no longer be met (a deadline of 0 made the optimiser report
    ``deadline`` every day, so the copy never moved). Without a deadline it is still a
    shipment that cannot wait (the policy's ``deferrable``) of the top priority, so it goes on
    the first van that can take it; that it is late shows on the transfer (delivered after its
    ``deadline``).
    """
    if not policy.binds_van_day:
        return None
    seconds = (deadline - datetime.combine(day, time())).total_seconds()
    if seconds >= DAY_SECONDS or seconds <= 0:
        return None
    return math.floor(seconds)


def demand_to_shipments(
    demands: Sequence[TransferDemand],
    *,
    site_code_of: Mapping[int, str],
    day: date,
    policy: Mapping[TransferKind, TransferPolicy] = TRANSFER_POLICY,
    van_capacity: Sequence[int] | None = None,
    books_per_crate: int = BOOKS_PER_CRATE,
) -> tuple[tuple[Shipment, ...], dict[str, ShipmentTransfers]]:
    """One optimiser shipment per demand group (origin, destination, kind), or per part of
    a group bigger than a van.

    Parameters
    ----------
    demands
        Van load from :func:`catalog.transfers.transfer_demand`.
    site_code_of
        ``{catalogue site id: site code}``; the codes are the problem's site ids
        (see :func:`site_codes`).
    day
        The planning day; deadlines become seconds since its midnight.
    policy
        Priority, deferrability, penalty and deadline rule per kind (default: the one
        table, :data:`catalog.policy.TRANSFER_POLICY`).
    van_capacity
        The largest van's capacity ``(crates, kg)``: a group bigger than it is split into
        parts that each fit (:func:`dispatch.parts.split_group`). None: no group is split.
    books_per_crate
        Books in a full crate, as the demand's crates were counted
        (``CirculationSettings.crate_capacity``).

    Returns
    -------
    shipments
        In the order of ``demands``. Ids read ``t-<kind>-<origin code>-<destination code>``,
        with ``#<part>/<parts>`` for the parts of a split group, e.g.
        ``t-new_stock-central-east#2/3``; amount is ``(crates, ceil(kg))``; the penalty is
        the kind's per crate; a hold's deadline that falls on ``day`` is kept (every part
        keeps the group's earliest), one after ``day`` is dropped, and so is one already
        passed (a late hold goes as soon as possible; see :func:`_deadline_seconds`).
    mapping
        ``{shipment id: ShipmentTransfers}`` to write the plan back.

    Raises
    ------
    DispatchError
        A site id with no code, an unknown kind, an empty or inconsistent group, a transfer
        in two groups, two groups with the same shipment id, or a group to split whose
        crates do not match ``books_per_crate``.
    """
    if isinstance(day, datetime) or not isinstance(day, date):
        raise DispatchError("day", day, "must be a date (the planning day), not a datetime")
    if books_per_crate < 1:
        raise DispatchError("books_per_crate", books_per_crate, "must be >= 1")
    shipments: list[Shipment] = []
    mapping: dict[str, ShipmentTransfers] = {}
    seen_transfers: dict[int, str] = {}
    groups: set[str] = set()
    for n, demand in enumerate(demands):
        where = f"demands[{n}]"
        kind, rule = _kind_rule(demand, where, policy)
        origin, destination = _site_codes(demand, where, site_code_of)
        _check_load(demand, where)
        shipment_id = f"t-{kind.value}-{origin}-{destination}"
        if shipment_id in groups:
            raise DispatchError(
                f"{where}.origin_site_id",
                demand.origin_site_id,
                f"a second group for {shipment_id} (two site ids share a code?)",
            )
        for transfer_id in demand.transfer_ids:
            if transfer_id in seen_transfers:
                raise DispatchError(
                    f"{where}.transfer_ids",
                    transfer_id,
                    f"transfer already in shipment {seen_transfers[transfer_id]}",
                )
            seen_transfers[transfer_id] = shipment_id
        groups.add(shipment_id)
        parts = _parts(demand, where, van_capacity, books_per_crate)
        deadline = _deadline_seconds(demand.earliest_deadline, day=day, policy=rule)
        for number, part in enumerate(parts, start=1):
            part_id = shipment_id if len(parts) == 1 else f"{shipment_id}#{number}/{len(parts)}"
            shipments.append(
                Shipment(
                    id=part_id,
                    pickup=origin,
                    delivery=destination,
                    amount=(part.crates, math.ceil(part.kg)),
                    kind=SHIPMENT_KIND[kind],
                    priority=rule.priority,
                    deadline=deadline,
                    deferrable=rule.deferrable,
                    penalty=rule.penalty_per_crate * part.crates,
                )
            )
            mapping[part_id] = ShipmentTransfers(
                part_id,
                kind,
                len(part.transfer_ids),
                part.crates,
                part.transfer_ids,
                part=number,
                parts=len(parts),
            )
    return tuple(shipments), mapping


def _kind_rule(
    demand: TransferDemand, where: str, policy: Mapping[TransferKind, TransferPolicy]
) -> tuple[TransferKind, TransferPolicy]:
    try:
        kind = TransferKind(demand.kind)
        return kind, policy[kind]
    except (ValueError, KeyError):
        raise DispatchError(
            f"{where}.kind", demand.kind, f"must be one of {[k.value for k in policy]}"
        ) from None


def _site_codes(
    demand: TransferDemand, where: str, site_code_of: Mapping[int, str]
) -> tuple[str, str]:
    codes = []
    for name in ("origin_site_id", "destination_site_id"):
        site_id = getattr(demand, name)
        if site_id not in site_code_of:
            raise DispatchError(f"{where}.{name}", site_id, "no site with this id")
        codes.append(site_code_of[site_id])
    return codes[0], codes[1]


def _check_load(demand: TransferDemand, where: str) -> None:
    if not demand.transfer_ids:
        raise DispatchError(f"{where}.transfer_ids", demand.transfer_ids, "empty group")
    if demand.items != len(demand.transfer_ids):
        raise DispatchError(
            f"{where}.items",
            demand.items,
            f"group holds {len(demand.transfer_ids)} transfers (one item each)",
        )
    if demand.crates < 1:
        raise DispatchError(f"{where}.crates", demand.crates, "must be >= 1")
    if demand.kg < 0:
        raise DispatchError(f"{where}.kg", demand.kg, "must be >= 0")


def _parts(
    demand: TransferDemand,
    where: str,
    van_capacity: Sequence[int] | None,
    books_per_crate: int,
) -> tuple[Part, ...]:
    whole = Part(tuple(demand.transfer_ids), demand.crates, demand.kg)
    if van_capacity is None:
        return (whole,)
    try:
        return split_group(
            demand.transfer_ids,
            crates=demand.crates,
            kg=demand.kg,
            capacity=van_capacity,
            books_per_crate=books_per_crate,
        )
    except SplitError as exc:
        raise DispatchError(f"{where}.{exc.field}", exc.value, exc.reason) from None


def record_result(
    session: Session,
    result: Result,
    mapping: Mapping[str, ShipmentTransfers],
    *,
    day: date,
    staff: str,
    now: datetime | None = None,
) -> tuple[list[PlannedTransfer], list[DeferredTransfer]]:
    """Write the optimiser's plan back to the catalogue.

    Every transfer of a planned shipment gets the van and the stop (index of the pickup
    step in the route's steps, the start being 0); every transfer of an unassigned shipment
    is deferred with the reason code and its bilingual detail, e.g.
    ``"deadline: 无法在期限前送达 / cannot ..."``. Each transfer records the shipment it was
    planned or deferred in (``Transfer.shipment_id``), so the parts of a split group each
    go their own way: one on a van, another deferred with its own reason.

    Returns
    -------
    planned, deferred
        What was recorded.

    Raises
    ------
    DispatchError
        The result names a shipment not in ``mapping``, plans one twice, or leaves one
        neither planned nor unassigned. Nothing is written then.
    """
    placed: dict[str, str] = {}
    planned: list[PlannedTransfer] = []
    deferred: list[DeferredTransfer] = []

    def claim(shipment_id: str, where: str) -> ShipmentTransfers:
        if shipment_id not in mapping:
            raise DispatchError("shipment", shipment_id, f"{where} names an unknown shipment")
        if shipment_id in placed:
            raise DispatchError(
                "shipment", shipment_id, f"{where}, but already {placed[shipment_id]}"
            )
        placed[shipment_id] = where
        return mapping[shipment_id]

    for route in result.routes:
        for stop, step in enumerate(route.steps):
            if step.type != StepType.PICKUP:
                continue
            for shipment_id in step.shipments:
                group = claim(shipment_id, f"picked up by {route.van} at stop {stop}")
                planned.extend(
                    PlannedTransfer(t, route.van, stop, day, shipment_id)
                    for t in group.transfer_ids
                )
    for left in result.unassigned:
        group = claim(left.shipment, f"unassigned ({left.reason.value})")
        reason = f"{left.reason.value}: {left.detail}" if left.detail else left.reason.value
        deferred.extend(DeferredTransfer(t, reason, left.shipment) for t in group.transfer_ids)
    missing = sorted(set(mapping) - set(placed))
    if missing:
        raise DispatchError(
            "shipment", missing[0], f"neither planned nor unassigned ({len(missing)} lost)"
        )
    record_plan(session, planned=planned, deferred=deferred, staff=staff, now=now)
    return planned, deferred
