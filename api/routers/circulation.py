"""Loans and returns by barcode scan (通借通还), at the desk's own site for branch staff."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import CirculationStaff, SessionDep, TravelTimesDep, check_site
from api.schemas import LoanCreate, LoanRead, ReturnCreate, ReturnRead
from catalog.circulation import check_in, check_out
from catalog.db import write_with_retries

router = APIRouter(tags=["circulation 借还"])


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
    body: ReturnCreate, session: SessionDep, travel_times: TravelTimesDep, user: CirculationStaff
) -> ReturnRead:
    """归还：扫描条码；回答这册书的去向 / Take a copy back and say where it goes next."""
    check_site(user, body.site_code)
    staff = user.username
    result = write_with_retries(
        session,
        lambda: check_in(
            session,
            barcode=body.barcode,
            site_code=body.site_code,
            travel_times=travel_times,
            staff=staff,
        ),
    )
    return ReturnRead.of(result, body.site_code)
