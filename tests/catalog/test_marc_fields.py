"""From a decoded MARC record to a RecordData: titles and their sort forms, names, 880
alternate scripts, ISBNs, and the checks of RecordData itself."""

from __future__ import annotations

import pymarc
import pytest

from catalog.charset import NSB, NSE
from catalog.errors import InvalidValueError
from catalog.marc_fields import (
    MarcFieldError,
    RecordData,
    display_text,
    record_data_from_marc,
    sort_text,
    vernacular_text,
)

Spec = list[tuple[str, str, list[tuple[str, str]]]]
"""(tag, indicators, [(code, value), ...])"""


def marc(fields: Spec) -> pymarc.Record:
    record = pymarc.Record()
    for tag, indicators, subfields in fields:
        record.add_field(
            pymarc.Field(
                tag=tag,
                indicators=pymarc.Indicators(indicators[0], indicators[1]),
                subfields=[pymarc.Subfield(c, v) for c, v in subfields],
            )
        )
    return record


def read(fields: Spec) -> tuple[RecordData, list[str]]:
    return record_data_from_marc(marc(fields))


# --- text forms ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "display", "sort"),
    [
        ("三体 /", "三体", "三体"),  # ISBD punctuation before the next subfield
        (
            f"{NSB}L'{NSE}altra faccia della luna",
            "L'altra faccia della luna",
            "altra faccia della luna",
        ),
        ("\u0088The \u0089Hobbit", "The Hobbit", "Hobbit"),  # UNIMARC's Unicode form
        ("\x1bHDie \x1bIBlechtrommel", "Die Blechtrommel", "Blechtrommel"),  # ESC H / ESC I
        ("Tolkien, J. R. R.", "Tolkien, J. R. R.", "Tolkien, J. R. R."),  # an initial's stop
        ("a\x07b\tc", "ab c", "ab c"),  # other control characters dropped, tab is a space
    ],
)
def test_display_and_sort_text(raw: str, display: str, sort: str) -> None:
    assert display_text(raw) == display
    assert sort_text(raw) == sort


@pytest.mark.parametrize(
    ("raw", "vernacular"),
    [
        ("簡明　宋　史 /", "簡明宋史"),  # LC's word division between Han characters removed
        ("日本 の 歴史", "日本の歴史"),  # and between kana and kanji
        ("한국 의 역사", "한국 의 역사"),  # Korean is written with spaces
        ("Python 编程", "Python 编程"),  # a space next to a Latin word stays
    ],
)
def test_vernacular_text(raw: str, vernacular: str) -> None:
    assert vernacular_text(raw) == vernacular


# --- MARC 21 ---------------------------------------------------------------------------------

SONG_SHI: Spec = [
    ("100", "1 ", [("6", "880-01"), ("a", "Zhou, Baozhu.")]),
    ("245", "10", [("6", "880-02"), ("a", "Jian ming Song shi /"), ("c", "Zhou Baozhu.")]),
    ("260", "  ", [("6", "880-03"), ("a", "Beijing :"), ("b", "Ren min chu ban she,")]),
    ("880", "1 ", [("6", "100-01/$1"), ("a", "周寶珠.")]),
    ("880", "10", [("6", "245-02/$1"), ("a", "簡明　宋　史 /"), ("c", "周寶珠.")]),
    ("880", "  ", [("6", "260-03/$1"), ("a", "北京 :"), ("b", "人民出版社,")]),
]


def test_880_fields_give_the_original_script() -> None:
    data, warn = read(SONG_SHI)
    assert (data.title, data.authors, data.publisher) == (
        "Jian ming Song shi",
        ("Zhou, Baozhu",),
        "Ren min chu ban she",
    )
    assert (data.title_vernacular, data.authors_vernacular, data.publisher_vernacular) == (
        "簡明宋史",
        ("周寶珠",),
        "人民出版社",
    )
    assert warn == []


def test_880_without_a_script_code_or_unlinked() -> None:
    # Exporters drop the "/$1"; an unlinked 880 (occurrence 00) still says which field.
    data, _ = read(
        [
            ("245", "10", [("a", "Hong lou meng")]),
            ("880", "10", [("6", "245-00"), ("a", "紅樓夢")]),
        ]
    )
    assert data.title_vernacular == "紅樓夢"


def test_a_latin_880_is_a_romanisation_and_not_kept() -> None:
    data, _ = read(
        [
            ("245", "10", [("6", "880-01"), ("a", "红楼梦")]),
            ("880", "10", [("6", "245-01"), ("a", "Hong lou meng")]),
        ]
    )
    assert (data.title, data.title_vernacular) == ("红楼梦", "")


def test_880_with_a_bad_linkage_is_ignored() -> None:
    data, _ = read([("245", "10", [("a", "Foundation")]), ("880", "10", [("a", "基地")])])
    assert data.title_vernacular == ""


@pytest.mark.parametrize(
    ("indicator2", "title", "sort"),
    [
        ("4", "The Hobbit", "Hobbit"),
        ("2", "L'amour fou", "amour fou"),
        ("0", "The Hobbit", ""),  # sorts as it reads
        (" ", "The Hobbit", ""),
        ("9", "Das Boot", ""),  # a count that would skip the whole title is ignored
    ],
)
def test_245_indicator_2_skips_characters_in_sorting(
    indicator2: str, title: str, sort: str
) -> None:
    data, _ = read([("245", "1" + indicator2, [("a", title)])])
    assert (data.title, data.sort_title) == (title, sort)


