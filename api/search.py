"""Full-text search over actors, claims and sources, in English and Arabic (SQLite FTS5).

Each searchable field is one entry: its original text for display, and its normalized, stemmed
tokens (api/text.py) in the FTS index. A query is normalized the same way, and every one of its
terms must match (as a word or a word's beginning).
"""

from __future__ import annotations

import sqlite3

from api.loader import Dataset
from api.text import index_text, normalize_with_map, query_terms

SNIPPET_CONTEXT = 60


def _entries(ds: Dataset) -> list[tuple[str, str, str, str, str, str]]:
    """(kind, id, label, field, lang, text) for every searchable field."""
    out: list[tuple[str, str, str, str, str, str]] = []
    for a in ds.actors.values():
        for value, lang in ds.names_of(a.id):
            out.append(("actor", a.id, a.name, "name", lang, value))
        out.append(("actor", a.id, a.name, "description", "en", a.description))
    for c in ds.claims.values():
        out.append(("claim", c.id, c.statement, "statement", "en", c.statement))
        for ev in c.evidence:
            out.append(("claim", c.id, c.statement, "quote", ds.anchor(ev).language, ev.quote))
            if ev.translation:
                out.append(("claim", c.id, c.statement, "translation", "en", ev.translation))
    for s in ds.sources.values():
        out.append(("source", s.id, s.title, "title", "en", s.title))
        if s.id in ds.texts:
            out.append(("source", s.id, s.title, "text", s.language, ds.texts[s.id]))
    return out


def create_search_index(conn: sqlite3.Connection, ds: Dataset) -> None:
    conn.execute(
        "CREATE TABLE search_entry (rowid INTEGER PRIMARY KEY, kind TEXT NOT NULL, ref_id TEXT NOT NULL,"
        " label TEXT NOT NULL, field TEXT NOT NULL, lang TEXT NOT NULL, original TEXT NOT NULL)"
    )
    conn.execute("CREATE VIRTUAL TABLE search_fts USING fts5(body, tokenize='unicode61 remove_diacritics 2')")
    for rowid, (kind, ref_id, label, fld, lang, text) in enumerate(_entries(ds), start=1):
        conn.execute(
            "INSERT INTO search_entry (rowid, kind, ref_id, label, field, lang, original) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (rowid, kind, ref_id, label, fld, lang, text),
        )
        conn.execute("INSERT INTO search_fts (rowid, body) VALUES (?, ?)", (rowid, index_text(text)))


def fts_query(terms: list[str]) -> str:
    return " AND ".join('"' + t.replace('"', '""') + '"*' for t in terms)


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


__all__ = ["create_search_index", "fts_query", "query_terms", "snippet"]
