"""Unified catalogue search: Chinese as readers type it, every field, availability per site.

Runs on SQLite (FTS5) and PostgreSQL (tsvector) through the ``net`` fixture: sites
``central``, ``east``, ``west``, ``kiosk`` with van travel times (east→kiosk 700 s,
central→kiosk 600 s, west→kiosk 1300 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from catalog_network import Network
from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from catalog.db import create_engine, upgrade
from catalog.errors import InvalidValueError
from catalog.marc_import import RecordData, import_records
from catalog.models import ItemStatus, Record
from catalog.search import (
    count_catalogue,
    index_records,
    rebuild_search_index,
    search_catalogue,
)


@dataclass
class Shelf:
    """The named records of these tests, by short name → record id."""

    net: Network
    ids: dict[str, int]

    def titles(self, query: str, **kwargs: object) -> list[str]:
        result = search_catalogue(self.net.session, query, **kwargs)  # type: ignore[arg-type]
        return [hit.title for hit in result.hits]


@pytest.fixture
def shelf(net: Network) -> Shelf:
    records = {
        "santi": RecordData("三体", ("刘慈欣",), "9787536692930", "重庆出版社", 2008, "I247.55"),
        "dark_forest": RecordData(
            "三体Ⅱ：黑暗森林", ("刘慈欣",), "9787536693968", "重庆出版社", 2008, "I247.55"
        ),
        "red_chamber": RecordData(
            "紅樓夢", ("曹雪芹", "高鶚"), "9787020002207", "人民文學出版社", 1982, "I242.47"
        ),
        "to_live": RecordData("活着", ("余华",), "9787506365437", "作家出版社", 2012, "I247.57"),
        "python": RecordData(
            "Python编程：从入门到实践",
            ("（美）埃里克·马瑟斯",),
            None,
            "人民邮电出版社",
            2016,
            "TP312",
        ),
        "wanli": RecordData("万历十五年", ("黄仁宇",), "9787101052039", "中华书局", 2006, "K248.3"),
        "foundation": RecordData(
            "Foundation",
            ("Asimov, Isaac",),
            "9780553293357",
            "Bantam Books",
            1991,
            "I712.45",
            "eng",
        ),
    }
    ids = dict(zip(records, import_records(net.session, records.values()), strict=True))
    return Shelf(net, ids)


# --- what readers type -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("三体", ["三体", "三体Ⅱ：黑暗森林"]),  # a part of the title finds the sequel
        ("黑暗森林", ["三体Ⅱ：黑暗森林"]),  # the middle of a title
        ("暗", ["三体Ⅱ：黑暗森林"]),  # one character
        ("santi", ["三体", "三体Ⅱ：黑暗森林"]),  # pinyin
        ("san ti", ["三体", "三体Ⅱ：黑暗森林"]),  # pinyin typed with a space
        ("st", ["三体", "三体Ⅱ：黑暗森林"]),  # initials
        ("heiansenlin", ["三体Ⅱ：黑暗森林"]),  # pinyin starting mid-title
        ("三體", ["三体", "三体Ⅱ：黑暗森林"]),  # traditional
        ("ＳＡＮＴＩ", ["三体", "三体Ⅱ：黑暗森林"]),  # full-width
        ("红楼梦", ["紅樓夢"]),  # simplified finds a traditional record
        ("hlm", ["紅樓夢"]),
        ("三体 黑暗", ["三体Ⅱ：黑暗森林"]),  # every word must match
        ("python", ["Python编程：从入门到实践"]),
        ("PYTHON 入门", ["Python编程：从入门到实践"]),
        ("foundation", ["Foundation"]),
        ("黄仁宇", ["万历十五年"]),  # keyword search includes authors
        ("中华书局", ["万历十五年"]),  # and publishers
        ("一二三四", []),
    ],
)
def test_keyword_search(shelf: Shelf, query: str, expected: list[str]) -> None:
    assert sorted(shelf.titles(query)) == sorted(expected)


def test_the_exact_title_ranks_first(shelf: Shelf) -> None:
    assert shelf.titles("三体")[0] == "三体"


@pytest.mark.parametrize(
    ("query", "field", "expected"),
    [
        ("刘慈欣", "author", ["三体", "三体Ⅱ：黑暗森林"]),
        ("liucixin", "author", ["三体", "三体Ⅱ：黑暗森林"]),
        ("lcx", "author", ["三体", "三体Ⅱ：黑暗森林"]),
        ("高鹗", "author", ["紅樓夢"]),  # 鶚 → 鹗
        ("asimov", "author", ["Foundation"]),
        ("刘慈欣", "title", []),  # an author is not a title
        ("三体", "author", []),
        ("活着", "title", ["活着"]),
    ],
)
def test_field_search(shelf: Shelf, query: str, field: str, expected: list[str]) -> None:
    assert sorted(shelf.titles(query, field=field)) == sorted(expected)


@pytest.mark.parametrize(
    ("query", "field", "expected"),
    [
        ("9787536692930", "keyword", ["三体"]),
        ("978-7-5366-9396-8", "keyword", ["三体Ⅱ：黑暗森林"]),
        ("7-5366-9293-5", "isbn", ["三体"]),  # ISBN-10 of the same book
        ("0553293354", "isbn", ["Foundation"]),
        ("97875366", "isbn", ["三体", "三体Ⅱ：黑暗森林"]),  # a prefix, in the ISBN field
        ("978-7536", "keyword", ["三体", "三体Ⅱ：黑暗森林"]),  # and in the keyword box
        ("9787536692931", "isbn", []),  # wrong check digit: no such book
    ],
)
def test_isbn_search(shelf: Shelf, query: str, field: str, expected: list[str]) -> None:
    assert sorted(shelf.titles(query, field=field)) == sorted(expected)


@pytest.mark.parametrize(
    ("query", "field", "expected"),
    [
        ("I247", "call_number", ["三体", "三体Ⅱ：黑暗森林", "活着"]),  # a class and below
        ("I247.55", "call_number", ["三体", "三体Ⅱ：黑暗森林"]),
        ("i24", "call_number", ["三体", "三体Ⅱ：黑暗森林", "活着", "紅樓夢"]),
        ("K248.3", "keyword", ["万历十五年"]),  # a call number in the keyword box
        ("TP3", "call_number", ["Python编程：从入门到实践"]),
    ],
)
def test_call_number_search(shelf: Shelf, query: str, field: str, expected: list[str]) -> None:
    assert sorted(shelf.titles(query, field=field)) == sorted(expected)


# --- availability and travel time ----------------------------------------------------------


def test_availability_per_site_nearest_first(shelf: Shelf) -> None:
    net = shelf.net
    record = net.session.get(Record, shelf.ids["dark_forest"])
    assert record is not None
    net.copy(record, "west")
    net.copy(record, "east")
    net.copy(record, "east", status=ItemStatus.on_loan)
    net.copy(record, "central", status=ItemStatus.withdrawn)  # not counted
    net.copy(record, "kiosk", status=ItemStatus.on_loan)
    kiosk = net.sites["kiosk"].id
    (hit,) = search_catalogue(
        net.session, "黑暗森林", patron_site_id=kiosk, travel_times=net.travel
    ).hits
    assert hit.available == 2
    assert [(s.site_code, s.available, s.copies, s.travel_time_s) for s in hit.sites] == [
        ("east", 1, 2, 700),  # available, nearest to the kiosk
        ("west", 1, 1, 1300),
        ("kiosk", 0, 1, 0),  # nothing on the shelf: listed after the sites that have it
    ]
    assert hit.nearest_available is not None
    assert hit.nearest_available.site_code == "east"


@pytest.mark.parametrize("kind", ["mapping", "callable", "none"])
def test_travel_times_as_mapping_or_function(shelf: Shelf, kind: str) -> None:
    net = shelf.net
    record = net.session.get(Record, shelf.ids["to_live"])
    assert record is not None
    net.copy(record, "west")
    west, kiosk = net.sites["west"].id, net.sites["kiosk"].id
    source = {
        "mapping": {(west, kiosk): 1234},
        "callable": lambda a, b: 1234 if (a, b) == (west, kiosk) else None,
        "none": None,
    }[kind]
    (hit,) = search_catalogue(
        net.session,
        "活着",
        patron_site_id=kiosk,
        travel_times=source,  # type: ignore[arg-type]
    ).hits
    assert hit.sites[0].travel_time_s == (None if kind == "none" else 1234)


def test_a_record_without_copies_has_no_sites(shelf: Shelf) -> None:
    (hit,) = search_catalogue(shelf.net.session, "万历十五年").hits
    assert (hit.available, hit.sites, hit.nearest_available) == (0, (), None)
    assert hit.authors == ("黄仁宇",)
    assert (hit.isbn13, hit.publisher, hit.year, hit.clc) == (
        "9787101052039",
        "中华书局",
        2006,
        "K248.3",
    )


# --- paging and bad input ----------------------------------------------------------------


def test_paging(shelf: Shelf) -> None:
    session = shelf.net.session
    first = search_catalogue(session, "i24", field="call_number", limit=3)
    rest = search_catalogue(session, "i24", field="call_number", limit=3, offset=3)
    assert (len(first.hits), first.has_more) == (3, True)
    assert (len(rest.hits), rest.has_more) == (1, False)
    assert not {h.record_id for h in first.hits} & {h.record_id for h in rest.hits}


def test_the_count_is_every_page_of_hits(shelf: Shelf) -> None:
    session = shelf.net.session
    assert count_catalogue(session, "i24", field="call_number") == 4
    assert count_catalogue(session, "santi") == 2
    assert count_catalogue(session, "一二三四") == 0
    with pytest.raises(InvalidValueError) as error:
        count_catalogue(session, "三体", field="subject")  # type: ignore[arg-type]
    assert error.value.field == "field"


@pytest.mark.parametrize(
    ("query", "kwargs", "field"),
    [
        ("", {}, "query"),  # empty
        ("  ", {}, "query"),
        ("！？", {}, "query"),  # nothing searchable
        ("三体", {"field": "subject"}, "field"),  # unknown field
        ("三体", {"limit": 0}, "limit"),
        ("三体", {"limit": 201}, "limit"),
        ("三体", {"offset": -1}, "offset"),
        ("三体", {"field": "isbn"}, "query"),  # an ISBN search needs digits
        ("三体", {"travel_times": 42, "patron_site_id": 1}, "travel_times"),
    ],
)
def test_bad_input(shelf: Shelf, query: str, kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValueError) as error:
        search_catalogue(shelf.net.session, query, **kwargs)  # type: ignore[arg-type]
    assert error.value.field == field


# --- keeping the index in step -------------------------------------------------------------


def test_orm_changes_are_indexed(net: Network) -> None:
    record = net.record("平凡的世界", authors="路遥", clc="I247.57")
    assert [h.record_id for h in search_catalogue(net.session, "pingfan").hits] == [record.id]
    record.title = "人生"
    net.session.flush()
    assert search_catalogue(net.session, "pingfan").hits == ()
    assert [h.title for h in search_catalogue(net.session, "rensheng").hits] == ["人生"]
    net.session.delete(record)
    net.session.flush()
    assert search_catalogue(net.session, "rensheng").hits == ()


def test_bulk_changes_need_index_records(shelf: Shelf) -> None:
    session = shelf.net.session
    session.execute(delete(Record).where(Record.id == shelf.ids["wanli"]))
    # The record is gone: an index row left behind is never returned as a hit.
    assert search_catalogue(session, "万历").hits == ()
    assert index_records(session, [shelf.ids["wanli"]]) == 0
    assert rebuild_search_index(session) == len(shelf.ids) - 1
    assert shelf.titles("三体") == ["三体", "三体Ⅱ：黑暗森林"]


def test_the_index_revision_indexes_records_already_there(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    upgrade(engine, "0001")  # a database from before the search index
    with engine.begin() as connection:
        # Written as the code of that revision wrote it (today's model has more columns).
        connection.execute(
            text(
                "INSERT INTO records (title, authors, publisher, clc, language) "
                "VALUES ('三体', '刘慈欣', '', '', 'chi')"
            )
        )
    upgrade(engine)
    with Session(engine) as session:
        assert [h.title for h in search_catalogue(session, "santi").hits] == ["三体"]
    engine.dispose()
