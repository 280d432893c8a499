"""Candidates for "did you mean": a few existing ids near an unknown one, found through indexes only.

An error about an unknown id names the closest existing ids (api/dataset/checks.py `closest_ids`). Reading every
id of a table for that would make each such error cost what the table holds (a million claims: a full scan and
a million string comparisons, from one bad query parameter). A table of up to `SMALL` live records is read whole
(one bounded query: every id is a candidate, as in the curated dataset's checks); past that, the candidates come
from index ranges with a LIMIT, and their number does not depend on the table's size:

- ids that begin with the unknown id's first three characters (`kremlim` finds `kremlin-...`);
- the ids just before and just after it in id order (a typo near the end);
- for actors, sources and claims, whatever the table's size, the records the search index ranks first for each
  word of the id and for the indexed words most like it (`kremlin` finds `the-kremlin`, whose name holds the
  word; `sissi` finds `abdel-fattah-el-sisi`, one of whose names is "Sisi"), through the same folding as search.
  Those records come with the words of their names (an actor's names in every language, a source's title), so
  that "did you mean" ranks a record by its names as well as by its id, and not by words of a description.

`rows(sql, params)` runs one statement with `?` placeholders and gives its rows: `Store.all` on the read path,
`connection_rows(conn)` on the write path.
"""

from __future__ import annotations

import difflib
import json
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
LIKE_WORDS = 5  # indexed words most like each word of the unknown id, whose records are candidates
LIKE_CUTOFF = 0.6  # difflib's ratio such a word must reach (as api/dataset/checks.py `CLOSEST_CUTOFF`)


def connection_rows(conn: Connection) -> Rows:
    """`rows` over a SQLAlchemy connection, with `?` placeholders on both backends."""
    postgres = conn.dialect.name == "postgresql"

    def run(sql: str, params: Sequence[Any]) -> Iterable[Sequence[Any]]:
        statement = sql.replace("%", "%%").replace("?", "%s") if postgres else sql
        return conn.exec_driver_sql(statement, tuple(params)).all()

    return run


def nearby_ids(rows: Rows, table: str, value: str) -> dict[str, list[str]]:
    """Live ids of `table` (a resource table) that may be what `value` meant: every id when there are at most
    `SMALL`, else at most 200 + 2 × 10 by id; and for tables the search index covers, at most 4 × 6 × 20 more by
    word, first and in the index's order, each with the folded words of its names (`_names`). Each is found by an
    index range (the primary key; the search vocabulary by word; its postings by word and impact)."""
    live = "deleted_at IS NULL"
    found: dict[str, list[str]] = {}
    every = [r[0] for r in rows(f"SELECT id FROM {table} WHERE {live} LIMIT ?", [SMALL + 1])]
    if len(every) <= SMALL:
        found = {i: [] for i in every}
    else:
        prefix = value[:PREFIX]
        ids: list[str] = []
        if prefix:
            upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            ids += [r[0] for r in rows(f"SELECT id FROM {table} WHERE id >= ? AND id < ? AND {live} ORDER BY id LIMIT ?",
                                       [prefix, upper, PER_RANGE])]
        ids += [r[0] for r in rows(f"SELECT id FROM {table} WHERE id > ? AND {live} ORDER BY id LIMIT ?", [value, PER_SIDE])]
        ids += [r[0] for r in rows(f"SELECT id FROM {table} WHERE id < ? AND {live} ORDER BY id DESC LIMIT ?", [value, PER_SIDE])]
        found = {i: [] for i in ids}
    code = KIND_CODES.get(table)
    if code is not None:
        by_word: list[str] = []
        for term in [t for t in query_terms(value.replace("-", " ")) if len(t) >= PREFIX][:MAX_WORDS]:
            for word in _words_like(rows, term):
                by_word += [r[0] for r in rows(
                    "SELECT d.ref_id FROM search_word w JOIN search_posting p ON p.word_id = w.id AND p.kind = ?"
                    " JOIN search_doc d ON d.kind = p.kind AND d.label = p.label WHERE w.word = ?"
                    " ORDER BY p.nimpact, p.label LIMIT ?", [code, word, PER_WORD])]
        names = _names(rows, table, list(dict.fromkeys(by_word)))
        found = {i: names.get(i, []) for i in dict.fromkeys(by_word)} | {i: w for i, w in found.items() if i not in names}
    return found


def _names(rows: Rows, table: str, ids: list[str]) -> dict[str, list[str]]:
    """The words of each record's names, folded as search folds them: an actor's `name` and every alias in
    `names`, a source's `title` (claims have none: their ids alone are compared). One primary-key read per
    hundred ids."""
    fields = {"actor": ("name", "names"), "source": ("title",)}.get(table)
    if not fields or not ids:
        return {}
    out: dict[str, list[str]] = {}
    for at in range(0, len(ids), 100):
        chunk = ids[at:at + 100]
        marks = ", ".join("?" for _ in chunk)
        for item_id, data in rows(f"SELECT id, data FROM {table} WHERE id IN ({marks})", chunk):
            record = json.loads(data)
            texts = [record.get("name") or "", record.get("title") or ""]
            texts += [n.get("value", "") for n in record.get("names") or [] if isinstance(n, dict)]
            out[item_id] = list(dict.fromkeys(w for t in texts if t for w in query_terms(t)))
    return out


def _words_like(rows: Rows, term: str) -> list[str]:
    """`term` and the indexed words that begin as it does (its first `PREFIX` characters, folded) and are most like
    it, at most `LIKE_WORDS` in all: "sissi" gives "sisi"."""
    prefix = term[:PREFIX]
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    words = [r[0] for r in rows("SELECT word FROM search_word WHERE word >= ? AND word < ? ORDER BY word LIMIT ?",
                                [prefix, upper, PER_RANGE])]
    like = difflib.get_close_matches(term, words, n=LIKE_WORDS, cutoff=LIKE_CUTOFF)
    return list(dict.fromkeys([term, *like]))[:LIKE_WORDS + 1]
