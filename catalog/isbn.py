"""ISBN-10 / ISBN-13 validation and normalisation to ISBN-13 (digits only)."""

from __future__ import annotations

from catalog.errors import InvalidValueError

__all__ = ["is_valid_isbn", "isbn10_check_digit", "isbn13_check_digit", "normalize_isbn"]

_SEPARATORS = str.maketrans("", "", " -\u2010\u2011\u2012\u2013\u2014\u00a0")


def isbn10_check_digit(first9: str) -> str:
    """Check digit (``0``-``9`` or ``X``) of an ISBN-10 from its first nine digits."""
    total = sum((10 - i) * int(d) for i, d in enumerate(first9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def isbn13_check_digit(first12: str) -> str:
    """Check digit of an ISBN-13 (EAN-13) from its first twelve digits."""
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def normalize_isbn(raw: str, *, field: str = "isbn") -> str:
    """Validate an ISBN-10 or ISBN-13 and return it as 13 digits.

    Hyphens, spaces and an ``ISBN`` prefix are ignored; an ISBN-10 is converted with the
    ``978`` prefix and a new check digit.

    Parameters
    ----------
    raw
        The ISBN as printed, e.g. ``"978-7-02-000220-7"`` or ``"7-02-000220-X"``.
    field
        Field name used in the error message.

    Returns
    -------
    str
        Thirteen digits.

    Raises
    ------
    InvalidValueError
        Wrong length, a non-digit, or a wrong check digit.
    """
    text = raw.strip().upper()
    if text.startswith("ISBN"):
        text = text[4:].lstrip(":").strip()
    text = text.translate(_SEPARATORS)
    if len(text) == 10:
        body, check = text[:9], text[9]
        if not body.isdigit() or not (check.isdigit() or check == "X"):
            raise InvalidValueError(field, raw, "ISBN-10 must be 9 digits and a digit or X")
        if isbn10_check_digit(body) != check:
            raise InvalidValueError(
                field, raw, f"ISBN-10 check digit should be {isbn10_check_digit(body)}"
            )
        first12 = "978" + body
        return first12 + isbn13_check_digit(first12)
    if len(text) == 13:
        if not text.isdigit():
            raise InvalidValueError(field, raw, "ISBN-13 must be 13 digits")
        if not text.startswith(("978", "979")):
            raise InvalidValueError(field, raw, "ISBN-13 must start with 978 or 979")
        if isbn13_check_digit(text[:12]) != text[12]:
            raise InvalidValueError(
                field, raw, f"ISBN-13 check digit should be {isbn13_check_digit(text[:12])}"
            )
        return text
    raise InvalidValueError(field, raw, f"an ISBN has 10 or 13 digits, got {len(text)}")


def is_valid_isbn(raw: str) -> bool:
    """Whether ``raw`` is a valid ISBN-10 or ISBN-13."""
    try:
        normalize_isbn(raw)
    except InvalidValueError:
        return False
    return True
