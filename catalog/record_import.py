"""The catalogue import service: one file in, its records stored, a report out.

:func:`import_record_file` is what ``shuyun import-records`` and the admins' upload
(``POST /records/import``) call. It tells the format apart (or takes the one named), reads
the file with :mod:`catalog.marc_import`, refuses a file that cannot be trusted as a whole
(an uncertain encoding guess, a CSV without a title column, no records), leaves out records
already in the catalogue, stores the rest and returns an :class:`ImportReport`: the loaded
and skipped counts, and the position and reason of each skipped record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.charset import Encoding, EncodingGuess
from catalog.errors import InvalidValueError
from catalog.marc_fields import Flavour
from catalog.marc_import import (
    ImportIssue,
    ImportResult,
    import_records,
    read_csv,
    read_marc,
    read_marcxml,
    source_bytes,
)
from catalog.models import Record
from catalog.normalize import normalize_text

__all__ = ["FileFormat", "ImportReport", "import_record_file"]

FileFormat = Literal["auto", "marc21", "cnmarc", "unimarc", "marcxml", "csv"]
"""A file's format as the caller names it; ``cnmarc`` is read as UNIMARC. ``auto`` tells
MARCXML (``<``), ISO 2709 (a leader) and CSV (anything else) apart, and MARC 21 from UNIMARC
per record."""


@dataclass(slots=True)
class ImportReport:
    """What :func:`import_record_file` did with one file.

    Attributes
    ----------
    name
        The file's name, as given (for messages).
    format
        What the file was read as: ``iso2709`` (MARC 21 or UNIMARC, told apart per record)
        when the format was ``auto``, else the format named; ``marcxml`` or ``csv``.
    encoding
        The encoding used and how sure it was (``None`` for MARCXML).
    seen
        Records in the file.
    record_ids
        The new records' ids, in file order.
    skipped
        One issue per record left out, in file order (position and reason).
    warnings
        Issues of records loaded all the same (a field left empty), in file order.
    notes
        Remarks about the whole file.
    refused
        Why nothing at all was loaded (an uncertain encoding, not a catalogue file), or ``""``.
    """

    name: str
    format: str
    encoding: EncodingGuess | None
    seen: int = 0
    record_ids: list[int] = field(default_factory=list)
    skipped: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    refused: str = ""

    @property
    def loaded(self) -> int:
        """Records stored."""
        return len(self.record_ids)

    @property
    def skipped_count(self) -> int:
        """Records not stored (all of them when the file was refused)."""
        return self.seen - self.loaded

    def summary(self) -> str:
        """One line: file, format, encoding, loaded and skipped counts (中文 / English)."""
        encoding = str(self.encoding) if self.encoding else "MARCXML (Unicode)"
        return (
            f"{self.name}: 格式 format {self.format}, {encoding}; "
            f"已导入 loaded {self.loaded}，跳过 skipped {self.skipped_count}"
        )


def _sniff_format(data: bytes) -> str:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "marcxml"
    if len(head) >= 24 and head[:5].isdigit() and (b"\x1e" in head or b"\x1d" in head):
        return "iso2709"
    return "csv"


def _read(data: bytes, file_format: str, encoding: Encoding) -> ImportResult:
    if file_format == "marcxml":
        return read_marcxml(data)
    if file_format == "csv":
        return read_csv(data, encoding=encoding)
    flavour: Flavour = "auto"
    if file_format == "marc21":
        flavour = "marc21"
    elif file_format in ("unimarc", "cnmarc"):
        flavour = "unimarc"
    return read_marc(data, flavour=flavour, encoding=encoding)


def _title_key(title: str) -> str:
    return re.sub(r"\W", "", normalize_text(title))


def _leave_out_duplicates(
    session: Session, result: ImportResult, report: ImportReport
) -> list[int]:
    """Indexes of ``result.records`` to load; a record with the ISBN and title of a record
    already in the catalogue (or earlier in the file) is skipped, one with only the ISBN is
    loaded with a warning (volumes of a set can share the set's ISBN)."""
    isbns = sorted({r.isbn13 for r in result.records if r.isbn13})
    known: dict[str, list[tuple[str, int]]] = {}
    for start in range(0, len(isbns), 500):
        rows = session.execute(
            select(Record.isbn13, Record.title, Record.id).where(
                Record.isbn13.in_(isbns[start : start + 500])
            )
        )
        for isbn, title, record_id in rows:
            known.setdefault(isbn or "", []).append((title, record_id))
    keep: list[int] = []
    in_file: dict[tuple[str, str], int] = {}
    for index, (record, position) in enumerate(zip(result.records, result.positions, strict=True)):
        control = record.control_number
        if record.isbn13:
            key = (record.isbn13, _title_key(record.title))
            same = [i for t, i in known.get(record.isbn13, []) if _title_key(t) == key[1]]
            if same:
                reason = (
                    f"已在目录中 / already in the catalogue as record {same[0]} "
                    f"(same ISBN {record.isbn13} and title)"
                )
                report.skipped.append(ImportIssue(position, reason, control))
                continue
            if key in in_file:
                reason = f"与第 {in_file[key]} 条重复 / same ISBN and title as #{in_file[key]}"
                report.skipped.append(ImportIssue(position, reason, control))
                continue
            in_file[key] = position
            others = known.get(record.isbn13, [])
            if others:
                title, record_id = others[0]
                report.warnings.append(
                    ImportIssue(
                        position,
                        f"isbn13={record.isbn13!r}: also on record {record_id} ({title!r})",
                        control,
                        skipped=False,
                    )
                )
        keep.append(index)
    return keep


def import_record_file(
    *,
    session: Session,
    source: str | Path | bytes | IO[bytes],
    format: FileFormat = "auto",
    encoding: Encoding = "auto",
    name: str = "",
) -> ImportReport:
    """Read a catalogue file and store its records (the ``import-records`` service).

    Parameters
    ----------
    session
        Session on the catalogue database; records are flushed, the caller commits.
    source
        A path, the file's bytes (an upload) or a binary file object.
    format
        ``auto``, ``marc21``, ``cnmarc``/``unimarc`` (ISO 2709), ``marcxml`` or ``csv``.
    encoding
        ``auto`` or ``utf-8``, ``marc-8``, ``gbk``, ``cp1251``, ``latin-1`` (not for
        MARCXML, which declares its own).
    name
        The file's name for messages (default: the path, or ``"upload"``).

    Returns
    -------
    ImportReport
        Loaded and skipped counts, the position and reason of each skipped record, and
        ``refused`` set when nothing was loaded because the file as a whole could not be
        trusted: an uncertain encoding guess (re-run naming the encoding), a CSV without a
        title column, a file with no records.

    Raises
    ------
    InvalidValueError
        An unknown ``format`` or ``encoding``, or an encoding given for MARCXML.
    OSError
        ``source`` is a path that cannot be read.
    """
    if format not in get_args(FileFormat):
        raise InvalidValueError("format", format, f"must be one of {get_args(FileFormat)}")
    if encoding not in get_args(Encoding):
        raise InvalidValueError("encoding", encoding, f"must be one of {get_args(Encoding)}")
    if not name:
        name = str(source) if isinstance(source, str | Path) else "upload"
    data = source_bytes(source)
    file_format = _sniff_format(data) if format == "auto" else format
    if file_format == "marcxml" and encoding != "auto":
        raise InvalidValueError("encoding", encoding, "MARCXML declares its own encoding")
    if format == "csv" and encoding == "marc-8":
        raise InvalidValueError("encoding", encoding, "MARC-8 is for MARC files, not CSV")
    report = ImportReport(name=name, format=file_format, encoding=None)
    if not data.strip():
        report.refused = "文件是空的 / the file is empty: no records"
        return report
    try:
        result = _read(data, file_format, encoding)
    except InvalidValueError as exc:  # a CSV without a title column
        report.refused = str(exc)
        return report
    report.seen, report.encoding, report.notes = result.seen, result.encoding, result.notes
    report.skipped = result.skipped
    report.warnings = [i for i in result.issues if not i.skipped]
    zero = [i for i in result.issues if i.position == 0]
    if zero:
        report.refused = "; ".join(i.reason for i in zero)
        return report
    if result.encoding is not None and not result.encoding.certain:
        guess = result.encoding
        names = ", ".join([guess.encoding, *guess.alternatives])
        report.refused = (
            f"编码不确定，未导入任何记录，请指定编码 / encoding uncertain, nothing loaded: "
            f"name the encoding ({names})"
        )
        return report
    if result.seen == 0:
        report.refused = "文件中没有记录 / no records in the file"
        return report
    keep = _leave_out_duplicates(session, result, report)
    report.skipped.sort(key=lambda i: i.position)
    report.warnings.sort(key=lambda i: i.position)
    report.record_ids = import_records(session, [result.records[i] for i in keep])
    return report
