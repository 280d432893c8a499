"""/healthz, the OpenAPI document and the HTTP conventions every route shares."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from api.config import Settings
from api.main import create_app
from tests.conftest import assert_problem

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]


async def test_healthz(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert len(body["dataset"]) == 64
    again = await client.get("/healthz", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


async def test_healthz_unknown_parameter_is_422(client):
    assert_problem(await client.get("/healthz?verbose=1"), 422, "/problems/unknown-parameter")


async def test_unknown_route_is_problem_404(client):
    assert_problem(await client.get("/v1/nothing-here"), 404, "/problems/not-found", "No route matches /v1/nothing-here.")


async def test_wrong_method_is_problem_405(client):
    assert_problem(await client.put("/v1/claims", json={}), 405, "/problems/method-not-allowed")


def test_committed_openapi_matches_the_app():
    committed = json.loads((ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
    assert create_app().openapi() == committed, "openapi/openapi.json is stale: run `make openapi`"


def test_every_operation_is_named_tagged_and_documents_its_errors():
    spec = create_app().openapi()
    operation_ids = []
    for path, methods in spec["paths"].items():
        for op in methods.values():
            operation_ids.append(op["operationId"])
            assert op["operationId"].replace("_", "").isalpha(), op["operationId"]
            assert op["tags"], path
            assert op["description"], path
            for status, response in op["responses"].items():
                if status.startswith("4"):
                    assert list(response["content"]) == ["application/problem+json"], (path, status)
            if path != "/healthz":
                assert "422" in op["responses"], path
            if "{" in path:
                assert "404" in op["responses"], path
    assert len(operation_ids) == len(set(operation_ids))
    assert {"list_claims", "get_claim", "list_actor_claims", "search", "get_timeline"} <= set(operation_ids)
    predicate = spec["components"]["schemas"]["Predicate"]
    assert predicate["x-enum-descriptions"]["supply_arms"].startswith("Subject delivers")


async def test_cors_origins_come_from_settings(settings):
    app = create_app(Settings(**{**settings.model_dump(), "cors_origins": "https://desk.example"}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        allowed = await c.get("/healthz", headers={"Origin": "https://desk.example"})
        other = await c.get("/healthz", headers={"Origin": "https://elsewhere.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://desk.example"
    assert "etag" in allowed.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-origin" not in other.headers


async def test_reads_can_require_a_key(settings):
    from tests.conftest import make_key

    locked = Settings(**{**settings.model_dump(), "read_requires_key": True})
    reader = make_key(settings, "read", "reader")
    app = create_app(locked)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        anonymous = await c.get("/v1/claims/us-representative-saw-no-missile-deliveries")
        keyed = await c.get("/v1/claims/us-representative-saw-no-missile-deliveries", headers={"Authorization": f"Bearer {reader}"})
    assert_problem(anonymous, 401, "/problems/unauthorized")
    assert anonymous.headers["www-authenticate"] == 'Bearer realm="claims-api"'
    assert keyed.status_code == 200


@pytest.mark.parametrize(("page", "assets"), [
    ("/docs", ["/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"]),
    ("/redoc", ["/docs/assets/redoc.standalone.js"]),
])
async def test_the_docs_load_nothing_from_outside_the_app(client, page, assets):
    html = (await client.get(page)).text
    assert re.findall(r"""(?:src|href)=["']?(https?:)?//""", html) == []
    assert "fonts.googleapis" not in html and "cdn" not in html
    for asset in assets:
        assert f'"{asset}"' in html or f"'{asset}'" in html
        response = await client.get(asset)
        assert response.status_code == 200
        assert len(response.content) > 100_000
    assert "/openapi.json" in html
