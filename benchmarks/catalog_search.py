"""Benchmark: unified catalogue search over 200,000 items on SQLite (FTS5).

Builds its own seeded catalogue in a temporary SQLite file: the demo network's shape (one
central library, 8 branches, 30 service points), ``--items`` items (three per record on
average, so about 66,700 records) from :mod:`catalog.demo_data`, plus a few real titles
(三体 ...). Build time is reported but not part of the figures.

Then it times ``catalog.search.search_catalogue`` end to end (full-text match, ranking,
loading the hits, availability per site and travel time to the patron's site, 20 hits a
page) for a mixed, seeded set of queries drawn from the catalogue itself:

* ``chinese``  2-4 consecutive characters of a title (``长安``, ``数据结构``);
* ``pinyin``   the pinyin of the first 2-3 characters of a title (``changan``);
* ``initials`` pinyin initials of the first 3-4 characters (``cadg``);
* ``author``   an author's name, in characters or in pinyin;
* ``isbn``     an ISBN-13, half of them with hyphens.

Each query runs once to warm the caches, then once timed. Target (from the issue): median
< 50 ms and p95 < 150 ms on this machine. There is no published anchor for this exact
workload: the targets are the anchor column.

``--url postgresql+psycopg://...`` runs the same measurement on PostgreSQL (in a throwaway
schema) for comparison; the targets are for SQLite.

Usage::

    .venv/bin/python benchmarks/catalog_search.py [--items 200000] [--queries 500]
        [--seed 0] [--json OUT] [--url POSTGRES_URL]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pypinyin import Style, lazy_pinyin
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from catalog.db import create_engine, upgrade
from catalog.demo_data import demo_sites_from_db, generate_demo_catalogue
from catalog.marc_import import RecordData, import_records
from catalog.models import Record, SiteKind
from catalog.normalize import is_han
from catalog.search import search_catalogue
from catalog.sites import create_site
from catalog.travel import MatrixTravelTimes

TARGET_MEDIAN_MS = 50.0
TARGET_P95_MS = 150.0
KINDS = ("chinese", "pinyin", "initials", "author", "isbn")
H = 3600

REAL_TITLES = (
    RecordData("三体", ("刘慈欣",), "9787536692930", "重庆出版社", 2008, "I247.55"),
    RecordData("三体Ⅱ：黑暗森林", ("刘慈欣",), "9787536693968", "重庆出版社", 2008, "I247.55"),
    RecordData("三体Ⅲ：死神永生", ("刘慈欣",), "9787229030933", "重庆出版社", 2010, "I247.55"),
    RecordData("紅樓夢", ("曹雪芹", "高鶚"), "9787020002207", "人民文學出版社", 1982, "I242.47"),
    RecordData("平凡的世界", ("路遥",), "9787530216781", "北京十月文艺出版社", 2017, "I247.57"),
)
FIXED_QUERIES = (("chinese", "三体"), ("pinyin", "santi"), ("initials", "st"))


@contextmanager
def database(url: str | None) -> Iterator[Engine]:
    """A new, empty database: a temporary SQLite file, or a throwaway schema in the
    PostgreSQL database ``url`` (dropped afterwards)."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="shuyun-search-") as folder:
            engine = create_engine(f"sqlite:///{Path(folder) / 'catalog.sqlite'}")
            try:
                yield engine
            finally:
                engine.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def build(engine: Engine, items: int, seed: int) -> tuple[float, int, MatrixTravelTimes, list[int]]:
    """Create and fill the benchmark database; returns (seconds, records, times, site ids)."""
    t0 = time.perf_counter()
    upgrade(engine)
    with Session(engine) as session:
        kinds = [SiteKind.central] + [SiteKind.branch] * 8 + [SiteKind.service_point] * 30
        ids = []
        for number, kind in enumerate(kinds):
            site = create_site(
                session,
                code=f"B{number:02d}",
                kind=kind,
                name_zh=f"基准站点{number}",
                name_en=f"Benchmark site {number}",
                lon=108.93 + 0.002 * number,
                lat=34.24 + 0.001 * number,
                opening_hours={d: [(9 * H, 18 * H)] for d in range(7)},
                van_weekdays=range(6),
            )
            ids.append(site.id)
        demo = generate_demo_catalogue(
            session,
            demo_sites_from_db(session),
            seed=seed,
            records=items // 3,
            items=items,
            patrons=1000,
        )
        import_records(session, REAL_TITLES)
        session.commit()
        if engine.dialect.name == "postgresql":
            session.execute(text("ANALYZE"))  # fresh statistics, as autovacuum would give
            session.commit()
    rng = random.Random(seed)
    times = MatrixTravelTimes(
        {(a, b): rng.randint(300, 2400) for a in ids for b in ids if a < b}, symmetric=True
    )
    return time.perf_counter() - t0, demo.records + len(REAL_TITLES), times, ids


_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _han_prefix(title: str, n: int) -> str:
    chars = [c for c in title if is_han(c)]
    return "".join(chars[:n])


