"""Migrations on a database that holds data: each one's upgrade fills what it adds, and its downgrade
leaves the data in place."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from api.config import ROOT
from api.store.db import make_engine


def _alembic(conn: object) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["connection"] = conn
    return cfg


def test_claim_publication_dates_are_filled_for_claims_already_stored(database_url: str) -> None:
    engine = make_engine(database_url)
    query = text("SELECT id, published_from, published_to FROM claim ORDER BY id")
    try:
        with engine.begin() as conn:
            seeded = conn.execute(query).all()
        with engine.begin() as conn:
            command.downgrade(_alembic(conn), "0003")
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM claim")).scalar() == len(seeded)
            command.upgrade(_alembic(conn), "head")
        with engine.begin() as conn:
            assert conn.execute(query).all() == seeded
    finally:
        engine.dispose()
    assert ("ar-egypt-dropped-missile-plan", "2023-09-26", "2023-09-26") in seeded
    assert ("us-representative-saw-no-missile-deliveries", "2023-01-01", "2023-12-31") in seeded
