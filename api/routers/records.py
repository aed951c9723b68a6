"""Catalogue search (统一检索) and copies by barcode: any signed-in account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentUser, SessionDep, TravelTimesDep
from api.schemas import ItemRead, RecordHitRead, RecordPage
from api.schemas.common import MAX_PAGE
from catalog.circulation import item_state
from catalog.search import SearchField, count_catalogue, search_catalogue
from catalog.sites import get_site

router = APIRouter(tags=["records 馆藏"])


@router.get("/records/search", response_model=RecordPage)
def search_records(
    session: SessionDep,
    travel_times: TravelTimesDep,
    _user: CurrentUser,
    q: Annotated[str, Query(min_length=1, max_length=500, description="检索词 / what to find")],
    field: SearchField = "keyword",
    pickup_site: Annotated[
        str | None, Query(description="读者取书站点：按车程排序 / sort sites by van time to it")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> RecordPage:
    """检索全区馆藏及各站点可借数 / Search every site's catalogue, with copies per site."""
    site_id = get_site(session, pickup_site, field="pickup_site").id if pickup_site else None
    result = search_catalogue(
        session,
        q,
        field=field,
        patron_site_id=site_id,
        travel_times=travel_times if site_id is not None else None,
        limit=limit,
        offset=offset,
    )
    return RecordPage(
        items=[RecordHitRead.of(hit) for hit in result.hits],
        total=count_catalogue(session, q, field=field),
        limit=limit,
        offset=offset,
    )


@router.get("/items/{barcode}", response_model=ItemRead)
def read_item(barcode: str, session: SessionDep, _user: CurrentUser) -> ItemRead:
    """按条码查一册书的状态与去向 / A copy by barcode: its status and where it goes next."""
    return ItemRead.of(item_state(session, barcode=barcode))
