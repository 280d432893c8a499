"""Build the database from data/: write a validated dataset into an empty, migrated database, in
one transaction, and decide when the database is missing or stale and should be built again."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, func, insert, make_url, select, text

from api.config import Settings
from api.dataset.loader import Dataset, fingerprint, load_dataset
from api.engine.run import prepare
from api.engine.world import world_in
from api.progress import NO_STEPS, Steps
from api.store.db import is_sqlite, make_engine, migrate, now, sqlite_path
from api.store.records import KINDS, LINK_TABLES, TABLE_OF, columns, links, rendered, role_references, search_rows
from api.store.render import Renderer
from api.store.search import KIND_CODES, BulkIndex
from schemas.tables import (
    ActorClaimCount,
    ActorRole,
    ClaimActor,
    ClaimSource,
    Document,
    DocumentName,
    Meta,
    Revision,
    RoleReference,
    SourceClaimCount,
    table_of,
)

log = logging.getLogger("claims.db")
BATCH = 2000  # records rendered and written at a time (with their link and revision rows)
# (table, column): the link columns that name the record a row derives from (BulkWriter writes that record first)
BUILD_PRAGMAS = ("journal_mode=MEMORY", "synchronous=OFF", "cache_size=-262144", "temp_store=MEMORY")  # build_engine
RECORD_COLUMNS = {(table.name, column) for pairs in LINK_TABLES.values() for table, column in pairs}


def _file_positions(ds: Dataset) -> dict[str, tuple[str, int]]:
    """'kind:id' -> (file, position within that file), in the files' own order."""
    counters: dict[str, int] = {}
    out: dict[str, tuple[str, int]] = {}
    for key, file in ds.origin.items():
        n = counters.get(file, 0)
        out[key] = (file, n)
        counters[file] = n + 1
    return out


def seed(conn: Connection, ds: Dataset, *, steps: Steps = NO_STEPS, batch: int = BATCH) -> None:
    """Store a validated dataset, after the engine has run over it (propositions, proposed relations), in the
    caller's transaction. Records are rendered and written `batch` at a time with their link and revision rows
    (`BulkWriter`: the driver's executemany on SQLite, COPY on PostgreSQL), so what the seed holds besides the
    dataset and the search index does not grow with the dataset. `steps` shows the engine and the records'
    progress (api/progress.py; nothing by default)."""
    engine_task = steps.task("engine: propositions and relations")
    prepare(ds)
    engine_task.finish()
    world = world_in(ds)
    stamp = now()
    renderer = Renderer(ds)
    placed = _file_positions(ds)
    records: dict[str, dict[str, Any]] = {
        "actor": ds.actors, "source": ds.sources, "claim": ds.claims,
        "contradiction": ds.contradictions, "corroboration": ds.corroborations,
    }
    task = steps.task("rendering and storing records", sum(len(r) for r in records.values()))
    search = BulkIndex({kind: records[kind].keys() for kind in KIND_CODES})
    writer = BulkWriter(conn, batch)
    by_actor: Counter[tuple[str, str]] = Counter()
    by_source: Counter[str] = Counter()
    claim_actor, claim_source = table_of(ClaimActor), table_of(ClaimSource)
    revision = table_of(Revision)
    for kind in KINDS:
        writer.begin(TABLE_OF[kind])
        for item_id, record in records[kind].items():
            file, position = placed[f"{kind}:{item_id}"]
            writer.add(TABLE_OF[kind], {
                **columns(kind, record, ds), **rendered(kind, item_id, renderer, 1),
                "data": record.model_dump_json(), "file": file, "position": position, "revision": 1,
                "created_at": stamp, "updated_at": stamp, "deleted_at": None,
            })
            writer.add(revision, {
                "resource": kind, "resource_id": item_id, "revision": 1, "action": "create", "api_key_id": None,
                "at": stamp, "before": None, "after": None,  # the data: api/store/revisions.py
            })
            for table, table_rows in links(kind, record, ds, world):
                if table is claim_actor:
                    by_actor.update((r["actor_id"], r["role"]) for r in table_rows)
                elif table is claim_source:
                    by_source.update(r["source_id"] for r in table_rows)
                writer.extend(table, table_rows)
            search.add(kind, item_id, search_rows(kind, record, ds))
            task.advance()
        writer.end()
    task.finish()
    writer.begin(None)
    for file, doc in ds.documents.items():
        writer.add(table_of(Document), {"file": file, "source_id": doc.source.id, "coverage": _json_list(doc.coverage)})
        writer.extend(table_of(DocumentName), [
            {"file": file, "position": i, "actor_id": n.actor, "value": n.value, "lang": n.language} for i, n in enumerate(doc.names)
        ])
        writer.extend(table_of(ActorRole), [
            {"file": file, "position": i, "actor_id": r.actor, "data": r.model_dump_json()} for i, r in enumerate(doc.roles)
        ])
        writer.extend(table_of(RoleReference), [row for i, r in enumerate(doc.roles) for row in role_references(file, i, r)])
    writer.extend(table_of(ActorClaimCount), [{"actor_id": a, "role": role, "count": n} for (a, role), n in by_actor.items()])
    writer.extend(table_of(SourceClaimCount), [{"source_id": s, "count": n} for s, n in by_source.items()])
    writer.end()
    index_task = steps.task("search index")
    search.write(conn)
    index_task.finish()
    seeded_seq = conn.execute(select(func.coalesce(func.max(revision.c.seq), 0))).scalar()
    conn.execute(insert(table_of(Meta)), [
        {"key": "fingerprint", "value": ds.fingerprint},
        {"key": "seeded_seq", "value": str(seeded_seq)},
        {"key": "knowledge", "value": ds.knowledge.model_dump_json()},
        # The synonym table as written, exported as it is; "" when the dataset has none (a database upgraded by
        # migration 0013 instead of built has no row at all: api/store/export.py).
        {"key": "synonyms", "value": ds.synonyms if ds.synonyms is not None else ""},
    ])
    if conn.dialect.name == "postgresql":
        # Statistics now, not when autovacuum gets to it: without them the planner sorts a filtered list's
        # matches instead of following the index that yields the list's order (api/services/claims.py).
        conn.exec_driver_sql("ANALYZE")


