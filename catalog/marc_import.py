"""Import catalogue records from MARC (MARC 21, CNMARC/UNIMARC) and CSV files.

Every reader returns an :class:`ImportResult`: the records it could map to a
:class:`RecordData`, and an :class:`ImportIssue` for each record it could not (its position
in the file and the reason) or could only partly read. One bad record never stops a file.

Formats
-------
* Binary ISO 2709 (``.mrc``, ``.iso``) in UTF-8, MARC-8 (with the EACC escapes for CJK) or
  GBK, the encoding of many Chinese exports. With ``encoding="auto"`` each record is
  checked on its own: leader/09 = ``a`` means UTF-8; an escape byte means MARC-8; other
  non-ASCII bytes are tried as UTF-8, then GBK (read as GB 18030, its superset).
* MARCXML (MARC 21 slim), always Unicode.
* CSV with a header row, English or Chinese column names (see :data:`CSV_COLUMNS`), in
  UTF-8 (with or without BOM) or GBK (what Excel writes on a Chinese Windows).

Fields
------
================  ===================================  ==================================
RecordData        MARC 21                              CNMARC / UNIMARC
================  ===================================  ==================================
title             245 $a $b $n $p                      200 $a $h $i $e
authors           100/110/700/710 $a (245 $c if none)  700/701/702/710/711/712 $a $b (200 $f)
isbn13            020 $a                               010 $a
publisher, year   264 (ind. 2 = 1) or 260 $b $c; 008   210 or 214 $c $d; 100 $a/09-12
clc               084 $a ($2 clc), else 093 $a         690 $a
language          008/35-37, else 041 $a               101 $a
================  ===================================  ==================================
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
import xml.sax
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

import pymarc
from sqlalchemy import insert
from sqlalchemy.orm import Session

from catalog.errors import InvalidValueError
from catalog.isbn import normalize_isbn
from catalog.models import Record
from catalog.search import index_records

__all__ = [
    "CSV_COLUMNS",
    "Encoding",
    "Flavour",
    "ImportIssue",
    "ImportResult",
    "RecordData",
    "import_records",
    "read_csv",
    "read_marc",
    "read_marcxml",
    "record_data_from_marc",
]

Flavour = Literal["auto", "marc21", "unimarc"]
"""MARC flavour; ``unimarc`` covers CNMARC. ``auto`` looks for 245 (MARC 21) or 200."""
Encoding = Literal["auto", "utf-8", "marc-8", "gbk"]

# Column limits of catalog.models.Record: a longer value is reported, never cut silently.
_MAX_TITLE = 500
_MAX_AUTHORS = 500
_MAX_PUBLISHER = 300
_MAX_CLC = 100

_HAN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_YEAR_RE = re.compile(r"(?<!\d)([12]\d{3})(?!\d)")
_LANGUAGE_RE = re.compile(r"^[a-z]{3}$")
# ISBD punctuation that closes a subfield before the next one ("三体 /", "Beijing :").
_TRAILING = " \t/:;,.=。，；：／"


@dataclass(frozen=True, slots=True)
class RecordData:
    """One bibliographic record as read from a file, before it becomes a database row.

    Attributes
    ----------
    title
        Title proper with its parts and subtitle, e.g. ``"三体Ⅱ：黑暗森林"``; never empty.
    authors
        Personal or corporate names in catalogue order.
    isbn13
        Validated ISBN as 13 digits, or ``None`` when the record has none.
    publisher
        Publisher's name, ``""`` if unknown.
    year
        Year of publication, or ``None``.
    clc
        中图分类号 (CLC number), e.g. ``"I247.55"``; ``""`` if none.
    language
        MARC language code, e.g. ``"chi"``, ``"eng"``.
    control_number
        The record's own identifier (001), kept for error reports.
    """

    title: str
    authors: tuple[str, ...] = ()
    isbn13: str | None = None
    publisher: str = ""
    year: int | None = None
    clc: str = ""
    language: str = "chi"
    control_number: str = ""

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise InvalidValueError("title", self.title, "a record needs a title")
        if len(self.title) > _MAX_TITLE:
            raise InvalidValueError("title", self.title, f"longer than {_MAX_TITLE} characters")
        if len("; ".join(self.authors)) > _MAX_AUTHORS:
            raise InvalidValueError(
                "authors", self.authors, f"longer than {_MAX_AUTHORS} characters together"
            )
        if len(self.publisher) > _MAX_PUBLISHER:
            raise InvalidValueError(
                "publisher", self.publisher, f"longer than {_MAX_PUBLISHER} characters"
            )
        if len(self.clc) > _MAX_CLC:
            raise InvalidValueError("clc", self.clc, f"longer than {_MAX_CLC} characters")
        if self.isbn13 is not None and normalize_isbn(self.isbn13, field="isbn13") != self.isbn13:
            raise InvalidValueError("isbn13", self.isbn13, "must be 13 digits")
        if self.year is not None and not 1000 <= self.year <= 2999:
            raise InvalidValueError("year", self.year, "must be between 1000 and 2999")
        if not _LANGUAGE_RE.match(self.language):
            raise InvalidValueError("language", self.language, "must be a 3-letter MARC code")


@dataclass(frozen=True, slots=True)
class ImportIssue:
    """Something wrong with one record of a file.

    Attributes
    ----------
    position
        1-based position of the record in the file (for CSV: the line number).
    reason
        What is wrong, naming the field and the value.
    control_number
        The record's 001, if it could be read.
    skipped
        ``True``: the record was not loaded. ``False``: it was loaded and only the named
        field was left empty (e.g. a year that is not a year).
    """

    position: int
    reason: str
    control_number: str = ""
    skipped: bool = True

    def __str__(self) -> str:
        where = f"#{self.position}" + (f" ({self.control_number})" if self.control_number else "")
        what = "跳过 / skipped" if self.skipped else "已导入 / loaded"
        return f"{where} {what}: {self.reason}"


@dataclass(slots=True)
class ImportResult:
    """What a reader made of one file.

    Attributes
    ----------
    records
        The records read, in file order.
    issues
        One entry per problem, in file order.
    seen
        How many records the file held (loaded or not).
    """

    records: list[RecordData] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    seen: int = 0

    @property
    def skipped(self) -> list[ImportIssue]:
        """The issues that kept a record out."""
        return [i for i in self.issues if i.skipped]


class _RecordIssue(ValueError):
    """Raised inside the field mapping; becomes an ImportIssue."""


# --- field mapping -----------------------------------------------------------------------


def _clean(value: str | None) -> str:
    # NFC: MARC-8 and some exporters send a base letter plus a combining accent.
    text = unicodedata.normalize("NFC", value or "")
    return text.strip().rstrip(_TRAILING).strip()


def _has_han(text: str) -> bool:
    return _HAN_RE.search(text) is not None


def _join_title(main: str, parts: Sequence[str], subtitles: Sequence[str]) -> str:
    """Title proper + part numbers/names + other title information, punctuated the way the
    title's script expects (三体Ⅱ：黑暗森林 / Foundation. 2 : a novel)."""
    chinese = _has_han(main)
    title = main
    for part in parts:
        if not part:
            continue
        title += (
            part
            if chinese and len(part) <= 4 and not _has_han(part)
            else ("：" + part if chinese else ". " + part)
        )
    for sub in subtitles:
        if sub:
            title += ("：" if chinese else " : ") + sub
    return title


