"""Writes: create, update and delete, with validation, concurrency control, history and idempotency."""

from __future__ import annotations

import json

import pytest

from tests.conftest import assert_problem, make_key, walk

pytestmark = pytest.mark.anyio

BUNA = "buna-times-2023-sisi-missiles-for-russia"
KHALEEJ = "alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks"
WAPO = "washington-post-2023-egypt-missiles-report"
SHUKRI_QUOTE = "Egyptian Foreign Minister Sameh Shukri traveled to Moscow for talks with Russian leaders"


def actor(actor_id: str = "cairo-university", **extra) -> dict:
    return {
        "id": actor_id, "kind": "organization", "name": "Cairo University",
        "names": [{"value": "Cairo University", "language": "en"}, {"value": "جامعة القاهرة", "language": "ar"}],
        "description": "A university in Cairo.", **extra,
    }


async def evidence_for(client, source_id: str, quote: str, **fields) -> dict:
    """An evidence item for the quote; the author's narration unless `fields` say otherwise (`speech`, `speaker`)."""
    text = (await client.get(f"/v1/sources/{source_id}")).json()["text"]
    start = text.index(quote)
    return {"source": source_id, "quote": quote, "start": start, "end": start + len(quote), "speech": "narration", **fields}


async def claim_body(client, claim_id: str = "shukri-traveled-to-moscow-after-blinken-visit", **extra) -> dict:
    # Narration that the article relays from the Washington Post report (as the curated claim on the same
    # passage does): the words are the Post's, so the Post is the claimant.
    return {
        "id": claim_id,
        "statement": "Egyptian Foreign Minister Sameh Shukri traveled to Moscow for talks with Russian leaders.",
        "subject": "sameh-shukri", "predicate": "visit", "location": "moscow", "claimant": "washington-post",
        "evidence": [await evidence_for(client, BUNA, SHUKRI_QUOTE, attributed_to=WAPO)],
        **extra,
    }


async def _changes(client) -> list[dict]:
    return await walk(client, "/v1/changes?limit=200")


async def test_create_actor_returns_201_location_and_etag(client, auth):
    response = await client.post("/v1/actors", json=actor(), headers=auth)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == "/v1/actors/cairo-university"
    body = response.json()
    assert body["revision"] == 1
    assert body["names"] == [{"value": "Cairo University", "language": "en"}, {"value": "جامعة القاهرة", "language": "ar"}]
    assert response.headers["etag"].startswith('"1-')
    fetched = await client.get("/v1/actors/cairo-university", headers={"Accept-Encoding": "identity"})
    assert fetched.json() == body
    assert fetched.headers["etag"] == response.headers["etag"]
    hits = (await client.get("/v1/search", params={"q": "جامعة القاهره", "kind": "actor"})).json()["items"]
    assert [h["id"] for h in hits] == ["cairo-university"]


async def test_writes_need_a_write_key(client, settings):
    missing = await client.post("/v1/actors", json=actor())
    assert_problem(missing, 401, "/problems/unauthorized")
    assert missing.headers["www-authenticate"] == 'Bearer realm="claims-api"'
    bad = await client.post("/v1/actors", json=actor(), headers={"Authorization": "Bearer ck_nothing.wrong"})
    assert_problem(bad, 401, "/problems/unauthorized")
    assert 'error="invalid_token"' in bad.headers["www-authenticate"]
    reader = make_key(settings, "read", "reader")
    forbidden = await client.post("/v1/actors", json=actor(), headers={"Authorization": f"Bearer {reader}"})
    body = assert_problem(forbidden, 403, "/problems/forbidden")
    assert "scope 'write'" in body["detail"]
    assert (await client.get("/v1/actors/cairo-university")).status_code == 404


