"""Build the database from data/: write a validated dataset into an empty, migrated database, in
one transaction, and decide when the database is missing or stale and should be built again."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select, text

from api.config import Settings
from api.dataset.loader import Dataset, fingerprint, load_dataset
from api.engine.run import prepare
from api.store.db import is_sqlite, make_engine, migrate, now, sqlite_path
from api.store.records import KINDS, TABLE_OF, columns, links, rendered, role_references, search_rows
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


def _file_positions(ds: Dataset) -> dict[str, tuple[str, int]]:
    """'kind:id' -> (file, position within that file), in the files' own order."""
    counters: dict[str, int] = {}
    out: dict[str, tuple[str, int]] = {}
    for key, file in ds.origin.items():
        n = counters.get(file, 0)
        out[key] = (file, n)
        counters[file] = n + 1
    return out


def seed(conn: Connection, ds: Dataset) -> None:
    """Store a validated dataset, after the engine has run over it (propositions, proposed relations)."""
    prepare(ds)
    stamp = now()
    renderer = Renderer(ds)
    placed = _file_positions(ds)
    records: dict[str, dict[str, Any]] = {
        "actor": ds.actors, "source": ds.sources, "claim": ds.claims,
        "contradiction": ds.contradictions, "corroboration": ds.corroborations,
    }
    revisions: list[dict[str, Any]] = []
    search = BulkIndex({kind: records[kind].keys() for kind in KIND_CODES})
    link_rows: dict[Any, list[dict[str, Any]]] = {}
    for kind in KINDS:
        rows = []
        for item_id, record in records[kind].items():
            file, position = placed[f"{kind}:{item_id}"]
            data = record.model_dump_json()
            rows.append({
                **columns(kind, record, ds), **rendered(kind, item_id, renderer, 1),
                "data": data, "file": file, "position": position, "revision": 1,
                "created_at": stamp, "updated_at": stamp, "deleted_at": None,
            })
            revisions.append({
                "resource": kind, "resource_id": item_id, "revision": 1, "action": "create", "api_key_id": None,
                "at": stamp, "before": None, "after": None,  # the data: api/store/revisions.py
            })
            for table, table_rows in links(kind, record, ds):
                link_rows.setdefault(table, []).extend(table_rows)
            search.add(kind, item_id, search_rows(kind, record, ds))
        if rows:
            conn.execute(insert(TABLE_OF[kind]), rows)
    for table, table_rows in link_rows.items():
        if table_rows:
            conn.execute(insert(table), table_rows)
    documents, names, roles, role_refs = [], [], [], []
    for file, doc in ds.documents.items():
        documents.append({"file": file, "source_id": doc.source.id, "coverage": _json_list(doc.coverage)})
        names += [{"file": file, "position": i, "actor_id": n.actor, "value": n.value, "lang": n.language} for i, n in enumerate(doc.names)]
        roles += [{"file": file, "position": i, "actor_id": r.actor, "data": r.model_dump_json()} for i, r in enumerate(doc.roles)]
        role_refs += [row for i, r in enumerate(doc.roles) for row in role_references(file, i, r)]
    stored: list[tuple[Any, list[dict[str, Any]]]] = [
        (table_of(Document), documents), (table_of(DocumentName), names), (table_of(ActorRole), roles), (table_of(RoleReference), role_refs),
    ]
    for table, table_rows in stored + _claim_counts(link_rows):
        if table_rows:
            conn.execute(insert(table), table_rows)
    search.write(conn)
    if revisions:
        conn.execute(insert(table_of(Revision)), revisions)
    seeded_seq = conn.execute(select(func.coalesce(func.max(table_of(Revision).c.seq), 0))).scalar()
    conn.execute(insert(table_of(Meta)), [
        {"key": "fingerprint", "value": ds.fingerprint},
        {"key": "seeded_seq", "value": str(seeded_seq)},
        {"key": "knowledge", "value": ds.knowledge.model_dump_json()},
    ])


def _claim_counts(link_rows: dict[Any, list[dict[str, Any]]]) -> list[tuple[Any, list[dict[str, Any]]]]:
    """(table, rows) of the claim counts of actors (by role) and sources, counted from the claims' link rows."""
    by_actor = Counter((r["actor_id"], r["role"]) for r in link_rows.get(table_of(ClaimActor), []))
    by_source = Counter(r["source_id"] for r in link_rows.get(table_of(ClaimSource), []))
    return [(table_of(ActorClaimCount), [{"actor_id": a, "role": role, "count": n} for (a, role), n in by_actor.items()]),
            (table_of(SourceClaimCount), [{"source_id": s, "count": n} for s, n in by_source.items()])]


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


def swap_in(built: Path, path: Path) -> None:
    """Put an SQLite file built beside its target in the target's place: its WAL checkpointed into it first,
    and no WAL or shared-memory index left over from either file (the old one's must not be paired with the
    new file). The rename is atomic, so a reader sees the old database or the new one, never half of one."""
    raw = sqlite3.connect(built)
    try:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
        Path(f"{built}{suffix}").unlink(missing_ok=True)
    os.replace(built, path)


def build_database(settings: Settings, *, force: bool = False) -> bool:
    """Create the database from data/ when it is missing, or rebuild it when data/ has changed
    and nothing was written through the API since it was seeded (or when forced).

    Returns whether it built. Raises DatasetError, leaving any existing database as it was, when
    the dataset does not validate.
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
        ds = load_dataset(settings.data_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".building")
        for stale in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            stale.unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{tmp}")
        try:
            with engine.begin() as conn:
                migrate(conn)
                seed(conn, ds)
        finally:
            engine.dispose()
        swap_in(tmp, path)
        return True
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            migrate(conn)
            seeded = _meta(conn, "fingerprint") is not None
            if seeded and not force and (not _stale(conn, current) or has_api_changes(conn)):
                if _stale(conn, current):
                    log.warning("data/ has changed, but the database holds API writes: not rebuilt")
                return False
            ds = load_dataset(settings.data_dir)
            if seeded:
                clear(conn)
            seed(conn, ds)
        return True
    finally:
        engine.dispose()


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