def _subfields(record: pymarc.Record, tag: str, code: str) -> list[str]:
    return [_clean(v) for f in record.get_fields(tag) for v in f.get_subfields(code) if _clean(v)]


def _first(record: pymarc.Record, tag: str, code: str) -> str:
    values = _subfields(record, tag, code)
    return values[0] if values else ""


def _control(record: pymarc.Record, tag: str) -> str:
    fields = record.get_fields(tag)
    return (fields[0].data or "") if fields and fields[0].is_control_field() else ""


def _year(text: str, warn: list[str], source: str) -> int | None:
    if not text:
        return None
    match = _YEAR_RE.search(text)
    if match is None:
        warn.append(f"{source}={text!r}: no year in it, year left empty")
        return None
    return int(match.group(1))


def _isbn(raw: str, tag: str) -> str | None:
    if not raw:
        return None
    # "9787536692930 (pbk.)", "978-7-5366-9293-0 : CNY23.00": the number is the first word.
    number = raw.split("(")[0].split(":")[0].strip().split(" ")[0]
    try:
        return normalize_isbn(number, field=tag)
    except InvalidValueError as exc:
        raise _RecordIssue(str(exc)) from exc


def _language(code: str) -> str:
    code = code.strip().lower()
    return code if _LANGUAGE_RE.match(code) else ""