async def test_revoked_key_is_refused(client, settings):
    from api.http.auth import revoke_key
    from api.store.db import make_engine

    key = make_key(settings, "write", "temp")
    headers = {"X-API-Key": key}
    assert (await client.post("/v1/actors", json=actor("first-org"), headers=headers)).status_code == 201
    engine = make_engine(settings.database_url)
    with engine.begin() as conn:
        assert revoke_key(conn, key.removeprefix("ck_").split(".")[0]) is True
    engine.dispose()
    refused = await client.post("/v1/actors", json=actor("second-org"), headers=headers)
    assert_problem(refused, 401, "/problems/unauthorized")
    assert (await client.get("/v1/actors/second-org")).status_code == 404


async def test_create_claim_with_verified_evidence_updates_every_view(client, auth):
    before_counts = (await client.get("/v1/actors/sameh-shukri")).json()["claim_counts"]
    response = await client.post("/v1/claims", json=await claim_body(client), headers=auth)
    assert response.status_code == 201, response.text
    claim = response.json()
    [ev] = claim["evidence"]
    text = (await client.get(f"/v1/sources/{BUNA}")).json()["text"]
    assert (ev["quote"], text[ev["start"]:ev["end"]]) == (SHUKRI_QUOTE, SHUKRI_QUOTE)
    assert ev["prefix"] == text[ev["start"] - 32:ev["start"]]
    assert claim["location"]["id"] == "moscow"
    after_counts = (await client.get("/v1/actors/sameh-shukri")).json()["claim_counts"]
    assert after_counts["subject"] == before_counts["subject"] + 1
    in_source = await walk(client, f"/v1/sources/{BUNA}/claims?predicate=visit")
    assert "shukri-traveled-to-moscow-after-blinken-visit" in {c["id"] for c in in_source}
    [change] = [c for c in await _changes(client) if c["resource_id"] == "shukri-traveled-to-moscow-after-blinken-visit"]
    assert change["action"] == "create"
    assert change["api_key_id"] == auth["Authorization"].split()[1].removeprefix("ck_").split(".")[0]
    assert change["before"] is None
    assert change["after"]["statement"] == claim["statement"]


async def test_evidence_that_does_not_match_the_text_is_refused_and_nothing_is_stored(client, auth):
    body = await claim_body(client)
    good = body["evidence"][0]
    shifted = {**good, "start": good["start"] + 1, "end": good["end"] + 1}
    body["evidence"] = [good, shifted]
    changes_before = len(await _changes(client))
    response = await client.post("/v1/claims", json=body, headers=auth)
    problem = assert_problem(response, 422, "/problems/validation-error")
    text = (await client.get(f"/v1/sources/{BUNA}")).json()["text"]
    found = text[shifted["start"]:shifted["end"]]
    assert problem["errors"] == [{
        "loc": ["body", "evidence", 1],
        "msg": f"quote does not match source '{BUNA}' at offsets {shifted['start']}-{shifted['end']}: the text there is"
               f" {found!r}; the quote occurs at {good['start']}-{good['end']}",
        "type": "quote_mismatch",
    }]
    assert "evidence[1]" in problem["detail"]
    assert_problem(await client.get(f"/v1/claims/{body['id']}"), 404, "/problems/not-found")
    assert len(await _changes(client)) == changes_before


