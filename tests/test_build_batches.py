"""The build streams records a batch at a time (api/store/seed.py): whatever the batch, the database holds the same
rows, with the schema the migrations made; and its progress shows on a terminal only."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from sqlalchemy import text

from api.config import ROOT, Settings
from api.dataset.loader import load_dataset
from api.main import create_app
from api.progress import Steps
from api.store.db import make_engine, migrate
from api.store.seed import DATA_TABLES, seed

STAMPED = {"created_at", "updated_at", "at"}  # when the build ran


def _rows(database_url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every data table's rows, sorted, with the build's timestamps left out."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            out = {}
            for table in DATA_TABLES:
                result = conn.execute(text(f"SELECT * FROM {table}"))
                keep = [i for i, name in enumerate(result.keys()) if name not in STAMPED]
                out[table] = sorted((tuple(row[i] for i in keep) for row in result), key=repr)
            return out
    finally:
        engine.dispose()


def _indexes(database_url: str) -> list[tuple[str, str]]:
    """(name, definition) of every index, as the database reports it."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                sql = "SELECT name, coalesce(sql, tbl_name) FROM sqlite_master WHERE type = 'index'"
            else:
                sql = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            return sorted((str(n), str(d)) for n, d in conn.execute(text(sql)))
    finally:
        engine.dispose()


def _seeded(database_url: str, batch: int) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            migrate(conn)
            seed(conn, load_dataset(ROOT / "data"), batch=batch)
    finally:
        engine.dispose()


def _migrated(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            migrate(conn)
    finally:
        engine.dispose()


@pytest.mark.anyio
@pytest.mark.parametrize("batch", [1, 7])
async def test_small_batches_store_the_same_rows_as_the_build(template_url, empty_databases, batch):
    url = empty_databases.new()
    _seeded(url, batch)
    built, batched = _rows(template_url), _rows(url)
    assert {t: len(r) for t, r in batched.items()} == {t: len(r) for t, r in built.items()}
    assert batched == built
    assert built["claim"] and built["source_cite"] and built["revision"] and built["relation_rule"]
    # and the API serves the same answers from it
    assert await _answers(url) == await _answers(template_url)


async def _answers(database_url: str) -> list[object]:
    app = create_app(Settings(database_url=database_url, data_dir=ROOT / "data", auto_build=False))
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        answers = []
        for url in ("/v1/claims?limit=5", "/v1/actors?limit=5", "/v1/sources?limit=5", "/v1/search?q=egypt"):
            response = await client.get(url)
            assert response.status_code == 200, url
            answers.append(response.json()["items"])  # (the page cursors are signed with each database's own secret)
        return answers


def test_the_build_leaves_the_indexes_the_migrations_make(template_url, empty_databases):
    url = empty_databases.new()
    _migrated(url)
    made = _indexes(url)
    assert len(made) > 50
    assert _indexes(template_url) == made


def test_steps_draw_on_a_terminal_and_nothing_elsewhere(capsys):
    with Steps(enabled=True) as steps:
        task = steps.task("rendering and storing records", 3)
        task.advance(3)
    shown = capsys.readouterr().err
    assert "rendering and storing records" in shown and "3/3" in shown
    with Steps(enabled=False) as steps:
        steps.task("rendering and storing records", 3).advance(3)
    assert capsys.readouterr() == ("", "")


def test_a_build_into_a_pipe_writes_nothing_to_stderr(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "CLAIMS_DATABASE_URL": f"sqlite:///{tmp_path / 'claims.db'}", "CLAIMS_DATA_DIR": str(ROOT / "data")}
    done = subprocess.run([sys.executable, "-m", "api.cli", "build"], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert (tmp_path / "claims.db").exists()
