"""The app factory, its OpenAPI pages and GET /healthz."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_seed import service_settings

from api.app import create_app
from catalog.settings import DatabaseSettings
from settings import DataSettings, Settings, SettingsError


def test_the_app_will_not_start_without_a_signing_key(sqlite_url: str) -> None:
    with pytest.raises(SettingsError, match="SHUYUN_AUTH__SECRET_KEY"):
        create_app(Settings(database=DatabaseSettings(url=sqlite_url)))


def test_openapi_is_served_with_every_route(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {
        "/healthz",
        "/auth/token",
        "/auth/me",
        "/sites",
        "/sites/{code}",
        "/records/search",
        "/items/{barcode}",
        "/loans",
        "/returns",
        "/holds",
        "/holds/{hold_id}",
        "/holds/{hold_id}/cancel",
    } <= paths


def test_healthz_reports_database_street_network_and_no_worker_yet(
    client: TestClient, beilin_dir: Path
) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    health = response.json()
    assert health["status"] == "ok"
    assert health["database"] == {"ok": True, "detail": "sqlite: SELECT 1"}
    assert health["street_network"] == {"ok": True, "detail": str(beilin_dir / "osm_drive")}
    assert health["worker"]["ok"] is None and "none yet" in health["worker"]["detail"]


def test_healthz_fails_naming_a_missing_street_network(sqlite_url: str, tmp_path: Path) -> None:
    settings = service_settings(sqlite_url, data=DataSettings(dir=tmp_path / "nowhere"))
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    health = response.json()
    assert health["status"] == "fail" and health["database"]["ok"] is True
    assert health["street_network"]["ok"] is False
    assert "SHUYUN_DATA_DIR" in health["street_network"]["detail"]


def test_healthz_fails_when_the_database_does_not_answer() -> None:
    # A PostgreSQL address on loopback where nothing listens (port 1).
    settings = service_settings("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    database = response.json()["database"]
    assert database["ok"] is False and database["detail"].startswith("postgresql: 无法连接")