class BulkWriter:
    """Rows written through the driver, `batch` rows of a table at a time, in the order they were added.

    `begin(table)` starts a kind of record whose rows go to `table`; rows of a table whose foreign keys point at a
    table not yet complete (other than the record's own row, which its batch writes first) are held until `end()`,
    which writes everything pending and marks the kind's table complete: so every row is inserted after the rows it
    refers to, as the foreign keys require on both backends (sources cite sources that may come later)."""

    def __init__(self, conn: Connection, batch: int = BATCH) -> None:
        self.conn = conn
        self.batch = batch
        self.pending: dict[Any, list[dict[str, Any]]] = {}
        self.held: set[Any] = set()
        self.complete: set[str] = set()
        self.current: Any = None
        self._count = 0

    def begin(self, table: Any) -> None:
        self.current = table
        self.held = set()

    def _holds(self, table: Any) -> bool:
        if table is self.current:
            return False
        own = self.current.name if self.current is not None else None
        return any(fk.column.table.name not in self.complete and not (fk.column.table.name == own and (table.name, fk.parent.name) in RECORD_COLUMNS)
                   for fk in table.foreign_keys)

    def add(self, table: Any, row: dict[str, Any]) -> None:
        rows = self.pending.get(table)
        if rows is None:
            rows = self.pending[table] = []
            if self._holds(table):
                self.held.add(table)
        rows.append(row)
        if table is self.current:
            self._count += 1
            if self._count >= self.batch:
                self.flush()

    def extend(self, table: Any, rows: list[dict[str, Any]]) -> None:
        if rows:
            for row in rows:
                self.add(table, row)

    def flush(self, *, everything: bool = False) -> None:
        """Write what is pending (the current kind's table first), except held tables unless `everything`."""
        order = sorted(self.pending, key=lambda t: t is not self.current)
        for table in order:
            if table in self.held and not everything:
                continue
            rows = self.pending.pop(table)
            if rows:
                insert_rows(self.conn, table, rows)
        self._count = 0

    def end(self) -> None:
        """Write everything pending, the held tables too, and mark the current table complete."""
        if self.current is not None:
            self.complete.add(self.current.name)
        self.flush(everything=True)
        self.held = set()


