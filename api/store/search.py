"""Full-text search over actors, claims and sources, in English and Arabic.

Each searchable field is one entry: its original text for display, and its normalized, stemmed
tokens (api/store/text.py) in `body`, indexed by FTS5 on SQLite and by a tsvector GIN index on
PostgreSQL. A query is normalized the same way, and every one of its terms must match (as a word
or a word's beginning).

Results are ranked by `rank`, a function of the entry's own words and the query alone: BM25's term
saturation and length normalization with every term weighted alike and a fixed reference length, in place
of weights drawn from the whole collection (bm25 and ts_rank's IDF and average length). So an entry's rank
never moves when other records are written, and a page of results can resume after the last rank served
(api/services/search.py); per term it is a fixed impact of that entry, which an impact-ordered index can
store to find the top hits without scoring every match.
"""

from __future__ import annotations

from api.store.text import normalize_with_map, query_terms, stem, tokens

SNIPPET_CONTEXT = 60
# BM25's usual constants; REFERENCE_WORDS stands for the collection's average field length (about 18 words
# in the curated dataset), fixed so that a rank depends on nothing but its entry and the query.
K1, B, REFERENCE_WORDS = 1.2, 0.75, 18
PREFIX_MATCH = 0.5  # a word that only begins with the term counts half as much as the word itself
RANK_SCALE = 1_000_000  # ranks are integers, in millionths, so that they compare exactly wherever they are computed


def fts_query(terms: list[str]) -> str:
    """An FTS5 query: every term, each as a word prefix."""
    return " AND ".join('"' + t.replace('"', '""') + '"*' for t in terms)


def tsquery(terms: list[str]) -> str:
    """A PostgreSQL tsquery: every term, each as a word prefix. Terms are \\w+ tokens, so they need no quoting
    beyond what to_tsquery does with its argument."""
    return " & ".join(f"{t}:*" for t in terms)


def rank(text: str, terms: list[str]) -> int:
    """How well a field's text matches the query terms, in millionths (higher is better).

    For each term, its frequency f in the text (a word equal to the term, or whose stem is, counts 1; one
    that only begins with it counts PREFIX_MATCH) gives f * (K1 + 1) / (f + K1 * (1 - B + B * words /
    REFERENCE_WORDS)); the rank is the sum over the terms. It depends only on the text and the terms.
    """
    words = [(word, stem(word)) for word in tokens(text)]
    norm = K1 * (1 - B + B * len(words) / REFERENCE_WORDS)
    total = 0.0
    for term in terms:
        f = sum(1.0 if term in (word, stemmed) else PREFIX_MATCH if word.startswith(term) or stemmed.startswith(term) else 0.0
                for word, stemmed in words)
        total += f * (K1 + 1) / (f + norm)
    return round(total * RANK_SCALE)


def snippet(text: str, terms: list[str]) -> str:
    """A window of the original text around the first matching term."""
    normalized, index = normalize_with_map(text)
    hits = [normalized.find(t) for t in terms]
    hits = [h for h in hits if h >= 0]
    if not hits or len(text) <= 2 * SNIPPET_CONTEXT:
        return text if len(text) <= 2 * SNIPPET_CONTEXT else text[: 2 * SNIPPET_CONTEXT] + "…"
    at = index[min(hits)]
    start = max(0, at - SNIPPET_CONTEXT)
    end = min(len(text), at + SNIPPET_CONTEXT)
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")


__all__ = ["RANK_SCALE", "fts_query", "query_terms", "rank", "snippet", "tsquery"]
