"""Character encodings of catalogue files: a per-file guess with its evidence, strict decoding.

Library exports arrive in UTF-8, MARC-8 (MARC 21's own: ASCII, ANSEL diacritics, escape
sequences for CJK, Cyrillic, Hebrew, Arabic, Greek), GBK (Chinese systems, read as its
superset GB 18030), Windows-1251 (Russian systems) or Latin-1. Nothing in an ISO 2709 file
says which for certain (leader/09 only tells UTF-8 from "something else"), and every 8-bit
encoding decodes almost any bytes without an error. So :func:`detect_encoding` weighs
evidence for the whole file and says how sure it is:

1. Only ASCII bytes: every candidate reads the same.
2. MARC-8 escape sequences (``ESC $ 1``, ``ESC ( N`` ...) that MARC-8 decodes: MARC-8.
3. Valid UTF-8 with multi-byte characters (random 8-bit text almost never is): UTF-8,
   unless its text reads like mojibake (text decoded wrongly once, then saved as UTF-8).
4. Otherwise each 8-bit candidate that decodes every text is read, and the text is judged
   by :func:`plausibility`: words in one script (or Han with Latin, as in ``Python编程``),
   sane letter case, accented Latin letters among plain ones, common Han characters, no
   stray symbols inside words. Mojibake fails these: Windows-1251 read as Latin-1 gives
   words made only of accented letters, GBK read as Windows-1251 gives Cyrillic of random
   case, Latin-1 read as MARC-8 gives diacritics on spaces.

A text that does not decode in a candidate counts as plausibility 0 for it (its record is
skipped, naming the bytes, if that candidate is chosen). The guess is *certain* when the
best candidate reads well (>= 0.9) and clearly better than the next (by 0.25); otherwise it
is reported as uncertain with the alternatives.

Non-sorting markers
-------------------
Titles mark a leading article to be skipped in sorting (``<NSB>L'<NSE>altra faccia``).
Depending on format and encoding the markers are the bytes 0x88/0x89 (MARC-8, ISO 6630),
the C1 controls U+0098/U+009C (MARC 21 in Unicode) or U+0088/U+0089 (UNIMARC in Unicode),
or the escape pairs ``ESC H``/``ESC I`` (ISO 6429). :func:`decode_text` and
:func:`normalize_markers` turn every form into :data:`NSB` and :data:`NSE`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pymarc.marc8 import MARC8ToUnicode
from pymarc.marc8_mapping import CODESETS, ODD_MAP

__all__ = [
    "ENCODINGS",
    "NSB",
    "NSE",
    "DecodeError",
    "Encoding",
    "EncodingGuess",
    "check_asked_encoding",
    "decode_text",
    "detect_encoding",
    "normalize_markers",
    "plausibility",
]

Encoding = Literal["auto", "utf-8", "marc-8", "gbk", "cp1251", "latin-1"]
"""A file's character encoding as the caller names it; ``auto`` asks for a guess."""

ENCODINGS: tuple[str, ...] = ("utf-8", "marc-8", "gbk", "cp1251", "latin-1")
"""The encodings we read, in the order a tie is broken."""

NSB = "\u0098"
"""Non-sorting begin (MARC 21's Unicode form), the one form kept after decoding."""
NSE = "\u009c"
"""Non-sorting end."""

CERTAIN_SCORE = 0.9
"""A guess is certain only if its text reads at least this well ..."""
CERTAIN_MARGIN = 0.25
"""... and this much better than the next candidate's."""
UTF8_JUDGED = 2000
"""Texts of a valid UTF-8 file judged for mojibake (UTF-8 itself is checked on every text)."""

_PYTHON_CODEC = {"utf-8": "utf-8", "gbk": "gb18030", "cp1251": "cp1251", "latin-1": "latin-1"}
_MARKERS_RE = re.compile("\u0088|\u0098|\x1bH|\u0089|\u009c|\x1bI")
_MARKER_FORM = {
    "\u0088": NSB,
    "\u0098": NSB,
    "\x1bH": NSB,
    "\u0089": NSE,
    "\u009c": NSE,
    "\x1bI": NSE,
}
# MARC-8 designations of a graphic set: ESC ( , ) $ followed by a set's final byte, or the
# ESC g/b/p/s shortcuts. ESC H / ESC I (non-sorting markers) are not among them.
_MARC8_ESCAPE_RE = re.compile(rb"\x1b(?:[(,)\-]!?[1-4BENQS]|\$[,)\-]?1|[gbps])")
_MARKER_BYTES = {0x88: NSB, 0x98: NSB, 0x89: NSE, 0x9C: NSE}
_ANSEL = CODESETS[0x45]
_ODD = {code >> 16 for code in ODD_MAP}


