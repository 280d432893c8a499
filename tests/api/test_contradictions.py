"""/v1/contradictions and /v1/corroborations: the three links that define the product."""

from __future__ import annotations

import pytest

from api.engine.rules import RULES_BY_NAME
from tests.conftest import assert_problem, walk

pytestmark = pytest.mark.anyio

BUNA = "buna-times-2023-sisi-missiles-for-russia"
KHALEEJ = "alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks"


async def _evidence(client, claim_id):
    claim = (await client.get(f"/v1/claims/{claim_id}")).json()
    return [(e["source_id"], e["start"], e["end"], e["quote"]) for e in claim["evidence"]]


async def test_plan_against_no_deliveries_seen(client):
    response = await client.get("/v1/contradictions/missile-plan-vs-no-deliveries-seen")
    assert response.status_code == 200
    x = response.json()
    assert x["kind"] == "non_confirmation"
    assert x["status"] == "reconciled"
    assert x["resolution"].startswith("Both can hold, and a later report accounts for them together")
    assert x["origin"] == "curated"
    sides = {c["claim_id"]: c["side"] for c in x["claims"]}
    assert sides == {
        "sisi-planned-40000-missiles-for-russia": "a",
        "sisi-planned-missile-shipment-to-russia": "a",
        "sisi-ordered-subordinates-to-make-missiles-for-moscow": "a",
        "ar-sisi-planned-40000-missiles-for-russia": "a",
        "us-representative-saw-no-missile-deliveries": "b",
    }
    denial = next(c for c in x["claims"] if c["side"] == "b")
    assert denial["statement"] == (
        "The US representative said they had not seen deliveries of missiles from Egypt to the Russian Federation happen."
    )
    assert denial["claimant"]["id"] == "unnamed-us-representative"
    assert denial["claimant"]["unnamed"] is True
    assert await _evidence(client, "us-representative-saw-no-missile-deliveries") == [(
        BUNA, 840, 968,
        "We have not seen this (deliveries of missiles from Egypt to the Russian Federation – ed.) happen, – the US representative noted.",
    )]
    [(source, start, end, quote)] = await _evidence(client, "sisi-planned-40000-missiles-for-russia")
    assert (source, start, end) == (BUNA, 0, 127)
    assert quote == (
        "Secret US documents show that Egyptian President Abdel Fattah el-Sisi planned to produce 40,000 missiles"
        " for Russia in February"
    )


async def test_plan_against_later_abandonment(client):
    x = (await client.get("/v1/contradictions/missile-plan-vs-plan-abandoned")).json()
    assert x["kind"] == "supersession"
    assert x["status"] == "reconciled"
    assert x["resolution"].startswith("The claims describe different times.")
    dropped = next(c for c in x["claims"] if c["side"] == "b")
    assert dropped == {
        "claim_id": "ar-egypt-dropped-missile-plan",
        "side": "b",
        "statement": "Al-Khaleej Al-Jadeed reports that other documents said Egypt later backed down from the plan to supply"
                     " Russia with missiles amid US pressure.",
        "claimant": {"id": "alkhaleej-aljadeed", "kind": "media_outlet", "name": "Al-Khaleej Al-Jadeed", "unnamed": False},
        "source_ids": [KHALEEJ],
    }
    claim = (await client.get("/v1/claims/ar-egypt-dropped-missile-plan")).json()
    assert claim["modality"] == "abandoned"
    [ev] = claim["evidence"]
    assert (ev["start"], ev["end"], ev["language"]) == (2211, 2278, "ar")
    assert ev["quote"] == "وقالت وثائق أخرى أن مصر تراجعت لاحقًا عن تلك الخطة وسط ضغوط أمريكية"
    assert ev["translation"] == "Other documents said that Egypt later backed down from that plan amid US pressure"
    assert (ev["speech"], ev["speaker"]["id"]) == ("indirect", "other-us-documents-003")


async def test_english_and_arabic_reports_of_the_plan_are_not_independent(client):
    page = (await client.get("/v1/corroborations?claim=ar-sisi-planned-40000-missiles-for-russia")).json()
    y = next(i for i in page["items"] if i["id"] == "missile-plan-reported-in-english-and-arabic")
    assert y["independent"] is False
    assert [s["id"] for s in y["shared_origins"]] == ["discord-leak-2023"]
    assert {c["claim_id"]: c["source_ids"] for c in y["claims"]} == {
        "sisi-planned-40000-missiles-for-russia": [BUNA],
        "ar-sisi-planned-40000-missiles-for-russia": [KHALEEJ],
    }
    [ev] = (await client.get("/v1/claims/ar-sisi-planned-40000-missiles-for-russia")).json()["evidence"]
    assert (ev["start"], ev["end"], ev["attributed_to"]["id"]) == (1986, 2146, "discord-leak-2023")
    assert "بـ40 ألف صاروخ" in ev["quote"]
    assert "40,000 missiles" in ev["translation"]


