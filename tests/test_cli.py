"""The command line: API keys and export."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import pytest

from api import cli
from api.config import ROOT, get_settings


@pytest.fixture
def cli_env(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def test_keys_create_list_revoke(cli_env, capsys):
    assert cli.main(["keys", "create", "--name", "desk", "--scopes", "write"]) == 0
    out = capsys.readouterr()
    token = out.out.strip()
    assert token.startswith("ck_") and "." in token
    assert "cannot be shown again" in out.err
    key_id = token.removeprefix("ck_").split(".")[0]
    assert cli.main(["keys", "list"]) == 0
    listing = capsys.readouterr().out
    assert key_id in listing and "read,write" in listing and "active" in listing and token.split(".")[1] not in listing
    assert cli.main(["keys", "revoke", key_id]) == 0
    assert cli.main(["keys", "revoke", key_id]) == 1
    assert cli.main(["keys", "list"]) == 0
    assert "revoked" in capsys.readouterr().out


def test_a_key_is_stored_before_it_is_shown(cli_env, capsys, monkeypatch):
    """The key printed is a key stored: when printing its warning fails (stderr on a full disk), the key is already
    committed, so the token the terminal did show works."""
    class Full:
        def write(self, _text: str) -> int:
            raise OSError(28, "No space left on device")

        def flush(self) -> None:
            pass

        def isatty(self) -> bool:
            return False

    monkeypatch.setattr("sys.stderr", Full())
    with pytest.raises(OSError):
        cli.main(["keys", "create", "--name", "full-disk", "--scopes", "write"])
    token = capsys.readouterr().out.strip()
    monkeypatch.undo()
    assert token.startswith("ck_")
    assert cli.main(["keys", "list"]) == 0
    listing = capsys.readouterr().out
    assert f"{token.removeprefix('ck_').split('.')[0]}  read,write" in listing and "full-disk" in listing


def test_keys_refuse_unknown_scope(cli_env, capsys):
    assert cli.main(["keys", "create", "--name", "x", "--scopes", "superuser"]) == 2
    assert capsys.readouterr().err == "error: scopes must be among read, write, admin; got superuser\n"


def test_export_command_reproduces_data(cli_env, tmp_path, capsys):
    assert cli.main(["export", "--output", str(tmp_path)]) == 0
    assert "wrote 13 files" in capsys.readouterr().out  # synonyms.yaml among them
    for name in ("actors.yaml", "sources.yaml", "links.yaml", "documents/003.yaml", "corpus/003_31df72e609d04747.txt"):
        assert filecmp.cmp(tmp_path / name, ROOT / "data" / name, shallow=False), name


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


def _use_data(monkeypatch, data_dir) -> None:
    monkeypatch.setenv("CLAIMS_DATA_DIR", str(data_dir))
    get_settings.cache_clear()


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_check_reads_claims_data_dir(data_copy, monkeypatch, capsys):
    _use_data(monkeypatch, data_copy)
    assert cli.main(["check"]) == 0
    assert capsys.readouterr().out.startswith("dataset OK: ")
    (data_copy / "links.yaml").write_text("contradictions: [\n", encoding="utf-8")
    assert cli.main(["check"]) == 1
    assert capsys.readouterr().err.startswith("the dataset is invalid:\n  - links.yaml: not valid YAML")
    assert cli.main(["check", "--data", str(ROOT / "data")]) == 0  # --data still overrides it


def _break_every_stage(data_copy) -> None:
    from tests.test_loader import _break_every_stage as broken

    broken(data_copy)


def _problems(err: str) -> list[str]:
    return [line.removeprefix("  - ") for line in err.splitlines() if line.startswith("  - ")]


def test_check_lists_every_problem_of_every_stage(data_copy, monkeypatch, capsys):
    _use_data(monkeypatch, data_copy)
    _break_every_stage(data_copy)
    assert cli.main(["check"]) == 1
    problems = _problems(capsys.readouterr().err)
    assert problems[0].startswith("links.yaml: not valid YAML")
    assert [p.split(": ")[1] for p in problems[1:]] == [
        "claim 'us-representative-saw-no-missile-deliveries'", "claim 'sisi-planned-40000-missiles-for-russia'"]


def _write_through_the_api(database_url: str) -> None:
    from api.services.writes import Writer
    from api.store.db import make_engine
    from schemas.writes import ActorPatch

    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            Writer(conn, api_key_id=None).update("actor", "egypt", ActorPatch(description="Egypt, edited through the API."), "*")
    finally:
        engine.dispose()


def _egypt(database_url: str) -> str:
    from sqlalchemy import text

    from api.store.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT data FROM actor WHERE id = 'egypt'")).scalar())
    finally:
        engine.dispose()


def test_build_over_api_writes_still_checks_the_dataset(cli_env, data_copy, monkeypatch, capsys):
    _write_through_the_api(cli_env)
    _use_data(monkeypatch, data_copy)
    _break_every_stage(data_copy)
    written = _egypt(cli_env)
    assert cli.main(["build"]) == 1
    err = capsys.readouterr().err
    assert len(_problems(err)) == 3 and _problems(err)[0].startswith("links.yaml: not valid YAML")
    assert err.endswith(f"nothing was built: {data_copy} is invalid (the database is as it was)\n")
    assert _egypt(cli_env) == written
    # Valid again, and changed: not rebuilt over the API's writes, and it says so and what to do.
    shutil.rmtree(data_copy)
    shutil.copytree(ROOT / "data", data_copy)
    _edit(data_copy / "actors.yaml", "name: Egypt\n", "name: Egypt \n")
    assert cli.main(["build"]) == 0
    err = capsys.readouterr().err
    assert f"{data_copy} is valid and has changed since the database was built, but the database holds writes made through" in err
    assert "python -m api.cli export --output DIR" in err and "build --force" in err
    assert _egypt(cli_env) == written


def test_build_of_an_invalid_dataset_builds_nothing(empty_databases, data_copy, monkeypatch, capsys):
    url = empty_databases.new()
    monkeypatch.setenv("DATABASE_URL", url)
    _use_data(monkeypatch, data_copy)
    _break_every_stage(data_copy)
    try:
        assert cli.main(["build"]) == 1
        assert len(_problems(capsys.readouterr().err)) == 3
        if url.startswith("sqlite"):
            assert not Path(url.removeprefix("sqlite:///")).exists()
    finally:
        get_settings.cache_clear()


def test_make_serve_takes_a_port_and_a_database_url():
    import subprocess

    url = "postgresql://user@db.example:5432/claims"
    shown = subprocess.run(["make", "-n", "serve", "PORT=8181", f"DATABASE_URL={url}"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.splitlines()
    build = [line for line in shown if "-m api.cli build" in line]
    serve = [line for line in shown if "uvicorn api.main:app" in line]
    assert build == [f"DATABASE_URL='{url}' .venv/bin/python -m api.cli build"]
    assert len(serve) == 1 and serve[0].startswith(f"DATABASE_URL='{url}' CLAIMS_AUTO_BUILD=false ") and "--port 8181" in serve[0]


def test_keys_leave_a_database_as_it_is_without_auto_build(cli_env, monkeypatch, capsys):
    """With CLAIMS_AUTO_BUILD=false, as at start-up, a key command does not rebuild a database that data/ no longer
    matches (one built from other data, say): the key goes into the database as it is."""
    from sqlalchemy import text

    from api.store.db import make_engine

    engine = make_engine(cli_env)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE meta SET value = 'built-from-other-data' WHERE key = 'fingerprint'"))
            conn.execute(text("INSERT INTO meta (key, value) VALUES ('marker', 'kept')"))  # a rebuild starts afresh
    finally:
        engine.dispose()
    monkeypatch.setenv("CLAIMS_AUTO_BUILD", "false")
    get_settings.cache_clear()
    assert cli.main(["keys", "create", "--name", "bench", "--scopes", "write"]) == 0
    assert capsys.readouterr().out.startswith("ck_")
    engine = make_engine(cli_env)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT value FROM meta WHERE key = 'fingerprint'")).scalar_one() == "built-from-other-data"
            assert conn.execute(text("SELECT value FROM meta WHERE key = 'marker'")).scalar_one() == "kept"
            assert conn.execute(text("SELECT name FROM api_key")).scalars().all() == ["bench"]
    finally:
        engine.dispose()


def test_without_auto_build_a_database_never_built_is_named_not_made(tmp_path, monkeypatch, capsys):
    """With CLAIMS_AUTO_BUILD=false and no database yet, a key command and the server's start-up say what to run
    instead of failing on a missing table, and create nothing."""
    import anyio

    from api.config import Settings
    from api.main import create_app
    from api.store.seed import NotBuilt

    path = tmp_path / "never-built.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("CLAIMS_AUTO_BUILD", "false")
    get_settings.cache_clear()
    try:
        assert cli.main(["keys", "create", "--name", "x", "--scopes", "read"]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert err == (f"error: The database sqlite:///{path} has not been built, and CLAIMS_AUTO_BUILD is false: run"
                   " `python -m api.cli build` first, or leave CLAIMS_AUTO_BUILD at true.\n")
    assert not path.exists()

    app = create_app(Settings(database_url=f"sqlite:///{path}", auto_build=False))

    async def start() -> None:
        async with app.router.lifespan_context(app):
            pass

    with pytest.raises(NotBuilt, match="has not been built"):
        anyio.run(start)
    assert not path.exists()


@pytest.mark.parametrize("value", [0, -5])
def test_a_body_limit_below_one_byte_is_refused(value):
    from pydantic import ValidationError

    from api.config import Settings

    with pytest.raises(ValidationError) as refused:
        Settings(max_body_bytes=value)
    assert [(e["loc"], e["type"]) for e in refused.value.errors()] == [(("max_body_bytes",), "greater_than_equal")]
