"""The contradiction engine on every write, over HTTP: each rule fires on a minimal pair and not on its
near misses, a new claim is related to corpus claims in the response that creates it, and a pair a
person rejected is not proposed again.

The records are fictional (Borduria, Syldavia) except where a new claim meets the curated corpus.
"""

from __future__ import annotations

import pytest

from tests.conftest import assert_problem, make_key, walk

pytestmark = pytest.mark.anyio

NORTH = "north-gazette-2024-rockets"
SOUTH = "south-herald-2024-rockets"
NORTH_TEXT = (
    "Leaked cables show that Borduria plans to deliver 500 rockets to Syldavia. "
    "Borduria later dropped the plan to deliver rockets to Syldavia. "
    "Borduria delivered rockets to Syldavia in 2025. "
    "Borduria plans to deliver rockets to Ostland."
)
SOUTH_TEXT = (
    "\"We have not seen any rockets delivered to Syldavia,\" an Ostland monitor said. "
    "Borduria denies that it plans to deliver rockets to Syldavia. "
    "Cables say Borduria plans to deliver 600 rockets to Syldavia. "
    "Officials say Borduria plans to deliver rockets to Syldavia. "
    "Defense Minister Karl Brun denies any plan to deliver rockets to Syldavia."
)


def _actor(actor_id: str, kind: str, name: str, **extra: object) -> dict:
    return {"id": actor_id, "kind": kind, "name": name, "names": [{"value": name, "language": "en"}],
            "description": f"{name} (a test actor).", **extra}


