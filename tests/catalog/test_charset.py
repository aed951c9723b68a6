"""Encodings of catalogue files: a guess per file with its evidence, strict decoding, markers.

The guess must be right where the evidence is there, say "uncertain" where it is not, and
never turn one encoding's bytes into another's letters without saying so.
"""

from __future__ import annotations

import pytest

from catalog.charset import (
    NSB,
    NSE,
    DecodeError,
    check_asked_encoding,
    decode_text,
    detect_encoding,
    plausibility,
)

RUSSIAN = ["Война и мир", "Лев Толстой", "Москва", "Художественная литература", "СССР"]
CHINESE = ["三体Ⅱ：黑暗森林", "刘慈欣著", "重庆出版社", "紅樓夢", "人民文學出版社"]
FRENCH = ["Le monde chinois", "Éditions Armand Colin", "Café", "Über die Straße"]


def encoded(texts: list[str], codec: str) -> list[bytes]:
    return [t.encode(codec) for t in texts]


@pytest.mark.parametrize(
    ("texts", "expected", "evidence"),
    [
        ([b"Foundation", b"Asimov, Isaac"], "utf-8", "ASCII only"),
        (encoded(CHINESE, "utf-8"), "utf-8", "valid UTF-8"),
        (encoded(RUSSIAN, "cp1251"), "cp1251", "reads as cp1251 1.00"),
        (encoded(CHINESE, "gbk"), "gbk", "reads as gbk"),
        (encoded(FRENCH, "latin-1"), "latin-1", "reads as latin-1 1.00"),
        # MARC-8: CJK behind an escape; ANSEL puts the accent before its letter.
        ([b"\x1b$1!:j!5=\x1b(B", b"\xe2Editions"], "marc-8", "MARC-8 escape sequences"),
        ([b"\xe2Editions Armand Colin", b"Gernet"], "marc-8", "reads as marc-8 1.00"),
    ],
)
def test_the_evidence_decides(texts: list[bytes], expected: str, evidence: str) -> None:
    guess = detect_encoding(texts)
    assert (guess.encoding, guess.certain) == (expected, True)
    assert evidence in guess.evidence
    assert str(guess).startswith(f"编码 encoding {expected} (")


def test_weak_evidence_is_uncertain_with_alternatives() -> None:
    # "СССР" in Windows-1251 is two common Han characters in GBK: nothing tells them apart.
    guess = detect_encoding(["СССР".encode("cp1251")])
    assert not guess.certain
    assert set(guess.alternatives) | {guess.encoding} >= {"gbk", "cp1251"}
    assert str(guess).startswith("编码不确定 / encoding uncertain: guessed ")
    assert "(alternatives " in str(guess)


def test_utf8_mojibake_is_uncertain() -> None:
    # Windows-1251 text once read as Latin-1 and saved as UTF-8: valid, and garbage.
    twice = [t.encode("cp1251").decode("latin-1").encode("utf-8") for t in RUSSIAN]
    guess = detect_encoding(twice)
    assert (guess.encoding, guess.certain) == ("utf-8", False)
    assert "text encoded twice?" in guess.evidence


def test_leader_utf8_that_is_not_utf8_is_said() -> None:
    guess = detect_encoding(encoded(RUSSIAN, "cp1251"), declared_utf8=True)
    assert guess.encoding == "cp1251"
    assert "leader/09 = a but not UTF-8" in guess.evidence


def test_a_stray_byte_costs_its_text_not_the_file() -> None:
    texts = [*encoded(RUSSIAN * 3, "cp1251"), b"\xcc\xe0\xf0\xe3\x98\xe0\xf0\xe8\xf2\xe0"]
    guess = detect_encoding(texts)
    assert (guess.encoding, guess.certain) == ("cp1251", True)
    assert "1 of 16 texts fail" in guess.evidence


def test_csv_candidates_leave_out_marc8() -> None:
    guess = detect_encoding([b"\xe2Editions"], candidates=("utf-8", "gbk", "cp1251", "latin-1"))
    assert guess.encoding != "marc-8"


