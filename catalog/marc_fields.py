"""From a decoded MARC record (MARC 21 or CNMARC/UNIMARC) to a :class:`RecordData`.

Fields
------
=====================  ====================================  ================================
RecordData             MARC 21                               CNMARC / UNIMARC
=====================  ====================================  ================================
title                  245 $a $n $p $b                       200 $a $h $i $e
sort_title             245 without its first ind. 2 chars,   200 without the part between
                       or without the part between the       the non-sorting markers
                       non-sorting markers
authors                100/110/111/700/710/711 $a $b         700/701/702 $a $b $d,
                       (245 $c if none)                      710/711/712 $a $b (200 $f)
title_vernacular,      880 linked to 245, to the name        (not read: UNIMARC repeats the
authors_vernacular,    fields, to 264/260 $b                 field with $7 instead)
publisher_vernacular
isbn13                 first valid 020 $a                    first valid 010 $a
publisher, year        264 (ind. 2 = 1) or 260 $b $c; 008    210 or 214 $c $d; 100 $a/09-12
clc                    084 $a ($2 clc), else 093 $a          690 $a
language               008/35-37, else 041 $a                101 $a
=====================  ====================================  ================================

Alternate scripts (MARC 21 880)
-------------------------------
Records from American and European catalogues transcribe a Chinese, Japanese, Korean,
Russian ... title in romanised form in 245 (``Jian ming Song shi``) and keep the original
script in an 880 field linked by ``$6`` (``880 $6 245-01/$1 $a 簡明　宋　史``; the part after
the slash names the script: ``$1`` CJK, ``(N`` Cyrillic, ``(2`` Hebrew, ``(3`` Arabic,
``(S`` Greek). Both are kept: ``title`` holds the romanised form and ``title_vernacular`` the
original script, and the search index holds both. The script is read from the text itself,
not from the code, which exporters often leave out: an 880 in Latin letters (a
romanisation of an original-script 245, the other way round) adds nothing to what search
derives from the title itself (pinyin) and is not kept. The spaces that
word-divide romanised CJK (``簡明　宋　史``) are not part of Chinese writing and are removed
between CJK characters.

Non-sorting text
----------------
A leading article is marked for sorting either by 245's second indicator (the number of
characters to skip, MARC 21) or by the non-sorting markers around it (UNIMARC, and MARC 21
in Unicode): ``<NSB>L'<NSE>altra faccia`` displays as ``L'altra faccia`` and sorts as
``altra faccia``. Markers never reach a stored title.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pymarc

from catalog.charset import NSB, NSE, normalize_markers
from catalog.errors import InvalidValueError
from catalog.isbn import ascii_digits, normalize_isbn

__all__ = [
    "Flavour",
    "MarcFieldError",
    "RecordData",
    "control_field",
    "display_text",
    "record_data_from_marc",
    "sort_text",
    "vernacular_text",
]

Flavour = Literal["auto", "marc21", "unimarc"]
"""MARC flavour; ``unimarc`` covers CNMARC. ``auto`` looks for 245 (MARC 21) or 200."""

# Column limits of catalog.models.Record: a longer value is reported, never cut silently.
_MAX_TITLE = 500
_MAX_AUTHORS = 500
_MAX_PUBLISHER = 300
_MAX_CLC = 100

_HAN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_YEAR_RE = re.compile(r"(?<!\d)([12]\d{3})(?!\d)")
_LANGUAGE_RE = re.compile(r"^[a-z]{3}$")
_SPACE_RE = re.compile(r"\s+")
_CJK = r"\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_GAP_RE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_NON_SORTING_RE = re.compile(f"{NSB}[^{NSE}]*{NSE}")
_LINKAGE_RE = re.compile(r"^(\d{3})-(\d{2,})")
# ISBD punctuation that closes a subfield before the next one ("三体 /", "Beijing :").
_TRAILING = " \t/:;,.=。，；：／"
_LEADING = " \t/:;,=，；：／"


class MarcFieldError(ValueError):
    """A record that cannot be loaded; the message names the MARC field and the value."""


@dataclass(frozen=True, slots=True)
class RecordData:
    """One bibliographic record as read from a file, before it becomes a database row.

    Attributes
    ----------
    title
        Title proper with its parts and subtitle, e.g. ``"三体Ⅱ：黑暗森林"``, as displayed;
        never empty. For a record with an alternate script, the romanised form.
    authors
        Personal or corporate names in catalogue order.
    isbn13
        Validated ISBN as 13 ASCII digits, or ``None`` when the record has none.
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
    title_vernacular, authors_vernacular, publisher_vernacular
        The same in the original script (MARC 21 880 fields), e.g. ``"簡明宋史"``; empty
        when the record has none.
    sort_title
        The title without its non-sorting part (``"Hobbit"`` for ``"The Hobbit"``);
        ``""`` when it sorts as it reads.
    """

    title: str
    authors: tuple[str, ...] = ()
    isbn13: str | None = None
    publisher: str = ""
    year: int | None = None
    clc: str = ""
    language: str = "chi"
    control_number: str = ""
    title_vernacular: str = ""
    authors_vernacular: tuple[str, ...] = ()
    publisher_vernacular: str = ""
    sort_title: str = ""

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise InvalidValueError("title", self.title, "a record needs a title")
        texts = {
            "title": (self.title, _MAX_TITLE),
            "title_vernacular": (self.title_vernacular, _MAX_TITLE),
            "sort_title": (self.sort_title, _MAX_TITLE),
            "authors": ("; ".join(self.authors), _MAX_AUTHORS),
            "authors_vernacular": ("; ".join(self.authors_vernacular), _MAX_AUTHORS),
            "publisher": (self.publisher, _MAX_PUBLISHER),
            "publisher_vernacular": (self.publisher_vernacular, _MAX_PUBLISHER),
            "clc": (self.clc, _MAX_CLC),
        }
        for name, (value, limit) in texts.items():
            if len(value) > limit:
                raise InvalidValueError(name, value, f"longer than {limit} characters")
            if value.isprintable():
                continue
            control = next((c for c in value if unicodedata.category(c) == "Cc"), None)
            if control is not None:
                # Non-sorting markers, escapes, stray bytes: never stored, never shown.
                raise InvalidValueError(
                    name, value, f"contains the control character U+{ord(control):04X}"
                )
        if self.isbn13 is not None and normalize_isbn(self.isbn13, field="isbn13") != self.isbn13:
            raise InvalidValueError("isbn13", self.isbn13, "must be 13 ASCII digits")
        if self.year is not None and not 1000 <= self.year <= 2999:
            raise InvalidValueError("year", self.year, "must be between 1000 and 2999")
        if not _LANGUAGE_RE.match(self.language):
            raise InvalidValueError("language", self.language, "must be a 3-letter MARC code")


# --- text forms ----------------------------------------------------------------------------


_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x97\x99-\x9b\x9d-\x9f]")
"""Control characters other than white space and the markers :data:`NSB`, :data:`NSE`."""


def _strip_controls(text: str) -> str:
    """NFC, one marker form, white space collapsed, other control characters dropped."""
    text = normalize_markers(unicodedata.normalize("NFC", text))
    if not text.isprintable():
        text = _CONTROL_RE.sub("", text)
    return _SPACE_RE.sub(" ", text)


_INITIAL_RE = re.compile(r"(?:^|[\s.])[A-Z]\.$")


def _trim(text: str) -> str:
    text = text.strip()
    # "Tolkien, J. R. R." keeps the full stop of its last initial.
    kept = "." if _INITIAL_RE.search(text) else ""
    return text.rstrip(_TRAILING).strip() + kept


def display_text(value: str | None, *, trim: bool = True) -> str:
    """A subfield as shown: markers and control characters removed, white space collapsed,
    ISBD closing punctuation dropped unless ``trim=False`` (``"三体 /"`` → ``"三体"``)."""
    text = _strip_controls(value or "").replace(NSB, "").replace(NSE, "")
    return _trim(text) if trim else text.strip()


def sort_text(value: str | None, *, trim: bool = True) -> str:
    """A subfield as sorted: the part between the non-sorting markers removed
    (``"<NSB>The <NSE>Hobbit"`` → ``"Hobbit"``), otherwise as :func:`display_text`."""
    text = _NON_SORTING_RE.sub("", _strip_controls(value or ""))
    return display_text(text, trim=trim)


def vernacular_text(value: str) -> str:
    """An original-script form: as :func:`display_text`, without the word-division spaces
    between CJK characters (``"簡明　宋　史"`` → ``"簡明宋史"``)."""
    return _CJK_GAP_RE.sub("", display_text(value))


def _is_latin(text: str) -> bool:
    """Whether every letter of ``text`` is Latin (a romanised form)."""
    return all(
        unicodedata.name(c, "").startswith("LATIN")
        for c in text
        if unicodedata.category(c)[0] == "L"
    )


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


# --- reading fields ------------------------------------------------------------------------


def _values(fields: Sequence[pymarc.Field], code: str) -> list[str]:
    values = (display_text(v) for f in fields for v in f.get_subfields(code))
    return [v for v in values if v]


def _subfields(record: pymarc.Record, tag: str, code: str) -> list[str]:
    return _values(record.get_fields(tag), code)


def _first(record: pymarc.Record, tag: str, code: str) -> str:
    values = _subfields(record, tag, code)
    return values[0] if values else ""


def control_field(record: pymarc.Record, tag: str) -> str:
    """The data of a control field (001, 008), ``""`` if missing."""
    fields = record.get_fields(tag)
    return (fields[0].data or "") if fields and fields[0].is_control_field() else ""


def _year(text: str, warn: list[str], source: str) -> int | None:
    if not text:
        return None
    match = _YEAR_RE.search(ascii_digits(text))
    if match is None:
        warn.append(f"{source}={text!r}: no year in it, year left empty")
        return None
    return int(match.group(1))


_ISBN_PREFIX_RE = re.compile(r"^\s*(?:ISBN|ＩＳＢＮ)(?:[-‐]?1[03])?\s*[:：]?\s*", re.IGNORECASE)
_ISBN_END_RE = re.compile(r"[(（:：;；]|\s+(?=[^\W\d_xXＸｘ])")
"""Where the number ends: a qualifier ``(pbk.)``, a price ``: CNY23.00``, a word ``pbk``."""


def _isbn_number(raw: str) -> str:
    """The number of an ISBN subfield: ``"0553293354 (pbk.)"`` → ``"0553293354"``."""
    text = _ISBN_PREFIX_RE.sub("", raw, count=1)
    return _ISBN_END_RE.split(text, maxsplit=1)[0].strip()


def _isbn(raws: Sequence[str], tag: str, warn: list[str]) -> str | None:
    """The first valid ISBN of a record's ISBN subfields; the invalid ones before it are
    warnings, and a record whose every ISBN is invalid is refused."""
    errors: list[str] = []
    for raw in raws:
        if not raw.strip():
            continue
        try:
            isbn = normalize_isbn(_isbn_number(raw), field=tag)
        except InvalidValueError as exc:
            errors.append(str(exc))
            continue
        warn.extend(f"{e}; a later valid ISBN kept" for e in errors)
        return isbn
    if errors:
        raise MarcFieldError("; ".join(errors))
    return None


def _language(code: str) -> str:
    code = code.strip().lower()
    return code if _LANGUAGE_RE.match(code) else ""


def _check_replacement(data: dict[str, str], warn: list[str]) -> None:
    for name, value in data.items():
        if "\ufffd" in value:
            warn.append(
                f"{name}={value!r}: contains U+FFFD (a character the exporter could not "
                "write was lost before this file was made)"
            )


# --- MARC 21 -------------------------------------------------------------------------------

_MARC21_NAMES = ("100", "110", "111", "700", "710", "711")


def _marc21_title(record: pymarc.Record) -> tuple[str, str]:
    """(display, sort) of 245 $a $n $p $b."""
    fields = record.get_fields("245")
    raw_main = next((v for f in fields for v in f.get_subfields("a") if display_text(v)), "")
    main = display_text(raw_main)
    if not main:
        return "", ""
    parts = _values(fields, "n") + _values(fields, "p")
    title = _join_title(main, parts, _values(fields, "b"))
    if NSB in _strip_controls(raw_main):
        sort_main = sort_text(raw_main)
    else:
        skip = fields[0].indicator2 if fields else " "
        sort_main = main[int(skip) :].lstrip() if skip in "123456789" else main
    sort = _join_title(sort_main, parts, _values(fields, "b")) if sort_main else title
    return title, sort


def _marc21_name(field: pymarc.Field) -> str:
    entry = display_text((field.get_subfields("a") or [""])[0])
    if not entry:
        return ""
    if field.tag.endswith("00"):  # personal name: $b is a numeration ("John Paul II")
        numeration = _values([field], "b")
        return " ".join([entry, *numeration])
    units = _values([field], "b")  # corporate name: subordinate units
    return ". ".join([entry, *units])


def _marc21_authors(record: pymarc.Record) -> list[str]:
    names = [_marc21_name(f) for tag in _MARC21_NAMES for f in record.get_fields(tag)]
    return [n for n in names if n]


def _marc21_publication(record: pymarc.Record) -> list[pymarc.Field]:
    publication = [f for f in record.get_fields("264") if f.indicator2 == "1"]
    return publication or record.get_fields("260")


def _alternate_record(record: pymarc.Record) -> pymarc.Record:
    """The 880 fields as the fields they stand for (880 $6 245-01 → a 245)."""
    alternate = pymarc.Record()
    for field in record.get_fields("880"):
        link = _LINKAGE_RE.match((field.get_subfields("6") or [""])[0].strip())
        if link is None:
            continue
        alternate.add_field(
            pymarc.Field(
                tag=link.group(1),
                indicators=field.indicators,
                subfields=[s for s in field.subfields if s.code != "6"],
            )
        )
    return alternate


@dataclass(frozen=True, slots=True)
class _Vernacular:
    title: str = ""
    authors: tuple[str, ...] = ()
    publisher: str = ""


def _marc21_vernacular(record: pymarc.Record) -> _Vernacular:
    """The original-script forms in 880; Latin-only forms (romanisations) are left out."""
    alternate = _alternate_record(record)
    if not alternate.fields:
        return _Vernacular()

    def script(text: str) -> str:
        return "" if _is_latin(text) else _CJK_GAP_RE.sub("", text)

    title, _sort = _marc21_title(alternate)
    publisher = next(iter(_values(_marc21_publication(alternate), "b")), "")
    authors = tuple(a for a in map(script, _marc21_authors(alternate)) if a)
    return _Vernacular(script(title), authors, script(publisher))


def _marc21(record: pymarc.Record, warn: list[str]) -> RecordData:
    title, sort = _marc21_title(record)
    if not title:
        raise MarcFieldError("245 $a: missing title")
    authors = _marc21_authors(record) or _subfields(record, "245", "c")
    isbn = _isbn(
        [v for f in record.get_fields("020") for v in f.get_subfields("a")], "020 $a", warn
    )
    publication = _marc21_publication(record)
    date = next(iter(_values(publication, "c")), "")
    fixed = control_field(record, "008")
    year = _year(date, warn, "260/264 $c") if date else _year(fixed[7:11], warn, "008/07-10")
    clc = next(
        (
            display_text(v)
            for f in record.get_fields("084")
            if (f.get_subfields("2") or [""])[0].strip().lower() == "clc"
            for v in f.get_subfields("a")
        ),
        "",
    ) or _first(record, "093", "a")
    language = _language(fixed[35:38]) or _language(_first(record, "041", "a")) or "chi"
    vernacular = _marc21_vernacular(record)
    return RecordData(
        title=title,
        authors=tuple(authors),
        isbn13=isbn,
        publisher=next(iter(_values(publication, "b")), ""),
        year=year,
        clc=clc,
        language=language,
        control_number=control_field(record, "001"),
        title_vernacular=vernacular.title if vernacular.title != title else "",
        authors_vernacular=vernacular.authors,
        publisher_vernacular=vernacular.publisher,
        sort_title=sort if sort != title else "",
    )


# --- UNIMARC / CNMARC ----------------------------------------------------------------------


def _unimarc_name(field: pymarc.Field) -> str:
    """700/701/702: $a entry element, $b rest of the name, $d roman numerals; the name is
    inverted ("Asimov, Isaac") unless indicator 2 = 0 (forename or direct order).
    710/711/712: $a and its subdivisions $b."""
    entry = display_text((field.get_subfields("a") or [""])[0]).lstrip(_LEADING)
    if not entry:
        return ""
    rest = [v.lstrip(_LEADING) for v in _values([field], "b") if v.lstrip(_LEADING)]
    if field.tag.startswith("71"):
        return ". ".join([entry, *rest])
    name = entry
    if rest:
        if field.indicator2 == "0":
            name += ("" if _has_han(entry + rest[0]) else " ") + " ".join(rest)
        else:
            name += ", " + " ".join(rest)
    numerals = [v.lstrip(_LEADING) for v in _values([field], "d")]
    return " ".join([name, *[n for n in numerals if n]])


def _unimarc(record: pymarc.Record, warn: list[str]) -> RecordData:
    fields = record.get_fields("200")
    raw_main = next((v for f in fields for v in f.get_subfields("a") if display_text(v)), "")
    main = display_text(raw_main)
    if not main:
        raise MarcFieldError("200 $a: missing title")
    parts = _values(fields, "h") + _values(fields, "i")
    subtitles = _values(fields, "e")
    title = _join_title(main, parts, subtitles)
    sort_main = sort_text(raw_main)
    sort = _join_title(sort_main, parts, subtitles) if sort_main else title
    authors = [
        name
        for tag in ("700", "701", "702", "710", "711", "712")
        for f in record.get_fields(tag)
        if (name := _unimarc_name(f))
    ] or _subfields(record, "200", "f")
    isbn = _isbn(
        [v for f in record.get_fields("010") for v in f.get_subfields("a")], "010 $a", warn
    )
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
        control_number=control_field(record, "001"),
        sort_title=sort if sort != title else "",
    )


def record_data_from_marc(
    record: pymarc.Record, *, flavour: Flavour = "auto"
) -> tuple[RecordData, list[str]]:
    """Map one decoded pymarc record to a :class:`RecordData`.

    Parameters
    ----------
    record
        A decoded record (text fields are ``str``).
    flavour
        ``marc21``, ``unimarc`` (CNMARC) or ``auto`` (245 present → MARC 21, else 200 →
        UNIMARC).

    Returns
    -------
    tuple[RecordData, list[str]]
        The record and warnings about what was left out (a year that is not one, an
        invalid ISBN next to a valid one, lost characters).

    Raises
    ------
    MarcFieldError
        Missing title, no valid ISBN among invalid ones, or another value the record cannot
        be loaded with; the message names the MARC field and the value.
    """
    if flavour == "auto":
        if record.get_fields("245"):
            flavour = "marc21"
        elif record.get_fields("200"):
            flavour = "unimarc"
        else:
            raise MarcFieldError("no title field: neither 245 (MARC 21) nor 200 (UNIMARC/CNMARC)")
    warn: list[str] = []
    try:
        data = _marc21(record, warn) if flavour == "marc21" else _unimarc(record, warn)
    except InvalidValueError as exc:
        raise MarcFieldError(str(exc)) from exc
    _check_replacement(
        {
            "title": data.title,
            "title_vernacular": data.title_vernacular,
            "authors": "; ".join(data.authors),
            "publisher": data.publisher,
        },
        warn,
    )
    return data, warn
