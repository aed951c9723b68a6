"""VROOM's request, as VROOM's ``docs/API.md`` states it, read strictly.

Pydantic models of every key VROOM documents; unknown keys are refused (VROOM ignores
them, but a misspelt key would change the problem without a word). ``parse_request``
turns any refusal into one ``VroomInputError`` naming each field and value.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from optimizer import AMOUNT_MAX, MATRIX_MAX, PRIORITY_MAX, TIME_MAX

ID_MAX = 2**64 - 1
"""VROOM's ids are uint64."""

DEFAULT_PER_HOUR = 3600
"""VROOM's default ``costs.per_hour``: a route's cost is then its travel time in seconds."""

INVALID = "请求无效 / invalid request"


class VroomInputError(ValueError):
    """A request VROOM would refuse, or one shuyun cannot yet solve (``code`` 2)."""


# --- the request, as VROOM states it -------------------------------------------------------


def _ordered(window: tuple[int, int]) -> tuple[int, int]:
    if window[1] < window[0]:
        raise ValueError("时间窗结束早于开始 / window ends before it starts")
    return window


def _on_earth(location: tuple[float, float]) -> tuple[float, float]:
    lon, lat = location
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError("应为 [经度, 纬度] / must be [lon, lat] within ±180, ±90")
    return location


Uint = Annotated[int, Field(strict=True, ge=0)]
Id = Annotated[int, Field(strict=True, ge=0, le=ID_MAX)]
Seconds = Annotated[int, Field(strict=True, ge=0, le=TIME_MAX)]
Quantity = Annotated[int, Field(strict=True, ge=0, le=AMOUNT_MAX)]
Entry = Annotated[int, Field(strict=True, ge=0, le=MATRIX_MAX)]
Priority = Annotated[int, Field(strict=True, ge=0, le=PRIORITY_MAX)]
Window = Annotated[tuple[Seconds, Seconds], AfterValidator(_ordered)]
Windows = Annotated[list[Window], Field(min_length=1)]
Degrees = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Flag = Annotated[bool, Field(strict=True)]
Text = Annotated[str, Field(strict=True)]
Location = Annotated[tuple[Degrees, Degrees], AfterValidator(_on_earth)]
Matrix = list[list[Entry]]


class _In(BaseModel):
    # Strict scalars (``Field(strict=True)``): ``true`` is no 1, ``"300"`` no 300.
    model_config = ConfigDict(extra="forbid", frozen=True)


class TaskIn(_In):
    """A job, or one step of a shipment."""

    id: Id
    description: Text | None = None
    location: Location | None = None
    location_index: Uint | None = None
    setup: Seconds = 0
    service: Seconds = 0
    setup_per_type: dict[str, Seconds] | None = None
    service_per_type: dict[str, Seconds] | None = None
    time_windows: Windows | None = None


class JobIn(TaskIn):
    delivery: list[Quantity] | None = None
    pickup: list[Quantity] | None = None
    skills: list[Uint] = []
    priority: Priority = 0


class ShipmentIn(_In):
    pickup: TaskIn
    delivery: TaskIn
    amount: list[Quantity] | None = None
    skills: list[Uint] = []
    priority: Priority = 0


class CostsIn(_In):
    fixed: Uint = 0
    per_hour: Uint = DEFAULT_PER_HOUR
    per_task_hour: Uint = 0
    per_km: Uint = 0


class BreakIn(_In):
    id: Id
    time_windows: Windows | None = None
    service: Seconds = 0
    description: Text | None = None
    max_load: list[Quantity] | None = None


class VehicleStepIn(_In):
    type: Literal["start", "job", "pickup", "delivery", "break", "end"]
    id: Id | None = None
    service_at: Seconds | None = None
    service_after: Seconds | None = None
    service_before: Seconds | None = None


class VehicleIn(_In):
    id: Id
    profile: Text = "car"
    description: Text | None = None
    start: Location | None = None
    start_index: Uint | None = None
    end: Location | None = None
    end_index: Uint | None = None
    capacity: list[Quantity] | None = None
    costs: CostsIn = CostsIn()
    skills: list[Uint] = []
    type: Text | None = None
    time_window: Window | None = None
    breaks: list[BreakIn] = []
    speed_factor: Annotated[float, Field(strict=True, gt=0, le=5, allow_inf_nan=False)] = 1.0
    max_tasks: Uint | None = None
    max_travel_time: Seconds | None = None
    max_distance: Uint | None = None
    steps: list[VehicleStepIn] | None = None


class MatricesIn(_In):
    durations: Matrix | None = None
    distances: Matrix | None = None
    costs: Matrix | None = None


class OptionsIn(_In):
    g: Flag = False  # route geometry
    c: Flag = False  # plan mode ("choose ETA"): refused


class RequestIn(_In):
    jobs: list[JobIn] = []
    shipments: list[ShipmentIn] = []
    vehicles: list[VehicleIn]
    matrices: dict[str, MatricesIn] | None = None
    matrix: Matrix | None = None
    options: OptionsIn = OptionsIn()


def parse_request(payload: Any) -> RequestIn:
    if not isinstance(payload, dict):
        raise VroomInputError(f"{INVALID}: 应为 JSON 对象 / must be a JSON object")
    try:
        return RequestIn.model_validate(payload)
    except ValidationError as exc:
        lines = []
        for err in exc.errors()[:10]:
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
            value = "" if err["type"] == "missing" else f" (got {_short(err.get('input'))})"
            lines.append(f"{where.lstrip('.') or '(top level)'}: {err['msg']}{value}")
        raise VroomInputError(f"{INVALID}: " + "; ".join(lines)) from None


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"
