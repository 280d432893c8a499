"""One set of rules for every way in: API writes are held to every check `python -m api.cli check` makes on the
curated files (statement names and numbers found in the evidence, coverage, references, vocabularies, dates), and a
claim written is placed in its document's coverage account, so that `export` after API writes passes `check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.dataset.coverage import NOT_YET_CURATED, coverage_problems
from api.dataset.lint import statement_problems
from api.dataset.loader import load_dataset
from api.store.db import make_engine
from api.store.export import export_dataset
from tests.conftest import assert_problem

pytestmark = pytest.mark.anyio

BUNA = "buna-times-2023-sisi-missiles-for-russia"
WAPO = "washington-post-2023-egypt-missiles-report"
QUOTE = "Egyptian Foreign Minister Sameh Shukri traveled to Moscow for talks with Russian leaders"


def _claim(statement: str, **extra: object) -> dict:
    return {"id": "shukri-went-to-moscow", "statement": statement, "subject": "sameh-shukri", "predicate": "visit",
            "location": "moscow", "claimant": "washington-post",
            "evidence": [{"source": BUNA, "quote": QUOTE, "speech": "narration", "attributed_to": WAPO}], **extra}


def _exported(database_url: str, out: Path) -> list[str]:
    """What `api.cli check` reports on the database exported to `out`."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            export_dataset(conn, out)
    finally:
        engine.dispose()
    ds = load_dataset(out)
    return statement_problems(ds) + coverage_problems(ds)


async def test_a_statement_naming_what_its_evidence_does_not_is_a_422_naming_the_statement(client, auth):
    response = await client.post("/v1/claims", json=_claim("The NSC said Sameh Shukri traveled to Moscow."), headers=auth)
    body = assert_problem(response, 422, "/problems/validation-error",
                          "Claim 'shukri-went-to-moscow' was not saved: statement: statement names 'NSC', which neither its"
                          " evidence nor its actors do.")
    assert body["errors"] == [{"loc": ["body", "statement"], "msg": "statement names 'NSC', which neither its evidence nor its actors do",
                               "type": "statement_unsupported"}]
    assert (await client.get("/v1/claims/shukri-went-to-moscow")).status_code == 404


async def test_a_statement_with_a_number_its_evidence_lacks_is_a_422(client, auth):
    response = await client.post("/v1/claims", json=_claim("Sameh Shukri traveled to Moscow 3 times."), headers=auth)
    body = assert_problem(response, 422, "/problems/validation-error")
    assert body["errors"] == [{"loc": ["body", "statement"], "msg": "statement has the number '3', which its evidence does not",
                               "type": "statement_unsupported"}]


async def test_a_patch_is_held_to_the_statement_rule_too(client, auth):
    created = await client.post("/v1/claims", json=_claim("Sameh Shukri traveled to Moscow."), headers=auth)
    assert created.status_code == 201, created.text
    response = await client.patch("/v1/claims/shukri-went-to-moscow", json={"statement": "Sameh Shukri flew to Moscow with Lavrov."},
                                  headers={**auth, "If-Match": created.headers["etag"]})
    assert assert_problem(response, 422, "/problems/validation-error")["errors"][0]["msg"] == (
        "statement names 'Lavrov', which neither its evidence nor its actors do")


async def test_a_claim_on_a_document_created_through_the_api_is_placed_in_its_coverage_and_export_passes_check(
        client, auth, settings, tmp_path):
    text = "Cairo, 3 May 2024.\n\nForeign Minister Sameh Shukri traveled to Moscow\nfor talks, the ministry said.\n"
    source = {"id": "ministry-note", "kind": "official_statement", "title": "Note", "language": "en", "publisher": "washington-post",
              "text": text}
    assert (await client.post("/v1/sources", json=source, headers=auth)).status_code == 201
    claim = _claim("Foreign Minister Sameh Shukri traveled to Moscow.", evidence=[
        {"source": "ministry-note", "quote": "Foreign Minister Sameh Shukri traveled to Moscow for talks", "speech": "narration"}])
    response = await client.post("/v1/claims", json=claim, headers=auth)
    assert response.status_code == 201, response.text
    assert _exported(settings.database_url, tmp_path / "out") == []
    doc = load_dataset(tmp_path / "out").documents["documents/ministry-note.yaml"]
    assert [(seg.start, seg.end, seg.claims, seg.reason) for seg in doc.coverage] == [
        (0, 18, [], NOT_YET_CURATED), (20, 78, ["shukri-went-to-moscow"], None), (78, 98, [], NOT_YET_CURATED),
    ]
    # Deleted, the claim leaves its passages explained.
    current = await client.get("/v1/claims/shukri-went-to-moscow")
    assert (await client.delete("/v1/claims/shukri-went-to-moscow", headers={**auth, "If-Match": current.headers["etag"]})).status_code == 204
    assert _exported(settings.database_url, tmp_path / "again") == []