class DecodeError(ValueError):
    """Bytes that are not text in the given encoding; the message names byte and offset."""


@dataclass(frozen=True, slots=True)
class EncodingGuess:
    """What a file's encoding was taken to be, and why.

    Attributes
    ----------
    encoding
        One of :data:`ENCODINGS`.
    certain
        ``False`` when the evidence is weak (see the module notes); asked-for encodings are
        certain.
    evidence
        Why, in English, e.g. ``"valid UTF-8, leader/09 = a"``.
    alternatives
        Other encodings that decode the file too, best first (only when uncertain).
    asked
        The caller named the encoding instead of asking for a guess.
    """

    encoding: str
    certain: bool
    evidence: str
    alternatives: tuple[str, ...] = ()
    asked: bool = False

    def __str__(self) -> str:
        if self.certain:
            return f"编码 encoding {self.encoding} ({self.evidence})"
        others = ", ".join(self.alternatives) or "none"
        return (
            f"编码不确定 / encoding uncertain: guessed {self.encoding} "
            f"(alternatives {others}); {self.evidence}"
        )


# --- decoding --------------------------------------------------------------------------


def normalize_markers(text: str) -> str:
    """Every form of the non-sorting markers as :data:`NSB` / :data:`NSE`."""
    if not _MARKERS_RE.search(text):
        return text
    return _MARKERS_RE.sub(lambda m: _MARKER_FORM[m.group()], text)


def _gbk_boundaries(raw: bytes) -> set[int]:
    """Offsets where a GB 18030 character starts (one, two or four bytes long)."""
    starts = set()
    i = 0
    while i < len(raw):
        starts.add(i)
        if raw[i] < 0x80:
            i += 1
        elif i + 1 < len(raw) and 0x30 <= raw[i + 1] <= 0x39:
            i += 4
        else:
            i += 2
    return starts


def _paired_marker_bytes(raw: bytes, encoding: str) -> dict[int, str]:
    """Offsets of the bytes 0x88/0x98 (begin) and 0x89/0x9C (end) that are markers.

    In Windows-1251 and GBK these bytes are also characters (``€``, ``‰``, ``њ``, the lead
    byte of a rare Han character), so they count as markers only in pairs, at character
    boundaries, around ASCII text: the ``L'`` of ``<NSB>L'<NSE>altra``.
    """
    if not any(b in raw for b in (b"\x88", b"\x98")):
        return {}
    starts = _gbk_boundaries(raw) if encoding == "gbk" else set(range(len(raw)))
    found: dict[int, str] = {}
    i = 0
    while i < len(raw):
        if raw[i] in (0x88, 0x98) and i in starts:
            end_byte = 0x89 if raw[i] == 0x88 else 0x9C
            j = i + 1
            while j < len(raw) and raw[j] < 0x80:
                j += 1
            if j < len(raw) and raw[j] == end_byte and j > i + 1:
                found[i], found[j] = NSB, NSE
                i = j
        i += 1
    return found


def _marc8_check(raw: bytes) -> None:
    """Refuse bytes that MARC-8 has no character for (pymarc would print a space for them)
    and diacritics with no letter after them (pymarc would drop them).

    Only text outside escape sequences is checked: there every byte >= 0x80 must be an
    ANSEL character (the default G1 set), and a diacritic comes before its letter.
    """
    if b"\x1b" in raw:
        return
    for offset, byte in enumerate(raw):
        if byte < 0x80:
            continue
        if byte not in _ANSEL and byte not in _ODD:
            raise DecodeError(f"byte 0x{byte:02X} at offset {offset} is not a MARC-8 character")
        if _ANSEL.get(byte, (0, 0))[1] and offset + 1 == len(raw):
            raise DecodeError(f"MARC-8 diacritic 0x{byte:02X} at offset {offset} has no letter")


