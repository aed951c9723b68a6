"""MARC 21, CNMARC/UNIMARC (ISO 2709 in UTF-8, MARC-8, GBK, cp1251; MARCXML) and CSV readers,
and the bulk insert.

The files in ``fixtures/`` are written by ``fixtures/make_fixtures.py``; each holds good
records and deliberate faults, which must be reported with their position while the rest of
the file loads.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.errors import InvalidValueError
from catalog.marc_import import (
    ImportIssue,
    RecordData,
    import_records,
    read_csv,
    read_marc,
    read_marcxml,
)
from catalog.models import Record
from catalog.search import search_catalogue

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _fixture_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE = _fixture_module()


def titles(records: list[RecordData]) -> list[str]:
    return [r.title for r in records]


def test_committed_fixtures_are_what_the_script_writes() -> None:
    for name, data in MAKE.FILES.items():
        assert (FIXTURES / name).read_bytes() == data, f"re-run make_fixtures.py for {name}"


# --- binary ISO 2709 ---------------------------------------------------------------------


def test_marc21_utf8_maps_fields_and_reports_bad_records() -> None:
    result = read_marc(FIXTURES / "marc21_utf8.mrc")
    assert result.seen == 5
    santi, foundation, wanli = result.records
    assert santi == RecordData(
        title="三体",
        authors=("刘慈欣",),
        isbn13="9787536692930",
        publisher="重庆出版社",
        year=2008,
        clc="I247.55",  # 084 with $2 clc
        language="chi",
        control_number="CAL012008001234",
    )
    # ISBN-10 with a qualifier becomes ISBN-13; 260 instead of 264; "c1991."; 008 language.
    assert (foundation.isbn13, foundation.publisher, foundation.year) == (
        "9780553293357",
        "Bantam Books",
        1991,
    )
    assert (foundation.authors, foundation.language) == (("Asimov, Isaac",), "eng")
    assert wanli.clc == "K248.3"  # CALIS puts the CLC number in 093
    assert result.issues == [
        ImportIssue(
            2, "020 $a='9787536693969': ISBN-13 check digit should be 8", "CAL012008005678"
        ),
        ImportIssue(4, "245 $a: missing title", "CAL012006000042"),
    ]


def test_marc8_with_cjk_escapes_and_ansel_diacritics() -> None:
    result = read_marc(FIXTURES / "marc21_marc8.mrc")
    assert result.issues == []
    assert titles(result.records) == ["平凡的世界", "活着", "Le monde chinois"]
    assert result.records[0].publisher == "北京十月文艺出版社"
    assert result.records[0].isbn13 == "9787530210291"  # from the ISBN-10 7530210297
    # The acute accent comes before its letter in MARC-8 and must not be read as GBK.
    assert result.records[2].publisher == "Éditions Armand Colin"


def test_cnmarc_gbk() -> None:
    result = read_marc(FIXTURES / "cnmarc_gbk.mrc")
    assert result.seen == 5
    dark_forest, red_chamber, ordinary_world = result.records
    assert dark_forest == RecordData(
        title="三体Ⅱ：黑暗森林",  # 200 $a + $h + $i
        authors=("刘慈欣",),  # 701 $a
        isbn13="9787536693968",  # 010 $a with hyphens
        publisher="重庆出版社",  # 210 $c
        year=2008,  # 210 $d
        clc="I247.55",  # 690 $a
        language="chi",  # 101 $a
        control_number="CN0001",
    )
    # Traditional characters come through as catalogued (search folds them later).
    assert (red_chamber.title, red_chamber.authors) == ("紅樓夢", ("曹雪芹", "高鶚"))
    assert red_chamber.publisher == "人民文學出版社"
    # 200 $e (other title information) and the newer 214 publication field.
    assert (ordinary_world.title, ordinary_world.year) == ("平凡的世界：全三册", 2017)
    assert [(i.position, i.control_number, i.skipped) for i in result.issues] == [
        (2, "CN0002", True),
        (4, "CN0004", True),
    ]
    assert result.issues[0].reason == "200 $a: missing title"
    assert "ISBN-10 check digit should be 5" in result.issues[1].reason


def test_cnmarc_in_utf8_with_a_blank_leader_position_9() -> None:
    # Many Chinese exporters write UTF-8 but leave leader/09 blank.
    data = MAKE.iso2709(MAKE.CNMARC_LEADER, MAKE.CNMARC_GBK[0], "utf-8")
    (record,) = read_marc(data).records
    assert record.title == "三体Ⅱ：黑暗森林"


@pytest.mark.parametrize(
    ("encoding", "codec"),
    [("gbk", "gbk"), ("utf-8", "utf-8"), ("marc-8", "marc-8")],
)
def test_explicit_encoding(encoding: str, codec: str) -> None:
    data = MAKE.iso2709(MAKE.CNMARC_LEADER, MAKE.CNMARC_GBK[4], codec)
    result = read_marc(data, encoding=encoding, flavour="unimarc")  # type: ignore[arg-type]
    assert titles(result.records) == ["平凡的世界：全三册"]


def test_a_corrupt_record_is_reported_and_the_next_one_loads() -> None:
    good = MAKE.iso2709(MAKE.MARC21_LEADER, MAKE.MARC21_UTF8[0], "utf-8")
    corrupt = b"00042nam a22000xx i 4500garbage\x1e\x1d"
    result = read_marc(good + corrupt + good)
    assert result.seen == 3
    assert titles(result.records) == ["三体", "三体"]
    (issue,) = result.issues
    assert issue.position == 2 and issue.skipped
    assert "cannot decode ISO 2709 record" in issue.reason


def test_a_record_without_any_title_field() -> None:
    fields = [("001", "X1"), ("020", ("  ", [("a", "9787536692930")]))]
    result = read_marc(MAKE.iso2709(MAKE.MARC21_LEADER, fields, "utf-8"))
    assert result.records == []
    assert result.issues == [
        ImportIssue(1, "no title field: neither 245 (MARC 21) nor 200 (UNIMARC/CNMARC)", "X1")
    ]


def test_a_year_that_is_not_a_year_is_reported_but_the_record_loads() -> None:
    fields = [("245", ("10", [("a", "活着")])), ("260", ("  ", [("c", "[n.d.]")]))]
    result = read_marc(MAKE.iso2709(MAKE.MARC21_LEADER, fields, "utf-8"))
    assert result.records[0].year is None
    (issue,) = result.issues
    assert not issue.skipped and "260/264 $c='[n.d.]'" in issue.reason


def test_marc21_keeps_the_original_script_of_880_fields() -> None:
    result = read_marc(FIXTURES / "marc21_880.mrc")
    assert result.issues == []
    song, nihon, hanguk, voina, hobbit = result.records
    assert song == RecordData(
        title="Jian ming Song shi",
        authors=("Zhou, Baozhu",),
        isbn13="9787101012453",  # from the ISBN-10 7101012450
        publisher="Ren min chu ban she",
        year=1985,  # 008, the 260 $c is only in the 880
        language="chi",
        control_number="ocm12345678",
        title_vernacular="簡明宋史",
        authors_vernacular=("周寶珠",),
        publisher_vernacular="人民出版社",
    )
    assert (nihon.title, nihon.title_vernacular) == ("Nihon no rekishi", "日本の歴史")
    assert hanguk.title_vernacular == "한국 의 역사"
    assert (voina.title_vernacular, voina.authors_vernacular) == ("Война и мир", ("Толстой, Лев",))
    assert (hobbit.title, hobbit.sort_title) == (
        "The hobbit, or, There and back again",
        "hobbit, or, There and back again",
    )


def test_a_cp1251_file_is_read_as_cp1251_and_a_stray_byte_costs_one_record() -> None:
    result = read_marc(FIXTURES / "marc21_cp1251.mrc")
    assert result.encoding is not None
    assert (result.encoding.encoding, result.encoding.certain) == ("cp1251", True)
    assert titles(result.records) == ["Война и мир", "Преступление и наказание"]
    assert result.records[1].authors == ("Достоевский, Фёдор Михайлович",)
    assert result.issues == [
        ImportIssue(
            3, "245 $a: bytes 98 at offset 13 are not cp1251 (file read as cp1251)", "RU0003"
        )
    ]


def test_records_after_the_detection_sample_are_read_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import catalog.marc_import as marc_import

    whole = read_marc(FIXTURES / "marc21_cp1251.mrc")
    monkeypatch.setattr(marc_import, "DETECTION_SAMPLE", 2)  # the guess after record 1
    streamed = read_marc(FIXTURES / "marc21_cp1251.mrc")
    assert streamed.records == whole.records and streamed.issues == whole.issues
    assert streamed.encoding is not None and streamed.encoding.encoding == "cp1251"


def test_an_asked_encoding_that_reads_badly_is_noted() -> None:
    result = read_marc(FIXTURES / "marc21_cp1251.mrc", encoding="latin-1")
    assert titles(result.records)[0] == "Âîéíà è ìèð"  # as asked ...
    (note,) = result.notes  # ... but not without a word
    assert "asked for latin-1" in note and "reads as cp1251" in note


def test_unimarc_non_sorting_markers_and_names() -> None:
    result = read_marc(FIXTURES / "unimarc_nsb.mrc")
    luna, rosa = result.records
    assert (luna.title, luna.sort_title) == ("L'altra faccia della luna", "altra faccia della luna")
    assert luna.authors == ("Asimov, Isaac",)
    assert luna.isbn13 == "9788804458937"  # the second 010 $a; the first is reported
    assert (rosa.title, rosa.sort_title) == ("Il nome della rosa", "nome della rosa")
    assert rosa.authors == (
        "Eco, Umberto",
        "Giovanni Paolo II",
        "Università di Bologna. Dipartimento di filosofia",
    )
    (warning,) = result.issues
    assert (warning.position, warning.skipped) == (1, False)
    assert "010 $a='88-04-45893-X': ISBN-10 check digit should be 3" in warning.reason


# --- MARCXML and CSV ---------------------------------------------------------------------


def test_marcxml_with_marc21_and_unimarc_records() -> None:
    result = read_marcxml(FIXTURES / "mixed.xml")
    assert titles(result.records) == ["三体", "三体Ⅱ：黑暗森林"]
    assert [(i.position, i.control_number) for i in result.issues] == [(3, "CN0004")]


def test_marcxml_with_880_scripts_and_c1_markers() -> None:
    hobbit = [("245", ("14", [("a", "\u0098The \u009chobbit /"), ("c", "Tolkien.")]))]
    result = read_marcxml(MAKE.marcxml([MAKE.MARC21_880[0], hobbit]))
    song, tolkien = result.records
    assert (song.title, song.title_vernacular) == ("Jian ming Song shi", "簡明宋史")
    assert (tolkien.title, tolkien.sort_title) == ("The hobbit", "hobbit")


def test_marcxml_not_well_formed() -> None:
    result = read_marcxml(b"<collection><record>")
    assert result.records == []
    assert result.issues[0].position == 0
    assert "not well-formed MARCXML" in result.issues[0].reason


def test_csv_with_chinese_headers() -> None:
    result = read_csv(FIXTURES / "records.csv")
    assert titles(result.records) == ["三体Ⅲ：死神永生", "围城"]
    assert result.records[1].year == 1991  # "1991年5月"
    assert [(i.position, i.skipped) for i in result.issues] == [(3, True), (5, True)]
    assert "title" in result.issues[0].reason
    assert "ISBN-13 check digit should be 6" in result.issues[1].reason


def test_csv_in_gbk_with_english_headers() -> None:
    (record,) = read_csv(FIXTURES / "records_gbk.csv").records
    assert (record.title, record.authors, record.clc) == ("文化苦旅", ("余秋雨",), "I267")


def test_csv_isbns_in_other_digits_and_a_superscript() -> None:
    result = read_csv(FIXTURES / "records_digits.csv")
    assert [(r.title, r.isbn13, r.year) for r in result.records] == [
        ("三体", "9787536692930", 2008),  # full-width digits, hyphens and year
        ("活着", "9787506365437", 2012),  # Arabic-Indic digits
        ("万历十五年", "9787101052039", 2006),  # the line after the bad one still loads
    ]
    (issue,) = result.issues
    assert (issue.position, issue.skipped) == (4, True)
    assert "U+2077 SUPERSCRIPT SEVEN" in issue.reason


def test_csv_in_cp1251() -> None:
    data = "title,authors\nВойна и мир,Толстой\n".encode("cp1251")
    result = read_csv(data)
    assert result.encoding is not None and result.encoding.encoding == "cp1251"
    assert (result.records[0].title, result.records[0].authors) == ("Война и мир", ("Толстой",))


def test_a_csv_line_that_does_not_decode_costs_only_its_record() -> None:
    lines = ["title,authors", "Война и мир,Толстой", "Мастер и Маргарита,Булгаков"]
    data = (
        "\n".join(lines).encode("cp1251")
        + b"\n\xcc\x98,x\n"
        + "Идиот,Достоевский\n".encode("cp1251")
    )
    result = read_csv(data)
    assert titles(result.records) == ["Война и мир", "Мастер и Маргарита", "Идиот"]
    assert result.seen == 4
    (issue,) = result.issues
    assert issue.position == 4 and "bytes 98 at offset 1 are not cp1251" in issue.reason


def test_a_csv_header_that_does_not_decode() -> None:
    fine = read_csv("title\n三体\n".encode() + b"\xff", encoding="utf-8")
    assert titles(fine.records) == ["三体"]
    assert [(i.position, i.skipped) for i in fine.issues] == [(3, True)]
    broken = read_csv(b"\xfftitle\n", encoding="utf-8")
    assert broken.records == []
    assert broken.issues[0].position == 0 and "header" in broken.issues[0].reason


def test_csv_without_a_title_column() -> None:
    with pytest.raises(InvalidValueError, match="header"):
        read_csv(b"isbn,author\n9787536692930,x\n")


# --- into the database -------------------------------------------------------------------


def test_import_records_inserts_and_indexes(db_session: Session) -> None:
    records = read_marc(FIXTURES / "cnmarc_gbk.mrc").records
    ids = import_records(db_session, records)
    assert len(ids) == 3
    stored = db_session.scalars(select(Record).where(Record.id.in_(ids)).order_by(Record.id))
    assert [(r.title, r.authors) for r in stored] == [
        ("三体Ⅱ：黑暗森林", "刘慈欣"),
        ("紅樓夢", "曹雪芹; 高鶚"),
        ("平凡的世界：全三册", "路遥"),
    ]
    hits = search_catalogue(db_session, "红楼梦").hits
    assert [h.record_id for h in hits] == [ids[1]]


def test_import_nothing(db_session: Session) -> None:
    assert import_records(db_session, []) == []
