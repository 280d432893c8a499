"""Member edits: one claim added to or removed from a contradiction or a corroboration, without re-sending the list,
with If-Match (428 without it, 412 when stale), recorded in the relation's history and the change feed."""

from __future__ import annotations

import pytest

from tests.api.test_change_feed import TEMPLATES
from tests.api.test_engine import _claim, _not_seen, _plan, _post, _world
from tests.conftest import assert_problem, walk

pytestmark = pytest.mark.anyio

EAST = "An East Daily report: Borduria plans to deliver rockets to Syldavia."
EAST_EVIDENCE = {"source": "east-daily", "quote": "Borduria plans to deliver rockets to Syldavia", "start": 22, "end": 67,
                 "speech": "narration"}


async def _create(client, auth, claim_id: str) -> dict:
    source, quote, claimant, fields = TEMPLATES[claim_id]
    return await _post(client, auth, "claims", _claim(claim_id, source, quote, claimant, **fields))


async def _etag(client, url: str) -> str:
    return (await client.get(url, headers={"Accept-Encoding": "identity"})).headers["etag"]


def _sides(contradiction: dict) -> list[tuple[str, str]]:
    return [(c["claim_id"], c["side"]) for c in contradiction["claims"]]


async def test_a_claim_is_added_to_and_removed_from_a_contradiction(client, auth):
    await _world(client, auth)
    await _plan(client, auth)
    [x] = (await _post(client, auth, "claims", _not_seen()))["contradictions"]
    await _create(client, auth, "denial")
    url = f"/v1/contradictions/{x['id']}"
    before = await walk(client, "/v1/changes?limit=200")
    added = await client.post(f"{url}/claims/denial", json={"side": "b"}, headers={**auth, "If-Match": await _etag(client, url)})
    assert added.status_code == 200, added.text
    assert _sides(added.json()) == [("plan", "a"), ("not-seen", "b"), ("denial", "b")]
    assert added.headers["etag"] == await _etag(client, url) and added.json()["revision"] == 2
    # The claim's view lists it on its side, the plan's on the opposing one; the feed has the relation's update and
    # the claims' refreshes.
    denial = (await client.get("/v1/claims/denial")).json()
    [shown] = [c for c in denial["contradictions"] if c["id"] == x["id"]]
    assert (shown["side"], [c["claim_id"] for c in shown["same_side"]], [c["claim_id"] for c in shown["opposing_side"]]) == (
        "b", ["not-seen"], ["plan"])
    feed = (await walk(client, "/v1/changes?limit=200"))[len(before):]
    assert [(c["resource"], c["resource_id"], c["action"]) for c in feed] == [
        ("contradiction", x["id"], "update"), ("claim", "denial", "refresh"), ("claim", "not-seen", "refresh"), ("claim", "plan", "refresh")]
    assert [m["claim"] for m in feed[0]["before"]["claims"]] == ["plan", "not-seen"]
    assert [m["claim"] for m in feed[0]["after"]["claims"]] == ["plan", "not-seen", "denial"]

    # Side a would be left empty: the contradiction's own rule, named at the path's claim.
    one_sided = assert_problem(await client.delete(f"{url}/claims/plan", headers={**auth, "If-Match": added.headers["etag"]}),
                               422, "/problems/validation-error")
    assert [(e["loc"], e["msg"]) for e in one_sided["errors"]] == [
        (["path", "claim_id"], "Value error, a contradiction needs at least one claim on side a and one on side b")]
    removed = await client.delete(f"{url}/claims/not-seen", headers={**auth, "If-Match": added.headers["etag"]})
    assert removed.status_code == 200, removed.text
    assert _sides(removed.json()) == [("plan", "a"), ("denial", "b")]
    assert [c["id"] for c in (await client.get("/v1/claims/not-seen")).json()["contradictions"]] == []
    history = await walk(client, f"{url}/revisions")
    assert [(r["revision"], r["action"]) for r in history] == [(1, "create"), (2, "update"), (3, "update")]


