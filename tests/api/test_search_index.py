"""/v1/search through its index: prefix expansion, several terms, writes that change a record's words,
labels spread again when new ids crowd one gap, and paging while records are written."""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest
from sqlalchemy import text as sqltext

from api.store.search import K1, MAX_EXPANSION, RANK_SCALE, field_impacts, rank
from tests.conftest import walk

pytestmark = pytest.mark.anyio


def actor(actor_id: str, name: str, description: str) -> dict:
    return {"id": actor_id, "kind": "organization", "name": name, "names": [{"value": name, "language": "en"}], "description": description}


async def _post(client, auth, body: dict) -> str:
    response = await client.post("/v1/actors", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.headers["etag"]


async def _hits(client, q: str, **params) -> list[dict]:
    response = await client.get("/v1/search", params={"q": q, "limit": 200, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _score(name: str, description: str, q: str) -> float:
    found = rank([("name", "en", name), ("description", "en", description)], q.split())
    assert found is not None
    return found / RANK_SCALE


async def test_a_word_scores_its_impact_and_a_prefix_of_it_half(client, auth):
    await _post(client, auth, actor("zarquon-hovertech", "Zarquon Hovertech", "A maker of zarquonite hulls."))
    whole = await _hits(client, "zarquon")
    # One word in a two-word field: f (K1 + 1) / (f + K1 (1 - B + B 2 / 18)) = 2.2 / 1.4, in even millionths.
    assert whole == [{"kind": "actor", "id": "zarquon-hovertech", "label": "Zarquon Hovertech", "field": "name", "language": "en",
                      "snippet": "Zarquon Hovertech", "score": 1.571428}]
    assert field_impacts("Zarquon Hovertech")["zarquon"] == round(1 * (K1 + 1) / (1 + 0.4) * RANK_SCALE / 2) * 2
    prefix = await _hits(client, "zarq")
    assert prefix == [{**whole[0], "score": 0.785714}]  # half of the best word it begins ("zarquon", not "zarquonite")
    assert await _hits(client, "zarquonite") == [{**whole[0], "field": "description", "snippet": "A maker of zarquonite hulls.",
                                                  "score": _score("Zarquon Hovertech", "A maker of zarquonite hulls.", "zarquonite")}]
    assert await _hits(client, "zarquonites") == []


async def test_a_term_expands_to_itself_and_at_most_31_longer_words(client, auth):
    # 33 actors, each with its own word beginning with "qxv": all equally frequent, so the first 31 in code-point order count.
    words = [f"qxv{chr(ord('a') + i // 26)}{chr(ord('a') + i % 26)}" for i in range(MAX_EXPANSION + 1)]
    for n, word in enumerate(words):
        await _post(client, auth, actor(f"qxv-holder-{n:02d}", f"Holder {word}", "An actor that holds one word."))
    found = {h["id"] for h in await _hits(client, "qxv")}
    assert found == {f"qxv-holder-{n:02d}" for n in range(MAX_EXPANSION - 1)}
    # The whole word always counts, however many longer words there are.
    assert [h["id"] for h in await _hits(client, words[-1])] == [f"qxv-holder-{MAX_EXPANSION:02d}"]


async def test_a_single_character_matches_only_itself_and_two_begin_longer_words(client, auth):
    await _post(client, auth, actor("qorvane-u-group", "Qorvane U Group", "Holds the word u itself."))
    await _post(client, auth, actor("qorvane-unit", "Qorvane Unit", "Holds a longer word only."))
    assert [h["id"] for h in await _hits(client, "qorvane u")] == ["qorvane-u-group"]
    assert {h["id"] for h in await _hits(client, "qorvane un")} == {"qorvane-unit"}
    # The list filter reads a query as search does.
    listed = await client.get("/v1/actors", params={"q": "qorvane u"})
    assert listed.status_code == 200, listed.text
    assert [a["id"] for a in listed.json()["items"]] == ["qorvane-u-group"]


async def test_every_term_must_match_and_terms_may_match_in_different_fields(client, auth):
    await _post(client, auth, actor("quorvex-works", "Quorvex Works", "Operates hovertanks on the Nile."))
    hits = await _hits(client, "quorvex hovertanks")
    assert [(h["id"], h["field"], h["score"]) for h in hits] == [
        ("quorvex-works", "name", _score("Quorvex Works", "Operates hovertanks on the Nile.", "quorvex hovertanks"))]
    # The sum of each term's best: "quorvex" in the name, "hovertanks" in the description.
    name, description = field_impacts("Quorvex Works"), field_impacts("Operates hovertanks on the Nile.")
    assert hits[0]["score"] == (name["quorvex"] + description["hovertanks"]) / RANK_SCALE
    assert await _hits(client, "quorvex missiles") == []
    assert await _hits(client, "quorvex zzzzunknown") == []
    # Every hit of a two-term query holds both terms (AND), on the shipped data too.
    both = await _hits(client, "Sisi missiles")
    assert both
    assert {(h["kind"], h["id"]) for h in both} <= {(h["kind"], h["id"]) for h in await _hits(client, "Sisi")}
    assert {(h["kind"], h["id"]) for h in both} <= {(h["kind"], h["id"]) for h in await _hits(client, "missiles")}


async def test_a_changed_text_is_found_by_its_new_words_only(client, auth):
    etag = await _post(client, auth, actor("vexillum-bureau", "Vexillum Bureau", "Keeps the zanzibarian flags."))
    assert [h["id"] for h in await _hits(client, "zanzibarian")] == ["vexillum-bureau"]
    patched = await client.patch("/v1/actors/vexillum-bureau", json={"description": "Keeps the trombonist rolls."},
                                 headers={**auth, "If-Match": etag})
    assert patched.status_code == 200, patched.text
    assert await _hits(client, "zanzibarian") == []
    assert await _hits(client, "zanzib") == []
    assert [(h["id"], h["field"], h["snippet"]) for h in await _hits(client, "trombonist")] == [
        ("vexillum-bureau", "description", "Keeps the trombonist rolls.")]
    deleted = await client.delete("/v1/actors/vexillum-bureau", headers={**auth, "If-Match": patched.headers["etag"]})
    assert deleted.status_code == 204, deleted.text
    assert await _hits(client, "trombonist") == []
    assert await _hits(client, "vexillum") == []


async def test_ids_crowding_one_gap_keep_the_order_of_ids(client, auth):
    # Each new id sorts just before the one created before it, after the same shipped id, so each takes half of the
    # gap left: after about 32 of them (the shipped actors leave gaps of about 2**32) the labels around are spread
    # again, and the order must still be the ids' order.
    ids = [f"cairo-zz-{n:03d}" for n in range(80)]
    for actor_id in reversed(ids[1:]):
        await _post(client, auth, actor(actor_id, "Crowded Quillfeather", "One of many."))
    await _post(client, auth, actor(ids[0], "Crowded Quillfeather", "One of many."))
    hits = await _hits(client, "quillfeather")
    assert [h["id"] for h in hits] == ids
    assert len({h["score"] for h in hits}) == 1
    paged = await walk(client, "/v1/search?q=quillfeather&limit=7")
    assert [h["id"] for h in paged] == ids


async def test_paging_while_records_are_written_serves_each_lasting_hit_once(client, auth):
    before = [(h["kind"], h["id"]) for h in await _hits(client, "Egypt")]
    first = (await client.get("/v1/search?q=Egypt&limit=7")).json()
    served = [(h["kind"], h["id"]) for h in first["items"]]
    next_url = first["next"]
    created = 0
    while next_url is not None:
        # A new hit that ranks first, and one at the bottom, between every two pages.
        await _post(client, auth, actor(f"egypt-desk-{created:02d}", "Egypt", "A desk."))
        await _post(client, auth, actor(f"egypt-note-{created:02d}", "Note", "A long description that mentions Egypt once among"
                                        " very many other words, so that it ranks low in every list of hits for it."))
        created += 1
        page = (await client.get(next_url)).json()
        served += [(h["kind"], h["id"]) for h in page["items"]]
        next_url = page["next"]
    assert len(served) == len(set(served))
    assert [hit for hit in served if hit in set(before)] == before  # every hit there throughout, once, in order
    assert {hit for hit in served if hit not in set(before)} <= {("actor", f"egypt-note-{n:02d}") for n in range(created)}


# The answers for a few queries on the shipped dataset, every page of them, as a digest of their JSON: the same on
# SQLite and PostgreSQL (the suite runs on each), and a change to them is a change to search to be explained. Numbers
# read as numbers changed field lengths ("40,000" is one word), so every score moved; "missiles" finds rockets and
# صاروخ through the synonym table.
ANSWERS = {
    "Egypt": (150, "1aee151868904058"),
    "el-Sisi": (11, "4b35c15e2541957a"),
    "missiles Russia": (20, "f293e3344430b6cf"),
    "السيسي": (4, "52f7e411dd47c583"),
    "قاهر": (9, "d1390c752bd71493"),
}


@pytest.mark.parametrize("q", sorted(ANSWERS))
async def test_answers_on_the_shipped_dataset(client, q):
    items = await walk(client, f"/v1/search?q={q}&limit=9")
    digest = hashlib.sha256(json.dumps(items, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]
    assert (len(items), digest) == ANSWERS[q]


async def test_a_page_is_kept_until_any_process_writes(settings, client, auth, monkeypatch):
    """A search page is answered again from the pages kept (api/services/search.py PageCache) while the database's state
    holds, and found anew once a write moves it, even a write made by another process (here a second app on the same
    database, with its own Store and its own pages)."""
    from api.main import create_app
    from api.services import search as search_service

    found: list[str] = []
    original = search_service._search

    def counted(store, state, terms, kind, limit, cursor):
        found.append(" ".join(terms))
        return original(store, state, terms, kind, limit, cursor)

    monkeypatch.setattr(search_service, "_search", counted)
    first = await _hits(client, "quibblestone")
    again = await _hits(client, "quibblestone")
    assert (first, again, found) == ([], [], ["quibblestone"])
    other = create_app(settings)
    async with other.router.lifespan_context(other), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=other), base_url="http://testserver"
    ) as writer:
        created = await writer.post("/v1/actors", json=actor("quibblestone-works", "Quibblestone Works", "A quarry."), headers=auth)
        assert created.status_code == 201, created.text
    after = await _hits(client, "quibblestone")
    assert [(h["id"], h["field"]) for h in after] == [("quibblestone-works", "name")]
    assert found == ["quibblestone", "quibblestone"]
    assert await _hits(client, "quibblestone") == after
    assert found == ["quibblestone", "quibblestone"]


@pytest.mark.parametrize("kept", [8, 0])
async def test_a_change_that_keeps_every_word_shows_the_new_text(settings, auth, kept):
    """A record's texts are kept once shown (api/services/search.py `_Texts`); a write that changes its text without
    changing a word (punctuation, case) leaves its index entry as it was, and the next search shows the new text
    all the same, with pages kept or not."""
    from api.main import create_app

    app = create_app(settings.model_copy(update={"search_cache_mb": kept}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        etag = await _post(client, auth, actor("ossifrage-guild", "Ossifrage Guild", "Keeps the flags."))
        assert [(h["label"], h["snippet"]) for h in await _hits(client, "ossifrage")] == [("Ossifrage Guild", "Ossifrage Guild")]
        assert [h["snippet"] for h in await _hits(client, "flags")] == ["Keeps the flags."]
        patched = await client.patch("/v1/actors/ossifrage-guild", json={"name": "OSSIFRAGE Guild", "description": "Keeps the flags!"},
                                     headers={**auth, "If-Match": etag})
        assert patched.status_code == 200, patched.text
        assert [h["snippet"] for h in await _hits(client, "flags")] == ["Keeps the flags!"]
        # The label is the new name; the name matched is still the alias it had ("names" was not patched).
        assert [(h["label"], h["snippet"]) for h in await _hits(client, "ossifrage")] == [("OSSIFRAGE Guild", "Ossifrage Guild")]


@pytest.mark.parametrize("budget_ms", [1000, 0])  # on the event loop, in a worker thread
async def test_a_search_reads_one_state_of_the_database(settings, auth, monkeypatch, budget_ms):
    """A search reads postings, then the index rows they name, then the records, in statements of their own: all in
    one snapshot of the database (Store.snapshot), so that a write committed meanwhile by another connection (here
    one that takes a hit's entry out of the index, as a delete does) changes nothing in the page being found."""
    from api.main import create_app
    from api.services import search as search_service
    from api.store.db import make_engine

    original = search_service._load_docs
    raced: list[int] = []

    def racing(store, keys, docs):
        if not raced:
            engine = make_engine(settings.database_url)
            try:
                with engine.begin() as conn:
                    label = conn.execute(sqltext("SELECT label FROM search_doc WHERE kind = 0 AND ref_id = 'quillon-forge'")).scalar_one()
                    conn.execute(sqltext("DELETE FROM search_posting WHERE kind = 0 AND label = :l"), {"l": label})
                    raced.append(conn.execute(sqltext("DELETE FROM search_doc WHERE kind = 0 AND label = :l"), {"l": label}).rowcount)
            finally:
                engine.dispose()
        return original(store, keys, docs)

    app = create_app(settings.model_copy(update={"db_inline_budget_ms": budget_ms, "search_cache_mb": 0}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        await _post(client, auth, actor("quillon-forge", "Quillon Forge", "Makes quillons."))
        monkeypatch.setattr(search_service, "_load_docs", racing)
        found = await _hits(client, "quillon")
        assert raced == [1]
        assert [(h["id"], h["label"], h["snippet"]) for h in found] == [("quillon-forge", "Quillon Forge", "Quillon Forge")]
        assert await _hits(client, "quillon") == []  # the next search sees the entry gone


SEVERAL_COMMON_WORDS = ["egypt russia", "the egypt", "russia missiles egypt", "said the", "of the in", "مصر روسيا", "sisi egypt",
                        "the in and of to a egypt with"]


@pytest.mark.parametrize("limit", [2, 7])
async def test_several_terms_read_best_first_find_what_scoring_every_record_finds(settings, monkeypatch, limit):
    """A query of several terms is found by the threshold algorithm, which reads the terms' lists best first and may
    switch part way to scoring every record of its rarest term (api/services/search.py `_several_terms`); on the
    shipped dataset every term is in fewer than RARE_DRIVE records, so it scores those from the start. With
    RARE_DRIVE at 0 the same queries go through the threshold algorithm, with pages of 2 and 7 hits (so that it
    stops early, part way, or switches), and every page is the same."""
    from api.main import create_app
    from api.services import search as search_service

    app = create_app(settings.model_copy(update={"search_cache_mb": 0}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        scored = {q: await walk(client, f"/v1/search?q={q}&limit={limit}") for q in SEVERAL_COMMON_WORDS}
        monkeypatch.setattr(search_service, "RARE_DRIVE", 0)
        read = {q: await walk(client, f"/v1/search?q={q}&limit={limit}") for q in SEVERAL_COMMON_WORDS}
    assert read == scored
    assert {q: len(items) for q, items in scored.items()} == {
        "egypt russia": 94, "the egypt": 126, "russia missiles egypt": 19, "said the": 46, "of the in": 50, "مصر روسيا": 7,
        "sisi egypt": 22, "the in and of to a egypt with": 5,
    }


def test_kept_pages_stay_within_their_bound_in_memory():
    """The bound counts what an entry holds, its key as well as its page: three thousand queries of a hundred made-up
    words each, with empty pages, hold no more than the bound (measured by tracemalloc), and the newest are kept."""
    import tracemalloc

    from api.services.common import Page
    from api.services.search import PageCache

    bound = 256 << 10
    cache = PageCache(bound)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(3_000):
            terms = tuple(f"q{n}w{i}x" for i in range(100))
            cache.put(("fingerprint", 1), (terms, None, 50, None), Page(items=[], next_cursor=None))
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held <= bound * 1.1, held
    last = tuple(f"q2999w{i}x" for i in range(100))
    assert cache.get(("fingerprint", 1), (last, None, 50, None)) == Page(items=[], next_cursor=None)
    first = tuple(f"q0w{i}x" for i in range(100))
    assert cache.get(("fingerprint", 1), (first, None, 50, None)) is None
