"""MARC 21, CNMARC/UNIMARC (ISO 2709 in UTF-8, MARC-8, GBK, cp1251; MARCXML) and CSV import,
and the import service behind ``shuyun import-records``.

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
    import_record_file,
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


# --- the service -----------------------------------------------------------------------------


def test_the_report_counts_loaded_and_skipped_with_positions(db_session: Session) -> None:
    report = import_record_file(session=db_session, source=FIXTURES / "marc21_utf8.mrc")
    assert (report.format, report.seen, report.loaded, report.skipped_count) == ("iso2709", 5, 3, 2)
    assert [(i.position, i.control_number) for i in report.skipped] == [
        (2, "CAL012008005678"),
        (4, "CAL012006000042"),
    ]
    assert report.refused == ""
    assert report.summary().endswith("已导入 loaded 3，跳过 skipped 2")
    stored = db_session.scalars(select(Record.title).where(Record.id.in_(report.record_ids)))
    assert sorted(stored) == sorted(["三体", "Foundation", "万历十五年"])


def test_importing_the_same_file_again_loads_nothing_twice(db_session: Session) -> None:
    first = import_record_file(session=db_session, source=FIXTURES / "cnmarc_gbk.mrc")
    again = import_record_file(session=db_session, source=FIXTURES / "cnmarc_gbk.mrc")
    assert (first.loaded, again.loaded, again.skipped_count) == (3, 0, 5)
    duplicates = [i for i in again.skipped if "already in the catalogue" in i.reason]
    assert [i.position for i in duplicates] == [1, 3, 5]
    assert f"as record {first.record_ids[0]} " in duplicates[0].reason


def test_the_same_isbn_with_another_title_loads_with_a_warning(db_session: Session) -> None:
    # Volumes of a set catalogued apart often carry the set's ISBN.
    first = "title,isbn\n平凡的世界 第一部,9787530216781\n".encode()
    second = "title,isbn\n平凡的世界 第二部,9787530216781\n".encode()
    import_record_file(session=db_session, source=first)
    report = import_record_file(session=db_session, source=second)
    assert report.loaded == 1
    (warning,) = report.warnings
    assert "isbn13='9787530216781': also on record" in warning.reason


def test_an_uncertain_encoding_loads_nothing_until_it_is_named(db_session: Session) -> None:
    fields = [("001", "RU9"), ("245", ("10", [("a", "СССР")]))]
    data = MAKE.iso2709(MAKE.MARC21_LEADER_MARC8, fields, "cp1251")
    report = import_record_file(session=db_session, source=data, name="ussr.mrc")
    assert report.encoding is not None and not report.encoding.certain
    assert (report.loaded, report.skipped_count) == (0, 1)
    assert report.refused.startswith("编码不确定，未导入任何记录")
    assert "name the encoding (" in report.refused and "cp1251" in report.refused
    assert str(report.encoding).startswith("编码不确定 / encoding uncertain: guessed ")
    assert db_session.scalars(select(Record).where(Record.title == "СССР")).all() == []
    named = import_record_file(session=db_session, source=data, encoding="cp1251")
    assert named.loaded == 1


@pytest.mark.parametrize(
    ("name", "file_format", "loaded"),
    [
        ("mixed.xml", "marcxml", 2),
        ("records.csv", "csv", 2),
        ("marc21_marc8.mrc", "iso2709", 3),
        ("unimarc_nsb.mrc", "iso2709", 2),
    ],
)
def test_the_format_is_recognised(
    db_session: Session, name: str, file_format: str, loaded: int
) -> None:
    report = import_record_file(session=db_session, source=FIXTURES / name)
    assert (report.format, report.loaded) == (file_format, loaded)


def test_a_named_flavour_is_used(db_session: Session) -> None:
    report = import_record_file(
        session=db_session, source=FIXTURES / "cnmarc_gbk.mrc", format="marc21"
    )
    assert report.loaded == 0  # CNMARC read as MARC 21 has no 245
    assert all("245 $a: missing title" in i.reason for i in report.skipped)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"format": "marc"}, "format"),
        ({"encoding": "utf8"}, "encoding"),
        ({"encoding": "gbk", "source": b"<collection/>"}, "encoding"),  # MARCXML: its own
        ({"encoding": "marc-8", "format": "csv"}, "encoding"),
    ],
)
def test_bad_options_name_the_field(
    db_session: Session, kwargs: dict[str, object], field: str
) -> None:
    arguments: dict[str, object] = {"source": "title\n活着\n".encode(), **kwargs}
    with pytest.raises(InvalidValueError) as error:
        import_record_file(session=db_session, **arguments)  # type: ignore[arg-type]
    assert error.value.field == field


@pytest.mark.parametrize(
    ("source", "refused"),
    [
        (b"", "no records"),
        (b"isbn,author\n9787536692930,x\n", "needs a title column"),
        (b"<collection><record>", "not well-formed MARCXML"),
    ],
)
def test_files_refused_as_a_whole(db_session: Session, source: bytes, refused: str) -> None:
    report = import_record_file(session=db_session, source=source)
    assert refused in report.refused
    assert report.loaded == 0


def test_chinese_readers_find_880_records_in_chinese(db_session: Session) -> None:
    report = import_record_file(session=db_session, source=FIXTURES / "marc21_880.mrc")
    song = report.record_ids[0]

    def found(query: str, **kwargs: object) -> list[int]:
        hits = search_catalogue(db_session, query, **kwargs).hits  # type: ignore[arg-type]
        return [h.record_id for h in hits]

    assert found("宋史") == [song]  # the words LC kept apart are one title here
    assert found("简明宋史") == [song]  # simplified finds the traditional original
    assert found("Jian ming Song shi") == [song]  # the romanised form is still there
    assert found("jianmingsongshi") == [song]  # and the pinyin of the original
    assert found("周宝珠", field="author") == [song]
    assert found("人民出版社") == [song]
    assert found("歴史") == [report.record_ids[1]]
    assert found("война") == [report.record_ids[3]]
    (hit,) = search_catalogue(db_session, "宋史").hits
    assert hit.display_title() == "簡明宋史 = Jian ming Song shi"
    assert hit.display_title("en") == "Jian ming Song shi = 簡明宋史"
    assert hit.display_authors() == "周寶珠 = Zhou, Baozhu"
    stored = db_session.get(Record, song)
    assert stored is not None and stored.sort_title == "Jian ming Song shi"
