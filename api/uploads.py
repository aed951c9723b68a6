"""A file sent to the service as ``multipart/form-data``, read with a bound on its size.

Starlette would spool a multipart body of any size before a route runs; the dependency
:func:`bounded_upload` parses the body itself instead, counting bytes as they arrive, and stops
with 413 once the body is larger than ``SHUYUN_UPLOADS__MAX_BYTES`` allows. A route that
takes it declares no form parameters of its own (FastAPI would read the body first) and
describes its body in OpenAPI with :func:`multipart_body`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from starlette.datastructures import UploadFile
from starlette.types import Message

from api.deps import SettingsDep

__all__ = ["FORM_SLACK", "Upload", "UploadDep", "bounded_upload", "multipart_body"]

FORM_SLACK = 64 * 1024
"""Bytes a body may carry beyond the file itself: boundaries, part headers, small fields."""


@dataclass(frozen=True, slots=True)
class Upload:
    """The uploaded file's bytes and name, and the form's text fields."""

    data: bytes
    filename: str
    fields: dict[str, str]


class _TooLarge(Exception):
    pass


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        detail=f"文件过大 / upload too large: file: more than {limit} bytes "
        f"(SHUYUN_UPLOADS__MAX_BYTES={limit})",
    )


def _missing_file() -> HTTPException:
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[
            {
                "type": "missing",
                "loc": ["body", "file"],
                "msg": "缺少文件 / field required: send the file as multipart/form-data "
                "field 'file'",
                "input": None,
            }
        ],
    )


async def bounded_upload(request: Request, settings: SettingsDep) -> Upload:
    """The ``file`` part and the text fields of the request's multipart body.

    Raises
    ------
    HTTPException
        413 when the file, or the body, is over the limit (counted as it arrives); 422 when
        there is no ``file`` part; 400 for a body that is not valid multipart.
    """
    limit = settings.uploads.max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_SLACK:
        raise _too_large(limit)
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit + FORM_SLACK:
                raise _TooLarge
        return message

    try:
        form = await Request(request.scope, receive).form(max_files=1, max_fields=8)
    except _TooLarge:
        raise _too_large(limit) from None
    try:
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise _missing_file()
        data = await part.read(limit + 1)
        if len(data) > limit:
            raise _too_large(limit)
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        return Upload(data=data, filename=part.filename or "upload", fields=fields)
    finally:
        await form.close()


UploadDep = Annotated[Upload, Depends(bounded_upload)]


def multipart_body(fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The ``openapi_extra`` of a route taking :data:`UploadDep`: a required ``file`` part
    and the text ``fields`` (name → JSON schema)."""
    properties = {"file": {"type": "string", "format": "binary"}, **fields}
    schema = {"type": "object", "required": ["file"], "properties": properties}
    return {
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": schema}},
        }
    }
