"""A dispatcher's edits of a plan (调度员调整): moves, locks, the check, a re-plan, the diff.

Stops are named by their ids in ``GET /plans/{id}``; a position counts a van's pickups and
deliveries only, from 0 (the first stop after the start). Distances in metres, durations in
seconds (with km and hours beside them for people); messages in Chinese, then English.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import MAX_ROW_ID, RowId
from catalog.models import Plan, PlanStatus
from dispatch.edits import Figures, PlanCheck, PlanDiff, PlanViolation, StopMove
from dispatch.stored_edits import Edited

__all__ = [
    "EditRead",
    "FiguresRead",
    "LeftOutRead",
    "LockCreate",
    "MoveCreate",
    "PlanCheckRead",
    "PlanDiffRead",
    "ReplanCreate",
    "ReplanRead",
    "StopMoveRead",
    "ViolationRead",
]

MAX_TIME_LIMIT = 3600.0
"""Longest re-plan search (seconds), as for ``POST /plans``."""


class MoveCreate(BaseModel):
    """Move stop ``stop_id`` to ``position`` of ``van``'s route, on the plan's ``version``."""

    model_config = ConfigDict(extra="forbid")

    stop_id: int = Field(ge=1, le=MAX_ROW_ID, description="站点编号 / the stop's id")
    van: str = Field(min_length=1, max_length=32, examples=["van-2"])
    position: int = Field(
        ge=0,
        le=MAX_ROW_ID,
        description="目标位置，从 0 起，只计取件和送达 / where it goes: 0 is the first stop "
        "after the start, counting pickups and deliveries only",
    )
    version: int = Field(
        ge=0, le=MAX_ROW_ID, description="所编辑的排班版本 / the plan version edited"
    )


class LockCreate(BaseModel):
    """Lock (``locked``: true) or unlock ``stop_ids``, on the plan's ``version``."""

    model_config = ConfigDict(extra="forbid")

    stop_ids: list[RowId] = Field(min_length=1, max_length=1000)
    locked: bool = True
    version: int = Field(ge=0, le=MAX_ROW_ID)


class ReplanCreate(BaseModel):
    """Plan the day again from this plan, around its locked stops."""

    model_config = ConfigDict(extra="forbid")

    time_limit: float | None = Field(
        default=None,
        gt=0,
        le=MAX_TIME_LIMIT,
        description="秒；默认沿用原排班 / seconds; by default the plan's own",
    )
    from_now: bool = Field(
        default=False,
        description=(
            "从车辆当前位置重新排班其余行程：已完成的站点不变，车上图书由该车送达 / plan the "
            "rest of the day from where the vans are: the stops worked stay, the copies on a "
            "van are dropped by that van"
        ),
    )


class ReplanRead(BaseModel):
    """The re-plan's job: poll ``GET /plans/{id}``."""

    id: int
    status: PlanStatus
    parent_id: int

    @classmethod
    def of(cls, plan: Plan) -> ReplanRead:
        assert plan.parent_id is not None
        return cls(id=plan.id, status=plan.status, parent_id=plan.parent_id)


class ViolationRead(BaseModel):
    """A broken rule: at a stop (``stop_id``), of a van's whole route (``stop_id`` null), or
    a shipment left out (``van`` null). ``kind``: ``time_window`` (late, or the site closed),
    ``deadline``, ``capacity``, ``shift``, ``max_duration``, ``missing_break``,
    ``precedence`` (a pair on two vans, or a delivery before its pickup), ``skills``,
    ``unplanned``..."""

    kind: str
    van: str | None
    stop_id: int | None
    shipment: str | None
    message_zh: str
    message_en: str

    @classmethod
    def of(cls, v: PlanViolation) -> ViolationRead:
        return cls(
            kind=v.kind.value,
            van=v.van,
            stop_id=int(v.stop) if v.stop is not None else None,
            shipment=v.shipment,
            message_zh=v.message_zh,
            message_en=v.message_en,
        )


class PlanCheckRead(BaseModel):
    """What the plan breaks; ``ok``: nothing but shipments left for another day."""

    plan_id: int
    version: int
    ok: bool
    violations: list[ViolationRead]
    unplanned: list[ViolationRead]

    @classmethod
    def of(cls, plan: Plan, check: PlanCheck) -> PlanCheckRead:
        return cls(
            plan_id=plan.id,
            version=plan.version,
            ok=check.ok,
            violations=[ViolationRead.of(v) for v in check.violations],
            unplanned=[ViolationRead.of(v) for v in check.unplanned],
        )


class EditRead(BaseModel):
    """An edit saved: the plan's new ``version``, the stops that moved with it, what the
    dispatcher should know, and the check of the edited plan (saved on its stops)."""

    plan_id: int
    version: int
    moved_along: list[int]
    notes: list[str]
    check: PlanCheckRead

    @classmethod
    def of(cls, edited: Edited) -> EditRead:
        return cls(
            plan_id=edited.row.id,
            version=edited.row.version,
            moved_along=list(edited.along),
            notes=list(edited.notes),
            check=PlanCheckRead.of(edited.row, edited.check),
        )


class StopMoveRead(BaseModel):
    """Visits of one stop now on another van or at another position (both from 0)."""

    type: str
    site_code: str
    shipments: list[str]
    from_van: str
    from_position: int
    to_van: str
    to_position: int
    van_changed: bool

    @classmethod
    def of(cls, m: StopMove) -> StopMoveRead:
        return cls(
            type=m.type.value,
            site_code=m.site,
            shipments=list(m.shipments),
            from_van=m.from_van,
            from_position=m.from_position,
            to_van=m.to_van,
            to_position=m.to_position,
            van_changed=m.van_changed,
        )


class FiguresRead(BaseModel):
    """A van's (``van`` null: the plan's) distance and duration, before and after."""

    van: str | None
    distance_before: int
    distance_after: int
    duration_before: int
    duration_after: int
    km_before: float
    km_after: float
    hours_before: float
    hours_after: float

    @classmethod
    def of(cls, f: Figures) -> FiguresRead:
        return cls(
            van=f.van,
            distance_before=f.distance_before,
            distance_after=f.distance_after,
            duration_before=f.duration_before,
            duration_after=f.duration_after,
            km_before=round(f.distance_before / 1000, 1),
            km_after=round(f.distance_after / 1000, 1),
            hours_before=round(f.duration_before / 3600, 2),
            hours_after=round(f.duration_after / 3600, 2),
        )


class LeftOutRead(BaseModel):
    """A shipment planned before and not after, with the reason code of its plan."""

    shipment: str
    reason: str | None


class PlanDiffRead(BaseModel):
    """What changed from plan ``against`` to plan ``plan_id``."""

    plan_id: int
    against: int
    moved: list[StopMoveRead]
    newly_planned: list[str]
    newly_unplanned: list[LeftOutRead]
    vans: list[FiguresRead]
    total: FiguresRead

    @classmethod
    def of(cls, plan_id: int, against: int, d: PlanDiff) -> PlanDiffRead:
        return cls(
            plan_id=plan_id,
            against=against,
            moved=[StopMoveRead.of(m) for m in d.moved],
            newly_planned=list(d.newly_planned),
            newly_unplanned=[
                LeftOutRead(shipment=u.shipment, reason=u.reason) for u in d.newly_unplanned
            ],
            vans=[FiguresRead.of(f) for f in d.vans],
            total=FiguresRead.of(d.total),
        )