@pytest.mark.parametrize(
    ("change", "loc", "type_"),
    [
        ({"subject": "nobody-known"}, ["body", "subject"], "unknown_reference"),
        ({"predicate": "sell_rockets"}, ["body", "predicate"], "enum"),
        ({"revision": 7}, ["body", "revision"], "extra_forbidden"),
        ({"created_at": "2024-01-01"}, ["body", "created_at"], "extra_forbidden"),
        ({"statement": "Shukri\u0000 traveled."}, ["body"], "value_error"),
        ({"note": "broken \ud800 text"}, ["body"], "value_error"),
        ({"evidence": []}, ["body", "evidence"], "too_short"),
        # Text that says nothing, numbers that are not numbers or would not be kept exactly, offsets as text.
        ({"statement": "   "}, ["body", "statement"], "string_pattern_mismatch"),
        ({"note": "\n\t"}, ["body", "note"], "string_pattern_mismatch"),
        ({"quantity": {"value": 2**70, "unit": "missiles"}}, ["body", "quantity", "value"], "value_error"),
        ({"quantity": {"value": True, "unit": "missiles"}}, ["body", "quantity", "value"], "value_error"),
        ({"quantity": {"value": "40000", "unit": "missiles"}}, ["body", "quantity", "value"], "value_error"),
        ({"quantity": {"value": "4e4", "unit": "missiles"}}, ["body", "quantity", "value"], "value_error"),
        ({"quantity": {"value": 40000, "unit": "missiles", "approximate": "yes"}}, ["body", "quantity", "approximate"], "bool_type"),
        ({"quantity": {"value": 40000, "unit": " "}}, ["body", "quantity", "unit"], "string_pattern_mismatch"),
        ({"object": {"label": "  "}}, ["body", "object", "label"], "string_pattern_mismatch"),
    ],
)
async def test_invalid_claims_are_422_naming_the_field(client, auth, change, loc, type_):
    body = {**(await claim_body(client)), **change}
    # Sent as ASCII JSON so that a lone surrogate travels as the escape "\\ud800", as a client may send it.
    raw = json.dumps(body).encode()
    response = await client.post("/v1/claims", content=raw, headers={**auth, "Content-Type": "application/json"})
    problem = assert_problem(response, 422, "/problems/validation-error")
    assert [e["loc"] for e in problem["errors"]] == [loc]
    assert problem["errors"][0]["type"] == type_
    assert (await client.get(f"/v1/claims/{body['id']}")).status_code == 404


async def test_nul_in_a_query_is_422_not_500(client):
    assert_problem(await client.get("/v1/claims?actor=eg%00ypt"), 422, "/problems/invalid-parameter")
    assert_problem(await client.get("/v1/claims/bad%00id"), 422, "/problems/invalid-parameter")


async def test_create_with_a_taken_id_is_409(client, auth):
    response = await client.post("/v1/actors", json=actor("egypt"), headers=auth)
    assert_problem(response, 409, "/problems/conflict", "Actor 'egypt' already exists.")


async def test_patch_needs_if_match_and_a_current_revision(client, auth):
    url = "/v1/actors/sameh-shukri"
    current = await client.get(url)
    etag = current.headers["etag"]
    change = {"description": "Egyptian Foreign Minister in the 2023 report."}
    assert_problem(await client.patch(url, json=change, headers=auth), 428, "/problems/precondition-required")
    assert_problem(await client.patch(url, json=change, headers={**auth, "If-Match": '"9-0"'}), 412, "/problems/precondition-failed")
    updated = await client.patch(url, json=change, headers={**auth, "If-Match": etag})
    assert updated.status_code == 200, updated.text
    assert updated.json()["description"] == change["description"]
    assert updated.json()["revision"] == 2
    assert updated.headers["etag"].startswith('"2-')
    revisions = await walk(client, f"{url}/revisions")
    assert [(r["revision"], r["action"]) for r in revisions] == [(1, "create"), (2, "update")]
    assert revisions[1]["before"]["description"] != change["description"]
    assert revisions[1]["after"]["description"] == change["description"]


async def test_two_editors_with_the_same_etag_one_gets_412_and_loses_nothing(client, auth):
    url = "/v1/claims/us-representative-saw-no-missile-deliveries"
    etag = (await client.get(url)).headers["etag"]
    first = await client.patch(url, json={"note": "Checked against the text."}, headers={**auth, "If-Match": etag})
    assert first.status_code == 200
    second = await client.patch(url, json={"modality": "possible", "note": "Overwrite."}, headers={**auth, "If-Match": etag})
    assert_problem(second, 412, "/problems/precondition-failed")
    stored = (await client.get(url)).json()
    assert (stored["note"], stored["modality"], stored["revision"]) == ("Checked against the text.", "actual", 2)


