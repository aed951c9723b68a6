"""The immutable problem model of the van-route optimiser.

Conventions, once for the whole contract (VROOM-style):

- time is integer **seconds since midnight** of the planning day;
- distance is integer **metres**; locations are [lon, lat] WGS-84 (only carried
  for display: the optimiser itself works from the matrices);
- time windows are inclusive ``[early, late]`` and bound the **start** of service:
  a van may arrive early and wait, service may not start after ``late``;
- amounts and capacities are vectors of non-negative integers with one entry per
  capacity dimension (shuyun uses ``(crates, kg)``), all of the same length;
- the matrices are indexed by the position of a site in ``Problem.sites``.

Every type checks its own fields in ``__post_init__``; ``Problem`` checks the
cross-references (site ids, vector lengths, matrix shape) once. Messages name the
field and the value. Defaults change nothing, so a new feature is one defaulted
field, one check and one test row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise

from optimizer.errors import ProblemError

DAY_END = 7 * 24 * 3600
"""Latest representable time (a week, in seconds): the default ``late`` bound."""

UNREACHABLE = 10**9
"""Matrix entries at or above this value mean 'no path'."""


def _check_non_negative(owner: str, name: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProblemError(f"{owner}.{name} must be an integer, got {value!r}")
    if value < 0:
        raise ProblemError(f"{owner}.{name} must be >= 0, got {value}")


def _check_vector(owner: str, name: str, values: Sequence[int]) -> None:
    for i, v in enumerate(values):
        _check_non_negative(owner, f"{name}[{i}]", v)


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """An inclusive window ``[early, late]`` in seconds since midnight, within ``DAY_END``."""

    early: int = 0
    late: int = DAY_END

    def __post_init__(self) -> None:
        _check_non_negative("TimeWindow", "early", self.early)
        _check_non_negative("TimeWindow", "late", self.late)
        if self.late > DAY_END:
            raise ProblemError(
                f"TimeWindow.late ({self.late}) is beyond the planning horizon "
                f"DAY_END ({DAY_END} s, one week)"
            )
        if self.late < self.early:
            raise ProblemError(
                f"TimeWindow.late ({self.late}) is before TimeWindow.early ({self.early})"
            )

    def contains(self, t: int) -> bool:
        return self.early <= t <= self.late


@dataclass(frozen=True, slots=True)
class Site:
    """A stop: the central library, a branch, a service point or a depot.

    ``time_windows`` are the day's opening windows, sorted and disjoint
    (two windows model a lunch closure). ``service_duration`` is the time at the
    site per visit (parking, handing over crates).
    """

    id: str
    location: tuple[float, float] | None = None
    service_duration: int = 0
    time_windows: tuple[TimeWindow, ...] = (TimeWindow(),)
    name: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ProblemError(f"Site.id must be a non-empty string, got {self.id!r}")
        owner = f"Site[{self.id}]"
        _check_non_negative(owner, "service_duration", self.service_duration)
        if not self.time_windows:
            raise ProblemError(f"{owner}.time_windows must hold at least one window")
        windows = tuple(self.time_windows)
        object.__setattr__(self, "time_windows", windows)
        for prev, nxt in pairwise(windows):
            if nxt.early <= prev.late:
                raise ProblemError(
                    f"{owner}.time_windows must be sorted and disjoint, "
                    f"got [{prev.early}, {prev.late}] then [{nxt.early}, {nxt.late}]"
                )
        if self.location is not None:
            lon, lat = self.location
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ProblemError(f"{owner}.location must be [lon, lat], got {self.location}")


@dataclass(frozen=True, slots=True)
class Break:
    """A driver break: ``duration`` seconds starting inside one of ``time_windows``."""

    id: str
    time_windows: tuple[TimeWindow, ...]
    duration: int

    def __post_init__(self) -> None:
        owner = f"Break[{self.id}]"
        _check_non_negative(owner, "duration", self.duration)
        if not self.time_windows:
            raise ProblemError(f"{owner}.time_windows must hold at least one window")
        object.__setattr__(self, "time_windows", tuple(self.time_windows))


@dataclass(frozen=True, slots=True)
class Van:
    """A van (配送车) with its driver's shift.

    ``start``/``end`` are site ids (the depot, usually the central library;
    ``end`` defaults to ``start``). Costs: ``cost_per_km`` and ``cost_per_hour``
    in yuan, ``fixed_cost`` in yuan per van used. ``max_route_duration`` bounds
    end minus start of the route, in seconds.
    """

    id: str
    start: str
    capacity: tuple[int, ...]
    end: str | None = None
    shift: TimeWindow = TimeWindow()
    breaks: tuple[Break, ...] = ()
    max_route_duration: int | None = None
    cost_per_km: float = 1.0
    cost_per_hour: float = 0.0
    fixed_cost: float = 0.0
    skills: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ProblemError(f"Van.id must be a non-empty string, got {self.id!r}")
        owner = f"Van[{self.id}]"
        object.__setattr__(self, "capacity", tuple(self.capacity))
        object.__setattr__(self, "breaks", tuple(self.breaks))
        object.__setattr__(self, "skills", frozenset(self.skills))
        if not self.capacity:
            raise ProblemError(f"{owner}.capacity must have at least one dimension")
        _check_vector(owner, "capacity", self.capacity)
        if self.max_route_duration is not None:
            _check_non_negative(owner, "max_route_duration", self.max_route_duration)
        for name in ("cost_per_km", "cost_per_hour", "fixed_cost"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value < 0:
                raise ProblemError(f"{owner}.{name} must be a number >= 0, got {value!r}")

    @property
    def end_site(self) -> str:
        return self.end if self.end is not None else self.start


class VisitType(StrEnum):
    PICKUP = "pickup"
    DELIVERY = "delivery"


@dataclass(frozen=True, slots=True)
class Visit:
    """One end of a shipment in a hand-made or warm-start route."""

    shipment: str
    type: VisitType

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "type", VisitType(self.type))
        except ValueError:
            raise ProblemError(
                f"Visit[{self.shipment}].type must be 'pickup' or 'delivery', got {self.type!r}"
            ) from None


@dataclass(frozen=True, slots=True)
class PlannedRoute:
    """A route as a dispatcher (or a warm-start solver) gives it: a van and its visits.

    Used by ``solve(..., initial_routes=...)`` as a warm start and by ``check`` to
    annotate a hand-made plan with violations.
    """

    van: str
    visits: tuple[Visit, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "visits", tuple(self.visits))


class ShipmentKind(StrEnum):
    """Why items move (the glossary's transfer kinds)."""

    HOLD = "hold"
    RETURN_HOME = "return_home"
    NEW_STOCK = "new_stock"
    REBALANCE = "rebalance"


@dataclass(frozen=True, slots=True)
class Shipment:
    """A transfer batch: picked up at ``pickup``, delivered at ``delivery`` by the same van.

    ``release`` is the earliest pickup time, ``deadline`` the latest start of the
    delivery (holds). A ``deferrable`` shipment may wait for tomorrow when the
    vans have no room for it today; ``penalty`` (yuan, times ``1 + priority``)
    ranks which ones wait. One that is not deferrable is served before anything
    else is optimised, and reported with a reason when it cannot be.
    """

    id: str
    pickup: str
    delivery: str
    amount: tuple[int, ...]
    kind: ShipmentKind = ShipmentKind.REBALANCE
    priority: int = 0
    release: int = 0
    deadline: int | None = None
    deferrable: bool = False
    penalty: float = 0.0
    skills: frozenset[str] = frozenset()
    pickup_service: int | None = None
    delivery_service: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ProblemError(f"Shipment.id must be a non-empty string, got {self.id!r}")
        owner = f"Shipment[{self.id}]"
        object.__setattr__(self, "amount", tuple(self.amount))
        object.__setattr__(self, "skills", frozenset(self.skills))
        try:
            object.__setattr__(self, "kind", ShipmentKind(self.kind))
        except ValueError:
            raise ProblemError(
                f"{owner}.kind must be one of {[k.value for k in ShipmentKind]}, got {self.kind!r}"
            ) from None
        if not self.amount:
            raise ProblemError(f"{owner}.amount must have at least one dimension")
        _check_vector(owner, "amount", self.amount)
        if self.pickup == self.delivery:
            raise ProblemError(f"{owner}.delivery must differ from pickup, got {self.pickup!r}")
        _check_non_negative(owner, "priority", self.priority)
        _check_non_negative(owner, "release", self.release)
        if self.deadline is not None:
            _check_non_negative(owner, "deadline", self.deadline)
            if self.deadline < self.release:
                raise ProblemError(
                    f"{owner}.deadline ({self.deadline}) is before release ({self.release})"
                )
        if not isinstance(self.penalty, int | float) or self.penalty < 0:
            raise ProblemError(f"{owner}.penalty must be a number >= 0, got {self.penalty!r}")
        for name in ("pickup_service", "delivery_service"):
            value = getattr(self, name)
            if value is not None:
                _check_non_negative(owner, name, value)


@dataclass(frozen=True, slots=True)
class Problem:
    """One day's routing problem: sites, the two matrices, vans and shipments.

    ``durations[i][j]`` (seconds) and ``distances[i][j]`` (metres) go from
    ``sites[i]`` to ``sites[j]``; they may be asymmetric (one-way streets).
    A value of ``UNREACHABLE`` or more means there is no path.
    """

    sites: tuple[Site, ...]
    durations: tuple[tuple[int, ...], ...]
    distances: tuple[tuple[int, ...], ...]
    vans: tuple[Van, ...]
    shipments: tuple[Shipment, ...]
    site_index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sites = tuple(self.sites)
        object.__setattr__(self, "sites", sites)
        object.__setattr__(self, "vans", tuple(self.vans))
        object.__setattr__(self, "shipments", tuple(self.shipments))
        object.__setattr__(self, "durations", _as_matrix("durations", self.durations, len(sites)))
        object.__setattr__(self, "distances", _as_matrix("distances", self.distances, len(sites)))
        index: dict[str, int] = {}
        for i, site in enumerate(sites):
            if site.id in index:
                raise ProblemError(f"Problem.sites has a duplicate id {site.id!r}")
            index[site.id] = i
        object.__setattr__(self, "site_index", index)
        dims: int | None = None
        seen: set[str] = set()
        for van in self.vans:
            if van.id in seen:
                raise ProblemError(f"Problem.vans has a duplicate id {van.id!r}")
            seen.add(van.id)
            for name, ref in (("start", van.start), ("end", van.end_site)):
                if ref not in index:
                    raise ProblemError(f"Van[{van.id}].{name} names an unknown site {ref!r}")
            dims = dims if dims is not None else len(van.capacity)
            if len(van.capacity) != dims:
                raise ProblemError(
                    f"Van[{van.id}].capacity has {len(van.capacity)} dimensions, expected {dims}"
                )
        seen = set()
        for shipment in self.shipments:
            if shipment.id in seen:
                raise ProblemError(f"Problem.shipments has a duplicate id {shipment.id!r}")
            seen.add(shipment.id)
            for name, ref in (("pickup", shipment.pickup), ("delivery", shipment.delivery)):
                if ref not in index:
                    raise ProblemError(
                        f"Shipment[{shipment.id}].{name} names an unknown site {ref!r}"
                    )
            if dims is not None and len(shipment.amount) != dims:
                raise ProblemError(
                    f"Shipment[{shipment.id}].amount has {len(shipment.amount)} dimensions, "
                    f"expected {dims} like the vans' capacity"
                )

    @property
    def dimensions(self) -> int:
        """Number of capacity dimensions (1 when there are no vans)."""
        return len(self.vans[0].capacity) if self.vans else 1

    def index_of(self, site_id: str) -> int:
        return self.site_index[site_id]


def _as_matrix(name: str, matrix: Sequence[Sequence[int]], n: int) -> tuple[tuple[int, ...], ...]:
    rows = tuple(tuple(int(v) for v in row) for row in matrix)
    if len(rows) != n or any(len(row) != n for row in rows):
        shape = f"{len(rows)}x{len(rows[0]) if rows else 0}"
        raise ProblemError(f"Problem.{name} must be {n}x{n} (one row per site), got {shape}")
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v < 0:
                raise ProblemError(f"Problem.{name}[{i}][{j}] must be >= 0, got {v}")
    return rows
