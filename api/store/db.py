"""The database: engines for SQLite and PostgreSQL, migrations, and `Store`, the read side
(api/store/seed.py builds it from data/).

SQLite runs in WAL mode with a busy timeout, and every write transaction starts with BEGIN
IMMEDIATE so concurrent writers queue instead of failing. On PostgreSQL every write transaction
takes one advisory lock, so writes apply one at a time there too: a write re-renders the records
it touches, and two interleaved writes could otherwise each render from a snapshot missing the
other.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

import anyio
import anyio.to_thread
import psycopg
from alembic import command
from alembic.config import Config
from psycopg_pool import PoolTimeout
from sqlalchemy import Connection, create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.util import await_only, greenlet_spawn

from api.config import ROOT
from api.errors import Unavailable

WRITE_LOCK_ID = 7_351_204  # arbitrary constant naming the one advisory lock writers take
APPLICATION_NAME = "claims-api"  # what PostgreSQL's pg_stat_activity shows for this server's connections
CUSTOM_PLANS = "-c plan_cache_mode=force_custom_plan"
"""Reads keep their statements prepared (psycopg's prepare_threshold: parsed once per connection) but planned for
the values of each call. After five calls PostgreSQL's default may switch a prepared statement to one generic plan
for every value, and a list filtered by a common actor and a rare predicate then walked an index in the wrong order:
on 100,000 claims the 11th call of the same filtered page took 404 ms where the first ten took 6 to 16 ms, and
custom plans take 10 ms every time (`actor=egypt&predicate=supply_arms&polarity=negated`: 21 req/s in the scale
benchmark)."""
INLINE_BUDGET = 0.002
"""Seconds of the event loop thread's CPU time a page of a list (SQLite, `Store.call_page`) or a search (both backends,
`Store.call_search`) may take on the loop before it runs again in a worker thread (CLAIMS_DB_INLINE_BUDGET_MS)."""
PROGRESS_STEPS = 2000
"""SQLite virtual machine instructions between two checks of that budget (a few microseconds of work)."""
WALL_FACTOR = 5
"""The budget counts the CPU time of the event loop's thread (`time.thread_time`), and, so that a read waiting on the
disk or the GIL cannot hold the loop either, at most this many times as much time on the clock. Counted on the clock
alone, a page whose thread lost the CPU or the GIL for a moment (to a worker thread, another process) overran the budget
and ran again in a thread, whose GIL contention made the next pages overrun too. At 100,000 claims on a quiet machine
(wrk -c16): `actor=egypt&predicate=supply_arms&polarity=negated` 410 -> 466 pages/s, p99 158 -> 76 ms; the first page
p99 15 -> 10 ms; a date range 704 -> 731 pages/s."""
T = TypeVar("T")


_loop_held: ContextVar[Any] = ContextVar("claims_loop_held", default=None)
"""On PostgreSQL, inside `Store._on_loop`: the asynchronous connection (psycopg's AsyncConnection) the read running on
the event loop holds, which `Store.one` and `Store.all` then await through the read's greenlet."""


def _past(deadline: tuple[float, float]) -> bool:
    """Whether a page on the event loop has used its budget: (CPU time of this thread, time on the clock)."""
    return time.thread_time() > deadline[0] or time.perf_counter() > deadline[1]


def _lost(conn: Any) -> bool:
    """Whether a pooled PostgreSQL connection turned out to be gone (the server restarted, or ended it while it sat
    idle in the pool): psycopg marks it broken, the pool drops it, and the read may run once more on another."""
    return conn is not None and bool(conn.broken)


class _OverBudget(Exception):
    """A read tried on the event loop reached its budget between two statements (Store._within_budget, or
    _LoopBudget on PostgreSQL), or at a check the read made itself (Store.check_budget)."""


class _LoopBudget:
    """PostgreSQL, inside `Store._on_loop` with a budget: the CPU time of the event loop's thread that one read's greenlet
    has used, counted only while it runs (not while it awaits PostgreSQL, when the loop serves other requests)."""

    __slots__ = ("limit", "resumed", "spent")

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.spent = 0.0
        self.resumed = time.thread_time()

    def check(self) -> None:
        """Raise _OverBudget when the read has used its budget."""
        if self.spent + time.thread_time() - self.resumed > self.limit:
            raise _OverBudget

    def pause(self) -> None:
        """The read awaits a statement: stop counting (after `check`)."""
        self.spent += time.thread_time() - self.resumed

    def resume(self) -> None:
        self.resumed = time.thread_time()


_loop_budget: ContextVar[_LoopBudget | None] = ContextVar("claims_loop_budget", default=None)


@contextmanager
def _uncounted(*, check: bool) -> Iterator[None]:
    """Around a statement awaited on the loop inside a read with a budget: first raise _OverBudget when the budget is
    used (`check`; not for a ROLLBACK, which must run past it), then stop counting until the statement returns, since
    the loop serves other requests meanwhile. Nothing outside such a read."""
    budget = _loop_budget.get()
    if budget is None:
        yield
        return
    if check:
        budget.check()
    budget.pause()
    try:
        yield
    finally:
        budget.resume()


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


_turn = threading.local()  # `deadline`: when the write this thread runs must give up waiting (time.monotonic)


class WriteGate:
    """The writes of one process, one at a time and in the order they came (first in, first out).

    Writes apply one at a time anyway (SQLite's write lock, PostgreSQL's advisory lock), but the database's own
    waiting is no queue: SQLite's busy handler retries after sleeps of growing length, so a writer that came first
    could be overtaken again and again and time out while later ones went through (1 to 3 of 80 writes from four
    clients did, on SQLite). Writers of this process queue here instead, each behind the ones before it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: deque[threading.Event] = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        """Wait for this writer's turn, at most `timeout` seconds; False when it did not come."""
        with self._lock:
            if not self._held and not self._waiting:
                self._held = True
                return True
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(timeout):
            return True
        with self._lock:
            if turn.is_set():  # handed over just as the wait ended
                return True
            self._waiting.remove(turn)
            return False

    def release(self) -> None:
        """End this writer's turn: hand it to the first writer waiting, if any."""
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._held = False

    @property
    def waiting(self) -> int:
        """Writers queued behind the one whose turn it is."""
        with self._lock:
            return len(self._waiting)


class Checkpointer:
    """Copies an SQLite database's write-ahead log back into the database file in a thread of its own, after each
    write (`poke`), so that no write waits for it.

    Left to SQLite, the write whose commit takes the log past 1,000 pages (`wal_autocheckpoint`) copies the whole
    log into the file and syncs it before it returns: at 100,000 claims a claim's write adds about 100 pages of
    16 KiB, so every tenth write took 80-190 ms instead of 20-30. The server's write connections turn that off
    (`wal_autocheckpoint=0`) and this thread runs `PRAGMA wal_checkpoint(PASSIVE)` instead, on a connection of its
    own: a passive checkpoint waits for no lock and blocks neither readers nor writers; frames that a reader still
    needs are copied by a later one. Pokes that arrive while one runs make one more run, not one each.

    SQLite starts the log again from its beginning only when a write begins after a checkpoint has copied all of
    it. While writers follow one another without a pause, a checkpoint run beside them never catches up, and the
    log grew without bound (168 MB after 4,000 actors written by four clients at once, where SQLite's own
    checkpoints kept it at 16 MB). So once a checkpoint leaves the log longer than `RESTART_PAGES`, the thread
    takes a turn among this process's writers (`WriteGate`, first in, first out) and checkpoints again, with no
    writer of this process under way: that one copies what is left, and the next write starts the log again.
    The write connections' `journal_size_limit` then cuts the file back to that length. Writers of other
    processes are not held by this process's turn (as with SQLite's own checkpoints). A database left with a log
    when the server stops is checkpointed by the next connection to close it (SQLite does that on the last
    close)."""

    RESTART_PAGES = 1_000  # SQLite's own wal_autocheckpoint

    def __init__(self, path: Path, gate: WriteGate, timeout: float) -> None:
        self.path = path
        self._gate = gate
        self._timeout = timeout
        self._wake = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """Ask for a checkpoint soon (returns at once)."""
        self._wake.set()

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._closing:
                    return
                with suppress(sqlite3.Error):  # e.g. the file is being replaced by a build: the next poke tries again
                    _, log, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    if log > self.RESTART_PAGES and self._gate.acquire(self._timeout):
                        try:
                            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                        finally:
                            self._gate.release()
        finally:
            conn.close()

    def close(self) -> None:
        """Stop the thread (a checkpoint under way finishes first)."""
        self._closing = True
        self._wake.set()
        self._thread.join(timeout=30)


class WriteEngine:
    """The engine writes use in a server (`app.state.engine`): `begin()` and `connect()` as SQLAlchemy's, each
    first waiting its turn in the process's `WriteGate`.

    One deadline, CLAIMS_DB_POOL_TIMEOUT_SECONDS from the request's call, covers every wait of a write: its turn
    here, a connection from the pool, and the database's write lock held by another process (what is left of it
    becomes the transaction's busy_timeout or lock_timeout). Past it: 503 /problems/unavailable with Retry-After,
    and nothing written."""

    def __init__(self, engine: Engine, timeout: float) -> None:
        self.engine = engine
        self.timeout = timeout
        self.gate = WriteGate()
        self.checkpointer: Checkpointer | None = None
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            self.checkpointer = Checkpointer(sqlite_path(engine.url.render_as_string()), self.gate, timeout)

            @event.listens_for(engine, "connect")
            def _no_autocheckpoint(dbapi_conn: Any, _record: Any) -> None:  # the checkpointer's thread does it
                dbapi_conn.execute("PRAGMA wal_autocheckpoint=0")
                dbapi_conn.execute(f"PRAGMA journal_size_limit={Checkpointer.RESTART_PAGES * SQLITE_PAGE_SIZE}")

    @contextmanager
    def _turn(self) -> Iterator[None]:
        deadline = time.monotonic() + self.timeout
        if not self.gate.acquire(self.timeout):
            raise Unavailable(
                f"Writes on this server take their turn one at a time, and those ahead of this one took longer than"
                f" {self.timeout:g} s (CLAIMS_DB_POOL_TIMEOUT_SECONDS); nothing was written, try again shortly."
            )
        _turn.deadline = deadline
        try:
            yield
        finally:
            _turn.deadline = None
            self.gate.release()
            if self.checkpointer is not None:  # after the transaction the turn held has ended
                self.checkpointer.poke()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self._turn(), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self._turn(), self.engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.close()
        self.engine.dispose()


SQLITE_PAGE_SIZE = 16384
"""Bytes per page of a new SQLite file. A claim's row (its record, its compressed view and summary: about 2.2 kB)
left half of a 4,096-byte page empty, one row a page; 16 KiB pages hold seven. Measured on a 20,000-claim build
(`python -m bench.storage`): 285 MB with 4 KiB pages (269 MB once vacuumed), 240 MB with 8 KiB, 231 MB with 16 KiB,
233 MB with 64 KiB. A file made before keeps its page size (a VACUUM would change it)."""


def make_engine(database_url: str, *, pool_size: int = 10, timeout: float = 30.0) -> Engine:
    """The SQLAlchemy engine for writes, migrations and builds: at most `pool_size` connections (no overflow).

    Waits are bounded by `timeout` seconds each: a checkout from the pool (then sqlalchemy.exc.TimeoutError), and
    the wait for the database's write lock that every transaction takes first (SQLite's `BEGIN IMMEDIATE` under
    `busy_timeout`, then sqlite3.OperationalError "database is locked"; PostgreSQL's advisory lock under
    `lock_timeout`, then psycopg's LockNotAvailable). In a route each becomes a 503 /problems/unavailable with
    Retry-After (api/errors.py), and the transaction is rolled back."""
    bounds: dict[str, Any] = {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": timeout}
    wait_ms = max(1, round(timeout * 1000))

    def lock_wait_ms() -> int:
        """How long this transaction may wait for the write lock: what is left of its writer's deadline
        (`WriteEngine`), else `timeout`."""
        deadline = getattr(_turn, "deadline", None)
        return wait_ms if deadline is None else max(1, round((deadline - time.monotonic()) * 1000))

    if is_sqlite(database_url):
        engine = create_engine(database_url, connect_args={"check_same_thread": False, "timeout": timeout}, **bounds)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # transactions are begun explicitly, below
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")  # before WAL: only a new, empty file takes it
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={wait_ms}")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={lock_wait_ms()}")
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    engine = create_engine(sqlalchemy_url(database_url), pool_pre_ping=True, connect_args={"application_name": APPLICATION_NAME},
                           **bounds)

    @event.listens_for(engine, "begin")
    def _pg_begin(conn: Connection) -> None:
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {lock_wait_ms()}")
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


def _on_event_loop() -> bool:
    """Whether this thread is running an event loop (asyncio's, which anyio runs on here)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class _Lane:
    """A bound on concurrent database work: `size` tokens (threads at once), and on PostgreSQL a pool of at most
    `size` connections, one held per token. Made on first use (the limiter needs the running event loop's library)."""

    def __init__(self, name: str, size: int) -> None:
        self.name = name
        self.size = size
        self._limiter: anyio.CapacityLimiter | None = None
        self._threads: anyio.CapacityLimiter | None = None
        self.pool: Any = None

    def limiters(self) -> tuple[anyio.CapacityLimiter, anyio.CapacityLimiter]:
        if self._limiter is None or self._threads is None:
            self._limiter, self._threads = anyio.CapacityLimiter(self.size), anyio.CapacityLimiter(self.size)
        return self._limiter, self._threads


class Store:
    """Read access, statements in `?` style, with a bounded number of connections and threads.

    The read path skips the ORM on purpose: a read is one indexed lookup of a pre-rendered body,
    and the ORM's per-query overhead would cost more than the lookup itself.

    Routes reach it in these ways, each running a function `fn` that calls `one` and `all` (and `snapshot`, for
    statements that must see one state of the database):
    - `await store.lookup(fn, ...)`, a primary-key read of a stored body or two, and `await store.call_page(fn, ...)`,
      a page of a list (work whose Python is bounded by the page's `limit`), run on the event loop. On SQLite `fn`
      runs there directly (a lookup takes about 0.1 ms, less than the hop to a worker thread and back; a page is
      held to `inline_budget` seconds of statements, else it runs again in a worker thread). On PostgreSQL, once
      `open` has run, `fn` runs in a greenlet holding one connection of an asynchronous pool of at most
      `loop_pool_size`,
      and each statement is sent and awaited: the loop serves other requests during every round trip, and no
      worker thread competes with it for the GIL.
    - `await store.call(fn, ...)` runs `fn` in a worker thread once one of `pool_size` tokens is free (on PostgreSQL
      holding one connection of a psycopg_pool pool of at most `pool_size`; on SQLite each thread keeps its own
      connection, opening one costing about as much as a read, so the threads bound them).
    - `await store.call_heavy(fn, ...)`, for work that is mostly Python (export, and a search past its budget), does the
      same after taking one of `heavy_size` tokens, so that only a few of them compete with the event loop for the GIL
      at once; `await store.call_search(fn, ...)` first tries `fn` on the event loop within `inline_budget` (a search).
    A call that waits longer than `timeout` seconds for a token or a connection raises Unavailable (503 with
    Retry-After). `/healthz` has its own lane of one token and one connection, so that a pool taken by slow requests
    does not hold it up. Outside a call, `one` and `all` take a pooled connection per statement in a worker thread
    (waiting at most `timeout` seconds), and on the event loop's own thread its one kept connection.

    Connections to PostgreSQL per process: at most `pool_size` + `loop_pool_size` + 2 here (the threads' pool, the
    loop's pool, `/healthz`'s and the loop's own), plus the write engine's (make_engine).
    """

    def __init__(self, database_url: str, *, pool_size: int = 10, loop_pool_size: int = 4, heavy_size: int = 2,
                 timeout: float = 5.0, inline_budget: float = INLINE_BUDGET) -> None:
        self.database_url = database_url
        self.sqlite = is_sqlite(database_url)
        self.timeout = timeout
        self.inline_budget = inline_budget
        self.reads = _Lane("reads", pool_size)
        self.heavy = _Lane("heavy", min(heavy_size, pool_size))
        self.health = _Lane("health", 1)
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()
        self._sql: dict[str, str] = {}
        self._loop_conn: Any = None
        self._loop_pool: Any = None
        self.loop_pool_size = loop_pool_size
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()

    # -- connections

    async def open(self) -> None:
        """On PostgreSQL, open the pool of asynchronous connections that pages and lookups use on the event loop
        (`_on_loop`; at most `loop_pool_size` connections, opened as they are needed). Called by the app's lifespan, on the
        loop that serves requests; a Store never opened reads in worker threads only. Nothing on SQLite."""
        if self.sqlite or self._loop_pool is not None:
            return
        from psycopg_pool import AsyncConnectionPool

        self._loop_pool = AsyncConnectionPool(
            self._conninfo(), min_size=1, max_size=self.loop_pool_size, timeout=self.timeout, name="claims-loop",
            kwargs=self._connection_options(), open=False,
        )
        await self._loop_pool.open(wait=False)

    async def aclose(self) -> None:
        """`close`, and the asynchronous pool `open` made (on the loop it was opened on)."""
        pool, self._loop_pool = self._loop_pool, None
        if pool is not None:
            await pool.close()
        self.close()

    @staticmethod
    def _connection_options() -> dict[str, Any]:
        """psycopg connection options of every read connection: autocommit, statements prepared from their second
        use, custom plans (CUSTOM_PLANS), and the application name PostgreSQL shows."""
        return {"autocommit": True, "prepare_threshold": 2, "application_name": APPLICATION_NAME, "options": CUSTOM_PLANS}

    def _conninfo(self) -> str:
        return make_url(self.database_url).set(drivername="postgresql").render_as_string(hide_password=False)

    def _loop_connection(self) -> Any:
        """The event loop thread's own PostgreSQL connection, opened again if it broke."""
        conn = self._loop_conn
        if conn is None or conn.closed or conn.broken:
            conn = self._loop_conn = psycopg.connect(self._conninfo(), **self._connection_options())
        return conn

    def _sqlite_connection(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(sqlite_path(self.database_url), check_same_thread=False)
            conn.execute("PRAGMA query_only=1")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def _pool(self, lane: _Lane) -> Any:
        if lane.pool is None:
            with self._lock:
                if lane.pool is None:
                    from psycopg_pool import ConnectionPool

                    lane.pool = ConnectionPool(
                        self._conninfo(), min_size=1, max_size=lane.size, timeout=self.timeout, name=f"claims-{lane.name}",
                        kwargs=self._connection_options(),
                        open=True,
                    )
        return lane.pool

    @contextmanager
    def _held(self, lane: _Lane) -> Iterator[Any]:
        """A connection for this thread's statements until the block ends."""
        if self.sqlite:
            yield self._sqlite_connection()
            return
        try:
            with self._pool(lane).connection() as conn:
                self._local.held = conn
                try:
                    yield conn
                finally:
                    self._local.held = None
        except PoolTimeout:
            raise self._unavailable() from None

    def _unavailable(self, setting: str = "CLAIMS_DB_POOL_SIZE", size: int | None = None) -> Unavailable:
        return Unavailable(
            f"Every database connection of this server stayed busy for {self.timeout:g} s"
            f" ({setting}={self.reads.size if size is None else size}); try again shortly."
        )

    @property
    def conn(self) -> Any:
        """The connection this thread holds (inside `call`), or on SQLite its own."""
        if self.sqlite:
            return self._sqlite_connection()
        held = getattr(self._local, "held", None)
        if held is None:
            raise RuntimeError("no connection held: use Store.call, or one() and all()")
        return held

    # -- running work

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(*args, **kwargs)` in a worker thread holding a read connection; Unavailable (503) when none frees
        up within the timeout. Exceptions from `fn` propagate."""
        return await self._run(self.reads, fn, args, kwargs)

    async def call_page(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """As `call`, for a page of a list: work whose Python is bounded by the page's `limit`, so that only its
        statements can take long. On SQLite `fn` is first tried on the event loop, within `inline_budget`
        seconds of the loop thread's CPU time (and `WALL_FACTOR` times that on the clock): its statements are
        interrupted once that much has passed since the call began (SQLite's progress handler, checked every
        `PROGRESS_STEPS` virtual machine instructions), and the call then runs again, whole, in a worker thread. On
        PostgreSQL it runs on the loop too, awaiting its statements (`_on_loop`). A page read within the budget (the usual case, 0.05-2 ms) so skips the
        hop to a thread and back, which cost more than the read itself; a slow one holds the loop for the budget
        and its own Python (README, "Concurrency and connections"). Errors as `call`."""
        if self.sqlite and self.inline_budget > 0:
            done, value = self._within_budget(fn, args, kwargs)
            if done:
                return cast(T, value)
        if self._loop_pool is not None:
            return await self._on_loop(fn, args, kwargs)
        return await self._run(self.reads, fn, args, kwargs)

    async def call_search(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """As `call_heavy`, for a search's page: work that is mostly Python, whose size follows the page's `limit` when
        the index serves it well and can grow past it when it does not (several common words). It is first tried on
        the event loop within `inline_budget` seconds of the loop thread's CPU time, counted over its statements and
        its Python: on SQLite as `call_page` counts it, on PostgreSQL only while its greenlet runs (`_on_loop`).
        The budget is checked before each statement and wherever `fn` calls `check_budget`; once past it, the call
        runs again, whole, as `call_heavy`. So a search the index answers at once (one word: about 1 ms) skips the
        hop to a worker thread and the fight for the GIL there, and a slow one holds the loop for at most the budget
        and the Python between two checks. Errors as `call`."""
        if self.inline_budget > 0:
            if self.sqlite:
                done, value = await self._in_turn(fn, args, kwargs)
                if done:
                    return cast(T, value)
            elif self._loop_pool is not None:
                try:
                    return await self._on_loop(fn, args, kwargs, budget=self.inline_budget)
                except _OverBudget:
                    pass
        return await self.call_heavy(fn, *args, **kwargs)

    def check_budget(self) -> None:
        """Inside a read tried on the event loop within a budget (`call_page`, `call_search`): raise the exception that
        sends it to a worker thread once the budget is used; elsewhere nothing. For Python loops between statements."""
        budget = _loop_budget.get()
        if budget is not None:
            budget.check()
        else:
            self._before_statement()

    async def _on_loop(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any],
                       budget: float | None = None) -> T:
        """PostgreSQL: `fn(*args, **kwargs)` on the event loop, in a greenlet (SQLAlchemy's `greenlet_spawn`), holding
        one connection of the asynchronous pool. Each of its statements is sent and awaited (`await_only`), so
        the loop serves other requests while PostgreSQL answers, and no worker thread competes with the loop for
        the GIL; only `fn`'s own Python, bounded by a page's `limit` or a lookup's one record, holds the loop.
        With a `budget` (seconds), _OverBudget once `fn` has used that much of the loop thread's CPU time (_LoopBudget).
        Unavailable (503) when no connection frees up within the timeout."""
        for attempt in range(2):
            conn = None
            try:
                async with self._loop_pool.connection(timeout=self.timeout) as conn:
                    held = _loop_held.set(conn)
                    counted = _loop_budget.set(None if budget is None else _LoopBudget(budget))
                    try:
                        return await greenlet_spawn(fn, *args, **kwargs)
                    finally:
                        _loop_budget.reset(counted)
                        _loop_held.reset(held)
            except PoolTimeout:
                raise self._unavailable("CLAIMS_DB_LOOP_POOL_SIZE", self.loop_pool_size) from None
            except psycopg.OperationalError:
                if attempt or not _lost(conn):
                    raise
        raise AssertionError("unreachable")

    async def _in_turn(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[bool, Any]:
        """SQLite, for searches: `_within_budget`, one at a time on the loop, each after the loop has run what was ready
        when its turn came. Searches that wait for their turn wait on a lock, not in the loop's queue of ready
        callbacks, so a request that arrives meanwhile (a health check, a page) waits for the search running, not for
        every search queued. At 100,000 claims with no search pages kept, 8 connections searching for `egypt` and one
        polling `/healthz`: `/healthz` p50 12.9-14.7 ms, p99 27-32 ms with searches run as they came; 1.9-2.0 and
        3.4-5.9 ms with turns (searches 572-630 against 482-526 per second). Pages do not take turns: on the curated
        dataset turns cost 10-15% of their throughput (about 1,400 against 1,250 pages/s)."""
        loop = asyncio.get_running_loop()
        turn = self._turns.get(loop)
        if turn is None:
            turn = self._turns[loop] = asyncio.Lock()
        async with turn:
            await asyncio.sleep(0)
            return self._within_budget(fn, args, kwargs)

    def _within_budget(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[bool, Any]:
        """(True, what `fn` returned) when it finished within the budget on this thread's SQLite connection; (False,
        None) when it ran past it: SQLite interrupted one of its statements, or the budget had passed when it sent
        the next one (a page of many short statements, each too short for the progress handler). So the page's
        database work ends by the budget, plus what one check interval (`PROGRESS_STEPS`) runs; what follows the
        last statement is the page's own Python, bounded by its `limit`."""
        conn = self._sqlite_connection()
        deadline = (time.thread_time() + self.inline_budget, time.perf_counter() + self.inline_budget * WALL_FACTOR)
        conn.set_progress_handler(partial(_past, deadline), PROGRESS_STEPS)
        self._local.deadline = deadline
        interrupted = False
        try:
            return True, fn(*args, **kwargs)
        except _OverBudget:
            return False, None
        except sqlite3.OperationalError as error:
            if error.sqlite_errorname != "SQLITE_INTERRUPT":
                raise
            interrupted = True
            return False, None
        finally:
            self._local.deadline = None
            conn.set_progress_handler(None, 0)
            if interrupted:
                self._renew_sqlite_connection(conn)

    def _renew_sqlite_connection(self, conn: Any) -> None:
        """Close this thread's SQLite connection, so that its next statement opens another. After a statement was
        interrupted part way, the connection's cached copy of it ran three times as slow from then on (a date range's
        page at 100,000 claims: 0.76 ms against 0.23 on a new connection, so that 16 clients got 660 pages/s instead
        of 1,250); a new connection costs about one read."""
        with self._lock:
            if conn in self._all:
                self._all.remove(conn)
        self._local.conn = None
        conn.close()

    def _before_statement(self) -> None:
        """Inside `_within_budget`: raise _OverBudget when the budget has passed before a statement is sent."""
        deadline = getattr(self._local, "deadline", None)
        if deadline is not None and _past(deadline):
            raise _OverBudget

    async def lookup(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(*args, **kwargs)`, a primary-key read or two, on the event loop: on SQLite directly, on PostgreSQL
        awaiting its statements (`_on_loop`; as `call` on a Store never opened)."""
        if self.sqlite:
            return fn(*args, **kwargs)
        if self._loop_pool is not None:
            return await self._on_loop(fn, args, kwargs)
        return await self._run(self.reads, fn, args, kwargs)

    async def call_heavy(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """As `call`, for work that is mostly Python (search, export): at most `heavy_size` such calls at once. Not run
        again on a lost connection (an export's chunk consumes the lines it reads)."""
        return await self._run(self.reads, fn, args, kwargs, first=self.heavy, retry=False)

    async def call_health(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """As `lookup`, in the lane of its own that `/healthz` uses on PostgreSQL (one token, one connection)."""
        if self.sqlite:
            return fn(*args, **kwargs)
        return await self._run(self.health, fn, args, kwargs)

    async def _run(self, lane: _Lane, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any],
                   first: _Lane | None = None, retry: bool = True) -> T:
        tokens, threads = lane.limiters()
        before = first.limiters()[0] if first is not None else None
        try:
            with anyio.fail_after(self.timeout):
                if before is not None:
                    await before.acquire()
                try:
                    await tokens.acquire()
                except BaseException:
                    if before is not None:
                        before.release()
                    raise
        except TimeoutError:
            raise self._unavailable() from None
        try:
            return await anyio.to_thread.run_sync(partial(self._in_lane, lane, fn, args, kwargs, retry), limiter=threads)
        finally:
            tokens.release()
            if before is not None:
                before.release()

    def _in_lane(self, lane: _Lane, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any], retry: bool) -> T:
        """`fn` holding a connection of `lane`. On PostgreSQL, when `retry` and the connection turns out to have been
        lost while it sat in the pool (the server restarted or ended it: psycopg marks it broken), the pool drops it
        and `fn` runs once more on another, so that a read does not fail for a connection nobody was using."""
        if self.sqlite:
            with self._held(lane):
                return fn(*args, **kwargs)
        for attempt in range(2):
            conn = None
            try:
                with self._held(lane) as conn:
                    return fn(*args, **kwargs)
            except psycopg.OperationalError:
                if attempt or not retry or not _lost(conn):
                    raise
        raise AssertionError("unreachable")

    # -- snapshots

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Inside a read (`call`, `call_page`, `call_search`, `lookup`): until the block ends, its statements see one
        state of the database, as of the first of them, whatever other connections commit meanwhile. A read-only
        transaction: on SQLite `BEGIN` (WAL keeps the reader's snapshot), on PostgreSQL `REPEATABLE READ, READ ONLY`
        (reads here are otherwise in autocommit, a snapshot per statement). For a read of several statements whose
        rows must agree: a search reads postings, then the index rows they name, then the records. Ended by COMMIT,
        or by ROLLBACK when the block raises (the exception then propagates). Outside a read, on PostgreSQL, where each
        statement would take a pooled connection of its own, the block holds one for its statements."""
        if not self.sqlite and _loop_held.get() is None and self._unheld() is None:
            with self._held(self.reads), self.snapshot():
                yield
            return
        self._control("BEGIN" if self.sqlite else "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        try:
            yield
        except BaseException:
            with suppress(Exception):  # a connection broken or interrupted: its transaction ends with it
                self._control("ROLLBACK")
            raise
        self._control("COMMIT")

    def _control(self, sql: str) -> None:
        """A transaction control statement on the connection the read holds, never refused for the read's budget (a
        ROLLBACK must run past it), but not counted in it either while awaited (the loop serves others then)."""
        loop_held = _loop_held.get()
        if loop_held is not None:
            with _uncounted(check=False):
                await_only(loop_held.execute(sql))
            return
        held = self._unheld()
        if self.sqlite and sql == "ROLLBACK" and not held.in_transaction:
            return
        held.execute(sql)

    # -- statements

    def _statement(self, sql: str) -> str:
        if self.sqlite:
            return sql
        converted = self._sql.get(sql)
        if converted is None:
            converted = self._sql[sql] = sql.replace("%", "%%").replace("?", "%s")
        return converted

    def _unheld(self) -> Any:
        """The connection for a statement outside `call`: SQLite's per-thread one, the event loop's own, or None
        (then one is taken from the pool for the statement)."""
        if self.sqlite:
            return self._sqlite_connection()
        held = getattr(self._local, "held", None)
        if held is None and _on_event_loop():
            return self._loop_connection()
        return held

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        loop_held = _loop_held.get()
        if loop_held is not None:
            return await_only(self._one_async(loop_held, sql, params))
        self._before_statement()
        held = self._unheld()
        if held is None:
            with self._held(self.reads) as conn:
                return self._one(conn, sql, params)
        return self._one(held, sql, params)

    def _one(self, conn: Any, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = conn.execute(self._statement(sql), params).fetchone()
        return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        loop_held = _loop_held.get()
        if loop_held is not None:
            return await_only(self._all_async(loop_held, sql, params))
        self._before_statement()
        held = self._unheld()
        if held is None:
            with self._held(self.reads) as conn:
                return self._all_rows(conn, sql, params)
        return self._all_rows(held, sql, params)

    def _all_rows(self, conn: Any, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = conn.execute(self._statement(sql), params).fetchall()
        return rows

    async def _one_async(self, conn: Any, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
        with _uncounted(check=True):
            cursor = await conn.execute(self._statement(sql), params)
            row: tuple[Any, ...] | None = await cursor.fetchone()
        return row

    async def _all_async(self, conn: Any, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with _uncounted(check=True):
            cursor = await conn.execute(self._statement(sql), params)
            rows: list[tuple[Any, ...]] = await cursor.fetchall()
        return rows

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
            for lane in (self.reads, self.health):
                if lane.pool is not None:
                    lane.pool.close()
                    lane.pool = None
            if self._loop_conn is not None:
                self._loop_conn.close()
                self._loop_conn = None
        self._local = threading.local()


__all__ = ["APPLICATION_NAME", "Store", "Unavailable", "make_engine", "migrate", "now"]
