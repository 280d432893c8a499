"""Moments outside the HTTP views: the one formatter, and the key listing of the command line."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from api import cli
from api.config import get_settings
from schemas.timestamps import rfc3339


def test_rfc3339_is_utc_with_microseconds_whatever_it_is_given():
    assert rfc3339(datetime(2026, 11, 24, 2, 6, 21, 538291, tzinfo=UTC)) == "2026-11-24T02:06:21.538291Z"
    assert rfc3339(datetime(2026, 11, 24, 2, 6, 21)) == "2026-11-24T02:06:21.000000Z"  # SQLite: naive, stored as UTC
    st_johns = timezone(-timedelta(hours=3, minutes=30))  # a PostgreSQL session's zone
    assert rfc3339(datetime(2026, 11, 23, 22, 36, 21, 5, tzinfo=st_johns)) == "2026-11-24T02:06:21.000005Z"


@pytest.fixture
def cli_env(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def test_keys_list_gives_when_each_key_was_created_and_revoked(cli_env, capsys):
    assert cli.main(["keys", "create", "--name", "desk", "--scopes", "write"]) == 0
    key_id = capsys.readouterr().out.strip().removeprefix("ck_").split(".")[0]
    assert cli.main(["keys", "revoke", key_id]) == 0
    capsys.readouterr()
    assert cli.main(["keys", "list"]) == 0
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.startswith(key_id)]
    stamp = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z"
    assert re.fullmatch(rf"{key_id}  read,write +created {stamp}  revoked {stamp} +desk", line), line
