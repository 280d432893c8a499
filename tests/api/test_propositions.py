"""/v1/propositions: claims grouped as "the same thing said", their story as a status line, and what was
known at a date (`as_of`)."""

from __future__ import annotations

import pytest

from tests.conftest import assert_problem, walk

pytestmark = pytest.mark.anyio

BUNA = "buna-times-2023-sisi-missiles-for-russia"


async def test_a_source_write_keeps_its_claims_in_their_propositions(client, auth):
    claim_url = "/v1/claims/us-representative-saw-no-missile-deliveries"
    before = (await client.get(claim_url)).json()["proposition_id"]
    assert before == "arms-flow--egypt--russia--missiles"
    source = await client.get(f"/v1/sources/{BUNA}")
    changed = await client.patch(f"/v1/sources/{BUNA}", json={"title": "Sisi planned missiles for Russia"},
                                 headers={**auth, "If-Match": source.headers["etag"]})
    assert changed.status_code == 200, changed.text
    assert (await client.get(claim_url)).json()["proposition_id"] == before


HEADLINE = "arms-flow--egypt--russia--missiles"
HEADLINE_LINE = (
    "planned (Feb 2023; Leaked US intelligence documents, The Washington Post) → not observed (Unnamed US representative)"
    " → abandoned (Other documents on Egypt dropping the missile plan)"
)
EGYPT = {"id": "egypt", "kind": "country", "name": "Egypt", "unnamed": False}
RUSSIA = {"id": "russia", "kind": "country", "name": "Russia", "unnamed": False}


async def _headline_id(client) -> str:
    return (await client.get("/v1/claims/sisi-planned-40000-missiles-for-russia")).json()["proposition_id"]


async def test_the_headline_proposition_tells_planned_then_not_observed_then_abandoned(client):
    assert await _headline_id(client) == HEADLINE
    response = await client.get(f"/v1/propositions/{HEADLINE}")
    assert response.status_code == 200
    p = response.json()
    assert p["key"] == {"family": "arms-flow", "parties": [EGYPT, RUSSIA], "thing": "missiles"}
    assert (p["claim_count"], p["date_from"], p["date_to"]) == (6, "2023-01-01", "2023-12-31")
    assert p["status_line"] == HEADLINE_LINE
    # In time order: by event time, else the date of the document quoted (the Buna Times text is dated only 2023).
    assert [(c["id"], c["step"], c["dated_by"], c["date_from"], c["date_to"]) for c in p["claims"]] == [
        ("sisi-ordered-subordinates-to-make-missiles-for-moscow", "planned", "published", "2023-01-01", "2023-12-31"),
        ("sisi-planned-missile-shipment-to-russia", "planned", "published", "2023-01-01", "2023-12-31"),
        ("us-representative-saw-no-missile-deliveries", "not observed", "published", "2023-01-01", "2023-12-31"),
        ("sisi-planned-40000-missiles-for-russia", "planned", "event", "2023-02-01", "2023-02-28"),
        ("ar-egypt-dropped-missile-plan", "abandoned", "published", "2023-09-26", "2023-09-26"),
        ("ar-sisi-planned-40000-missiles-for-russia", "planned", "published", "2023-09-26", "2023-09-26"),
    ]
    by_id = {c["id"]: c for c in p["claims"]}
    english, arabic = by_id["sisi-planned-40000-missiles-for-russia"], by_id["ar-sisi-planned-40000-missiles-for-russia"]
    assert english["statement"] == (
        "Secret US documents show that Egyptian President Abdel Fattah el-Sisi planned to produce 40,000 missiles for Russia in February."
    )
    assert (english["modality"], english["polarity"], english["evidential"]) == ("planned", "affirmed", "asserted")
    assert english["event_time"] == {
        "start": "2023-02", "end": None, "precision": "month", "inferred": True,
        "note": "The text says \"in February\" without a year; 2023 is inferred because the plan is known from the secret US files"
                " posted on Discord \"in February and March\" of the 2023 leak.",
    }
    assert [a["id"] for a in english["speakers"]] == ["leaked-us-intelligence-documents"]
    assert (english["claimant"]["id"], arabic["claimant"]["id"]) == ("washington-post", "alkhaleej-aljadeed")
    seen = by_id["us-representative-saw-no-missile-deliveries"]
    assert (seen["modality"], seen["polarity"], seen["evidential"]) == ("actual", "negated", "observed")
    assert seen["claimant"] == {"id": "unnamed-us-representative", "kind": "person", "name": "Unnamed US representative", "unnamed": True}
    dropped = by_id["ar-egypt-dropped-missile-plan"]
    assert (dropped["modality"], dropped["event_time"], [a["id"] for a in dropped["speakers"]]) == (
        "abandoned", None, ["other-us-documents-003"])
    plan = ["ar-sisi-planned-40000-missiles-for-russia", "sisi-ordered-subordinates-to-make-missiles-for-moscow",
            "sisi-planned-40000-missiles-for-russia", "sisi-planned-missile-shipment-to-russia"]
    assert p["contradictions"] == [
        {"id": "missile-plan-vs-no-deliveries-seen", "kind": "non_confirmation", "status": "reconciled", "origin": "curated",
         "claim_ids": [*plan, "us-representative-saw-no-missile-deliveries"]},
        {"id": "missile-plan-vs-plan-abandoned", "kind": "supersession", "status": "reconciled", "origin": "curated",
         "claim_ids": ["ar-egypt-dropped-missile-plan", *plan]},
    ]
    assert p["corroborations"] == [
        {"id": "missile-plan-reported-in-english-and-arabic", "kind": "same_proposition", "status": "confirmed", "origin": "curated",
         "claim_ids": ["ar-sisi-planned-40000-missiles-for-russia", "sisi-planned-40000-missiles-for-russia"]},
        {"id": "no-deliveries-seen-consistent-with-plan-dropped", "kind": "consistent_outcome", "status": "confirmed",
         "origin": "curated", "claim_ids": ["ar-egypt-dropped-missile-plan", "us-representative-saw-no-missile-deliveries"]},
        {"id": "sisi-missile-plan-first-sentence-and-ordered-batch", "kind": "same_proposition", "status": "confirmed",
         "origin": "curated", "claim_ids": ["sisi-ordered-subordinates-to-make-missiles-for-moscow", "sisi-planned-40000-missiles-for-russia"]},
        {"id": "sisi-secret-missiles-production-and-shipment-plans", "kind": "same_proposition", "status": "rejected",
         "origin": "curated", "claim_ids": ["sisi-planned-40000-missiles-for-russia", "sisi-planned-missile-shipment-to-russia"]},
    ]
    # The stance against these plans is a contradiction with a claim of another proposition, not among these.
    assert "egypt-neutrality-vs-arms-plans-for-russia" in (await client.get("/v1/claims/sisi-planned-40000-missiles-for-russia")).json()[
        "contradiction_ids"]


