"""Text normalisation and search tokens for Chinese catalogue search.

Readers type titles the way they remember them: simplified or traditional characters,
full-width or half-width letters, pinyin (``santi``) or pinyin initials (``st``), a part of
the title (``三体`` for ``三体Ⅱ：黑暗森林``). Both the indexed text and the query go through
the same steps here, so the database's own full-text machinery (SQLite FTS5, PostgreSQL
``tsvector``) only has to match whole tokens and token prefixes:

1. :func:`normalize_text`: Unicode NFKC (full-width → half-width, ``Ⅱ`` → ``II``),
   traditional → simplified (OpenCC ``t2s``), case folding, collapsed white space.
2. :func:`text_units`: the normalised text cut into units, one per Han character and one
   per run of other letters or digits; punctuation only separates.
3. :func:`index_tokens`: the tokens stored for one field: Han character bigrams in order
   (with the run's last character as a unigram, so a one-character query is a prefix
   query), the other words, and for every Han position the pinyin and the pinyin initials
   of the next few units run together (``santierheiansenlin``, ``steiihasl``), so that a
   pinyin query is a single prefix match that may start at any character.
4. :func:`query_terms`: the same cut for a query, as phrases and prefixes to match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import opencc
from pypinyin import lazy_pinyin

from catalog.isbn import ascii_digits

__all__ = [
    "QueryTerm",
    "call_number_key",
    "index_tokens",
    "is_han",
    "isbn_query",
    "normalize_text",
    "pinyin_tokens",
    "query_terms",
    "text_units",
]

# CJK Unified Ideographs, extension A, compatibility ideographs, extensions B-G.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUN_RE = re.compile(rf"[{_HAN}]+|[^\W_{_HAN}]+")
_HAN_RE = re.compile(rf"[{_HAN}]")
_SPACE_RE = re.compile(r"\s+")
_SYLLABLE_RE = re.compile(
    r"^(?:[a-z]|(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:a|o|e|i|u|v|ai|ei|ui|ao|ou|iu|ie|ve|ue|er|an|en|in|un|vn|ang|eng|ing|ong"
    r"|ia|iao|ian|iang|iong|ua|uo|uai|uan|uang|van))$"
)
"""A toneless pinyin syllable, or a single initial letter."""

PINYIN_SPAN = 8
"""Units run together in one pinyin token: a pinyin query longer than this many syllables
matches on its first eight."""

_T2S = opencc.OpenCC("t2s")


def is_han(unit: str) -> bool:
    """Whether ``unit`` is a single Han character (汉字)."""
    return len(unit) == 1 and _HAN_RE.match(unit) is not None


@lru_cache(maxsize=65536)
def normalize_text(text: str) -> str:
    """Normalise text for matching: NFKC, traditional → simplified, case-folded.

    Parameters
    ----------
    text
        Any text, e.g. ``"三體Ⅱ：黑暗森林"`` or ``"ＳＡＮＴＩ"``.

    Returns
    -------
    str
        ``"三体ii:黑暗森林"``, ``"santi"``; runs of white space become one space.
    """
    folded = unicodedata.normalize("NFKC", text)
    # t2s after NFKC: OpenCC's tables are keyed on the canonical code points.
    folded = _T2S.convert(folded).casefold()
    return _SPACE_RE.sub(" ", folded).strip()


def _runs(text: str) -> list[list[str]]:
    """Runs of normalised text: adjacent Han characters together (one unit each), every
    other word alone; punctuation and spaces end a run."""
    return [list(m) if is_han(m[0]) else [m] for m in _RUN_RE.findall(text)]


def text_units(text: str) -> list[str]:
    """Cut normalised text into units: each Han character, each run of other letters/digits.

    Examples
    --------
    >>> text_units(normalize_text("三体Ⅱ：黑暗森林 第2版"))
    ['三', '体', 'ii', '黑', '暗', '森', '林', '第', '2', '版']
    """
    return [unit for run in _runs(text) for unit in run]


def _run_tokens(run: list[str]) -> list[str]:
    """Tokens of one run: a word stays itself; Han characters give bigrams plus the last
    character, so every character starts some token (a one-character query is a prefix)."""
    if len(run) == 1:
        return list(run)
    return [a + b for a, b in pairwise(run)] + [run[-1]]


@lru_cache(maxsize=65536)
def _syllables(units: tuple[str, ...]) -> tuple[str, ...]:
    han = [u for u in units if is_han(u)]
    # pypinyin reads whole phrases, so polyphones get their usual reading (银行 → yinhang).
    readings = lazy_pinyin("".join(han)) if han else []
    if len(readings) != len(han):
        # A character pypinyin does not know comes back grouped with its neighbours.
        readings = [lazy_pinyin(u)[0] for u in han]
    it = iter(readings)
    return tuple(next(it) if is_han(u) else u for u in units)


def pinyin_tokens(units: list[str]) -> list[str]:
    """Pinyin and pinyin-initial tokens, one of each starting at every Han character.

    Each token runs together up to :data:`PINYIN_SPAN` units from its start: a Han character
    as its toneless pinyin (``ü`` written ``v``, as on keyboards) or its initial letter,
    any other word as itself.

    Examples
    --------
    >>> pinyin_tokens(["三", "体"])
    ['santi', 'st', 'ti', 't']
    """
    syllables = _syllables(tuple(units))
    tokens: list[str] = []
    seen: set[str] = set()
    for i, unit in enumerate(units):
        if not is_han(unit):
            continue
        span = range(i, min(i + PINYIN_SPAN, len(units)))
        full = "".join(syllables[j] for j in span)
        initials = "".join(syllables[j][0] if is_han(units[j]) else syllables[j] for j in span)
        for token in (full, initials):
            if token not in seen:
                seen.add(token)
                tokens.append(token)
    return tokens


@lru_cache(maxsize=65536)
def index_tokens(text: str, *, pinyin: bool = True) -> str:
    """The space-separated tokens to store in the full-text index for one field.

    Parameters
    ----------
    text
        The field's text as catalogued (not yet normalised).
    pinyin
        Also add pinyin and pinyin-initial tokens (titles and authors; not publishers).

    Returns
    -------
    str
        Text tokens in reading order (so phrases match), then the pinyin tokens.

    Examples
    --------
    >>> index_tokens("三体Ⅱ")
    '三体 体 ii santiii stii tiii tii'
    """
    runs = _runs(normalize_text(text))
    tokens = [t for run in runs for t in _run_tokens(run)]
    if pinyin:
        tokens += pinyin_tokens([unit for run in runs for unit in run])
    return " ".join(tokens)


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """One part of a query that a matching field must contain.

    Attributes
    ----------
    tokens
        Tokens that must follow each other (a phrase); one token for a word.
    prefix
        Whether the last token may be the start of a longer token (``santi`` → ``santiii``).
    """

    tokens: tuple[str, ...]
    prefix: bool


def query_terms(query: str) -> list[QueryTerm]:
    """Cut a query into terms that must all match.

    A run of two or more Han characters is a phrase of its bigrams (``黑暗森林`` →
    ``黑暗 暗森 森林``); a single Han character, and any other word, is a prefix (a Latin word
    also matches pinyin and initials: ``santi``, ``st``, ``liucixin``). Pinyin typed with
    spaces (``san ti``) is joined into one word first.

    Examples
    --------
    >>> query_terms("三體 黑暗")
    [QueryTerm(tokens=('三体',), prefix=False), QueryTerm(tokens=('黑暗',), prefix=False)]
    """
    runs = _runs(normalize_text(query))
    if len(runs) > 1 and all(len(r) == 1 and _SYLLABLE_RE.match(r[0]) for r in runs):
        # "san ti" / "liu ci xin" / "l c x": syllables typed apart are one pinyin word to us.
        runs = [["".join(r[0] for r in runs)]]
    terms: list[QueryTerm] = []
    for run in runs:
        if len(run) == 1:
            terms.append(QueryTerm((run[0],), prefix=True))
        else:
            bigrams = tuple(a + b for a, b in pairwise(run))
            terms.append(QueryTerm(bigrams, prefix=False))
    return terms


_CALL_RE = re.compile(r"[^0-9a-z]")


def call_number_key(call_number: str) -> str:
    """A call number (中图分类号) reduced to lower-case letters and digits for prefix search.

    CLC numbers are hierarchical, so a class matches everything under it:
    ``I247`` is a prefix of ``I247.5`` (``i2475``).

    Examples
    --------
    >>> call_number_key("I247.5/1234")
    'i24751234'
    """
    return _CALL_RE.sub("", normalize_text(call_number))


_ISBN_RE = re.compile(r"^(?:isbn)?:?((?:97[89])?\d{9}[\dx])$")


def isbn_query(query: str) -> str | None:
    """The digits of a query that looks like an ISBN (10 or 13 characters), else ``None``.

    Hyphens, spaces and an ``ISBN`` prefix are ignored; the check digit is not checked here.

    Examples
    --------
    >>> isbn_query("978-7-5366-9293-0")
    '9787536692930'
    >>> isbn_query("三体") is None
    True
    """
    # Digits of any script: NFKC folds full-width ones, not Arabic-Indic or Devanagari.
    compact = re.sub(r"[\s\-]", "", ascii_digits(normalize_text(query)))
    match = _ISBN_RE.match(compact)
    return match.group(1).upper() if match else None
