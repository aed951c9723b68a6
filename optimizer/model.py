"""The immutable problem model of the van-route optimiser.

Conventions, once for the whole contract (VROOM-style):

- time is integer **seconds** from the start of the planning day (seconds since
  midnight for shuyun's own days; any origin the data share, UNIX timestamps
  included, as VROOM's clients send them);
- distance is integer **metres**; locations are [lon, lat] WGS-84 (only carried
  for display: the optimiser itself works from the matrices);
- time windows are inclusive ``[early, late]`` and bound the **start** of service:
  a van may arrive early and wait, service may not start after ``late``;
- amounts and capacities are vectors of non-negative integers with one entry per
  capacity dimension (shuyun uses ``(crates, kg)``), all of the same length;
- the matrices are indexed by the position of a site in ``Problem.sites``.

Every number has an accepted range, checked where it is defined; anything outside
it raises ``ProblemError`` naming the field and the value. Integers must be real
``int`` (not ``bool``, ``float`` or ``str``; a matrix may also hold numpy integers),
numbers of yuan real ``int`` or ``float``, finite:

=======================================  =====  =======================================
field (unit)                             type   accepted range
=======================================  =====  =======================================
``TimeWindow.early``, ``.late`` (s)      int    0 ≤ early ≤ late ≤ ``TIME_MAX``
``Shipment.release``, ``.deadline`` (s)  int    0 ≤ release ≤ deadline ≤ ``TIME_MAX``
``Site.service_duration`` (s)            int    0 … ``TIME_MAX``
``Break.duration`` (s)                   int    0 … ``TIME_MAX``
``Shipment.pickup_service`` (s)          int    0 … ``TIME_MAX``, or None (0)
``Shipment.delivery_service`` (s)        int    0 … ``TIME_MAX``, or None (0)
``Van.max_route_duration`` (s)           int    0 … ``TIME_MAX``, or None (no bound)
``Problem.durations[i][j]`` (s)          int    0 … ``MATRIX_MAX``; ``UNREACHABLE`` and
``Problem.distances[i][j]`` (m)          int    above: no path
``Van.capacity[d]`` (crates, kg...)      int    0 … ``AMOUNT_MAX`` (10⁹)
``Shipment.amount[d]``                   int    0 … ``AMOUNT_MAX`` (10⁹)
``Shipment.priority``                    int    0 … ``PRIORITY_MAX`` (100)
``Van.cost_per_km`` (yuan/km)            float  0 … ``RATE_MAX`` (10⁵), finite
``Van.cost_per_hour`` (yuan/h)           float  0 … ``RATE_MAX`` (10⁵), finite
``Van.fixed_cost`` (yuan)                float  0 … ``COST_MAX`` (10⁶), finite
``Shipment.penalty`` (yuan)              float  0 … ``COST_MAX`` (10⁶), finite
``Site.location`` (degrees)              float  lon −180 … 180, lat −90 … 90
number of ``Problem.shipments``          int    0 … ``MAX_SHIPMENTS`` (3,000)
number of ``Problem.vans``               int    0 … ``MAX_VANS`` (1,000)
=======================================  =====  =======================================

``TIME_MAX`` and ``MATRIX_MAX`` are 2³² − 1 (for times, about 136 years: UNIX time
until 2106); ``UNREACHABLE`` is 10⁹.

Why these bounds. Times and matrix entries stay below 2³² because VROOM (the warm
start) takes them as uint32; OR-Tools and PyVRP take int64. The rest keeps the
OR-Tools objective (integer milli-yuan, ``optimizer._ortools``) within int64 for a
whole day, in the worst case:

- every shipment left out as locked (``LOCK_WEIGHT``, one step above a hold of the top
  priority; a hold or a deferrable one costs less): ``3,000 × 2 nodes × DROP_PENALTY 10¹³
  × 102`` = 6.12·10¹⁸;
- every van used: ``1,000 × (VAN_WEIGHT 10⁹ + 10⁶ yuan × 1,000)`` = 2·10¹²;
- every arc of every route at the dearest rates (reachable entries are below
  ``UNREACHABLE``): ``(2 × 3,000 + 1,000) arcs × (10⁹ m × 10⁵ + 10⁹ s × 10⁵ ×
  1,000 / 3,600)`` = 9.0·10¹⁷;

7.1·10¹⁸ in all, below 2⁶³ ≈ 9.2·10¹⁸. ``PRIORITY_MAX`` is the objective's own cap on priorities
(``optimizer._ortools._MAX_PRIORITY``), which keeps its tiers apart.

The horizon. No fixed day length: ``Problem.horizon`` is the latest time a plan of
this problem can need, derived from its data (see there), at most ``TIME_MAX``.

Locks. ``Problem.locks`` are visits a dispatcher fixed on a van (``Lock``), for a plan
re-planned around them: each shipment with a locked visit rides on that van (both of its
visits), and the locked visits of one lock keep their order; other visits may go before,
between and after them. Two locks on one van are two orders, each kept, with nothing said
between them. A lock that cannot be kept is reported (``lock_infeasible``), never an error.

Every type checks its own fields in ``__post_init__``; ``Problem`` checks the
cross-references (site ids, vector lengths, matrix shape, the locks' ids) once. Defaults change
nothing (a window is open, ``[0, TIME_MAX]``), so a new feature is one defaulted
field, one check and one test row.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise
from typing import Any

from optimizer.errors import ProblemError

TIME_MAX = 2**32 - 1
"""Latest time and longest duration, in seconds (VROOM's uint32 range; about 136
years, or UNIX time until 2106): also the ``late`` of an open window."""

UNREACHABLE = 10**9
"""Matrix entries at or above this value mean 'no path'."""

MATRIX_MAX = 2**32 - 1
"""Largest matrix entry accepted (VROOM's uint32 range); any from ``UNREACHABLE`` on
means 'no path'."""

AMOUNT_MAX = 10**9
"""Largest capacity or amount in one dimension."""

PRIORITY_MAX = 100
"""Highest shipment priority."""

RATE_MAX = 1e5
"""Largest ``cost_per_km`` (yuan/km) and ``cost_per_hour`` (yuan/h)."""

COST_MAX = 1e6
"""Largest ``fixed_cost`` and ``penalty`` (yuan)."""

MAX_SHIPMENTS = 3000
"""Most shipments in one problem (the objective's int64 range, see the module docstring)."""

MAX_VANS = 1000
"""Most vans in one problem."""


def _shown(value: object, limit: int = 40) -> str:
    # 10**300 is a valid Python int: keep messages one line long.
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text)} characters)"