async def test_detail_sends_an_etag_and_304(client):
    first = await client.get(f"/v1/propositions/{HEADLINE}")
    again = await client.get(f"/v1/propositions/{HEADLINE}", headers={"If-None-Match": first.headers["etag"]})
    assert (again.status_code, again.headers["etag"]) == (304, first.headers["etag"])
    other = await client.get(f"/v1/propositions/{HEADLINE}?as_of=2023-12-30")
    assert other.headers["etag"] != first.headers["etag"]


async def test_list_pages_every_proposition_once_with_its_claims(client):
    everything = await walk(client, "/v1/propositions?limit=200")
    paged = await walk(client, "/v1/propositions?limit=7")
    assert [p["id"] for p in paged] == [p["id"] for p in everything] == sorted({p["id"] for p in everything})
    claims = await walk(client, "/v1/claims?limit=200")
    assert sorted({c["proposition_id"] for c in claims}) == [p["id"] for p in everything]
    assert {p["id"]: p["claim_count"] for p in everything} == {
        pid: sum(1 for c in claims if c["proposition_id"] == pid) for pid in {c["proposition_id"] for c in claims}
    }
    [headline] = [p for p in everything if p["id"] == HEADLINE]
    detail = (await client.get(f"/v1/propositions/{HEADLINE}")).json()
    assert headline == {k: v for k, v in detail.items() if k not in ("claims", "contradictions", "corroborations")}
    assert headline["status_line"] == HEADLINE_LINE


