"""Cursors: signed by the server, bound to their query, their keys type-checked, on every list; and
search pages that stay stable while records are added and deleted."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text

from api.config import Settings
from api.main import create_app
from api.services.common import CursorSigner
from api.store.db import make_engine
from api.store.secrets import kept_secret
from tests.api.test_writes import actor
from tests.conftest import assert_problem, walk

pytestmark = pytest.mark.anyio

SISI = "abdel-fattah-el-sisi"
WAPO = "washington-post-2023-egypt-missiles-report"
TEXT = "a string of at most 256 characters"
INT = "an integer from -2**63 to 2**63-1"
DAY = "an ISO date (YYYY-MM-DD)"

# Every keyset list: its URL, the same list under another query, and what the first value of its key must be.
LISTS = {
    "claims": ("/v1/claims", "/v1/claims?predicate=meet", TEXT),
    "actors": ("/v1/actors", "/v1/actors?kind=person", TEXT),
    "sources": ("/v1/sources", "/v1/sources?language=en", TEXT),
    "contradictions": ("/v1/contradictions", "/v1/contradictions?status=open", TEXT),
    "corroborations": ("/v1/corroborations", "/v1/corroborations?independent=true", TEXT),
    "propositions": ("/v1/propositions", "/v1/propositions?as_of=2023-12-31", TEXT),
    "timeline": ("/v1/timeline", "/v1/timeline?language=en", DAY),
    "changes": ("/v1/changes", "/v1/changes?resource=claim", INT),
    "actor-claims": (f"/v1/actors/{SISI}/claims", f"/v1/actors/{SISI}/claims?role=subject", TEXT),
    "source-claims": (f"/v1/sources/{WAPO}/claims", f"/v1/sources/{WAPO}/claims?language=en", TEXT),
    "search": ("/v1/search?q=Egypt", "/v1/search?q=Egypt&kind=claim", INT),
    "actor-revisions": (f"/v1/actors/{SISI}/revisions", "/v1/actors/egypt/revisions", INT),
    "source-revisions": (f"/v1/sources/{WAPO}/revisions", "/v1/sources/buna-times-2023-sisi-missiles-for-russia/revisions", INT),
    "claim-revisions": ("/v1/claims/sisi-planned-40000-missiles-for-russia/revisions",
                        "/v1/claims/ar-sisi-planned-40000-missiles-for-russia/revisions", INT),
    "contradiction-revisions": ("/v1/contradictions/discord-posting-february-march-vs-april/revisions",
                                "/v1/contradictions/egypt-closest-us-ally-vs-refusing-us-requests/revisions", INT),
    "corroboration-revisions": ("/v1/corroborations/egypt-2013-seeks-closer-cooperation-with-russia/revisions",
                                "/v1/corroborations/egypt-close-us-ally-2015-and-2023/revisions", INT),
}
# A field each kind of record can change, to give it a second revision.
EDITS = {"actors": "description", "sources": "title", "claims": "statement", "contradictions": "explanation",
         "corroborations": "explanation"}


def _with(url: str, **params: object) -> str:
    return url + ("&" if "?" in url else "?") + "&".join(f"{k}={v}" for k, v in params.items())


async def _ready(client: httpx.AsyncClient, auth: dict[str, str], name: str) -> tuple[str, str, str]:
    """The list's URLs and first value's type; a record's revisions get a second revision first, so they page."""
    url, other, first = LISTS[name]
    if name.endswith("-revisions"):
        record = url.removesuffix("/revisions")
        current = await client.get(record)
        field = EDITS[record.split("/")[2]]
        changed = await client.patch(record, json={field: current.json()[field] + " (edited)"},
                                     headers={**auth, "If-Match": current.headers["etag"]})
        assert changed.status_code == 200, changed.text
    return url, other, first


async def _first_page(client: httpx.AsyncClient, url: str) -> dict:
    response = await client.get(_with(url, limit=1))
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["next_cursor"] is not None
    return page


def _detail(cursor: str, reason: str) -> str:
    shown = cursor if len(cursor) <= 80 else cursor[:80] + "…"
    return (f"The cursor '{shown}' is not valid for this query: {reason}. Pass back next_cursor unchanged,"
            " with the filters it was issued for.")


async def _refused(client: httpx.AsyncClient, url: str, cursor: str, reason: str) -> None:
    response = await client.get(_with(url, limit=1, cursor=cursor))
    assert_problem(response, 400, "/problems/bad-request", _detail(cursor, reason))


def _server_signer(settings: Settings) -> CursorSigner:
    """A signer with the secret the server keeps in its database: to make cursors only a key holder could."""
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            secret = conn.execute(text("SELECT value FROM server_secret WHERE name = 'cursor'")).scalar_one()
    finally:
        engine.dispose()
    return CursorSigner(secret)


