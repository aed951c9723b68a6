"""The optimiser's problem as JSON and back: strict and lossless (VROOM-shaped).

Conventions (as in VROOM's API): [lon, lat] WGS-84, integer seconds (since midnight, or
from any origin the file shares, UNIX time included), integer metres, inclusive time
windows that bound the start of service, amounts as vectors (crates, kg). Matrices are
indexed by the order of ``sites``.

Every field of the optimiser's model has a JSON field (``problem_to_dict`` writes them
all; ``problem_from_dict`` reads them back to an equal ``Problem``). Types are strict:
an integer is a JSON integer (not ``true``, ``"300"`` or ``1.5``), a number is finite
(``NaN`` and ``Infinity``, which Python's JSON reader accepts, are refused), and each
number lies in the range the model states (``optimizer.model``); a refusal names the
JSON path and the value. ``locks`` (optional) are a dispatcher's locked visits:
``[{"van": "van-1", "visits": [{"shipment": "s1", "type": "pickup"}, ...]}]``.

Two readers: ``shuyun solve`` (its file, ``api.problem_json``) and the stored plans, which
keep the problem they were made for so that a dispatcher's edits are checked and
re-planned against it.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from optimizer import (
    AMOUNT_MAX,
    COST_MAX,
    MATRIX_MAX,
    PRIORITY_MAX,
    RATE_MAX,
    TIME_MAX,
    Break,
    Lock,
    Problem,
    ProblemError,
    Shipment,
    ShipmentKind,
    Site,
    TimeWindow,
    Van,
    Visit,
    VisitType,
)

# Strict: pydantic's lax mode would read ``true`` as 1 and ``"300"`` as 300.
Seconds = Annotated[int, Field(strict=True, ge=0, le=TIME_MAX)]
Entry = Annotated[int, Field(strict=True, ge=0, le=MATRIX_MAX)]
Quantity = Annotated[int, Field(strict=True, ge=0, le=AMOUNT_MAX)]
Priority = Annotated[int, Field(strict=True, ge=0, le=PRIORITY_MAX)]
Rate = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, le=RATE_MAX)]
Yuan = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, le=COST_MAX)]
Degrees = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Flag = Annotated[bool, Field(strict=True)]
Text = Annotated[str, Field(strict=True)]


def _ordered(window: tuple[int, int]) -> tuple[int, int]:
    # Checked here, not only in ``optimizer.TimeWindow``, so that the message carries the
    # JSON path (``sites.1.time_windows.0``) of the offending window.
    early, late = window
    if late < early:
        raise ValueError("时间窗结束早于开始 / window ends before it starts")
    return window


Window = Annotated[tuple[Seconds, Seconds], AfterValidator(_ordered)]

OPEN: tuple[int, int] = (0, TIME_MAX)
"""The default window: open, as ``optimizer.TimeWindow()``."""

#: Header of every ``ProblemInputError`` raised for the content of a problem.
INVALID = "问题 JSON 无效 / invalid problem JSON"

VROOM_HINT = (
    "  这是 VROOM 的请求格式：命令行加 --vroom，或提交到 POST /vroom / "
    "this is VROOM's own request format: add --vroom on the command line, or POST it to /vroom"
)
"""Added when the refused file is VROOM's request: read as ours it names every field wrong."""

MAX_LINES = 10
"""At most this many refusals are listed (a matrix of strings would give one per entry)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteIn(_Strict):
    id: Text
    location: tuple[Degrees, Degrees] | None = None
    service: Seconds = 0
    time_windows: list[Window] = Field(default_factory=lambda: [OPEN])
    name: Text = ""


class BreakIn(_Strict):
    id: Text
    time_windows: list[Window]
    service: Seconds


class CostsIn(_Strict):
    per_km: Rate = 1.0
    per_hour: Rate = 0.0
    fixed: Yuan = 0.0


class VanIn(_Strict):
    id: Text
    start: Text
    end: Text | None = None
    capacity: list[Quantity]
    time_window: Window = OPEN
    breaks: list[BreakIn] = Field(default_factory=list)
    max_travel_time: Seconds | None = None
    costs: CostsIn = CostsIn()
    skills: list[Text] = Field(default_factory=list)


class ShipmentIn(_Strict):
    id: Text
    pickup: Text
    delivery: Text
    amount: list[Quantity]
    kind: ShipmentKind = ShipmentKind.REBALANCE
    priority: Priority = 0
    release: Seconds = 0
    deadline: Seconds | None = None
    deferrable: Flag = False
    penalty: Yuan = 0.0
    skills: list[Text] = Field(default_factory=list)
    pickup_service: Seconds | None = None
    delivery_service: Seconds | None = None


class VisitIn(_Strict):
    shipment: Text
    type: VisitType


class LockIn(_Strict):
    """A dispatcher's locked stops: ``visits`` fixed on ``van``, in this order."""

    van: Text
    visits: list[VisitIn]


class MatricesIn(_Strict):
    durations: list[list[Entry]]
    distances: list[list[Entry]]


class ProblemIn(_Strict):
    sites: list[SiteIn]
    matrices: MatricesIn
    vans: list[VanIn]
    shipments: list[ShipmentIn]
    locks: list[LockIn] = Field(default_factory=list)


