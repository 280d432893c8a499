"""Text normalization and the search tokenizer, one and the same for indexing and querying.

Folding (`normalize`), one character at a time:
- case folding (str.casefold) and Unicode compatibility decomposition (NFKD, the decomposition NFKC composes
  again; UAX #15), then every combining mark dropped: accents go ("Égypte" is "egypte"), Arabic presentation
  forms become their letters ("ﺍﻟﻘﺎﻫﺮﺓ" is "القاهرة"), full-width and superscript digits become digits, and
  hamza above or below a letter goes (أ إ آ are ا, ؤ is و, ئ is ي);
- Arabic tashkeel and tatweel dropped; ٱ to ا, ى to ي, ة to ه; the Persian and Urdu letters the Arabic texts
  are often typed with to theirs (ی to ي, ک to ك, ہ and ۃ to ه): so "السيسى" and "السيسي" are one word, and so
  are "روسیا" and "روسيا";
- every decimal digit (Unicode category Nd: Arabic-Indic ٠-٩, Persian ۰-۹, ...) to its ASCII digit, by its
  Unicode decimal value.
Folding maps each character on its own, so it runs over a whole string at C speed, and a prefix of a text folds
to a prefix of the folded text: `original_offset` finds the character a folded position came from by folding
prefixes, never building a per-character map of the whole text.

Words (`tokens`) are the folded text's runs of word characters (\\w+), with numbers read as numbers where a word
may begin (not inside one: "mig29" is one word):
- digits grouped by threes with a comma, a space or the Arabic thousands separator (٬) are one number:
  "40,000", "40 000" and "٤٠٬٠٠٠" are the word "40000"; leading zeros are dropped ("03" is "3");
- a number below 1,000 followed by a scale word (thousand, million, billion; ألف, آلاف, مليون, ملايين, مليار,
  مليارات) is multiplied out: "40 ألف" is "40000", "$3.5 billion" is "3500000000";
- a one- or two-letter Arabic prefix written onto a number (و ب ل ف ك: "بـ40", "و2023") and the year letter
  written after one ("2023م", "1445هـ") are not words of their own: "بـ40 ألف" is the word "40000".
A word in Arabic letters also stands for its stem (`stem`: one article or one-letter prefix stripped), so that
"بالقاهرة" finds "القاهرة".

Synonyms (`Synonyms`, the declared table in data/synonyms.yaml, schemas/synonyms.py): a query word in a group
matches any member of the group (api/services/search.py expands it); a member of several words is a phrase,
which the index holds as one word (its words joined by a space) wherever the text has them in that order, and
which a query's words in that order stand for.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from schemas.synonyms import SYNONYMS_FILE, SynonymsFile

# Folded after NFKD, where hamza forms are already their bare letters; no letter maps to one mapped in turn.
_ARABIC_PAIRS = (("ٱ", "ا"), ("ى", "ي"), ("ة", "ه"), ("ی", "ي"), ("ک", "ك"), ("ہ", "ه"), ("ۃ", "ه"))
_ARABIC_FOLD = str.maketrans(dict(_ARABIC_PAIRS))
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_DROP = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_TOKEN = re.compile(r"\w+")
_OTHER_DIGIT = re.compile(r"[^\D0-9]")  # a decimal digit (Nd) other than 0-9
_ASCII_DIGIT = re.compile("[0-9]")
_ARABIC_PREFIXES = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال", "و", "ب", "ل", "ف", "ك")
_ARABIC_LETTERS = re.compile("[\u0600-\u06ff]")
_ARABIC_WORD = re.compile("[\u0600-\u06ff]+")
SCALES = {"thousand": 3, "thousands": 3, "million": 6, "millions": 6, "billion": 9, "billions": 9,
          "الف": 3, "الاف": 3, "مليون": 6, "ملايين": 6, "مليار": 9, "مليارات": 9}  # folded
# A number where a word may begin: an Arabic prefix written onto it ("بـ40": the tatweel is folded away), the
# number (grouped by threes; or below 1,000 with a fraction and a scale word; or plain digits), and a year letter
# written after it ("2023م", "1445هـ"). Replaced by its value as a word of its own (`_number`).
_NUMBER = re.compile(
    r"(?=[0-9وبلفك])"  # fails at once where no number can begin: half the cost of trying the lookbehind everywhere
    r"(?<![\w.,\u066b\u066c])(?:[وبلفك]{1,2}(?=[0-9]))?(?:"
    r"(?P<grouped>[0-9]{1,3}(?:[, \u066c][0-9]{3})+)(?![0-9])"
    r"|(?P<small>[0-9]{1,3})(?:[.\u066b](?P<fraction>[0-9]+))?\s*(?P<scale>" + "|".join(sorted(SCALES, key=len, reverse=True)) + r")(?!\w)"
    r"|(?P<digits>[0-9]+))(?:[مه](?!\w))?"
)


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


def _ascii_digits(text: str) -> str:
    return _OTHER_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), text)


def _fold_char(ch: str) -> str:
    """One character folded (the reference definition that `normalize` computes a string at a time)."""
    decomposed = unicodedata.normalize("NFKD", ch.casefold()).casefold()
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _ascii_digits(_DROP.sub("", kept).translate(_ARABIC_FOLD))


def normalize(text: str) -> str:
    """`text` folded: each character as `_fold_char` folds it, concatenated (combining marks that
    decomposition reorders are all removed, so folding the whole string gives the same result)."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    folded = unicodedata.normalize("NFKD", folded).casefold()
    folded = _COMBINING.sub("", folded)
    if _ASTRAL.search(folded):  # combining marks beyond the BMP are rare: filtered one by one
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = _DROP.sub("", folded)
    for letter, bare in _ARABIC_PAIRS:  # str.replace runs at C speed; translate with a table looks up every character
        if letter in folded:
            folded = folded.replace(letter, bare)
    if _OTHER_DIGIT.search(folded):
        folded = _ascii_digits(folded)
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


