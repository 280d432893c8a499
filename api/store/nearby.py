"""Candidates for "did you mean": a few existing ids near an unknown one, found through indexes only.

An error about an unknown id names the closest existing ids (api/dataset/checks.py `closest_ids`). Reading every
id of a table for that would make each such error cost what the table holds (a million claims: a full scan and
a million string comparisons, from one bad query parameter). A table of up to `SMALL` live records is read whole
(one bounded query: every id is a candidate, as in the curated dataset's checks); past that, the candidates come
from index ranges with a LIMIT, and their number does not depend on the table's size:

- ids that begin with the unknown id's first three characters (`kremlim` finds `kremlin-...`);
- the ids just before and just after it in id order (a typo near the end);
- for actors, sources and claims, the records the search index ranks first for each word of the id
  (`kremlin` finds `the-kremlin`, whose name holds the word), through the same folding as search.

`rows(sql, params)` runs one statement with `?` placeholders and gives its rows: `Store.all` on the read path,
`connection_rows(conn)` on the write path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection

from api.store.search import KIND_CODES
from api.store.text import query_terms

Rows = Callable[[str, Sequence[Any]], Iterable[Sequence[Any]]]
SMALL = 5000
PREFIX = 3
PER_RANGE = 200
PER_SIDE = 10
PER_WORD = 20
MAX_WORDS = 4


def connection_rows(conn: Connection) -> Rows:
    """`rows` over a SQLAlchemy connection, with `?` placeholders on both backends."""
    postgres = conn.dialect.name == "postgresql"

    def run(sql: str, params: Sequence[Any]) -> Iterable[Sequence[Any]]:
        statement = sql.replace("%", "%%").replace("?", "%s") if postgres else sql
        return conn.exec_driver_sql(statement, tuple(params)).all()

    return run


def nearby_ids(rows: Rows, table: str, value: str) -> list[str]:
    """Live ids of `table` (a resource table) that may be what `value` meant: all of them when there are at most
    `SMALL`, else at most 200 + 2 × 10 + 4 × 20, each found by an index range (the primary key; the search index's
    postings by word and impact)."""
    live = "deleted_at IS NULL"
    every = [r[0] for r in rows(f"SELECT id FROM {table} WHERE {live} LIMIT ?", [SMALL + 1])]
    if len(every) <= SMALL:
        return every
    found: list[str] = []
    prefix = value[:PREFIX]
    if prefix:
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        found += [r[0] for r in rows(f"SELECT id FROM {table} WHERE id >= ? AND id < ? AND {live} ORDER BY id LIMIT ?",
                                     [prefix, upper, PER_RANGE])]
    found += [r[0] for r in rows(f"SELECT id FROM {table} WHERE id > ? AND {live} ORDER BY id LIMIT ?", [value, PER_SIDE])]
    found += [r[0] for r in rows(f"SELECT id FROM {table} WHERE id < ? AND {live} ORDER BY id DESC LIMIT ?", [value, PER_SIDE])]
    code = KIND_CODES.get(table)
    if code is not None:
        for term in [t for t in query_terms(value.replace("-", " ")) if len(t) >= PREFIX][:MAX_WORDS]:
            found += [r[0] for r in rows(
                "SELECT d.ref_id FROM search_word w JOIN search_posting p ON p.word_id = w.id AND p.kind = ?"
                " JOIN search_doc d ON d.kind = p.kind AND d.label = p.label WHERE w.word = ?"
                " ORDER BY p.nimpact, p.label LIMIT ?", [code, term, PER_WORD])]
    return list(dict.fromkeys(found))
