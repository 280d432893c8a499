"""/v1/claims and /v1/claims/{claim_id}."""

from __future__ import annotations

import pytest

from tests.conftest import assert_problem, walk

pytestmark = pytest.mark.anyio

PLAN = "sisi-planned-40000-missiles-for-russia"
PLAN_QUOTE = (
    "Secret US documents show that Egyptian President Abdel Fattah el-Sisi planned to produce 40,000 missiles"
    " for Russia in February"
)


async def test_get_claim_returns_structure_and_verified_evidence(client):
    response = await client.get(f"/v1/claims/{PLAN}")
    assert response.status_code == 200
    claim = response.json()
    assert claim["id"] == PLAN
    assert claim["predicate"] == "produce_arms"
    assert claim["subject"] == {"id": "abdel-fattah-el-sisi", "kind": "person", "name": "Abdel Fattah el-Sisi", "unnamed": False}
    assert claim["recipient"]["id"] == "russia"
    assert claim["object"] == {"actor": None, "label": "missiles"}
    assert claim["quantity"] == {"value": 40000, "unit": "missiles", "approximate": False}
    assert claim["modality"] == "planned"
    assert claim["polarity"] == "affirmed"
    # The words are the Washington Post's account, relayed by Buna Times; the leaked documents are its speaker.
    assert claim["claimant"]["id"] == "washington-post"
    assert [s["id"] for s in claim["speakers"]] == ["leaked-us-intelligence-documents"]
    assert claim["event_time"]["start"] == "2023-02"
    assert claim["event_time"]["precision"] == "month"
    assert claim["event_time"]["inferred"] is True
    [evidence] = claim["evidence"]
    assert evidence["source_id"] == "buna-times-2023-sisi-missiles-for-russia"
    assert evidence["start"] == 0
    assert evidence["quote"].startswith(PLAN_QUOTE)
    assert evidence["prefix"] == ""
    assert evidence["language"] == "en"
    assert evidence["translation"] is None
    assert evidence["attributed_to"]["id"] == "washington-post-2023-egypt-missiles-report"
    assert evidence["speech"] == "indirect"
    assert evidence["speaker"] == {
        "id": "leaked-us-intelligence-documents", "kind": "document", "name": "Leaked US intelligence documents", "unnamed": False,
    }
    assert [o["id"] for o in claim["origins"]] == [
        "discord-leak-2023", "us-intelligence-document-2023-02-17", "washington-post-2023-egypt-missiles-report",
    ]


async def test_every_evidence_quote_equals_its_source_text_slice(client):
    claims = await walk(client, "/v1/claims?limit=200")
    texts: dict[str, str] = {}
    checked = 0
    for summary in claims:
        claim = (await client.get(f"/v1/claims/{summary['id']}")).json()
        for ev in claim["evidence"]:
            if ev["source_id"] not in texts:
                texts[ev["source_id"]] = (await client.get(f"/v1/sources/{ev['source_id']}")).json()["text"]
            text = texts[ev["source_id"]]
            assert text[ev["start"]:ev["end"]] == ev["quote"]
            assert text[max(0, ev["start"] - 32):ev["start"]] == ev["prefix"]
            assert text[ev["end"]:ev["end"] + 32] == ev["suffix"]
            assert (ev["language"] != "en") == (ev["translation"] is not None)
            checked += 1
    assert checked >= len(claims)


async def test_get_claim_includes_contradicting_evidence(client):
    claim = (await client.get("/v1/claims/us-representative-saw-no-missile-deliveries")).json()
    [contradiction] = claim["contradictions"]
    assert contradiction["id"] == "missile-plan-vs-no-deliveries-seen"
    assert contradiction["side"] == "b"
    assert contradiction["kind"] == "non_confirmation"
    assert contradiction["same_side"] == []
    assert [c["claim_id"] for c in contradiction["opposing_side"]] == [
        PLAN, "sisi-planned-missile-shipment-to-russia", "sisi-ordered-subordinates-to-make-missiles-for-moscow",
        "ar-sisi-planned-40000-missiles-for-russia",
    ]
    assert contradiction["opposing_side"][0] == {
        "claim_id": PLAN,
        "statement": "Secret US documents show that Egyptian President Abdel Fattah el-Sisi planned to produce 40,000 missiles"
        " for Russia in February.",
        "claimant": {"id": "washington-post", "kind": "media_outlet", "name": "The Washington Post", "unnamed": False},
    }


