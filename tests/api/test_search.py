"""/v1/search in English and Arabic."""

from __future__ import annotations

import pytest

from tests.conftest import assert_problem, walk

pytestmark = pytest.mark.anyio


async def _hits(client, q, **params):
    response = await client.get("/v1/search", params={"q": q, "limit": 200, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_arabic_search_folds_alef_maqsura_and_ya(client):
    with_ya = await _hits(client, "السيسي")
    with_maqsura = await _hits(client, "السيسى")
    assert with_ya == with_maqsura
    ids = {(h["kind"], h["id"]) for h in with_ya}
    assert ("actor", "abdel-fattah-el-sisi") in ids
    assert ("claim", "ar-sisi-planned-40000-missiles-for-russia") in ids


async def test_arabic_search_folds_hamza_ta_marbuta_and_diacritics(client):
    plain = {(h["kind"], h["id"]) for h in await _hits(client, "امريكيه")}
    written = {(h["kind"], h["id"]) for h in await _hits(client, "أمريكيّة")}
    assert plain == written
    assert ("claim", "ar-sisi-planned-40000-missiles-for-russia") in plain


async def test_arabic_search_strips_prefixes(client):
    hits = await _hits(client, "القاهرة", kind="source")
    assert "alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks" in {h["id"] for h in hits}
    hit = next(h for h in hits if h["id"] == "alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks")
    assert "القاهرة" in hit["snippet"] or "بالقاهرة" in hit["snippet"]


async def test_english_search_matches_claims_quotes_and_names(client):
    hits = await _hits(client, "40,000 missiles")
    claim_ids = [h["id"] for h in hits if h["kind"] == "claim"]
    assert "sisi-planned-40000-missiles-for-russia" in claim_ids
    assert "ar-sisi-planned-40000-missiles-for-russia" in claim_ids  # through its English translation
    actors = await _hits(client, "el-Sisi", kind="actor")
    assert actors[0]["id"] == "abdel-fattah-el-sisi"
    assert all(h["kind"] == "actor" for h in actors)


async def test_search_pages_every_hit_once(client):
    everything = await _hits(client, "Egypt")
    paged = await walk(client, "/v1/search?q=Egypt&limit=5")
    assert [(h["kind"], h["id"]) for h in paged] == [(h["kind"], h["id"]) for h in everything]
    assert len(set((h["kind"], h["id"]) for h in paged)) == len(paged)


async def test_search_without_words_is_422(client):
    assert_problem(await client.get("/v1/search?q=%21%3F"), 422, "/problems/invalid-parameter")
    assert_problem(await client.get("/v1/search"), 422, "/problems/validation-error")
    assert_problem(await client.get("/v1/search?q=x&kind=person"), 422, "/problems/validation-error")
