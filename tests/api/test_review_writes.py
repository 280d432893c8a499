"""The review rules hold for writes too: a record `check` would refuse is a 422 naming the field, and
nothing of it is stored."""

from __future__ import annotations

import pytest

from tests.conftest import assert_problem

pytestmark = pytest.mark.anyio

BUNA = "buna-times-2023-sisi-missiles-for-russia"
WP = "washington-post-2023-egypt-missiles-report"
REP_QUOTE = "We have not seen this (deliveries of missiles from Egypt to the Russian Federation – ed.) happen, – the US representative noted."


def _evidence(quote: str, start: int, **extra: str) -> dict:
    return {"source": BUNA, "quote": quote, "start": start, "end": start + len(quote), **extra}


def _claim(claim_id: str, claimant: str, *evidence: dict) -> dict:
    return {
        "id": claim_id, "statement": "The US representative said they had not seen deliveries of missiles from Egypt to Russia.",
        "subject": "egypt", "predicate": "supply_arms", "recipient": "russia", "polarity": "negated",
        "claimant": claimant, "evidence": list(evidence),
    }


async def _refused(client, auth, path: str, body: dict) -> list[dict]:
    problem = assert_problem(await client.post(path, json=body, headers=auth), 422, "/problems/validation-error")
    assert (await client.get(f"{path}/{body['id']}")).status_code == 404
    return [{"loc": e["loc"], "type": e["type"]} for e in problem["errors"]]


async def test_direct_speech_given_to_the_reporter_is_422(client, auth):
    body = _claim("rep-claim", "buna-times", _evidence(REP_QUOTE, 840, speech="direct", speaker="unnamed-us-representative"))
    assert await _refused(client, auth, "/v1/claims", body) == [{"loc": ["body", "evidence", 0, "speaker"], "type": "speech"}]


async def test_indirect_speech_given_to_its_speaker_is_422(client, auth):
    quote = "The US government claims that North Korea is secretly supplying Russia with artillery shells"
    body = _claim("us-claim", "united-states", _evidence(quote, 969, speech="indirect", speaker="united-states"))
    assert await _refused(client, auth, "/v1/claims", body) == [{"loc": ["body", "claimant"], "type": "speech"}]


async def test_narration_given_to_someone_else_than_its_voice_is_422(client, auth):
    quote = "The US government claims that North Korea is secretly supplying Russia with artillery shells"
    body = _claim("us-claim", "china", _evidence(quote, 969, speech="narration"))
    problem = assert_problem(await client.post("/v1/claims", json=body, headers=auth), 422, "/problems/validation-error")
    assert problem["detail"] == (
        "Claim 'us-claim' was not saved: claimant: evidence[0] is narration, the words of its reporter, so the claimant must"
        " be its voice ('buna-times', 'david-wyatt'), not 'china'."
    )


async def test_a_relayed_passage_cut_from_its_attribution_is_422(client, auth):
    # "The Egyptian president, one of Washington's closest allies" is relayed from the WP with the rest of its sentence.
    quote = "The Egyptian president, one of Washington’s closest allies in the Middle East"
    body = _claim("ally-claim", "buna-times", _evidence(quote, 449, speech="narration"))
    errors = await _refused(client, auth, "/v1/claims", body)
    assert errors == [{"loc": ["body", "evidence", 0, "attributed_to"], "type": "attribution_span"}]
    body["claimant"] = "washington-post"
    body["evidence"][0]["attributed_to"] = WP
    response = await client.post("/v1/claims", json=body, headers=auth)
    assert response.status_code == 201, response.text


async def test_a_contradiction_within_one_passage_is_422(client, auth):
    body = {
        "id": "allies-vs-suffered", "kind": "characterization_change", "explanation": "Close allies, but the relationship suffered.",
        "claims": [
            {"claim": "egypt-us-close-allies-for-decades", "side": "a"},
            {"claim": "egypt-us-relationship-suffered-after-morsi-ouster", "side": "b"},
        ],
    }
    assert await _refused(client, auth, "/v1/contradictions", body) == [{"loc": ["body", "claims"], "type": "same_passage"}]
    body.update(status="rejected", resolution="One sentence of the article; not a conflict.")
    assert (await client.post("/v1/contradictions", json=body, headers=auth)).status_code == 201


