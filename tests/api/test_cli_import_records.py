"""``shuyun import-records``: counts and skipped records printed, bilingual messages, exit
code 2 naming the option or file for bad input, 1 when a file is refused as a whole; on a
SQLite file and on PostgreSQL (its own schema), through SHUYUN_DATABASE_URL."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from api.cli import app
from catalog.db import create_engine
from catalog.models import Record

FIXTURES = Path(__file__).resolve().parents[1] / "catalog" / "fixtures"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database the command may create its tables in: a new SQLite file or schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shuyun.sqlite'}"
        return
    url = os.environ.get("SHUYUN_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("SHUYUN_DATABASE_URL names no PostgreSQL database")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


def run(url: str, *args: str | Path) -> Result:
    return CliRunner().invoke(
        app, ["import-records", *map(str, args)], env={"SHUYUN_DATABASE_URL": url}
    )


def titles(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return sorted(connection.scalars(select(Record.title)))
    finally:
        engine.dispose()


def test_import_prints_counts_then_each_skipped_record(database_url: str) -> None:
    result = run(database_url, FIXTURES / "marc21_utf8.mrc")
    assert result.exit_code == 0, result.output
    summary, *lines = result.stdout.splitlines()
    assert "已导入 loaded 3，跳过 skipped 2" in summary
    assert "encoding utf-8" in summary
    assert lines == [
        "#2 (CAL012008005678) 跳过 / skipped: 020 $a='9787536693969': "
        "ISBN-13 check digit should be 8",
        "#4 (CAL012006000042) 跳过 / skipped: 245 $a: missing title",
    ]
    assert titles(database_url) == sorted(["三体", "Foundation", "万历十五年"])


def test_a_second_run_loads_no_duplicates(database_url: str) -> None:
    run(database_url, FIXTURES / "cnmarc_gbk.mrc")
    result = run(database_url, FIXTURES / "cnmarc_gbk.mrc")
    assert result.exit_code == 0
    assert "已导入 loaded 0，跳过 skipped 5" in result.stdout
    assert result.stdout.count("already in the catalogue") == 3
    assert len(titles(database_url)) == 3


def test_cp1251_and_unimarc_files(database_url: str) -> None:
    assert run(database_url, FIXTURES / "marc21_cp1251.mrc").exit_code == 0
    result = run(database_url, FIXTURES / "unimarc_nsb.mrc", "--format", "unimarc")
    assert result.exit_code == 0
    assert "#1 (IT0001) 已导入 / loaded: 010 $a='88-04-45893-X'" in result.stdout
    assert titles(database_url) == sorted(
        [
            "Война и мир",
            "Преступление и наказание",
            "L'altra faccia della luna",
            "Il nome della rosa",
        ]
    )


def test_an_uncertain_encoding_is_refused_until_named(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "ussr.mrc"
    leader = "00000nam  2200000   4500"
    body = b"10\x1fa" + "СССР".encode("cp1251") + b"\x1e"
    directory = f"245{len(body):04d}00000".encode() + b"\x1e"
    base = 24 + len(directory)
    head = f"{base + len(body) + 1:05d}{leader[5:12]}{base:05d}{leader[17:]}".encode()
    path.write_bytes(head + directory + body + b"\x1d")
    refused = run(database_url, path)
    assert refused.exit_code == 1
    assert "编码不确定 / encoding uncertain" in refused.stdout
    assert "re-run with --encoding" in refused.stderr
    assert titles(database_url) == []
    assert run(database_url, path, "--encoding", "cp1251").exit_code == 0
    assert titles(database_url) == ["СССР"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.mrc"], "FILE: 文件不存在 / file not found: missing.mrc"),
        ([str(FIXTURES)], "FILE: 是一个目录 / is a folder"),
        ([str(FIXTURES / "records.csv"), "--format", "excel"], "--format 应为 auto|marc21"),
        ([str(FIXTURES / "records.csv"), "--encoding", "utf8"], "got 'utf8'"),
        ([str(FIXTURES / "mixed.xml"), "--encoding", "gbk"], "MARCXML declares its own encoding"),
    ],
)
def test_bad_input_exits_2_with_a_bilingual_message(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = run(f"sqlite:///{tmp_path / 'x.sqlite'}", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.startswith("错误 error: ")
    assert CJK.search(result.stderr)
    assert "Traceback" not in result.output


def test_an_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    path = tmp_path / "locked.mrc"
    path.write_bytes(b"x")
    path.chmod(0)
    result = run(f"sqlite:///{tmp_path / 'x.sqlite'}", path)
    assert result.exit_code == 2
    assert "FILE: 无法读取 / cannot read" in result.stderr


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "SHUYUN_DATABASE_URL='nonsense': 设置无效 / invalid setting"),
        (
            "postgresql+psycopg://reader:secret@127.0.0.1:1/shuyun",
            "数据库不可用 / database unavailable (postgresql+psycopg://reader:***@127.0.0.1:1",
        ),
    ],
)
def test_a_database_that_is_not_there(url: str, message: str) -> None:
    result = run(url, FIXTURES / "records.csv")
    assert result.exit_code == 2
    assert message in result.stderr
    assert "secret" not in result.output