async def _post(client, auth, resource: str, body: dict) -> dict:
    response = await client.post(f"/v1/{resource}", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


async def _world(client, auth) -> None:
    for body in (
        _actor("borduria", "country", "Borduria"), _actor("syldavia", "country", "Syldavia"),
        _actor("ostland", "country", "Ostland"), _actor("north-gazette", "media_outlet", "North Gazette"),
        _actor("south-herald", "media_outlet", "South Herald"),
        _actor("ostland-monitor", "person", "Ostland monitor", unnamed=True, speaks_for="ostland"),
    ):
        await _post(client, auth, "actors", body)
    for sid, publisher, text, day in ((NORTH, "north-gazette", NORTH_TEXT, "2024-03-01"), (SOUTH, "south-herald", SOUTH_TEXT, "2024-04-01")):
        await _post(client, auth, "sources", {
            "id": sid, "kind": "news_article", "title": f"Rockets ({publisher})", "language": "en", "publisher": publisher,
            "published": {"date": day, "precision": "day"}, "text": text,
        })


def _claim(claim_id: str, source: str, quote: str, claimant: str, **fields: object) -> dict:
    text = NORTH_TEXT if source == NORTH else SOUTH_TEXT
    start = text.index(quote)
    speech = fields.pop("speech", "narration")
    speaker = fields.pop("speaker", None)
    ev = {"source": source, "quote": quote, "start": start, "end": start + len(quote), "speech": speech}
    body = {"id": claim_id, "statement": quote + ".", "subject": "borduria", "predicate": "supply_arms",
            "object": {"label": "rockets"}, "recipient": "syldavia", "claimant": claimant,
            "evidence": [ev | ({"speaker": speaker} if speaker else {})]}
    return body | fields


PLAN = ("plan", NORTH, "Borduria plans to deliver 500 rockets to Syldavia", "north-gazette")


def _not_seen() -> dict:
    """The Ostland monitor's direct denial that rockets were delivered: the plan's non-confirmation."""
    return _claim("not-seen", SOUTH, "\"We have not seen any rockets delivered to Syldavia,\" an Ostland monitor said",
                  "ostland-monitor", polarity="negated", evidential="observed", speech="direct", speaker="ostland-monitor")


async def _plan(client, auth, **fields: object) -> dict:
    claim_id, source, quote, claimant = PLAN
    base = {"modality": "planned", "quantity": {"value": 500, "unit": "rockets"},
            "event_time": {"start": "2024-02", "precision": "month"}}
    return await _post(client, auth, "claims", _claim(claim_id, source, quote, claimant, **(base | fields)))


def _relations(claim: dict) -> list[tuple[str, str, str, str, list[str]]]:
    """(relation, kind, status, origin, other claims) of everything a claim view lists."""
    out = [("contradiction", x["kind"], x["status"], x["origin"], sorted(c["claim_id"] for c in x["same_side"] + x["opposing_side"]))
           for x in claim["contradictions"]]
    out += [("corroboration", y["kind"], y["status"], y["origin"], sorted(c["claim_id"] for c in y["claims"])) for y in claim["corroborations"]]
    return sorted(out)


async def test_not_observed_is_a_non_confirmation_proposed_in_the_response(client, auth):
    await _world(client, auth)
    await _plan(client, auth)
    not_seen = await _post(client, auth, "claims", _not_seen())
    assert _relations(not_seen) == [("contradiction", "non_confirmation", "proposed", "opposite-polarity", ["plan"])]
    [x] = not_seen["contradictions"]
    detail = (await client.get(f"/v1/contradictions/{x['id']}")).json()
    assert (detail["origin"], detail["detected_by"], detail["status"]) == ("opposite-polarity", ["opposite-polarity"], "proposed")
    assert [(c["claim_id"], c["side"]) for c in detail["claims"]] == [("plan", "a"), ("not-seen", "b")]
    assert detail["explanation"].startswith("Ostland monitor reports not having observed what North Gazette puts as planned:")
    # The plan's own view lists it too, rendered again in the same write.
    plan = (await client.get("/v1/claims/plan")).json()
    assert _relations(plan) == [("contradiction", "non_confirmation", "proposed", "opposite-polarity", ["not-seen"])]


async def test_a_denial_is_a_negation(client, auth):
    await _world(client, auth)
    await _plan(client, auth)
    denial = await _post(client, auth, "claims", _claim(
        "denial", SOUTH, "Borduria denies that it plans to deliver rockets to Syldavia", "south-herald",
        polarity="negated", modality="planned", speech="indirect", speaker="borduria"))
    [x] = denial["contradictions"]
    assert (x["kind"], x["origin"]) == ("negation", "opposite-polarity")
    assert "(its own side) denies" in (await client.get(f"/v1/contradictions/{x['id']}")).json()["explanation"]


@pytest.mark.parametrize(
    ("near_miss", "fields"),
    [
        ("another recipient", {"recipient": "ostland"}),
        ("times that cannot overlap", {"event_time": {"start": "2019", "precision": "year"}}),
    ],
)
async def test_no_contradiction_for_a_near_miss(client, auth, near_miss, fields):
    await _world(client, auth)
    await _plan(client, auth)
    other = await _post(client, auth, "claims", _claim(
        "denial", SOUTH, "Borduria denies that it plans to deliver rockets to Syldavia", "south-herald",
        polarity="negated", modality="planned", speech="indirect", speaker="borduria", **fields))
    assert _relations(other) == [], near_miss


async def test_the_same_side_is_a_corroboration_not_a_contradiction(client, auth):
    await _world(client, auth)
    await _plan(client, auth)
    same = await _post(client, auth, "claims", _claim(
        "officials", SOUTH, "Officials say Borduria plans to deliver rockets to Syldavia", "south-herald", modality="planned",
        speech="indirect", speaker="syldavia"))
    assert _relations(same) == [("corroboration", "same_proposition", "proposed", "same-stance", ["plan"])]


async def test_plan_then_dropped_then_done(client, auth):
    await _world(client, auth)
    await _plan(client, auth, event_time=None)  # undated: any later deed can fulfil it
    dropped = await _post(client, auth, "claims", _claim(
        "dropped", NORTH, "Borduria later dropped the plan to deliver rockets to Syldavia", "north-gazette", modality="abandoned"))
    assert _relations(dropped) == [("contradiction", "supersession", "proposed", "plan-abandoned", ["plan"])]
    done = await _post(client, auth, "claims", _claim(
        "done", NORTH, "Borduria delivered rockets to Syldavia in 2025", "north-gazette",
        event_time={"start": "2025", "precision": "year"}))
    assert ("corroboration", "fulfilment", "proposed", "aim-fulfilled", ["plan"]) in _relations(done)


async def test_quantities_that_differ_beyond_rounding(client, auth):
    await _world(client, auth)
    await _plan(client, auth)
    more = await _post(client, auth, "claims", _claim(
        "six-hundred", SOUTH, "Cables say Borduria plans to deliver 600 rockets to Syldavia", "south-herald", modality="planned",
        quantity={"value": 600, "unit": "rockets"}, speech="indirect", speaker="syldavia"))
    kinds = {r[1] for r in _relations(more)}
    assert "numeric_mismatch" in kinds


async def test_a_rejected_pair_is_not_proposed_again(client, auth):
    await _world(client, auth)
    await _plan(client, auth)
    not_seen = _not_seen()
    [x] = (await _post(client, auth, "claims", not_seen))["contradictions"]
    url = f"/v1/contradictions/{x['id']}"
    etag = (await client.get(url)).headers["etag"]
    rejected = await client.patch(url, json={"status": "rejected", "resolution": "The monitor watches another border."},
                                  headers={**auth, "If-Match": etag})
    assert rejected.status_code == 200, rejected.text
    # The same words posted again as a new claim: the rule does not propose the pair a person rejected.
    again = await _post(client, auth, "claims", not_seen | {"id": "not-seen-again"})
    assert _relations(again) == []
    proposed = await walk(client, "/v1/contradictions?status=proposed")
    assert [p["id"] for p in proposed] == []


async def test_changing_a_claim_withdraws_a_proposal_and_restores_it(client, auth):
    await _world(client, auth)
    await _plan(client, auth)
    not_seen = await _post(client, auth, "claims", _not_seen())
    [x] = not_seen["contradictions"]
    url = f"/v1/contradictions/{x['id']}"
    etag = (await client.get("/v1/claims/not-seen")).headers["etag"]
    moved = await client.patch("/v1/claims/not-seen", json={"recipient": "ostland"}, headers={**auth, "If-Match": etag})
    assert moved.status_code == 200, moved.text
    assert (await client.get(url)).json()["status"] == "withdrawn"
    etag = moved.headers["etag"]
    back = await client.patch("/v1/claims/not-seen", json={"recipient": "syldavia"}, headers={**auth, "If-Match": etag})
    assert back.status_code == 200, back.text
    assert (await client.get(url)).json()["status"] == "proposed"
    history = (await client.get(f"{url}/revisions")).json()
    assert [r["action"] for r in history["items"]] == ["create", "update", "update"]


async def test_a_new_claim_is_related_to_the_corpus_in_its_response(client, auth):
    """A new statement of Egypt's neutrality in the war meets the leaked plans to arm Russia."""
    text = "Egypt remains neutral in the Russian-Ukrainian war, the foreign ministry said on Saturday."
    await _post(client, auth, "sources", {
        "id": "egypt-mfa-2023-04-15", "kind": "official_statement", "title": "Egyptian Foreign Ministry statement on the war",
        "language": "en", "publisher": "egyptian-foreign-ministry", "published": {"date": "2023-04-15", "precision": "day"},
        "text": text,
    })
    quote = "Egypt remains neutral in the Russian-Ukrainian war"
    created = await _post(client, auth, "claims", {
        "id": "egypt-neutral-2023-04", "statement": "Egypt remains neutral in the Russian-Ukrainian war.", "subject": "egypt",
        "predicate": "remain_neutral", "object": {"label": "the Russian-Ukrainian war"}, "claimant": "egyptian-foreign-ministry",
        "evidence": [{"source": "egypt-mfa-2023-04-15", "quote": quote, "start": 0, "end": len(quote), "speech": "narration"}],
    })
    stances = sorted(c["claim_id"] for x in created["contradictions"] if x["kind"] == "incompatible_stance" for c in x["opposing_side"])
    assert stances == [
        "ar-sisi-planned-40000-missiles-for-russia", "egypt-planned-to-supply-russia-artillery-shells-and-gunpowder",
        "sisi-ordered-subordinates-to-make-missiles-for-moscow", "sisi-planned-40000-missiles-for-russia",
        "sisi-planned-missile-shipment-to-russia",
    ]
    assert {(x["status"], x["origin"]) for x in created["contradictions"]} == {("proposed", "stance-vs-conduct")}
    # The curated relation that the rule also finds records it, rather than being proposed again.
    curated = (await client.get("/v1/contradictions/egypt-neutrality-vs-arms-plans-for-russia")).json()
    assert (curated["origin"], curated["detected_by"]) == ("curated", ["stance-vs-conduct"])


async def test_deleting_a_claim_takes_its_unreviewed_proposals(client, auth):
    await _world(client, auth)
    await _plan(client, auth)
    not_seen = await _post(client, auth, "claims", _not_seen())
    [x] = not_seen["contradictions"]
    etag = (await client.get("/v1/claims/not-seen")).headers["etag"]
    assert (await client.delete("/v1/claims/not-seen", headers={**auth, "If-Match": etag})).status_code == 204
    assert_problem(await client.get(f"/v1/contradictions/{x['id']}"), 410, "/problems/gone")
    assert (await client.get("/v1/claims/plan")).json()["contradictions"] == []


async def test_a_role_makes_a_minister_speak_for_his_state_and_the_rules_run_again(client, auth):
    await _world(client, auth)
    await _post(client, auth, "actors", _actor("karl-brun", "person", "Karl Brun"))
    await _plan(client, auth)
    denial = await _post(client, auth, "claims", _claim(
        "brun-denies", SOUTH, "Karl Brun denies any plan to deliver rockets to Syldavia", "south-herald",
        subject="karl-brun", polarity="negated", modality="planned", speech="indirect", speaker="karl-brun"))
    assert _relations(denial) == []  # a person, not (yet) a state: another proposition
    quote = "Defense Minister Karl Brun"
    start = SOUTH_TEXT.index(quote)
    role = {"title": "Defense Minister", "of": "borduria", "attested": {"date": "2024-04-01", "precision": "day"},
            "evidence": [{"source": SOUTH, "quote": quote, "start": start, "end": start + len(quote)}]}
    added = await client.post("/v1/actors/karl-brun/roles", json=role, headers=auth)
    assert added.status_code == 201, added.text
    [shown] = added.json()["roles"]
    assert (shown["id"], shown["title"], shown["of"]["id"]) == (f"{SOUTH}.0", "Defense Minister", "borduria")
    relations = _relations((await client.get("/v1/claims/brun-denies")).json())
    assert relations == [("contradiction", "negation", "proposed", "opposite-polarity", ["plan"])]
    etag = added.headers["etag"]
    removed = await client.delete(f"/v1/actors/karl-brun/roles/{SOUTH}.0", headers={**auth, "If-Match": etag})
    assert removed.status_code == 204
    relations = _relations((await client.get("/v1/claims/brun-denies")).json())
    assert relations == [("contradiction", "negation", "withdrawn", "opposite-polarity", ["plan"])]
    feed = [c for c in await walk(client, "/v1/changes?limit=200") if c["resource"] == "role"]
    assert [(c["resource_id"], c["action"]) for c in feed] == [(f"{SOUTH}.0", "create"), (f"{SOUTH}.0", "delete")]


async def test_a_role_needs_evidence_from_a_held_document(client, auth):
    await _world(client, auth)
    role = {"title": "Defense Minister", "of": "borduria",
            "evidence": [{"source": SOUTH, "quote": "Defense Minister Karl Brun", "start": 0, "end": 26}]}
    problem = assert_problem(await client.post("/v1/actors/ostland-monitor/roles", json=role, headers=auth), 422,
                             "/problems/validation-error")
    assert [(e["loc"], e["type"]) for e in problem["errors"]] == [(["body", "evidence", 0], "quote_mismatch")]
    assert (await client.get("/v1/actors/ostland-monitor")).json()["roles"] == []
    assert_problem(await client.post("/v1/actors/nobody/roles", json=role, headers=auth), 404, "/problems/not-found")


async def test_the_same_words_quoted_differently_down_a_citation_chain(client, auth):
    await _world(client, auth)
    await _post(client, auth, "actors", _actor("karl-brun", "person", "Karl Brun"))
    first = "\"We will never sell rockets to Syldavia,\" Karl Brun said."
    second = "Citing the North Gazette: \"We will not sell any rockets to Syldavia,\" Karl Brun said."
    await _post(client, auth, "sources", {"id": "brun-first", "kind": "news_article", "title": "Brun (first)", "language": "en",
                                          "publisher": "north-gazette", "text": first})
    await _post(client, auth, "sources", {"id": "brun-second", "kind": "news_article", "title": "Brun (second)", "language": "en",
                                          "publisher": "south-herald", "cites": ["brun-first"], "text": second})

    def said(claim_id: str, source: str, text: str, quote: str, **extra: object) -> dict:
        start = text.index(quote)
        return {"id": claim_id, "statement": "Karl Brun says Borduria will not sell rockets to Syldavia.", "subject": "borduria",
                "predicate": "supply_arms", "object": {"label": "rockets"}, "recipient": "syldavia", "polarity": "negated",
                "modality": "planned", "claimant": "karl-brun",
                "evidence": [{"source": source, "quote": quote, "start": start, "end": start + len(quote), "speech": "direct",
                              "speaker": "karl-brun", **extra}]}

    await _post(client, auth, "claims", said("brun-never", "brun-first", first, "\"We will never sell rockets to Syldavia,\""))
    second_claim = await _post(client, auth, "claims", said(
        "brun-not-any", "brun-second", second, "\"We will not sell any rockets to Syldavia,\"", attributed_to="brun-first"))
    drift = [x for x in second_claim["contradictions"] if x["kind"] == "quote_drift"]
    assert [(x["origin"], x["same_side"], [c["claim_id"] for c in x["opposing_side"]]) for x in drift] == [("quote-drift", [], ["brun-never"])]
    explanation = (await client.get(f"/v1/contradictions/{drift[0]['id']}")).json()["explanation"]
    assert "\"We will never sell rockets to Syldavia,\"" in explanation and "\"We will not sell any rockets to Syldavia,\"" in explanation


async def test_changing_the_knowledge_tables_runs_the_rules_again(client, auth, settings):
    from tests.conftest import make_key

    await _world(client, auth)
    await _plan(client, auth)
    officials = await _post(client, auth, "claims", _claim(
        "officials", SOUTH, "Officials say Borduria plans to deliver rockets to Syldavia", "south-herald", modality="planned",
        speech="indirect", speaker="syldavia", object={"label": "projectiles"}))
    assert _relations(officials) == []  # "projectiles" is not a class the tables know: another proposition
    engine = (await client.get("/v1/engine")).json()
    knowledge = engine["knowledge"]
    missiles = next(c for c in knowledge["object_classes"] if c["id"] == "missiles")
    missiles["labels"].append("projectiles")
    url = "/v1/engine/knowledge"
    assert_problem(await client.put(url, json=knowledge, headers=auth), 403, "/problems/forbidden")
    admin = {"Authorization": f"Bearer {make_key(settings, 'admin')}"}
    stale = assert_problem(await client.put(url, json=knowledge, headers=admin), 422, "/problems/validation-error")
    assert [e["loc"] for e in stale["errors"]] == [["body", "version"]]
    knowledge["version"] += 1
    put = await client.put(url, json=knowledge, headers=admin)
    assert put.status_code == 200, put.text
    assert put.json()["knowledge"]["version"] == knowledge["version"]
    relations = _relations((await client.get("/v1/claims/officials")).json())
    assert relations == [("corroboration", "same_proposition", "proposed", "same-stance", ["plan"])]
    plan = (await client.get("/v1/claims/plan")).json()
    officials_now = (await client.get("/v1/claims/officials")).json()
    assert plan["proposition_id"] == officials_now["proposition_id"]
    feed = [c for c in await walk(client, "/v1/changes?limit=200") if c["resource"] == "knowledge"]
    assert [(c["resource_id"], c["revision"]) for c in feed] == [("tables", knowledge["version"])]


async def test_role_ids_are_not_reused_and_roles_are_checked(client, auth):
    await _world(client, auth)
    await _post(client, auth, "actors", _actor("karl-brun", "person", "Karl Brun"))
    quote = "Defense Minister Karl Brun"
    start = SOUTH_TEXT.index(quote)
    role = {"title": "Defense Minister", "of": "borduria",
            "evidence": [{"source": SOUTH, "quote": quote, "start": start, "end": start + len(quote)}]}
    added = await client.post("/v1/actors/karl-brun/roles", json=role, headers=auth)
    etag = added.headers["etag"]
    assert (await client.delete(f"/v1/actors/karl-brun/roles/{SOUTH}.0", headers={**auth, "If-Match": etag})).status_code == 204
    again = await client.post("/v1/actors/karl-brun/roles", json=role, headers=auth)
    assert again.status_code == 201, again.text
    assert [r["id"] for r in again.json()["roles"]] == [f"{SOUTH}.1"]
    for change, loc in (({"of": "karl-brun"}, ["body", "of"]),
                        ({"start": {"date": "2024", "precision": "year"}, "end": {"date": "2020", "precision": "year"}}, ["body", "end"])):
        problem = assert_problem(await client.post("/v1/actors/karl-brun/roles", json=role | change, headers=auth), 422,
                                 "/problems/validation-error")
        assert [e["loc"] for e in problem["errors"]] == [loc]


async def test_a_reviewer_cannot_rewrite_where_a_relation_came_from(client, auth):
    await _world(client, auth)
    await _plan(client, auth)
    [x] = (await _post(client, auth, "claims", _not_seen()))["contradictions"]
    url = f"/v1/contradictions/{x['id']}"
    etag = (await client.get(url)).headers["etag"]
    for change, field in (({"origin": "curated"}, "origin"), ({"detected_by": ["same-stance"]}, "detected_by"),
                          ({"status": "withdrawn"}, "status")):
        problem = assert_problem(await client.patch(url, json=change, headers={**auth, "If-Match": etag}), 422,
                                 "/problems/validation-error")
        assert [(e["loc"], e["type"]) for e in problem["errors"]] == [(["body", field], "read_only")]
    confirmed = await client.patch(url, json={"status": "confirmed"}, headers={**auth, "If-Match": etag})
    assert (confirmed.status_code, confirmed.json()["origin"]) == (200, "opposite-polarity")


async def test_a_deleted_proposal_stays_dismissed_and_later_writes_succeed(client, auth, settings):
    await _world(client, auth)
    await _plan(client, auth)
    not_seen = await _post(client, auth, "claims", _not_seen())
    [x] = not_seen["contradictions"]
    url = f"/v1/contradictions/{x['id']}"
    assert (await client.delete(url, headers={**auth, "If-Match": "*"})).status_code == 204
    etag = (await client.get("/v1/claims/not-seen")).headers["etag"]
    changed = await client.patch("/v1/claims/not-seen", json={"note": "Checked."}, headers={**auth, "If-Match": etag})
    assert changed.status_code == 200, changed.text
    assert changed.json()["contradictions"] == []
    assert (await client.get(url)).status_code == 410
    admin = {"Authorization": f"Bearer {make_key(settings, 'admin', 'admin')}"}
    tables = (await client.get("/v1/engine")).json()["knowledge"]
    again = await client.put("/v1/engine/knowledge", json=tables | {"version": tables["version"] + 1}, headers=admin)
    assert again.status_code == 200, again.text
    assert (await client.get(url)).status_code == 410


async def test_a_source_text_quoted_only_by_a_role_cannot_change(client, auth):
    await _world(client, auth)
    await _post(client, auth, "actors", _actor("karl-brun", "person", "Karl Brun"))
    quote = "Defense Minister Karl Brun"
    start = SOUTH_TEXT.index(quote)
    role = {"title": "Defense Minister", "of": "borduria", "attested": {"date": "2024-04-01", "precision": "day"},
            "evidence": [{"source": SOUTH, "quote": quote, "start": start, "end": start + len(quote)}]}
    assert (await client.post("/v1/actors/karl-brun/roles", json=role, headers=auth)).status_code == 201
    source = await client.get(f"/v1/sources/{SOUTH}")
    before = (await client.get("/v1/changes")).json()
    refused = await client.patch(f"/v1/sources/{SOUTH}", json={"text": "Another text altogether."},
                                 headers={**auth, "If-Match": source.headers["etag"]})
    problem = assert_problem(refused, 409, "/problems/conflict",
                             f"The text of source '{SOUTH}' is quoted by 1 record(s) (role documents/{SOUTH}.yaml#roles[0]): it cannot change"
                             " while evidence points into it.")
    assert problem["references"] == [{"resource": "role", "id": f"documents/{SOUTH}.yaml#roles[0]"}]
    assert (await client.get(f"/v1/sources/{SOUTH}")).json()["text"] == SOUTH_TEXT
    assert (await client.get("/v1/changes")).json() == before
