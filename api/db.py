"""The database: built from data/ in one go, then read through `Store`.

A build writes a complete new SQLite file beside the old one and swaps it in with one rename, so a
build that fails (an invalid dataset, a crash) leaves the previous database untouched.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, insert
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from api.config import Settings
from api.loader import Dataset, fingerprint, load_dataset
from api.render import Renderer, etag_of, event_range
from api.search import create_search_index
from schemas.actor import Actor, ActorName
from schemas.claim import Claim, ClaimActor, ClaimSource, Evidence
from schemas.common import date_bounds
from schemas.contradiction import Contradiction, ContradictionClaim, Corroboration, CorroborationClaim
from schemas.source import Source, SourceCite

META_DDL = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


def sqlite_path(database_url: str) -> Path:
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        raise ValueError(f"not an SQLite URL: {database_url!r}")
    return Path(database_url[len(prefix) :])


def sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.close()

    return engine


def stored_fingerprint(path: Path) -> str | None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        return str(row[0]) if row else None
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _rows(ds: Dataset) -> dict[Any, list[dict[str, Any]]]:
    r = Renderer(ds).render()
    rows: dict[Any, list[dict[str, Any]]] = {}
    rows[Actor] = [
        dict(id=a.id, kind=a.kind.value, name=a.name, unnamed=a.unnamed, speaks_for_id=a.speaks_for,
             body=r.actors[a.id][0], summary=r.actors[a.id][1], etag=etag_of(r.actors[a.id][0]))
        for a in ds.actors.values()
    ]
    rows[ActorName] = [
        dict(actor_id=a.id, value=v, lang=lang) for a in ds.actors.values() for v, lang in ds.names_of(a.id)
    ]
    rows[Source] = []
    for s in ds.sources.values():
        bounds = date_bounds(s.published.date) if s.published else None
        rows[Source].append(dict(
            id=s.id, kind=s.kind.value, title=s.title, language=s.language, publisher_id=s.publisher,
            published_from=bounds[0].isoformat() if bounds else None,
            published_to=bounds[1].isoformat() if bounds else None,
            part_of_id=s.part_of, text=ds.texts.get(s.id),
            body=r.sources[s.id][0], summary=r.sources[s.id][1], etag=etag_of(r.sources[s.id][0]),
        ))
    rows[SourceCite] = [dict(source_id=s.id, cited_id=c) for s in ds.sources.values() for c in s.cites]
    rows[Claim] = []
    rows[Evidence] = []
    for c in ds.claims.values():
        first, last = event_range(c)
        rows[Claim].append(dict(
            id=c.id, statement=c.statement, predicate=c.predicate.value, polarity=c.polarity.value,
            modality=c.modality.value, event_from=first, event_to=last,
            body=r.claims[c.id][0], summary=r.claims[c.id][1], etag=etag_of(r.claims[c.id][0]),
        ))
        for i, ev in enumerate(c.evidence):
            anchor = ds.anchor(ev)
            rows[Evidence].append(dict(
                claim_id=c.id, position=i, source_id=ev.source, quote=ev.quote, start=ev.start, end=ev.end,
                prefix=anchor.prefix, suffix=anchor.suffix, language=anchor.language,
                translation=ev.translation, attributed_to_id=ev.attributed_to,
            ))
    rows[ClaimActor] = [dict(claim_id=c, role=role, actor_id=a) for c, role, a in r.claim_actors]
    rows[ClaimSource] = [dict(claim_id=c, source_id=s) for c, linked in r.claim_sources.items() for s in sorted(linked)]
    rows[Contradiction] = [
        dict(id=x.id, kind=x.kind.value, status=x.status.value, origin=x.origin,
             body=r.contradictions[x.id], etag=etag_of(r.contradictions[x.id]))
        for x in ds.contradictions.values()
    ]
    rows[ContradictionClaim] = [
        dict(contradiction_id=x.id, claim_id=m.claim, side=m.side.value) for x in ds.contradictions.values() for m in x.claims
    ]
    rows[Corroboration] = [
        dict(id=y.id, independent=not ds.shared_origins(y.claims), body=r.corroborations[y.id], etag=etag_of(r.corroborations[y.id]))
        for y in ds.corroborations.values()
    ]
    rows[CorroborationClaim] = [dict(corroboration_id=y.id, claim_id=c) for y in ds.corroborations.values() for c in y.claims]
    return rows


def write_sqlite(path: Path, ds: Dataset) -> None:
    """Write the whole dataset into a new SQLite file at `path`."""
    engine = sqlite_engine(path)
    try:
        SQLModel.metadata.create_all(engine)
        with engine.begin() as conn:
            for model, rows in _rows(ds).items():
                if rows:
                    conn.execute(insert(model.__table__), rows)
            raw = conn.connection.dbapi_connection
            assert isinstance(raw, sqlite3.Connection)
            create_search_index(raw, ds)
            raw.execute(META_DDL)
            raw.execute("INSERT INTO meta (key, value) VALUES ('fingerprint', ?)", (ds.fingerprint,))
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    finally:
        engine.dispose()


def build_database(settings: Settings, *, force: bool = False) -> bool:
    """Build the SQLite database from data/ when it is missing or older than the data.

    Returns whether it built. Raises DatasetError, leaving any existing database as it was, when
    the dataset does not validate.
    """
    path = sqlite_path(settings.database_url)
    if not force and path.exists() and stored_fingerprint(path) == fingerprint(settings.data_dir):
        return False
    ds = load_dataset(settings.data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    for stale in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        stale.unlink(missing_ok=True)
    write_sqlite(tmp, ds)
    # The old file's WAL and shared-memory index must not be paired with the new file.
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(tmp, path)
    return True


class Store:
    """Read access to the built database: one SQLite connection per thread, kept open."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False)
        conn.execute("PRAGMA query_only=1")
        conn.execute("PRAGMA busy_timeout=5000")
        with self._lock:
            self._all.append(conn)
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.conn.execute(sql, params).fetchone()
        return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
