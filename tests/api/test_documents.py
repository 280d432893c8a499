"""`POST /v1/documents`: a report whole in one request (document bundles), with quotes located by the server."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.config import ROOT
from api.dataset.coverage import coverage_problems
from api.dataset.lint import statement_problems
from api.dataset.loader import load_dataset
from api.store.db import make_engine
from api.store.export import export_dataset
from tests.conftest import assert_problem

pytestmark = pytest.mark.anyio

WAPO = "washington-post-2023-egypt-missiles-report"
DOC = "test-desk-2023-04-12-egypt-missiles-digest"
# A digest made of three lines of a corpus text (data/corpus/000_*.txt, the Buna Times report), so that every
# record the bundle holds is supported by words of the corpus.
_LINES = (ROOT / "data" / "corpus" / "000_a323be093f1f71ef.txt").read_text(encoding="utf-8").split("\n")
TEXT = "\n".join([_LINES[0], _LINES[1], _LINES[3]])


def bundle(prefix: str = "digest") -> dict:
    """The report: a new outlet and a new actor, two claims given by their quotes only, and a corroboration."""
    return {
        "source": {"id": DOC if prefix == "digest" else f"{DOC}-{prefix}", "kind": "news_article", "language": "en",
                   "title": "Test Desk digest of the leaked US documents on Egypt's missiles for Russia", "publisher": "test-desk",
                   "published": {"date": "2023-04-12", "precision": "day"}, "cites": [WAPO], "text": TEXT},
        "actors": [
            {"id": f"discord-{prefix}", "kind": "organization", "name": "Discord", "description": "The chat app on which the secret files were posted.",
             "names": [{"value": "Discord", "language": "en"}, {"value": "ديسكورد", "language": "ar"}]},
            {"id": "test-desk", "kind": "media_outlet", "name": "Test Desk", "description": "A news desk that publishes digests.",
             "names": [{"value": "Test Desk", "language": "en"}, {"value": "مكتب الاختبار", "language": "ar"}]},
        ] if prefix == "digest" else [],
        "claims": [
            {"id": f"{prefix}-sisi-planned-40000-missiles-for-russia",
             "statement": "Secret US documents show that Egyptian President Abdel Fattah el-Sisi planned to produce 40,000 missiles for Russia.",
             "subject": "abdel-fattah-el-sisi", "predicate": "produce_arms", "object": {"label": "missiles"}, "recipient": "russia",
             "quantity": {"value": 40000, "unit": "missiles"}, "modality": "planned", "claimant": "washington-post",
             "evidence": [{"source": DOC if prefix == "digest" else f"{DOC}-{prefix}", "attributed_to": WAPO, "speech": "indirect",
                           "speaker": "leaked-us-intelligence-documents",
                           "quote": "Secret US documents show that Egyptian President Abdel Fattah el-Sisi planned to produce 40,000 missiles for Russia"}]},
            {"id": f"{prefix}-us-representative-saw-no-missile-deliveries",
             "statement": "The US representative said they had not seen deliveries of missiles from Egypt to the Russian Federation happen.",
             "subject": "egypt", "predicate": "supply_arms", "object": {"label": "missiles"}, "recipient": "russia", "polarity": "negated",
             "evidential": "observed", "claimant": "unnamed-us-representative",
             "evidence": [{"source": DOC if prefix == "digest" else f"{DOC}-{prefix}", "speech": "direct", "speaker": "unnamed-us-representative",
                           # typed on one line with a double space: the server finds the text's own words
                           "quote": "We have not  seen this (deliveries of missiles from Egypt to the Russian Federation – ed.) happen"}]},
        ],
        "corroborations": [
            {"id": f"{prefix}-representative-reported-twice", "kind": "same_proposition",
             "explanation": "The digest and the Buna Times quote the same remark of the US representative.",
             "claims": [f"{prefix}-us-representative-saw-no-missile-deliveries", "us-representative-saw-no-missile-deliveries"]},
        ],
    }


def _check_export(database_url: str, out: Path) -> list[str]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            export_dataset(conn, out)
    finally:
        engine.dispose()
    ds = load_dataset(out)
    return statement_problems(ds) + coverage_problems(ds)


async def test_a_report_goes_in_as_one_request_and_export_then_check_passes(client, auth, settings, tmp_path):
    response = await client.post("/v1/documents", json=bundle(), headers=auth)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/v1/sources/{DOC}"
    body = response.json()
    assert body["dry_run"] is False
    assert body["source"]["id"] == DOC and body["source"]["text"] == TEXT
    assert [a["id"] for a in body["actors"]] == ["discord-digest", "test-desk"]
    planned, not_seen = body["claims"]
    assert (planned["evidence"][0]["start"], planned["evidence"][0]["end"]) == (0, 115)
    assert not_seen["evidence"][0]["quote"] == TEXT[not_seen["evidence"][0]["start"] : not_seen["evidence"][0]["end"]]
    assert not_seen["evidence"][0]["quote"] == "We have not seen this (deliveries of missiles from Egypt to the Russian Federation – ed.) happen"
    assert [y["id"] for y in body["corroborations"]] == ["digest-representative-reported-twice"]
    assert body["corroborations"][0]["independent"] is False  # one speaker, one party
    # The engine's proposals come back with the bundle: the plan as reported before, corroborated, and the like.
    proposed = {(y["origin"], tuple(sorted(m["claim_id"] for m in y["claims"]))) for y in body["proposed_corroborations"]}
    assert ("same-stance", ("digest-sisi-planned-40000-missiles-for-russia", "sisi-planned-40000-missiles-for-russia")) in proposed
    assert all(r["status"] == "proposed" for r in body["proposed_contradictions"] + body["proposed_corroborations"])
    for path in (f"/v1/sources/{DOC}", "/v1/actors/test-desk", "/v1/claims/digest-sisi-planned-40000-missiles-for-russia",
                 "/v1/corroborations/digest-representative-reported-twice"):
        assert (await client.get(path)).status_code == 200, path
    assert _check_export(settings.database_url, tmp_path / "out") == []
    doc = load_dataset(tmp_path / "out").documents[f"documents/{DOC}.yaml"]
    assert [c.id for c in doc.claims] == ["digest-sisi-planned-40000-missiles-for-russia", "digest-us-representative-saw-no-missile-deliveries"]
    # The account the server made: the text, not curated yet, with each claim's words carved out of it.
    not_seen_at = (not_seen["evidence"][0]["start"], not_seen["evidence"][0]["end"])
    assert [(seg.start, seg.end, seg.claims) for seg in doc.coverage] == [
        (0, 115, ["digest-sisi-planned-40000-missiles-for-russia"]), (116, not_seen_at[0] - 1, []),
        (*not_seen_at, ["digest-us-representative-saw-no-missile-deliveries"]), (not_seen_at[1], len(TEXT), []),
    ]


async def test_dry_run_answers_what_would_be_stored_and_stores_nothing(client, auth):
    changes = (await client.get("/v1/changes?limit=1&after=0")).json()
    response = await client.post("/v1/documents?dry_run=true", json=bundle(), headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["dry_run"] is True
    assert [c["id"] for c in body["claims"]] == ["digest-sisi-planned-40000-missiles-for-russia", "digest-us-representative-saw-no-missile-deliveries"]
    assert body["proposed_corroborations"]
    assert_problem(await client.get(f"/v1/sources/{DOC}"), 404, "/problems/not-found")
    assert_problem(await client.get("/v1/actors/test-desk"), 404, "/problems/not-found")
    assert (await client.get("/v1/changes?limit=1&after=0")).json() == changes
    # Then stored for real, the same.
    stored = await client.post("/v1/documents", json=bundle(), headers=auth)
    assert stored.status_code == 201, stored.text
    assert {k: v for k, v in stored.json().items() if k != "dry_run"} == {k: v for k, v in body.items() if k != "dry_run"}


async def test_every_problem_of_a_bundle_is_in_one_422_at_its_place_and_nothing_is_stored(client, auth):
    bad = bundle()
    bad["claims"][0]["evidence"][0]["quote"] = "Secret US documents show that Sisi planned to produce missiles"
    bad["claims"][1]["statement"] = "The NSC said it had not seen deliveries of missiles from Egypt to the Russian Federation happen."
    bad["claims"].append({**bad["claims"][1], "id": "digest-third", "subject": "no-such-actor",
                          "statement": "They had not seen deliveries of missiles from Egypt to the Russian Federation happen."})
    response = await client.post("/v1/documents", json=bad, headers=auth)
    body = assert_problem(response, 422, "/problems/validation-error")
    assert [(e["loc"], e["type"]) for e in body["errors"]] == [
        (["body", "claims", 0, "evidence", 0, "quote"], "quote_not_found"),
        (["body", "claims", 1, "statement"], "statement_unsupported"),
        (["body", "claims", 2, "subject"], "unknown_reference"),
        (["body", "corroborations", 0, "claims", 0], "unknown_reference"),
    ]
    assert body["errors"][0]["closest"]["start"] == 0
    assert body["detail"].startswith(f"Document '{DOC}' was not saved (4 problem(s)): claims[0].evidence[0].quote: the quote is not found")
    for path in (f"/v1/sources/{DOC}", "/v1/actors/test-desk", "/v1/actors/discord-digest", "/v1/claims/digest-us-representative-saw-no-missile-deliveries"):
        assert_problem(await client.get(path), 404, "/problems/not-found")


async def test_a_bundle_is_idempotent_with_an_idempotency_key(client, auth):
    headers = {**auth, "Idempotency-Key": "digest-2023-04-12"}
    first = await client.post("/v1/documents", json=bundle(), headers=headers)
    assert first.status_code == 201, first.text
    again = await client.post("/v1/documents", json=bundle(), headers=headers)
    assert (again.status_code, again.headers["idempotent-replayed"], again.content) == (201, "true", first.content)
    # Both carry the validator of the source `Location` names (RFC 9110 §15.3.2), as GET serves it uncompressed.
    plain = {"Accept-Encoding": "identity"}
    source = await client.get(first.headers["location"], headers=plain)
    assert first.headers["etag"] == again.headers["etag"] == source.headers["etag"]
    revalidated = await client.get(first.headers["location"], headers={**plain, "If-None-Match": first.headers["etag"]})
    assert revalidated.status_code == 304
    other = await client.post("/v1/documents", json=bundle("other"), headers=headers)
    assert_problem(other, 422, "/problems/idempotency-key-reused")


async def test_a_bundle_needs_a_write_key_and_its_coverage_is_checked_like_the_loaders(client, auth):
    assert_problem(await client.post("/v1/documents", json=bundle()), 401, "/problems/unauthorized")
    given = {**bundle(), "coverage": [{"start": 0, "end": 115, "claims": ["digest-sisi-planned-40000-missiles-for-russia"]}]}
    body = assert_problem(await client.post("/v1/documents", json=given, headers=auth), 422, "/problems/validation-error")
    assert [e["msg"] for e in body["errors"]] == [
        f"text at 115-{len(TEXT)} is neither covered nor explained: " + repr(TEXT[115:].strip()[:60]),
        "claim 'digest-us-representative-saw-no-missile-deliveries' is not listed against any passage in coverage",
    ]
    given["coverage"] = [{"start": 0, "end": 115, "claims": ["digest-sisi-planned-40000-missiles-for-russia"]},
                         {"start": 115, "end": len(TEXT), "claims": ["digest-us-representative-saw-no-missile-deliveries"],
                          "reason": "The rest of the digest: the report's source and the representative's remark."}]
    response = await client.post("/v1/documents", json=given, headers=auth)
    assert response.status_code == 201, response.text