async def test_list_filters(client):
    assert [p["id"] for p in await walk(client, "/v1/propositions?actor=unnamed-us-representative")] == [HEADLINE]
    produce = await walk(client, "/v1/propositions?predicate=produce_arms")
    assert [p["id"] for p in produce] == [HEADLINE]
    # A filter chooses propositions; each still counts all its claims.
    assert produce[0]["claim_count"] == 6
    autumn_2013 = await walk(client, "/v1/propositions?date_from=2013-11&date_to=2013-11&limit=200")
    assert autumn_2013 and all(p["date_from"] <= "2013-11-30" and p["date_to"] >= "2013-11-01" for p in autumn_2013)
    assert HEADLINE not in {p["id"] for p in autumn_2013}
    assert "talks--egypt--russia--none" in {p["id"] for p in autumn_2013}
    in_2023 = await walk(client, "/v1/propositions?date_from=2023-09-26&date_to=2023-09-26&limit=200")
    assert HEADLINE in {p["id"] for p in in_2023}
    assert all(p["date_from"] <= "2023-09-26" <= p["date_to"] for p in in_2023)


async def test_as_of_before_the_reports_the_headline_proposition_is_unknown(client):
    # The Arabic report is of 26 September 2023, and the Buna Times text is dated only 2023 (so from 2023-12-31).
    known = {p["id"] for p in await walk(client, "/v1/propositions?as_of=2023-04-12&limit=200")}
    assert HEADLINE not in known and "talks--egypt--russia--none" in known
    assert_problem(await client.get(f"/v1/propositions/{HEADLINE}?as_of=2023-04-12"), 404, "/problems/not-found",
                   f"Proposition '{HEADLINE}' has no claim published by 2023-04-12.")


async def test_as_of_shows_each_report_once_published(client):
    autumn = (await client.get(f"/v1/propositions/{HEADLINE}?as_of=2023-12-30")).json()
    assert [c["id"] for c in autumn["claims"]] == ["ar-egypt-dropped-missile-plan", "ar-sisi-planned-40000-missiles-for-russia"]
    assert autumn["status_line"] == "planned (Leaked US intelligence documents) → abandoned (Other documents on Egypt dropping the missile plan)"
    assert (autumn["claim_count"], autumn["date_from"], autumn["date_to"]) == (2, "2023-09-26", "2023-09-26")
    # The supersession also opposes the Washington Post's report, not published yet.
    assert (autumn["contradictions"], autumn["corroborations"]) == ([], [])
    year_end = (await client.get(f"/v1/propositions/{HEADLINE}?as_of=2023-12-31")).json()
    assert year_end == (await client.get(f"/v1/propositions/{HEADLINE}")).json()
    assert year_end["status_line"] == HEADLINE_LINE
    assert "missile-plan-vs-plan-abandoned" in {x["id"] for x in year_end["contradictions"]}
    [listed] = [p for p in await walk(client, "/v1/propositions?as_of=2023-12-30&actor=alkhaleej-aljadeed&limit=200") if p["id"] == HEADLINE]
    assert listed["status_line"] == autumn["status_line"]


async def test_unknown_proposition_is_404(client):
    assert_problem(await client.get("/v1/propositions/no-such-thing"), 404, "/problems/not-found",
                   "Proposition 'no-such-thing' does not exist.")
    assert_problem(await client.get("/v1/propositions/no-such-thing?as_of=2023-12-31"), 404, "/problems/not-found",
                   "Proposition 'no-such-thing' does not exist.")


@pytest.mark.parametrize(("query", "type_", "loc"), [
    ("actor=nobody", "/problems/invalid-parameter", ["query", "actor"]),
    ("predicate=teleport", "/problems/validation-error", ["query", "predicate"]),
    ("date_from=February", "/problems/validation-error", ["query", "date_from"]),
    ("date_to=2023-13", "/problems/invalid-parameter", ["query", "date_to"]),
    ("date_from=2023-02-30", "/problems/invalid-parameter", ["query", "date_from"]),
    ("date_from=2023&date_to=2022", "/problems/invalid-parameter", ["query", "date_to"]),
    ("as_of=2023-02-30", "/problems/invalid-parameter", ["query", "as_of"]),
    ("as_of=2023", "/problems/validation-error", ["query", "as_of"]),
    ("limit=0", "/problems/validation-error", ["query", "limit"]),
    ("family=arms-flow", "/problems/unknown-parameter", ["query", "family"]),
])
async def test_bad_list_parameters_are_422_naming_them(client, query, type_, loc):
    problem = assert_problem(await client.get(f"/v1/propositions?{query}"), 422, type_)
    assert [e["loc"] for e in problem["errors"]] == [loc]


