"""The sections of shuyun's settings that no package below owns: data, solver, auth, uploads,
dask.

The catalogue's own sections (the database, the circulation rules) live in
:mod:`catalog.settings`, since the catalogue's functions take them as arguments. Every section
is a plain frozen pydantic model: only :class:`settings.Settings` reads the environment.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

__all__ = [
    "AuthSettings",
    "DaskSettings",
    "DataSettings",
    "SettingsError",
    "SolverSettings",
    "UploadSettings",
    "WebSettings",
]

REPO_ROOT = Path(__file__).resolve().parents[1]


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the variable and its value."""

    def __init__(self, variable: str, value: object, message: str) -> None:
        super().__init__(f"{variable}={value!r}: {message}")
        self.variable = variable
        self.value = value


class DataSettings(BaseModel):
    """Where the shared data are: the Beilin street network, the benchmarks, the output.

    ``dir`` (``SHUYUN_DATA_DIR``) may name either the ``beilin/`` folder itself (the one
    holding ``osm_drive/``) or the folder that holds ``beilin/``; :attr:`beilin_dir` finds
    which, or says that neither is there.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    dir: Path = REPO_ROOT.parent / "shared" / "data" / "beilin"
    """``SHUYUN_DATA_DIR`` (or ``SHUYUN_DATA__DIR``): ``beilin/`` or the folder holding it."""
    bench_dir: Path = REPO_ROOT.parent / "shared" / "bench"
    """``SHUYUN_BENCH_DIR`` (or ``SHUYUN_DATA__BENCH_DIR``): the benchmark instances."""
    out_dir: Path = REPO_ROOT / "out"
    """``SHUYUN_OUT_DIR`` (or ``SHUYUN_DATA__OUT_DIR``): where commands write by default."""

    @property
    def beilin_dir(self) -> Path:
        """The ``beilin/`` folder, the one holding ``osm_drive/``.

        Raises
        ------
        SettingsError
            Naming ``SHUYUN_DATA_DIR`` and its value when neither ``<dir>/osm_drive/`` nor
            ``<dir>/beilin/osm_drive/`` exists.
        """
        folder = self.dir.expanduser()
        for candidate in (folder, folder / "beilin"):
            if (candidate / "osm_drive").is_dir():
                return candidate.resolve()
        raise SettingsError(
            "SHUYUN_DATA_DIR",
            str(self.dir),
            f"找不到碑林数据 / holds no Beilin data: expected {folder / 'osm_drive'}/ "
            f"(the beilin/ folder itself) or {folder / 'beilin' / 'osm_drive'}/ "
            "(the folder holding beilin/)",
        )

    @property
    def osm_drive_dir(self) -> Path:
        """The OpenStreetMap drive network (shapefiles)."""
        return self.beilin_dir / "osm_drive"

    @property
    def boundary_file(self) -> Path:
        """The district boundary (GeoJSON, WGS-84)."""
        return self.beilin_dir / "boundary" / "beilin_610103_datav_wgs84.geojson"

    @property
    def subdistrict_points_file(self) -> Path:
        """The sub-districts' centre points (GeoJSON)."""
        return self.beilin_dir / "subdistricts" / "subdistrict_points_vonng_adcode.geojson"

    @property
    def communities_file(self) -> Path:
        """The communities of each sub-district (CSV)."""
        return self.beilin_dir / "subdistricts" / "communities_nbs2020.csv"


class SolverSettings(BaseModel):
    """Defaults of a solve when the caller gives none, and the plan workers
    (``SHUYUN_SOLVER__<FIELD>``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    time_limit: float = Field(default=10.0, gt=0)
    """Seconds of search (``shuyun solve --time-limit``, a plan that names none)."""
    seed: int = 0
    """Seed of the search; the same inputs and seed give the same plan."""
    workers: int = Field(default=1, ge=0, le=32)
    """Plan workers ``shuyun serve`` starts as its child processes; ``0``: none (run
    ``shuyun worker`` separately)."""
    heartbeat_seconds: float = Field(default=2.0, gt=0, le=60)
    """How often a worker stamps its job (and notices a cancel)."""
    stale_seconds: float = Field(default=30.0, gt=0)
    """A running job whose heartbeat is older than this goes back to the queue."""
    max_attempts: int = Field(default=3, ge=1)
    """A job whose worker stopped this many times during it fails instead."""
    poll_seconds: float = Field(default=1.0, gt=0, le=60)
    """How often an idle worker looks for a queued job."""
    depart_at: int | None = Field(default=8 * 3600 + 1800, ge=0, lt=86400)
    """Seconds since midnight whose traffic the plans' street times assume (the vans leave
    at 08:30, in the rush hour, by default; None: off-peak), see :func:`dispatch.site_network`."""

    @model_validator(mode="after")
    def _stale_after_heartbeats(self) -> SolverSettings:
        if self.stale_seconds < 3 * self.heartbeat_seconds:
            raise ValueError(
                f"stale_seconds ({self.stale_seconds:g}) 须至少为心跳间隔的 3 倍 / must be at "
                f"least 3 heartbeats ({3 * self.heartbeat_seconds:g} s)"
            )
        return self


class AuthSettings(BaseModel):
    """The service's sign-in (``SHUYUN_AUTH__<FIELD>``), read by the FastAPI app to come.

    There is no default secret: a service that signs tokens must be given one.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    secret_key: SecretStr | None = None
    """Key that signs access tokens (``SHUYUN_AUTH__SECRET_KEY``); never printed."""
    access_token_minutes: int = Field(default=480, ge=1)
    """How long a sign-in lasts: a working day."""


class UploadSettings(BaseModel):
    """Files sent to the service (``SHUYUN_UPLOADS__<FIELD>``), e.g. ``POST /records/import``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_bytes: int = Field(default=32 * 1024 * 1024, ge=1)
    """Largest file accepted (``SHUYUN_UPLOADS__MAX_BYTES``): 32 MiB, some 30,000 MARC
    records; a larger file is refused (413) before it is read whole."""


class WebSettings(BaseModel):
    """The web pages' own assets, installed at setup and served by shuyun (no CDN at run time)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    vendor_dir: Path = REPO_ROOT / "node_modules"
    """``SHUYUN_WEB__VENDOR_DIR``: the npm packages of ``package.json`` (``npm ci`` at setup)."""


class DaskSettings(BaseModel):
    """Where the planners' scenario sweeps run (``SHUYUN_DASK__<FIELD>``), see
    :func:`planning.sweep`: an existing Dask cluster, or a local one started for the sweep."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scheduler: str | None = None
    """``SHUYUN_DASK__SCHEDULER`` (or ``SHUYUN_DASK_SCHEDULER``): the address of a running
    cluster's scheduler, e.g. ``tcp://10.0.0.5:8786``; None: a ``LocalCluster`` of worker
    processes for each sweep."""
    workers: int | None = Field(default=None, ge=1, le=64)
    """Worker processes of the local cluster (``SHUYUN_DASK__WORKERS``); None: one per core."""

    @field_validator("scheduler")
    @classmethod
    def _scheduler_is_an_address(cls, value: str | None) -> str | None:
        if value is not None and "://" not in value:
            raise ValueError("须为调度器地址 / must be a scheduler address such as tcp://host:8786")
        return value