def _marc21(record: pymarc.Record, warn: list[str]) -> RecordData:
    main = _first(record, "245", "a")
    if not main:
        raise _RecordIssue("245 $a: missing title")
    parts = _subfields(record, "245", "n") + _subfields(record, "245", "p")
    title = _join_title(main, parts, _subfields(record, "245", "b"))
    authors = [
        _clean(v) for tag in ("100", "110", "700", "710") for v in _subfields(record, tag, "a")
    ] or _subfields(record, "245", "c")
    isbn = _isbn(_first(record, "020", "a"), "020 $a")
    publication = [f for f in record.get_fields("264") if f.indicator2 == "1"]
    publication = publication or record.get_fields("260")
    publisher = next(
        (_clean(v) for f in publication for v in f.get_subfields("b") if _clean(v)), ""
    )
    date = next((_clean(v) for f in publication for v in f.get_subfields("c") if _clean(v)), "")
    fixed = _control(record, "008")
    year = _year(date, warn, "260/264 $c") if date else _year(fixed[7:11], warn, "008/07-10")
    clc = next(
        (
            _clean(v)
            for f in record.get_fields("084")
            if (f.get_subfields("2") or [""])[0].strip().lower() == "clc"
            for v in f.get_subfields("a")
        ),
        "",
    ) or _first(record, "093", "a")
    language = _language(fixed[35:38]) or _language(_first(record, "041", "a")) or "chi"
    return RecordData(
        title=title,
        authors=tuple(authors),
        isbn13=isbn,
        publisher=publisher,
        year=year,
        clc=clc,
        language=language,
        control_number=_control(record, "001"),
    )


def _unimarc(record: pymarc.Record, warn: list[str]) -> RecordData:
    main = _first(record, "200", "a")
    if not main:
        raise _RecordIssue("200 $a: missing title")
    parts = _subfields(record, "200", "h") + _subfields(record, "200", "i")
    title = _join_title(main, parts, _subfields(record, "200", "e"))
    authors: list[str] = []
    for tag in ("700", "701", "702", "710", "711", "712"):
        for f in record.get_fields(tag):
            name = _clean((f.get_subfields("a") or [""])[0])
            given = _clean((f.get_subfields("b") or [""])[0])
            if name:
                authors.append(f"{name}, {given}" if given else name)
    authors = authors or _subfields(record, "200", "f")
    isbn = _isbn(_first(record, "010", "a"), "010 $a")
    publisher = _first(record, "210", "c") or _first(record, "214", "c")
    date = _first(record, "210", "d") or _first(record, "214", "d")
    general = _first(record, "100", "a")
    year = _year(date, warn, "210 $d") if date else _year(general[9:13], warn, "100 $a/09-12")
    return RecordData(
        title=title,
        authors=tuple(authors),
        isbn13=isbn,
        publisher=publisher,
        year=year,
        clc=_first(record, "690", "a"),
        language=_language(_first(record, "101", "a")) or "chi",
        control_number=_control(record, "001"),
    )


def record_data_from_marc(
    record: pymarc.Record, *, flavour: Flavour = "auto"
) -> tuple[RecordData, list[str]]:
    """Map one pymarc record to a :class:`RecordData`.

    Parameters
    ----------
    record
        A decoded record.
    flavour
        ``marc21``, ``unimarc`` (CNMARC) or ``auto`` (245 present → MARC 21, else 200 →
        UNIMARC).

    Returns
    -------
    tuple[RecordData, list[str]]
        The record and warnings about fields left empty.

    Raises
    ------
    ValueError
        Missing title, bad ISBN or another value the record cannot be loaded with; the
        message names the MARC field and the value.
    """
    if flavour == "auto":
        if record.get_fields("245"):
            flavour = "marc21"
        elif record.get_fields("200"):
            flavour = "unimarc"
        else:
            raise _RecordIssue("no title field: neither 245 (MARC 21) nor 200 (UNIMARC/CNMARC)")
    warn: list[str] = []
    try:
        data = _marc21(record, warn) if flavour == "marc21" else _unimarc(record, warn)
    except InvalidValueError as exc:
        raise _RecordIssue(str(exc)) from exc
    return data, warn


# --- binary ISO 2709 ---------------------------------------------------------------------

_RECORD_END = b"\x1d"


def _split_records(raw: bytes) -> Iterator[bytes]:
    """Cut an ISO 2709 stream at record terminators.

    The terminator byte 0x1D never occurs inside a UTF-8, GBK or MARC-8 character, and
    splitting on it survives a wrong length in a leader (common in Chinese exports).
    """
    for chunk in raw.split(_RECORD_END):
        chunk = chunk.strip(b"\r\n")
        if chunk:
            yield chunk + _RECORD_END


