"""The database: engines for SQLite and PostgreSQL, migrations, seeding from data/, and `Store`,
the read side.

SQLite runs in WAL mode with a busy timeout, and every write transaction starts with BEGIN
IMMEDIATE so concurrent writers queue instead of failing. On PostgreSQL every write transaction
takes one advisory lock, so writes apply one at a time there too: a write re-renders the records
it touches, and two interleaved writes could otherwise each render from a snapshot missing the
other.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, create_engine, event, make_url, text
from sqlalchemy.engine import Engine

from api.config import ROOT, Settings
from api.dataset.loader import Dataset, fingerprint, load_dataset

log = logging.getLogger("claims.db")
WRITE_LOCK_ID = 7_351_204  # arbitrary constant naming the one advisory lock writers take


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(database_url: str) -> Path:
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        raise ValueError(f"not an SQLite file URL: {database_url!r}")
    return Path(database_url[len(prefix) :])


def sqlalchemy_url(database_url: str) -> str:
    """PostgreSQL URLs use psycopg 3 whatever driver they name."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def make_engine(database_url: str) -> Engine:
    if is_sqlite(database_url):
        engine = create_engine(database_url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # transactions are begun explicitly, below
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    engine = create_engine(sqlalchemy_url(database_url), pool_pre_ping=True, pool_size=10)

    @event.listens_for(engine, "begin")
    def _pg_begin(conn: Connection) -> None:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_ID})")

    return engine


def migrate(conn: Connection) -> None:
    """Bring the schema to the latest migration, inside the caller's transaction."""
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")


def now() -> datetime:
    return datetime.now(UTC)


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


def build_database(settings: Settings, *, force: bool = False) -> bool:
    """Create the database from data/ when it is missing, or rebuild it when data/ has changed
    and nothing was written through the API since it was seeded (or when forced).

    Returns whether it built. Raises DatasetError, leaving any existing database as it was, when
    the dataset does not validate.
    """
    from api.store.seed import seed

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
        raw = sqlite3.connect(tmp)
        try:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        # The old file's WAL and shared-memory index must not be paired with the new file.
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        Path(f"{tmp}-wal").unlink(missing_ok=True)
        Path(f"{tmp}-shm").unlink(missing_ok=True)
        os.replace(tmp, path)
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
    "idempotency_record", "search_entry", "revision", "corroboration_claim", "contradiction_claim", "claim_language",
    "claim_source", "claim_actor", "source_cite", "actor_role", "document_name", "document", "corroboration",
    "contradiction", "claim", "source", "actor", "meta",
)


def clear(conn: Connection) -> None:
    """Delete every row except API keys (children first)."""
    for table in DATA_TABLES:
        conn.execute(text(f"DELETE FROM {table}"))


class Store:
    """Read access: one kept-open DB-API connection per thread, statements in `?` style.

    The read path skips the ORM on purpose: a read is one indexed lookup of a pre-rendered body,
    and the ORM's per-query overhead would cost more than the lookup itself.
    """

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.sqlite = is_sqlite(database_url)
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()
        self._sql: dict[str, str] = {}

    def _connect(self) -> Any:
        if self.sqlite:
            conn: Any = sqlite3.connect(sqlite_path(self.database_url), check_same_thread=False)
            conn.execute("PRAGMA query_only=1")
            conn.execute("PRAGMA busy_timeout=30000")
        else:
            import psycopg

            url = make_url(self.database_url).set(drivername="postgresql")
            conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True, prepare_threshold=2)
        with self._lock:
            self._all.append(conn)
        return conn

    @property
    def conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def _statement(self, sql: str) -> str:
        if self.sqlite:
            return sql
        converted = self._sql.get(sql)
        if converted is None:
            converted = self._sql[sql] = sql.replace("%", "%%").replace("?", "%s")
        return converted

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.conn.execute(self._statement(sql), params).fetchone()
        return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = self.conn.execute(self._statement(sql), params).fetchall()
        return rows

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        cur = self.conn.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


__all__ = ["Dataset", "Store", "build_database", "make_engine", "migrate", "now"]
