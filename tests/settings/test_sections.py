"""settings.sections: where the data are (both forms of SHUYUN_DATA_DIR), solver, auth."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from settings import AuthSettings, DataSettings, SettingsError, SolverSettings, load_settings

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
"""The folder holding the shared ``beilin/`` (``../shared/data`` beside the repository)."""


def fake_beilin(root: Path) -> Path:
    """An empty ``<root>/beilin/osm_drive/``; returns ``<root>/beilin``."""
    (root / "beilin" / "osm_drive").mkdir(parents=True)
    return root / "beilin"


@pytest.mark.parametrize(
    "form",
    [
        "beilin",  # the beilin/ folder itself, the one holding osm_drive/
        "parent",  # the folder that holds beilin/
    ],
)
def test_the_data_folder_may_be_beilin_or_the_folder_holding_it(tmp_path: Path, form: str) -> None:
    beilin = fake_beilin(tmp_path)
    data = DataSettings(dir=beilin if form == "beilin" else tmp_path)
    assert data.beilin_dir == beilin.resolve()
    assert data.osm_drive_dir == beilin.resolve() / "osm_drive"
    assert data.boundary_file.parent == beilin.resolve() / "boundary"


@pytest.mark.parametrize("folder", [SHARED_DATA, SHARED_DATA / "beilin"])
def test_both_forms_of_shuyun_data_dir_find_the_shared_data(
    monkeypatch: pytest.MonkeyPatch, folder: Path
) -> None:
    monkeypatch.setenv("SHUYUN_DATA_DIR", str(folder))
    data = load_settings().data
    assert data.beilin_dir == (SHARED_DATA / "beilin").resolve()
    for path in (data.boundary_file, data.subdistrict_points_file, data.communities_file):
        assert path.is_file(), path
    assert (data.osm_drive_dir / "edges.shp").is_file()


def test_a_data_folder_holding_neither_form_names_the_variable_and_the_value(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "elsewhere" / "osm_drive").mkdir(parents=True)  # not beilin/: not found
    monkeypatch.setenv("SHUYUN_DATA_DIR", str(tmp_path))
    data = load_settings().data  # the folder is looked at only when the data are needed
    with pytest.raises(SettingsError) as raised:
        _ = data.beilin_dir
    message = str(raised.value)
    assert message.startswith(f"SHUYUN_DATA_DIR={str(tmp_path)!r}: ")
    assert str(tmp_path / "osm_drive") in message
    assert str(tmp_path / "beilin" / "osm_drive") in message
    assert "找不到碑林数据 / holds no Beilin data" in message
    assert (raised.value.variable, raised.value.value) == ("SHUYUN_DATA_DIR", str(tmp_path))


def test_the_default_data_folder_is_the_shared_one_beside_the_repository() -> None:
    assert DataSettings().beilin_dir == (SHARED_DATA / "beilin").resolve()
    assert DataSettings().bench_dir.resolve() == (SHARED_DATA.parent / "bench").resolve()


@pytest.mark.parametrize(
    ("section", "values"),
    [
        (SolverSettings, {"time_limit": 0}),  # a solve needs some time
        (SolverSettings, {"time_limit": -5.0}),
        (AuthSettings, {"access_token_minutes": 0}),
        (DataSettings, {"folder": "/tmp"}),  # no such field: a typo is not ignored
    ],
)
def test_a_section_refuses_a_bad_value(section: type, values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        section(**values)


def test_the_signing_key_is_never_printed() -> None:
    auth = AuthSettings(secret_key="s3cret-for-tokens")  # type: ignore[arg-type]
    assert "s3cret" not in repr(auth) and "s3cret" not in str(auth)
    assert auth.secret_key is not None
    assert auth.secret_key.get_secret_value() == "s3cret-for-tokens"