async def test_a_repeated_contradiction_is_422(client, auth):
    body = {
        "id": "plan-vs-not-seen-again", "kind": "non_confirmation", "explanation": "The plan against what was not seen.",
        "claims": [
            {"claim": "ar-sisi-planned-40000-missiles-for-russia", "side": "a"},
            {"claim": "us-representative-saw-no-missile-deliveries", "side": "b"},
        ],
    }
    assert await _refused(client, auth, "/v1/contradictions", body) == [{"loc": ["body", "claims"], "type": "duplicate_relation"}]


async def test_a_corroboration_within_one_passage_or_repeated_is_422(client, auth):
    one_passage = {"id": "one-sentence", "claims": ["sisi-planned-40000-missiles-for-russia", "sisi-planned-missile-shipment-to-russia"],
                   "explanation": "The same sentence."}
    assert await _refused(client, auth, "/v1/corroborations", one_passage) == [{"loc": ["body", "claims"], "type": "same_passage"}]
    repeated = {"id": "plan-again", "claims": ["ar-sisi-planned-40000-missiles-for-russia", "sisi-planned-40000-missiles-for-russia"],
                "explanation": "The plan in English and Arabic."}
    assert await _refused(client, auth, "/v1/corroborations", repeated) == [{"loc": ["body", "claims"], "type": "duplicate_relation"}]


async def test_a_speaks_for_loop_is_422(client, auth):
    # The foreign ministry acts for Russia; Russia cannot then act for the ministry.
    response = await client.get("/v1/actors/russia")
    patched = await client.patch("/v1/actors/russia", json={"speaks_for": "russian-foreign-ministry"},
                                 headers={**auth, "If-Match": response.headers["ETag"]})
    problem = assert_problem(patched, 422, "/problems/validation-error")
    assert problem["errors"] == [{
        "loc": ["body", "speaks_for"], "type": "speaks_for_loop",
        "msg": "speaks_for loops back to 'russia' (russia -> russian-foreign-ministry -> russia): whom an actor acts for"
               " must end at a party that acts for no one",
    }]
    assert (await client.get("/v1/actors/russia")).json()["speaks_for"] is None


async def test_overlapping_spans_in_one_claim_name_one_source(client, auth):
    ally = "The Egyptian president, one of Washington’s closest allies in the Middle East"
    body = _claim("ally-twice", "washington-post", _evidence(ally, 449, speech="narration", attributed_to=WP),
                  _evidence("The Egyptian president", 449, speech="narration"))
    assert await _refused(client, auth, "/v1/claims", body) == [
        {"loc": ["body", "claimant"], "type": "speech"},
        {"loc": ["body", "evidence", 0, "attributed_to"], "type": "attribution_span"},
    ]


async def test_the_country_us_is_not_a_first_person_word(client, auth):
    quote = "The US government claims that North Korea is secretly supplying Russia with artillery shells"
    body = _claim("us-direct", "united-states", _evidence(quote, 969, speech="direct", speaker="united-states"))
    assert await _refused(client, auth, "/v1/claims", body) == [{"loc": ["body", "evidence", 0, "speech"], "type": "speech"}]


async def test_an_unnamed_speaker_keeps_whom_it_speaks_for(client, auth):
    url = "/v1/actors/unnamed-us-representative"
    etag = (await client.get(url)).headers["ETag"]
    problem = assert_problem(await client.patch(url, json={"speaks_for": None}, headers={**auth, "If-Match": etag}),
                             422, "/problems/validation-error")
    assert [(e["loc"], e["type"]) for e in problem["errors"]] == [(["body", "speaks_for"], "unnamed_claimant")]
    assert (await client.get(url)).json()["speaks_for"]["id"] == "united-states"


async def test_a_relation_rejected_on_review_cannot_be_added_again(client, auth):
    aid = {"id": "aid-again", "claims": ["egypt-largest-recipient-of-us-aid", "wsj-egypt-receives-billions-in-us-military-aid"],
           "explanation": "Both say the US gives Egypt a lot of aid."}
    problem = assert_problem(await client.post("/v1/corroborations", json=aid, headers=auth), 422, "/problems/validation-error")
    [error] = problem["errors"]
    assert (error["loc"], error["type"]) == (["body", "claims"], "rejected_relation")
    assert error["msg"].startswith("it repeats corroboration 'us-aid-to-egypt-english-and-arabic' (the same claims, or claims"
                                   " drawn from the same words), which was reviewed and rejected: Not a corroboration:")
    allies = {"id": "allies-again", "kind": "incompatible_stance", "explanation": "Allies who do not help each other.",
              "claims": [{"claim": "egypt-us-close-allies-for-decades", "side": "a"},
                         {"claim": "egypt-us-not-offering-help-against-isis", "side": "b"}]}
    assert await _refused(client, auth, "/v1/contradictions", allies) == [{"loc": ["body", "claims"], "type": "rejected_relation"}]


