"""Full-text search over actors, claims and sources, in English and Arabic.

Each searchable field is one entry: its original text for display, and its normalized, stemmed
tokens (api/store/text.py) in `body`, indexed by FTS5 on SQLite and by a tsvector GIN index on
PostgreSQL. A query is normalized the same way, and every one of its terms must match (as a word
or a word's beginning).
"""

from __future__ import annotations

from api.store.text import normalize_with_map, query_terms

SNIPPET_CONTEXT = 60


def fts_query(terms: list[str]) -> str:
    """An FTS5 query: every term, each as a word prefix."""
    return " AND ".join('"' + t.replace('"', '""') + '"*' for t in terms)


def tsquery(terms: list[str]) -> str:
    """A PostgreSQL tsquery: every term, each as a word prefix. Terms are \\w+ tokens, so they need no quoting
    beyond what to_tsquery does with its argument."""
    return " & ".join(f"{t}:*" for t in terms)


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


__all__ = ["fts_query", "query_terms", "snippet", "tsquery"]
