"""The service against its own OpenAPI schema (schemathesis, in-process through the ASGI app).

Every operation is called with requests generated from the schema, valid and not, signed in
as an admin (who may do everything) and as branch staff (who meets the site checks), on a
copy of the seeded database (``service_seed``). Each answer must be no 5xx, a status the
schema documents, a body that fits the schema for that status and its content type.

Left out, each for the reason given in :data:`EXCLUDED`: the operations that start a solve
(a worker process's job, or the ``/vroom`` pool: seconds of CPU per example) and the event
stream (an answer that does not end while the plan runs).

Bounded: at most :data:`MAX_EXAMPLES` examples per operation and role, each with a deadline,
about a minute or two on two cores.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from service_seed import CARDS, bearer, password, service_settings

from api.app import create_app
from catalog.db import create_engine, session_factory

MAX_EXAMPLES = 20
"""Examples per operation and role."""
DEADLINE_MS = 3_000
"""The longest one example may take (a search with the travel times, a busy machine)."""

EXCLUDED = {
    ("POST", "/plans"): "queues a solve for a worker process (tests/api/test_plans_router.py)",
    ("POST", "/plans/{plan_id}/replan"): "queues a solve, as POST /plans",
    ("POST", "/vroom"): "solves in the app's process pool, seconds of CPU per example, and "
    "answers VROOM's own bodies (tests/api/test_vroom_router.py)",
    ("GET", "/plans/{plan_id}/events"): "an event stream: it ends only when the plan does "
    "(tests/api/test_plans_router.py)",
}
"""The operations left out, with why."""

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
"""No 5xx, documented status, documented content type, body valid for its status."""


def _schema() -> schemathesis.BaseSchema:
    """The schema the service publishes (built on a database never opened: the document
    needs none), less :data:`EXCLUDED`."""
    app = create_app(service_settings("sqlite://"))
    loaded: schemathesis.BaseSchema = schemathesis.openapi.from_dict(app.openapi())
    for method, path in EXCLUDED:
        loaded = loaded.exclude(method=method, path=path)
    return loaded


# Loaded at import, as schemathesis needs it to make one test per operation; each test then
# calls its own app (the ``app`` fixture: a copy of the seeded database).
schema = _schema()

RUN = settings(
    max_examples=MAX_EXAMPLES,
    deadline=DEADLINE_MS,
    derandomize=True,  # the same examples on every run: a failure seen is a failure kept
    suppress_health_check=list(HealthCheck),
    database=None,
)


@schema.parametrize()
@RUN
def test_every_operation_as_an_admin(app: FastAPI, case: schemathesis.Case) -> None:
    case.call_and_validate(app=app, headers=bearer("admin"), checks=CHECKS)


@schema.parametrize()
@RUN
def test_every_operation_as_branch_staff(app: FastAPI, case: schemathesis.Case) -> None:
    case.call_and_validate(app=app, headers=bearer("desk.east"), checks=CHECKS)


# --- what the runs above found, kept as plain tests ------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/holds/9223372036854775808",  # past SQLite's INTEGER: was an OverflowError, 500
        "/transfers/2147483648",  # past PostgreSQL's integer
        "/plans/2147483648/check",
        "/transfers/unplanned?offset=9223372036854775808",
        "/sites?offset=2147483648",
    ],
)
def test_an_id_or_offset_too_large_for_the_database_is_422(client: TestClient, path: str) -> None:
    response = client.get(path, headers=bearer("admin"))
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["type"] == "less_than_equal"


def test_a_body_that_is_not_utf8_is_400_in_both_languages(client: TestClient) -> None:
    response = client.post(
        "/transfers/pickup",
        content=b'{"barcode": "\xff\xfe", "site_code": "west"}',
        headers={**bearer("admin"), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("请求体无法解析 / the body cannot be read")


@pytest.mark.parametrize(
    ("method", "path", "body", "loc", "reason"),
    [
        (
            "POST",
            "/transfers/pickup",
            '{"barcode": "\\ud800", "site_code": "west"}',
            ["body", "barcode"],
            "unpaired surrogate",
        ),
        (
            "POST",
            "/loans",
            '{"barcode": "E1", "card_number": "61\\u0000", "site_code": "east"}',
            ["body", "card_number"],
            "NUL",
        ),
        ("GET", "/records/search?q=a%00b", None, ["query", "q"], "NUL"),
        ("GET", "/sites/east%00", None, ["path", "code"], "NUL"),
    ],
)
def test_text_the_database_cannot_store_is_422_naming_where(
    client: TestClient, method: str, path: str, body: str | None, loc: list[str], reason: str
) -> None:
    # PostgreSQL refuses NUL in text and no UTF-8 has a lone surrogate: once a 500.
    headers = {**bearer("admin"), "Content-Type": "application/json"}
    response = client.request(method, path, content=body, headers=headers)
    assert response.status_code == 422, response.text
    (fault,) = response.json()["detail"]
    assert (fault["type"], fault["loc"]) == ("string_unstorable", loc)
    assert reason in fault["msg"]
    assert "6100" not in response.text  # a card number stays masked


def test_times_are_answered_on_the_library_clock_with_its_offset(
    client: TestClient, seeded: Any
) -> None:
    placed = client.post(
        "/holds",
        json={
            "card_number": CARDS["alice"],
            "record_id": seeded.to_live,
            "pickup_site_code": "east",
        },
        headers=bearer("desk.east"),
    )
    assert placed.status_code == 201, placed.text
    stamp = datetime.fromisoformat(placed.json()["placed_at"])
    assert stamp.utcoffset() == timedelta(hours=8)
    assert abs(stamp - datetime.now(UTC)) < timedelta(minutes=5)
    token = client.post(
        "/auth/token", data={"username": "admin", "password": password("admin")}
    ).json()
    assert datetime.fromisoformat(token["expires_at"]).utcoffset() == timedelta(hours=8)


def test_no_connection_free_in_the_pool_is_503_not_500(app: FastAPI, sqlite_url: str) -> None:
    services = app.state.services
    small = create_engine(sqlite_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    app.state.services = dataclasses.replace(
        services, engine=small, sessions=session_factory(small)
    )
    try:
        with small.connect(), TestClient(app) as client:  # the one connection, held
            response = client.get("/sites", headers=bearer("admin"))
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "1"
        assert response.json()["detail"].startswith("服务繁忙")
    finally:
        app.state.services = services
        small.dispose()
