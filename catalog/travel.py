"""The catalogue's one question to geo: how long does a van take from one site to another.

The caller (the api layer) passes a :class:`TravelTimes`; the catalogue never loads the
street graph itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from catalog.errors import InvalidValueError, NotFoundError

__all__ = ["MatrixTravelTimes", "TravelTimes"]


@runtime_checkable
class TravelTimes(Protocol):
    """Van travel time between two sites, in integer seconds."""

    def seconds(self, from_site_id: int, to_site_id: int) -> int:
        """Seconds to drive from ``from_site_id`` to ``to_site_id`` (0 for the same site)."""
        ...


class MatrixTravelTimes:
    """:class:`TravelTimes` from a precomputed matrix ``{(from_id, to_id): seconds}``.

    Parameters
    ----------
    matrix
        Travel seconds per ordered pair of site ids; the diagonal may be left out.
    symmetric
        Use ``(b, a)`` when ``(a, b)`` is missing.
    """

    def __init__(self, matrix: Mapping[tuple[int, int], int], *, symmetric: bool = False) -> None:
        for pair, value in matrix.items():
            if int(value) != value or value < 0:
                raise InvalidValueError(
                    f"matrix[{pair}]", value, "travel time must be a whole number of seconds >= 0"
                )
        self._matrix = {(int(a), int(b)): int(v) for (a, b), v in matrix.items()}
        self._symmetric = symmetric

    def seconds(self, from_site_id: int, to_site_id: int) -> int:
        """Seconds from ``from_site_id`` to ``to_site_id``."""
        if from_site_id == to_site_id:
            return 0
        key = (from_site_id, to_site_id)
        if key in self._matrix:
            return self._matrix[key]
        if self._symmetric and (to_site_id, from_site_id) in self._matrix:
            return self._matrix[(to_site_id, from_site_id)]
        raise NotFoundError("site pair", key, "no travel time in the matrix")
