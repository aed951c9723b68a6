"""Import catalogue records from MARC (MARC 21, CNMARC/UNIMARC) and CSV files.

Every reader returns an :class:`ImportResult`: the records it could map to a
:class:`~catalog.marc_fields.RecordData`, and an :class:`ImportIssue` for each record it could
not (its position in the file and the reason) or could only partly read. One bad record never
stops a file. :func:`import_records` stores records in bulk; the service that reads a file of
any format and stores it is :func:`catalog.record_import.import_record_file`.

Formats
-------
* Binary ISO 2709 (``.mrc``, ``.iso``) in UTF-8, MARC-8, GBK (read as GB 18030),
  Windows-1251 or Latin-1. pymarc parses the structure (leader, directory, fields) and
  every text is decoded strictly with the file's encoding: one guess per file with its
  evidence (:func:`catalog.charset.detect_encoding`), or the one the caller names. A record
  whose leader/09 = ``a`` and whose bytes are UTF-8 is read as UTF-8 whatever the file's
  guess (files concatenated from two exports).
* MARCXML (MARC 21 slim), Unicode by definition.
* CSV with a header row, English or Chinese column names (see :data:`CSV_COLUMNS`), in
  UTF-8 (with or without BOM), GBK (what Excel writes on a Chinese Windows), Windows-1251
  or Latin-1.

How each MARC field becomes a record field is in :mod:`catalog.marc_fields`.

ISBNs
-----
Every ISBN is validated (check digit, length, decimal digits of any script read as ASCII;
see :func:`catalog.isbn.normalize_isbn`). A record whose only ISBN is invalid is *skipped*,
with the field and the value in the reason, rather than stored without its ISBN: a wrong
ISBN is a typo someone must fix, and a record stored without it could not be matched when
the corrected file is imported again. A record with an invalid ISBN next to a valid one is
loaded with the valid one and a warning.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import xml.sax
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pymarc
from sqlalchemy import insert
from sqlalchemy.orm import Session

from catalog.charset import (
    ENCODINGS,
    DecodeError,
    Encoding,
    EncodingGuess,
    check_asked_encoding,
    decode_text,
    detect_encoding,
)
from catalog.errors import InvalidValueError
from catalog.isbn import ascii_digits, normalize_isbn
from catalog.marc_fields import (
    Flavour,
    MarcFieldError,
    RecordData,
    control_field,
    display_text,
    record_data_from_marc,
    sort_text,
)
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
    "source_bytes",
]

DETECTION_SAMPLE = 20000
"""Texts with non-ASCII bytes that the encoding guess looks at (the first ones of the file);
more only make a large file slower to read, not the guess better."""


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
        field was left out (e.g. a year that is not a year).
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
    positions
        The position of each record in the file (same order as ``records``).
    issues
        One entry per problem, in file order.
    seen
        How many records the file held (loaded or not).
    encoding
        The encoding the file was read with and how sure that is (``None`` for MARCXML,
        which the XML parser decodes).
    notes
        Remarks about the whole file (e.g. an asked-for encoding that reads badly).
    """

    records: list[RecordData] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    seen: int = 0
    encoding: EncodingGuess | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> list[ImportIssue]:
        """The issues that kept a record out."""
        return [i for i in self.issues if i.skipped]

    def add(self, position: int, record: RecordData) -> None:
        """Append a record read at ``position``."""
        self.records.append(record)
        self.positions.append(position)


# --- binary ISO 2709 ---------------------------------------------------------------------

_RECORD_END = b"\x1d"


def _split_records(raw: bytes) -> Iterator[bytes]:
    """Cut an ISO 2709 stream at record terminators.

    The terminator byte 0x1D never occurs inside a UTF-8, GBK, Windows-1251 or MARC-8
    character, and splitting on it survives a wrong length in a leader (common in Chinese
    exports).
    """
    for chunk in raw.split(_RECORD_END):
        chunk = chunk.strip(b"\r\n")
        if chunk:
            yield chunk + _RECORD_END


