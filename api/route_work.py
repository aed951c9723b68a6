"""The work of each stop of a driver's route (``GET /me/route/work``): the crates and loose
copies to collect or drop there, as the catalogue has them now, and the directions from the
stop before.

A stop's transfers are those the plan recorded on it; each either travels in a crate (scanned
whole: ``POST /crates/{id}/pickup|drop``) or loose (by barcode: ``POST /transfers/pickup|drop``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from api.schemas.plans import RouteRead, StopRead
from api.schemas.route_work import (
    Action,
    LegRead,
    RouteWorkRead,
    StopCopyRead,
    StopCrateRead,
    StopWorkRead,
)
from catalog.crates import crate_copies
from catalog.models import (
    Crate,
    CrateStatus,
    Item,
    Plan,
    PlanRoute,
    PlanStepType,
    Site,
    Transfer,
    TransferStatus,
)
from dispatch import Leg

__all__ = ["route_work"]

LegOf = Callable[[Site, Site], Leg | None]
"""The way from one site to another (``None``: none known)."""

ACTIONS: dict[PlanStepType, Action] = {
    PlanStepType.pickup: "collect",
    PlanStepType.delivery: "drop",
}
_FINISHED = (TransferStatus.delivered, TransferStatus.cancelled, TransferStatus.lost)
DONE_STATUSES: dict[Action, tuple[TransferStatus, ...]] = {
    "collect": (TransferStatus.picked_up, *_FINISHED),
    "drop": _FINISHED,
}
"""A copy's statuses once its scan of a collect or a drop stop is behind it."""


def _transfers(session: Session, ids: list[int]) -> dict[int, Transfer]:
    if not ids:
        return {}
    rows = session.scalars(
        select(Transfer)
        .where(Transfer.id.in_(ids))
        .options(
            selectinload(Transfer.item).selectinload(Item.record),
            selectinload(Transfer.hold),
            selectinload(Transfer.destination_site),
        )
    )
    return {t.id: t for t in rows}


def _crates(session: Session, codes: set[str]) -> dict[str, Crate]:
    if not codes:
        return {}
    return {c.code: c for c in session.scalars(select(Crate).where(Crate.code.in_(codes)))}


def _crate_done(crate: Crate, action: Action) -> bool:
    if action == "collect":
        return crate.status is not CrateStatus.open
    return crate.status is CrateStatus.delivered


def _card_last4(transfer: Transfer) -> str | None:
    return transfer.hold.patron.card_last4 if transfer.hold is not None else None


def route_work(
    session: Session, plan: Plan, route: PlanRoute, sites: Mapping[str, Site], leg_of: LegOf
) -> RouteWorkRead:
    """``route`` of ``plan`` with the work of each stop and the way there.

    Parameters
    ----------
    session
        Session on the catalogue (read only).
    plan, route
        The plan in force and the driver's route in it.
    sites
        Every site, by code.
    leg_of
        The directions between two sites (see :func:`api.directions.leg_between`).
    """
    base = RouteRead.of(plan, route, sites)
    transfers = _transfers(session, [t for stop in route.stops for t in stop.transfer_ids])
    crates = _crates(session, {t.crate_id for t in transfers.values() if t.crate_id})
    copies = crate_copies(session, list(crates.values()))
    stops: list[StopWorkRead] = []
    previous: Site | None = None
    for stop in base.stops:
        site = sites.get(stop.site_code) if stop.site_code else None
        leg = None
        if site is not None and previous is not None and previous.code != site.code:
            way = leg_of(previous, site)
            leg = LegRead.of(previous.code, way) if way is not None else None
        if site is not None:
            previous = site
        stops.append(_work(stop, leg, transfers, crates, copies))
    upcoming = (s.position for s in stops if s.action is not None and not s.done)
    return RouteWorkRead(
        **base.model_dump(exclude={"stops"}), stops=stops, next_position=next(upcoming, None)
    )


def _work(
    stop: StopRead,
    leg: LegRead | None,
    transfers: Mapping[int, Transfer],
    crates: Mapping[str, Crate],
    copies: Mapping[str, int],
) -> StopWorkRead:
    action = ACTIONS.get(stop.type)
    here: dict[str, int] = {}
    loose: list[StopCopyRead] = []
    if action is not None:
        for transfer_id in stop.transfer_ids:
            transfer = transfers.get(transfer_id)
            if transfer is None:
                continue
            if transfer.crate_id and transfer.crate_id in crates:
                here[transfer.crate_id] = here.get(transfer.crate_id, 0) + 1
                continue
            loose.append(
                StopCopyRead(
                    barcode=transfer.item.barcode,
                    title=transfer.item.record.title,
                    transfer_id=transfer.id,
                    kind=transfer.kind,
                    status=transfer.status,
                    destination_site_code=transfer.destination_site.code,
                    card_last4=_card_last4(transfer),
                    done=transfer.status in DONE_STATUSES[action],
                )
            )
    boxes = []
    for code, count in here.items():
        crate = crates[code]
        boxes.append(
            StopCrateRead(
                crate_id=code,
                status=crate.status,
                origin_site_code=crate.origin_site.code,
                destination_site_code=crate.destination_site.code,
                destination_site_name_zh=crate.destination_site.name_zh,
                destination_site_name_en=crate.destination_site.name_en,
                copies=copies.get(code, 0),
                here=count,
                done=_crate_done(crate, action) if action else True,
            )
        )
    done = all(b.done for b in boxes) and all(c.done for c in loose)
    return StopWorkRead(
        **stop.model_dump(), action=action, leg=leg, crates=boxes, loose=loose, done=done
    )
