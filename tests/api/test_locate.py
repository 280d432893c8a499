"""Quotes located by the server: `GET /v1/sources/{id}/locate`, and evidence given without offsets in writes."""

from __future__ import annotations

import pytest

from tests.conftest import assert_problem

pytestmark = pytest.mark.anyio

BUNA = "buna-times-2023-sisi-missiles-for-russia"
WAPO = "washington-post-2023-egypt-missiles-report"
LOCATE = f"/v1/sources/{BUNA}/locate"


async def test_locate_answers_offsets_prefix_suffix_and_an_etag(client):
    response = await client.get(LOCATE, params={"quote": "secret files posted"})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "source_id": BUNA, "start": 361, "end": 380, "quote": "secret files posted", "prefix": "ned the document from a body of ",
        "suffix": " in February and March on the po", "occurrence": 1, "count": 1,
    }
    again = await client.get(LOCATE, params={"quote": "secret files posted"}, headers={"If-None-Match": response.headers["etag"]})
    assert (again.status_code, again.headers["etag"]) == (304, response.headers["etag"])


async def test_locate_matches_a_space_where_the_text_breaks_a_line_and_stores_the_exact_slice(client):
    response = await client.get(LOCATE, params={"quote": "to avoid  problems with the West.” The Washington Post"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["start"], body["end"], body["quote"]) == (209, 262, "to avoid problems with the West.”\nThe Washington Post")


async def test_locate_matches_across_unicode_normalisation(client):
    # U+FB01 (the fi ligature) is "fi" under NFKC; the text has the two letters.
    response = await client.get(LOCATE, params={"quote": "secret \ufb01les posted"})
    assert response.status_code == 200, response.text
    assert (response.json()["start"], response.json()["quote"]) == (361, "secret files posted")


async def test_locate_a_quote_found_several_times_lists_them_and_occurrence_or_start_picks_one(client):
    body = assert_problem(await client.get(LOCATE, params={"quote": "missiles"}), 422, "/problems/invalid-parameter")
    [issue] = body["errors"]
    assert (issue["loc"], issue["type"], issue["count"]) == (["query", "quote"], "quote_ambiguous", 5)
    assert [(m["start"], m["end"]) for m in issue["matches"]] == [(96, 104), (192, 200), (613, 621), (877, 885), (1258, 1266)]
    assert issue["msg"] == (f"the quote is found 5 times in source '{BUNA}' (at 96-104, 192-200, 613-621, 877-885, 1258-1266): say"
                            " which with occurrence (1 to 5) or start")
    second = await client.get(LOCATE, params={"quote": "missiles", "occurrence": 2})
    assert (second.status_code, second.json()["start"], second.json()["occurrence"], second.json()["count"]) == (200, 192, 2, 5)
    at = await client.get(LOCATE, params={"quote": "missiles", "start": 877})
    assert (at.status_code, at.json()["end"], at.json()["occurrence"]) == (200, 885, 4)
    body = assert_problem(await client.get(LOCATE, params={"quote": "missiles", "occurrence": 6}), 422, "/problems/invalid-parameter")
    assert body["errors"][0]["type"] == "no_such_occurrence"
    body = assert_problem(await client.get(LOCATE, params={"quote": "missiles", "start": 100}), 422, "/problems/invalid-parameter")
    assert body["errors"][0]["msg"].endswith("but none starts at 100")


async def test_locate_a_quote_not_found_answers_the_closest_passage(client):
    body = assert_problem(await client.get(LOCATE, params={"quote": "planned to produce 40000 missiles for Russia"}),
                          422, "/problems/invalid-parameter")
    [issue] = body["errors"]
    assert (issue["loc"], issue["type"]) == (["query", "quote"], "quote_not_found")
    assert issue["closest"]["quote"] == "planned to produce 40,000 missiles for Russia"
    assert (issue["closest"]["start"], issue["closest"]["end"]) == (70, 115)


async def test_locate_unknown_source_is_404_and_a_source_without_text_is_422(client):
    assert_problem(await client.get("/v1/sources/no-such-source/locate", params={"quote": "x"}), 404, "/problems/not-found",
                   "Source 'no-such-source' does not exist.")
    body = assert_problem(await client.get(f"/v1/sources/{WAPO}/locate", params={"quote": "x"}), 422, "/problems/invalid-parameter")
    assert body["errors"][0]["loc"] == ["path", "source_id"]
    assert_problem(await client.get(LOCATE), 422, "/problems/validation-error")


def _claim(**evidence: object) -> dict:
    return {
        "id": "shukri-traveled-to-moscow-located", "statement": "Egyptian Foreign Minister Sameh Shukri traveled to Moscow for talks with Russian leaders.",
        "subject": "sameh-shukri", "predicate": "visit", "location": "moscow", "claimant": "washington-post",
        "evidence": [{"source": BUNA, "speech": "narration", "attributed_to": WAPO, **evidence}],
    }


async def test_a_claim_given_only_its_quote_is_stored_with_exact_offsets(client, auth):
    quote = "Egyptian  Foreign Minister Sameh Shukri traveled to Moscow\nfor talks with Russian leaders"
    response = await client.post("/v1/claims", json=_claim(quote=quote), headers=auth)
    assert response.status_code == 201, response.text
    [ev] = response.json()["evidence"]
    text = (await client.get(f"/v1/sources/{BUNA}")).json()["text"]
    assert (ev["start"], ev["end"]) == (1888, 1976)
    assert ev["quote"] == text[1888:1976] == "Egyptian Foreign Minister Sameh Shukri traveled to Moscow for talks with Russian leaders"
    assert ev["prefix"] == text[1888 - 32 : 1888] and ev["suffix"] == text[1976 : 1976 + 32]


async def test_a_claim_quote_found_nowhere_is_a_422_naming_the_evidence_item_and_nothing_is_stored(client, auth):
    response = await client.post("/v1/claims", json=_claim(quote="Sameh Shukri flew to Moscow for talks"), headers=auth)
    body = assert_problem(response, 422, "/problems/validation-error")
    [issue] = body["errors"]
    assert (issue["loc"], issue["type"]) == (["body", "evidence", 0, "quote"], "quote_not_found")
    assert issue["closest"]["quote"].startswith("Sameh Shukri traveled to Moscow")
    assert body["detail"].startswith("Claim 'shukri-traveled-to-moscow-located' was not saved: evidence[0].quote: the quote is not found")
    assert (await client.get("/v1/claims/shukri-traveled-to-moscow-located")).status_code == 404


async def test_a_claim_quote_found_twice_needs_occurrence(client, auth):
    claim = _claim(quote="Russia")
    body = assert_problem(await client.post("/v1/claims", json=claim, headers=auth), 422, "/problems/validation-error")
    assert body["errors"][0]["type"] == "quote_ambiguous"
    assert body["errors"][0]["loc"] == ["body", "evidence", 0, "quote"]
    body = assert_problem(await client.post("/v1/claims", json=_claim(quote="Russia", start=5, end=7), headers=auth),
                          422, "/problems/validation-error")
    assert body["errors"][0]["loc"] == ["body", "evidence", 0]


async def test_a_role_given_only_its_quote_is_located(client, auth):
    role = {"title": "Secretary of State", "of": "united-states", "evidence": [{"source": BUNA, "quote": "Secretary of State Anthony Blinken"}]}
    response = await client.post("/v1/actors/anthony-blinken/roles", json=role, headers=auth)
    assert response.status_code == 201, response.text
    added = [r for r in response.json()["roles"] if r["title"] == "Secretary of State" and r["evidence"][0]["start"] == 1761]
    assert added and added[0]["evidence"][0]["end"] == 1795


async def test_a_patch_gives_new_evidence_by_its_quote_and_it_is_located(client, auth):
    claim = {**_claim(quote="Sameh Shukri traveled to Moscow"), "statement": "Sameh Shukri traveled to Moscow."}
    created = await client.post("/v1/claims", json=claim, headers=auth)
    assert created.status_code == 201, created.text
    evidence = [{"source": BUNA, "speech": "narration", "attributed_to": WAPO,
                 "quote": "Foreign Minister Sameh Shukri traveled to Moscow for talks with Russian leaders"}]
    response = await client.patch("/v1/claims/shukri-traveled-to-moscow-located", json={"evidence": evidence},
                                  headers={**auth, "If-Match": created.headers["etag"]})
    assert response.status_code == 200, response.text
    [ev] = response.json()["evidence"]
    assert (ev["start"], ev["end"]) == (1897, 1976)


async def test_a_quote_longer_than_1000_code_points_is_refused_naming_it(client):
    response = await client.get("/v1/sources/alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks/locate",
                                params={"quote": "ب" * 1001})
    problem = assert_problem(response, 422, "/problems/validation-error")
    assert [e["loc"] for e in problem["errors"]] == [["query", "quote"]]
