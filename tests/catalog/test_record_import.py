"""The import service behind ``shuyun import-records``: counts and positions of what was
skipped, files refused as a whole, no duplicates on a second run, and Chinese search of the
records it stored; on SQLite and PostgreSQL (``db_session``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.errors import InvalidValueError
from catalog.models import Record
from catalog.record_import import import_record_file
from catalog.search import search_catalogue

FIXTURES = Path(__file__).resolve().parent / "fixtures"
_SPEC = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
assert _SPEC is not None and _SPEC.loader is not None
MAKE = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(MAKE)


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
