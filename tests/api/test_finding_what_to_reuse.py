"""Finding what to reuse: /v1/actors?q= by any spelling of a name, /v1/claims?q= as search matches it, and an unknown
reference in a write or a filter answered with the closest existing ids."""

from __future__ import annotations

import pytest

from api.store import nearby
from tests.api.test_writes import claim_body
from tests.conftest import assert_problem, walk

pytestmark = pytest.mark.anyio


async def _actor_ids(client, q, **params):
    response = await client.get("/v1/actors", params={"q": q, "limit": 200, **params})
    assert response.status_code == 200, response.text
    return [a["id"] for a in response.json()["items"]]


@pytest.mark.parametrize("q", ["السيسي", "السيسى", "ﺍﻟﺴﻴﺴﻲ", "abdel fattah", "Abdel-Fattah"])
async def test_actors_match_any_spelling_of_a_name_in_any_language(client, q):
    assert await _actor_ids(client, q) == ["abdel-fattah-el-sisi"]


async def test_actors_q_matches_descriptions_too(client):
    # Actors whose descriptions name Sisi come with him: q matches every searchable field of an actor.
    assert await _actor_ids(client, "SISI") == await _actor_ids(client, "sisi") == [
        "abdel-fattah-el-sisi", "alexei-druzhinin", "guided-missile-cruiser-moskva", "mikhail-klimentyev", "mohammed-morsi",
        "officials-asked-by-sisi-to-keep-deal-secret-003", "sochi", "unnamed-egyptian-officials-000",
        "unnamed-top-egyptian-military-officials-000"]


async def test_actors_q_combines_with_kind_and_pages(client):
    assert await _actor_ids(client, "kremlin") == ["mikhail-klimentyev", "the-kremlin"]
    assert await _actor_ids(client, "kremlin", kind="government_body") == ["the-kremlin"]
    everything = await _actor_ids(client, "russia")
    assert len(everything) > 3 and everything == sorted(everything)
    assert [a["id"] for a in await walk(client, "/v1/actors?q=russia&limit=2")] == everything
    assert_problem(await client.get("/v1/actors?q=%21%3F"), 422, "/problems/invalid-parameter")


async def test_claims_q_filters_the_list_and_combines_with_other_filters(client):
    response = await client.get("/v1/claims", params={"q": "٤٠٠٠٠", "limit": 200})
    assert [c["id"] for c in response.json()["items"]] == [
        "ar-sisi-ordered-missile-deal-kept-secret", "ar-sisi-planned-40000-missiles-for-russia",
        "sisi-planned-40000-missiles-for-russia", "sisi-planned-missile-shipment-to-russia"]
    arabic = await client.get("/v1/claims", params={"q": "40 ألف", "language": "ar", "limit": 200})
    assert [c["id"] for c in arabic.json()["items"]] == ["ar-sisi-ordered-missile-deal-kept-secret", "ar-sisi-planned-40000-missiles-for-russia"]
    paged = await walk(client, "/v1/claims?q=dropped&limit=1")
    assert [c["id"] for c in paged] == ["ar-egypt-dropped-missile-plan", "other-documents-say-us-pressed-egypt-over-missile-plan"]
    planned = await client.get("/v1/claims", params={"q": "rockets", "modality": "planned", "limit": 200})
    assert all(c["modality"] == "planned" for c in planned.json()["items"]) and planned.json()["items"]
    assert (await client.get("/v1/claims", params={"q": "zzzqqq"})).json()["items"] == []
    timeline = await client.get("/v1/timeline", params={"q": "dropped", "limit": 200})
    assert timeline.status_code == 200


async def test_an_unknown_reference_in_a_write_names_the_closest_ids(client, auth):
    body = {**(await claim_body(client)), "subject": "kremlin"}
    problem = assert_problem(await client.post("/v1/claims", json=body, headers=auth), 422, "/problems/validation-error")
    assert problem["errors"] == [{"loc": ["body", "subject"], "msg": "unknown actor 'kremlin'; did you mean 'the-kremlin'?",
                                  "type": "unknown_reference"}]
    body = {**(await claim_body(client)), "subject": "nobody-known-zzz"}
    problem = assert_problem(await client.post("/v1/claims", json=body, headers=auth), 422, "/problems/validation-error")
    assert problem["errors"][0]["msg"] == "unknown actor 'nobody-known-zzz'"


async def test_an_unknown_id_in_a_filter_names_the_closest_ids(client):
    problem = assert_problem(await client.get("/v1/claims?actor=sisi"), 422, "/problems/invalid-parameter")
    assert problem["detail"] == ("Query parameter 'actor': Actor 'sisi' does not exist; did you mean 'abdel-fattah-el-sisi' or"
                                 " 'officials-asked-by-sisi-to-keep-deal-secret-003' or 'unnamed-egyptian-officials-000'?")


@pytest.mark.parametrize(("typed", "meant"), [
    ("sissi", "'abdel-fattah-el-sisi' or 'officials-asked-by-sisi-to-keep-deal-secret-003' or 'unnamed-egyptian-officials-000'"),
    ("putn", "'vladimir-putin'"),
    ("lavrov-sergey", "'sergei-lavrov'"),
    ("السيسى", "'abdel-fattah-el-sisi'"),
    ("washington-pots", "'washington-post' or 'united-states'"),
])
async def test_did_you_mean_compares_the_names_of_actors_in_every_language_not_only_ids(client, typed, meant):
    # 'sissi' is letter by letter nearer the id 'isis' than 'abdel-fattah-el-sisi', but one of the latter's names is
    # "Sisi"; a word found only in a description ('putin' in other actors') suggests nothing by itself.
    problem = assert_problem(await client.get("/v1/claims", params={"actor": typed}), 422, "/problems/invalid-parameter")
    assert problem["detail"] == f"Query parameter 'actor': Actor '{typed}' does not exist; did you mean {meant}?"


async def test_past_a_few_thousand_records_did_you_mean_reads_only_index_ranges(client, monkeypatch):
    # As a table of more than SMALL records is searched: ids sharing the first three characters, the neighbours in
    # id order, and the records the search index ranks first for each word of the unknown id and the words most
    # like it: the same suggestions as when every id is read.
    monkeypatch.setattr(nearby, "SMALL", 10)
    problem = assert_problem(await client.get("/v1/claims?actor=sisi"), 422, "/problems/invalid-parameter")
    assert problem["detail"] == ("Query parameter 'actor': Actor 'sisi' does not exist; did you mean 'abdel-fattah-el-sisi' or"
                                 " 'officials-asked-by-sisi-to-keep-deal-secret-003' or 'unnamed-egyptian-officials-000'?")
