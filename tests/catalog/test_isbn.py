"""ISBN-10/13 validation and normalisation to 13 ASCII digits."""

from __future__ import annotations

import pytest

from catalog.errors import InvalidValueError
from catalog.isbn import ascii_digits, is_valid_isbn, normalize_isbn


@pytest.mark.parametrize(
    ("raw", "isbn13"),
    [
        ("9787020002207", "9787020002207"),  # ISBN-13 as digits
        ("978-7-02-000220-7", "9787020002207"),  # with hyphens
        ("ISBN 978 7 5442 5399 4", "9787544253994"),  # prefix and spaces
        ("ISBN-13: 978-7-5442-5399-4", "9787544253994"),  # prefix naming the kind
        ("7-02-000220-X", "9787020002207"),  # ISBN-10 (check digit X) converted
        ("0-8044-2957-x", "9780804429573"),  # ISBN-10 with lower-case X check digit
        ("979-10-90636-07-1", "9791090636071"),  # 979 prefix
        ("９７８７０２０００２２０７", "9787020002207"),  # full-width digits (Chinese IME)
        ("９７８－７－０２－０００２２０－７", "9787020002207"),  # and full-width hyphens
        ("ＩＳＢＮ　７－０２－０００２２０－Ｘ", "9787020002207"),  # full-width prefix, space, X
        ("٩٧٨٧٠٢٠٠٠٢٢٠٧", "9787020002207"),  # Arabic-Indic digits
        ("۹۷۸۷۰۲۰۰۰۲۲۰۷", "9787020002207"),  # extended Arabic-Indic (Persian) digits
        ("९७८७०२०००२२०७", "9787020002207"),  # Devanagari digits
        ("978\u22127\u221202\u2212000220\u22127", "9787020002207"),  # minus signs as hyphens
    ],
)
def test_valid_isbns_normalise_to_13_ascii_digits(raw: str, isbn13: str) -> None:
    assert normalize_isbn(raw) == isbn13
    assert is_valid_isbn(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("9787020002208", "check digit should be 7"),  # wrong ISBN-13 check digit
        ("7-02-000220-9", "check digit should be X"),  # wrong ISBN-10 check digit
        ("978702000220", "10 or 13 digits, got 12"),  # too short
        ("97870200022O7", r"'O' \(U\+004F LATIN CAPITAL LETTER O\) is not a digit"),  # O for 0
        ("1234567890128", "978 or 979"),  # an EAN that is no ISBN
        ("97870200X2207", "13 digits"),  # X inside an ISBN-13
        ("70200X220X", "9 digits and a digit or X"),  # X inside an ISBN-10
        ("", "got 0"),
        # Superscripts pass str.isdigit() but are no decimal digits: named, not guessed at.
        ("978702000220⁷", r"U\+2077 SUPERSCRIPT SEVEN\) is not a decimal digit"),
        ("978-7-02-000220-²", r"U\+00B2 SUPERSCRIPT TWO"),
        ("①978702000220", "CIRCLED DIGIT ONE"),
    ],
)
def test_invalid_isbns_are_refused_naming_the_value(raw: str, message: str) -> None:
    with pytest.raises(InvalidValueError, match=message) as raised:
        normalize_isbn(raw, field="records[3].isbn")
    assert raised.value.field == "records[3].isbn"
    assert raised.value.value == raw
    assert not is_valid_isbn(raw)


def test_ascii_digits_leaves_other_characters() -> None:
    assert ascii_digits("第٣版 ISBN ９７８²") == "第3版 ISBN 978²"
