"""Sites (站点) with their opening hours: any signed-in account may read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentUser, SessionDep
from api.schemas import SitePage, SiteRead
from api.schemas.common import MAX_PAGE, MAX_ROW_ID, error_responses
from catalog.sites import get_site, list_sites

router = APIRouter(prefix="/sites", tags=["sites 站点"], responses=error_responses(401, 404, 422))


@router.get("", response_model=SitePage)
def read_sites(
    session: SessionDep,
    _user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
) -> SitePage:
    """站点列表（按代码）/ The sites, by code, a page at a time."""
    sites, total = list_sites(session, limit=limit, offset=offset)
    return SitePage(items=[SiteRead.of(s) for s in sites], total=total, limit=limit, offset=offset)


@router.get("/{code}", response_model=SiteRead)
def read_site(code: str, session: SessionDep, _user: CurrentUser) -> SiteRead:
    """一个站点及其开放时间 / One site with its opening hours."""
    return SiteRead.of(get_site(session, code, field="code"))