async def test_a_claim_drawn_from_the_same_words_makes_a_duplicate(client, auth):
    part = "We have not seen this (deliveries of missiles from Egypt to the Russian Federation – ed.) happen"
    body = _claim("not-seen-part", "unnamed-us-representative", _evidence(part, 840, speech="direct", speaker="unnamed-us-representative"))
    assert (await client.post("/v1/claims", json=body, headers=auth)).status_code == 201
    again = {"id": "plan-vs-part", "kind": "non_confirmation", "explanation": "The plan against what was not seen.",
             "claims": [{"claim": "sisi-planned-40000-missiles-for-russia", "side": "a"}, {"claim": "not-seen-part", "side": "b"}]}
    assert await _refused(client, auth, "/v1/contradictions", again) == [{"loc": ["body", "claims"], "type": "duplicate_relation"}]


@pytest.mark.parametrize(
    ("change", "msg"),
    [
        ({"status": "rejected", "resolution": "   "}, "Value error, status 'rejected' needs a resolution saying how or why"),
        ({"status": "open", "resolution": "Settled."},
         "Value error, status 'open' takes no resolution: send null with it, or a status that settles the relation"),
    ],
)
async def test_a_resolution_comes_with_a_status_that_settles(client, auth, change, msg):
    body = {"id": "plan-vs-shells", "kind": "numeric_mismatch", "explanation": "x",
            "claims": [{"claim": "sisi-planned-40000-missiles-for-russia", "side": "a"},
                       {"claim": "china-considering-supplying-russia-artillery-shells", "side": "b"}], **change}
    problem = assert_problem(await client.post("/v1/contradictions", json=body, headers=auth), 422, "/problems/validation-error")
    assert [(e["loc"], e["msg"]) for e in problem["errors"]] == [(["body", "resolution"], msg)]


async def test_reopening_a_settled_contradiction_drops_its_resolution(client, auth):
    url = "/v1/contradictions/missile-plan-vs-no-deliveries-seen"
    etag = (await client.get(url)).headers["ETag"]
    kept = await client.patch(url, json={"status": "open"}, headers={**auth, "If-Match": etag})
    assert assert_problem(kept, 422, "/problems/validation-error")["errors"][0]["loc"] == ["body", "resolution"]
    reopened = await client.patch(url, json={"status": "open", "resolution": None}, headers={**auth, "If-Match": etag})
    assert (reopened.status_code, reopened.json()["status"], reopened.json()["resolution"]) == (200, "open", None)


async def test_a_new_status_does_not_keep_the_old_resolution(client, auth):
    """A reconciled contradiction's resolution says how it was reconciled: a rejection sent without its own reason is
    a 422 (it would otherwise keep the reconciliation as its reason), and nothing changes; with its reason it is
    stored; a status that takes no resolution is sent with `resolution: null`."""
    path = "/v1/contradictions/missile-plan-vs-plan-abandoned"
    before = await client.get(path)
    assert (before.json()["status"], bool(before.json()["resolution"])) == ("reconciled", True)
    refused = await client.patch(path, json={"status": "rejected"}, headers={**auth, "If-Match": before.headers["etag"]})
    problem = assert_problem(refused, 422, "/problems/validation-error")
    assert [(e["loc"], e["msg"]) for e in problem["errors"]] == [
        (["body", "resolution"], "Value error, status 'rejected' needs a resolution saying how or why")]
    assert (await client.get(path)).content == before.content
    confirmed = await client.patch(path, json={"status": "confirmed", "resolution": None},
                                   headers={**auth, "If-Match": before.headers["etag"]})
    assert confirmed.status_code == 200, confirmed.text
    assert (confirmed.json()["status"], confirmed.json()["resolution"]) == ("confirmed", None)
    rejected = await client.patch(path, json={"status": "rejected", "resolution": "The two reports describe different plans."},
                                  headers={**auth, "If-Match": confirmed.headers["etag"]})
    assert (rejected.json()["status"], rejected.json()["resolution"]) == ("rejected", "The two reports describe different plans.")
