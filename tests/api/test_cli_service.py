"""``shuyun user add`` and ``shuyun serve``'s refusals (the server itself: test_server.py)."""

from __future__ import annotations

import pytest
from service_seed import SECRET
from sqlalchemy import select
from typer.testing import CliRunner

from api.cli import app
from catalog.db import create_engine, session_factory
from catalog.models import Role, User
from catalog.users import authenticate


@pytest.fixture
def env(sqlite_url: str) -> dict[str, str]:
    return {"SHUYUN_DATABASE_URL": sqlite_url, "SHUYUN_AUTH__SECRET_KEY": SECRET}


def _users(url: str) -> dict[str, tuple[Role, str | None]]:
    engine = create_engine(url)
    try:
        with session_factory(engine)() as session:
            return {
                u.username: (u.role, u.site.code if u.site else None)
                for u in session.scalars(select(User))
            }
    finally:
        engine.dispose()


def test_user_add_reads_the_password_from_standard_input(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        app,
        ["user", "add", "zhao.min", "--role", "branch_staff", "--site", "east"],
        input="a long enough password\n",
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "zhao.min" in result.output and "已添加" in result.output
    assert "a long enough password" not in result.output
    assert _users(env["SHUYUN_DATABASE_URL"])["zhao.min"] == (Role.branch_staff, "east")
    engine = create_engine(env["SHUYUN_DATABASE_URL"])
    with session_factory(engine)() as session:
        assert authenticate(session, username="zhao.min", password="a long enough password")
    engine.dispose()


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        # a role the service does not have, refused before the password is read
        (["--role", "librarian"], "'librarian'"),
        # a site nobody has
        (["--role", "branch_staff", "--site", "nowhere"], "'nowhere'"),
        # branch staff without a site
        (["--role", "branch_staff"], "site_code=None"),
        # a site for a role bound to none
        (["--role", "driver", "--site", "east"], "'east'"),
    ],
)
def test_user_add_refuses_naming_the_value(
    env: dict[str, str], arguments: list[str], named: str
) -> None:
    before = _users(env["SHUYUN_DATABASE_URL"])
    result = CliRunner().invoke(
        app, ["user", "add", "qian", *arguments], input="a long enough password\n", env=env
    )
    assert result.exit_code == 2
    assert named in result.output and "错误 error" in result.output
    assert "Traceback" not in result.output
    assert _users(env["SHUYUN_DATABASE_URL"]) == before


def test_user_add_refuses_a_taken_name(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        app, ["user", "add", "admin", "--role", "admin"], input="a long enough password\n", env=env
    )
    assert result.exit_code == 2 and "'admin'" in result.output


def test_serve_refuses_to_start_without_a_signing_key(sqlite_url: str) -> None:
    result = CliRunner().invoke(
        app, ["serve"], env={"SHUYUN_DATABASE_URL": sqlite_url, "SHUYUN_AUTH__SECRET_KEY": ""}
    )
    assert result.exit_code == 2 and "SHUYUN_AUTH__SECRET_KEY" in result.output


@pytest.mark.parametrize(
    ("arguments", "named"), [(["--port", "70000"], "70000"), (["--workers", "0"], "got 0")]
)
def test_serve_refuses_bad_options(env: dict[str, str], arguments: list[str], named: str) -> None:
    result = CliRunner().invoke(app, ["serve", *arguments], env=env)
    assert result.exit_code == 2 and named in result.output
