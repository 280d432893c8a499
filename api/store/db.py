"""The database: engines for SQLite and PostgreSQL, migrations, and `Store`, the read side
(api/store/seed.py builds it from data/).

SQLite runs in WAL mode with a busy timeout, and every write transaction starts with BEGIN
IMMEDIATE so concurrent writers queue instead of failing. On PostgreSQL every write transaction
takes one advisory lock, so writes apply one at a time there too: a write re-renders the records
it touches, and two interleaved writes could otherwise each render from a snapshot missing the
other.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, create_engine, event, make_url
from sqlalchemy.engine import Engine

from api.config import ROOT

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


__all__ = ["Store", "make_engine", "migrate", "now"]
