"""Bodies stored compressed: the gzip member served as it is to clients that accept gzip, decompressed for the
others (RFC 9110 §12.5.3 and §8.4), each form with its own strong ETag (§8.8.3), Vary, 304 and HEAD for both;
and the readers of stored views (lists, export, the change feed, revisions, tombstones) unchanged."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest
from sqlalchemy import text

from api.store.bodies import GZIP_MAGIC, inflate
from api.store.db import make_engine
from tests.conftest import walk

pytestmark = pytest.mark.anyio

CLAIM = "/v1/claims/sisi-planned-40000-missiles-for-russia"
RESOURCES = [
    CLAIM,
    "/v1/actors/abdel-fattah-el-sisi",
    "/v1/sources/washington-post-2023-egypt-missiles-report",
    "/v1/contradictions/discord-posting-february-march-vs-april",
    "/v1/corroborations/egypt-close-us-ally-2015-and-2023",
]
ACTOR = "/v1/actors/unnamed-us-representative"


async def raw(client: httpx.AsyncClient, method: str, url: str, headers: dict[str, str] | None = None,
              accept_encoding: str | None = None) -> tuple[httpx.Response, bytes]:
    """The response and its bytes as sent, not decoded (a client that does not decompress). `accept_encoding`
    None sends no Accept-Encoding at all."""
    request = client.build_request(method, url, headers=headers)
    del request.headers["accept-encoding"]
    if accept_encoding is not None:
        request.headers["Accept-Encoding"] = accept_encoding
    response = await client.send(request, stream=True)
    body = b"".join([chunk async for chunk in response.aiter_raw()])
    await response.aclose()
    return response, body


@pytest.mark.parametrize("url", RESOURCES)
async def test_gzip_and_identity_carry_the_same_json(client, url):
    plain, plain_bytes = await raw(client, "GET", url)
    zipped, zipped_bytes = await raw(client, "GET", url, accept_encoding="gzip")
    assert plain.status_code == zipped.status_code == 200
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert plain.headers["vary"] == zipped.headers["vary"] == "Accept-Encoding"
    assert plain.headers["content-type"] == zipped.headers["content-type"] == "application/json"
    assert zipped_bytes[:2] == GZIP_MAGIC
    assert gzip.decompress(zipped_bytes) == plain_bytes
    assert int(zipped.headers["content-length"]) == len(zipped_bytes) < len(plain_bytes)
    assert int(plain.headers["content-length"]) == len(plain_bytes)
    identity_tag = plain.headers["etag"]
    assert identity_tag.startswith('"') and not identity_tag.endswith('-gzip"')
    assert zipped.headers["etag"] == identity_tag[:-1] + '-gzip"'
    # httpx decodes as a browser does: the same document either way
    decoded = await client.get(url)
    assert decoded.headers["content-encoding"] == "gzip"
    assert decoded.json() == json.loads(plain_bytes)


async def test_the_stored_body_is_the_gzip_member_served(client, settings):
    _, served = await raw(client, "GET", CLAIM, accept_encoding="gzip")
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            body, summary = conn.execute(text("SELECT body, summary FROM claim WHERE id = :i"),
                                         {"i": CLAIM.rsplit("/", 1)[1]}).one()
    finally:
        engine.dispose()
    assert bytes(body) == served
    assert bytes(summary)[:1] == b"\x78"  # a zlib stream (with the summaries dictionary)
    listed = [c for c in (await client.get("/v1/claims?limit=200")).json()["items"] if c["id"] == CLAIM.rsplit("/", 1)[1]]
    assert listed == [json.loads(inflate(summary))]


@pytest.mark.parametrize(("accept_encoding", "gzipped"), [
    (None, False),                          # no header: identity (any coding would do, but the client said nothing)
    ("", False),                            # empty: no coding wanted
    ("gzip", True),
    ("GZIP", True),                         # codings are case-insensitive
    ("x-gzip", True),                       # the same coding (§8.4.1.3)
    ("gzip, deflate, br", True),            # what browsers and httpx send
    ("br", False),                          # only a coding this server does not send
    ("deflate", False),
    ("*", True),
    ("gzip;q=0", False),
    ("gzip; q=0.000", False),
    ("*;q=0", False),                       # nothing acceptable: the header is disregarded (§12.1), identity
    ("*;q=0, identity", False),
    ("identity;q=0, gzip", True),
    ("identity;q=0, *", True),
    ("gzip;q=0.5, identity", False),        # identity weighted higher
    ("gzip;q=1, identity;q=0.5", True),
    ("gzip;q=0.5, identity;q=0.5", True),   # a tie goes to the smaller form
    ("br;q=1, *;q=0.1", True),              # gzip through *, identity too, at the same weight
    ("gzip;q=2", False),                    # not a qvalue: the element is ignored
    ("gzip;q=abc", False),
    ("gzip;level=1", True),                 # other parameters do not count
    (",, gzip ,", True),                    # empty list elements are ignored (§5.6.1)
    ("g(z)ip", False),
])
async def test_accept_encoding_chooses_the_form(client, accept_encoding, gzipped):
    response, body = await raw(client, "GET", CLAIM, accept_encoding=accept_encoding)
    assert response.status_code == 200
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.headers.get("content-encoding") == ("gzip" if gzipped else None)
    assert (body[:2] == GZIP_MAGIC) is gzipped
    assert response.headers["etag"].endswith('-gzip"') is gzipped


@pytest.mark.parametrize("accept_encoding", [None, "gzip"])
async def test_head_gives_the_headers_of_each_form(client, accept_encoding):
    got, body = await raw(client, "GET", CLAIM, accept_encoding=accept_encoding)
    head, nothing = await raw(client, "HEAD", CLAIM, accept_encoding=accept_encoding)
    assert head.status_code == 200 and nothing == b""
    for header in ("etag", "vary", "content-length", "content-type"):
        assert head.headers[header] == got.headers[header]
    assert head.headers.get("content-encoding") == got.headers.get("content-encoding")
    assert int(head.headers["content-length"]) == len(body)


async def test_if_none_match_answers_304_for_each_form(client):
    plain, _ = await raw(client, "GET", CLAIM)
    zipped, _ = await raw(client, "GET", CLAIM, accept_encoding="gzip")
    identity_tag, gzip_tag = plain.headers["etag"], zipped.headers["etag"]
    assert identity_tag != gzip_tag

    async def conditional(tag: str, accept_encoding: str | None, method: str = "GET") -> tuple[int, str | None, bytes]:
        response, body = await raw(client, method, CLAIM, headers={"If-None-Match": tag}, accept_encoding=accept_encoding)
        if response.status_code == 304:
            assert response.headers["vary"] == "Accept-Encoding"
            assert "content-encoding" not in response.headers
        return response.status_code, response.headers.get("etag"), body

    for method in ("GET", "HEAD"):
        assert await conditional(gzip_tag, "gzip", method) == (304, gzip_tag, b"")
        assert await conditional(identity_tag, None, method) == (304, identity_tag, b"")
        assert await conditional(f'"other", {gzip_tag}', "gzip", method) == (304, gzip_tag, b"")
        # A client that accepts gzip may still use the identity form it holds: 304 names that one.
        assert await conditional(identity_tag, "gzip", method) == (304, identity_tag, b"")
        # A client that no longer accepts gzip cannot use the gzip form it holds.
        status, tag, _ = await conditional(gzip_tag, "identity", method)
        assert (status, tag) == (200, identity_tag)
        status, tag, _ = await conditional(gzip_tag, None, method)
        assert (status, tag) == (200, identity_tag)
    # Weak comparison (§13.1.2) for either form.
    assert (await conditional("W/" + gzip_tag, "gzip"))[0] == 304
    assert (await conditional('"1-0000000000000000-gzip"', "gzip"))[0] == 200


async def test_if_match_takes_either_form_of_the_current_tag(client, auth):
    zipped, _ = await raw(client, "GET", ACTOR, accept_encoding="gzip")
    gzip_tag = zipped.headers["etag"]
    changed = await client.patch(ACTOR, json={"description": "Quoted by the report."}, headers={**auth, "If-Match": gzip_tag})
    assert changed.status_code == 200, changed.text
    assert changed.json()["description"] == "Quoted by the report."
    # The stale gzip tag no longer matches; the new identity tag does.
    stale = await client.patch(ACTOR, json={"description": "Again."}, headers={**auth, "If-Match": gzip_tag})
    assert stale.status_code == 412
    again = await client.patch(ACTOR, json={"description": "Again."}, headers={**auth, "If-Match": changed.headers["etag"]})
    assert again.status_code == 200, again.text
    plain, body = await raw(client, "GET", ACTOR)
    assert json.loads(body)["description"] == "Again." and plain.headers["etag"] == again.headers["etag"]
    zipped, body = await raw(client, "GET", ACTOR, accept_encoding="gzip")
    assert json.loads(gzip.decompress(body))["description"] == "Again."
    assert zipped.headers["etag"] == again.headers["etag"][:-1] + '-gzip"'
    # The seeded create keeps the data it created (its copy is the next revision's `before`).
    revisions = (await client.get(f"{ACTOR}/revisions")).json()["items"]
    assert [r["action"] for r in revisions] == ["create", "update", "update"]
    assert revisions[0]["after"] == revisions[1]["before"] and revisions[1]["after"] == revisions[2]["before"]
    assert revisions[0]["after"]["description"] != "Quoted by the report." == revisions[1]["after"]["description"]
    assert revisions[2]["after"]["description"] == "Again."


@pytest.mark.parametrize("url", ["/v1/claims?limit=7", "/v1/actors?limit=5", "/v1/sources?limit=5", "/v1/contradictions",
                                 "/v1/corroborations", "/v1/timeline?limit=3"])
async def test_pages_are_identity_json_made_of_the_stored_views(client, url):
    plain, plain_bytes = await raw(client, "GET", url)
    zipped, zipped_bytes = await raw(client, "GET", url, accept_encoding="gzip")
    assert plain.status_code == zipped.status_code == 200
    assert zipped_bytes == plain_bytes and plain.headers["etag"] == zipped.headers["etag"]
    assert "content-encoding" not in zipped.headers
    page = json.loads(plain_bytes)
    kind = url.split("?")[0].rsplit("/", 1)[1]
    if kind in ("contradictions", "corroborations"):  # their items are the full views
        for item in page["items"]:
            assert (await client.get(f"/v1/{kind}/{item['id']}")).json() == item


async def test_export_is_every_claim_as_served(client):
    response = await client.get("/v1/export/claims")
    assert response.status_code == 200
    lines = [json.loads(line) for line in response.content.decode().splitlines()]
    assert len(lines) == len(await walk(client, "/v1/claims?limit=200"))
    for line in lines[:20]:
        assert (await client.get(f"/v1/claims/{line['id']}")).json() == line


async def test_tombstones_and_history_read_through_the_stored_views(client, auth):
    url = "/v1/claims/blinken-visited-cairo"  # in no contradiction or corroboration: it can be deleted
    before = (await client.get(url)).json()
    tag = (await client.get(url)).headers["etag"]  # the gzip form's tag, as a browser holds it
    deleted = await client.delete(url, headers={**auth, "If-Match": tag})
    assert deleted.status_code == 204, deleted.text
    tombstone = [c for c in await walk(client, "/v1/claims?limit=200&include_deleted=true") if c["id"] == before["id"]]
    assert len(tombstone) == 1
    assert tombstone[0]["revision"] == before["revision"] + 1 and tombstone[0]["deleted_at"] is not None
    assert {k: v for k, v in tombstone[0].items() if k not in ("revision", "deleted_at")} == {
        k: v for k, v in before.items() if k in tombstone[0] and k not in ("revision", "deleted_at")}
    assert (await client.get(url)).status_code == 410
    revisions = (await client.get(f"{url}/revisions")).json()["items"]
    assert [r["action"] for r in revisions] == ["create", "delete"]
    assert revisions[1]["before"] == revisions[0]["after"] and revisions[1]["after"] is None
    changes = await walk(client, "/v1/changes?resource=claim&limit=200")
    assert changes[-1] == revisions[1]
