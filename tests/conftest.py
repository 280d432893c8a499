"""Shared fixtures: a real database built from data/, fresh for each test that can write, and the app over HTTP.

CLAIMS_TEST_BACKEND selects the backend: `sqlite` (default; a file per test, copied from one built
per run) or `postgresql` (a database per test, created from a template database built per run, on
the server at TEST_POSTGRES_URL). Tests that can only read share one copy (`READ_ONLY_PARAMETERS`).
"""

from __future__ import annotations

import inspect
import itertools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from api.config import ROOT, Settings
from api.http.auth import create_key
from api.main import create_app
from api.store.db import make_engine
from api.store.seed import build_database

BACKEND = os.environ.get("CLAIMS_TEST_BACKEND", "sqlite")
# tests/browser drives the explorer page in Chromium. The page does not depend on the backend, so it runs once per
# `make test`: in the SQLite run.
collect_ignore = [] if BACKEND == "sqlite" else ["browser"]
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
_counter = itertools.count()


def _pg_admin(statement: str) -> None:
    engine = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def _pg_url(database: str) -> str:
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + database


class EmptyDatabases:
    """Hands out URLs of new, empty databases on the backend under test, and removes them after."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.created: list[str] = []

    def new(self) -> str:
        n = next(_counter)
        if BACKEND == "sqlite":
            return f"sqlite:///{self.tmp / f'db{n}.db'}"
        name = f"claims_test_{os.getpid()}_{n}"
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {name}")
        self.created.append(name)
        return _pg_url(name)

    def drop_all(self) -> None:
        for name in self.created:
            _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def template_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shipped dataset, built once per run."""
    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("db") / "template.db"
        build_database(Settings(database_url=f"sqlite:///{path}", data_dir=ROOT / "data"))
        yield f"sqlite:///{path}"
        return
    name = f"claims_template_{os.getpid()}"
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _pg_admin(f"CREATE DATABASE {name}")
    build_database(Settings(database_url=_pg_url(name), data_dir=ROOT / "data"))
    yield _pg_url(name)
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def empty_databases(tmp_path: Path) -> Iterator[EmptyDatabases]:
    dbs = EmptyDatabases(tmp_path)
    yield dbs
    dbs.drop_all()


READ_ONLY_PARAMETERS = frozenset({"client", "anyio_backend", "tmp_path"})
"""A test that asks for nothing but these (and its parametrized values) can only read: `client` sends no key, and
every write needs one. Such tests share one copy of the built database (`shared_read_url`), which spares a
PostgreSQL run a database created from the template for each of them."""


def _state(url: str) -> tuple[object, ...]:
    """What any write would change: the revision log, the API keys and the idempotency records."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(text(
                "SELECT (SELECT count(*) FROM revision), (SELECT max(seq) FROM revision),"
                " (SELECT count(*) FROM api_key), (SELECT count(*) FROM idempotency_record)"
            )).one())
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def shared_read_url(template_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One copy of the built database for the tests that only read; the run fails if one of them changed it."""
    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("read") / "claims.db"
        shutil.copyfile(template_url.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    else:
        name = f"claims_read_{os.getpid()}"
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {name} TEMPLATE {template_url.rsplit('/', 1)[1]}")
        url = _pg_url(name)
    before = _state(url)
    yield url
    after = _state(url)
    if BACKEND != "sqlite":
        _pg_admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")
    assert after == before, f"a test given the shared read-only database wrote to it: {before} -> {after}"


def _only_reads(request: pytest.FixtureRequest) -> bool:
    function = getattr(request.node, "function", None)
    if function is None:
        return False
    callspec = getattr(request.node, "callspec", None)
    parametrized = set(callspec.params) if callspec is not None else set()
    own = set(inspect.signature(function).parameters) - parametrized
    return own <= READ_ONLY_PARAMETERS


@pytest.fixture
def database_url(request: pytest.FixtureRequest, template_url: str, tmp_path: Path) -> Iterator[str]:
    """A copy of the built database for this test alone; for a test that can only read (`READ_ONLY_PARAMETERS`),
    the copy those tests share."""
    if _only_reads(request):
        yield request.getfixturevalue("shared_read_url")
        return
    if BACKEND == "sqlite":
        path = tmp_path / "claims.db"
        shutil.copyfile(template_url.removeprefix("sqlite:///"), path)
        yield f"sqlite:///{path}"
        return
    name = f"claims_test_{os.getpid()}_{next(_counter)}"
    _pg_admin(f"CREATE DATABASE {name} TEMPLATE {template_url.rsplit('/', 1)[1]}")
    yield _pg_url(name)
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, data_dir=ROOT / "data", auto_build=False)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


def make_key(settings: Settings, scopes: str = "write", name: str = "test") -> str:
    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as conn:
            return create_key(conn, name=name, scopes=scopes.split(","))
    finally:
        engine.dispose()


@pytest.fixture
def write_key(settings: Settings) -> str:
    return make_key(settings, "write", "editor")


@pytest.fixture
def auth(write_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {write_key}"}


async def walk(client: httpx.AsyncClient, url: str) -> list[dict]:
    """Every item of a list, following `next` links page by page."""
    items: list[dict] = []
    next_url: str | None = url
    while next_url is not None:
        response = await client.get(next_url)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        next_url = page["next"]
        assert (page["next_cursor"] is None) == (next_url is None)
        if next_url is not None:
            assert response.headers["link"] == f'<{next_url}>; rel="next"'
    return items


def assert_problem(response: httpx.Response, status: int, type_: str, detail: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == type_
    assert body["status"] == status
    assert body["instance"] == response.request.url.path
    if detail is not None:
        assert body["detail"] == detail
    return body
