"""settings.model: one settings object from SHUYUN_ variables, nested names and flat ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from catalog.settings import DEFAULT_DATABASE_URL
from settings import LEGACY_NAMES, Settings, SettingsError, load_settings


def test_without_variables_every_section_has_its_defaults() -> None:
    settings = load_settings()
    assert settings.database.url == DEFAULT_DATABASE_URL
    assert settings.solver.time_limit == 10.0 and settings.solver.seed == 0
    assert settings.auth.secret_key is None
    assert settings.circulation.loan_days == 30
    assert settings.data.dir.name == "beilin"


@pytest.mark.parametrize(
    ("name", "value", "read"),
    [
        ("SHUYUN_DATABASE_URL", "postgresql+psycopg://u@h/db", lambda s: s.database.url),
        ("SHUYUN_DATA_DIR", "/srv/shuyun/data", lambda s: str(s.data.dir)),
        ("SHUYUN_BENCH_DIR", "/srv/shuyun/bench", lambda s: str(s.data.bench_dir)),
        ("SHUYUN_OUT_DIR", "/srv/shuyun/out", lambda s: str(s.data.out_dir)),
    ],
)
def test_the_flat_names_of_earlier_releases_still_work(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, read: object
) -> None:
    monkeypatch.setenv(name, value)
    assert read(load_settings()) == value  # type: ignore[operator]


@pytest.mark.parametrize(
    ("name", "value", "read", "expected"),
    [
        ("SHUYUN_DATABASE__URL", "sqlite:///x.db", lambda s: s.database.url, "sqlite:///x.db"),
        ("SHUYUN_DATA__DIR", "/d", lambda s: s.data.dir, Path("/d")),
        ("SHUYUN_DATA__BENCH_DIR", "/b", lambda s: s.data.bench_dir, Path("/b")),
        ("SHUYUN_SOLVER__TIME_LIMIT", "2.5", lambda s: s.solver.time_limit, 2.5),
        ("SHUYUN_SOLVER__SEED", "11", lambda s: s.solver.seed, 11),
        ("SHUYUN_CIRCULATION__LOAN_DAYS", "21", lambda s: s.circulation.loan_days, 21),
        ("SHUYUN_CIRCULATION__CRATE_CAPACITY", "25", lambda s: s.circulation.crate_capacity, 25),
        ("SHUYUN_AUTH__ACCESS_TOKEN_MINUTES", "60", lambda s: s.auth.access_token_minutes, 60),
    ],
)
def test_each_section_is_read_from_nested_names(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, read: object, expected: object
) -> None:
    monkeypatch.setenv(name, value)
    assert read(load_settings()) == expected  # type: ignore[operator]


def test_a_nested_name_wins_over_the_flat_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHUYUN_DATABASE_URL", "sqlite:///flat.db")
    monkeypatch.setenv("SHUYUN_DATABASE__URL", "sqlite:///nested.db")
    assert load_settings().database.url == "sqlite:///nested.db"


def test_flat_and_nested_names_of_one_section_combine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHUYUN_DATA_DIR", "/flat/data")
    monkeypatch.setenv("SHUYUN_DATA__BENCH_DIR", "/nested/bench")
    data = load_settings().data
    assert (data.dir, data.bench_dir) == (Path("/flat/data"), Path("/nested/bench"))


@pytest.mark.parametrize("name", [*LEGACY_NAMES, "SHUYUN_DATABASE__URL"])
def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "")
    assert load_settings() == Settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SHUYUN_SOLVER__TIME_LIMIT", "0"),  # a solve needs some time
        ("SHUYUN_SOLVER__TIME_LIMIT", "soon"),
        ("SHUYUN_CIRCULATION__LOAN_DAYS", "-1"),
        ("SHUYUN_CIRCULATION__LOAN_DAY", "21"),  # a typo of a field name
        ("SHUYUN_DATABASE_URL", "shuyun.sqlite"),  # a file, not a URL; named as it was set
        ("SHUYUN_DATABASE__URL", "shuyun.sqlite"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable_and_the_value(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value).startswith(f"{name}={value!r}: ")
    assert (raised.value.variable, raised.value.value) == (name, value)


def test_the_settings_object_cannot_be_changed_once_built() -> None:
    settings = load_settings()
    with pytest.raises(ValidationError):
        settings.solver = settings.solver  # type: ignore[misc]
    with pytest.raises(ValidationError):
        settings.database.url = "sqlite:///other.db"  # type: ignore[misc]
