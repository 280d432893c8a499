"""The command line: API keys and export."""

from __future__ import annotations

import filecmp

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


def test_keys_refuse_unknown_scope(cli_env, capsys):
    assert cli.main(["keys", "create", "--name", "x", "--scopes", "superuser"]) == 2
    assert capsys.readouterr().err == "error: scopes must be among read, write, admin; got superuser\n"


def test_export_command_reproduces_data(cli_env, tmp_path, capsys):
    assert cli.main(["export", "--output", str(tmp_path)]) == 0
    assert "wrote 12 files" in capsys.readouterr().out
    for name in ("actors.yaml", "sources.yaml", "links.yaml", "documents/003.yaml", "corpus/003_31df72e609d04747.txt"):
        assert filecmp.cmp(tmp_path / name, ROOT / "data" / name, shallow=False), name
