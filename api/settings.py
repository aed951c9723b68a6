"""The one settings object of the composing layer (pydantic-settings, injected, not global)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Paths and defaults of the shuyun service and CLI.

    Every field can be overridden by an environment variable ``SHUYUN_<FIELD>``
    (``SHUYUN_DATA_DIR`` points at the folder holding ``osm_drive/``).
    """

    model_config = SettingsConfigDict(env_prefix="SHUYUN_", extra="ignore")

    data_dir: Path = Field(default=REPO_ROOT.parent / "shared" / "data" / "beilin")
    out_dir: Path = Field(default=REPO_ROOT / "out")

    @property
    def boundary_file(self) -> Path:
        return self.data_dir / "boundary" / "beilin_610103_datav_wgs84.geojson"

    @property
    def subdistrict_points_file(self) -> Path:
        return self.data_dir / "subdistricts" / "subdistrict_points_vonng_adcode.geojson"

    @property
    def communities_file(self) -> Path:
        return self.data_dir / "subdistricts" / "communities_nbs2020.csv"