async def test_renaming_an_actor_re_renders_every_claim_that_embeds_it(client, auth):
    url = "/v1/actors/unnamed-us-representative"
    etag = (await client.get(url)).headers["etag"]
    response = await client.patch(url, json={"name": "US representative (unnamed)"}, headers={**auth, "If-Match": etag})
    assert response.status_code == 200
    claim = (await client.get("/v1/claims/us-representative-saw-no-missile-deliveries")).json()
    assert claim["claimant"]["name"] == "US representative (unnamed)"
    contradiction = (await client.get("/v1/contradictions/missile-plan-vs-no-deliveries-seen")).json()
    denial = next(c for c in contradiction["claims"] if c["side"] == "b")
    assert denial["claimant"]["name"] == "US representative (unnamed)"
    plan = (await client.get("/v1/claims/sisi-planned-40000-missiles-for-russia")).json()
    opposing = next(c for x in plan["contradictions"] for c in x["opposing_side"] if c["claim_id"] == "us-representative-saw-no-missile-deliveries")
    assert opposing["claimant"]["name"] == "US representative (unnamed)"


async def test_curating_a_contradiction(client, auth):
    url = "/v1/contradictions/discord-posting-february-march-vs-april"
    etag = (await client.get(url)).headers["etag"]
    refused = await client.patch(url, json={"status": "resolved"}, headers={**auth, "If-Match": etag})
    problem = assert_problem(refused, 422, "/problems/validation-error")
    assert [(e["loc"], e["msg"]) for e in problem["errors"]] == [
        (["body", "resolution"], "Value error, status 'resolved' needs a resolution saying how or why")
    ]
    resolution = "Posted in February and March, then spread more widely in April: both reports hold."
    done = await client.patch(url, json={"status": "reconciled", "resolution": resolution}, headers={**auth, "If-Match": etag})
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["resolution"]) == ("reconciled", resolution)
    claim = (await client.get("/v1/claims/ar-us-documents-published-on-discord-in-april")).json()
    [seen] = claim["contradictions"]
    assert (seen["status"], seen["resolution"]) == ("reconciled", resolution)
    reconciled = await walk(client, "/v1/contradictions?status=reconciled")
    assert "discord-posting-february-march-vs-april" in {x["id"] for x in reconciled}


async def test_deleting_a_referenced_record_is_409_and_lists_references(client, auth):
    url = "/v1/claims/us-representative-saw-no-missile-deliveries"
    etag = (await client.get(url)).headers["etag"]
    problem = assert_problem(await client.delete(url, headers={**auth, "If-Match": etag}), 409, "/problems/conflict")
    assert problem["references"] == [
        {"resource": "contradiction", "id": "missile-plan-vs-no-deliveries-seen"},
        {"resource": "corroboration", "id": "no-deliveries-seen-consistent-with-plan-dropped"},
    ]
    actor_etag = (await client.get("/v1/actors/unnamed-us-representative")).headers["etag"]
    problem = assert_problem(
        await client.delete("/v1/actors/unnamed-us-representative", headers={**auth, "If-Match": actor_etag}), 409, "/problems/conflict"
    )
    assert {"resource": "claim", "id": "us-representative-saw-no-missile-deliveries"} in problem["references"]
    assert (await client.get(url)).status_code == 200