def _detect_encoding(chunk: bytes) -> Encoding:
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = False
    else:
        utf8 = True
    if chunk[9:10] == b"a" and utf8:
        return "utf-8"
    if b"\x1b" in chunk or chunk.isascii():
        return "marc-8"
    if utf8:
        # Leader/09 left blank by many exporters that write UTF-8 all the same.
        return "utf-8"
    return "gbk" if _looks_gbk(chunk) else "marc-8"


def _looks_gbk(chunk: bytes) -> bool:
    """Whether the high bytes of a record read better as GBK than as MARC-8 (ANSEL).

    Both use bytes >= 0x80 without an escape: MARC-8 for a diacritic (0xE0-0xFE) placed
    before an ASCII letter, GBK for two-byte characters. A lead byte 0x81-0xA0 (a C1
    control in MARC-8) or a second byte >= 0xA1 (GB 2312, the common characters) counts
    for GBK; a second byte that is an ASCII letter counts for MARC-8.
    """
    try:
        chunk.decode("gb18030")
    except UnicodeDecodeError:
        return False
    gbk = marc8 = 0
    i = 0
    while i < len(chunk):
        lead = chunk[i]
        if lead < 0x80 or i + 1 >= len(chunk):
            i += 1
            continue
        trail = chunk[i + 1]
        if lead <= 0xA0 or trail >= 0xA1:
            gbk += 1
        elif trail < 0x80:
            marc8 += 1
        i += 2
    return gbk > marc8


def _decode_record(chunk: bytes, encoding: Encoding) -> pymarc.Record:
    if encoding == "auto":
        encoding = _detect_encoding(chunk)
    # A wrong record length in the leader should not lose the record: we know its real end.
    fixed = b"%05d" % len(chunk) + chunk[5:] if len(chunk) < 100000 else chunk
    if encoding == "utf-8":
        return pymarc.Record(data=fixed, force_utf8=True)
    # pymarc reads leader/09 = "a" as UTF-8 whatever we ask; the caller said otherwise.
    fixed = fixed[:9] + b" " + fixed[10:]
    if encoding == "marc-8":
        return pymarc.Record(data=fixed, to_unicode=True)
    return pymarc.Record(data=fixed, to_unicode=True, file_encoding="gb18030")


def _read_bytes(source: str | Path | bytes | IO[bytes]) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    return source.read()


def _add(result: ImportResult, position: int, record: pymarc.Record, flavour: Flavour) -> None:
    control = _control(record, "001")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            data, warn = record_data_from_marc(record, flavour=flavour)
    except (_RecordIssue, InvalidValueError) as exc:
        result.issues.append(ImportIssue(position, str(exc), control))
        return
    result.records.append(data)
    for text in warn + [str(w.message) for w in caught]:
        result.issues.append(ImportIssue(position, text, control, skipped=False))


def read_marc(
    source: str | Path | bytes | IO[bytes],
    *,
    flavour: Flavour = "auto",
    encoding: Encoding = "auto",
) -> ImportResult:
    """Read a binary ISO 2709 MARC file (MARC 21 or CNMARC/UNIMARC).

    Parameters
    ----------
    source
        A path, the file's bytes, or a binary file object.
    flavour
        ``auto`` (per record), ``marc21`` or ``unimarc`` (CNMARC).
    encoding
        ``auto`` (per record, see the module notes), ``utf-8``, ``marc-8`` or ``gbk``.

    Returns
    -------
    ImportResult
        Records in file order; an issue (1-based position and reason) for every record that
        could not be decoded or mapped.

    Examples
    --------
    >>> result = read_marc("tests/catalog/fixtures/cnmarc_gbk.mrc")  # doctest: +SKIP
    >>> [str(issue) for issue in result.issues]  # doctest: +SKIP
    ['#2 (CN0002) 跳过 / skipped: 010 $a=...: ISBN-13 check digit should be 0']
    """
    result = ImportResult()
    for position, chunk in enumerate(_split_records(_read_bytes(source)), start=1):
        result.seen += 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                record = _decode_record(chunk, encoding)
        except (pymarc.exceptions.PymarcException, UnicodeDecodeError, ValueError) as exc:
            control = _guess_control_number(chunk)
            reason = f"cannot decode ISO 2709 record ({type(exc).__name__}: {exc})"
            result.issues.append(ImportIssue(position, reason, control))
            continue
        _add(result, position, record, flavour)
    return result