def _check_int(owner: str, name: str, value: object, hi: int) -> None:
    """``value`` is an ``int`` (not a bool) within ``[0, hi]``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProblemError(f"{owner}.{name} must be an integer, got {_shown(value)}")
    if value < 0:
        raise ProblemError(f"{owner}.{name} must be >= 0, got {value}")
    if value > hi:
        raise ProblemError(f"{owner}.{name} must be <= {hi}, got {_shown(value)}")


def _check_number(owner: str, name: str, value: object, hi: float) -> None:
    """``value`` is a finite ``int`` or ``float`` (not a bool) within ``[0, hi]``."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ProblemError(f"{owner}.{name} must be a number >= 0, got {_shown(value)}")
    if not math.isfinite(value):
        raise ProblemError(f"{owner}.{name} must be a finite number, got {value!r}")
    if value < 0:
        raise ProblemError(f"{owner}.{name} must be a number >= 0, got {value!r}")
    if value > hi:
        raise ProblemError(f"{owner}.{name} must be <= {int(hi)}, got {_shown(value)}")


def _check_vector(owner: str, name: str, values: Sequence[int], hi: int) -> None:
    for i, v in enumerate(values):
        _check_int(owner, f"{name}[{i}]", v, hi)


def _check_id(owner: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ProblemError(f"{owner}.id must be a non-empty string, got {_shown(value)}")


def _check_windows(owner: str, name: str, windows: Sequence[object]) -> None:
    if not windows:
        raise ProblemError(f"{owner}.{name} must hold at least one window")
    for i, window in enumerate(windows):
        if not isinstance(window, TimeWindow):
            raise ProblemError(f"{owner}.{name}[{i}] must be a TimeWindow, got {_shown(window)}")


def _check_skills(owner: str, skills: frozenset[object]) -> None:
    for skill in skills:
        if not isinstance(skill, str):
            raise ProblemError(f"{owner}.skills must be strings, got {_shown(skill)}")


def _as_tuple(owner: str, name: str, value: object) -> tuple[Any, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | set | frozenset):
        tolist = getattr(value, "tolist", None)  # a numpy vector
        if not callable(tolist):
            raise ProblemError(f"{owner}.{name} must be a sequence, got {_shown(value)}")
        value = tolist()
    return tuple(value)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """An inclusive window ``[early, late]`` in seconds, within ``TIME_MAX``.

    The default, ``[0, TIME_MAX]``, is open: it never binds.
    """

    early: int = 0
    late: int = TIME_MAX

    def __post_init__(self) -> None:
        _check_int("TimeWindow", "early", self.early, TIME_MAX)
        _check_int("TimeWindow", "late", self.late, TIME_MAX)
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
        _check_id("Site", self.id)
        owner = f"Site[{self.id}]"
        _check_int(owner, "service_duration", self.service_duration, TIME_MAX)
        windows = _as_tuple(owner, "time_windows", self.time_windows)
        object.__setattr__(self, "time_windows", windows)
        _check_windows(owner, "time_windows", windows)
        for prev, nxt in pairwise(windows):
            if nxt.early <= prev.late:
                raise ProblemError(
                    f"{owner}.time_windows must be sorted and disjoint, "
                    f"got [{prev.early}, {prev.late}] then [{nxt.early}, {nxt.late}]"
                )
        if self.location is not None:
            location = _as_tuple(owner, "location", self.location)
            if not (
                len(location) == 2
                and all(isinstance(c, int | float) and not isinstance(c, bool) for c in location)
                and -180 <= location[0] <= 180  # also refuses nan
                and -90 <= location[1] <= 90
            ):
                raise ProblemError(
                    f"{owner}.location must be [lon, lat], got {_shown(self.location)}"
                )
            object.__setattr__(self, "location", location)
        if not isinstance(self.name, str):
            raise ProblemError(f"{owner}.name must be a string, got {_shown(self.name)}")


@dataclass(frozen=True, slots=True)
class Break:
    """A driver break: ``duration`` seconds starting inside one of ``time_windows``."""

    id: str
    time_windows: tuple[TimeWindow, ...]
    duration: int

    def __post_init__(self) -> None:
        _check_id("Break", self.id)
        owner = f"Break[{self.id}]"
        _check_int(owner, "duration", self.duration, TIME_MAX)
        windows = _as_tuple(owner, "time_windows", self.time_windows)
        object.__setattr__(self, "time_windows", windows)
        _check_windows(owner, "time_windows", windows)


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
        _check_id("Van", self.id)
        owner = f"Van[{self.id}]"
        object.__setattr__(self, "capacity", _as_tuple(owner, "capacity", self.capacity))
        object.__setattr__(self, "breaks", _as_tuple(owner, "breaks", self.breaks))
        object.__setattr__(self, "skills", frozenset(_as_tuple(owner, "skills", self.skills)))
        for name, site in (("start", self.start), ("end", self.end)):
            if not isinstance(site, str) and not (name == "end" and site is None):
                raise ProblemError(f"{owner}.{name} must be a site id, got {_shown(site)}")
        if not self.capacity:
            raise ProblemError(f"{owner}.capacity must have at least one dimension")
        _check_vector(owner, "capacity", self.capacity, AMOUNT_MAX)
        if not isinstance(self.shift, TimeWindow):
            raise ProblemError(f"{owner}.shift must be a TimeWindow, got {_shown(self.shift)}")
        for i, brk in enumerate(self.breaks):
            if not isinstance(brk, Break):
                raise ProblemError(f"{owner}.breaks[{i}] must be a Break, got {_shown(brk)}")
        if self.max_route_duration is not None:
            _check_int(owner, "max_route_duration", self.max_route_duration, TIME_MAX)
        _check_number(owner, "cost_per_km", self.cost_per_km, RATE_MAX)
        _check_number(owner, "cost_per_hour", self.cost_per_hour, RATE_MAX)
        _check_number(owner, "fixed_cost", self.fixed_cost, COST_MAX)
        _check_skills(owner, self.skills)

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


@dataclass(frozen=True, slots=True)
class Lock:
    """Visits a dispatcher fixed on a van, in this order; other visits may go between."""

    van: str
    visits: tuple[Visit, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.van, str) or not self.van:
            raise ProblemError(f"Lock.van must be a van id, got {_shown(self.van)}")
        owner = f"Lock[{self.van}]"
        visits = _as_tuple(owner, "visits", self.visits)
        for i, visit in enumerate(visits):
            if not isinstance(visit, Visit):
                raise ProblemError(f"{owner}.visits[{i}] must be a Visit, got {_shown(visit)}")
        object.__setattr__(self, "visits", visits)


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
        _check_id("Shipment", self.id)
        owner = f"Shipment[{self.id}]"
        object.__setattr__(self, "amount", _as_tuple(owner, "amount", self.amount))
        object.__setattr__(self, "skills", frozenset(_as_tuple(owner, "skills", self.skills)))
        try:
            object.__setattr__(self, "kind", ShipmentKind(self.kind))
        except ValueError:
            raise ProblemError(
                f"{owner}.kind must be one of {[k.value for k in ShipmentKind]}, "
                f"got {_shown(self.kind)}"
            ) from None
        for name in ("pickup", "delivery"):
            if not isinstance(getattr(self, name), str):
                raise ProblemError(
                    f"{owner}.{name} must be a site id, got {_shown(getattr(self, name))}"
                )
        if not self.amount:
            raise ProblemError(f"{owner}.amount must have at least one dimension")
        _check_vector(owner, "amount", self.amount, AMOUNT_MAX)
        if self.pickup == self.delivery:
            raise ProblemError(f"{owner}.delivery must differ from pickup, got {self.pickup!r}")
        _check_int(owner, "priority", self.priority, PRIORITY_MAX)
        _check_int(owner, "release", self.release, TIME_MAX)
        if self.deadline is not None:
            _check_int(owner, "deadline", self.deadline, TIME_MAX)
            if self.deadline < self.release:
                raise ProblemError(
                    f"{owner}.deadline ({self.deadline}) is before release ({self.release})"
                )
        if not isinstance(self.deferrable, bool):
            raise ProblemError(
                f"{owner}.deferrable must be True or False, got {_shown(self.deferrable)}"
            )
        _check_number(owner, "penalty", self.penalty, COST_MAX)
        _check_skills(owner, self.skills)
        for name in ("pickup_service", "delivery_service"):
            value = getattr(self, name)
            if value is not None:
                _check_int(owner, name, value, TIME_MAX)


@dataclass(frozen=True, slots=True)
class Problem:
    """One day's routing problem: sites, the two matrices, vans and shipments.

    ``durations[i][j]`` (seconds) and ``distances[i][j]`` (metres) go from
    ``sites[i]`` to ``sites[j]``; they may be asymmetric (one-way streets).
    A value of ``UNREACHABLE`` or more means there is no path.

    ``horizon`` (derived, not given) is the latest time a plan can need: the
    latest time anything may begin (a window's ``early``, a ``release``), plus
    all the work one van could do after it (every visit's site and own service,
    the breaks of the van with the most, and ``2 × shipments + 1`` legs of the
    longest reachable duration), but no later than the latest shift end (when
    that is later than the latest beginning) and ``TIME_MAX``. Sound because
    every service, break and arrival of a plan can start as early as the rules
    allow, and then each starts at a beginning or straight after other work; and
    every visit of a van comes before its return, within its shift. The solvers
    use it as the time dimension's range.

    ``locks`` (see the module docstring) name known vans and shipments; a visit is locked
    at most once, a shipment on one van only, and a lock may not put a delivery before its
    own pickup. Derived from them: ``locked_van`` (shipment id → the van its locked visits
    are on) and ``lock_rank`` ((shipment id, visit type) → (index of its lock in
    ``locks``, position in that lock)).
    """

    sites: tuple[Site, ...]
    durations: tuple[tuple[int, ...], ...]
    distances: tuple[tuple[int, ...], ...]
    vans: tuple[Van, ...]
    shipments: tuple[Shipment, ...]
    locks: tuple[Lock, ...] = ()
    site_index: dict[str, int] = field(init=False, repr=False, compare=False)
    horizon: int = field(init=False, repr=False, compare=False)
    locked_van: dict[str, str] = field(init=False, repr=False, compare=False)
    lock_rank: dict[tuple[str, VisitType], tuple[int, int]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        sites = _as_tuple("Problem", "sites", self.sites)
        object.__setattr__(self, "sites", sites)
        object.__setattr__(self, "vans", _as_tuple("Problem", "vans", self.vans))
        object.__setattr__(self, "shipments", _as_tuple("Problem", "shipments", self.shipments))
        for name, kind, items in (
            ("sites", Site, self.sites),
            ("vans", Van, self.vans),
            ("shipments", Shipment, self.shipments),
        ):
            for i, item in enumerate(items):
                if not isinstance(item, kind):
                    raise ProblemError(
                        f"Problem.{name}[{i}] must be a {kind.__name__}, got {_shown(item)}"
                    )
        for name, items, most in (
            ("vans", self.vans, MAX_VANS),
            ("shipments", self.shipments, MAX_SHIPMENTS),
        ):
            if len(items) > most:
                raise ProblemError(f"Problem.{name} must hold at most {most}, got {len(items)}")
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
        object.__setattr__(self, "horizon", _horizon(self))
        object.__setattr__(self, "locks", _as_tuple("Problem", "locks", self.locks))
        locked_van, lock_rank = _index_locks(self)
        object.__setattr__(self, "locked_van", locked_van)
        object.__setattr__(self, "lock_rank", lock_rank)

    @property
    def dimensions(self) -> int:
        """Number of capacity dimensions (1 when there are no vans)."""
        return len(self.vans[0].capacity) if self.vans else 1

    def index_of(self, site_id: str) -> int:
        return self.site_index[site_id]


def _index_locks(
    problem: Problem,
) -> tuple[dict[str, str], dict[tuple[str, VisitType], tuple[int, int]]]:
    """``Problem.locked_van`` and ``Problem.lock_rank``, the locks' references checked."""
    vans = {van.id for van in problem.vans}
    shipments = {shipment.id for shipment in problem.shipments}
    locked_van: dict[str, str] = {}
    lock_rank: dict[tuple[str, VisitType], tuple[int, int]] = {}
    first_on: dict[str, str] = {}  # shipment id -> where its first locked visit is
    for n, lock in enumerate(problem.locks):
        if not isinstance(lock, Lock):
            raise ProblemError(f"Problem.locks[{n}] must be a Lock, got {_shown(lock)}")
        if lock.van not in vans:
            raise ProblemError(f"Problem.locks[{n}].van names an unknown van {lock.van!r}")
        for i, visit in enumerate(lock.visits):
            where = f"Problem.locks[{n}].visits[{i}]"
            sid, vtype = visit.shipment, visit.type
            if sid not in shipments:
                raise ProblemError(f"{where}.shipment names an unknown shipment {sid!r}")
            if (sid, vtype) in lock_rank:
                m, j = lock_rank[(sid, vtype)]
                raise ProblemError(
                    f"{where} locks the {vtype.value} of {sid!r} a second time "
                    f"(first at locks[{m}].visits[{j}])"
                )
            if locked_van.get(sid, lock.van) != lock.van:
                raise ProblemError(
                    f"{where} locks {sid!r} on van {lock.van!r}, but {first_on[sid]} locks it "
                    f"on van {locked_van[sid]!r}"
                )
            delivery = lock_rank.get((sid, VisitType.DELIVERY))
            if vtype == VisitType.PICKUP and delivery is not None and delivery[0] == n:
                raise ProblemError(
                    f"Problem.locks[{n}].visits[{delivery[1]}] locks the delivery of {sid!r} "
                    f"before its pickup (visits[{i}])"
                )
            locked_van[sid] = lock.van
            first_on.setdefault(sid, where)
            lock_rank[(sid, vtype)] = (n, i)
    return locked_van, lock_rank


def _horizon(problem: Problem) -> int:
    """``Problem.horizon`` (see there)."""
    windows = [w for site in problem.sites for w in site.time_windows]
    windows += [van.shift for van in problem.vans]
    windows += [w for van in problem.vans for brk in van.breaks for w in brk.time_windows]
    begin = max([0, *(w.early for w in windows), *(s.release for s in problem.shipments)])
    sites = problem.sites
    index = problem.site_index
    work = sum(
        sites[index[s.pickup]].service_duration
        + sites[index[s.delivery]].service_duration
        + (s.pickup_service or 0)
        + (s.delivery_service or 0)
        for s in problem.shipments
    )
    work += max((sum(b.duration for b in van.breaks) for van in problem.vans), default=0)
    longest = max(
        (
            max(row)
            if max(row) < UNREACHABLE
            else max((v for v in row if v < UNREACHABLE), default=0)
            for row in problem.durations
            if row
        ),
        default=0,
    )
    work += (2 * len(problem.shipments) + 1) * longest
    horizon = min(TIME_MAX, begin + work)
    if problem.vans:
        horizon = min(horizon, max(begin, max(van.shift.late for van in problem.vans)))
    return horizon


def _as_matrix(name: str, matrix: object, n: int) -> tuple[tuple[int, ...], ...]:
    """The matrix as a tuple of ``n`` rows of ``n`` integers in ``[0, MATRIX_MAX]``."""
    owner = f"Problem.{name}"
    rows = _as_tuple("Problem", name, matrix)
    if len(rows) != n:
        raise ProblemError(f"{owner} has {len(rows)} rows, expected {n} (one per site)")
    out = []
    for i, raw in enumerate(rows):
        row = _as_tuple("Problem", f"{name}[{i}]", raw)
        if len(row) != n:
            raise ProblemError(f"{owner}[{i}] has {len(row)} entries, expected {n}")
        if not all(type(v) is int for v in row):
            row = tuple(_entry(owner, i, j, v) for j, v in enumerate(row))
        if row and (min(row) < 0 or max(row) > MATRIX_MAX):
            j, v = next((j, v) for j, v in enumerate(row) if not 0 <= v <= MATRIX_MAX)
            if v < 0:
                raise ProblemError(f"{owner}[{i}][{j}] must be >= 0, got {v}")
            raise ProblemError(
                f"{owner}[{i}][{j}] must be <= {MATRIX_MAX} ({UNREACHABLE} or more means "
                f"no path), got {_shown(v)}"
            )
        out.append(row)
    return tuple(out)


def _entry(owner: str, i: int, j: int, value: object) -> int:
    # numpy integers are integers; a bool, a float (even 300.0) or a string is not.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ProblemError(f"{owner}[{i}][{j}] must be an integer, got {_shown(value)}")
    return int(value)
