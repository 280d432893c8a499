"""The HTTP layer under hostile input: conditional requests, numbers from clients, the order of checks,
bodies that are too large or too slow, methods, idempotency, unexpected errors and the change feed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from sqlalchemy import text

from api.config import Settings
from api.main import create_app
from api.store.db import make_engine
from tests.conftest import assert_problem, make_key, walk

pytestmark = pytest.mark.anyio

ACTOR = "/v1/actors/unnamed-us-representative"
PATCH = {"description": "An unnamed US representative quoted by the report."}


async def _etag(client: httpx.AsyncClient, url: str = ACTOR) -> str:
    """The identity form's ETag, the one write responses and 412 details name (a gzip read has its own)."""
    response = await client.get(url, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    return response.headers["etag"]


# -- If-Match: strong comparison of whole entity tags (RFC 9110 §13.1.1)


@pytest.mark.parametrize("forge", [
    lambda tag: "W/" + tag,                                   # a weak tag never matches
    lambda tag: '"' + tag.strip('"').split("-")[0] + '-0000"',  # the right revision, a made-up digest
    lambda tag: '"' + tag.strip('"').split("-")[0] + '"',       # the revision alone
    lambda tag: 'W/"¹-x"',                                    # well-formed (obs-text), weak, and not the tag
])
async def test_if_match_compares_whole_tags_strongly(client, auth, forge):
    tag = await _etag(client)
    response = await client.patch(ACTOR, json=PATCH, headers={**auth, "If-Match": forge(tag).encode()})
    body = assert_problem(response, 412, "/problems/precondition-failed")
    assert f"its current ETag is {tag}" in body["detail"]
    assert await _etag(client) == tag  # nothing changed


async def test_if_match_list_matches_when_any_member_does(client, auth):
    tag = await _etag(client)
    response = await client.patch(ACTOR, json=PATCH, headers={**auth, "If-Match": f'"stale", {tag}'})
    assert response.status_code == 200, response.text
    assert response.json()["description"] == PATCH["description"]
    assert response.headers["etag"] != tag
    star = await client.patch(ACTOR, json={"description": "Again."}, headers={**auth, "If-Match": "*"})
    assert star.status_code == 200


@pytest.mark.parametrize("header", ["²", "W/¹-x", "١", "1" * 4301, "3", '"unterminated', '"a" "b"', ","])
@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
async def test_malformed_if_match_is_a_400_and_changes_nothing(client, auth, header, method):
    tag = await _etag(client)
    response = await client.request(method, ACTOR, headers={**auth, "If-Match": header.encode("utf-8")},
                                    json=PATCH if method == "PATCH" else None)
    body = assert_problem(response, 400, "/problems/bad-request")
    assert body["errors"][0]["loc"] == ["header", "If-Match"]
    assert await _etag(client) == tag


async def test_role_removal_checks_the_whole_tag_too(client, auth):
    actor = (await client.get("/v1/actors/abdel-fattah-el-sisi")).json()
    role_id = actor["roles"][0]["id"]
    tag = await _etag(client, "/v1/actors/abdel-fattah-el-sisi")
    url = f"/v1/actors/abdel-fattah-el-sisi/roles/{role_id}"
    assert_problem(await client.delete(url, headers={**auth, "If-Match": "W/" + tag}), 412, "/problems/precondition-failed")
    assert_problem(await client.delete(url, headers={**auth, "If-Match": "١".encode()}), 400, "/problems/bad-request")
    assert (await client.delete(url, headers={**auth, "If-Match": tag})).status_code == 204


async def test_if_none_match_takes_lists_and_weak_tags(client):
    tag = await _etag(client)
    assert (await client.get(ACTOR, headers={"If-None-Match": f'"other", W/{tag}'})).status_code == 304
    assert (await client.get(ACTOR, headers={"If-None-Match": '"other"'})).status_code == 200
    assert (await client.get(ACTOR, headers={"If-None-Match": "garbage"})).status_code == 200


# -- numbers from clients


async def test_change_feed_position_beyond_64_bits_is_a_422(client):
    response = await client.get("/v1/changes", params={"after": str(2**63)})
    body = assert_problem(response, 422, "/problems/validation-error")
    assert body["errors"][0]["loc"] == ["query", "after"]
    assert (await client.get("/v1/changes", params={"after": str(2**63 - 1)})).json()["items"] == []


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
async def test_non_finite_quantities_are_refused(client, auth, literal):
    claim = (await client.get("/v1/claims/sisi-planned-40000-missiles-for-russia")).json()
    tag = (await client.get("/v1/claims/sisi-planned-40000-missiles-for-russia")).headers["etag"]
    raw = '{"quantity": {"value": ' + literal + ', "unit": "missiles", "approximate": false}}'
    response = await client.patch("/v1/claims/sisi-planned-40000-missiles-for-russia", content=raw.encode(),
                                  headers={**auth, "If-Match": tag, "Content-Type": "application/json"})
    body = assert_problem(response, 422, "/problems/validation-error")
    assert ["body", "quantity", "value", "float"] in [e["loc"] for e in body["errors"]]
    after = (await client.get("/v1/claims/sisi-planned-40000-missiles-for-russia")).json()
    assert after["quantity"] == claim["quantity"]


@pytest.mark.parametrize("value", ["٢٠٢٣", "２０２３"])
async def test_dates_take_ascii_digits_only(client, value):
    response = await client.get("/v1/claims", params={"date_from": value})
    body = assert_problem(response, 422, "/problems/validation-error")
    assert body["errors"][0]["loc"] == ["query", "date_from"]


# -- the order of checks: who is asking comes first


@pytest.mark.parametrize("content", [b"\xff\xfe{", b"{not json", b'{"id": 1}'])
async def test_unauthenticated_writes_get_401_whatever_the_body(client, content):
    for method, url in (("POST", "/v1/claims"), ("PATCH", ACTOR), ("PUT", "/v1/engine/knowledge")):
        response = await client.request(method, url, content=content, headers={"Content-Type": "application/json"})
        assert_problem(response, 401, "/problems/unauthorized")


async def test_a_key_without_the_scope_gets_403_before_the_body_is_read(client, settings):
    read_only = {"Authorization": f"Bearer {make_key(settings, 'read', 'reader')}"}
    response = await client.post("/v1/claims", content=b"\xff", headers={**read_only, "Content-Type": "application/json"})
    assert_problem(response, 403, "/problems/forbidden")
    writer = {"Authorization": f"Bearer {make_key(settings, 'write', 'w')}"}
    response = await client.put("/v1/engine/knowledge", content=b"{", headers={**writer, "Content-Type": "application/json"})
    assert_problem(response, 403, "/problems/forbidden")


async def test_a_body_that_is_not_json_is_a_400_saying_where_parsing_stopped(client, auth):
    before = (await client.get("/v1/changes")).json()
    for path in ("/v1/actors", "/v1/documents", "/v1/claims"):
        response = await client.post(path, content=b'{\n  "id": "x",\n  "kind": }', headers={**auth, "Content-Type": "application/json"})
        body = assert_problem(response, 400, "/problems/bad-request",
                              "The request body is not valid JSON (RFC 8259): Expecting value at code point 25 (line 3, column 11).")
        assert body["errors"] == [{"loc": ["body", 25], "msg": "Expecting value at code point 25 (line 3, column 11)",
                                   "type": "json_invalid"}]
    # Offsets count code points, not bytes: 'é' is one code point and two bytes of UTF-8.
    response = await client.patch(ACTOR, content='{"name": "é",'.encode(), headers={**auth, "Content-Type": "application/json", "If-Match": "*"})
    assert_problem(response, 400, "/problems/bad-request",
                   "The request body is not valid JSON (RFC 8259): Expecting property name enclosed in double quotes at code point 13"
                   " (line 1, column 14).")
    assert (await client.get("/v1/changes")).json() == before


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/xml"])
async def test_a_body_not_sent_as_json_is_a_415_naming_the_type_to_send(client, auth, content_type):
    before = (await client.get("/v1/changes")).json()
    headers = {**auth, **({"Content-Type": content_type} if content_type else {})}
    sent = f"Content-Type '{content_type}'" if content_type else "no Content-Type"
    detail = f"The request body was sent with {sent}; this operation reads JSON: send it with 'Content-Type: application/json'."
    created = await client.post("/v1/actors", content=b'{"id": "x"}', headers=headers)
    assert_problem(created, 415, "/problems/unsupported-media-type", detail)
    assert created.headers["accept-post"] == "application/json"
    changed = await client.patch(ACTOR, content=b'{"name": "X"}', headers={**headers, "If-Match": "*"})
    assert_problem(changed, 415, "/problems/unsupported-media-type", detail)
    assert changed.headers["accept-patch"] == "application/json"
    assert (await client.get("/v1/changes")).json() == before


async def test_json_with_a_structured_suffix_or_parameters_is_read_as_json(client, auth):
    for content_type in ("application/json; charset=utf-8", "application/json; charset=UTF-8", "application/merge-patch+json",
                         "APPLICATION/JSON"):
        response = await client.patch(ACTOR, content=b'{"description": "' + content_type.encode() + b'"}',
                                      headers={**auth, "Content-Type": content_type, "If-Match": "*"})
        assert response.status_code == 200, response.text
        assert response.json()["description"] == content_type


@pytest.mark.parametrize("content_type", ["application/json; charset=latin-1", 'application/json; charset="UTF-16"'])
async def test_json_declared_in_another_charset_is_a_415(client, auth, content_type):
    # JSON is UTF-8 (RFC 8259 §8.1): a body declared in another charset would be misread, so it is refused, not stored.
    before = (await client.get("/v1/changes")).json()
    charset = content_type.rsplit("=", 1)[1].strip('"').lower()
    created = await client.post("/v1/actors", content=b'{"id": "x"}', headers={**auth, "Content-Type": content_type})
    body = assert_problem(created, 415, "/problems/unsupported-media-type",
                          f"The request body was sent with Content-Type '{content_type}'; JSON is read as UTF-8 (RFC 8259 §8.1):"
                          " send it encoded as UTF-8, with no charset or charset=utf-8.")
    assert body["errors"] == [{"loc": ["header", "content-type"], "msg": f"charset {charset}: not UTF-8", "type": "media_type"}]
    assert created.headers["accept-post"] == "application/json"
    assert (await client.get("/v1/changes")).json() == before


async def test_a_body_that_is_not_utf8_is_a_400_naming_the_byte(client, auth):
    response = await client.post("/v1/actors", content=b'{"id": "x\xff"}', headers={**auth, "Content-Type": "application/json"})
    body = assert_problem(
        response, 400, "/problems/bad-request",
        "The request body is not UTF-8: the byte at offset 9 (0xff) cannot start or continue a character."
        " JSON bodies must be UTF-8 (RFC 8259 §8.1).",
    )
    assert body["errors"] == [{"loc": ["body"], "msg": "invalid UTF-8 at byte 9", "type": "utf8_invalid"}]


async def test_an_oversized_chunked_body_is_a_413(client, auth):
    async def chunks():
        for _ in range(40):
            yield b" " * 65_536

    response = await client.post("/v1/actors", content=chunks(), headers={**auth, "Content-Type": "application/json"})
    assert_problem(response, 413, "/problems/payload-too-large")


# -- methods


@pytest.mark.parametrize(("path", "allow"), [
    ("/v1/claims", "GET, HEAD, POST"),
    ("/v1/claims/sisi-planned-40000-missiles-for-russia", "GET, HEAD, PATCH, DELETE"),
    ("/v1/engine/knowledge", "PUT"),
    ("/v1/actors/abdel-fattah-el-sisi/roles", "POST"),
])
async def test_405_allows_every_method_of_the_path(client, path, allow):
    response = await client.request("OPTIONS" if "GET" in allow else "GET", path)
    body = assert_problem(response, 405, "/problems/method-not-allowed")
    assert response.headers["allow"] == allow
    assert allow in body["detail"]


@pytest.mark.parametrize("path", ["/v1/claims", "/v1/claims/sisi-planned-40000-missiles-for-russia",
                                  "/v1/search?q=egypt", "/healthz", "/v1/export/claims", "/openapi.json"])
async def test_head_works_wherever_get_does(client, path):
    get = await client.get(path)
    head = await client.head(path)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers.get("etag") == get.headers.get("etag")
    assert head.headers["content-type"] == get.headers["content-type"]


# -- idempotency and tombstones


async def test_a_replayed_create_carries_the_etag_it_first_had(client, auth):
    body = {"id": "cairo-university", "kind": "organization", "name": "Cairo University",
            "names": [{"value": "Cairo University", "language": "en"}], "description": "A university in Cairo."}
    first = await client.post("/v1/actors", json=body, headers={**auth, "Idempotency-Key": "k-1"})
    assert first.status_code == 201
    again = await client.post("/v1/actors", json=body, headers={**auth, "Idempotency-Key": "k-1"})
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["etag"] == first.headers["etag"] == await _etag(client, "/v1/actors/cairo-university")
    assert again.content == first.content


@pytest.mark.parametrize("key", ["", " ", "é", "x" * 201])
async def test_an_unusable_idempotency_key_is_refused(client, auth, key):
    body = {"id": "cairo-university", "kind": "organization", "name": "Cairo University",
            "names": [{"value": "Cairo University", "language": "en"}], "description": "A university in Cairo."}
    headers = {**auth, "Idempotency-Key": key.encode("utf-8")}
    problem = assert_problem(await client.post("/v1/actors", json=body, headers=headers), 422, "/problems/validation-error")
    assert problem["errors"][0]["loc"] == ["header", "idempotency-key"]
    assert (await client.get("/v1/actors/cairo-university")).status_code == 404


async def test_a_410_gives_advice_that_works(client, auth):
    created = await client.post("/v1/actors", headers=auth, json={
        "id": "cairo-university", "kind": "organization", "name": "Cairo University",
        "names": [{"value": "Cairo University", "language": "en"}], "description": "A university in Cairo."})
    assert (await client.delete("/v1/actors/cairo-university", headers={**auth, "If-Match": created.headers["etag"]})).status_code == 204
    body = assert_problem(await client.get("/v1/actors/cairo-university"), 410, "/problems/gone")
    assert body["detail"] == (
        "Actor 'cairo-university' was deleted (revision 2); its history, its last state included, is at"
        " /v1/actors/cairo-university/revisions, and /v1/actors?include_deleted=true lists it."
    )
    history = (await client.get("/v1/actors/cairo-university/revisions")).json()["items"]
    assert [c["action"] for c in history] == ["create", "delete"]
    listed = await walk(client, "/v1/actors?include_deleted=true&limit=200")
    assert [a["deleted_at"] is not None for a in listed if a["id"] == "cairo-university"] == [True]


# -- unexpected errors


async def test_an_unexpected_error_is_a_problem_with_cors_headers_and_a_logged_id(database_url, caplog):
    settings = Settings(database_url=database_url, auto_build=False, cors_origins="https://desk.example")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        engine = make_engine(database_url)
        with engine.begin() as conn:  # a real fault: the table the list reads is gone
            conn.execute(text("DROP TABLE claim_actor"))
        engine.dispose()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            with caplog.at_level(logging.ERROR, logger="api"):
                response = await client.get("/v1/claims", params={"actor": "egypt"}, headers={"Origin": "https://desk.example"})
    body = assert_problem(response, 500, "/problems/internal")
    assert response.headers["access-control-allow-origin"] == "https://desk.example"
    assert set(body) == {"type", "title", "status", "detail", "instance", "error_id"}
    assert re.fullmatch(r"[0-9a-f]{32}", body["error_id"])
    assert body["error_id"] in body["detail"]
    assert "claim_actor" not in response.text and "Traceback" not in response.text and "SELECT" not in response.text
    assert any(body["error_id"] in r.getMessage() for r in caplog.records)


# -- the change feed


async def test_the_change_feed_has_no_gaps_after_a_write_that_died(client, auth, database_url):
    before = await walk(client, "/v1/changes?limit=200")
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:  # a transaction that takes a feed entry and never commits
            trans = conn.begin()
            conn.execute(text("INSERT INTO revision (resource, resource_id, revision, action, at) VALUES"
                              " ('actor', 'ghost', 1, 'create', CURRENT_TIMESTAMP)"))
            trans.rollback()
    finally:
        engine.dispose()
    tag = await _etag(client)
    assert (await client.patch(ACTOR, json=PATCH, headers={**auth, "If-Match": tag})).status_code == 200
    changes = await walk(client, "/v1/changes?limit=200")
    assert [c["seq"] for c in changes] == list(range(1, len(changes) + 1))
    assert [(c["resource_id"], c["action"]) for c in changes[len(before):]] == [("unnamed-us-representative", "update")]


# -- the export


async def test_the_export_has_an_etag_that_follows_the_data(client, auth):
    first = await client.get("/v1/export/claims")
    tag = first.headers["etag"]
    assert re.fullmatch(r'"export-[0-9a-f]{24}"', tag)
    assert (await client.get("/v1/export/claims", headers={"If-None-Match": tag})).status_code == 304
    actor_tag = await _etag(client)
    assert (await client.patch(ACTOR, json=PATCH, headers={**auth, "If-Match": actor_tag})).status_code == 200
    changed = await client.get("/v1/export/claims", headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag
    assert len(changed.text.splitlines()) == len(first.text.splitlines())


# -- a live server: what only a real connection shows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live(database_url: str) -> Iterator[str]:
    settings = Settings(database_url=database_url, auto_build=False, body_timeout_seconds=1.0)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def _raw(address: str, request: bytes, wait: float) -> bytes:
    """What the server sent back to `request`, sent whole or until the server stopped reading it. A server that answers
    before the body ends (413) and closes with part of it unread makes the peer's TCP reset the connection; what it
    sent before is kept."""
    host, port = address.split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as s:
        received = b""
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            s.sendall(request)
        try:
            while chunk := s.recv(65_536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return received


@pytest.mark.anyio
async def test_a_stalled_body_is_cut_off_with_a_408(live, settings):
    key = make_key(settings, "write", "slow")
    started = time.monotonic()
    answer = await asyncio.to_thread(_raw, live, (
        b"POST /v1/actors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer " + key.encode() + b"\r\nContent-Length: 100\r\n\r\n{\"id\":"
    ), 10)
    took = time.monotonic() - started
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert json.loads(body)["type"] == "/problems/request-timeout"
    assert took < 5


@pytest.mark.anyio
async def test_an_oversized_chunked_body_is_a_413_on_the_wire(live, settings):
    key = make_key(settings, "write", "big")
    chunk = b"10000\r\n" + b" " * 0x10000 + b"\r\n"
    answer = await asyncio.to_thread(_raw, live, (
        b"POST /v1/actors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        b"Authorization: Bearer " + key.encode() + b"\r\n\r\n" + chunk * 17 + b"0\r\n\r\n"
    ), 10)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["type"] == "/problems/payload-too-large"



async def test_a_malformed_if_match_is_refused_before_the_record_is_looked_up(client, auth):
    """RFC 9110 §13.2.1: a precondition is evaluated once the request would otherwise succeed, so a tombstone is
    410 whatever If-Match says, and an unknown id 404; but a header that is not a list of entity tags is a
    malformed request, 400, before either."""
    tag = await _etag(client)
    assert (await client.delete(ACTOR, headers={**auth, "If-Match": tag})).status_code == 409  # still referenced
    created = await client.post("/v1/actors", headers=auth, json={
        "id": "cairo-university", "kind": "organization", "name": "Cairo University",
        "names": [{"value": "Cairo University", "language": "en"}], "description": "A university in Cairo."})
    url = "/v1/actors/cairo-university"
    assert (await client.delete(url, headers={**auth, "If-Match": created.headers["etag"]})).status_code == 204
    assert_problem(await client.delete(url, headers={**auth, "If-Match": ""}), 400, "/problems/bad-request")
    assert_problem(await client.delete(url, headers=auth), 410, "/problems/gone")
    assert_problem(await client.delete(url, headers={**auth, "If-Match": '"1-0"'}), 410, "/problems/gone")
    assert_problem(await client.patch("/v1/actors/nobody", json=PATCH, headers=auth), 404, "/problems/not-found")
    assert_problem(await client.patch(ACTOR, json=PATCH, headers=auth), 428, "/problems/precondition-required")


async def test_labels_are_bounded_the_same_on_both_backends(client, auth):
    """A label goes into the engine's index keys; one longer than 200 code points is a 422 on every backend
    (PostgreSQL refused such a key row with a 500)."""
    url = "/v1/claims/sisi-planned-40000-missiles-for-russia"
    tag = (await client.get(url)).headers["etag"]
    label = "q" + "".join(chr(0x61 + (i * 7) % 26) for i in range(2700))
    response = await client.patch(url, json={"object": {"label": label}}, headers={**auth, "If-Match": tag})
    body = assert_problem(response, 422, "/problems/validation-error")
    assert ["body", "object", "label"] in [e["loc"] for e in body["errors"]]
    assert (await client.get(url)).headers["etag"] == tag


async def test_a_body_past_the_parser_limits_is_a_bad_request_problem(client, auth):
    deep = b"[" * 100_000 + b"]" * 100_000
    response = await client.post("/v1/actors", content=deep, headers={**auth, "Content-Type": "application/json"})
    body = assert_problem(response, 400, "/problems/bad-request")
    assert body["detail"].startswith("The request body could not be read: ")


@pytest.mark.parametrize("path", ["/openapi.json", "/docs", "/redoc", "/docs/assets/swagger-ui.css"])
async def test_405_on_the_docs_pages_allows_get(client, path):
    response = await client.post(path)
    assert_problem(response, 405, "/problems/method-not-allowed")
    assert response.headers["allow"] == "GET, HEAD"


async def test_cors_lets_a_browser_put_and_read_every_documented_header(database_url):
    settings = Settings(database_url=database_url, auto_build=False, cors_origins="https://desk.example")
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        preflight = await client.options("/v1/engine/knowledge", headers={
            "Origin": "https://desk.example", "Access-Control-Request-Method": "PUT"})
        assert preflight.status_code == 200
        assert "PUT" in preflight.headers["access-control-allow-methods"]
        read = await client.get("/v1/claims", headers={"Origin": "https://desk.example"})
    exposed = {h.strip().lower() for h in read.headers["access-control-expose-headers"].split(",")}
    assert exposed >= {"etag", "link", "location", "allow", "www-authenticate", "idempotent-replayed"}