def _parse_raw(chunk: bytes) -> pymarc.Record:
    """pymarc's parse of one record with its texts left as bytes (decoded by us)."""
    # A wrong record length in the leader should not lose the record: we know its real end.
    fixed = b"%05d" % len(chunk) + chunk[5:] if len(chunk) < 100000 else chunk
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pymarc.Record(data=fixed, to_unicode=False)


def _raw(value: str | bytes | None) -> bytes:
    # pymarc types field data as str; parsed with to_unicode=False it holds the file's bytes.
    return value if isinstance(value, bytes) else (value or "").encode("utf-8")


def _texts(record: pymarc.Record) -> Iterator[bytes]:
    for f in record.fields:
        if f.is_control_field():
            yield _raw(f.data)
        else:
            yield from (_raw(s.value) for s in f.subfields)


def _decoded(where: str, value: str | bytes | None, encoding: str) -> str:
    try:
        return decode_text(_raw(value), encoding)
    except DecodeError as exc:
        raise DecodeError(f"{where}: {exc} (file read as {encoding})") from None


def _decode_record(raw: pymarc.Record, encoding: str) -> pymarc.Record:
    """The record with every text decoded; :class:`DecodeError` names the field."""
    record = pymarc.Record(leader=str(raw.leader))
    for f in raw.fields:
        if f.is_control_field():
            record.add_field(pymarc.Field(tag=f.tag, data=_decoded(f.tag, f.data, encoding)))
            continue
        subfields = [
            pymarc.Subfield(s.code, _decoded(f"{f.tag} ${s.code}", s.value, encoding))
            for s in f.subfields
        ]
        record.add_field(pymarc.Field(tag=f.tag, indicators=f.indicators, subfields=subfields))
    return record


def _record_encoding(raw: pymarc.Record, guess: EncodingGuess) -> str:
    """The file's encoding, or UTF-8 for a record that says so and is (see module notes)."""
    if guess.asked or guess.encoding == "utf-8" or str(raw.leader)[9:10] != "a":
        return guess.encoding
    try:
        for text in _texts(raw):
            text.decode("utf-8")
    except UnicodeDecodeError:
        return guess.encoding
    return "utf-8"


def source_bytes(source: str | Path | bytes | IO[bytes]) -> bytes:
    """The bytes of a path, a binary file object, or the bytes themselves."""
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    return source.read()


_CSV_ENCODINGS = ("utf-8", "gbk", "cp1251", "latin-1")


