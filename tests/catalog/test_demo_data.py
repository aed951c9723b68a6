"""The seeded demo catalogue (演示数据): labelled, valid, spread over the given sites."""

from __future__ import annotations

import pytest
from catalog_network import Network
from sqlalchemy import func, select

from catalog.demo_data import (
    DEMO_LABEL,
    demo_sites_from_db,
    generate_demo_catalogue,
    make_demo_records,
)
from catalog.errors import InvalidValueError, NotFoundError
from catalog.isbn import is_valid_isbn
from catalog.models import Item, Patron, Record, SiteKind
from catalog.normalize import text_units
from catalog.search import search_catalogue


def test_demo_records_are_labelled_valid_and_reproducible() -> None:
    records = make_demo_records(500, seed=7)
    assert records == make_demo_records(500, seed=7)
    assert records != make_demo_records(500, seed=8)
    assert all(r.publisher.endswith(DEMO_LABEL) for r in records)
    isbns = [r.isbn13 or "" for r in records]
    assert all(is_valid_isbn(i) and i.startswith("9787") for i in isbns)
    assert len(set(isbns)) == 500
    # CLC classes a Chinese public library shelves: mostly literature (I), some others.
    classes = {r.clc[0] for r in records}
    assert {"I", "K", "T"} <= classes
    # Titles and authors are Chinese text, as readers will search them.
    assert sum(any("\u4e00" <= u <= "\u9fff" for u in text_units(r.title)) for r in records) > 450
    assert all(r.year is not None and 1980 <= r.year <= 2025 for r in records)


def test_generate_on_the_test_network(net: Network) -> None:
    sites = demo_sites_from_db(net.session)
    assert [kind for _, kind in sites] == [
        SiteKind.central,
        SiteKind.branch,
        SiteKind.branch,
        SiteKind.service_point,
    ]
    demo = generate_demo_catalogue(net.session, sites, seed=1, scale=0.005)
    assert (demo.records, demo.items, demo.patrons) == (100, 300, 50)
    assert sum(demo.items_by_site.values()) == 300
    assert set(demo.items_by_site) == {s for s, _ in sites}
    # The central library and the branches hold most of the copies.
    kiosk = net.sites["kiosk"].id
    assert demo.items_by_site[kiosk] < 0.25 * 300
    session = net.session
    assert session.scalar(select(func.count()).where(Item.barcode.like("DEMO%"))) == 300
    assert session.scalar(select(func.count()).where(Patron.card_number.like("DEMO%"))) == 50
    # Every record has at least one copy.
    without = select(Record.id).where(Record.publisher.like(f"%{DEMO_LABEL}"), ~Record.items.any())
    assert session.scalars(without).all() == []
    # The demo records are searchable at once.
    first = session.scalar(
        select(Record).where(Record.publisher.like(f"%{DEMO_LABEL}")).order_by(Record.id)
    )
    assert first is not None
    hits = search_catalogue(session, first.isbn13 or "", field="isbn").hits
    assert [h.record_id for h in hits] == [first.id]
    assert search_catalogue(session, "演示数据", limit=200).has_more is False


def test_a_second_batch_does_not_reuse_barcodes(net: Network) -> None:
    sites = demo_sites_from_db(net.session)
    generate_demo_catalogue(net.session, sites, seed=1, records=5, items=10, patrons=3)
    generate_demo_catalogue(net.session, sites, seed=2, records=5, items=10, patrons=3)
    barcodes = net.session.scalars(select(Item.barcode).where(Item.barcode.like("DEMO%")))
    assert len(set(barcodes)) == 20


def test_sites_that_keep_no_stock_get_patrons_but_no_items(net: Network) -> None:
    net.sites["kiosk"].keeps_stock = False
    net.session.flush()
    demo = generate_demo_catalogue(
        net.session, demo_sites_from_db(net.session), seed=3, records=20, items=60, patrons=200
    )
    assert net.sites["kiosk"].id not in demo.items_by_site
    assert demo.patrons_by_site[net.sites["kiosk"].id] > 0


@pytest.mark.parametrize(
    ("sites", "kwargs", "error", "field"),
    [
        ([], {}, InvalidValueError, "sites"),  # no sites
        ([(1, "library")], {}, InvalidValueError, "sites"),  # unknown kind
        ([(999_999, "branch")], {}, NotFoundError, "sites"),  # not in the database
        (None, {"scale": 0}, InvalidValueError, "scale"),
        (None, {"records": 0}, InvalidValueError, "records"),
        (None, {"records": 10, "items": 5}, InvalidValueError, "items"),  # fewer than records
    ],
)
def test_bad_input(
    net: Network,
    sites: list[tuple[int, str]] | None,
    kwargs: dict[str, float],
    error: type[Exception],
    field: str,
) -> None:
    given = demo_sites_from_db(net.session) if sites is None else sites
    with pytest.raises(error) as raised:
        generate_demo_catalogue(net.session, given, **kwargs)  # type: ignore[arg-type]
    assert raised.value.field == field  # type: ignore[attr-defined]
