"""Migration 0007 on a database that holds data: it fills the language ranges of the claims and sources
already stored, and its downgrade gives claim_language back the tags as written."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Connection, inspect, text

from api.store.db import make_engine
from tests.test_migrations import _alembic

WORLDTRIBUNE = "worldtribune-2013-russia-egypt-strategic-talks"


def _rows(conn: Connection, table: str, owner: str) -> set[tuple[str, str]]:
    return {(r[0], r[1]) for r in conn.execute(text(f"SELECT {owner}, language FROM {table}"))}


def test_language_ranges_are_filled_for_records_already_stored(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            seeded_claims, seeded_sources = _rows(conn, "claim_language", "claim_id"), _rows(conn, "source_language", "source_id")
            quoting = {r[0] for r in conn.execute(text("SELECT claim_id FROM claim_source WHERE source_id = :s"), {"s": WORLDTRIBUNE})}
        with engine.begin() as conn:
            command.downgrade(_alembic(conn), "0006")
        with engine.begin() as conn:
            assert "source_language" not in inspect(conn).get_table_names()
            # The shipped tags have one subtag each: as written, they are their own only range.
            assert _rows(conn, "claim_language", "claim_id") == seeded_claims
            # A database from before, where a source is tagged with a region.
            conn.execute(text("UPDATE source SET language = 'en-GB' WHERE id = :s"), {"s": WORLDTRIBUNE})
            conn.execute(text("UPDATE claim_language SET language = 'en-GB' WHERE language = 'en' AND claim_id IN"
                              " (SELECT claim_id FROM claim_source WHERE source_id = :s)"), {"s": WORLDTRIBUNE})
            command.upgrade(_alembic(conn), "head")
        with engine.begin() as conn:
            assert _rows(conn, "source_language", "source_id") == seeded_sources | {(WORLDTRIBUNE, "en-gb")}
            assert _rows(conn, "claim_language", "claim_id") == seeded_claims | {(c, "en-gb") for c in quoting}
    finally:
        engine.dispose()
    assert len(quoting) > 5 and (WORLDTRIBUNE, "en") in seeded_sources and ("ar-egypt-dropped-missile-plan", "ar") in seeded_claims