def _decode_marc8(raw: bytes) -> str:
    _marc8_check(raw)
    # pymarc drops the C1 controls and reads ESC H as "H": cut the markers out first and
    # decode the pieces with one converter, so an escape's character set carries over.
    converter = MARC8ToUnicode(quiet=True)
    out: list[str] = []
    start = 0
    for match in re.finditer(rb"[\x88\x98]|\x1bH|[\x89\x9c]|\x1bI", raw):
        out.append(_marc8_piece(converter, raw[start : match.start()]))
        out.append(NSB if match.group() in (b"\x88", b"\x98", b"\x1bH") else NSE)
        start = match.end()
    out.append(_marc8_piece(converter, raw[start:]))
    return "".join(out)


def _marc8_piece(converter: MARC8ToUnicode, raw: bytes) -> str:
    try:
        return converter.translate(raw)
    except (IndexError, TypeError, KeyError) as exc:
        raise DecodeError(f"not MARC-8 ({type(exc).__name__})") from None


def _decode_utf8(raw: bytes) -> str:
    """UTF-8, where a lone byte 0x88/0x89/0x98/0x9C (never a character start in UTF-8) is
    a non-sorting marker written by a system that thinks in ISO 5426."""
    out: list[str] = []
    start = 0
    while True:
        try:
            out.append(raw[start:].decode("utf-8"))
            return "".join(out)
        except UnicodeDecodeError as exc:
            at = start + exc.start
            if raw[at] not in _MARKER_BYTES or exc.reason != "invalid start byte":
                bad = raw[at : start + exc.end]
                raise DecodeError(
                    f"bytes {bad.hex(' ').upper()} at offset {at} are not utf-8"
                ) from None
            out.append(raw[start:at].decode("utf-8"))
            out.append(_MARKER_BYTES[raw[at]])
            start = at + 1


def decode_text(raw: bytes, encoding: str) -> str:
    """Decode one field's or subfield's bytes strictly; markers become :data:`NSB`/:data:`NSE`.

    Parameters
    ----------
    raw
        The bytes, e.g. one subfield's value.
    encoding
        One of :data:`ENCODINGS`.

    Returns
    -------
    str
        The text, NFC-normalised.

    Raises
    ------
    DecodeError
        A byte sequence that the encoding has no character for; the message names the byte
        and its offset.
    """
    if encoding == "marc-8":
        text = _decode_marc8(raw)
    elif encoding == "utf-8":
        text = normalize_markers(_decode_utf8(raw))
    else:
        text = _decode_8bit(raw, encoding)
    return unicodedata.normalize("NFC", text)


def _decode_8bit(raw: bytes, encoding: str) -> str:
    """GBK, Windows-1251, Latin-1: markers only where they pair up (see
    :func:`_paired_marker_bytes`) or as ``ESC H``/``ESC I``; any other C1 byte stays what the
    encoding makes of it (in Latin-1 a control character, which is then judged as such)."""
    codec = _PYTHON_CODEC[encoding]
    markers = _paired_marker_bytes(raw, encoding)
    pieces: list[str] = []
    start = 0
    for offset in [*sorted(markers), len(raw)]:
        try:
            pieces.append(raw[start:offset].decode(codec))
        except UnicodeDecodeError as exc:
            at = start + exc.start
            bad = raw[at : start + exc.end]
            raise DecodeError(
                f"bytes {bad.hex(' ').upper()} at offset {at} are not {encoding}"
            ) from None
        if offset in markers:
            pieces.append(markers[offset])
        start = offset + 1
    return "".join(pieces).replace("\x1bH", NSB).replace("\x1bI", NSE)


# --- judging decoded text --------------------------------------------------------------

_SCRIPT_PREFIXES = (
    ("LATIN", "latin"),
    ("CYRILLIC", "cyrillic"),
    ("GREEK", "greek"),
    ("CJK UNIFIED", "han"),
    ("CJK COMPATIBILITY IDEOGRAPH", "han"),
    ("HIRAGANA", "kana"),
    ("KATAKANA", "kana"),
    ("HANGUL", "hangul"),
    ("ARABIC", "arabic"),
    ("HEBREW", "hebrew"),
)
_CASED = frozenset({"latin", "cyrillic", "greek"})
_TOKEN_RE = re.compile(r"[^\s!-/:-@\[-`{-~]+")
"""Tokens: runs of characters other than white space and ASCII punctuation."""


@lru_cache(maxsize=8192)
def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return next((script for prefix, script in _SCRIPT_PREFIXES if name.startswith(prefix)), "")


def _family(script: str) -> str:
    return "cjk" if script in ("han", "kana") else script


