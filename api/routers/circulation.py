"""Loans and returns by barcode scan (通借通还), at the desk's own site for branch staff."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import CirculationStaff, SessionDep, SettingsDep, TravelTimesDep, check_site
from api.schemas import LoanCreate, LoanRead, ReturnCreate, ReturnRead
from api.schemas.common import error_responses
from catalog.circulation import ReturnResult, check_in, check_out
from catalog.crates import crate_for
from catalog.db import write_with_retries
from catalog.models import Crate

router = APIRouter(tags=["circulation 借还"], responses=error_responses(401, 403, 404, 409, 422))


@router.post("/loans", response_model=LoanRead, status_code=status.HTTP_201_CREATED)
def lend(body: LoanCreate, session: SessionDep, user: CirculationStaff) -> LoanRead:
    """借出：扫描条码与读者证 / Lend a copy: scan its barcode and the card."""
    check_site(user, body.site_code)
    staff = user.username
    loan = write_with_retries(
        session,
        lambda: check_out(
            session,
            barcode=body.barcode,
            card_number=body.card_number,
            site_code=body.site_code,
            staff=staff,
        ),
    )
    return LoanRead.of(loan, body.site_code)


@router.post("/returns", response_model=ReturnRead)
def take_back(
    body: ReturnCreate,
    session: SessionDep,
    settings: SettingsDep,
    travel_times: TravelTimesDep,
    user: CirculationStaff,
) -> ReturnRead:
    """归还：扫描条码；回答这册书的去向（放入哪个周转箱）/ Take a copy back and say where it
    goes next: the shelf, the hold shelf, or the crate open here for its destination."""
    check_site(user, body.site_code)
    staff = user.username

    def take_back_and_pack() -> tuple[ReturnResult, Crate | None]:
        result = check_in(
            session,
            barcode=body.barcode,
            site_code=body.site_code,
            travel_times=travel_times,
            staff=staff,
            settings=settings.circulation,
        )
        if result.transfer is None:
            return result, None
        crate = crate_for(session, result.transfer, staff=staff, settings=settings.circulation)
        return result, crate

    result, crate = write_with_retries(session, take_back_and_pack)
    return ReturnRead.of(result, body.site_code, crate)