def _guess(
    texts: list[bytes],
    encoding: Encoding,
    *,
    candidates: tuple[str, ...] = ENCODINGS,
    declared_utf8: bool | None = None,
) -> tuple[EncodingGuess, list[str]]:
    """The file's encoding: guessed, or as asked with a note if it reads clearly worse."""
    if encoding == "auto":
        guess = detect_encoding(texts, candidates=candidates, declared_utf8=declared_utf8)
        return guess, []
    note = check_asked_encoding(texts, encoding, candidates=candidates)
    return EncodingGuess(encoding, True, "asked for", asked=True), [note] if note else []


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
        ``auto`` (one guess for the file, see :func:`catalog.charset.detect_encoding`),
        ``utf-8``, ``marc-8``, ``gbk``, ``cp1251`` or ``latin-1``.

    Returns
    -------
    ImportResult
        Records in file order; an issue (1-based position and reason) for every record that
        could not be decoded or mapped; the encoding used and how sure it is.

    Examples
    --------
    >>> result = read_marc("tests/catalog/fixtures/cnmarc_gbk.mrc")  # doctest: +SKIP
    >>> [str(issue) for issue in result.issues]  # doctest: +SKIP
    ['#2 (CN0002) 跳过 / skipped: 200 $a: missing title', ...]
    """
    result = ImportResult()
    # The first records (up to DETECTION_SAMPLE texts) wait for the encoding guess; the
    # rest of the file is decoded as it is parsed, so memory does not grow with the file.
    waiting: list[tuple[int, pymarc.Record | str, str]] = []
    sample: list[bytes] = []
    utf8_leaders = 0
    guess: EncodingGuess | None = None
    for position, chunk in enumerate(_split_records(source_bytes(source)), start=1):
        result.seen += 1
        try:
            parsed: pymarc.Record | str = _parse_raw(chunk)
            control = ""
        except (pymarc.exceptions.PymarcException, UnicodeDecodeError, ValueError) as exc:
            parsed = f"cannot decode ISO 2709 record ({type(exc).__name__}: {exc})"
            control = _guess_control_number(chunk)
        if guess is not None:
            _add_raw(result, position, parsed, control, guess, flavour)
            continue
        waiting.append((position, parsed, control))
        if isinstance(parsed, pymarc.Record):
            utf8_leaders += str(parsed.leader)[9:10] == "a"
            sample.extend(t for t in _texts(parsed) if not t.isascii() or b"\x1b" in t)
        if len(sample) >= DETECTION_SAMPLE:
            guess = _decide(result, sample, encoding, utf8_leaders, waiting, flavour)
    if guess is None:
        _decide(result, sample, encoding, utf8_leaders, waiting, flavour)
    return result


def _decide(
    result: ImportResult,
    sample: list[bytes],
    encoding: Encoding,
    utf8_leaders: int,
    waiting: list[tuple[int, pymarc.Record | str, str]],
    flavour: Flavour,
) -> EncodingGuess:
    """Settle the file's encoding from the sample and read the records that waited for it."""
    guess, result.notes = _guess(sample, encoding, declared_utf8=utf8_leaders > len(waiting) / 2)
    result.encoding = guess
    for position, parsed, control in waiting:
        _add_raw(result, position, parsed, control, guess, flavour)
    waiting.clear()
    return guess


def _add_raw(
    result: ImportResult,
    position: int,
    parsed: pymarc.Record | str,
    control: str,
    guess: EncodingGuess,
    flavour: Flavour,
) -> None:
    """Decode and map one parsed record (or report why it could not be parsed)."""
    if isinstance(parsed, str):
        result.issues.append(ImportIssue(position, parsed, control))
        return
    try:
        record = _decode_record(parsed, _record_encoding(parsed, guess))
    except DecodeError as exc:
        result.issues.append(ImportIssue(position, str(exc), _raw_control_number(parsed)))
        return
    _add(result, position, record, flavour)


def _raw_control_number(raw: pymarc.Record) -> str:
    for f in raw.get_fields("001"):
        try:
            return _raw(f.data).decode("ascii")
        except UnicodeDecodeError:
            return ""
    return ""


def _guess_control_number(chunk: bytes) -> str:
    """The 001 of a record pymarc could not parse, if its directory is still readable."""
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


def _add(result: ImportResult, position: int, record: pymarc.Record, flavour: Flavour) -> None:
    control = control_field(record, "001")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            data, warn = record_data_from_marc(record, flavour=flavour)
    except (MarcFieldError, InvalidValueError) as exc:
        result.issues.append(ImportIssue(position, str(exc), control))
        return
    result.add(position, data)
    for text in warn + [str(w.message) for w in caught]:
        result.issues.append(ImportIssue(position, text, control, skipped=False))


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
    data = source_bytes(source)
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
_YEAR_RE = re.compile(r"(?<!\d)([12]\d{3})(?!\d)")
_LANGUAGE_RE = re.compile(r"^[a-z]{3}$")


