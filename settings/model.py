"""The one settings object, built once at start-up from ``SHUYUN_`` variables.

Sections are nested: ``SHUYUN_<SECTION>__<FIELD>``, e.g. ``SHUYUN_DATABASE__URL`` or
``SHUYUN_SOLVER__TIME_LIMIT``. The flat names of earlier releases still work, and give way
to the nested ones when both are set:

================================  ==============================
``SHUYUN_DATABASE_URL``           ``SHUYUN_DATABASE__URL``
``SHUYUN_DATA_DIR``               ``SHUYUN_DATA__DIR``
``SHUYUN_BENCH_DIR``              ``SHUYUN_DATA__BENCH_DIR``
``SHUYUN_OUT_DIR``                ``SHUYUN_DATA__OUT_DIR``
``SHUYUN_DASK_SCHEDULER``         ``SHUYUN_DASK__SCHEDULER``
================================  ==============================

An empty variable counts as unset.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from catalog.settings import CirculationSettings, DatabaseSettings
from settings.sections import (
    AuthSettings,
    DaskSettings,
    DataSettings,
    SettingsError,
    SolverSettings,
    UploadSettings,
    WebSettings,
)

__all__ = ["LEGACY_NAMES", "Settings", "load_settings"]

LEGACY_NAMES: dict[str, tuple[str, str]] = {
    "SHUYUN_DATABASE_URL": ("database", "url"),
    "SHUYUN_DATA_DIR": ("data", "dir"),
    "SHUYUN_BENCH_DIR": ("data", "bench_dir"),
    "SHUYUN_OUT_DIR": ("data", "out_dir"),
    "SHUYUN_DASK_SCHEDULER": ("dask", "scheduler"),  # as issue 11 spells it
}
"""Flat variable names of earlier releases: ``{name: (section, field)}``."""


class Settings(BaseSettings):
    """Everything shuyun is configured with, by section.

    Attributes
    ----------
    database
        The catalogue's database (:class:`catalog.settings.DatabaseSettings`).
    data
        The shared data folders (:class:`settings.DataSettings`).
    solver
        A solve's defaults (:class:`settings.SolverSettings`).
    auth
        The service's sign-in (:class:`settings.AuthSettings`).
    circulation
        The catalogue's circulation rules (:class:`catalog.settings.CirculationSettings`).
    uploads
        Files sent to the service (:class:`settings.UploadSettings`).
    web
        The web pages' installed assets (:class:`settings.WebSettings`).
    dask
        Where scenario sweeps run (:class:`settings.DaskSettings`).
    """

    model_config = SettingsConfigDict(
        env_prefix="SHUYUN_",
        env_nested_delimiter="__",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    data: DataSettings = Field(default_factory=DataSettings)
    solver: SolverSettings = Field(default_factory=SolverSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    circulation: CirculationSettings = Field(default_factory=CirculationSettings)
    uploads: UploadSettings = Field(default_factory=UploadSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    dask: DaskSettings = Field(default_factory=DaskSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Earlier sources win: arguments, then the nested names, then the flat legacy ones.
        return (
            init_settings,
            env_settings,
            _LegacyNames(settings_cls),
            dotenv_settings,
            file_secret_settings,
        )


class _LegacyNames(PydanticBaseSettingsSource):
    """The flat ``SHUYUN_`` names of earlier releases, as nested values."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything is done in __call__

    def __call__(self) -> dict[str, Any]:
        values: dict[str, dict[str, str]] = {}
        for name, (section, key) in LEGACY_NAMES.items():
            value = os.environ.get(name, "").strip()
            if value:
                values.setdefault(section, {})[key] = value
        return values


def load_settings() -> Settings:
    """Build the settings from the environment, once, at a program's start.

    Returns
    -------
    Settings

    Raises
    ------
    SettingsError
        A variable with a value that cannot be used, naming the variable (as it was set:
        nested or flat) and the value.
    """
    try:
        return Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        path = tuple(str(part) for part in error["loc"])
        message = "设置无效 / invalid setting: " + error["msg"].removeprefix("Value error, ")
        raise SettingsError(_variable(path), error.get("input"), message) from None


def _variable(path: tuple[str, ...]) -> str:
    """The variable that set the field at ``path``: the nested name unless a flat one did."""
    nested = "SHUYUN_" + "__".join(path).upper()
    if os.environ.get(nested, "").strip():
        return nested
    for name, where in LEGACY_NAMES.items():
        if where == path and os.environ.get(name, "").strip():
            return name
    return nested
