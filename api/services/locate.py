"""Quotes located by the server: a client sends the words, the server finds where they are.

A quote is found in its source text the way a reader would find it: white space of any kind and length
matches any other (a quote typed on one line finds words the text breaks over two: `"rockets for"`
finds `"rockets\\nfor"`), and text is compared after Unicode compatibility normalisation (NFKC, which
includes NFC: a precomposed `é` finds `e` + U+0301, `ﬁ` finds `fi`, an Arabic presentation form finds
the letter). What is stored is always the exact slice of the text, `text[start:end]`, offsets in Unicode
code points, with up to `CONTEXT_CHARS` code points before and after as `prefix` and `suffix` (W3C Web
Annotation TextPositionSelector and TextQuoteSelector).

A quote found once is located. Found several times, `occurrence` (1-based, in text order) or `start`
(the code-point offset where the wanted one begins) picks one; without either, the answer lists every
place. Found nowhere, the answer gives the closest passage (best partial alignment, RapidFuzz) and its
offsets. Both are 422 issues (`quote_ambiguous`, `quote_not_found`, `no_such_occurrence`), named by
whoever asks (a write names the evidence item, `locate` the query parameter).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from api.dataset.graph import CONTEXT_CHARS
from api.errors import Gone, InvalidParameter, NotFound
from api.store.db import Store

MAX_LISTED = 20
"""At most this many places are listed for a quote found more often (the count says how many)."""


@dataclass(frozen=True)
class Passage:
    """A slice of a text: `quote == text[start:end]`, offsets in code points."""

    start: int
    end: int
    quote: str
    prefix: str
    suffix: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Passage:
        return cls(start, end, text[start:end], text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS])

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "quote": self.quote, "prefix": self.prefix, "suffix": self.suffix}


class NotLocated(Exception):
    """The quote is not found once (or not at the place asked for): `issue` says why, for a 422's `errors`."""

    def __init__(self, msg: str, type_: str, **extra: Any) -> None:
        super().__init__(msg)
        self.msg = msg
        self.type = type_
        self.extra = extra

    def issue(self, loc: Iterable[str | int]) -> dict[str, Any]:
        return {"loc": list(loc), "msg": self.msg, "type": self.type, **self.extra}


def _clusters(text: str) -> Iterable[tuple[int, int]]:
    """(start, end) of each starter character with the combining marks after it: NFKC composes within one."""
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not unicodedata.combining(text[i]):
            yield start, i
            start = i


