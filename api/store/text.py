"""Text normalization for search, shared by indexing and querying.

Arabic is folded the way readers expect search to fold it: diacritics (tashkeel) and tatweel
dropped, hamza/madda alef forms to bare alef, alef maqsura to ya, ta marbuta to ha; so "السيسى"
and "السيسي" are one word. Latin letters are case-folded and lose their accents. A light stemmer
strips the Arabic article and common one-letter prefixes so that "بالقاهرة" finds "القاهرة".

Folding maps each character on its own (dropped, translated, case-folded, decomposed, combining marks
removed), so it runs over a whole string at C speed (`normalize`), and a prefix of a text folds to a
prefix of the folded text: `original_offset` finds the character a folded position came from by
folding prefixes, never building a per-character map of the whole text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ARABIC_PAIRS = (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ٱ", "ا"), ("ى", "ي"), ("ة", "ه"), ("ؤ", "و"), ("ئ", "ي"))
_ARABIC_FOLD = str.maketrans(dict(_ARABIC_PAIRS))  # no letter maps to one that is mapped in turn
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_DROP = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_TOKEN = re.compile(r"\w+")
_ARABIC_PREFIXES = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال", "و", "ب", "ل", "ف", "ك")
_ARABIC_LETTERS = re.compile("[\u0600-\u06ff]")


def _combining_class() -> re.Pattern[str]:
    """A character class of every combining character (canonical combining class > 0) in the BMP."""
    ranges: list[str] = []
    start = None
    for cp in range(0x10000):
        marked = unicodedata.combining(chr(cp)) != 0
        if marked and start is None:
            start = cp
        elif not marked and start is not None:
            ranges.append(f"\\u{start:04x}-\\u{cp - 1:04x}")
            start = None
    return re.compile("[" + "".join(ranges) + "]")


_COMBINING = _combining_class()


def _fold_char(ch: str) -> str:
    """One character folded (the reference definition that `normalize` computes a string at a time)."""
    if _DROP.match(ch):
        return ""
    ch = ch.translate(_ARABIC_FOLD)
    decomposed = unicodedata.normalize("NFKD", ch.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize(text: str) -> str:
    """`text` folded: each character as `_fold_char` folds it, concatenated (combining marks that
    decomposition reorders are all removed, so folding the whole string gives the same result)."""
    if text.isascii():
        return text.casefold()
    folded = _DROP.sub("", text)
    for letter, bare in _ARABIC_PAIRS:  # str.replace runs at C speed; translate with a table looks up every character
        if letter in folded:
            folded = folded.replace(letter, bare)
    folded = folded.casefold()
    if folded.isascii():
        return folded
    folded = _COMBINING.sub("", unicodedata.normalize("NFKD", folded))
    if _ASTRAL.search(folded):  # combining marks beyond the BMP are rare: filtered one by one
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    return folded


def original_offset(text: str, position: int) -> int:
    """The offset in `text` of the character whose folding gave `normalize(text)[position]`.

    A binary search over prefixes of `text` (about log2(len(text)) foldings of a prefix). `position`
    must be below len(normalize(text)); ValueError otherwise.
    """
    lo, hi = 0, len(text)  # the answer i is the least one with len(normalize(text[: i + 1])) > position
    if position < 0 or len(normalize(text)) <= position:
        raise ValueError(f"position {position} is outside the folded text")
    while lo < hi:
        mid = (lo + hi) // 2
        if len(normalize(text[: mid + 1])) > position:
            hi = mid
        else:
            lo = mid + 1
    return lo


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Normalized text, and for each of its characters the offset of the original character.

    Per character, so its cost is that of folding the whole text in Python: search uses `normalize`
    and `original_offset` instead."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        out.append(folded)
        index.extend([i] * len(folded))
    return "".join(out), index


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """Strip one Arabic prefix when at least three letters remain; other tokens are unchanged."""
    if not _ARABIC_LETTERS.match(token):
        return token
    for prefix in _ARABIC_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 3:
            return token[len(prefix) :]
    return token


def tokens(text: str) -> list[str]:
    """The words of `text` once folded: maximal runs of word characters (\\w+)."""
    return _TOKEN.findall(normalize(text))


def index_text(text: str) -> str:
    """Normalized tokens followed by their stems (those that differ from every token), space-separated."""
    toks = tokens(text)
    stems = [s for s in (stem(t) for t in toks) if s not in toks]
    return " ".join(toks + stems)


def query_terms(query: str) -> list[str]:
    """Normalized, stemmed query terms, in order, without repeats."""
    seen: list[str] = []
    for tok in tokens(query):
        term = stem(tok)
        if term not in seen:
            seen.append(term)
    return seen