def _digits(run: str) -> str:
    """A run of ASCII digits as a number's word: without leading zeros (a string operation: Python's int() refuses
    runs of more than 4,300 digits)."""
    return run.lstrip("0") or "0"


def _scaled(small: str, fraction: str, zeros: int) -> str:
    """small.fraction * 10**zeros written out: "3", "5", 9 -> "3500000000"."""
    if len(fraction) <= zeros:
        return _digits(small + fraction + "0" * (zeros - len(fraction)))
    rest = fraction[zeros:].rstrip("0")
    whole = _digits(small + fraction[:zeros])
    return f"{whole}.{rest}" if rest else whole


def _number(match: re.Match[str]) -> str:
    grouped, digits = match.group("grouped"), match.group("digits")
    if digits is not None:
        word = _digits(digits)
    elif grouped is not None:
        word = _digits(re.sub("[^0-9]", "", grouped))
    else:
        word = _scaled(match.group("small"), match.group("fraction") or "", SCALES[match.group("scale")])
    return f" {word} "


MAX_WORD = 100
"""A word is at most this many code points; a longer run of letters is cut to its first 100, in the index and in
queries alike, so that it still finds itself. Stored words are keys of a B-tree (`search_word.word`), and
PostgreSQL refuses an index row over 2,704 bytes (a run of about 2,700 Latin letters was a write that could never
succeed); no word of any language comes near 100."""


def fold_words(folded: str) -> list[str]:
    """The words of a folded text (`normalize`'s output), in order: maximal runs of word characters (\\w+), with
    numbers read as the module's docstring says, each cut to `MAX_WORD` code points."""
    if _ASCII_DIGIT.search(folded):
        folded = _NUMBER.sub(_number, folded)
    return [w if len(w) <= MAX_WORD else w[:MAX_WORD] for w in _TOKEN.findall(folded)]


def tokens(text: str) -> list[str]:
    """The words of `text` once folded (`fold_words`)."""
    return fold_words(normalize(text))


# -- synonyms


