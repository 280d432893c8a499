"""/v1/sources: documents, their texts and their citation chains."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import assert_problem, walk

pytestmark = pytest.mark.anyio
CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


async def test_held_document_serves_its_exact_text(client):
    source = (await client.get("/v1/sources/alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks")).json()
    assert source["text"] == (CORPUS / "003_31df72e609d04747.txt").read_text(encoding="utf-8")
    assert source["language"] == "ar"
    assert source["published"] == {
        "date": "2023-09-26", "precision": "day", "inferred": False, "note": source["published"]["note"],
    }
    assert source["has_text"] is True


async def test_english_report_chain_leads_to_the_leak(client):
    """Buna Times -> Racurs -> Washington Post -> the Feb 17 document, part of the Discord leak."""
    chain = []
    current = "buna-times-2023-sisi-missiles-for-russia"
    doc = (await client.get(f"/v1/sources/{current}")).json()
    assert doc["published"]["inferred"] is True
    assert "washington-post-2023-egypt-missiles-report" in doc["cites"]
    racurs = next(c for c in doc["cites"] if c.startswith("racurs-"))
    current = racurs
    while current:
        source = (await client.get(f"/v1/sources/{current}")).json()
        chain.append(source["id"])
        current = source["cites"][0] if source["cites"] else source["part_of"]
    assert chain == [racurs, "washington-post-2023-egypt-missiles-report", "us-intelligence-document-2023-02-17", "discord-leak-2023"]
    leaked = (await client.get("/v1/sources/us-intelligence-document-2023-02-17")).json()
    assert leaked["kind"] == "leaked_document"
    assert leaked["published"]["date"] == "2023-02-17"
    assert leaked["published"]["inferred"] is True


async def test_arabic_report_chain_leads_to_the_same_leak(client):
    doc = (await client.get("/v1/sources/alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks")).json()
    assert "discord-leak-2023" in doc["cites"]
    leak = (await client.get("/v1/sources/discord-leak-2023")).json()
    assert {s["id"] for s in leak["cited_by"]} >= {"alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks"}


async def test_source_claims_include_claims_tracing_back_to_it(client):
    claims = await walk(client, "/v1/sources/discord-leak-2023/claims")
    ids = {c["id"] for c in claims}
    assert {"sisi-planned-40000-missiles-for-russia", "ar-sisi-planned-40000-missiles-for-russia"} <= ids
    held = await walk(client, "/v1/sources/buna-times-2023-sisi-missiles-for-russia/claims?limit=5")
    assert all("buna-times-2023-sisi-missiles-for-russia" in c["source_ids"] for c in held)


async def test_list_sources_pages_and_filters(client):
    everything = await walk(client, "/v1/sources?limit=200")
    paged = await walk(client, "/v1/sources?limit=4")
    assert [s["id"] for s in paged] == [s["id"] for s in everything]
    assert all("text" not in s for s in paged)
    leaked = await walk(client, "/v1/sources?kind=leaked_document")
    assert {"discord-leak-2023", "us-intelligence-document-2023-02-17"} <= {s["id"] for s in leaked}
    citing = await walk(client, "/v1/sources?cites=washington-post-2023-egypt-missiles-report")
    assert "buna-times-2023-sisi-missiles-for-russia" in {s["id"] for s in citing}
    arabic = await walk(client, "/v1/sources?language=ar&date_from=2023-09")
    assert [s["id"] for s in arabic if s["has_text"]] == ["alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks"]


async def test_get_source_unknown_is_404(client):
    assert_problem(await client.get("/v1/sources/nope"), 404, "/problems/not-found", "Source 'nope' does not exist.")
    assert_problem(await client.get("/v1/sources/nope/claims"), 404, "/problems/not-found", "Source 'nope' does not exist.")


@pytest.mark.parametrize("query", ["kind=blog", "language=arabic!", "publisher=nobody", "date_to=2023-13"])
async def test_list_sources_bad_parameters_are_422(client, query):
    response = await client.get(f"/v1/sources?{query}")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