def test_c1_markers_in_marc21_win_over_indicator_2() -> None:
    data, _ = read([("245", "10", [("a", "\u0098The \u009cHobbit /"), ("c", "Tolkien.")])])
    assert (data.title, data.sort_title) == ("The Hobbit", "Hobbit")


@pytest.mark.parametrize(
    ("field", "name"),
    [
        (("100", "1 ", [("a", "Asimov, Isaac,"), ("d", "1920-1992.")]), "Asimov, Isaac"),
        (("100", "0 ", [("a", "John Paul"), ("b", "II,"), ("c", "Pope,")]), "John Paul II"),
        (
            ("110", "2 ", [("a", "Peking University."), ("b", "Library.")]),
            "Peking University. Library",
        ),
        (("111", "2 ", [("a", "Olympic Games"), ("d", "(2008 :")]), "Olympic Games"),
    ],
)
def test_marc21_names(field: tuple[str, str, list[tuple[str, str]]], name: str) -> None:
    data, _ = read([("245", "10", [("a", "x")]), field])
    assert data.authors == (name,)


# --- UNIMARC ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "name"),
    [
        (("700", " 1", [("a", "Asimov"), ("b", "Isaac")]), "Asimov, Isaac"),
        # Punctuation typed into the subfields must not double up ("Asimov, , Isaac").
        (("700", " 1", [("a", "Asimov,"), ("b", ", Isaac")]), "Asimov, Isaac"),
        (("701", " 0", [("a", "Giovanni Paolo"), ("d", "II")]), "Giovanni Paolo II"),
        (("701", " 0", [("a", "刘慈欣"), ("4", "著")]), "刘慈欣"),
        (("701", " 0", [("a", "司马"), ("b", "迁")]), "司马迁"),  # direct order, no space in Han
        (
            ("711", "02", [("a", "Università di Bologna"), ("b", "Dipartimento di filosofia")]),
            "Università di Bologna. Dipartimento di filosofia",
        ),
    ],
)
def test_unimarc_names(field: tuple[str, str, list[tuple[str, str]]], name: str) -> None:
    data, _ = read([("200", "1 ", [("a", "x")]), field])
    assert data.authors == (name,)


def test_unimarc_title_with_markers() -> None:
    data, _ = read(
        [("200", "1 ", [("a", "\u0088L'\u0089altra faccia della luna"), ("e", "romanzo")])]
    )
    assert data.title == "L'altra faccia della luna : romanzo"
    assert data.sort_title == "altra faccia della luna : romanzo"


# --- ISBNs, years, lost characters ----------------------------------------------------------


def test_the_first_valid_isbn_is_kept_and_the_invalid_one_reported() -> None:
    data, warn = read(
        [
            ("020", "  ", [("a", "9787536693969 (hbk.)")]),
            ("020", "  ", [("a", "978-7-5366-9293-0 : CNY23.00")]),
            ("245", "10", [("a", "三体")]),
        ]
    )
    assert data.isbn13 == "9787536692930"
    assert warn == [
        "020 $a='9787536693969': ISBN-13 check digit should be 8; a later valid ISBN kept"
    ]


@pytest.mark.parametrize(
    ("isbn", "message"),
    [
        ("978753669293⁰", "SUPERSCRIPT ZERO"),
        ("9787536693969", "check digit should be 8"),
    ],
)
def test_a_record_whose_only_isbn_is_invalid_is_refused(isbn: str, message: str) -> None:
    with pytest.raises(MarcFieldError, match=message):
        read([("020", "  ", [("a", isbn)]), ("245", "10", [("a", "三体")])])


def test_isbns_in_other_digits_are_stored_as_ascii() -> None:
    data, _ = read(
        [
            ("010", "  ", [("a", "９７８－７－５３６６－９２９３－０")]),
            ("200", "1 ", [("a", "三体")]),
        ]
    )
    assert data.isbn13 == "9787536692930"


def test_a_full_width_year() -> None:
    data, warn = read([("200", "1 ", [("a", "三体")]), ("210", "  ", [("d", "２００８")])])
    assert (data.year, warn) == (2008, [])


def test_a_replacement_character_is_a_warning() -> None:
    data, warn = read([("245", "10", [("a", "三\ufffd")])])
    assert data.title == "三\ufffd"
    assert len(warn) == 1 and "U+FFFD" in warn[0] and warn[0].startswith("title=")


def test_no_title_field() -> None:
    with pytest.raises(MarcFieldError, match="neither 245"):
        read([("020", "  ", [("a", "9787536692930")])])


# --- the record model ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": " "}, "title"),  # blank title
        ({"title": "x" * 501}, "title"),  # longer than the column
        ({"title": "活着", "isbn13": "9787506365438"}, "isbn13"),  # wrong check digit
        ({"title": "活着", "isbn13": "7506365437"}, "isbn13"),  # ISBN-10, not normalised
        ({"title": "活着", "isbn13": "９７８７５０６３６５４３７"}, "isbn13"),  # not ASCII
        ({"title": "活着", "year": 999}, "year"),
        ({"title": "活着", "language": "zh"}, "language"),
        ({"title": "活着", "publisher": "x" * 301}, "publisher"),
        ({"title": "\u0088L'\u0089altra"}, "title"),  # a marker never reaches a record
        ({"title": "活着", "title_vernacular": "x\x1bH"}, "title_vernacular"),
        ({"title": "活着", "authors_vernacular": ("x" * 501,)}, "authors_vernacular"),
        ({"title": "活着", "sort_title": "x" * 501}, "sort_title"),
    ],
)
def test_record_data_rejects(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValueError) as error:
        RecordData(**kwargs)  # type: ignore[arg-type]
    assert error.value.field == field