@pytest.mark.parametrize(
    ("raw", "encoding", "text"),
    [
        # The non-sorting markers in every form become NSB / NSE.
        (b"\x88L'\x89altra", "marc-8", f"{NSB}L'{NSE}altra"),  # ANSEL bytes
        (b"\x1bHThe \x1bIHobbit", "marc-8", f"{NSB}The {NSE}Hobbit"),  # ISO 6429 escapes
        ("\u0098The \u009cHobbit".encode(), "utf-8", f"{NSB}The {NSE}Hobbit"),  # MARC 21 C1
        ("\u0088L'\u0089altra".encode(), "utf-8", f"{NSB}L'{NSE}altra"),  # UNIMARC in Unicode
        (b"\x88L'\x89altra", "utf-8", f"{NSB}L'{NSE}altra"),  # ISO 5426 bytes in UTF-8
        (b"\x1bHIl \x1bInome", "utf-8", f"{NSB}Il {NSE}nome"),
        (b"\x88L'\x89altra", "latin-1", f"{NSB}L'{NSE}altra"),
        (b"\x88L'\x89altra", "cp1251", f"{NSB}L'{NSE}altra"),  # paired around ASCII
        (b"\x88L'\x89altra", "gbk", f"{NSB}L'{NSE}altra"),
        # ... but alone they are the encoding's own characters.
        (b"100 \x88", "cp1251", "100 €"),
        (b"\x88\x40", "gbk", "\u5712"),  # a rare Han character whose lead byte is 0x88
        # A MARC-8 escape keeps its character set across a marker.
        (b"\x1b$1!:j\x1bH!5=\x1bI\x1b(B", "marc-8", f"宋{NSB}史{NSE}"),
    ],
)
def test_decode_text(raw: bytes, encoding: str, text: str) -> None:
    assert decode_text(raw, encoding) == text


@pytest.mark.parametrize(
    ("raw", "encoding", "message"),
    [
        (b"\xcc\xe0\x98", "cp1251", "bytes 98 at offset 2 are not cp1251"),
        (b"abc \xc3(", "utf-8", "bytes C3 at offset 4 are not utf-8"),
        (b"\xcc\xe0", "marc-8", "byte 0xCC at offset 0 is not a MARC-8 character"),
        (b"Caf\xe2", "marc-8", "MARC-8 diacritic 0xE2 at offset 3 has no letter"),
        (b"\x81", "gbk", "bytes 81 at offset 0 are not gbk"),
    ],
)
def test_decode_errors_name_the_bytes(raw: bytes, encoding: str, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        decode_text(raw, encoding)


@pytest.mark.parametrize(
    ("text", "reads_well"),
    [
        ("Война и мир", True),
        ("Âîéíà è ìèð", False),  # Windows-1251 read as Latin-1
        ("ЖЅ·ІµДКАЅз", False),  # GBK read as Windows-1251
        ("Ð¾Ð±Ñ", False),  # UTF-8 read as Latin-1
        ("三体Ⅱ：黑暗森林", True),
        ("Python编程：从入门到实践", True),  # Latin inside Chinese is fine
        ("Éditions Armand Colin", True),
        ("âEditions", False),  # MARC-8 diacritic read as Latin-1
        ("日本の歴史", True),
        ("한국 의 역사", True),
        ("abc\ufffd", False),  # a replacement character
    ],
)
def test_plausibility(text: str, reads_well: bool) -> None:
    score, judged = plausibility([text])
    assert judged > 0
    assert (score >= 0.9) is reads_well, score


def test_plausibility_of_ascii_is_not_judged() -> None:
    assert plausibility(["Foundation"]) == (1.0, 0)


def test_an_asked_encoding_that_reads_worse_is_named() -> None:
    texts = encoded(RUSSIAN, "cp1251")
    note = check_asked_encoding(texts, "latin-1")
    assert note.startswith("asked for latin-1 0.0")
    assert "the file reads as cp1251 1.00" in note
    assert check_asked_encoding(texts, "cp1251") == ""
