"""Day plans (排班): asking for one, its progress as a job, and when done its routes and the
shipments it left out with their reasons (中文 / English).

Times of stops are seconds since local midnight of the plan's ``date``; distances metres;
loads crates and kg as the van leaves the stop. No patron data: a stop names transfers by
id and counts them by kind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import LocalDateTime, Page
from catalog.models import (
    Plan,
    PlanPhase,
    PlanRoute,
    PlanShipment,
    PlanStatus,
    PlanStepType,
    PlanStop,
    Site,
    TransferKind,
)
from catalog.plans import MAX_TIME_LIMIT, SEED_MAX
from dispatch.reasons import reason_text

__all__ = [
    "LoadRead",
    "PlanCreate",
    "PlanCreated",
    "PlanPage",
    "PlanRead",
    "PlanSummaryRead",
    "RouteRead",
    "StopRead",
    "UnplannedRead",
]


class PlanCreate(BaseModel):
    """Plan the vans of ``date``; ``time_limit`` seconds of search (default: the service's)."""

    model_config = ConfigDict(extra="forbid")

    date: date
    time_limit: float | None = Field(default=None, gt=0, le=MAX_TIME_LIMIT)
    seed: int | None = Field(default=None, ge=0, le=SEED_MAX)


class PlanCreated(BaseModel):
    """The job's id, to follow at ``GET /plans/{id}`` (or its ``/events``)."""

    id: int
    status: PlanStatus


class PlanSummaryRead(BaseModel):
    """A plan as a job: its state, progress and, once done, its totals.

    ``progress`` is 0..1 (the phases', and the solve's elapsed share of its time limit);
    ``best_cost`` (yuan) is known once the solve ends. ``superseded_by`` names the newer
    plan of the same date now in force; ``version`` changes with every edit.
    """

    id: int
    date: date
    status: PlanStatus
    phase: PlanPhase | None
    progress: float
    best_cost: float | None
    time_limit: float
    seed: int
    requested_by: str
    requested_at: LocalDateTime
    started_at: LocalDateTime | None
    finished_at: LocalDateTime | None
    heartbeat_at: LocalDateTime | None
    attempts: int
    error: str | None
    cancel_requested: bool
    superseded_by: int | None
    parent_id: int | None
    vans_used: int | None
    distance: int | None
    duration: int | None
    planned_transfers: int | None
    deferred_transfers: int | None
    note: str
    revision: int
    version: int

    @classmethod
    def of(cls, plan: Plan) -> PlanSummaryRead:
        return cls(
            id=plan.id,
            date=plan.day,
            status=plan.status,
            phase=plan.phase,
            progress=plan.progress,
            best_cost=plan.best_cost,
            time_limit=plan.time_limit,
            seed=plan.seed,
            requested_by=plan.requested_by,
            requested_at=plan.requested_at,
            started_at=plan.started_at,
            finished_at=plan.finished_at,
            heartbeat_at=plan.heartbeat_at,
            attempts=plan.attempts,
            error=plan.error,
            cancel_requested=plan.cancel_requested_at is not None,
            superseded_by=plan.superseded_by_id,
            parent_id=plan.parent_id,
            vans_used=plan.vans_used,
            distance=plan.distance,
            duration=plan.duration,
            planned_transfers=plan.planned_transfers,
            deferred_transfers=plan.deferred_transfers,
            note=plan.note,
            revision=plan.revision,
            version=plan.version,
        )


class LoadRead(BaseModel):
    """What the van carries: crates and kg."""

    crates: int
    kg: int


class StopRead(BaseModel):
    """One stop of a route: seconds since midnight; ``distance`` is metres driven since the
    route's start, on arrival (as VROOM's steps)."""

    id: int
    position: int
    type: PlanStepType
    site_code: str | None
    site_name_zh: str | None
    site_name_en: str | None
    arrival: int
    waiting: int
    service_start: int
    departure: int
    load: LoadRead
    distance: int
    break_id: str | None
    shipment_ids: list[str]
    transfer_ids: list[int]
    transfers: dict[TransferKind, int]
    """How many transfers of each kind are picked up or delivered here."""
    locked: bool
    violations: list[object]

    @classmethod
    def of(
        cls, stop: PlanStop, sites: Mapping[str, Site], shipments: Mapping[str, PlanShipment]
    ) -> StopRead:
        site = sites.get(stop.site_code) if stop.site_code else None
        kinds: Counter[TransferKind] = Counter()
        for shipment_id in stop.shipment_ids:
            shipment = shipments.get(shipment_id)
            if shipment is not None:
                kinds[shipment.kind] += len(shipment.transfer_ids)
        return cls(
            id=stop.id,
            position=stop.position,
            type=stop.type,
            site_code=stop.site_code,
            site_name_zh=site.name_zh if site else None,
            site_name_en=site.name_en if site else None,
            arrival=stop.arrival,
            waiting=stop.waiting,
            service_start=stop.service_start,
            departure=stop.departure,
            load=LoadRead(crates=stop.load_crates, kg=stop.load_kg),
            distance=stop.distance,
            break_id=stop.break_id,
            shipment_ids=list(stop.shipment_ids),
            transfer_ids=list(stop.transfer_ids),
            transfers=dict(sorted(kinds.items())),
            locked=stop.locked,
            violations=list(stop.violations),
        )


class RouteRead(BaseModel):
    """One van's route in a plan. ``driver`` drove the van when the plan was made."""

    plan_id: int
    date: date
    van: str
    driver: str | None
    distance: int
    duration: int
    cost: float
    stops: list[StopRead]

    @classmethod
    def of(
        cls,
        plan: Plan,
        route: PlanRoute,
        sites: Mapping[str, Site],
    ) -> RouteRead:
        shipments = {s.shipment_id: s for s in plan.shipments}
        return cls(
            plan_id=plan.id,
            date=plan.day,
            van=route.van_code,
            driver=route.driver_username,
            distance=route.distance,
            duration=route.duration,
            cost=route.cost,
            stops=[StopRead.of(s, sites, shipments) for s in route.stops],
        )


class UnplannedRead(BaseModel):
    """A shipment the plan left out (延后): its reason code, the code in words (``reason_zh``,
    ``reason_en``), the optimiser's or the calendar's ``detail``, and its transfers."""

    shipment_id: str
    kind: TransferKind
    pickup_site_code: str | None
    delivery_site_code: str | None
    reason: str
    reason_zh: str
    reason_en: str
    detail: str
    transfers: int
    transfer_ids: list[int]


class PlanRead(PlanSummaryRead):
    """A plan: the job, and when done its routes and what it left out."""

    routes: list[RouteRead]
    unplanned: list[UnplannedRead]

    @classmethod
    def of_plan(cls, plan: Plan, sites: Mapping[str, Site]) -> PlanRead:
        shipments = {s.shipment_id: s for s in plan.shipments}
        unplanned = []
        for left in plan.unplanned:
            words = reason_text(left.reason)
            shipment = shipments.get(left.shipment_id)
            unplanned.append(
                UnplannedRead(
                    shipment_id=left.shipment_id,
                    kind=left.kind,
                    pickup_site_code=shipment.pickup_site_code if shipment else None,
                    delivery_site_code=shipment.delivery_site_code if shipment else None,
                    reason=left.reason,
                    reason_zh=words.zh,
                    reason_en=words.en,
                    detail=left.detail,
                    transfers=len(left.transfer_ids),
                    transfer_ids=list(left.transfer_ids),
                )
            )
        return cls(
            **PlanSummaryRead.of(plan).model_dump(),
            routes=[RouteRead.of(plan, r, sites) for r in plan.routes],
            unplanned=unplanned,
        )


class PlanPage(Page[PlanSummaryRead]):
    """A page of plans, newest first."""
