"""Benchmark: importing catalogue records (``shuyun import-records``) per second.

Writes its own seeded files in a temporary folder from :func:`catalog.demo_data.make_demo_records`
(Chinese titles, authors, publishers, valid ISBNs, CLC numbers):

* ``marc21``  MARC 21 in UTF-8 (pymarc's writer), every third record in the American way:
  romanised 245/100/264 (pinyin) with the Chinese in 880 fields;
* ``csv``     the same records as a CSV with Chinese column names.

For each file it times, on a fresh SQLite database (or a throwaway PostgreSQL schema with
``--url``):

* ``read``    :func:`catalog.marc_import.read_marc` / ``read_csv`` (encoding guess, strict
  decoding, field mapping, ISBN checks), no database;
* ``import``  :func:`catalog.record_import.import_record_file` end to end (read, duplicate
  check, bulk insert, search index), committed.

The anchor is pymarc's own ``MARCReader`` reading the MARC file (``to_unicode=True,
force_utf8=True``), with nothing mapped or stored: what reading costs before our work.

Usage::

    .venv/bin/python benchmarks/record_import.py [--records 20000] [--seed 0]
        [--json OUT] [--url POSTGRES_URL]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pymarc
from pypinyin import lazy_pinyin
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from catalog.db import create_engine, upgrade
from catalog.demo_data import make_demo_records
from catalog.marc_fields import RecordData
from catalog.marc_import import read_csv, read_marc
from catalog.record_import import import_record_file


def _field(tag: str, indicators: str, *subfields: tuple[str, str]) -> pymarc.Field:
    return pymarc.Field(
        tag=tag,
        indicators=pymarc.Indicators(indicators[0], indicators[1]),
        subfields=[pymarc.Subfield(c, v) for c, v in subfields],
    )


def _pinyin(text: str) -> str:
    return " ".join(lazy_pinyin(text)).capitalize()


def marc21_record(number: int, record: RecordData) -> pymarc.Record:
    """One MARC 21 record; every third one romanised with the Chinese in 880 fields."""
    out = pymarc.Record(leader="00000nam a2200000 i 4500", force_utf8=True)
    out.add_field(pymarc.Field(tag="001", data=f"BENCH{number:07d}"))
    out.add_field(
        pymarc.Field(tag="008", data=f"250101s{record.year}    cc            000 1 chi d")
    )
    out.add_field(_field("020", "  ", ("a", record.isbn13 or "")))
    out.add_field(_field("084", "  ", ("a", record.clc), ("2", "clc")))
    author, title, publisher = record.authors[0], record.title, record.publisher
    if number % 3:
        out.add_field(_field("100", "1 ", ("a", author)))
        out.add_field(_field("245", "10", ("a", title + " /"), ("c", author + "著.")))
        out.add_field(_field("264", " 1", ("a", "北京 :"), ("b", publisher + ","), ("c", "2025.")))
        return out
    out.add_field(_field("100", "1 ", ("6", "880-01"), ("a", _pinyin(author))))
    out.add_field(_field("245", "10", ("6", "880-02"), ("a", _pinyin(title) + " /")))
    out.add_field(
        _field("264", " 1", ("6", "880-03"), ("a", "Beijing :"), ("b", _pinyin(publisher)))
    )
    out.add_field(_field("880", "1 ", ("6", "100-01/$1"), ("a", author)))
    out.add_field(_field("880", "10", ("6", "245-02/$1"), ("a", title + " /")))
    out.add_field(_field("880", " 1", ("6", "264-03/$1"), ("a", "北京 :"), ("b", publisher)))
    return out


def write_files(folder: Path, count: int, seed: int) -> dict[str, Path]:
    """The benchmark's MARC 21 and CSV files of the same ``count`` records."""
    records = make_demo_records(count, seed=seed)
    marc_path = folder / "records.mrc"
    with marc_path.open("wb") as fh:
        for number, record in enumerate(records):
            fh.write(marc21_record(number, record).as_marc())
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["题名", "责任者", "ISBN", "出版社", "出版年", "中图分类号"])
    for r in records:
        writer.writerow([r.title, "；".join(r.authors), r.isbn13, r.publisher, r.year, r.clc])
    csv_path = folder / "records.csv"
    csv_path.write_text(buffer.getvalue(), encoding="utf-8")
    return {"marc21": marc_path, "csv": csv_path}


@contextmanager
def database(folder: Path, url: str | None) -> Iterator[Engine]:
    """A new, migrated database: a SQLite file in ``folder`` or a throwaway schema."""
    if url is None:
        engine = create_engine(f"sqlite:///{folder / f'{uuid.uuid4().hex}.sqlite'}")
        upgrade(engine)
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
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _timed(function: object, *args: object, **kwargs: object) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = function(*args, **kwargs)  # type: ignore[operator]
    return time.perf_counter() - t0, result


def pymarc_read(path: Path) -> int:
    """The anchor: pymarc reading the file into Unicode records, nothing more."""
    with path.open("rb") as fh:
        return sum(1 for _ in pymarc.MARCReader(fh, to_unicode=True, force_utf8=True))


def measure(count: int, seed: int, url: str | None) -> dict[str, object]:
    """Every figure of the benchmark, as a dict."""
    with tempfile.TemporaryDirectory(prefix="shuyun-import-") as name:
        folder = Path(name)
        files = write_files(folder, count, seed)
        anchor_s, anchor_n = _timed(pymarc_read, files["marc21"])
        figures: dict[str, object] = {"records": count, "pymarc_read_s": anchor_s}
        assert anchor_n == count
        for kind, path in files.items():
            reader = read_marc if kind == "marc21" else read_csv
            read_s, result = _timed(reader, path)
            assert len(result.records) == count, result.issues[:3]  # type: ignore[attr-defined]
            with database(folder, url) as engine, Session(engine) as session:
                import_s, report = _timed(import_record_file, session=session, source=path)
                session.commit()
            assert report.loaded == count, report.refused  # type: ignore[attr-defined]
            figures[kind] = {
                "bytes": path.stat().st_size,
                "read_s": read_s,
                "import_s": import_s,
                "read_per_s": count / read_s,
                "import_per_s": count / import_s,
            }
        return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--url", help="PostgreSQL URL (default: a temporary SQLite file)")
    args = parser.parse_args(argv)
    figures = measure(args.records, args.seed, args.url)
    dialect = "PostgreSQL" if args.url else "SQLite"
    anchor = figures["records"] / figures["pymarc_read_s"]  # type: ignore[operator]
    print(f"{args.records} records, {dialect}")
    print(
        f"{'file':<8}{'MB':>7}{'read rec/s':>12}{'import rec/s':>14}"
        f"{'pymarc rec/s':>14}{'ratio':>7}"
    )
    for kind in ("marc21", "csv"):
        row = figures[kind]
        assert isinstance(row, dict)
        pymarc_column = (
            f"{anchor:>14.0f}{row['read_per_s'] / anchor:>7.2f}" if kind == "marc21" else ""
        )
        print(
            f"{kind:<8}{row['bytes'] / 1e6:>7.1f}{row['read_per_s']:>12.0f}"
            f"{row['import_per_s']:>14.0f}{pymarc_column}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
