"""Search across actors, claims and sources."""

from __future__ import annotations

import json
from enum import StrEnum

from api.errors import InvalidParameter
from api.services.common import INT64, Cursor, Page
from api.store.db import Store
from api.store.search import fts_query, query_terms, snippet, tsquery


class SearchKind(StrEnum):
    ACTOR = "actor"
    CLAIM = "claim"
    SOURCE = "source"


def search(store: Store, *, q: str, kind: SearchKind | None, limit: int, cursor: str | None) -> Page:
    terms = query_terms(q)
    if not terms:
        raise InvalidParameter(
            f"Query parameter 'q': '{q}' has no searchable words.",
            errors=[{"loc": ["query", "q"], "msg": "no searchable words", "type": "value_error"}],
        )
    scope_id = Cursor.scope({"q": terms, "kind": kind})
    key = Cursor.decode(store, cursor, scope_id, [INT64])
    offset = key[0] if key is not None and key[0] >= 0 else 0
    if store.sqlite:
        sql = (
            "SELECT e.kind, e.ref_id, e.label, e.field, e.lang, e.original, -bm25(search_fts) AS score"
            " FROM search_fts JOIN search_entry e ON e.id = search_fts.rowid WHERE search_fts MATCH ?"
        )
        params: list[object] = [fts_query(terms)]
    else:
        sql = (
            "SELECT e.kind, e.ref_id, e.label, e.field, e.lang, e.original,"
            " ts_rank(to_tsvector('simple', e.body), q) AS score"
            " FROM search_entry e, to_tsquery('simple', ?) q WHERE to_tsvector('simple', e.body) @@ q"
        )
        params = [tsquery(terms)]
    if kind is not None:
        sql += " AND e.kind = ?"
        params.append(kind.value)
    sql += " ORDER BY score DESC, e.kind, e.ref_id"
    best: dict[tuple[str, str], tuple[object, ...]] = {}
    for row in store.all(sql, params):
        best.setdefault((row[0], row[1]), row)
    ranked = list(best.values())
    window = ranked[offset : offset + limit]
    items = [
        json.dumps(
            {"kind": r[0], "id": r[1], "label": r[2], "field": r[3], "language": r[4],
             "snippet": snippet(str(r[5]), terms), "score": round(float(r[6]), 6)},  # type: ignore[arg-type]
            ensure_ascii=False, separators=(",", ":"),
        ).encode()
        for r in window
    ]
    more = offset + limit < len(ranked)
    return Page(items=items, next_cursor=Cursor.encode(store, [offset + limit], scope_id) if more else None)
