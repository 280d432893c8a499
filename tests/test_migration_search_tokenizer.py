"""Migration 0013 on a database that holds data: its downgrade rebuilds the search index with the tokenizer before
it ("40,000" the two words 40 and 000), its upgrade with today's, to exactly the postings a fresh build writes."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Connection, text

from api.store.db import make_engine
from api.store.search import unpack_words
from tests.test_migrations import _alembic


def _postings(conn: Connection) -> set[tuple[str, int, str, int]]:
    """(word, kind code, record id, impact) for every posting, by word and record rather than by their ids."""
    words = {int(i): str(w) for i, w in conn.execute(text("SELECT id, word FROM search_word"))}
    docs = {(int(k), int(lab)): (str(r), unpack_words(b)) for k, lab, r, b in conn.execute(text("SELECT kind, label, ref_id, words FROM search_doc"))}
    out = set()
    for wid, kind, nimpact, label in conn.execute(text("SELECT word_id, kind, nimpact, label FROM search_posting")):
        ref_id, held = docs[(int(kind), int(label))]
        assert held[int(wid)][0] == -int(nimpact)
        out.add((words[int(wid)], int(kind), ref_id, -int(nimpact)))
    return out


def test_search_postings_are_rebuilt_both_ways(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            built = _postings(conn)
        with engine.begin() as conn:
            command.downgrade(_alembic(conn), "0012")
        with engine.begin() as conn:
            old = _postings(conn)
            command.upgrade(_alembic(conn), "head")
        with engine.begin() as conn:
            assert _postings(conn) == built
            assert int(conn.execute(text("SELECT count(*) FROM search_word WHERE df > 0")).scalar_one()) == len({p[0] for p in built})
    finally:
        engine.dispose()
    claim = "sisi-planned-40000-missiles-for-russia"
    assert {w for w, _, r, _ in built if r == claim} >= {"40000", "missiles"}
    assert {w for w, _, r, _ in old if r == claim} >= {"40", "000", "missiles"}
    assert "40000" not in {w for w, _, r, _ in old if r == claim}
    assert any(w == "backed down" and r == "ar-egypt-dropped-missile-plan" for w, _, r, _ in built)


def test_a_database_without_a_stored_synonym_table_exports_the_one_search_reads(database_url: str, tmp_path) -> None:
    # A database built before 0013 and upgraded in place holds no copy of data/synonyms.yaml: its index was made
    # with the table search reads, so that is the one its export writes.
    from api.config import ROOT
    from api.store.export import export_dataset

    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM meta WHERE key = 'synonyms'"))
        with engine.connect() as conn:
            written = export_dataset(conn, tmp_path)
    finally:
        engine.dispose()
    assert tmp_path / "synonyms.yaml" in written
    assert (tmp_path / "synonyms.yaml").read_text(encoding="utf-8") == (ROOT / "data" / "synonyms.yaml").read_text(encoding="utf-8")
