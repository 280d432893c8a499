"""/v1/actors."""

from __future__ import annotations

import pytest

from tests.conftest import assert_problem, walk

pytestmark = pytest.mark.anyio


async def test_get_actor_has_every_spelling_and_roles(client):
    response = await client.get("/v1/actors/abdel-fattah-el-sisi")
    assert response.status_code == 200
    sisi = response.json()
    names = {(n["value"], n["language"]) for n in sisi["names"]}
    assert {("Sisi", "en"), ("el-Sisi", "en"), ("al-Sisi", "en"), ("السيسي", "ar"), ("عبدالفتاح السيسي", "ar")} <= names
    presidents = [r for r in sisi["roles"] if r["title"].lower().startswith("president")]
    assert presidents and all(r["of"]["id"] == "egypt" for r in presidents)
    for role in presidents:
        for ev in role["evidence"]:
            text = (await client.get(f"/v1/sources/{ev['source']['id']}")).json()["text"]
            assert text[ev["start"]:ev["end"]] == ev["quote"]
    assert sisi["claim_counts"]["subject"] > 0


async def test_unnamed_speaker_is_tied_to_whom_it_speaks_for(client):
    rep = (await client.get("/v1/actors/unnamed-us-representative")).json()
    assert rep["unnamed"] is True
    assert rep["speaks_for"]["id"] == "united-states"
    unnamed = await walk(client, "/v1/actors?unnamed=true")
    assert "unnamed-us-representative" in {a["id"] for a in unnamed}
    assert all(a["unnamed"] for a in unnamed)


async def test_list_actors_pages_every_actor_once(client):
    everything = await walk(client, "/v1/actors?limit=200")
    paged = await walk(client, "/v1/actors?limit=9")
    assert [a["id"] for a in paged] == [a["id"] for a in everything]
    assert len(set(a["id"] for a in paged)) == len(paged)
    countries = await walk(client, "/v1/actors?kind=country")
    assert {"egypt", "russia", "united-states", "ukraine"} <= {a["id"] for a in countries}
    assert all(a["kind"] == "country" for a in countries)


async def test_actor_claims_by_role(client):
    # The leaked documents claim nothing themselves: reporters render what they show.
    assert await walk(client, "/v1/actors/leaked-us-intelligence-documents/claims?role=claimant") == []
    claims = await walk(client, "/v1/actors/leaked-us-intelligence-documents/claims?role=speaker")
    assert {c["id"] for c in claims} == {
        "sisi-planned-40000-missiles-for-russia", "sisi-planned-missile-shipment-to-russia",
        "sisi-instructed-officials-to-keep-missile-production-secret", "sisi-likely-held-conversations-with-top-military-officials",
        "egypt-planned-to-supply-russia-artillery-shells-and-gunpowder", "ar-sisi-planned-40000-missiles-for-russia",
        "ar-sisi-ordered-missile-deal-kept-secret",
    }
    assert {(c["claimant"]["id"], tuple(s["id"] for s in c["speakers"])) for c in claims} == {
        ("washington-post", ("leaked-us-intelligence-documents",)), ("alkhaleej-aljadeed", ("leaked-us-intelligence-documents",)),
    }
    any_role = await walk(client, "/v1/actors/russia/claims?limit=5")
    assert len(any_role) > 5
    for c in any_role:
        involved = {c["subject"]["id"], c["claimant"]["id"], *(s["id"] for s in c["speakers"])}
        involved |= {x["id"] for x in (c["recipient"], c["location"], (c["object"] or {}).get("actor")) if x}
        assert "russia" in involved


async def test_get_actor_unknown_is_404(client):
    assert_problem(await client.get("/v1/actors/nobody"), 404, "/problems/not-found", "Actor 'nobody' does not exist.")
    assert_problem(await client.get("/v1/actors/nobody/claims"), 404, "/problems/not-found", "Actor 'nobody' does not exist.")


@pytest.mark.parametrize("path", ["/v1/actors?kind=wizard", "/v1/actors?limit=1000", "/v1/actors/russia/claims?role=bystander"])
async def test_actor_bad_parameters_are_422(client, path):
    body = assert_problem(await client.get(path), 422, "/problems/validation-error")
    assert body["errors"]
