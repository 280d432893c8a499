"""Migration 0010 on a database built before it: it creates the reference tables and the kept claim counts and
fills them from the records already stored, as the seed fills them; its downgrade drops them."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Connection, inspect, text

from api.store.db import make_engine
from tests.test_migrations import _alembic

TABLES = {
    "actor_reference": "actor_id, field, target_id",
    "source_reference": "source_id, field, target_id",
    "claim_reference": "claim_id, field, target_id",
    "role_reference": "file, position, field, target_id",
    "actor_claim_count": "actor_id, role, count",
    "source_claim_count": "source_id, count",
}


def _rows(conn: Connection) -> dict[str, set[tuple]]:
    return {table: {tuple(r) for r in conn.execute(text(f"SELECT {columns} FROM {table}"))} for table, columns in TABLES.items()}


def test_reference_tables_are_filled_for_records_already_stored(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            seeded = _rows(conn)
        with engine.begin() as conn:
            command.downgrade(_alembic(conn), "0009")
        with engine.begin() as conn:
            assert not set(TABLES) & set(inspect(conn).get_table_names())
            command.upgrade(_alembic(conn), "head")
        with engine.begin() as conn:
            assert _rows(conn) == seeded
            speaks_for = {r[0] for r in conn.execute(text(
                "SELECT actor_id FROM actor_reference WHERE target_id = 'egypt' AND field = 'speaks_for'"))}
            counted = conn.execute(text("SELECT count(*) FROM claim_actor WHERE actor_id = 'egypt' AND role = 'subject'")).scalar()
    finally:
        engine.dispose()
    assert "egyptian-armed-forces" in speaks_for
    assert ("documents/000.yaml", 0, "of", "egypt") in seeded["role_reference"]
    assert ("egypt", "subject", counted) in seeded["actor_claim_count"] and counted > 5
    assert all(seeded.values())
