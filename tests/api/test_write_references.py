"""What refers to a record is found through the reference tables (schemas/tables.py, "Reference tables"), kept
by every write: a delete is refused while a record holds the one deleted, by whichever field, and is allowed
once it no longer does; the views that name a changed record are rendered again; the claim counts that actors'
and sources' views show follow every claim written."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.test_writes import BUNA, SHUKRI_QUOTE, actor, claim_body, evidence_for
from tests.conftest import assert_problem

pytestmark = pytest.mark.anyio


async def _post(client, auth, kind: str, body: dict) -> dict:
    response = await client.post(f"/v1/{kind}", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


async def _delete(client, auth, path: str):
    etag = (await client.get(path)).headers["etag"]
    return await client.delete(path, headers={**auth, "If-Match": etag})


async def _patch(client, auth, path: str, body: dict) -> dict:
    etag = (await client.get(path)).headers["etag"]
    response = await client.patch(path, json=body, headers={**auth, "If-Match": etag})
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_actor_held_only_by_another_actors_speaks_for_is_not_deleted(client, auth):
    await _post(client, auth, "actors", actor("example-ministry", kind="government_body", name="Example Ministry",
                                              names=[{"value": "Example Ministry", "language": "en"}]))
    spokesman = await _post(client, auth, "actors", actor("example-spokesman", kind="person", name="Example Spokesman",
                                                          names=[{"value": "Example Spokesman", "language": "en"}],
                                                          speaks_for="example-ministry"))
    ministry = {"id": "example-ministry", "name": "Example Ministry", "kind": "government_body", "unnamed": False}
    assert spokesman["speaks_for"] == ministry
    refused = assert_problem(await _delete(client, auth, "/v1/actors/example-ministry"), 409, "/problems/conflict")
    assert refused["references"] == [{"resource": "actor", "id": "example-spokesman"}]
    # The name the spokesman's view shows follows the ministry's: found through the reference, rendered again.
    await _patch(client, auth, "/v1/actors/example-ministry", {"name": "Example Ministry of Affairs"})
    shown = (await client.get("/v1/actors/example-spokesman")).json()["speaks_for"]
    assert shown == {**ministry, "name": "Example Ministry of Affairs"}
    await _patch(client, auth, "/v1/actors/example-spokesman", {"speaks_for": None})
    assert (await _delete(client, auth, "/v1/actors/example-ministry")).status_code == 204


async def test_an_actor_held_only_by_a_roles_of_is_not_deleted(client, auth):
    await _post(client, auth, "actors", actor("example-council", kind="government_body", name="Example Council",
                                              names=[{"value": "Example Council", "language": "en"}]))
    evidence = await evidence_for(client, BUNA, SHUKRI_QUOTE)
    del evidence["speech"]
    added = await client.post("/v1/actors/sameh-shukri/roles", json={"title": "Adviser", "of": "example-council", "evidence": [evidence]},
                              headers=auth)
    assert added.status_code == 201, added.text
    [role_id] = [r["id"] for r in added.json()["roles"] if r["of"] and r["of"]["id"] == "example-council"]
    stem, position = role_id.rsplit(".", 1)
    refused = assert_problem(await _delete(client, auth, "/v1/actors/example-council"), 409, "/problems/conflict")
    assert refused["references"] == [{"resource": "role", "id": f"documents/{stem}.yaml#roles[{position}]"}]
    # The role holder's view names the council: renaming it renders the holder again.
    await _patch(client, auth, "/v1/actors/example-council", {"name": "Example State Council"})
    roles = (await client.get("/v1/actors/sameh-shukri")).json()["roles"]
    council = {"id": "example-council", "name": "Example State Council", "kind": "government_body", "unnamed": False}
    assert [r["of"] for r in roles if r["id"] == role_id] == [council]
    etag = (await client.get("/v1/actors/sameh-shukri")).headers["etag"]
    removed = await client.delete(f"/v1/actors/sameh-shukri/roles/{role_id}", headers={**auth, "If-Match": etag})
    assert removed.status_code == 204
    assert (await _delete(client, auth, "/v1/actors/example-council")).status_code == 204


async def test_a_source_held_only_by_another_sources_cites_is_not_deleted(client, auth):
    base = {"kind": "news_article", "language": "en", "publisher": "washington-post"}
    await _post(client, auth, "sources", {**base, "id": "example-cited", "title": "Cited"})
    await _post(client, auth, "sources", {**base, "id": "example-citing", "title": "Citing", "cites": ["example-cited"]})
    refused = assert_problem(await _delete(client, auth, "/v1/sources/example-cited"), 409, "/problems/conflict")
    assert refused["references"] == [{"resource": "source", "id": "example-citing"}]
    await _patch(client, auth, "/v1/sources/example-citing", {"cites": []})
    assert (await _delete(client, auth, "/v1/sources/example-cited")).status_code == 204


async def test_sources_held_by_a_claims_evidence_are_not_deleted(client, auth):
    base = {"kind": "news_article", "language": "en", "publisher": "washington-post"}
    text = "Washington, 2 May 2024. Officials said Foreign Minister Sameh Shukri would travel to Moscow for talks."
    quote = "Foreign Minister Sameh Shukri would travel to Moscow for talks"
    await _post(client, auth, "sources", {**base, "id": "example-report", "title": "Report"})
    await _post(client, auth, "sources", {**base, "id": "example-article", "title": "Article", "cites": ["example-report"], "text": text})
    body = await claim_body(client, evidence=[{"source": "example-article", "quote": quote, "start": text.index(quote),
                                               "end": text.index(quote) + len(quote), "speech": "narration",
                                               "attributed_to": "example-report"}])
    await _post(client, auth, "claims", body)
    for source_id, held_also_by in (("example-report", [{"resource": "source", "id": "example-article"}]), ("example-article", [])):
        refused = assert_problem(await _delete(client, auth, f"/v1/sources/{source_id}"), 409, "/problems/conflict")
        assert refused["references"] == [*held_also_by, {"resource": "claim", "id": body["id"]}]
    assert (await _delete(client, auth, f"/v1/claims/{body['id']}")).status_code == 204
    assert (await _delete(client, auth, "/v1/sources/example-article")).status_code == 204
    assert (await _delete(client, auth, "/v1/sources/example-report")).status_code == 204


async def test_claim_counts_follow_each_claim_created_changed_and_deleted(client, auth):
    async def counts() -> tuple[dict, dict, int]:
        shukri = (await client.get("/v1/actors/sameh-shukri")).json()["claim_counts"]
        egypt = (await client.get("/v1/actors/egypt")).json()["claim_counts"]
        return shukri, egypt, (await client.get(f"/v1/sources/{BUNA}")).json()["claim_count"]

    shukri, egypt, quoted = await counts()
    body = await claim_body(client)
    await _post(client, auth, "claims", body)
    assert await counts() == ({**shukri, "subject": shukri["subject"] + 1}, egypt, quoted + 1)
    await _patch(client, auth, f"/v1/claims/{body['id']}", {"subject": "egypt"})
    assert await counts() == (shukri, {**egypt, "subject": egypt["subject"] + 1}, quoted + 1)
    assert (await _delete(client, auth, f"/v1/claims/{body['id']}")).status_code == 204
    assert await counts() == (shukri, egypt, quoted)


async def test_the_rules_compare_a_claim_with_its_neighbours_by_id_under_each_key(client, auth, monkeypatch):
    from tests.api.test_engine import SOUTH, _claim, _plan, _relations, _world

    await _world(client, auth)
    await _plan(client, auth)
    await _post(client, auth, "claims", _claim("plan-officials", SOUTH, "Officials say Borduria plans to deliver rockets to Syldavia",
                                               "south-herald", modality="planned"))

    def denial(claim_id: str) -> dict:
        return _claim(claim_id, SOUTH, "Borduria denies that it plans to deliver rockets to Syldavia", "south-herald",
                      polarity="negated", modality="planned", speech="indirect", speaker="borduria")

    both = await _post(client, auth, "claims", denial("denial"))
    assert [(r[2], r[4]) for r in _relations(both)] == [("proposed", ["plan"]), ("proposed", ["plan-officials"])]
    etag = (await client.get("/v1/claims/denial")).headers["etag"]
    assert (await client.delete("/v1/claims/denial", headers={**auth, "If-Match": etag})).status_code == 204
    # Under the proposition key both plans are candidates; with one neighbour on each side, only the id next above
    # 'denial-again' is compared: 'plan' (nothing under the key sorts below it, and 'plan-officials' comes after).
    monkeypatch.setattr("api.services.engine.NEIGHBOURS", 1)
    bounded = await _post(client, auth, "claims", denial("denial-again"))
    assert [(r[2], r[4]) for r in _relations(bounded)] == [("proposed", ["plan"])]


async def test_no_write_scans_a_table(client, auth, settings):
    """Every statement a claim create, patch and delete, an actor create, a role added and removed send is served by
    an index: on SQLite no step of EXPLAIN QUERY PLAN is a SCAN; on PostgreSQL (whose planner prefers a sequential
    scan of tables as small as the shipped dataset's) none is a Seq Scan with `enable_seqscan = off`."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from api.store.db import is_sqlite, make_engine

    sent: dict[str, Any] = {}
    writing = False

    def record(conn, cursor, statement, parameters, context, executemany):
        if writing and statement.lstrip().split(" ", 1)[0].upper() in ("SELECT", "UPDATE", "DELETE"):
            sent.setdefault(statement, parameters[0] if executemany else parameters)

    async def write(method: str, path: str, **kwargs: Any) -> httpx.Response:
        nonlocal writing
        writing = True
        try:
            return await client.request(method, path, headers={**auth, **kwargs.pop("headers", {})}, **kwargs)
        finally:
            writing = False

    event.listen(Engine, "before_cursor_execute", record)
    try:
        created = await write("POST", "/v1/claims", json=await claim_body(client))
        assert created.status_code == 201, created.text
        url = f"/v1/claims/{created.json()['id']}"
        patched = await write("PATCH", url, json={"note": "Checked."}, headers={"If-Match": created.headers["etag"]})
        assert patched.status_code == 200, patched.text
        assert (await write("DELETE", url, headers={"If-Match": patched.headers["etag"]})).status_code == 204
        assert (await write("POST", "/v1/actors", json=actor())).status_code == 201
        evidence = await evidence_for(client, BUNA, SHUKRI_QUOTE)
        del evidence["speech"]
        added = await write("POST", "/v1/actors/sameh-shukri/roles", json={"title": "Adviser", "of": "cairo-university",
                                                                            "evidence": [evidence]})
        assert added.status_code == 201, added.text
        [role_id] = [r["id"] for r in added.json()["roles"] if r["of"] and r["of"]["id"] == "cairo-university"]
        removed = await write("DELETE", f"/v1/actors/sameh-shukri/roles/{role_id}", headers={"If-Match": added.headers["etag"]})
        assert removed.status_code == 204
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert len(sent) > 50
    scans: list[tuple[str, str]] = []
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            cursor = raw.cursor()
            sqlite = is_sqlite(settings.database_url)
            if not sqlite:
                cursor.execute("SET enable_seqscan = off")
            for statement, parameters in sent.items():
                cursor.execute(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters)
                steps = [str(row[-1] if sqlite else row[0]) for row in cursor.fetchall()]
                scans += [(statement, step) for step in steps if ("SCAN " in step and "CONSTANT ROW" not in step) or "Seq Scan" in step]
    finally:
        engine.dispose()
    assert scans == []
