"""ISBN-10 / ISBN-13 validation and normalisation to ISBN-13 (ASCII digits only).

ISBNs reach us as people and exporters wrote them: with hyphens or spaces, behind an
``ISBN`` prefix, in full-width digits (``９７８…``, from Chinese input methods) or in another
script's decimal digits (Arabic-Indic ``٩٧٨…``). Every decimal digit (Unicode category Nd) is
read as its value; a character that only looks like a digit (superscript ``²``, circled
``①``) is refused with its code point named, never guessed at.
"""

from __future__ import annotations

import re
import unicodedata

from catalog.errors import InvalidValueError

__all__ = [
    "ascii_digits",
    "is_valid_isbn",
    "isbn10_check_digit",
    "isbn13_check_digit",
    "normalize_isbn",
]

_SEPARATORS = frozenset(
    " \t-\u00a0\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u3000\u30fc\ufeff\uff0d\u2027\u30fb"
)
"""Hyphens, dashes, minus signs and spaces of all widths (the full-width forms too)."""
_CHECK_X = frozenset("xX\uff38\uff58")
_PREFIX_RE = re.compile(r"^\s*(?:ISBN|ＩＳＢＮ)(?:[-‐]?1[03])?\s*[:：]?\s*", re.IGNORECASE)


def isbn10_check_digit(first9: str) -> str:
    """Check digit (``0``-``9`` or ``X``) of an ISBN-10 from its first nine ASCII digits."""
    total = sum((10 - i) * int(d) for i, d in enumerate(first9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def isbn13_check_digit(first12: str) -> str:
    """Check digit of an ISBN-13 (EAN-13) from its first twelve ASCII digits."""
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def _describe(char: str) -> str:
    name = unicodedata.name(char, "unnamed character")
    return f"{char!r} (U+{ord(char):04X} {name})"


def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit of any script replaced by its ASCII digit.

    Examples
    --------
    >>> ascii_digits("９７８-٧")
    '978-7'
    """
    return "".join(
        str(value) if (value := unicodedata.decimal(ch, None)) is not None else ch for ch in text
    )


def _isbn_characters(raw: str, field: str) -> str:
    """The ISBN's digits (and a final ``X``) as ASCII, separators dropped; anything else is
    refused naming the character."""
    text = _PREFIX_RE.sub("", raw, count=1)
    out: list[str] = []
    for ch in text:
        value = unicodedata.decimal(ch, None)
        if value is not None:
            out.append(str(value))
        elif ch in _SEPARATORS:
            continue
        elif ch in _CHECK_X:
            out.append("X")
        elif unicodedata.digit(ch, None) is not None or unicodedata.numeric(ch, None) is not None:
            # Superscripts, circled and other "digits" that are no decimal digits: a font or
            # a bad copy from a word processor, not an ISBN; the reader must see which one.
            raise InvalidValueError(
                field, raw, f"{_describe(ch)} is not a decimal digit (superscript or symbol)"
            )
        else:
            raise InvalidValueError(field, raw, f"{_describe(ch)} is not a digit, X or hyphen")
    return "".join(out)


def normalize_isbn(raw: str, *, field: str = "isbn") -> str:
    """Validate an ISBN-10 or ISBN-13 and return it as 13 ASCII digits.

    Hyphens, dashes, spaces (of any width) and an ``ISBN`` / ``ISBN-13:`` prefix are ignored;
    decimal digits of any script count as their value; an ISBN-10 is converted with the
    ``978`` prefix and a new check digit.

    Parameters
    ----------
    raw
        The ISBN as printed, e.g. ``"978-7-02-000220-7"``, ``"7-02-000220-X"`` or
        ``"９７８７０２０００２２０７"``.
    field
        Field name used in the error message.

    Returns
    -------
    str
        Thirteen ASCII digits.

    Raises
    ------
    InvalidValueError
        Wrong length, a character that is not a decimal digit (superscripts are named as
        such), an ``X`` anywhere but the ISBN-10 check digit, a wrong check digit.
    """
    text = _isbn_characters(raw, field)
    if len(text) == 10:
        body, check = text[:9], text[9]
        if "X" in body:
            raise InvalidValueError(field, raw, "ISBN-10 must be 9 digits and a digit or X")
        if isbn10_check_digit(body) != check:
            raise InvalidValueError(
                field, raw, f"ISBN-10 check digit should be {isbn10_check_digit(body)}"
            )
        first12 = "978" + body
        return first12 + isbn13_check_digit(first12)
    if len(text) == 13:
        if "X" in text:
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