def make_queries(session: Session, count: int, seed: int) -> list[tuple[str, str]]:
    """A seeded mixed query set drawn from the catalogue: (kind, query)."""
    rng = random.Random(seed + 1)
    rows = session.execute(select(Record.title, Record.authors, Record.isbn13)).all()
    queries: list[tuple[str, str]] = list(FIXED_QUERIES)
    while len(queries) < count:
        kind = KINDS[len(queries) % len(KINDS)]
        title, authors, isbn = rng.choice(rows)
        han = [c for c in title if is_han(c)]
        run = max(_HAN_RUN.findall(title), key=len, default="")
        if kind == "chinese" and len(run) >= 2:
            # Characters as they stand together in the title (not across punctuation).
            n = rng.randint(2, min(4, len(run)))
            start = rng.randrange(len(run) - n + 1)
            queries.append((kind, run[start : start + n]))
        elif kind == "pinyin" and len(han) >= 2:
            queries.append((kind, "".join(lazy_pinyin(_han_prefix(title, rng.randint(2, 3))))))
        elif kind == "initials" and len(han) >= 3:
            letters = lazy_pinyin(_han_prefix(title, rng.randint(3, 4)), style=Style.FIRST_LETTER)
            queries.append((kind, "".join(letters)))
        elif kind == "author" and authors:
            name = authors.split("; ")[0]
            if rng.random() < 0.5 and all(is_han(c) for c in name):
                name = "".join(lazy_pinyin(name))
            queries.append((kind, name))
        elif kind == "isbn" and isbn:
            if rng.random() < 0.5:
                isbn = f"{isbn[:3]}-{isbn[3]}-{isbn[4:8]}-{isbn[8:12]}-{isbn[12]}"
            queries.append((kind, isbn))
    return queries


def percentile(values: list[float], q: float) -> float:
    """The ``q``-quantile (0..1) by linear interpolation."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def run(items: int, n_queries: int, seed: int, url: str | None = None) -> dict[str, object]:
    with database(url) as engine:
        build_s, records, times, site_ids = build(engine, items, seed)
        dialect = engine.dialect.name
        print(f"built {records} records / {items} items on {dialect} in {build_s:.1f} s")
        rng = random.Random(seed + 2)
        with Session(engine) as session:
            queries = make_queries(session, n_queries, seed)
            patrons = [rng.choice(site_ids) for _ in queries]
            timings: dict[str, list[float]] = {k: [] for k in KINDS}
            all_ms: list[float] = []
            empty = 0
            for (_kind, query), site in zip(queries, patrons, strict=True):
                search_catalogue(session, query, patron_site_id=site, travel_times=times)
            for (kind, query), site in zip(queries, patrons, strict=True):
                t0 = time.perf_counter()
                result = search_catalogue(session, query, patron_site_id=site, travel_times=times)
                ms = (time.perf_counter() - t0) * 1000
                timings[kind].append(ms)
                all_ms.append(ms)
                empty += not result.hits
    return {
        "benchmark": "catalog_search",
        "database": dialect,
        "items": items,
        "records": records,
        "queries": len(all_ms),
        "queries_without_hits": empty,
        "seed": seed,
        "build_s": round(build_s, 1),
        "median_ms": round(statistics.median(all_ms), 2),
        "p95_ms": round(percentile(all_ms, 0.95), 2),
        "max_ms": round(max(all_ms), 2),
        "by_kind": {
            kind: {
                "queries": len(ms),
                "median_ms": round(statistics.median(ms), 2),
                "p95_ms": round(percentile(ms, 0.95), 2),
            }
            for kind, ms in timings.items()
            if ms
        },
        "target_median_ms": TARGET_MEDIAN_MS,
        "target_p95_ms": TARGET_P95_MS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=200_000, help="items in the catalogue")
    parser.add_argument("--queries", type=int, default=500, help="queries to time")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON here")
    parser.add_argument(
        "--url",
        default=None,
        help="PostgreSQL URL to measure instead of SQLite (a throwaway schema is used)",
    )
    args = parser.parse_args(argv)
    figures = run(args.items, args.queries, args.seed, args.url)
    print(f"\n{'figure':<24}{'ours':>10}{'target':>10}{'ratio':>8}")
    for name, ours, target in (
        ("median (ms)", figures["median_ms"], TARGET_MEDIAN_MS),
        ("p95 (ms)", figures["p95_ms"], TARGET_P95_MS),
    ):
        assert isinstance(ours, float)
        print(f"{name:<24}{ours:>10.2f}{target:>10.1f}{ours / target:>8.2f}")
    by_kind = figures["by_kind"]
    assert isinstance(by_kind, dict)
    print(f"\n{'query kind':<12}{'n':>6}{'median ms':>12}{'p95 ms':>10}")
    for kind, row in by_kind.items():
        print(f"{kind:<12}{row['queries']:>6}{row['median_ms']:>12.2f}{row['p95_ms']:>10.2f}")
    print(
        f"\n{figures['queries']} queries over {figures['items']} items "
        f"({figures['records']} records), {figures['queries_without_hits']} without hits; "
        f"build {figures['build_s']} s"
    )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
