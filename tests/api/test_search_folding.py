"""/v1/search tried as a journalist would: numbers however written, compatibility forms, Persian letters and the
synonym table (api/store/text.py, data/synonyms.yaml) find the claims the corpus supports, on either backend."""

from __future__ import annotations

import pytest

from tests.conftest import assert_problem

pytestmark = pytest.mark.anyio

FORTY_THOUSAND = ["ar-sisi-ordered-missile-deal-kept-secret", "ar-sisi-planned-40000-missiles-for-russia",
                  "sisi-planned-40000-missiles-for-russia", "sisi-planned-missile-shipment-to-russia"]
DROPPED = ["ar-egypt-dropped-missile-plan", "other-documents-say-us-pressed-egypt-over-missile-plan"]


async def _claims(client, q):
    response = await client.get("/v1/search", params={"q": q, "kind": "claim", "limit": 200})
    assert response.status_code == 200, response.text
    return sorted(h["id"] for h in response.json()["items"])


@pytest.mark.parametrize("q", ["40000", "40,000", "40 000", "٤٠٠٠٠", "٤٠٬٠٠٠", "40 ألف", "بـ40 ألف", "٤٠ الف", "40 thousand"])
async def test_every_way_of_writing_forty_thousand_finds_the_same_claims(client, q):
    # The English texts write "40,000 missiles"; the Arabic one "بـ40 ألف صاروخ" (with 40 thousand missiles).
    assert await _claims(client, q) == FORTY_THOUSAND


async def test_arabic_indic_year_finds_the_year(client):
    assert await _claims(client, "٢٠٢٣") == await _claims(client, "2023") == ["ar-us-documents-published-on-discord-in-april"]
    sources = await client.get("/v1/search", params={"q": "٢٠٢٣", "kind": "source", "limit": 200})
    assert "alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks" in [h["id"] for h in sources.json()["items"]]


async def test_rockets_finds_the_missile_claims_through_the_synonym_table(client):
    # No text says "rockets": the English ones say missiles, the Arabic صاروخ.
    assert await _claims(client, "rockets") == await _claims(client, "missiles") == [
        "ar-egypt-dropped-missile-plan", "ar-sisi-ordered-missile-deal-kept-secret", "ar-sisi-planned-40000-missiles-for-russia",
        "chris-murphy-says-us-should-reconsider-relationship-with-egypt-if-sisi-builds-missiles-for-russia",
        "cruiser-moskva-at-sochi-2014-08-12", "other-documents-say-us-pressed-egypt-over-missile-plan",
        "putin-sisi-meet-sochi-2014-08-12", "sisi-instructed-officials-to-keep-missile-production-secret",
        "sisi-ordered-subordinates-to-make-missiles-for-moscow", "sisi-planned-40000-missiles-for-russia",
        "sisi-planned-missile-shipment-to-russia", "us-representative-saw-no-missile-deliveries",
        "washington-post-reported-sisi-missile-plan-from-leak",
    ]
    assert await _claims(client, "صواريخ 40000") == FORTY_THOUSAND


@pytest.mark.parametrize("q", ["dropped", "abandoned", "backed down", "تراجعت"])
async def test_dropped_finds_the_plan_egypt_backed_down_from(client, q):
    # The text: "مصر تراجعت لاحقًا عن تلك الخطة", translated "Egypt later backed down from that plan".
    assert await _claims(client, q) == DROPPED


async def test_presentation_forms_and_persian_letters_fold_to_arabic(client):
    assert await _claims(client, "ﺍﻟﻘﺎﻫﺮﺓ") == await _claims(client, "القاهرة") == [
        "alkhaleej-headline-moscow-praises-egypt-refusal-to-arm-ukraine", "alkhaleej-headline-russia-egypt-security-talks-in-cairo",
        "patrushev-represented-russia-in-cairo-security-talks", "patrushev-says-egypt-refused-to-supply-arms-to-ukraine",
        "patrushev-welcomes-egypt-refusal-to-arm-ukraine", "russia-announces-security-talks-with-egypt-in-cairo",
    ]
    assert await _claims(client, "روسیا") == await _claims(client, "روسيا")
    assert "ar-sisi-planned-40000-missiles-for-russia" in await _claims(client, "روسیا")


@pytest.mark.parametrize("query", ["q=%ff%fe", "q=egypt%c3", "q=egypt&kind=%ff", "q=egypt&cursor=%ed%a0%80"])
async def test_search_refuses_a_query_string_that_is_not_utf8(client, query):
    body = assert_problem(await client.get(f"/v1/search?{query}"), 422, "/problems/invalid-parameter")
    name = query.rsplit("&", 1)[-1].split("=")[0]
    assert body["errors"][0]["loc"] == ["query", name]


async def test_a_synonym_hit_shows_the_words_that_matched(client):
    response = await client.get("/v1/search", params={"q": "rockets", "kind": "source", "limit": 200})
    hit = next(h for h in response.json()["items"] if h["id"] == "alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks")
    # The text says صاروخ, far into it: the snippet is around that word, not the text's first 120 characters.
    assert (hit["field"], hit["language"]) == ("text", "ar")
    assert "بـ40 ألف صاروخ" in hit["snippet"] and hit["snippet"].startswith("…")


async def test_a_word_of_thousands_of_letters_is_stored_and_found_by_its_first_hundred(client, auth):
    # PostgreSQL refuses a B-tree key over 2,704 bytes: a 3,000-letter word in a description was a write that could
    # never succeed (and answered 503). Words are cut to 100 code points in the index and in queries alike.
    word = "".join("abcdefghijklmnopqrstuvwxyz"[(i * 7) % 26] for i in range(3000))
    actor = {"id": "long-word-org", "kind": "organization", "name": "Long Word Org",
             "names": [{"value": "Long Word Org", "language": "en"}], "description": f"Known for {word}."}
    created = await client.post("/v1/actors", json=actor, headers=auth)
    assert created.status_code == 201, created.text
    assert created.json()["description"] == f"Known for {word}."
    for q in (word[:500], word[:100], word[:100] + "zzz"):  # `q` holds at most 500 code points
        found = await client.get("/v1/actors", params={"q": q})
        assert [a["id"] for a in found.json()["items"]] == ["long-word-org"], q