_COMMON_HAN = (("gb2312", 0xB0, 0xD7), ("big5", 0xA4, 0xC6), ("euc-jp", 0xB0, 0xCF))
"""Where a national standard keeps its everyday characters: GB 2312 level 1 (3755),
Big5's frequent characters (5401), JIS X 0208 level 1 (2965), by lead byte."""


@lru_cache(maxsize=8192)
def _han_score(ch: str) -> float:
    """How common a Han character is: 1.0 for an everyday character of Chinese (simplified
    or traditional) or Japanese, 0.6 for another character of those standards, else 0.2."""
    score = 0.2
    for codec, low, high in _COMMON_HAN:
        try:
            lead = ch.encode(codec)[0]
        except UnicodeEncodeError:
            continue
        if low <= lead <= high:
            return 1.0
        score = 0.6
    return score


def _is_cjk_neighbour(ch: str) -> bool:
    return bool(_family(_script(ch)) == "cjk" or "\u3000" <= ch <= "\u303f" or ch >= "\uff00")


def _token_is_broken(token: str) -> bool:
    """Whether a token's letters read like mojibake as a whole."""
    letters = [c for c in token if unicodedata.category(c)[0] == "L"]
    families = {_family(_script(c)) for c in letters} - {""}
    # One script per word, except Latin inside Chinese or Japanese text ("Python编程").
    if len(families) > 1 and families != {"latin", "cjk"}:
        return True
    cased = [c for c in letters if _script(c) in _CASED]
    # Real words are lower case, upper case or capitalised; random bytes read in a cased
    # script switch case inside the word ("ИэЛа", "ЖЅІДКАЅз").
    if len(cased) > 1 and not (
        all(c.islower() for c in cased[1:]) or all(c.isupper() for c in cased)
    ):
        return True
    latin = [c for c in letters if _script(c) == "latin"]
    accented = sum(not unicodedata.normalize("NFKC", c).isascii() for c in latin)
    # Words made only (or, when long, mostly) of accented letters are Cyrillic or Greek
    # read as Latin-1: "Ìèð" for "Мир".
    return (len(latin) >= 2 and accented == len(latin)) or (
        len(latin) >= 4 and accented > len(latin) / 2
    )


def _token_scores(token: str) -> list[float]:
    """One score (0-1) per non-ASCII character of a token."""
    broken = _token_is_broken(token)
    scores = []
    for i, ch in enumerate(token):
        if ch.isascii():
            continue
        category = unicodedata.category(ch)
        before = token[i - 1] if i else ""
        after = token[i + 1] if i + 1 < len(token) else ""
        if broken or category[0] == "C" or ch == "\ufffd":
            score = 0.0
        elif category[0] == "M":
            # A diacritic left over after NFC on a space, a symbol or another diacritic.
            score = 1.0 if before and unicodedata.category(before)[0] == "L" else 0.0
        elif category[0] == "L":
            score = _han_score(ch) if _script(ch) == "han" else 1.0
        elif (
            before.isalpha()
            and after.isalpha()
            and not (_is_cjk_neighbour(before) or _is_cjk_neighbour(after) or _is_cjk_neighbour(ch))
        ):
            # A symbol between two letters ("Ð¾Ñ") is a broken character; alone it is fine.
            score = 0.0
        else:
            score = 0.9
        scores.append(score)
    return scores


def plausibility(texts: Iterable[str]) -> tuple[float, int]:
    """How much decoded text reads like real text, judged on its non-ASCII characters.

    Parameters
    ----------
    texts
        Decoded texts (markers allowed; they are not judged).

    Returns
    -------
    tuple[float, int]
        The mean score (1.0 when there is nothing to judge) and the number of non-ASCII
        characters judged.
    """
    total = 0.0
    count = 0
    for text in texts:
        if text.isascii():
            continue
        for token in _TOKEN_RE.findall(text.replace(NSB, " ").replace(NSE, " ")):
            if token.isascii():
                continue
            scores = _token_scores(token)
            total += sum(scores)
            count += len(scores)
    return (total / count if count else 1.0), count


# --- the guess -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Reading:
    encoding: str
    texts: int
    failures: int
    first_failure: str
    score: float

    @property
    def value(self) -> float:
        """Plausibility of what decodes, counting texts that do not decode as 0."""
        return self.score * (1 - self.failures / self.texts) if self.texts else self.score

    def __str__(self) -> str:
        failing = f" ({self.failures} of {self.texts} texts fail)" if self.failures else ""
        return f"{self.encoding} {self.value:.2f}{failing}"


