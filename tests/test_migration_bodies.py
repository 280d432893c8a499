"""Migration 0011 on a database that holds data: its downgrade gives every stored view back as JSON and every
seeded `create` revision its copy of the data, its upgrade compresses the views again to exactly the bytes a fresh
build stores and empties those copies, and the API serves the same documents and change feed either way; on
SQLite the link tables go back to rowid tables and become WITHOUT ROWID again, with the same indexes and rows."""

from __future__ import annotations

import json

import httpx
import pytest
from alembic import command
from sqlalchemy import Connection, inspect, text

from api.config import ROOT, Settings
from api.main import create_app
from api.store.bodies import GZIP_MAGIC, inflate
from api.store.db import make_engine
from tests.conftest import BACKEND
from tests.test_migrations import _alembic

pytestmark = pytest.mark.anyio

VIEWS = {"actor": ("body", "summary"), "source": ("body", "summary"), "claim": ("body", "summary"),
         "contradiction": ("body",), "corroboration": ("body",)}
CLAIM = "sisi-planned-40000-missiles-for-russia"


def _views(conn: Connection) -> dict[tuple[str, str, str], bytes]:
    out = {}
    for table, columns in VIEWS.items():
        for row in conn.execute(text(f"SELECT id, {', '.join(columns)} FROM {table}")):
            out.update({(table, row[0], c): bytes(v) for c, v in zip(columns, row[1:], strict=True)})
    return out


LINK_TABLES = ("claim_actor", "claim_source", "claim_language", "claim_key", "claim_proposition", "contradiction_claim",
               "corroboration_claim", "relation_rule", "source_cite", "source_language")


def _links(conn: Connection) -> dict[str, tuple[bool, list[str], int]]:
    """Each link table: whether SQLite stores it WITHOUT ROWID (False elsewhere), its indexes, its rows."""
    out = {}
    for table in LINK_TABLES:
        sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}).scalar() if conn.dialect.name == "sqlite" else ""
        indexes = sorted(i["name"] or "" for i in inspect(conn).get_indexes(table))
        out[table] = ("WITHOUT ROWID" in (sql or ""), indexes, conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    return out


def _afters(conn: Connection) -> list[tuple[int, str, str | None]]:
    return [(r[0], r[1], r[2]) for r in conn.execute(text("SELECT seq, action, after FROM revision ORDER BY seq"))]


async def _served(database_url: str) -> tuple[bytes, dict, list[dict]]:
    app = create_app(Settings(database_url=database_url, data_dir=ROOT / "data", auto_build=False))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        one = await client.get(f"/v1/claims/{CLAIM}", headers={"Accept-Encoding": "identity"})
        page = await client.get("/v1/claims?limit=200")
        changes = [await client.get(f"/v1/changes?limit=200&after={after}") for after in (0, 200)]
    assert one.status_code == page.status_code == 200 and all(c.status_code == 200 for c in changes)
    return one.content, page.json(), [item for c in changes for item in c.json()["items"]]


async def test_views_are_compressed_in_place_and_back(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            # A tombstone too: its views are stored like any other.
            conn.execute(text("UPDATE claim SET deleted_at = updated_at WHERE id = 'blinken-visited-cairo'"))
            seeded, seeded_afters, links = _views(conn), _afters(conn), _links(conn)
        served = await _served(database_url)
        _, page, changes = served
        with engine.begin() as conn:
            command.downgrade(_alembic(conn), "0010")
        with engine.begin() as conn:
            plain, afters = _views(conn), _afters(conn)
            # As at 0010: rowid tables, and the index migration 0012 drops back in place.
            assert _links(conn) == {t: (False, sorted([*indexes, *(["ix_claim_key_key"] if t == "claim_key" else [])]), rows)
                                    for t, (_, indexes, rows) in links.items()}
            data = {(r[0], r[1]): r[2] for t in VIEWS for r in conn.execute(text(f"SELECT '{t}', id, data FROM {t}"))}
        assert all(after is None for _, action, after in seeded_afters if action == "create")
        assert [(seq, action) for seq, action, _ in afters] == [(seq, action) for seq, action, _ in seeded_afters]
        resources = {c["seq"]: (c["resource"], c["resource_id"]) for c in changes}
        assert all(after == data[resources[seq]] for seq, action, after in afters if action == "create" and seq in resources)
        assert plain.keys() == seeded.keys()
        assert all(view[:1] == b"{" and view == inflate(seeded[key]) for key, view in plain.items())
        json.loads(plain[("claim", CLAIM, "body")])
        # A database from before 0011 is served as it is: JSON views, identity only.
        assert await _served(database_url) == served
        with engine.begin() as conn:
            command.upgrade(_alembic(conn), "head")
        with engine.begin() as conn:
            assert _views(conn) == seeded
            assert _afters(conn) == seeded_afters
            assert _links(conn) == links
        assert await _served(database_url) == served
    finally:
        engine.dispose()
    assert seeded[("claim", CLAIM, "body")][:2] == GZIP_MAGIC and seeded[("claim", CLAIM, "summary")][:1] == b"\x78"
    assert len(seeded) == 2 * (len(page["items"]) + 1) + 2 * 75 + 2 * 24 + 18 + 27  # every view of every record
    assert "blinken-visited-cairo" not in {c["id"] for c in page["items"]}
    assert all(without_rowid == (BACKEND == "sqlite") for without_rowid, _, _ in links.values())
    assert links["claim_actor"][2] > 300 and "ix_claim_actor_actor_claim" in links["claim_actor"][1]
    assert len(changes) == 119 + 75 + 24 + 18 + 27 and all(c["action"] == "create" and c["after"]["id"] == c["resource_id"] for c in changes)