async def test_member_edits_need_the_current_etag(client, auth):
    await _world(client, auth)
    await _plan(client, auth)
    [x] = (await _post(client, auth, "claims", _not_seen()))["contradictions"]
    await _create(client, auth, "denial")
    url = f"/v1/contradictions/{x['id']}"
    stale = await _etag(client, url)
    assert_problem(await client.post(f"{url}/claims/denial", json={"side": "b"}, headers=auth), 428, "/problems/precondition-required")
    assert_problem(await client.delete(f"{url}/claims/plan", headers=auth), 428, "/problems/precondition-required")
    fresh = await client.post(f"{url}/claims/denial", json={"side": "b"}, headers={**auth, "If-Match": stale})
    assert fresh.status_code == 200, fresh.text
    assert_problem(await client.delete(f"{url}/claims/denial", headers={**auth, "If-Match": stale}), 412, "/problems/precondition-failed")
    assert _sides((await client.get(url)).json()) == [("plan", "a"), ("not-seen", "b"), ("denial", "b")]


async def test_member_edits_that_break_a_rule_change_nothing(client, auth):
    await _world(client, auth)
    await _plan(client, auth)
    [x] = (await _post(client, auth, "claims", _not_seen()))["contradictions"]
    url = f"/v1/contradictions/{x['id']}"
    tag = {**auth, "If-Match": await _etag(client, url)}
    before = await walk(client, "/v1/changes?limit=200")
    problem = assert_problem(await client.post(f"{url}/claims/nobody", json={"side": "a"}, headers=tag), 422, "/problems/validation-error")
    assert [(e["loc"], e["type"]) for e in problem["errors"]] == [(["path", "claim_id"], "unknown_reference")]
    assert problem["detail"].startswith(f"Claim 'nobody' was not added to contradiction '{x['id']}': ")
    assert_problem(await client.post(f"{url}/claims/plan", json={"side": "b"}, headers=tag), 409, "/problems/conflict",
                   f"Claim 'plan' is already in contradiction '{x['id']}'; remove it first to change its side.")
    assert_problem(await client.post(f"{url}/claims/denial", json={"side": "c"}, headers=tag), 422, "/problems/validation-error")
    assert_problem(await client.post(f"{url}/claims/denial", headers=tag), 422, "/problems/validation-error")
    assert_problem(await client.delete(f"{url}/claims/denial", headers=tag), 404, "/problems/not-found",
                   f"Contradiction '{x['id']}' has no claim 'denial'.")
    emptied = assert_problem(await client.delete(f"{url}/claims/not-seen", headers=tag), 422, "/problems/validation-error")
    assert [e["loc"] for e in emptied["errors"]] == [["path", "claim_id"]]
    assert emptied["errors"][0]["msg"] == "List should have at least 2 items after validation, not 1"
    assert_problem(await client.delete("/v1/contradictions/nothing/claims/plan", headers=tag), 404, "/problems/not-found")
    assert await walk(client, "/v1/changes?limit=200") == before
    assert _sides((await client.get(url)).json()) == [("plan", "a"), ("not-seen", "b")]


async def test_a_claim_is_added_to_and_removed_from_a_corroboration(client, auth):
    await _world(client, auth)
    await _plan(client, auth)
    [y] = (await _create(client, auth, "officials"))["corroborations"]
    await _post(client, auth, "sources", {"id": "east-daily", "kind": "news_article", "title": "Rockets (East Daily)", "language": "en",
                                          "publisher": "south-herald", "text": EAST})
    await _post(client, auth, "claims", _claim("east", "east-daily", "Borduria plans to deliver rockets to Syldavia", "south-herald",
                                               modality="planned") | {"evidence": [EAST_EVIDENCE]})
    url = f"/v1/corroborations/{y['id']}"
    added = await client.post(f"{url}/claims/east", headers={**auth, "If-Match": await _etag(client, url)})
    assert added.status_code == 200, added.text
    assert [c["claim_id"] for c in added.json()["claims"]] == ["officials", "plan", "east"]
    assert_problem(await client.post(f"{url}/claims/east", headers={**auth, "If-Match": added.headers["etag"]}), 409,
                   "/problems/conflict")
    removed = await client.delete(f"{url}/claims/plan", headers={**auth, "If-Match": added.headers["etag"]})
    assert removed.status_code == 200, removed.text
    assert [c["claim_id"] for c in removed.json()["claims"]] == ["officials", "east"]
    too_few = assert_problem(await client.delete(f"{url}/claims/officials", headers={**auth, "If-Match": removed.headers["etag"]}),
                             422, "/problems/validation-error")
    assert [e["loc"] for e in too_few["errors"]] == [["path", "claim_id"]]
    assert y["id"] not in [c["id"] for c in (await client.get("/v1/claims/plan")).json()["corroborations"]]
