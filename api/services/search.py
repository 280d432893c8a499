"""Search across actors, claims and sources, a page at a time in a stable order.

A hit is a record; its rank is the best rank (api/store/search.py) among its matching fields, a
function of those fields and the query alone, so it does not move when other records are written.
Hits come in order of rank (highest first), then kind and id; a page resumes after the last hit
served, so paging while records are added or deleted never shows a hit twice and never skips one
that was there throughout (a record whose own text changes between two pages may move).
"""

from __future__ import annotations

import json
from enum import StrEnum

from api.errors import InvalidParameter
from api.services.common import INT64, TEXT, Cursor, KeyPart, Page
from api.store.db import Store
from api.store.search import RANK_SCALE, fts_query, query_terms, rank, snippet, tsquery


class SearchKind(StrEnum):
    ACTOR = "actor"
    CLAIM = "claim"
    SOURCE = "source"


# A search cursor's key: the last hit's rank, kind and id.
SEARCH_KEY = (INT64, KeyPart(str, "one of actor, claim, source", choices=frozenset(SearchKind)), TEXT)


def search(store: Store, *, q: str, kind: SearchKind | None, limit: int, cursor: str | None) -> Page:
    """One page of the records matching every word of `q` (as a word or a word's beginning), best first.

    Raises InvalidParameter (422) when `q` has no searchable words, BadRequest (400) for a cursor not
    issued for this query (see Cursor).
    """
    terms = query_terms(q)
    if not terms:
        raise InvalidParameter(
            f"Query parameter 'q': '{q}' has no searchable words.",
            errors=[{"loc": ["query", "q"], "msg": "no searchable words", "type": "value_error"}],
        )
    scope_id = Cursor.scope({"q": terms, "kind": kind, "view": "search"})
    after = Cursor.decode(store, cursor, scope_id, SEARCH_KEY)
    if store.sqlite:
        sql = (
            "SELECT e.kind, e.ref_id, e.label, e.field, e.lang, e.original"
            " FROM search_fts JOIN search_entry e ON e.id = search_fts.rowid WHERE search_fts MATCH ?"
        )
        params: list[object] = [fts_query(terms)]
    else:
        sql = (
            "SELECT e.kind, e.ref_id, e.label, e.field, e.lang, e.original"
            " FROM search_entry e WHERE to_tsvector('simple', e.body) @@ to_tsquery('simple', ?)"
        )
        params = [tsquery(terms)]
    if kind is not None:
        sql += " AND e.kind = ?"
        params.append(kind.value)
    sql += " ORDER BY e.id"  # a record's first field wins a tie between its fields
    best: dict[tuple[str, str], tuple[int, tuple[object, ...]]] = {}
    for row in store.all(sql, params):
        score = rank(str(row[5]), terms)
        held = best.get((row[0], row[1]))
        if held is None or score > held[0]:
            best[(row[0], row[1])] = (score, row)
    # Highest rank first, then kind and id: the order the cursor's key resumes in.
    ordered = sorted(((-score, str(row[0]), str(row[1])), row) for score, row in best.values())
    if after is not None:
        last = (-after[0], after[1], after[2])
        ordered = [hit for hit in ordered if hit[0] > last]
    window = ordered[:limit]
    items = [
        json.dumps(
            {"kind": r[0], "id": r[1], "label": r[2], "field": r[3], "language": r[4],
             "snippet": snippet(str(r[5]), terms), "score": -position[0] / RANK_SCALE},
            ensure_ascii=False, separators=(",", ":"),
        ).encode()
        for position, r in window
    ]
    next_cursor = None
    if len(ordered) > limit:
        (negated, last_kind, last_id), _ = window[-1]
        next_cursor = Cursor.encode(store, [-negated, last_kind, last_id], scope_id)
    return Page(items=items, next_cursor=next_cursor)
