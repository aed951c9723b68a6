"""The catalogue's one error family: every bad input raises a :class:`CirculationError`."""

from __future__ import annotations

__all__ = [
    "CirculationError",
    "ConflictError",
    "InvalidValueError",
    "NotAvailableError",
    "NotFoundError",
    "SiteClosedError",
]


class CirculationError(ValueError):
    """A request the catalogue refuses; nothing was changed.

    Attributes
    ----------
    field : str
        The input field at fault, e.g. ``"barcode"``.
    value : object
        The offending value.
    """

    def __init__(self, field: str, value: object, message: str) -> None:
        self.field = field
        self.value = value
        super().__init__(f"{field}={value!r}: {message}")


class NotFoundError(CirculationError):
    """No row has this key (unknown barcode, card, site, record ...)."""


class InvalidValueError(CirculationError):
    """A value that can never be right (bad ISBN, weekday 9, empty distribution list ...)."""


class NotAvailableError(CirculationError):
    """The item or record cannot do this now (on loan, held for someone else, no copies ...)."""


class SiteClosedError(CirculationError):
    """The site is closed on that day."""


class ConflictError(CirculationError):
    """Someone else changed the same row at the same moment (e.g. filled the last copy)."""
