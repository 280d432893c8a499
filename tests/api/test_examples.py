"""The request examples in the OpenAPI document are accepted as they stand by a server with the shipped data."""

from __future__ import annotations

import pytest

from api.main import create_app

pytestmark = pytest.mark.anyio


def _examples() -> list[tuple[str, str, str, dict]]:
    found = []
    for path, item in create_app().openapi()["paths"].items():
        for method, op in item.items():
            content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            for name, ex in content.get("examples", {}).items():
                found.append((method.upper(), path, name, ex["value"]))
    return found


EXAMPLES = _examples()


def test_every_create_has_an_example():
    assert sorted((m, p) for m, p, _, _ in EXAMPLES) == sorted([
        ("POST", "/v1/actors"), ("POST", "/v1/sources"), ("POST", "/v1/claims"), ("POST", "/v1/contradictions"),
        ("POST", "/v1/corroborations"), ("POST", "/v1/actors/{actor_id}/roles"),
    ])


@pytest.mark.parametrize(("method", "path", "name", "value"), EXAMPLES, ids=[f"{m} {p} {n}" for m, p, n, _ in EXAMPLES])
async def test_each_example_is_accepted(client, auth, method, path, name, value):
    url = path.replace("{actor_id}", "anthony-blinken")
    response = await client.request(method, url, json=value, headers=auth)
    assert response.status_code == 201, response.text
    if "id" in value:
        assert response.json()["id"] == value["id"]
        assert (await client.get(f"{url}/{value['id']}")).json() == response.json()
