"""The explorer's routes over HTTP (httpx against the ASGI app): the page, its assets and the redirect from `/`, how
they fit the API's rules (HEAD, 304, 405 and 404 problems), and that none of them is in the OpenAPI document."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from api.config import ROOT
from api.explorer import CONTENT_SECURITY_POLICY, STATIC
from tests.conftest import assert_problem

pytestmark = pytest.mark.anyio


async def test_the_page_is_served_with_a_same_origin_policy(client):
    response = await client.get("/explore")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == (STATIC / "index.html").read_text(encoding="utf-8")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-content-type-options"] == "nosniff"
    again = await client.get("/explore", headers={"If-None-Match": response.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")
    head = await client.head("/explore")
    assert (head.status_code, head.content, head.headers["etag"]) == (200, b"", response.headers["etag"])


async def test_the_root_redirects_to_the_page(client):
    response = await client.get("/")
    assert (response.status_code, response.headers["location"]) == (307, "/explore")


@pytest.mark.parametrize(("path", "media_type"), [
    ("/explore/assets/explorer.css", "text/css; charset=utf-8"),
    ("/explore/assets/js/app.js", "text/javascript; charset=utf-8"),
    ("/explore/assets/js/views/claim.js", "text/javascript; charset=utf-8"),
])
async def test_assets_are_served_with_their_types_and_etags(client, path, media_type):
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.content == (STATIC / path.removeprefix("/explore/assets/")).read_bytes()
    assert (await client.get(path, headers={"If-None-Match": response.headers["etag"]})).status_code == 304


def test_every_module_the_page_imports_exists():
    # Plain ES modules, no build step: each relative import names a file that is served.
    for module in STATIC.rglob("*.js"):
        for target in re.findall(r'from "(\.[^"]+)"', module.read_text(encoding="utf-8")):
            assert (module.parent / target).resolve().is_file(), f"{module.relative_to(STATIC)} imports {target}"


@pytest.mark.parametrize("path", ["/explore/assets/nothing.js", "/explore/assets/index.html", "/explore/assets/../__init__.py",
                                  "/explore/assets/%2e%2e/__init__.py", "/explore/other"])
async def test_what_is_not_an_asset_is_a_not_found_problem(client, path):
    assert_problem(await client.get(path), 404, "/problems/not-found")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("path", ["/explore", "/explore/assets/js/app.js", "/"])
async def test_other_methods_are_405_problems_allowing_get_and_head(client, method, path):
    response = await client.request(method, path)
    body = assert_problem(response, 405, "/problems/method-not-allowed")
    assert response.headers["allow"] == "GET, HEAD"
    assert body["detail"] == f"{method} is not allowed on {path}; it allows GET, HEAD."


async def test_the_pages_are_not_in_the_openapi_document(client):
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert [p for p in paths if not p.startswith("/v1/")] == ["/healthz"]
    committed = json.loads((ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
    assert not any(p.startswith("/explore") or p == "/" for p in committed["paths"])


def test_the_page_loads_nothing_from_outside_the_app():
    # No absolute URL in any asset: every script, style and API call is same-origin (the CSP enforces it in the browser).
    for asset in [*STATIC.rglob("*.js"), *STATIC.rglob("*.css"), STATIC / "index.html"]:
        text = asset.read_text(encoding="utf-8")
        found = [u for u in re.findall(r"https?://[^\s\"'`)]+", text) if u != "http://www.w3.org/2000/svg"]
        assert found == [], f"{Path(asset).relative_to(STATIC)}: {found}"