@dataclass(frozen=True)
class Synonyms:
    """The synonym table as search uses it: each member as a search word (a single word stemmed, a phrase's words
    joined by a space), the group of each, and the phrases by their first word."""

    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # member word -> its group's member words
    phrases: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)  # first word -> phrases, longest first

    @classmethod
    def of(cls, groups: Iterable[Sequence[str]]) -> Synonyms:
        """The table from groups of members as typed. Members that fold to the same word join their groups into one
        (schemas/synonyms.py refuses a member written the same in two groups; folding may still meet, e.g. two
        spellings of one Arabic word); a member with no searchable words is left out."""
        merged: list[list[str]] = []
        phrases: dict[str, set[tuple[str, ...]]] = {}
        for group in groups:
            words: list[str] = []
            for member in group:
                toks = tokens(member)
                if not toks:
                    continue
                words.append(stem(toks[0]) if len(toks) == 1 else " ".join(toks))
                if len(toks) > 1:
                    phrases.setdefault(toks[0], set()).add(tuple(toks))
            meeting = [g for g in merged if not set(g).isdisjoint(words)]
            joined = list(dict.fromkeys([*(w for g in meeting for w in g), *words]))
            merged = [g for g in merged if g not in meeting] + [joined]
        members = {word: tuple(group) for group in merged for word in group}
        return cls(members, {first: tuple(sorted(p, key=len, reverse=True)) for first, p in phrases.items()})

    def of_term(self, term: str) -> tuple[str, ...]:
        """The words a query term matches through the table: its group's members (itself first), or itself."""
        group = self.groups.get(term)
        if group is None:
            return (term,)
        return (term, *(w for w in group if w != term))

    def phrase_at(self, words: Sequence[str], at: int) -> tuple[str, ...] | None:
        """The longest phrase of the table that `words` has at position `at` (its words as written, folded)."""
        for phrase in self.phrases.get(words[at], ()):
            if tuple(words[at : at + len(phrase)]) == phrase:
                return phrase
        return None

    def phrase_words(self, words: Sequence[str]) -> list[str]:
        """The table's phrases found in `words`, each as its search word, once per occurrence."""
        if not self.phrases or self.phrases.keys().isdisjoint(words):  # the common case, at C speed
            return []
        found = []
        for at, word in enumerate(words):
            if word in self.phrases:
                phrase = self.phrase_at(words, at)
                if phrase is not None:
                    found.append(" ".join(phrase))
        return found


_synonyms: Synonyms | None = None
_synonyms_lock = threading.Lock()


def load_synonyms(path: Path) -> Synonyms:
    """The table in a synonyms file (schemas/synonyms.py); an empty one when the file does not exist.
    Raises pydantic's ValidationError or ValueError for an invalid file."""
    if not path.exists():
        return Synonyms()
    from api.dataset.loader import read_yaml  # the dataset's YAML reading, only when a table is loaded
    table = SynonymsFile.model_validate(read_yaml(path.read_text(encoding="utf-8")))
    return Synonyms.of(group.members for group in table.groups)


def synonyms() -> Synonyms:
    """The table search uses: data/synonyms.yaml of the configured data directory (CLAIMS_DATA_DIR), read once."""
    global _synonyms
    if _synonyms is None:
        with _synonyms_lock:
            if _synonyms is None:
                from api.config import get_settings

                _synonyms = load_synonyms(get_settings().data_dir / SYNONYMS_FILE)
    return _synonyms


def index_text(text: str) -> str:
    """Normalized words followed by their stems (those that differ from every word) and the table's phrases
    found in them, space-separated."""
    toks = tokens(text)
    stems = [s for s in (stem(t) for t in toks) if s not in toks]
    return " ".join(toks + stems + synonyms().phrase_words(toks))


def query_terms(query: str) -> list[str]:
    """A query's terms, in order, without repeats: its words folded and stemmed, and the words of a phrase of
    the synonym table as one term (the phrase)."""
    toks = tokens(query)
    table = synonyms()
    seen: list[str] = []
    at = 0
    while at < len(toks):
        phrase = table.phrase_at(toks, at) if table.phrases else None
        if phrase is not None:
            term = " ".join(phrase)
            at += len(phrase)
        else:
            term = stem(toks[at])
            at += 1
        if term not in seen:
            seen.append(term)
    return seen
