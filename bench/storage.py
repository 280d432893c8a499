"""Where a database's bytes go: each table and index, in bytes and in bytes per claim.

    python -m bench.storage --database sqlite:///var/bench/claims-100000.db
    python -m bench.storage --database postgresql://postgres@127.0.0.1:5432/claims_100k
    python -m bench.storage --database sqlite:///var/claims.db --make-dictionary api/store/summaries.zdict

SQLite: the pages of each table and index (the `dbstat` virtual table: every page, overflow pages included).
PostgreSQL: each table's heap, its TOAST table and each index (`pg_relation_size`). Then the average size of
the resource rows' stored columns (`data`, `body`, `summary`, `text`) and the claims' own text (statement,
quotes and translations, UTF-8), so that "bytes per claim beyond its own text" can be read off.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, text

from api.store.bodies import inflate
from api.store.db import is_sqlite, make_engine
from bench.generate import database_size

RESOURCES = ("claim", "actor", "source", "contradiction", "corroboration")


def sqlite_objects(conn: Connection) -> list[tuple[str, str, int]]:
    """(name, table it belongs to, bytes) of every table and index, largest first."""
    owner = dict(conn.execute(text("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')")).all())
    rows = conn.execute(text("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")).all()
    return [(name, owner.get(name, name), int(size)) for name, size in rows]


def postgres_objects(conn: Connection) -> list[tuple[str, str, int]]:
    rows = conn.execute(text(
        "SELECT c.relname, c.relname, pg_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind = 'r'"
        " UNION ALL SELECT c.relname || ' (toast)', c.relname, pg_total_relation_size(c.reltoastrelid) FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.reltoastrelid <> 0"
        " UNION ALL SELECT i.relname, t.relname, pg_relation_size(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
        " JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public'"
        " ORDER BY 3 DESC"
    )).all()
    return [(name, table, int(size)) for name, table, size in rows]


def column_sizes(conn: Connection, sqlite: bool) -> list[tuple[str, int, dict[str, float]]]:
    """(table, rows, average stored bytes of each large column) of the resource tables."""
    length = "length" if sqlite else "octet_length"
    out = []
    for table in RESOURCES:
        cols = [c for c in ("data", "body", "summary", "text") if c in _columns(conn, table)]
        row = conn.execute(text(f"SELECT count(*), {', '.join(f'avg({length}({c}))' for c in cols)} FROM {table}")).one()
        out.append((table, int(row[0]), {c: float(v or 0) for c, v in zip(cols, row[1:], strict=True)}))
    return out


def _columns(conn: Connection, table: str) -> set[str]:
    from sqlalchemy import inspect

    return {c["name"] for c in inspect(conn).get_columns(table)}


def claim_text_bytes(conn: Connection, batch: int = 20_000) -> int:
    """UTF-8 bytes of every claim's own text: its statement, its quotes and their translations."""
    total, after = 0, ""
    while True:
        rows = conn.execute(text("SELECT id, data FROM claim WHERE id > :a ORDER BY id LIMIT :n"), {"a": after, "n": batch}).all()
        for _, data in rows:
            record = json.loads(data)
            total += len(record["statement"].encode())
            for ev in record["evidence"]:
                total += len(ev["quote"].encode()) + len((ev.get("translation") or "").encode())
        if len(rows) < batch:
            return total
        after = rows[-1][0]


def report(url: str) -> Iterator[str]:
    sqlite = is_sqlite(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            claims = int(conn.execute(text("SELECT count(*) FROM claim")).scalar_one())
            objects = sqlite_objects(conn) if sqlite else postgres_objects(conn)
            columns = column_sizes(conn, sqlite)
            own_text = claim_text_bytes(conn)
    finally:
        engine.dispose()
    size = database_size(url)
    per = max(claims, 1)
    yield f"{url}: {claims:,} claims, {size:,} bytes on disk = {size / per:,.0f} bytes per claim"
    yield f"claims' own text (statement, quotes, translations): {own_text / per:,.0f} bytes per claim;" \
          f" beyond it: {(size - own_text) / per:,.0f} bytes per claim"
    yield ""
    yield f"{'table or index':44} {'of table':22} {'bytes':>15} {'per claim':>10}"
    for name, table, nbytes in objects:
        if nbytes:
            yield f"{name:44} {table:22} {nbytes:15,} {nbytes / per:10,.0f}"
    by_table: dict[str, int] = {}
    for _, table, nbytes in objects:
        by_table[table] = by_table.get(table, 0) + nbytes
    yield ""
    yield f"{'table with its indexes':44} {'':22} {'bytes':>15} {'per claim':>10}"
    for table, nbytes in sorted(by_table.items(), key=lambda kv: -kv[1]):
        if nbytes:
            yield f"{table:44} {'':22} {nbytes:15,} {nbytes / per:10,.0f}"
    yield ""
    yield "average stored bytes per row of the resource tables' large columns:"
    for table, rows, sizes in columns:
        shown = ", ".join(f"{c} {v:,.0f}" for c, v in sizes.items())
        yield f"  {table:14} {rows:10,} rows: {shown}"


SHARES = (("source", 0.2), ("actor", 0.15), ("claim", 0.65))


def make_dictionary(url: str, size: int = 16 * 1024) -> bytes:
    """A preset dictionary for summaries (zlib `zdict`, api/store/bodies.py), made from a database built from the
    curated dataset: summaries of sources, then actors, then claims (the most numerous last, nearest to what is
    compressed), each kind its share of `size` bytes (half deflate's window: setting a dictionary costs time in proportion to
    its size, and 32 KiB made claim summaries 1.4% smaller than 16 KiB, 289 bytes against 293, at 60% more time), taken evenly spaced in id order. The result
    is fixed once committed: stored summaries name it by its Adler-32, so a new one is added beside it, never put in
    its place."""
    engine = make_engine(url)
    parts: list[bytes] = []
    try:
        with engine.connect() as conn:
            for table, share in SHARES:
                views = [inflate(row[0]) for row in conn.execute(
                    text(f"SELECT summary FROM {table} WHERE deleted_at IS NULL ORDER BY id"))]
                budget = int(size * share)
                average = max(1, sum(map(len, views)) // max(1, len(views)))
                step = max(1.0, len(views) / max(1, budget // average))
                picked = [views[int(i * step)] for i in range(int(len(views) / step))]
                parts.append(b"".join(picked)[-budget:])
    finally:
        engine.dispose()
    return b"".join(parts)[-size:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.storage", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="a built database's URL")
    parser.add_argument("--make-dictionary", metavar="PATH", help="write a summaries dictionary made from this database")
    args = parser.parse_args(argv)
    if args.make_dictionary:
        Path(args.make_dictionary).write_bytes(make_dictionary(args.database))
        return 0
    for line in report(args.database):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