async def test_a_claim_lists_its_own_side_apart_from_the_opposing_side(client):
    claim = (await client.get(f"/v1/claims/{PLAN}")).json()
    contradiction = next(x for x in claim["contradictions"] if x["id"] == "missile-plan-vs-no-deliveries-seen")
    assert contradiction["side"] == "a"
    assert [c["claim_id"] for c in contradiction["same_side"]] == [
        "sisi-planned-missile-shipment-to-russia", "sisi-ordered-subordinates-to-make-missiles-for-moscow",
        "ar-sisi-planned-40000-missiles-for-russia",
    ]
    assert contradiction["opposing_side"] == [{
        "claim_id": "us-representative-saw-no-missile-deliveries",
        "statement": "The US representative said they had not seen deliveries of missiles from Egypt to the Russian Federation happen.",
        "claimant": {"id": "unnamed-us-representative", "kind": "person", "name": "Unnamed US representative", "unnamed": True},
    }]
    corroboration = next(y for y in claim["corroborations"] if y["id"] == "missile-plan-reported-in-english-and-arabic")
    assert [set(c) for c in corroboration["claims"]] == [{"claim_id", "statement", "claimant"}]


async def test_get_claim_includes_corroborations(client):
    claim = (await client.get("/v1/claims/ar-sisi-planned-40000-missiles-for-russia")).json()
    corroboration = next(c for c in claim["corroborations"] if c["id"] == "missile-plan-reported-in-english-and-arabic")
    assert corroboration["independent"] is False
    assert [s["id"] for s in corroboration["shared_origins"]] == ["discord-leak-2023"]
    assert (corroboration["kind"], corroboration["status"], corroboration["resolution"]) == ("same_proposition", "confirmed", None)
    assert [a["id"] for a in corroboration["shared_parties"]] == ["leaked-us-intelligence-documents"]
    assert {c["claim_id"] for c in corroboration["claims"]} == {PLAN}


async def test_get_claim_unknown_is_404(client):
    response = await client.get("/v1/claims/no-such-claim")
    assert_problem(response, 404, "/problems/not-found", "Claim 'no-such-claim' does not exist.")


async def test_get_claim_unknown_parameter_is_422(client):
    response = await client.get(f"/v1/claims/{PLAN}?expand=all")
    body = assert_problem(response, 422, "/problems/unknown-parameter")
    assert body["errors"] == [{"loc": ["query", "expand"], "msg": "unknown parameter", "type": "unknown_parameter"}]