def fold(text: str) -> tuple[str, list[int], list[int]]:
    """The text as it is compared (NFKC, every run of white space one space), and for each of its characters the
    offsets in `text` of the characters it comes from: `starts[i]` to `ends[i]`."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for start, end in _clusters(text):
        piece = unicodedata.normalize("NFKC", text[start:end])
        if piece.isspace():
            if out and out[-1] == " ":
                ends[-1] = end
                continue
            piece = " "
        for ch in piece:
            out.append(ch)
            starts.append(start)
            ends.append(end)
    return "".join(out), starts, ends


def find_all(text: str, quote: str) -> list[Passage]:
    """Every place the quote is found in the text (overlapping ones too), in text order."""
    folded, starts, ends = fold(text)
    needle = fold(quote)[0].strip(" ")
    if not needle:
        return []
    found: list[Passage] = []
    at = folded.find(needle)
    while at >= 0:
        passage = Passage.of(text, starts[at], ends[at + len(needle) - 1])
        if not found or found[-1].start != passage.start:
            found.append(passage)
        at = folded.find(needle, at + 1)
    return found


def closest(text: str, quote: str) -> tuple[Passage, float] | None:
    """The passage of the text most like the quote (RapidFuzz's best partial alignment) and how alike, 0 to 100."""
    folded, starts, ends = fold(text)
    needle = fold(quote)[0].strip(" ")
    if not folded or not needle:
        return None
    if len(needle) >= len(folded):
        return Passage.of(text, 0, len(text)), float(fuzz.ratio(needle, folded))
    found = fuzz.partial_ratio_alignment(needle, folded)
    if found is None or found.dest_end <= found.dest_start:
        return None
    start, end = starts[found.dest_start], ends[found.dest_end - 1]
    # Whole words: an alignment may cut the first or last word of the passage it found.
    while 0 < start < end and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while start < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return Passage.of(text, start, end), round(float(found.score), 1)


def locate(text: str, quote: str, *, occurrence: int | None = None, start: int | None = None, source_id: str = "") -> Passage:
    """The one place of `quote` in `text`, picked by `occurrence` (1-based) or `start` when it is found more than
    once; NotLocated otherwise (not found: with the closest passage; several: with the places)."""
    where = f" in source '{source_id}'" if source_id else ""
    found = find_all(text, quote)
    if not found:
        near = closest(text, quote)
        if near is None:
            raise NotLocated(f"the quote is not found{where}", "quote_not_found")
        passage, score = near
        raise NotLocated(
            f"the quote is not found{where}; the closest passage is at {passage.start}-{passage.end} ({score:.0f}% alike):"
            f" {passage.quote!r}",
            "quote_not_found", closest=passage.as_dict(),
        )
    listed = [p.as_dict() for p in found[:MAX_LISTED]]
    if start is not None:
        picked = [p for p in found if p.start == start]
        if not picked:
            places = ", ".join(f"{p.start}-{p.end}" for p in found[:MAX_LISTED])
            raise NotLocated(f"the quote is found{where} at {places}, but none starts at {start}", "no_such_occurrence",
                             matches=listed, count=len(found))
        return picked[0]
    if occurrence is not None:
        if occurrence > len(found):
            raise NotLocated(f"the quote is found {len(found)} time(s){where}, so there is no occurrence {occurrence}",
                             "no_such_occurrence", matches=listed, count=len(found))
        return found[occurrence - 1]
    if len(found) > 1:
        places = ", ".join(f"{p.start}-{p.end}" for p in found[:MAX_LISTED])
        raise NotLocated(f"the quote is found {len(found)} times{where} (at {places}): say which with occurrence (1 to"
                         f" {len(found)}) or start", "quote_ambiguous", matches=listed, count=len(found))
    return found[0]


def locate_items(items: list[dict[str, Any]], text_of: Callable[[str], str | None], loc: tuple[str | int, ...],
                 issues: list[dict[str, Any]]) -> None:
    """Give offsets to every evidence item (request dicts, changed in place) that has none: its `quote` becomes the
    exact slice of its source's text, `start` and `end` its offsets, `occurrence` is dropped. An item with `start`
    and `end` is left to the exact check. Problems are appended to `issues`, each at `(*loc, i)`."""
    for i, item in enumerate(items):
        occurrence = item.pop("occurrence", None)
        if item.get("start") is not None and item.get("end") is not None:
            continue
        source_id = item.get("source")
        text = text_of(source_id) if isinstance(source_id, str) else None
        if text is None:
            issues.append({"loc": [*loc, i, "source"], "msg": f"the project holds no text for source '{source_id}' (or there is"
                           " no such source), so the quote cannot be located: give a held document", "type": "no_text"})
            continue
        try:
            passage = locate(text, str(item.get("quote", "")), occurrence=occurrence, start=item.get("start"), source_id=source_id or "")
        except NotLocated as exc:
            issues.append(exc.issue((*loc, i, "quote")))
            continue
        item.update(quote=passage.quote, start=passage.start, end=passage.end)


__all__ = ["MAX_LISTED", "NotLocated", "Passage", "closest", "find_all", "fold", "locate", "locate_in_source", "locate_items"]


def locate_in_source(store: Store, *, source_id: str, quote: str, occurrence: int | None, start: int | None) -> bytes:
    """`GET /v1/sources/{source_id}/locate`: the QuoteLocation as JSON; NotFound or Gone for the source,
    InvalidParameter (422) for a source without held text or a quote not found once."""
    row = store.one("SELECT text, deleted_at, revision FROM source WHERE id = ?", (source_id,))
    if row is None:
        raise NotFound(f"Source '{source_id}' does not exist.")
    if row[1] is not None:
        raise Gone(f"Source '{source_id}' was deleted (revision {row[2]}); its text can no longer be quoted.")
    text = row[0]
    if text is None:
        raise InvalidParameter(
            f"Source '{source_id}' is not a document the project holds: it has no text to locate a quote in.",
            errors=[{"loc": ["path", "source_id"], "msg": f"source '{source_id}' has no text", "type": "no_text"}],
        )
    try:
        passage = locate(text, quote, occurrence=occurrence, start=start, source_id=source_id)
    except NotLocated as exc:
        raise InvalidParameter(f"Query parameter 'quote': {exc.msg}.", errors=[exc.issue(("query", "quote"))]) from None
    found = find_all(text, quote)
    body = {"source_id": source_id, **passage.as_dict(), "occurrence": found.index(passage) + 1, "count": len(found)}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
