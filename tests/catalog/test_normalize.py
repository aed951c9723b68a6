"""Text normalisation and search tokens: what readers type must meet what cataloguers wrote."""

from __future__ import annotations

import pytest

from catalog.normalize import (
    QueryTerm,
    call_number_key,
    index_tokens,
    isbn_query,
    normalize_text,
    pinyin_tokens,
    query_terms,
    text_units,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("三体Ⅱ：黑暗森林", "三体ii:黑暗森林"),  # Roman numeral and full-width colon
        ("三體", "三体"),  # traditional → simplified
        ("紅樓夢", "红楼梦"),
        ("ＳＡＮＴＩ", "santi"),  # full-width Latin → half-width, lower case
        ("Python　编程", "python 编程"),  # ideographic space
        ("  a \t b\n", "a b"),  # white space collapsed and trimmed
        ("９７８７５３６６９２９３０", "9787536692930"),  # full-width digits
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("三体ii:黑暗森林", ["三", "体", "ii", "黑", "暗", "森", "林"]),
        ("python编程", ["python", "编", "程"]),  # a Latin word stays whole next to Han
        ("第2版", ["第", "2", "版"]),
        ("《活着》", ["活", "着"]),  # punctuation only separates
        ("", []),
    ],
)
def test_text_units(text: str, units: list[str]) -> None:
    assert text_units(text) == units


def test_index_tokens_are_bigrams_words_then_pinyin() -> None:
    tokens = index_tokens("三体Ⅱ：黑暗森林").split()
    # Han bigrams in reading order with each run's last character, then the Latin word.
    assert tokens[:7] == ["三体", "体", "ii", "黑暗", "暗森", "森林", "林"]
    # Pinyin and initials run together from every Han character.
    assert "santiiiheiansenlin" in tokens
    assert "stiihasl" in tokens
    assert "heiansenlin" in tokens
    assert "hasl" in tokens


def test_index_tokens_without_pinyin() -> None:
    assert index_tokens("重庆出版社", pinyin=False) == "重庆 庆出 出版 版社 社"


def test_pinyin_follows_phrases_for_polyphones() -> None:
    # 重庆 is chong qing, not zhong qing; 银行 is yin hang, not yin xing.
    assert pinyin_tokens(["重", "庆"])[:2] == ["chongqing", "cq"]
    assert pinyin_tokens(["银", "行"])[:2] == ["yinhang", "yh"]


def test_pinyin_writes_u_umlaut_as_v() -> None:
    assert pinyin_tokens(["绿"]) == ["lv", "l"]


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        # Two or more Han characters: a phrase of bigrams.
        ("黑暗森林", [QueryTerm(("黑暗", "暗森", "森林"), prefix=False)]),
        ("三体", [QueryTerm(("三体",), prefix=False)]),
        # One Han character: a prefix of the bigrams starting with it.
        ("暗", [QueryTerm(("暗",), prefix=True)]),
        # Traditional and spaces: two separate terms.
        ("三體 黑暗", [QueryTerm(("三体",), False), QueryTerm(("黑暗",), False)]),
        # A Latin word is a prefix (also of pinyin and initials).
        ("santi", [QueryTerm(("santi",), prefix=True)]),
        # Pinyin syllables typed apart become one word; so do initials.
        ("san ti", [QueryTerm(("santi",), prefix=True)]),
        ("l c x", [QueryTerm(("lcx",), prefix=True)]),
        # English words are not pinyin: they stay apart.
        ("deep learning", [QueryTerm(("deep",), True), QueryTerm(("learning",), True)]),
        ("！？", []),
    ],
)
def test_query_terms(query: str, terms: list[QueryTerm]) -> None:
    assert query_terms(query) == terms


@pytest.mark.parametrize(
    ("query", "digits"),
    [
        ("9787536692930", "9787536692930"),
        ("978-7-5366-9293-0", "9787536692930"),
        ("ISBN 7-5366-9293-5", "7536692935"),
        ("7-02-000220-x", "702000220X"),  # an ISBN-10 check digit X
        ("９７８７５３６６９２９３０", "9787536692930"),  # full-width digits
        ("٩٧٨٧٥٣٦٦٩٢٩٣٠", "9787536692930"),  # Arabic-Indic digits
        (
            "978753669293⁰",
            "9787536692930",
        ),  # queries are read leniently (NFKC), unlike ISBNs stored
        ("97875366929", None),  # 11 digits
        ("三体", None),
    ],
)
def test_isbn_query(query: str, digits: str | None) -> None:
    assert isbn_query(query) == digits


@pytest.mark.parametrize(
    ("call_number", "key"),
    [
        ("I247.55", "i24755"),
        ("I247.5/1234", "i24751234"),
        ("TP312-43", "tp31243"),
        ("Ｋ２", "k2"),
    ],
)
def test_call_number_key(call_number: str, key: str) -> None:
    assert call_number_key(call_number) == key
