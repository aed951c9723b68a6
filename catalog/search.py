"""Unified catalogue search (统一检索) across all sites, with availability per site.

A search matches records by title, author, ISBN, call number (中图分类号) or keyword (all of
them), the way Chinese readers type: a part of a title (``三体`` finds ``三体Ⅱ：黑暗森林``),
pinyin (``santi``) or its initials (``st``), traditional characters, full-width letters
(see :mod:`catalog.normalize`). The matching is done by the database's own full-text index:

* SQLite: an FTS5 table ``record_search`` (``rowid`` = ``records.id``) with one column per
  field holding the pre-cut tokens of :func:`catalog.normalize.index_tokens`; the query is an
  FTS5 expression of phrases and prefixes, ranked by ``bm25``.
* PostgreSQL: a table ``record_search(record_id, document tsvector)`` with a GIN index; the
  document is built from the same tokens with one weight per field (A title, B authors,
  C ISBN and call number, D publisher), the query is a ``tsquery`` of phrases (``<->``) and
  prefixes (``:*``) restricted to the field's weights, ranked by ``ts_rank``.

The index is kept up to date by :func:`index_records`, which the bulk loaders call, and by
a session hook that re-indexes records added, changed or deleted through the ORM.

Availability is counted per site from the items' current site and status; with a patron's
chosen site and a :class:`~catalog.travel.TravelTimes`, each site also gets the van travel
time from it to the patron's site, and sites are listed nearest first.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from sqlalchemy import Connection, event, inspect, select, text
from sqlalchemy.orm import Session, UOWTransaction

from catalog.errors import CirculationError, InvalidValueError
from catalog.isbn import isbn10_check_digit
from catalog.models import Item, ItemStatus, Record, Site
from catalog.normalize import (
    QueryTerm,
    call_number_key,
    index_tokens,
    isbn_query,
    normalize_text,
    query_terms,
)
from catalog.travel import TravelTimes

__all__ = [
    "SearchField",
    "SearchHit",
    "SearchResult",
    "SiteAvailability",
    "TravelTimeSource",
    "count_catalogue",
    "display_form",
    "drop_search_index",
    "ensure_search_index",
    "index_records",
    "rebuild_search_index",
    "search_catalogue",
]

SearchField = Literal["keyword", "title", "author", "isbn", "call_number"]
"""What the query is matched against; ``keyword`` is every field."""

TravelTimeSource = TravelTimes | Mapping[tuple[int, int], int] | Callable[[int, int], int | None]
"""Van seconds from one site to another: a :class:`~catalog.travel.TravelTimes`, a matrix
``{(from_id, to_id): seconds}`` or a function ``(from_id, to_id) -> seconds | None``."""

MAX_LIMIT = 200
_CHUNK = 500
_TABLE = "record_search"

# --- index structures --------------------------------------------------------------------

_COLUMNS = ("title", "authors", "isbn", "clc", "other")
"""Index columns (SQLite FTS5 columns; PostgreSQL weights A, B, C, C, D)."""
_PG_WEIGHT = {"title": "A", "authors": "B", "isbn": "C", "clc": "C", "other": "D"}
_BM25_WEIGHTS = "10.0, 6.0, 3.0, 3.0, 1.0"
_FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "keyword": ("title", "authors", "other"),
    "title": ("title",),
    "author": ("authors",),
}

_SQLITE_DDL = (
    # unicode61 keeps each of our tokens whole (they hold only letters, digits and Han);
    # prefix indexes make the pinyin/initials prefix queries ("st"*, "santi"*) index lookups.
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {_TABLE} USING fts5("
    f"{', '.join(_COLUMNS)}, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4')",
)
_POSTGRES_DDL = (
    f"CREATE TABLE IF NOT EXISTS {_TABLE} ("
    " record_id INTEGER PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,"
    " document TSVECTOR NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS ix_{_TABLE}_document ON {_TABLE} USING gin (document)",
)


def _dialect(bind: Session | Connection) -> str:
    return bind.get_bind().dialect.name if isinstance(bind, Session) else bind.dialect.name


def ensure_search_index(bind: Session | Connection) -> None:
    """Create the search index structures if they are missing (SQLite or PostgreSQL).

    The Alembic revision ``0002_search_index`` calls this; tests and scripts that build a
    database another way may call it too. It does not index any record.

    Parameters
    ----------
    bind
        A session or connection on the catalogue database.
    """
    statements = _SQLITE_DDL if _dialect(bind) == "sqlite" else _POSTGRES_DDL
    for statement in statements:
        bind.execute(text(statement))


def drop_search_index(bind: Session | Connection) -> None:
    """Drop the search index structures (the Alembic downgrade)."""
    bind.execute(text(f"DROP TABLE IF EXISTS {_TABLE}"))


def _isbn_tokens(isbn13: str | None) -> list[str]:
    if not isbn13:
        return []
    tokens = [isbn13]
    if isbn13.startswith("978"):
        # Readers copy ISBN-10s off older books: index the ISBN-10 too (body + check digit).
        body = isbn13[3:12]
        tokens.append(body + isbn10_check_digit(body).lower())
    return tokens


def _field_tokens(row: Any) -> dict[str, list[str]]:
    """The index tokens of one record row, per index column; the original-script forms
    (:attr:`Record.title_vernacular` ...) are indexed with their romanised fields."""
    clc = call_number_key(row.clc) if row.clc else ""
    values = row._mapping

    def tokens(*names: str, pinyin: bool = True) -> list[str]:
        return [
            t
            for n in names
            if values.get(n)
            for t in index_tokens(values[n], pinyin=pinyin).split()
        ]

    return {
        "title": tokens("title", "title_vernacular"),
        "authors": tokens("authors", "authors_vernacular"),
        "isbn": _isbn_tokens(row.isbn13),
        "clc": [clc] if clc else [],
        "other": tokens("publisher", "publisher_vernacular", pinyin=False),
    }


def _pg_document(fields: dict[str, list[str]]) -> str:
    """A ``tsvector`` literal with positions and weights, built without PostgreSQL's parser
    (which would re-cut our tokens); fields are 100 positions apart so no phrase spans two."""
    positions: dict[str, list[str]] = defaultdict(list)
    start = 1
    for column in _COLUMNS:
        weight = _PG_WEIGHT[column]
        for offset, token in enumerate(fields[column][:16000]):
            positions[token].append(f"{min(start + offset, 16383)}{weight}")
        start += len(fields[column]) + 100
    return " ".join(f"'{_pg_quote(t)}':{','.join(p)}" for t, p in positions.items())


def _pg_quote(token: str) -> str:
    return token.replace("\\", "\\\\").replace("'", "''")


def index_records(bind: Session | Connection, record_ids: Iterable[int] | None = None) -> int:
    """(Re)index records in the search index; records that no longer exist are removed.

    Parameters
    ----------
    bind
        A session or connection; the caller commits.
    record_ids
        Records to index; ``None`` for every record (see :func:`rebuild_search_index`).

    Returns
    -------
    int
        Number of records written to the index.
    """
    sqlite = _dialect(bind) == "sqlite"
    # SELECT *: the migrations index records on the schema of their own revision, which
    # may not have every column of today's model yet.
    every = text("SELECT * FROM records")
    if record_ids is None:
        chunks: Iterable[Sequence[Any]] = _chunks(bind.execute(every).all())
    else:
        ids = sorted(set(record_ids))
        chunks = (
            bind.execute(text(f"SELECT * FROM records WHERE id IN ({_int_list(part)})")).all()
            for part in _chunks(ids)
        )
        for part in _chunks(ids):
            key = "rowid" if sqlite else "record_id"
            bind.execute(text(f"DELETE FROM {_TABLE} WHERE {key} IN ({_int_list(part)})"))
    written = 0
    for rows in chunks:
        if not rows:
            continue
        fields = [(row.id, _field_tokens(row)) for row in rows]
        if sqlite:
            bind.execute(
                text(
                    f"INSERT INTO {_TABLE} (rowid, {', '.join(_COLUMNS)}) "
                    f"VALUES (:id, {', '.join(':' + c for c in _COLUMNS)})"
                ),
                [{"id": i, **{c: " ".join(f[c]) for c in _COLUMNS}} for i, f in fields],
            )
        else:
            bind.execute(
                text(
                    f"INSERT INTO {_TABLE} (record_id, document) "
                    "VALUES (:id, CAST(:document AS tsvector))"
                ),
                [{"id": i, "document": _pg_document(f)} for i, f in fields],
            )
        written += len(rows)
    return written


def rebuild_search_index(bind: Session | Connection) -> int:
    """Empty the search index and index every record again; returns the number indexed."""
    bind.execute(text(f"DELETE FROM {_TABLE}"))
    return index_records(bind, None)


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _int_list(ids: Iterable[int]) -> str:
    return ", ".join(str(int(i)) for i in ids)


@event.listens_for(Session, "after_flush")
def _reindex_flushed_records(session: Session, _context: UOWTransaction) -> None:
    """Keep the index in step with records created, edited or deleted through the ORM
    (bulk ``insert()`` statements bypass this; their callers use :func:`index_records`)."""
    touched = (*session.new, *session.dirty, *session.deleted)
    changed = {obj.id for obj in touched if isinstance(obj, Record)}
    if not changed:
        return
    connection = session.connection()
    # A database migrated only up to the revision before the index has nothing to keep in
    # step; the index revision indexes every record when it is applied.
    if inspect(connection).has_table(_TABLE):
        index_records(connection, changed)


# --- queries -----------------------------------------------------------------------------

_CALL_QUERY_RE = re.compile(r"^[a-z]{1,2}\d[\d.\-/:=()\"<>a-z]*$")
"""A query that looks like a CLC call number, e.g. ``I247.5`` or ``TP312/123``."""


@dataclass(frozen=True, slots=True)
class _Alternative:
    """One way for a record to match: every term in one of ``columns``."""

    columns: tuple[str, ...]
    terms: tuple[QueryTerm, ...]


def _alternatives(query: str, field: SearchField) -> list[_Alternative]:
    normalized = normalize_text(query)
    alternatives: list[_Alternative] = []
    isbn = isbn_query(query)
    if field in ("keyword", "isbn"):
        if isbn is not None:
            alternatives.append(_Alternative(("isbn",), (QueryTerm((isbn.lower(),), False),)))
        elif field == "isbn":
            digits = re.sub(r"[\s\-]", "", normalized)
            if not re.fullmatch(r"\d{1,13}x?", digits):
                raise InvalidValueError("query", query, "an ISBN search needs digits")
            alternatives.append(_Alternative(("isbn",), (QueryTerm((digits,), True),)))
        elif re.fullmatch(r"[\d\s\-]+", normalized):
            digits = re.sub(r"[\s\-]", "", normalized)
            # The start of an ISBN typed in the keyword box (978-7-5366): from 7 digits on,
            # fewer is every Chinese book ("9787") and reads better as a title word.
            if len(digits) >= 7:
                alternatives.append(_Alternative(("isbn",), (QueryTerm((digits,), True),)))
    if field == "call_number" or (field == "keyword" and _CALL_QUERY_RE.match(normalized)):
        key = call_number_key(query)
        if key:
            alternatives.append(_Alternative(("clc",), (QueryTerm((key,), True),)))
    if field in _FIELD_COLUMNS and isbn is None:
        terms = query_terms(query)
        if terms:
            alternatives.append(_Alternative(_FIELD_COLUMNS[field], tuple(terms)))
    return alternatives


def _fts5_phrase(term: QueryTerm) -> str:
    phrase = '"' + " ".join(term.tokens).replace('"', '""') + '"'
    return phrase + ("*" if term.prefix else "")


def _fts5_query(alternatives: list[_Alternative]) -> str:
    parts = []
    for alt in alternatives:
        columns = "{" + " ".join(alt.columns) + "}"
        terms = " AND ".join(f"{columns} : {_fts5_phrase(t)}" for t in alt.terms)
        parts.append(f"({terms})")
    return " OR ".join(parts)


def _tsquery(alternatives: list[_Alternative]) -> str:
    parts = []
    for alt in alternatives:
        weights = "".join(sorted({_PG_WEIGHT[c] for c in alt.columns}))
        terms = []
        for term in alt.terms:
            lexemes = [f"'{_pg_quote(t)}':{weights}" for t in term.tokens]
            if term.prefix:
                lexemes[-1] = f"'{_pg_quote(term.tokens[-1])}':*{weights}"
            terms.append("(" + " <-> ".join(lexemes) + ")")
        parts.append("(" + " & ".join(terms) + ")")
    return " | ".join(parts)


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SiteAvailability:
    """Copies of one record at one site (by the items' current site).

    Attributes
    ----------
    site_id, site_code, site_name_zh
        The site.
    available
        Copies on the shelf there now (status ``available``).
    copies
        All copies there, whatever their status (withdrawn and missing ones excepted).
    travel_time_s
        Van seconds from this site to the patron's chosen site, ``None`` if not asked for
        or not known.
    """

    site_id: int
    site_code: str
    site_name_zh: str
    available: int
    copies: int
    travel_time_s: int | None


def display_form(romanised: str, vernacular: str, *, locale: str = "zh-CN") -> str:
    """One field as a reader sees it, when a record has both forms.

    Chinese readers (``locale`` starting with ``zh``) get the original script first, then
    the romanised form: ``簡明宋史 = Jian ming Song shi``; other readers the other way round.
    A record with one form shows that form.

    Examples
    --------
    >>> display_form("Jian ming Song shi", "簡明宋史")
    '簡明宋史 = Jian ming Song shi'
    >>> display_form("Jian ming Song shi", "簡明宋史", locale="en")
    'Jian ming Song shi = 簡明宋史'
    """
    if not vernacular or vernacular == romanised:
        return romanised
    if not romanised:
        return vernacular
    first, second = (vernacular, romanised) if locale.startswith("zh") else (romanised, vernacular)
    return f"{first} = {second}"


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching record with its availability, best sites first.

    Attributes
    ----------
    record_id, title, authors, isbn13, publisher, year, clc
        The record (``authors`` in catalogue order).
    score
        Relevance, higher is better (only comparable within one search).
    available
        Copies on a shelf anywhere.
    sites
        Sites holding copies: those with a copy available first, then by travel time to
        the patron's site (unknown last), then by site code.
    title_vernacular, authors_vernacular, publisher_vernacular
        The original-script forms when ``title`` ... are romanised (MARC 21 880), else
        empty; :meth:`display_title` puts them first for Chinese readers.
    """

    record_id: int
    title: str
    authors: tuple[str, ...]
    isbn13: str | None
    publisher: str
    year: int | None
    clc: str
    score: float
    available: int
    sites: tuple[SiteAvailability, ...]
    title_vernacular: str = ""
    authors_vernacular: tuple[str, ...] = ()
    publisher_vernacular: str = ""

    def display_title(self, locale: str = "zh-CN") -> str:
        """The title for a reader: see :func:`display_form`."""
        return display_form(self.title, self.title_vernacular, locale=locale)

    def display_authors(self, locale: str = "zh-CN") -> str:
        """The authors for a reader, joined with ``"; "``: see :func:`display_form`."""
        return display_form(
            "; ".join(self.authors), "; ".join(self.authors_vernacular), locale=locale
        )

    @property
    def nearest_available(self) -> SiteAvailability | None:
        """The site with a copy on the shelf closest to the patron's site, if any."""
        return next((s for s in self.sites if s.available), None)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The page of hits for one query.

    Attributes
    ----------
    query, field
        What was asked.
    hits
        Best first.
    has_more
        More hits exist after this page (ask again with ``offset``).
    """

    query: str
    field: SearchField
    hits: tuple[SearchHit, ...]
    has_more: bool


def _travel_function(
    source: TravelTimeSource | None,
) -> Callable[[int, int], int | None] | None:
    if source is None:
        return None
    if isinstance(source, TravelTimes):
        times = source

        def seconds(a: int, b: int) -> int | None:
            try:
                return times.seconds(a, b)
            except CirculationError:
                return None

        return seconds
    if isinstance(source, Mapping):
        matrix = source
        return lambda a, b: 0 if a == b else matrix.get((a, b))
    if callable(source):
        return source
    raise InvalidValueError("travel_times", source, "a TravelTimes, a mapping or a function")


def _availability(
    session: Session,
    record_ids: list[int],
    patron_site_id: int | None,
    travel: Callable[[int, int], int | None] | None,
) -> dict[int, list[SiteAvailability]]:
    rows = session.execute(
        select(Item.record_id, Item.current_site_id, Item.status, Site.code, Site.name_zh)
        .join(Site, Site.id == Item.current_site_id)
        .where(
            Item.record_id.in_(record_ids),
            Item.status.not_in([ItemStatus.withdrawn, ItemStatus.missing]),
        )
    ).all()
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    names: dict[int, tuple[str, str]] = {}
    for record_id, site_id, status, code, name_zh in rows:
        entry = counts[(record_id, site_id)]
        entry[0] += status == ItemStatus.available
        entry[1] += 1
        names[site_id] = (code, name_zh)
    seconds: dict[int, int | None] = {}
    if travel is not None and patron_site_id is not None:
        seconds = {site: travel(site, patron_site_id) for site in names}
    by_record: dict[int, list[SiteAvailability]] = defaultdict(list)
    for (record_id, site_id), (available, copies) in counts.items():
        code, name_zh = names[site_id]
        by_record[record_id].append(
            SiteAvailability(site_id, code, name_zh, available, copies, seconds.get(site_id))
        )
    for sites in by_record.values():
        sites.sort(
            key=lambda s: (
                s.available == 0,
                s.travel_time_s is None,
                s.travel_time_s or 0,
                s.site_code,
            )
        )
    return by_record


def search_catalogue(
    session: Session,
    query: str,
    *,
    field: SearchField = "keyword",
    patron_site_id: int | None = None,
    travel_times: TravelTimeSource | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Search the catalogue of every site.

    Parameters
    ----------
    session
        Session on the catalogue database (SQLite or PostgreSQL).
    query
        What the reader typed: title words, an author, pinyin or its initials, an ISBN
        (10 or 13 digits, hyphens allowed) or a call number. Several words must all match.
    field
        ``keyword`` (any field, the default), ``title``, ``author``, ``isbn`` or
        ``call_number`` (a CLC class matches everything under it: ``I247`` → ``I247.55``).
    patron_site_id
        The site where the reader wants to pick the book up; with ``travel_times``, each
        holding site gets its van travel time to it.
    travel_times
        Van travel times between sites (no street graph is loaded here).
    limit, offset
        The page of hits: ``1 <= limit <= 200``.

    Returns
    -------
    SearchResult
        Hits best first, each with availability per site.

    Raises
    ------
    InvalidValueError
        Empty query, unknown ``field``, ``limit`` or ``offset`` out of range.

    Examples
    --------
    >>> result = search_catalogue(session, "santi", patron_site_id=3, travel_times=times)
    ... # doctest: +SKIP
    >>> result.hits[0].title, result.hits[0].nearest_available  # doctest: +SKIP
    ('三体Ⅱ：黑暗森林', SiteAvailability(site_id=3, ..., travel_time_s=0))
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidValueError("limit", limit, f"must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise InvalidValueError("offset", offset, "must be >= 0")
    travel = _travel_function(travel_times)
    alternatives = _checked_alternatives(query, field)
    if _dialect(session) == "sqlite":
        statement = text(
            f"SELECT rowid AS id, -bm25({_TABLE}, {_BM25_WEIGHTS}) AS score FROM {_TABLE} "
            f"WHERE {_TABLE} MATCH :q ORDER BY bm25({_TABLE}, {_BM25_WEIGHTS}), rowid "
            "LIMIT :limit OFFSET :offset"
        )
        match = _fts5_query(alternatives)
    else:
        statement = text(
            "SELECT record_id AS id, ts_rank(document, q) AS score "
            f"FROM {_TABLE}, CAST(:q AS tsquery) AS q WHERE document @@ q "
            "ORDER BY score DESC, record_id LIMIT :limit OFFSET :offset"
        )
        match = _tsquery(alternatives)
    ranked = session.execute(statement, {"q": match, "limit": limit + 1, "offset": offset}).all()
    has_more = len(ranked) > limit
    ranked = ranked[:limit]
    ids = [row.id for row in ranked]
    if not ids:
        return SearchResult(query, field, (), False)
    records = {r.id: r for r in session.execute(select(Record).where(Record.id.in_(ids))).scalars()}
    availability = _availability(session, ids, patron_site_id, travel)
    hits = []
    for row in ranked:
        record = records.get(row.id)
        if record is None:  # index row of a record deleted outside the ORM
            continue
        sites = tuple(availability.get(row.id, ()))
        hits.append(
            SearchHit(
                record_id=record.id,
                title=record.title,
                authors=tuple(a for a in record.authors.split("; ") if a),
                isbn13=record.isbn13,
                publisher=record.publisher,
                year=record.year,
                clc=record.clc,
                score=float(row.score),
                available=sum(s.available for s in sites),
                sites=sites,
                title_vernacular=record.title_vernacular,
                authors_vernacular=tuple(a for a in record.authors_vernacular.split("; ") if a),
                publisher_vernacular=record.publisher_vernacular,
            )
        )
    return SearchResult(query, field, tuple(hits), has_more)


def _checked_alternatives(query: str, field: SearchField) -> list[_Alternative]:
    """The query's alternatives, or the error naming what is wrong with the query."""
    if field not in get_args(SearchField):
        raise InvalidValueError("field", field, f"must be one of {get_args(SearchField)}")
    if not query.strip():
        raise InvalidValueError("query", query, "nothing to search for")
    alternatives = _alternatives(query, field)
    if not alternatives:
        raise InvalidValueError("query", query, "has no letters, digits or characters to match")
    return alternatives


def count_catalogue(session: Session, query: str, *, field: SearchField = "keyword") -> int:
    """How many records :func:`search_catalogue` finds for ``query`` in all (every page).

    Raises
    ------
    InvalidValueError
        Empty query or unknown ``field``, as :func:`search_catalogue`.
    """
    alternatives = _checked_alternatives(query, field)
    if _dialect(session) == "sqlite":
        statement = text(f"SELECT count(*) FROM {_TABLE} WHERE {_TABLE} MATCH :q")
        match = _fts5_query(alternatives)
    else:
        statement = text(
            f"SELECT count(*) FROM {_TABLE}, CAST(:q AS tsquery) AS q WHERE document @@ q"
        )
        match = _tsquery(alternatives)
    return int(session.execute(statement, {"q": match}).scalar_one())