def _csv_text(
    data: bytes, encoding: Encoding
) -> tuple[str, EncodingGuess, list[str], list[ImportIssue]]:
    """The file's text, its encoding, notes, and an issue per line that does not decode
    (such a line is left blank, so only its record is lost)."""
    if encoding == "marc-8":
        raise InvalidValueError("encoding", encoding, "MARC-8 is for MARC files, not CSV")
    if data.startswith(b"\xef\xbb\xbf") and encoding in ("auto", "utf-8"):
        guess = EncodingGuess("utf-8", True, "UTF-8 byte order mark")
        notes: list[str] = []
        data = data[3:]
    else:
        sample = [line for line in data.splitlines() if not line.isascii()][:DETECTION_SAMPLE]
        guess, notes = _guess(sample, encoding, candidates=_CSV_ENCODINGS)
    lines: list[str] = []
    bad: list[ImportIssue] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(decode_text(raw, guess.encoding))
        except DecodeError as exc:
            bad.append(ImportIssue(number, f"{exc} (file read as {guess.encoding})"))
            lines.append("")
    return "\n".join(lines), guess, notes, bad


def read_csv(
    source: str | Path | bytes | IO[bytes], *, encoding: Encoding = "auto"
) -> ImportResult:
    """Read a CSV file of records with a header row (English or Chinese column names).

    Parameters
    ----------
    source
        A path, the file's bytes, or a binary file object.
    encoding
        ``auto`` (UTF-8 with or without BOM, GBK, Windows-1251 or Latin-1 by the evidence),
        or one of those named.

    Returns
    -------
    ImportResult
        Issue positions are line numbers (the header is line 1); a line that does not
        decode in the file's encoding is one skipped record. A header that does not decode
        gives one issue at position 0 and no records.

    Raises
    ------
    InvalidValueError
        The header has no title column, or ``encoding`` is ``marc-8``.
    """
    data = source_bytes(source)
    result = ImportResult()
    text, result.encoding, result.notes, bad_lines = _csv_text(data, encoding)
    if bad_lines and bad_lines[0].position == 1:
        result.issues.append(ImportIssue(0, f"cannot decode the header: {bad_lines[0].reason}"))
        return result
    result.issues.extend(bad_lines)
    result.seen += len(bad_lines)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        for key, aliases in CSV_COLUMNS.items():
            if name.strip() in aliases or name.strip().lower() in aliases:
                columns.setdefault(key, index)
    if "title" not in columns:
        raise InvalidValueError("header", header, "needs a title column (title / 题名)")
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        result.seen += 1
        try:
            data_row, warn = _csv_record(row, columns)
        except ValueError as exc:  # InvalidValueError names the field; anything else too
            result.issues.append(ImportIssue(line, str(exc)))
            continue
        result.add(line, data_row)
        result.issues.extend(ImportIssue(line, w, skipped=False) for w in warn)
    result.issues.sort(key=lambda issue: issue.position)
    return result


def _csv_record(row: list[str], columns: dict[str, int]) -> tuple[RecordData, list[str]]:
    def cell(key: str) -> str:
        index = columns.get(key)
        return (
            display_text(row[index], trim=False) if index is not None and index < len(row) else ""
        )

    warn: list[str] = []
    isbn = normalize_isbn(cell("isbn")) if cell("isbn") else None
    year_text = cell("year")
    year_match = _YEAR_RE.search(ascii_digits(year_text))
    if year_text and year_match is None:
        warn.append(f"year={year_text!r}: no year in it, year left empty")
    language = cell("language").lower()
    raw_title = row[columns["title"]] if columns["title"] < len(row) else ""
    title = cell("title")
    sort = sort_text(raw_title, trim=False)
    record = RecordData(
        title=title,
        authors=tuple(a for a in _AUTHOR_SPLIT.split(cell("authors")) if a),
        isbn13=isbn,
        publisher=cell("publisher"),
        year=int(year_match.group(1)) if year_match else None,
        clc=cell("clc"),
        language=language if _LANGUAGE_RE.match(language) else "chi",
        sort_title=sort if sort != title else "",
    )
    return record, warn


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
            "title_vernacular": r.title_vernacular,
            "authors_vernacular": "; ".join(r.authors_vernacular),
            "publisher_vernacular": r.publisher_vernacular,
            "sort_title": r.sort_title or r.title,
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
