"""Shared fixtures: a real SQLite database built from data/, and the app over HTTP."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from api.config import ROOT, Settings
from api.db import build_database
from api.main import create_app


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped dataset, built once per run into a fresh file."""
    path = tmp_path_factory.mktemp("db") / "claims.db"
    build_database(Settings(database_url=f"sqlite:///{path}", data_dir=ROOT / "data"))
    return path


@pytest.fixture
def settings(built_db: Path, tmp_path: Path) -> Iterator[Settings]:
    """Each test gets its own copy of the built database."""
    path = tmp_path / "claims.db"
    shutil.copyfile(built_db, path)
    yield Settings(database_url=f"sqlite:///{path}", data_dir=ROOT / "data", auto_build=False)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


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