def _unsigned(payload: object) -> str:
    """A cursor as a client could make one: URL-safe base64 of JSON, with no signature."""
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@asynccontextmanager
async def _serving(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.mark.parametrize("name", list(LISTS))
async def test_a_genuine_cursor_pages_the_whole_list(client, auth, name):
    url, _, _ = await _ready(client, auth, name)
    whole = await walk(client, _with(url, limit=200))
    paged = await walk(client, _with(url, limit=2 if len(whole) <= 40 else 9))
    assert paged == whole
    assert len(whole) >= 2


@pytest.mark.parametrize("name", list(LISTS))
async def test_a_cursor_the_server_did_not_sign_is_400(client, settings, auth, name):
    url, _, _ = await _ready(client, auth, name)
    cursor = (await _first_page(client, url))["next_cursor"]
    payload, signature = cursor.rsplit(".", 1)
    at = len(signature) // 2
    tampered = f"{payload}.{signature[:at]}{'A' if signature[at] != 'A' else 'B'}{signature[at + 1:]}"
    not_ours = "this server did not issue it (its signature does not match)"
    await _refused(client, url, tampered, not_ours)
    await _refused(client, url, payload, not_ours)
    await _refused(client, url, f"{payload}.", not_ours)
    await _refused(client, url, "not-a-cursor", not_ours)
    # The same signature bytes spelled otherwise: padded, or with the unused low bits of its last character set.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    respelled = f"{cursor[:-1]}{alphabet[alphabet.index(cursor[-1]) ^ 1]}"
    assert base64.urlsafe_b64decode(respelled.rsplit(".", 1)[1] + "=") == base64.urlsafe_b64decode(signature + "=")
    for variant in (f"{cursor}=", f"{cursor}==", respelled):
        await _refused(client, url, variant, not_ours)
    scope = _server_signer(settings).loads(cursor)["s"]
    for key in ([[1]], [{"a": 1}], [2**70], ["x"], [1], [None]):
        await _refused(client, url, _unsigned({"k": key, "s": scope}), not_ours)


@pytest.mark.parametrize("name", list(LISTS))
async def test_a_signed_cursor_with_a_malformed_key_is_400(client, settings, auth, name):
    url, _, first = await _ready(client, auth, name)
    cursor = (await _first_page(client, url))["next_cursor"]
    signer = _server_signer(settings)
    genuine = signer.loads(cursor)
    key = genuine["k"]
    wrong_scalar, shown = (12, "an integer") if first != INT else ("12", '"12"')
    malformed = [
        ([[1], *key[1:]], "an array"),
        ([{"a": 1}, *key[1:]], "an object"),
        ([2**70, *key[1:]], "an integer beyond 64 bits"),
        ([wrong_scalar, *key[1:]], shown),
        ([None, *key[1:]], "null"),
        ([True, *key[1:]], "true"),
    ]
    if first != INT:
        malformed.append((["x" * 300, *key[1:]], "a string of 300 characters"))
    for bad, kind in malformed:
        forged = signer.dumps({**genuine, "k": bad})
        await _refused(client, url, forged, f"value 1 of its key must be {first}, not {kind}")
    longer = signer.dumps({**genuine, "k": [*key, "extra"]})
    await _refused(client, url, longer, f"its key has {len(key) + 1} values where this list's order has {len(key)}")
    for shapeless in ("nonsense", {"k": key[0], "s": genuine["s"]}, {"k": key}, [key, genuine["s"]]):
        await _refused(client, url, signer.dumps(shapeless), "it does not decode")


@pytest.mark.parametrize("name", list(LISTS))
async def test_a_cursor_from_another_query_is_400(client, auth, name):
    url, other, _ = await _ready(client, auth, name)
    cursor = (await _first_page(client, url))["next_cursor"]
    await _refused(client, other, cursor, "it was issued for another query (other filters, or another list)")


async def test_a_cursor_from_another_list_is_400(client):
    cursor = (await _first_page(client, "/v1/actors"))["next_cursor"]
    for url in ("/v1/sources", "/v1/contradictions", "/v1/corroborations", "/v1/claims", "/v1/propositions"):
        await _refused(client, url, cursor, "it was issued for another query (other filters, or another list)")


async def test_the_timeline_checks_each_value_of_its_key(client, settings):
    url = "/v1/timeline"
    cursor = (await _first_page(client, url))["next_cursor"]
    signer = _server_signer(settings)
    genuine = signer.loads(cursor)
    day, _, claim_id = genuine["k"]
    for bad, reason in (([day, "2023-1-1", claim_id], f'value 2 of its key must be {DAY}, not "2023-1-1"'),
                        ([day, day, 7], f"value 3 of its key must be {TEXT}, not an integer")):
        await _refused(client, url, signer.dumps({**genuine, "k": bad}), reason)


async def test_search_checks_each_value_of_its_key(client, settings):
    url = "/v1/search?q=Egypt"
    cursor = (await _first_page(client, url))["next_cursor"]
    signer = _server_signer(settings)
    genuine = signer.loads(cursor)
    rank, _, hit_id = genuine["k"]
    for bad, reason in (([rank, "person", hit_id], 'value 2 of its key must be one of actor, claim, source, not "person"'),
                        ([rank, "claim", [hit_id]], f"value 3 of its key must be {TEXT}, not an array"),
                        ([1.5, "claim", hit_id], f"value 1 of its key must be {INT}, not a number")):
        await _refused(client, url, signer.dumps({**genuine, "k": bad}), reason)


async def test_cursors_are_url_safe_and_short(client):
    for url in ("/v1/claims", "/v1/timeline", "/v1/search?q=Egypt", "/v1/changes"):
        cursor = (await _first_page(client, url))["next_cursor"]
        assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
        assert len(cursor) <= 250


async def test_a_cursor_still_works_after_a_restart_on_the_same_database(settings):
    async with _serving(settings) as first_run:
        page = (await first_run.get("/v1/claims?limit=2")).json()
        second = (await first_run.get(page["next"])).json()
        search = (await first_run.get("/v1/search?q=Egypt&limit=2")).json()
        search_second = (await first_run.get(search["next"])).json()
    async with _serving(settings) as second_run:
        assert (await second_run.get(page["next"])).json() == second
        assert (await second_run.get(search["next"])).json() == search_second


async def test_a_configured_secret_signs_the_cursors(settings):
    configured = settings.model_copy(update={"cursor_secret": SecretStr("a configured cursor secret")})
    async with _serving(configured) as server:
        page = (await server.get("/v1/claims?limit=2")).json()
        second = (await server.get(page["next"])).json()
    async with _serving(configured) as again:
        assert (await again.get(page["next"])).json() == second
    not_ours = "this server did not issue it (its signature does not match)"
    other = settings.model_copy(update={"cursor_secret": SecretStr("another configured secret")})
    for elsewhere in (other, settings):  # another configured secret, or the one kept in the database
        async with _serving(elsewhere) as server:
            await _refused(server, "/v1/claims", page["next_cursor"], not_ours)


def test_processes_starting_together_keep_one_secret(database_url):
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM server_secret"))
    engine.dispose()

    def start(_: int) -> str:
        own = make_engine(database_url)
        try:
            return kept_secret(own, "cursor")
        finally:
            own.dispose()

    with ThreadPoolExecutor(4) as pool:
        secrets = set(pool.map(start, range(8)))
    assert len(secrets) == 1
    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM server_secret WHERE name = 'cursor'")).scalar_one() in secrets
    engine.dispose()


# -- search pages that stay stable

CAIRO_UNIVERSITY = ("actor", "cairo-university")


async def _hits(client: httpx.AsyncClient, q: str) -> list[tuple[str, str]]:
    return [(h["kind"], h["id"]) for h in (await client.get("/v1/search", params={"q": q, "limit": 200})).json()["items"]]


async def _scores(client: httpx.AsyncClient, q: str) -> dict[tuple[str, str], float]:
    return {(h["kind"], h["id"]): h["score"] for h in (await client.get("/v1/search", params={"q": q, "limit": 200})).json()["items"]}


async def test_search_pages_stay_stable_when_a_better_hit_is_added(client, auth):
    before = await _scores(client, "Cairo")
    first = (await client.get("/v1/search?q=Cairo&limit=3")).json()
    created = await client.post("/v1/actors", json=actor(), headers=auth)
    assert created.status_code == 201, created.text
    after = await _hits(client, "Cairo")
    assert after.index(CAIRO_UNIVERSITY) < 3  # it ranks above the last hit of the first page
    rest = await walk(client, first["next"])
    seen = [(h["kind"], h["id"]) for h in first["items"] + rest]
    assert len(seen) == len(set(seen))
    assert set(seen) == set(before)  # every hit, once; the new one came before the page we were on
    assert seen == [hit for hit in after if hit != CAIRO_UNIVERSITY]
    # A rank depends on its record and the query alone: adding a record moves no other hit's score.
    assert {hit: score for hit, score in (await _scores(client, "Cairo")).items() if hit != CAIRO_UNIVERSITY} == before


async def test_search_pages_stay_stable_when_a_hit_is_deleted(client, auth):
    created = await client.post("/v1/actors", json=actor(), headers=auth)
    assert created.status_code == 201, created.text
    before = await _hits(client, "Cairo")
    assert before.index(CAIRO_UNIVERSITY) < 3
    first = (await client.get("/v1/search?q=Cairo&limit=3")).json()
    assert CAIRO_UNIVERSITY in [(h["kind"], h["id"]) for h in first["items"]]
    deleted = await client.delete("/v1/actors/cairo-university", headers={**auth, "If-Match": created.headers["etag"]})
    assert deleted.status_code == 204, deleted.text
    rest = await walk(client, first["next"])
    seen = [(h["kind"], h["id"]) for h in first["items"] + rest]
    assert seen == before  # nothing skipped: the page after the deleted hit starts where the last one ended
    assert CAIRO_UNIVERSITY not in await _hits(client, "Cairo")


async def test_search_hits_come_best_first_then_by_kind_and_id(client):
    hits = (await client.get("/v1/search", params={"q": "Egypt Russia", "limit": 200})).json()["items"]
    order = [(-h["score"], h["kind"], h["id"]) for h in hits]
    assert order == sorted(order)
    assert len(hits) > 50
