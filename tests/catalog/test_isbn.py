"""ISBN-10/13 validation and normalisation to 13 digits."""

from __future__ import annotations

import pytest

from catalog.errors import InvalidValueError
from catalog.isbn import is_valid_isbn, normalize_isbn


@pytest.mark.parametrize(
    ("raw", "isbn13"),
    [
        ("9787020002207", "9787020002207"),  # ISBN-13 as digits
        ("978-7-02-000220-7", "9787020002207"),  # with hyphens
        ("ISBN 978 7 5442 5399 4", "9787544253994"),  # prefix and spaces
        ("7-02-000220-X", "9787020002207"),  # ISBN-10 (check digit X) converted
        ("0-8044-2957-x", "9780804429573"),  # ISBN-10 with lower-case X check digit
        ("979-10-90636-07-1", "9791090636071"),  # 979 prefix
    ],
)
def test_valid_isbns_normalise_to_13_digits(raw: str, isbn13: str) -> None:
    assert normalize_isbn(raw) == isbn13
    assert is_valid_isbn(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("9787020002208", "check digit should be 7"),  # wrong ISBN-13 check digit
        ("7-02-000220-9", "check digit should be X"),  # wrong ISBN-10 check digit
        ("978702000220", "10 or 13 digits, got 12"),  # too short
        ("97870200022O7", "13 digits"),  # letter O for zero
        ("1234567890128", "978 or 979"),  # an EAN that is no ISBN
        ("", "got 0"),
    ],
)
def test_invalid_isbns_are_refused_naming_the_value(raw: str, message: str) -> None:
    with pytest.raises(InvalidValueError, match=message) as raised:
        normalize_isbn(raw, field="records[3].isbn")
    assert raised.value.field == "records[3].isbn"
    assert raised.value.value == raw
    assert not is_valid_isbn(raw)