async def test_delete_leaves_a_tombstone_and_history(client, auth):
    created = await client.post("/v1/claims", json=await claim_body(client), headers=auth)
    claim_id = created.json()["id"]
    url = f"/v1/claims/{claim_id}"
    assert (await client.delete(url, headers=auth)).status_code == 428
    deleted = await client.delete(url, headers={**auth, "If-Match": created.headers["etag"]})
    assert deleted.status_code == 204
    assert_problem(await client.get(url), 410, "/problems/gone")
    assert claim_id not in {c["id"] for c in await walk(client, "/v1/claims?limit=200")}
    tombstones = [c for c in await walk(client, "/v1/claims?limit=200&include_deleted=true") if c["id"] == claim_id]
    assert len(tombstones) == 1 and tombstones[0]["deleted_at"] is not None and tombstones[0]["revision"] == 2
    history = await walk(client, f"{url}/revisions")
    assert [(r["revision"], r["action"]) for r in history] == [(1, "create"), (2, "delete")]
    assert history[1]["after"] is None and history[1]["before"]["id"] == claim_id
    again = await client.post("/v1/claims", json=await claim_body(client), headers=auth)
    assert_problem(again, 409, "/problems/conflict")


@pytest.mark.parametrize(("path", "named"), [
    ("/v1/claims?source={source}", "'source'"),
    ("/v1/claims?language=en&predicate={predicate}", "'language'"),
    ("/v1/claims?q=missiles", "'q'"),
    ("/v1/claims?actor=egypt&source={source}", "'actor', 'source'"),
    ("/v1/timeline?actor=egypt", "'actor'"),
    ("/v1/actors/egypt/claims", "'actor'"),
    ("/v1/sources/{source}/claims", "'source'"),
    ("/v1/sources?language=ar", "'language'"),
    ("/v1/sources?cites=washington-post-2023-egypt-missiles-report", "'cites'"),
    ("/v1/actors?q=egypt", "'q'"),
    ("/v1/contradictions?claim=sisi-planned-40000-missiles-for-russia", "'claim'"),
    ("/v1/corroborations?actor=egypt&as_of=2023-12-31", "'actor', 'as_of'"),
])
async def test_tombstones_are_not_listed_through_links_a_deletion_removed(client, auth, path, named):
    # A deleted claim loses its link rows and search entries: a list that matched it through them would answer the
    # live claims alone as if complete. Its own columns still find it.
    body = await claim_body(client)
    created = await client.post("/v1/claims", json=body, headers=auth)
    assert (await client.delete(f"/v1/claims/{body['id']}", headers={**auth, "If-Match": created.headers["etag"]})).status_code == 204
    url = path.format(source=body["evidence"][0]["source"], predicate=body["predicate"])
    problem = assert_problem(await client.get(f"{url}{'&' if '?' in url else '?'}include_deleted=true"), 422,
                             "/problems/invalid-parameter")
    assert problem["detail"] == (
        f"Query parameter 'include_deleted': deleted records cannot be listed by {named}, which match a record through the"
        " links (or search index entries) that a deletion removes with it. Filter tombstones by the record's own fields,"
        " or leave out include_deleted."
    )
    assert [e["loc"] for e in problem["errors"]] == [["query", "include_deleted"]]
    assert (await client.get(url)).status_code == 200
    by_own = await walk(client, f"/v1/claims?predicate={body['predicate']}&include_deleted=true&limit=200")
    assert [c["deleted_at"] is not None for c in by_own if c["id"] == body["id"]] == [True]


async def test_idempotency_key_replays_the_first_response(client, auth):
    headers = {**auth, "Idempotency-Key": "create-cairo-university-1"}
    first = await client.post("/v1/actors", json=actor(), headers=headers)
    replay = await client.post("/v1/actors", json=actor(), headers=headers)
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.content == first.content
    assert replay.headers["location"] == first.headers["location"]
    assert replay.headers["idempotent-replayed"] == "true"
    creates = [c for c in await _changes(client) if c["resource_id"] == "cairo-university"]
    assert len(creates) == 1
    other = await client.post("/v1/actors", json=actor(description="Another body."), headers=headers)
    assert_problem(other, 422, "/problems/idempotency-key-reused")


async def test_body_over_the_limit_is_413(client, auth):
    body = actor(description="x" * 1_100_000)
    response = await client.post("/v1/actors", json=body, headers=auth)
    assert_problem(response, 413, "/problems/payload-too-large")