def insert_rows(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows (dicts with the same keys) into `table` through the driver, in the caller's transaction: sqlite3's
    executemany with the columns' SQLAlchemy bind processing (datetimes as SQLAlchemy stores them), or COPY on
    PostgreSQL (psycopg 3, each value adapted by its Python type). As `conn.execute(insert(table), rows)` stores them."""
    names = list(rows[0])
    raw: Any = conn.connection.driver_connection
    quoted = ", ".join(f'"{n}"' for n in names)
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[n] for n in names])
        return
    processors = [(i, p) for i, n in enumerate(names) if (p := table.c[n].type._cached_bind_processor(conn.dialect)) is not None]
    values = [[row[n] for n in names] for row in rows]
    for i, process in processors:
        for v in values:
            v[i] = process(v[i])
    raw.cursor().executemany(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(names))})', values)


def _json_list(models: list[Any]) -> str:
    import json

    return json.dumps([m.model_dump(mode="json") for m in models], ensure_ascii=False)


def _meta(conn: Connection, key: str) -> str | None:
    try:
        row = conn.execute(text("SELECT value FROM meta WHERE key = :k"), {"k": key}).first()
    except Exception:
        return None
    return None if row is None else str(row[0])


def has_api_changes(conn: Connection) -> bool:
    """Whether anything was written through the API since the database was seeded."""
    seeded = _meta(conn, "seeded_seq")
    if seeded is None:
        return False
    latest = conn.execute(text("SELECT max(seq) FROM revision")).scalar()
    return latest is not None and int(latest) > int(seeded)


def _stale(conn: Connection, data_fingerprint: str) -> bool:
    return _meta(conn, "fingerprint") != data_fingerprint


def _migrated(path: Path) -> bool:
    """Whether an SQLite file was made by the migrations (files from before them are rebuilt)."""
    try:
        raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone() is not None
        finally:
            raw.close()
    except sqlite3.Error:
        return False


class NotBuilt(RuntimeError):
    """The database has no schema yet and was not to be built (CLAIMS_AUTO_BUILD=false)."""


def require_built(database_url: str) -> None:
    """Raise NotBuilt, naming the database and what builds it, when it has no schema: an SQLite file that is missing or
    was not made by the migrations, a PostgreSQL database without `alembic_version`. Nothing is created."""
    if is_sqlite(database_url):
        path = sqlite_path(database_url)
        built = path.exists() and _migrated(path)
    else:
        engine = make_engine(database_url)
        try:
            with engine.connect() as conn:
                built = conn.execute(text("SELECT to_regclass('alembic_version') IS NOT NULL")).scalar_one()
        finally:
            engine.dispose()
    if not built:
        raise NotBuilt(
            f"The database {make_url(database_url).render_as_string(hide_password=True)} has not been built, and"
            " CLAIMS_AUTO_BUILD is false: run `python -m api.cli build` first, or leave CLAIMS_AUTO_BUILD at true."
        )


def swap_in(built: Path, path: Path) -> None:
    """Put an SQLite file built beside its target in the target's place: its WAL checkpointed into it first,
    and no WAL or shared-memory index left over from either file (the old one's must not be paired with the
    new file). The rename is atomic, so a reader sees the old database or the new one, never half of one."""
    raw = sqlite3.connect(built)
    try:
        raw.execute("PRAGMA journal_mode=WAL")  # a file built with build_engine's pragmas is served in WAL mode like the rest
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
        Path(f"{built}{suffix}").unlink(missing_ok=True)
    os.replace(built, path)


def build_engine(path: Path) -> Engine:
    """The engine that builds an SQLite file beside its target (`*.building`, deleted and built again if a build fails,
    then put in place by `swap_in`): make_engine's, with pragmas that trade durability for speed, which a file thrown
    away on failure can: the rollback journal in memory (the file is new, so it holds little: SQLite journals no page
    beyond the file's size at the start of the transaction; ROLLBACK still works), no fsync, a 256 MiB page cache
    (the B-trees of the link tables' indexes are filled in their keys' order, not the rows'), temporary B-trees in memory."""
    engine = make_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _build_pragmas(dbapi_conn: Any, _record: Any) -> None:  # after make_engine's own (listeners run in order)
        cur = dbapi_conn.cursor()
        for pragma in BUILD_PRAGMAS:
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    return engine


def _load(settings: Settings, steps: Steps) -> Dataset:
    task = steps.task(f"reading and checking {settings.data_dir}")
    ds = load_dataset(settings.data_dir)
    task.finish()
    return ds


def _migrate(conn: Connection, steps: Steps) -> None:
    task = steps.task("migrations")
    migrate(conn)
    task.finish()


def build_database(settings: Settings, *, force: bool = False, steps: Steps = NO_STEPS) -> bool:
    """Create the database from data/ when it is missing, or rebuild it when data/ has changed
    and nothing was written through the API since it was seeded (or when forced).

    `steps` shows the build's progress (api/progress.py; nothing by default). Returns whether it built.
    Raises DatasetError, leaving any existing database as it was, when the dataset does not validate.
    """
    url = settings.database_url
    current = fingerprint(settings.data_dir)
    if is_sqlite(url):
        path = sqlite_path(url)
        if path.exists() and not force and _migrated(path):
            engine = make_engine(url)
            try:
                with engine.begin() as conn:
                    migrate(conn)  # an existing database gets any newer migrations first
                    if not _stale(conn, current):
                        return False
                    if has_api_changes(conn):
                        log.warning("data/ has changed, but %s holds API writes: not rebuilt (export first, or force)", path)
                        return False
            finally:
                engine.dispose()
        ds = _load(settings, steps)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".building")
        for stale in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            stale.unlink(missing_ok=True)
        engine = build_engine(tmp)
        try:
            with engine.begin() as conn:
                _migrate(conn, steps)
                seed(conn, ds, steps=steps)
        finally:
            engine.dispose()
        swap_in(tmp, path)
        return True
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _migrate(conn, steps)
            seeded = _meta(conn, "fingerprint") is not None
            if seeded and not force and (not _stale(conn, current) or has_api_changes(conn)):
                if _stale(conn, current):
                    log.warning("data/ has changed, but the database holds API writes: not rebuilt")
                return False
            ds = _load(settings, steps)
            if seeded:
                clear(conn)
            seed(conn, ds, steps=steps)
        vacuum(engine, steps)
        return True
    finally:
        engine.dispose()


def vacuum(engine: Engine, steps: Steps = NO_STEPS) -> None:
    """On PostgreSQL, after a build has committed: VACUUM every table, which marks the pages just written all-visible
    in the visibility map. Until then an index-only scan (every list's driving index, api/services/claims.py) visits
    the table for each entry it reads, and autovacuum reaches a table only after its insert threshold and delay.
    Measured on 100,000 claims: a date range's page took 13.4 ms before and 6.9 ms after, `language=ar&modality=
    planned` 6.7 ms and 3.1 ms; the VACUUM took 8 s. VACUUM cannot run in a transaction, hence its own autocommit
    connection. SQLite has no such map: nothing to do."""
    if engine.dialect.name != "postgresql":
        return
    task = steps.task("vacuum")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM")
    task.finish()


DATA_TABLES = (
    "actor_reference", "source_reference", "claim_reference", "role_reference", "actor_claim_count", "source_claim_count",
    "idempotency_record", "search_posting", "search_doc", "search_word", "revision", "relation_rule", "claim_proposition", "claim_key",
    "corroboration_claim", "contradiction_claim", "claim_language",
    "claim_source", "claim_actor", "source_cite", "source_language", "actor_role", "document_name", "document", "corroboration",
    "contradiction", "claim", "source", "actor", "meta",
)


def clear(conn: Connection) -> None:
    """Delete every row except API keys (children first)."""
    for table in DATA_TABLES:
        conn.execute(text(f"DELETE FROM {table}"))
