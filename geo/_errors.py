"""Domain errors of ``geo``: few, each a ``ValueError`` subclass (osmnx style)."""

from __future__ import annotations


class GraphDataError(ValueError):
    """The street-network files or graph attributes are missing or malformed."""


class SnapError(ValueError):
    """One or more sites could not be attached to the street network.

    Parameters
    ----------
    message
        Bilingual message (zh-CN first) naming every refused site and why.
    failures
        One ``(name, reason_code, distance_m)`` tuple per refused site, in input order;
        ``reason_code`` is ``"outside_extent"``, ``"too_far"`` or ``"invalid_coordinate"``.
    """

    def __init__(self, message: str, failures: list[tuple[str, str, float]]) -> None:
        super().__init__(message)
        self.failures = failures


class RoutingError(ValueError):
    """No route exists between two snapped points, or a path is inconsistent with the graph."""