async def test_get_corroboration(client):
    y = (await client.get("/v1/corroborations/missile-plan-reported-in-english-and-arabic")).json()
    assert y["independent"] is False
    assert_problem(await client.get("/v1/corroborations/nope"), 404, "/problems/not-found", "Corroboration 'nope' does not exist.")


async def test_list_contradictions_pages_and_filters(client):
    everything = await walk(client, "/v1/contradictions?limit=200")
    paged = await walk(client, "/v1/contradictions?limit=2")
    assert [x["id"] for x in paged] == [x["id"] for x in everything]
    assert len({x["id"] for x in paged}) == len(paged)
    reconciled = await walk(client, "/v1/contradictions?status=reconciled")
    assert reconciled and all(x["status"] == "reconciled" and x["resolution"] for x in reconciled)
    by_claim = await walk(client, "/v1/contradictions?claim=us-representative-saw-no-missile-deliveries")
    assert [x["id"] for x in by_claim] == ["missile-plan-vs-no-deliveries-seen"]
    by_actor = await walk(client, "/v1/contradictions?actor=unnamed-us-representative&kind=non_confirmation")
    assert [x["id"] for x in by_actor] == ["missile-plan-vs-no-deliveries-seen"]


async def test_list_corroborations_pages_every_item_once(client):
    everything = await walk(client, "/v1/corroborations?limit=200")
    paged = await walk(client, "/v1/corroborations?limit=3")
    assert [y["id"] for y in paged] == [y["id"] for y in everything]
    shared = await walk(client, "/v1/corroborations?independent=false")
    assert "missile-plan-reported-in-english-and-arabic" in {y["id"] for y in shared}
    assert all(not y["independent"] and (y["shared_origins"] or y["shared_parties"]) for y in shared)
    rejected = await walk(client, "/v1/corroborations?status=rejected")
    assert [(y["id"], y["resolution"].split(":")[0]) for y in rejected] == [
        ("egypt-close-us-ally-2015-and-2023", "Not the same proposition"),
        ("sisi-secret-missiles-production-and-shipment-plans", "Not a corroboration"),
        ("us-aid-to-egypt-english-and-arabic", "Not a corroboration"),
    ]
    fulfilments = await walk(client, "/v1/corroborations?kind=fulfilment")
    assert [y["id"] for y in fulfilments] == ["putin-arms-deal-aim-2013-fulfilled-2014", "russia-wooing-egypt-2013-relations-improved-2015"]


async def test_get_contradiction_unknown_is_404(client):
    assert_problem(await client.get("/v1/contradictions/nope"), 404, "/problems/not-found", "Contradiction 'nope' does not exist.")


@pytest.mark.parametrize("query", ["status=closed", "kind=disagreement", "claim=nope", "limit=500", "independent=maybe"])
async def test_bad_filters_are_422(client, query):
    path = "/v1/corroborations" if query.startswith("independent") else "/v1/contradictions"
    response = await client.get(f"{path}?{query}")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_relations_by_the_rule_that_finds_them(client):
    assert [x["id"] for x in await walk(client, "/v1/contradictions?rule=stance-vs-conduct")] == ["egypt-neutrality-vs-arms-plans-for-russia"]
    assert [x["id"] for x in await walk(client, "/v1/contradictions?rule=plan-abandoned")] == ["missile-plan-vs-plan-abandoned"]
    assert await walk(client, "/v1/contradictions?rule=plan-abandoned&as_of=2023-04-12") == []
    fulfilled = await walk(client, "/v1/corroborations?rule=aim-fulfilled")
    assert [(y["id"], y["origin"], y["detected_by"]) for y in fulfilled] == [
        ("putin-arms-deal-aim-2013-fulfilled-2014", "curated", ["aim-fulfilled"]),
        ("russia-wooing-egypt-2013-relations-improved-2015", "curated", ["aim-fulfilled"]),
    ]
    assert [y["id"] for y in await walk(client, "/v1/corroborations?rule=outcome-not-done")] == ["no-deliveries-seen-consistent-with-plan-dropped"]


async def test_corroborations_by_origin(client):
    everything = await walk(client, "/v1/corroborations?limit=200")
    assert [y["id"] for y in await walk(client, "/v1/corroborations?origin=curated&limit=200")] == [y["id"] for y in everything]
    assert await walk(client, "/v1/corroborations?origin=same-stance") == []


@pytest.mark.parametrize("path", ["/v1/contradictions", "/v1/corroborations"])
async def test_an_unknown_rule_is_422_listing_the_rules(client, path):
    problem = assert_problem(await client.get(f"{path}?rule=stance-vs-deeds"), 422, "/problems/invalid-parameter")
    names = ", ".join(sorted(RULES_BY_NAME))
    assert problem["detail"] == f"Query parameter 'rule': 'stance-vs-deeds' is not a detection rule. The rules are: {names}."
    assert problem["errors"] == [{"loc": ["query", "rule"], "msg": f"not a detection rule; one of: {names}", "type": "unknown_rule"}]
    assert "stance-vs-conduct" in names
