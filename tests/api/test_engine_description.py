"""/v1/engine: the detection rules and the declared knowledge tables in force, as clients see them."""

from __future__ import annotations

import pytest
import yaml

from api.config import ROOT
from api.engine.rules import RULES
from tests.conftest import assert_problem

pytestmark = pytest.mark.anyio


async def test_engine_lists_the_rules_and_the_tables_in_force(client):
    response = await client.get("/v1/engine")
    assert response.status_code == 200
    engine = response.json()
    assert [r["name"] for r in engine["rules"]] == [r.name for r in RULES]
    [stance] = [r for r in engine["rules"] if r["name"] == "stance-vs-conduct"]
    assert stance == {
        "name": "stance-vs-conduct", "relation": "contradiction", "kinds": ["incompatible_stance"], "symmetric": False,
        "description": "A stated position and reported conduct that the knowledge tables declare incompatible, e.g. neutrality in a war"
                       " against arms to one of its belligerents.",
    }
    assert {r["relation"] for r in engine["rules"]} == {"contradiction", "corroboration"}
    declared = yaml.safe_load((ROOT / "data" / "knowledge.yaml").read_text(encoding="utf-8"))
    knowledge = engine["knowledge"]
    assert knowledge["version"] == declared["version"]
    assert [f["id"] for f in knowledge["predicate_families"]] == [f["id"] for f in declared["predicate_families"]]
    [arms] = [f for f in knowledge["predicate_families"] if f["id"] == "arms-flow"]
    assert [(m["predicate"], m["agent"], m["patient"]) for m in arms["members"]] == [
        ("supply_arms", "subject", "recipient"), ("produce_arms", "subject", "recipient"),
        ("arms_deal", "subject", "recipient"), ("acquire_arms", "recipient", "subject"),
    ]
    assert (arms["symmetric"], arms["by_party"], arms["classed"]) == (False, True, True)
    assert [c["id"] for c in knowledge["conflicts"]] == [c["id"] for c in declared["conflicts"]]


async def test_engine_sends_an_etag_and_refuses_parameters(client):
    first = await client.get("/v1/engine")
    again = await client.get("/v1/engine", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert_problem(await client.get("/v1/engine?rule=quote-drift"), 422, "/problems/unknown-parameter")
