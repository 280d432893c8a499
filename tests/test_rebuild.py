"""Building a database again over one already seeded (data/ changed, or `build --force`) replaces its data:
on PostgreSQL every data table is emptied first, the engine's included, in an order its foreign keys allow."""

from __future__ import annotations

from sqlalchemy import text

from api.config import ROOT, Settings
from api.store.db import make_engine
from api.store.seed import DATA_TABLES, build_database


def _counts(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return {table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()) for table in DATA_TABLES}
    finally:
        engine.dispose()


def test_a_forced_build_over_a_seeded_database_replaces_its_data(empty_databases):
    settings = Settings(database_url=empty_databases.new(), data_dir=ROOT / "data", auto_build=False)
    assert build_database(settings)
    seeded = _counts(settings.database_url)
    assert build_database(settings, force=True)
    assert _counts(settings.database_url) == seeded
    assert seeded["claim"] == 119 and seeded["claim_key"] > 100 and seeded["claim_proposition"] == 119 and seeded["relation_rule"] > 10
