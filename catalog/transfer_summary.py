"""The open transfers of a van day at a glance (调拨汇总), for the dispatcher's day view.

Open for a day ``D``: waiting to be planned (``requested``, whatever day they were asked on),
or planned for ``D`` (``planned``, and ``picked_up`` when the van already has them). Each site
gets its outgoing and incoming counts by kind, the crates that leave it, and its holds with the
earliest deadline; the holds of the day come by deadline. No patron data.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from catalog.errors import InvalidValueError
from catalog.models import Site, SiteKind, Transfer, TransferKind, TransferStatus

__all__ = ["HoldDue", "SiteSummary", "TransferSummary", "transfer_summary"]


@dataclass(slots=True)
class SiteSummary:
    """One site's open transfers: ``outgoing`` (picked up here) and ``incoming`` (delivered
    here) by kind; ``crates_out``: the crates leaving (packed ones, and the loose copies in
    crates of ``crate_capacity``); ``holds``: hold transfers to or from here, the earliest
    ``hold_deadline`` among them."""

    code: str
    kind: SiteKind
    name_zh: str
    name_en: str
    outgoing: Counter[TransferKind] = field(default_factory=Counter)
    incoming: Counter[TransferKind] = field(default_factory=Counter)
    crates_out: int = 0
    holds: int = 0
    hold_deadline: datetime | None = None


@dataclass(frozen=True, slots=True)
class HoldDue:
    """A hold's transfer of the day: from where to where, by when, in which state."""

    transfer_id: int
    origin: str
    destination: str
    deadline: datetime
    status: TransferStatus


@dataclass(frozen=True, slots=True)
class TransferSummary:
    """The day's open transfers: totals, by status and kind, per site, and the holds."""

    day: date
    total: int
    crates: int
    by_status: dict[TransferStatus, int]
    by_kind: dict[TransferKind, int]
    sites: tuple[SiteSummary, ...]
    holds: tuple[HoldDue, ...]


def transfer_summary(session: Session, *, day: date, crate_capacity: int) -> TransferSummary:
    """The open transfers of van day ``day`` (see the module), per site and kind.

    Parameters
    ----------
    day
        The van day.
    crate_capacity
        Copies per crate, to count the crates of loose copies (the circulation settings').

    Raises
    ------
    InvalidValueError
        ``crate_capacity`` below 1.
    """
    if isinstance(crate_capacity, bool) or not isinstance(crate_capacity, int):
        raise InvalidValueError("crate_capacity", crate_capacity, "须为整数 / must be an integer")
    if crate_capacity < 1:
        raise InvalidValueError("crate_capacity", crate_capacity, "须为正整数 / must be >= 1")
    origin, destination = aliased(Site), aliased(Site)
    rows = session.execute(
        select(
            Transfer.id,
            Transfer.kind,
            Transfer.status,
            Transfer.crate_id,
            Transfer.deadline,
            origin.code,
            destination.code,
        )
        .join(origin, Transfer.origin_site_id == origin.id)
        .join(destination, Transfer.destination_site_id == destination.id)
        .where(
            or_(
                Transfer.status == TransferStatus.requested,
                and_(
                    Transfer.status.in_((TransferStatus.planned, TransferStatus.picked_up)),
                    Transfer.planned_for == day,
                ),
            )
        )
        .order_by(Transfer.deadline, Transfer.id)
    ).all()
    sites = {
        s.code: SiteSummary(s.code, s.kind, s.name_zh, s.name_en)
        for s in session.scalars(select(Site).order_by(Site.code))
    }
    by_status: Counter[TransferStatus] = Counter()
    by_kind: Counter[TransferKind] = Counter()
    crates: dict[str, set[str]] = defaultdict(set)
    loose: Counter[tuple[str, str]] = Counter()
    holds: list[HoldDue] = []
    for transfer_id, kind, status, crate_id, deadline, source, target in rows:
        by_status[status] += 1
        by_kind[kind] += 1
        sites[source].outgoing[kind] += 1
        sites[target].incoming[kind] += 1
        if crate_id is not None:
            crates[source].add(crate_id)
        else:
            loose[(source, target)] += 1
        if kind == TransferKind.hold:
            holds.append(HoldDue(transfer_id, source, target, deadline, status))
            for code in (source, target):
                site = sites[code]
                site.holds += 1
                if site.hold_deadline is None or deadline < site.hold_deadline:
                    site.hold_deadline = deadline
    for code, packed in crates.items():
        sites[code].crates_out += len(packed)
    for (source, _), copies in loose.items():
        sites[source].crates_out += math.ceil(copies / crate_capacity)
    busy = tuple(s for s in sites.values() if s.outgoing or s.incoming)
    return TransferSummary(
        day=day,
        total=len(rows),
        crates=sum(s.crates_out for s in busy),
        by_status=dict(sorted(by_status.items())),
        by_kind=dict(sorted(by_kind.items())),
        sites=busy,
        holds=tuple(holds),
    )