async def test_new_held_document_and_a_claim_quoting_it(client, auth):
    text = "Cairo, 3 May 2024. The ministry said talks with Moscow would resume next month."
    agency = actor("example-wire-agency", kind="media_outlet", name="Example Wire Agency",
                   names=[{"value": "Example Wire Agency", "language": "en"}], description="A wire agency.")
    assert (await client.post("/v1/actors", json=agency, headers=auth)).status_code == 201
    source = {
        "id": "example-wire-2024-05-03", "kind": "wire_report", "title": "Wire report on resumed talks",
        "publisher": "example-wire-agency", "language": "en", "published": {"date": "2024-05-03", "precision": "day"},
        "text": text,
    }
    response = await client.post("/v1/sources", json=source, headers=auth)
    assert response.status_code == 201, response.text
    assert response.json()["text"] == text and response.json()["has_text"] is True
    quote = "talks with Moscow would resume next month"
    # Reported speech: the words are the agency's (the claimant), the speech is the ministry's (Egypt's).
    claim = {
        "id": "ministry-says-talks-with-moscow-will-resume", "statement": "The ministry said talks with Moscow would resume next month.",
        "subject": "egypt", "predicate": "hold_talks", "object": {"actor": "russia"}, "modality": "expected",
        "claimant": "example-wire-agency",
        "evidence": [{
            "source": source["id"], "quote": quote, "start": text.index(quote), "end": text.index(quote) + len(quote),
            "speech": "indirect", "speaker": "egypt",
        }],
    }
    created = await client.post("/v1/claims", json=claim, headers=auth)
    assert created.status_code == 201, created.text
    etag = (await client.get(f"/v1/sources/{source['id']}")).headers["etag"]
    locked = await client.patch(f"/v1/sources/{source['id']}", json={"text": "Replaced."}, headers={**auth, "If-Match": etag})
    problem = assert_problem(locked, 409, "/problems/conflict")
    assert problem["references"] == [{"resource": "claim", "id": claim["id"]}]


async def test_changes_feed_pages_and_resumes(client, auth):
    everything = await _changes(client)
    assert everything[0]["seq"] == 1 and everything[0]["action"] == "create"
    last = everything[-1]["seq"]
    await client.post("/v1/actors", json=actor(), headers=auth)
    newer = await walk(client, f"/v1/changes?after={last}")
    assert [(c["resource"], c["resource_id"], c["action"]) for c in newer] == [("actor", "cairo-university", "create")]
    paged = await walk(client, "/v1/changes?limit=37")
    assert [c["seq"] for c in paged] == sorted({c["seq"] for c in paged}) and len(paged) == len(everything) + 1


async def test_claim_export_streams_every_claim_with_evidence(client):
    response = await client.get("/v1/export/claims")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in response.text.splitlines()]
    everything = await walk(client, "/v1/claims?limit=200")
    assert [c["id"] for c in lines] == [c["id"] for c in everything]
    assert all(c["evidence"] and c["evidence"][0]["quote"] for c in lines)


@pytest.mark.parametrize(("field", "value"), [("occurrence", True), ("start", "12"), ("end", 12.0), ("start", False)])
async def test_offsets_and_occurrences_are_integers_not_text_booleans_or_floats(client, auth, field, value):
    body = await claim_body(client)
    evidence = dict(body["evidence"][0])
    if field == "occurrence":
        evidence.pop("start"), evidence.pop("end")
    evidence[field] = value
    response = await client.post("/v1/claims", json={**body, "evidence": [evidence]}, headers=auth)
    problem = assert_problem(response, 422, "/problems/validation-error")
    assert [(e["loc"], e["type"]) for e in problem["errors"]] == [(["body", "evidence", 0, field], "int_type")]
    assert (await client.get(f"/v1/claims/{body['id']}")).status_code == 404
