"""Catalogue search (统一检索) and copies by barcode: any signed-in account. Importing a file
of records (MARC 21, CNMARC/UNIMARC, MARCXML, CSV): admins."""

from __future__ import annotations

from typing import Annotated, get_args

from fastapi import APIRouter, Depends, Query

from api.deps import CurrentUser, SessionDep, TravelTimesDep, require_role
from api.schemas import ItemRead, RecordHitRead, RecordPage
from api.schemas.common import MAX_PAGE, MAX_ROW_ID, error_responses
from api.schemas.records import RecordImportRead
from api.uploads import UploadDep, multipart_body
from catalog.charset import Encoding
from catalog.circulation import item_state
from catalog.db import write_with_retries
from catalog.errors import InvalidValueError
from catalog.models import Role, User
from catalog.record_import import FileFormat, import_record_file
from catalog.search import SearchField, count_catalogue, search_catalogue
from catalog.sites import get_site

router = APIRouter(tags=["records 馆藏"], responses=error_responses(401, 403, 404, 409, 422))

Admin = Annotated[User, Depends(require_role(Role.admin))]


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
    offset: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
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


_IMPORT_FIELDS = {
    "format": {"type": "string", "enum": list(get_args(FileFormat)), "default": "auto"},
    "encoding": {"type": "string", "enum": list(get_args(Encoding)), "default": "auto"},
}


@router.post(
    "/records/import",
    response_model=RecordImportRead,
    openapi_extra=multipart_body(_IMPORT_FIELDS),
    responses={413: {"description": "文件过大 / file over SHUYUN_UPLOADS__MAX_BYTES"}},
)
def import_records(session: SessionDep, _user: Admin, upload: UploadDep) -> RecordImportRead:
    """导入编目记录文件 / Import a file of catalogue records (multipart: ``file``, ``format``,
    ``encoding``, as ``shuyun import-records``): the loaded and skipped counts, each skipped
    record's position and reason. A file whose encoding is uncertain is not loaded (422
    naming the encoding and its alternatives): send it again naming ``encoding``."""
    file_format = upload.fields.get("format") or "auto"
    encoding = upload.fields.get("encoding") or "auto"
    report = write_with_retries(
        session,
        lambda: import_record_file(
            session=session,
            source=upload.data,
            format=file_format,  # type: ignore[arg-type]  # checked by the service
            encoding=encoding,  # type: ignore[arg-type]
            name=upload.filename,
        ),
    )
    if report.refused:
        uncertain = report.encoding is not None and not report.encoding.certain
        field, value = ("encoding", encoding) if uncertain else ("file", upload.filename)
        raise InvalidValueError(field, value, report.refused)
    return RecordImportRead.of(report)