async def test_get_claim_etag_gives_304(client):
    first = await client.get(f"/v1/claims/{PLAN}")
    etag = first.headers["etag"]
    again = await client.get(f"/v1/claims/{PLAN}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    stale = await client.get(f"/v1/claims/{PLAN}", headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200


async def test_list_claims_pages_through_every_claim_exactly_once(client):
    everything = await walk(client, "/v1/claims?limit=200")
    paged = await walk(client, "/v1/claims?limit=7")
    assert [c["id"] for c in paged] == [c["id"] for c in everything]
    assert len({c["id"] for c in paged}) == len(paged)
    assert PLAN in {c["id"] for c in paged}


async def test_list_claims_filters_by_actor_role(client):
    as_claimant = await walk(client, "/v1/claims?actor=unnamed-us-representative&role=claimant")
    assert [c["id"] for c in as_claimant] == ["us-representative-saw-no-missile-deliveries"]
    as_subject = await walk(client, "/v1/claims?actor=unnamed-us-representative&role=subject")
    assert all(c["subject"]["id"] == "unnamed-us-representative" for c in as_subject)
    recipient = await walk(client, "/v1/claims?actor=russia&role=recipient&modality=planned&predicate=supply_arms")
    assert {PLAN.replace("40000-missiles-for-russia", "missile-shipment-to-russia"), "ar-sisi-planned-40000-missiles-for-russia"} <= {
        c["id"] for c in recipient
    }
    assert all(c["recipient"]["id"] == "russia" and c["modality"] == "planned" for c in recipient)


async def test_list_claims_filters_by_language_polarity_and_source(client):
    arabic = await walk(client, "/v1/claims?language=ar")
    assert arabic and all(c["languages"] == ["ar"] for c in arabic)
    negated = await walk(client, "/v1/claims?polarity=negated")
    assert "us-representative-saw-no-missile-deliveries" in {c["id"] for c in negated}
    assert all(c["polarity"] == "negated" for c in negated)
    via_leak = await walk(client, "/v1/claims?source=discord-leak-2023")
    assert {PLAN, "ar-sisi-planned-40000-missiles-for-russia"} <= {c["id"] for c in via_leak}


async def test_list_claims_filters_by_event_date(client):
    claims = await walk(client, "/v1/claims?date_from=2023-02-01&date_to=2023-02-28")
    ids = {c["id"] for c in claims}
    assert PLAN in ids
    assert all(c["event_time"]["start"] <= "2023-02-28" for c in claims)
    none_2013 = await walk(client, "/v1/claims?date_from=2023&date_to=2023")
    assert all(not c["event_time"]["start"].startswith("2013") for c in none_2013)


@pytest.mark.parametrize(
    ("query", "type_", "loc"),
    [
        ("limit=201", "/problems/validation-error", ["query", "limit"]),
        ("limit=0", "/problems/validation-error", ["query", "limit"]),
        ("predicate=sells_rockets", "/problems/validation-error", ["query", "predicate"]),
        ("date_from=2023-02-30", "/problems/invalid-parameter", ["query", "date_from"]),
        ("date_from=Feb-2023", "/problems/validation-error", ["query", "date_from"]),
        ("actor=nobody", "/problems/invalid-parameter", ["query", "actor"]),
        ("role=subject", "/problems/invalid-parameter", ["query", "role"]),
        ("date_from=2023-03&date_to=2023-02", "/problems/invalid-parameter", ["query", "date_to"]),
        ("predicat=supply_arms", "/problems/unknown-parameter", ["query", "predicat"]),
    ],
)
async def test_list_claims_bad_parameters_are_422(client, query, type_, loc):
    body = assert_problem(await client.get(f"/v1/claims?{query}"), 422, type_)
    assert body["errors"][0]["loc"] == loc


async def test_list_claims_malformed_cursor_is_400(client):
    body = assert_problem(await client.get("/v1/claims?cursor=not-a-cursor"), 400, "/problems/bad-request")
    assert "not valid for this query" in body["detail"]


async def test_list_claims_cursor_from_other_filters_is_400(client):
    page = (await client.get("/v1/claims?limit=2")).json()
    response = await client.get(f"/v1/claims?limit=2&predicate=meet&cursor={page['next_cursor']}")
    assert_problem(response, 400, "/problems/bad-request")


async def test_list_claims_etag_gives_304(client):
    first = await client.get("/v1/claims?limit=3")
    again = await client.get("/v1/claims?limit=3", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", [
    "/v1/claims?modality=planned&modality=expected", "/v1/claims?limit=1&limit=2", "/v1/search?q=egypt&q=russia",
])
async def test_a_repeated_parameter_is_422_not_the_last_value(client, path):
    response = await client.get(path)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    name = path.split("?")[1].split("=")[0]
    assert body["type"] == "/problems/invalid-parameter"
    assert body["detail"] == f"Query parameter(s) '{name}' given more than once; each takes one value."
    assert body["errors"] == [{"loc": ["query", name], "msg": "given more than once", "type": "repeated_parameter"}]