def _guess_control_number(chunk: bytes) -> str:
    """The 001 of a record pymarc could not decode, if its directory is still readable."""
    try:
        base = int(chunk[12:17])
        directory = chunk[24 : base - 1].decode("ascii")
        for i in range(0, len(directory) - 11, 12):
            if directory[i : i + 3] == "001":
                length, offset = int(directory[i + 3 : i + 7]), int(directory[i + 7 : i + 12])
                return chunk[base + offset : base + offset + length - 1].decode("ascii")
    except (ValueError, UnicodeDecodeError):
        pass
    return ""


# --- MARCXML -----------------------------------------------------------------------------


def read_marcxml(
    source: str | Path | bytes | IO[bytes], *, flavour: Flavour = "auto"
) -> ImportResult:
    """Read a MARCXML file (MARC 21 slim schema; UNIMARC records in it work too).

    Parameters
    ----------
    source
        A path, the file's bytes, or a binary file object.
    flavour
        ``auto`` (per record), ``marc21`` or ``unimarc``.

    Returns
    -------
    ImportResult
        As :func:`read_marc`; a file that is not well-formed XML gives one issue at
        position 0 and no records.
    """
    data = _read_bytes(source)
    result = ImportResult()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            records = pymarc.parse_xml_to_array(io.BytesIO(data))
    except xml.sax.SAXParseException as exc:
        result.issues.append(ImportIssue(0, f"not well-formed MARCXML: {exc}"))
        return result
    for position, record in enumerate(records, start=1):
        result.seen += 1
        _add(result, position, record, flavour)
    return result


# --- CSV ---------------------------------------------------------------------------------

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "题名", "书名", "正题名"),
    "authors": ("authors", "author", "责任者", "作者", "著者"),
    "isbn": ("isbn", "ISBN", "国际标准书号"),
    "publisher": ("publisher", "出版社", "出版者"),
    "year": ("year", "出版年", "出版日期"),
    "clc": ("clc", "中图分类号", "分类号", "索书号"),
    "language": ("language", "语种"),
}
"""Accepted header names per field; only ``title`` is required. Several authors are
separated by ``;`` or ``；``."""

_AUTHOR_SPLIT = re.compile(r"\s*[;；]\s*")


def read_csv(source: str | Path | bytes | IO[bytes]) -> ImportResult:
    """Read a CSV file of records with a header row (English or Chinese column names).

    Parameters
    ----------
    source
        A path, the file's bytes, or a binary file object; UTF-8 (BOM optional) or GBK.

    Returns
    -------
    ImportResult
        Issue positions are line numbers (the header is line 1).

    Raises
    ------
    InvalidValueError
        The header has no title column.
    """
    data = _read_bytes(source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        for key, aliases in CSV_COLUMNS.items():
            if name.strip() in aliases or name.strip().lower() in aliases:
                columns.setdefault(key, index)
    if "title" not in columns:
        raise InvalidValueError("header", header, "needs a title column (title / 题名)")
    result = ImportResult()
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        result.seen += 1

        def cell(key: str, row: list[str] = row) -> str:
            index = columns.get(key)
            return row[index].strip() if index is not None and index < len(row) else ""

        warn: list[str] = []
        try:
            isbn = normalize_isbn(cell("isbn")) if cell("isbn") else None
            data_row = RecordData(
                title=cell("title"),
                authors=tuple(a for a in _AUTHOR_SPLIT.split(cell("authors")) if a),
                isbn13=isbn,
                publisher=cell("publisher"),
                year=_year(cell("year"), warn, "year"),
                clc=cell("clc"),
                language=_language(cell("language")) or "chi",
            )
        except InvalidValueError as exc:
            result.issues.append(ImportIssue(line, str(exc)))
            continue
        result.records.append(data_row)
        result.issues.extend(ImportIssue(line, w, skipped=False) for w in warn)
    return result


# --- into the database -------------------------------------------------------------------


def import_records(session: Session, records: Iterable[RecordData]) -> list[int]:
    """Insert records in bulk and add them to the search index.

    Parameters
    ----------
    session
        An open session; the caller commits.
    records
        Records from one of the readers.

    Returns
    -------
    list[int]
        The new ``records.id`` values, in input order.
    """
    rows = [
        {
            "title": r.title,
            "authors": "; ".join(r.authors),
            "publisher": r.publisher,
            "year": r.year,
            "isbn13": r.isbn13,
            "clc": r.clc,
            "language": r.language,
        }
        for r in records
    ]
    if not rows:
        return []
    ids = list(
        session.scalars(insert(Record).returning(Record.id, sort_by_parameter_order=True), rows)
    )
    index_records(session, ids)
    return ids
