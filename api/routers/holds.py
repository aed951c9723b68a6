"""Holds (预约): placed at a desk for pickup there (branch staff), read, cancelled."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from api.deps import CirculationStaff, CurrentUser, SessionDep, TravelTimesDep, check_site
from api.schemas import HoldCreate, HoldRead
from api.schemas.common import MAX_ROW_ID, error_responses
from catalog.db import write_with_retries
from catalog.holds import cancel_hold, get_hold, place_hold

router = APIRouter(
    prefix="/holds", tags=["holds 预约"], responses=error_responses(401, 403, 404, 409, 422)
)

HoldId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="预约编号 / hold id")]


@router.post("", response_model=HoldRead, status_code=status.HTTP_201_CREATED)
def place(
    body: HoldCreate, session: SessionDep, travel_times: TravelTimesDep, user: CirculationStaff
) -> HoldRead:
    """为读者预约 / Place a hold for a card, filled at once when a copy is free."""
    check_site(user, body.pickup_site_code, field="pickup_site_code")
    hold = write_with_retries(
        session,
        lambda: place_hold(
            session,
            card_number=body.card_number,
            record_id=body.record_id,
            pickup_site_code=body.pickup_site_code,
            travel_times=travel_times,
        ),
    )
    return HoldRead.of(hold)


@router.get("/{hold_id}", response_model=HoldRead)
def read(hold_id: HoldId, session: SessionDep, _user: CurrentUser) -> HoldRead:
    """一条预约 / One hold."""
    return HoldRead.of(get_hold(session, hold_id))


@router.post("/{hold_id}/cancel", response_model=HoldRead)
def cancel(hold_id: HoldId, session: SessionDep, user: CirculationStaff) -> HoldRead:
    """取消预约；已选定的书留在原处或回家 / Cancel a hold; its copy stays or goes home."""
    check_site(user, get_hold(session, hold_id).pickup_site.code, field="hold.pickup_site")
    staff = user.username
    hold = write_with_retries(session, lambda: cancel_hold(session, hold_id=hold_id, staff=staff))
    return HoldRead.of(hold)
