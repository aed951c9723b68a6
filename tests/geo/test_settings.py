"""Where geo finds its data."""

from __future__ import annotations

from pathlib import Path

from geo import settings


def test_default_is_shared_beilin_folder_beside_the_repo(monkeypatch):
    monkeypatch.delenv(settings.DATA_DIR_ENV, raising=False)
    repo = Path(settings.__file__).resolve().parents[1]
    assert settings.data_dir() == (repo / ".." / "shared" / "data" / "beilin").resolve()
    assert (settings.data_dir() / "osm_drive" / "edges.shp").is_file()


def test_environment_variable_overrides_and_is_read_on_every_call(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path))
    assert settings.data_dir() == tmp_path.resolve()
    monkeypatch.setenv(settings.DATA_DIR_ENV, "")
    assert settings.data_dir().name == "beilin"  # empty means unset