class ProblemInputError(ValueError):
    """The JSON problem is invalid; the message names the field and the value."""


def _short(value: Any, limit: int = 80) -> str:
    # A missing field reports its parent object as the input: keep messages one line long.
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _looks_like_vroom(data: Any) -> bool:
    """VROOM's own request (``vehicles`` with ``jobs`` or ``shipments``), not ours."""
    return (
        isinstance(data, dict)
        and "vans" not in data
        and "vehicles" in data
        and ("jobs" in data or "shipments" in data)
    )


def _windows(windows: list[Window]) -> tuple[TimeWindow, ...]:
    return tuple(TimeWindow(a, b) for a, b in windows)


def problem_from_dict(data: Any) -> Problem:
    """Validate a decoded JSON problem and build the optimiser's ``Problem``.

    Raises
    ------
    ProblemInputError
        A header line, then one line per problem, each naming the field path and the value.
    """
    try:
        parsed = ProblemIn.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        lines = [f"{INVALID}:"]
        for err in errors[:MAX_LINES]:
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"  {where}: {msg} (got {_short(err.get('input'))})")
        if len(errors) > MAX_LINES:
            lines.append(
                f"  …另有 {len(errors) - MAX_LINES} 处 / and {len(errors) - MAX_LINES} more"
            )
        if _looks_like_vroom(data):  # said first: every line below follows from it
            lines.insert(1, VROOM_HINT)
        raise ProblemInputError("\n".join(lines)) from None
    try:
        return Problem(
            sites=tuple(
                Site(
                    id=s.id,
                    location=s.location,
                    service_duration=s.service,
                    time_windows=_windows(s.time_windows),
                    name=s.name,
                )
                for s in parsed.sites
            ),
            durations=tuple(tuple(r) for r in parsed.matrices.durations),
            distances=tuple(tuple(r) for r in parsed.matrices.distances),
            vans=tuple(
                Van(
                    id=v.id,
                    start=v.start,
                    end=v.end,
                    capacity=tuple(v.capacity),
                    shift=TimeWindow(*v.time_window),
                    breaks=tuple(
                        Break(id=b.id, time_windows=_windows(b.time_windows), duration=b.service)
                        for b in v.breaks
                    ),
                    max_route_duration=v.max_travel_time,
                    cost_per_km=v.costs.per_km,
                    cost_per_hour=v.costs.per_hour,
                    fixed_cost=v.costs.fixed,
                    skills=frozenset(v.skills),
                )
                for v in parsed.vans
            ),
            shipments=tuple(
                Shipment(
                    id=s.id,
                    pickup=s.pickup,
                    delivery=s.delivery,
                    amount=tuple(s.amount),
                    kind=s.kind,
                    priority=s.priority,
                    release=s.release,
                    deadline=s.deadline,
                    deferrable=s.deferrable,
                    penalty=s.penalty,
                    skills=frozenset(s.skills),
                    pickup_service=s.pickup_service,
                    delivery_service=s.delivery_service,
                )
                for s in parsed.shipments
            ),
            locks=tuple(
                Lock(lock.van, tuple(Visit(v.shipment, v.type) for v in lock.visits))
                for lock in parsed.locks
            ),
        )
    except ProblemError as exc:
        raise ProblemInputError(f"{INVALID}: {exc}") from None


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The inverse of ``problem_from_dict`` (for writing demo problems to disk)."""
    return {
        "sites": [
            {
                "id": s.id,
                "location": list(s.location) if s.location else None,
                "service": s.service_duration,
                "time_windows": [[w.early, w.late] for w in s.time_windows],
                "name": s.name,
            }
            for s in problem.sites
        ],
        "matrices": {
            "durations": [list(r) for r in problem.durations],
            "distances": [list(r) for r in problem.distances],
        },
        "vans": [
            {
                "id": v.id,
                "start": v.start,
                "end": v.end,
                "capacity": list(v.capacity),
                "time_window": [v.shift.early, v.shift.late],
                "breaks": [
                    {
                        "id": b.id,
                        "time_windows": [[w.early, w.late] for w in b.time_windows],
                        "service": b.duration,
                    }
                    for b in v.breaks
                ],
                "max_travel_time": v.max_route_duration,
                "costs": {
                    "per_km": v.cost_per_km,
                    "per_hour": v.cost_per_hour,
                    "fixed": v.fixed_cost,
                },
                "skills": sorted(v.skills),
            }
            for v in problem.vans
        ],
        "shipments": [
            {
                "id": s.id,
                "pickup": s.pickup,
                "delivery": s.delivery,
                "amount": list(s.amount),
                "kind": s.kind.value,
                "priority": s.priority,
                "release": s.release,
                "deadline": s.deadline,
                "deferrable": s.deferrable,
                "penalty": s.penalty,
                "skills": sorted(s.skills),
                "pickup_service": s.pickup_service,
                "delivery_service": s.delivery_service,
            }
            for s in problem.shipments
        ],
        "locks": [
            {
                "van": lock.van,
                "visits": [{"shipment": v.shipment, "type": v.type.value} for v in lock.visits],
            }
            for lock in problem.locks
        ],
    }
