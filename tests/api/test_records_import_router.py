"""POST /records/import: an admin uploads a file of records as ``shuyun import-records`` reads
one; the answer counts the loaded and skipped records with each skipped one's position and
reason; an uncertain encoding is a 422 naming it; the upload is bounded in size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_seed import bearer, expired, service_settings, travel_times

from api.app import create_app
from settings import UploadSettings

FIXTURES = Path(__file__).resolve().parents[1] / "catalog" / "fixtures"


def _upload(
    client: TestClient,
    data: bytes,
    *,
    name: str = "records.mrc",
    user: str = "admin",
    **fields: str,
):
    return client.post(
        "/records/import", files={"file": (name, data)}, data=fields, headers=bearer(user)
    )


def _ussr_in_cp1251() -> bytes:
    """One MARC 21 record titled СССР in Windows-1251: too short for a sure guess."""
    leader = "00000nam  2200000   4500"
    body = b"10\x1fa" + "СССР".encode("cp1251") + b"\x1e"
    directory = f"245{len(body):04d}00000".encode() + b"\x1e"
    base = 24 + len(directory)
    head = f"{base + len(body) + 1:05d}{leader[5:12]}{base:05d}{leader[17:]}".encode()
    return head + directory + body + b"\x1d"


def test_an_upload_answers_the_counts_and_each_skipped_record(client: TestClient) -> None:
    response = _upload(client, (FIXTURES / "marc21_utf8.mrc").read_bytes())
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["name"], report["format"], report["encoding"]) == (
        "records.mrc",
        "iso2709",
        "utf-8",
    )
    assert (report["seen"], report["loaded"], report["skipped"]) == (5, 2, 3)
    assert len(report["record_ids"]) == 2
    skipped = [(s["position"], s["control_number"], s["reason"]) for s in report["skipped_records"]]
    assert skipped[0][:2] == (1, "CAL012008001234")
    assert "already in the catalogue" in skipped[0][2]  # 三体 is in the seeded catalogue
    assert skipped[1:] == [
        (2, "CAL012008005678", "020 $a='9787536693969': ISBN-13 check digit should be 8"),
        (4, "CAL012006000042", "245 $a: missing title"),
    ]
    assert "已导入 loaded 2，跳过 skipped 3" in report["summary"]
    found = client.get("/records/search?q=万历十五年", headers=bearer("desk.east")).json()
    assert found["total"] == 1


def test_an_uncertain_encoding_is_a_422_naming_it_until_the_encoding_is_named(
    client: TestClient,
) -> None:
    data = _ussr_in_cp1251()
    refused = _upload(client, data, name="ussr.mrc")
    assert refused.status_code == 422
    body = refused.json()
    assert (body["field"], body["value"]) == ("encoding", "auto")
    assert "编码不确定" in body["detail"] and "encoding uncertain" in body["detail"]
    assert "cp1251" in body["detail"]  # the alternatives are named
    loaded = _upload(client, data, name="ussr.mrc", encoding="cp1251")
    assert loaded.status_code == 200, loaded.text
    assert (loaded.json()["loaded"], loaded.json()["encoding"]) == (1, "cp1251")


def test_a_csv_file_is_read_as_the_format_named(client: TestClient) -> None:
    response = _upload(
        client, (FIXTURES / "records.csv").read_bytes(), name="records.csv", format="csv"
    )
    assert response.status_code == 200, response.text
    assert response.json()["format"] == "csv" and response.json()["loaded"] > 0


@pytest.mark.parametrize(
    ("fields", "data", "field", "says"),
    [
        ({"format": "excel"}, b"title\nx\n", "format", "must be one of"),
        ({"encoding": "utf8"}, b"title\nx\n", "encoding", "must be one of"),
        ({"encoding": "gbk"}, b"<collection/>", "encoding", "MARCXML declares its own"),
        ({}, b"", "file", "the file is empty"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    client: TestClient, fields: dict[str, str], data: bytes, field: str, says: str
) -> None:
    response = _upload(client, data, **fields)
    assert response.status_code == 422
    assert response.json()["field"] == field and says in response.json()["detail"]


def test_an_upload_without_a_file_is_a_422_naming_it(client: TestClient) -> None:
    response = client.post("/records/import", data={"format": "csv"}, headers=bearer("admin"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


@pytest.fixture
def small_limit_client(sqlite_url: str, site_ids: dict[str, int]) -> Iterator[TestClient]:
    """The service with uploads limited to 1,000 bytes."""
    settings = service_settings(sqlite_url, uploads=UploadSettings(max_bytes=1000))
    app = create_app(settings, travel_times=travel_times(site_ids))
    with TestClient(app) as client:
        yield client
    app.state.services.engine.dispose()


def _chunks(data: bytes, boundary: str) -> Iterator[bytes]:
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
    ).encode()
    for start in range(0, len(data), 4096):
        yield data[start : start + 4096]
    yield f"\r\n--{boundary}--\r\n".encode()


@pytest.mark.parametrize(
    "how",
    [
        "declared",  # the Content-Length says it at once
        "streamed",  # chunked, no length: counted as it arrives
        "file_only",  # the body is within the slack, the file is not
    ],
)
def test_an_upload_over_the_limit_is_a_413_naming_the_setting(
    small_limit_client: TestClient, how: str
) -> None:
    if how == "streamed":
        boundary = "shuyun-test-boundary"
        response = small_limit_client.post(
            "/records/import",
            content=_chunks(b"x" * 200_000, boundary),
            headers={
                **bearer("admin"),
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            },
        )
    else:
        size = 200_000 if how == "declared" else 1001
        response = _upload(small_limit_client, b"t" * size, name="big.csv")
    assert response.status_code == 413, response.text
    assert "SHUYUN_UPLOADS__MAX_BYTES=1000" in response.json()["detail"]


def test_a_file_at_the_limit_is_read(small_limit_client: TestClient) -> None:
    data = b"title\n" + b"x" * 994
    assert len(data) == 1000
    response = _upload(small_limit_client, data, name="one.csv", format="csv")
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("user", ["dispatcher", "driver", "desk.east", "planner"])
def test_only_admins_import(client: TestClient, user: str) -> None:
    response = _upload(client, (FIXTURES / "records.csv").read_bytes(), user=user)
    assert response.status_code == 403


def test_importing_needs_a_valid_token(client: TestClient) -> None:
    files = {"file": ("records.csv", (FIXTURES / "records.csv").read_bytes())}
    assert client.post("/records/import", files=files).status_code == 401
    response = client.post("/records/import", files=files, headers=expired("admin"))
    assert response.status_code == 401
