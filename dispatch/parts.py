"""A crate group bigger than a van, split into van-sized parts.

A new-stock batch of 60 crates for one branch does not fit a van of 40: rather than leaving
it all for another day (``capacity_exceeds_van``), the dispatch adapter ships it in parts that
each fit the largest van, so that several vans, several trips or several days carry it.

The rule (:func:`split_group`):

- by whole crates: as few parts as fit the van, as even as can be (their crates differ by
  at most one, the larger parts first), e.g. 60 crates in vans of 40 are two parts of 30;
- every transfer is in exactly one part, in the group's order (the oldest request first);
  the last part holds the group's one partly filled crate;
- a transfer is one item and is never split. A group of which even one full crate is
  heavier than the van stays whole, and the optimiser reports it ``capacity_exceeds_van``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Part", "SplitError", "fits", "split_group"]


class SplitError(ValueError):
    """A group that cannot be split as given; the message names the field and the value."""

    def __init__(self, field_name: str, value: object, reason: str) -> None:
        super().__init__(f"{field_name}={value!r}: {reason}")
        self.field = field_name
        self.value = value
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Part:
    """The transfers of one part of a group, and their load: whole crates, kg."""

    transfer_ids: tuple[int, ...]
    crates: int
    kg: float


def fits(part: Part, capacity: Sequence[int]) -> bool:
    """Whether ``part`` fits a van of ``capacity`` ``(crates[, kg])`` (kg rounded up)."""
    if part.crates > capacity[0]:
        return False
    return len(capacity) < 2 or math.ceil(part.kg) <= capacity[1]


def split_group(
    transfer_ids: Sequence[int],
    *,
    crates: int,
    kg: float,
    capacity: Sequence[int],
    books_per_crate: int,
) -> tuple[Part, ...]:
    """Split one crate group into parts that each fit a van of ``capacity``.

    Parameters
    ----------
    transfer_ids
        The group's transfers, one item each, in the order they were requested.
    crates, kg
        The group's load, ``crates = ceil(items / books_per_crate)``.
    capacity
        The largest van's capacity, ``(crates, kg)``.
    books_per_crate
        Books in a full crate (``CirculationSettings.crate_capacity``).

    Returns
    -------
    tuple of Part
        One part (the whole group) when it fits or cannot be split by whole crates;
        otherwise the parts, together holding every transfer exactly once.

    Raises
    ------
    SplitError
        ``books_per_crate`` below 1, or ``crates`` does not match the number of items at
        ``books_per_crate`` a crate (only checked when the group has to be split).
    """
    whole = Part(tuple(transfer_ids), crates, kg)
    if fits(whole, capacity):
        return (whole,)
    items = len(whole.transfer_ids)
    if books_per_crate < 1:
        raise SplitError("books_per_crate", books_per_crate, "must be >= 1")
    if math.ceil(items / books_per_crate) != crates:
        raise SplitError(
            "crates",
            crates,
            f"{items} items make {math.ceil(items / books_per_crate)} crates of "
            f"{books_per_crate} books",
        )
    kg_per_item = kg / items
    most = capacity[0]
    if len(capacity) > 1 and kg_per_item > 0:
        most = min(most, math.floor(capacity[1] / (books_per_crate * kg_per_item)))
    # The estimate can be one crate too many where kg is rounded up: step down until it fits.
    for per_part in range(most, 0, -1):
        parts = _even_parts(whole.transfer_ids, crates, per_part, books_per_crate, kg_per_item)
        if all(fits(part, capacity) for part in parts):
            return parts
    return (whole,)


def _even_parts(
    transfer_ids: tuple[int, ...],
    crates: int,
    per_part: int,
    books_per_crate: int,
    kg_per_item: float,
) -> tuple[Part, ...]:
    """``ceil(crates / per_part)`` parts of whole crates, as even as can be, larger first."""
    count = math.ceil(crates / per_part)
    sizes = [crates // count + (1 if i < crates % count else 0) for i in range(count)]
    parts: list[Part] = []
    start = 0
    for n, size in enumerate(sizes):
        end = len(transfer_ids) if n == count - 1 else start + size * books_per_crate
        ids = transfer_ids[start:end]
        parts.append(Part(ids, size, len(ids) * kg_per_item))
        start = end
    return tuple(parts)
