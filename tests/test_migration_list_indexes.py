"""Migrations 0009, 0013, 0016 and 0017: the database the migrations build has exactly the indexes schemas/tables.py declares on the
tables the lists read, with the same columns, on both backends; the single-column indexes they replaced are gone."""

from __future__ import annotations

import importlib.util

from sqlalchemy import Connection, inspect, text

from api.config import ROOT
from api.store.db import make_engine
from schemas.tables import LIST_INDEXES, SQLModel

LISTED_TABLES = {"claim", "claim_actor", "claim_source", "claim_language", "claim_proposition", "actor", "source",
                 "source_language", "source_cite", "contradiction", "contradiction_claim", "corroboration",
                 "corroboration_claim", "relation_rule", "revision"}


def _migration(file: str = "0009_list_indexes.py") -> object:
    spec = importlib.util.spec_from_file_location(file.removesuffix(".py"), ROOT / "migrations" / "versions" / file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _indexes(conn: Connection, table: str) -> dict[str, list[str | None]]:
    """The table's indexes but its primary key's: their columns in order, None for an expression."""
    if conn.dialect.name == "sqlite":  # SQLAlchemy does not reflect SQLite's expression indexes
        names = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"
                                  " AND name NOT LIKE 'sqlite_autoindex_%'"), {"t": table}).scalars().all()
        return {name: [row[2] for row in conn.execute(text(f"PRAGMA index_info('{name}')"))] for name in names}
    return {ix["name"]: list(ix["column_names"]) for ix in inspect(conn).get_indexes(table)}  # type: ignore[misc]


def test_the_migrated_database_has_the_declared_list_indexes(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            found = {table: _indexes(conn, table) for table in LISTED_TABLES}
    finally:
        engine.dispose()
    declared = {
        table: {ix.name: [c.name if hasattr(c, "table") else None for c in ix.expressions]
                for ix in SQLModel.metadata.tables[table].indexes}
        for table in LISTED_TABLES
    }
    assert found == declared
    names = {ix.name for ix in LIST_INDEXES}
    assert "ix_claim_event_span" in names and "ix_claim_filter" in names
    migration = _migration()
    later = _migration("0013_search_tokenizer.py")  # the timeline's own index, on where it places a claim
    pairs = _migration("0016_column_pair_indexes.py")  # two or three of a claim's own columns at once
    assert {name for name, _, _ in [*migration.CREATED, *later.CREATED]} | {  # type: ignore[attr-defined]
        name for name, _ in pairs.CREATED} | {"ix_claim_event_month"} == names  # type: ignore[attr-defined]  # and 0017's
    dropped = {name for name, _, _ in migration.DROPPED}  # type: ignore[attr-defined]
    assert not dropped & {name for indexes in found.values() for name in indexes}
