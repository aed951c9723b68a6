"""The dispatch layer's one error: bad input to the adapter, naming the field and the value."""

from __future__ import annotations

__all__ = ["DispatchError"]


class DispatchError(ValueError):
    """Bad input to the adapter; the message names the field and the value."""

    def __init__(self, field_name: str, value: object, message: str) -> None:
        super().__init__(f"{field_name}={value!r}: {message}")
        self.field = field_name
        self.value = value
