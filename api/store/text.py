"""Text normalization for search, shared by indexing and querying.

Arabic is folded the way readers expect search to fold it: diacritics (tashkeel) and tatweel
dropped, hamza/madda alef forms to bare alef, alef maqsura to ya, ta marbuta to ha; so "السيسى"
and "السيسي" are one word. Latin letters are case-folded and lose their accents. A light stemmer
strips the Arabic article and common one-letter prefixes so that "بالقاهرة" finds "القاهرة".
"""

from __future__ import annotations

import re
import unicodedata

_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_DROP = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_TOKEN = re.compile(r"\w+")
_ARABIC_PREFIXES = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال", "و", "ب", "ل", "ف", "ك")
_ARABIC_LETTERS = re.compile("[\u0600-\u06ff]")


def _fold_char(ch: str) -> str:
    if _DROP.match(ch):
        return ""
    ch = ch.translate(_ARABIC_FOLD)
    decomposed = unicodedata.normalize("NFKD", ch.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Normalized text, and for each of its characters the offset of the original character."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        out.append(folded)
        index.extend([i] * len(folded))
    return "".join(out), index


def normalize(text: str) -> str:
    return normalize_with_map(text)[0]


def stem(token: str) -> str:
    """Strip one Arabic prefix when at least three letters remain; other tokens are unchanged."""
    if not _ARABIC_LETTERS.match(token):
        return token
    for prefix in _ARABIC_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 3:
            return token[len(prefix) :]
    return token


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalize(text))


def index_text(text: str) -> str:
    """What the full-text index stores: normalized tokens followed by their stems."""
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