async def test_bad_detail_parameters_are_422(client):
    problem = assert_problem(await client.get(f"/v1/propositions/{HEADLINE}?as_of=2023-09-31"), 422, "/problems/invalid-parameter")
    assert [e["loc"] for e in problem["errors"]] == [["query", "as_of"]]
    assert_problem(await client.get(f"/v1/propositions/{HEADLINE}?limit=5"), 422, "/problems/unknown-parameter")


async def test_a_cursor_is_bound_to_its_filters(client):
    page = (await client.get("/v1/propositions?limit=2")).json()
    assert_problem(await client.get(f"/v1/propositions?limit=2&as_of=2023-12-31&cursor={page['next_cursor']}"), 400, "/problems/bad-request")
    assert_problem(await client.get("/v1/propositions?cursor=not-a-cursor"), 400, "/problems/bad-request")


GAZETTE_TEXT = "Borduria plans to deliver rockets to Syldavia. Borduria later dropped the plan to deliver rockets to Syldavia."


async def _post(client, auth, resource: str, body: dict) -> dict:
    response = await client.post(f"/v1/{resource}", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


def _gazette_claim(claim_id: str, quote: str, **fields: object) -> dict:
    start = GAZETTE_TEXT.index(quote)
    return {"id": claim_id, "statement": quote + ".", "subject": "borduria", "predicate": "supply_arms", "object": {"label": "rockets"},
            "recipient": "syldavia", "claimant": "north-gazette",
            "evidence": [{"source": "north-gazette-2024", "quote": quote, "start": start, "end": start + len(quote), "speech": "narration"}],
            **fields}


async def test_claims_written_through_the_api_make_a_proposition_and_its_story(client, auth):
    for actor_id, kind, name in (("borduria", "country", "Borduria"), ("syldavia", "country", "Syldavia"),
                                 ("north-gazette", "media_outlet", "North Gazette")):
        await _post(client, auth, "actors", {"id": actor_id, "kind": kind, "name": name, "names": [{"value": name, "language": "en"}],
                                             "description": f"{name} (a test actor)."})
    await _post(client, auth, "sources", {
        "id": "north-gazette-2024", "kind": "news_article", "title": "Rockets", "language": "en", "publisher": "north-gazette",
        "published": {"date": "2024-03", "precision": "month"}, "text": GAZETTE_TEXT,
    })
    plan = await _post(client, auth, "claims", _gazette_claim(
        "borduria-plans-rockets", "Borduria plans to deliver rockets to Syldavia", modality="planned",
        event_time={"start": "2024-02", "precision": "month"}))
    dropped = await _post(client, auth, "claims", _gazette_claim(
        "borduria-dropped-rockets", "Borduria later dropped the plan to deliver rockets to Syldavia", modality="abandoned"))
    assert plan["proposition_id"] == dropped["proposition_id"]
    [listed] = await walk(client, "/v1/propositions?actor=borduria")
    assert listed["id"] == plan["proposition_id"]
    assert listed["key"]["family"] == "arms-flow"
    assert [a["id"] for a in listed["key"]["parties"]] == ["borduria", "syldavia"]
    assert (listed["claim_count"], listed["date_from"], listed["date_to"]) == (2, "2024-02-01", "2024-03-31")
    assert listed["status_line"] == "planned (Feb 2024; North Gazette) → abandoned (North Gazette)"
    detail = (await client.get(f"/v1/propositions/{listed['id']}")).json()
    [x] = detail["contradictions"]
    assert (x["kind"], x["status"], x["origin"], x["claim_ids"]) == (
        "supersession", "proposed", "plan-abandoned", ["borduria-dropped-rockets", "borduria-plans-rockets"])
    assert [c["id"] for c in await walk(client, "/v1/contradictions?rule=plan-abandoned")] == ["missile-plan-vs-plan-abandoned", x["id"]]
    # Not yet published at the end of February 2024; known from the end of March (the source is dated by month).
    assert (await client.get(f"/v1/propositions/{listed['id']}?as_of=2024-03-30")).status_code == 404
    assert (await client.get(f"/v1/propositions/{listed['id']}?as_of=2024-03-31")).json() == detail
    etag = (await client.get("/v1/claims/borduria-dropped-rockets")).headers["etag"]
    assert (await client.delete("/v1/claims/borduria-dropped-rockets", headers={**auth, "If-Match": etag})).status_code == 204
    after = (await client.get(f"/v1/propositions/{listed['id']}")).json()
    assert (after["claim_count"], after["status_line"], after["contradictions"]) == (1, "planned (Feb 2024; North Gazette)", [])
