"""settings: shuyun's one settings object, built once at a program's start and passed down.

:func:`load_settings` reads the ``SHUYUN_`` variables into a :class:`Settings` with nested
sections (``database``, ``data``, ``solver``, ``auth``, ``circulation``, ``uploads``,
``dask``). Entry
points (the ``shuyun`` CLI, the service, the benchmark scripts, notebooks) build it; the
packages below take the values they need, or a section, as arguments and read no environment
themselves.

Imports: :mod:`catalog` (its sections), nothing above; only entry points import this.
"""

from catalog.settings import CirculationSettings, DatabaseSettings
from settings.model import LEGACY_NAMES, Settings, load_settings
from settings.sections import (
    AuthSettings,
    DaskSettings,
    DataSettings,
    SettingsError,
    SolverSettings,
    UploadSettings,
    WebSettings,
)

__all__ = [
    "LEGACY_NAMES",
    "AuthSettings",
    "CirculationSettings",
    "DaskSettings",
    "DataSettings",
    "DatabaseSettings",
    "Settings",
    "SettingsError",
    "SolverSettings",
    "UploadSettings",
    "WebSettings",
    "load_settings",
]