def _reading(texts: Sequence[bytes], encoding: str, *, judge: bool = True) -> _Reading:
    decoded: list[str] = []
    failures = 0
    first = ""
    for raw in texts:
        try:
            decoded.append(decode_text(raw, encoding))
        except DecodeError as exc:
            failures += 1
            first = first or str(exc)
    score, _count = plausibility(decoded) if judge else (1.0, 0)
    return _Reading(encoding, len(texts), failures, first, score)


def detect_encoding(
    texts: Sequence[bytes],
    *,
    candidates: Sequence[str] = ENCODINGS,
    declared_utf8: bool | None = None,
) -> EncodingGuess:
    """Guess the encoding of a file from its texts (e.g. every subfield value).

    Parameters
    ----------
    texts
        The file's text pieces, each decodable on its own (MARC-8 escapes reset per piece).
    candidates
        Encodings to consider (CSV files: no MARC-8).
    declared_utf8
        What the file says, if anything: ``True`` when most records have leader/09 = ``a``.

    Returns
    -------
    EncodingGuess
        The best candidate, whether it is certain, the evidence and the alternatives.
    """
    marked = [raw for raw in texts if not raw.isascii() or b"\x1b" in raw]
    said = ", leader/09 = a" if declared_utf8 else ""
    if not any(not raw.isascii() for raw in marked) and not any(
        _MARC8_ESCAPE_RE.search(raw) for raw in marked
    ):
        return EncodingGuess("utf-8", True, "ASCII only")
    if "marc-8" in candidates and any(_MARC8_ESCAPE_RE.search(raw) for raw in marked):
        reading = _reading(marked, "marc-8", judge=False)
        if not reading.failures:
            return EncodingGuess("marc-8", True, "MARC-8 escape sequences")
    if "utf-8" in candidates:
        reading = _reading(marked, "utf-8", judge=False)
        if not reading.failures:
            # Valid UTF-8 can still be mojibake: text decoded wrongly once and saved as UTF-8
            # ("Ã©" for "é"). A sample is judged; the whole file was checked for validity.
            judged = _reading(marked[:UTF8_JUDGED], "utf-8")
            if judged.score < CERTAIN_SCORE:
                return EncodingGuess(
                    "utf-8",
                    False,
                    f"valid UTF-8 that reads {judged.score:.2f}: text encoded twice?{said}",
                )
            return EncodingGuess("utf-8", True, "valid UTF-8" + said)
        if declared_utf8:
            said = f", leader/09 = a but not UTF-8: {reading.first_failure}"
    readings = [_reading(marked, e) for e in candidates if e != "utf-8"]
    readings = [r for r in readings if r.failures < r.texts]
    if not readings:
        return EncodingGuess("utf-8", False, f"no encoding decodes any text{said}")
    readings.sort(key=lambda r: (-r.value, ENCODINGS.index(r.encoding)))
    best, others = readings[0], readings[1:]
    runner_up = others[0].value if others else 0.0
    evidence = "reads as " + ", ".join(map(str, readings)) + said
    # Texts that do not decode in the best reading count as 0 in its value (so at most one
    # in ten may fail for a certain guess); their records are skipped one by one.
    certain = best.value >= CERTAIN_SCORE and best.value - runner_up >= CERTAIN_MARGIN
    alternatives = () if certain else tuple(r.encoding for r in others)
    return EncodingGuess(best.encoding, certain, evidence, alternatives)


def check_asked_encoding(
    texts: Sequence[bytes], encoding: str, *, candidates: Sequence[str] = ENCODINGS
) -> str:
    """A warning when the encoding a caller named reads clearly worse than another one.

    Parameters
    ----------
    texts
        The file's text pieces, as for :func:`detect_encoding`.
    encoding
        The encoding the caller asked for.
    candidates
        The encodings it is compared with.

    Returns
    -------
    str
        ``""`` when the asked-for encoding reads as well as any; else why it seems wrong.
    """
    marked = [raw for raw in texts if not raw.isascii()]
    if not marked:
        return ""
    asked = _reading(marked, encoding)
    guess = detect_encoding(texts, candidates=candidates)
    if guess.encoding == encoding or not guess.certain:
        return ""
    best = _reading(marked, guess.encoding)
    if best.value - asked.value >= CERTAIN_MARGIN:
        return f"asked for {asked}, but the file reads as {best}"
    return ""
