"""The catalogue's fleet as the optimiser's vans, and back.

A van row (:class:`catalog.models.Van`) becomes one optimiser :class:`~optimizer.Van`: the
depot's site code as start and end, ``(crates, kg)`` capacity, the driver's shift, one lunch
break if the van has a break window. :func:`save_vans` stores optimiser vans (the demo's
fleet) as rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from catalog.fleet import VanSpec, create_van, list_vans
from catalog.models import Van as VanRow
from dispatch.errors import DispatchError
from optimizer import Break, TimeWindow, Van

__all__ = ["LUNCH_BREAK_ID", "optimizer_van", "save_vans", "vans_for_day"]

LUNCH_BREAK_ID = "lunch"


def optimizer_van(row: VanRow) -> Van:
    """The optimiser's view of one van row."""
    breaks: tuple[Break, ...] = ()
    if row.break_start_s is not None and row.break_end_s is not None and row.break_s > 0:
        breaks = (
            Break(
                id=LUNCH_BREAK_ID,
                time_windows=(TimeWindow(row.break_start_s, row.break_end_s),),
                duration=row.break_s,
            ),
        )
    return Van(
        id=row.code,
        start=row.depot.code,
        capacity=(row.capacity_crates, row.capacity_kg),
        shift=TimeWindow(row.shift_start_s, row.shift_end_s),
        breaks=breaks,
        max_route_duration=row.max_route_s,
        cost_per_km=row.cost_per_km,
        cost_per_hour=row.cost_per_hour,
        fixed_cost=row.fixed_cost,
    )


def vans_for_day(session: Session, day: date) -> tuple[Van, ...]:
    """The active vans of the fleet for ``day``, by code.

    ``day`` is the planning day; every active van drives every day until the fleet keeps a
    calendar of its own.
    """
    del day  # one fleet for every day, for now
    rows, total = list_vans(session, active=True, limit=10_000)
    if total > len(rows):
        raise DispatchError("vans", total, "too many active vans to plan in one day")
    return tuple(optimizer_van(row) for row in rows)


def _spec(van: Van) -> VanSpec:
    if van.end is not None and van.end != van.start:
        raise DispatchError(
            f"Van[{van.id}].end", van.end, "the fleet keeps one depot per van (start = end)"
        )
    if len(van.breaks) > 1 or any(len(b.time_windows) != 1 for b in van.breaks):
        raise DispatchError(
            f"Van[{van.id}].breaks", len(van.breaks), "the fleet keeps one break with one window"
        )
    if len(van.capacity) != 2:
        raise DispatchError(f"Van[{van.id}].capacity", van.capacity, "must be (crates, kg)")
    lunch = van.breaks[0] if van.breaks else None
    return VanSpec(
        depot_code=van.start,
        capacity_crates=van.capacity[0],
        capacity_kg=van.capacity[1],
        shift_start_s=van.shift.early,
        shift_end_s=van.shift.late,
        break_start_s=lunch.time_windows[0].early if lunch else None,
        break_end_s=lunch.time_windows[0].late if lunch else None,
        break_s=lunch.duration if lunch else 0,
        max_route_s=van.max_route_duration,
        cost_per_km=van.cost_per_km,
        cost_per_hour=van.cost_per_hour,
        fixed_cost=van.fixed_cost,
    )


def save_vans(session: Session, vans: Sequence[Van], *, staff: str) -> list[VanRow]:
    """Store optimiser vans as fleet rows (flushed; the caller commits).

    Raises
    ------
    DispatchError
        A van the fleet cannot keep (two depots, several breaks, not ``(crates, kg)``).
    CirculationError
        A taken code or an unknown depot.
    """
    return [create_van(session, code=van.id, spec=_spec(van), staff=staff) for van in vans]
