"""Every date-time the API serves is RFC 3339 in UTC with a `Z` and microseconds, the same on both backends:
the change feed's and each revision's `at`, and `deleted_at` on every kind of record (detail and list)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import make_url

from api.config import Settings
from api.main import create_app
from tests.conftest import BACKEND, _pg_admin, make_key, walk

pytestmark = pytest.mark.anyio

RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
BUNA = "buna-times-2023-sisi-missiles-for-russia"
SHUKRI_ROLE = "Egyptian Foreign Minister Sameh Shukri"


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app, on a PostgreSQL database whose sessions are not in UTC (St John's is 3:30 behind in winter),
    so that an offset the server lets through would show."""
    if BACKEND == "postgresql":
        _pg_admin(f"ALTER DATABASE {make_url(settings.database_url).database} SET timezone TO 'America/St_Johns'")
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def _delete(client: httpx.AsyncClient, auth: dict[str, str], url: str) -> None:
    etag = (await client.get(url)).headers["etag"]
    response = await client.delete(url, headers={**auth, "If-Match": etag})
    assert response.status_code == 204, response.text


def _moment(stamp: str) -> datetime:
    assert RFC3339_UTC.match(stamp), stamp
    return datetime.fromisoformat(stamp)


async def test_every_served_timestamp_is_rfc3339_utc_with_microseconds(client, auth, settings):
    started = datetime.now(UTC)
    actor = {"id": "cairo-university", "kind": "organization", "name": "Cairo University",
             "names": [{"value": "Cairo University", "language": "en"}], "description": "A university in Cairo."}
    assert (await client.post("/v1/actors", json=actor, headers=auth)).status_code == 201
    source = {"id": "a-new-source", "kind": "news_article", "title": "A new source", "language": "en"}
    assert (await client.post("/v1/sources", json=source, headers=auth)).status_code == 201
    text = (await client.get(f"/v1/sources/{BUNA}")).json()["text"]
    start = text.index(SHUKRI_ROLE)
    role = {"title": "Foreign Minister", "of": "egypt",
            "evidence": [{"source": BUNA, "quote": SHUKRI_ROLE, "start": start, "end": start + len(SHUKRI_ROLE)}]}
    added = await client.post("/v1/actors/sameh-shukri/roles", json=role, headers=auth)
    assert added.status_code == 201, added.text
    role_id = next(r["id"] for r in added.json()["roles"] if r["title"] == "Foreign Minister" and r["evidence"][0]["start"] == start)
    removed = await client.delete(f"/v1/actors/sameh-shukri/roles/{role_id}", headers={**auth, "If-Match": added.headers["etag"]})
    assert removed.status_code == 204, removed.text
    admin = {"Authorization": f"Bearer {make_key(settings, 'admin')}"}
    knowledge = (await client.get("/v1/engine")).json()["knowledge"]
    knowledge["version"] += 1
    assert (await client.put("/v1/engine/knowledge", json=knowledge, headers=admin)).status_code == 200
    contradiction = (await client.get("/v1/contradictions?limit=1")).json()["items"][0]["id"]
    corroboration = (await client.get("/v1/corroborations?limit=1")).json()["items"][0]["id"]
    deleted = {
        "actors": "cairo-university", "sources": "a-new-source", "claims": None,
        "contradictions": contradiction, "corroborations": corroboration,
    }
    claim_id = "sameh-shukri-traveled-to-moscow-after-blinken-visit"
    for kind, item_id in deleted.items():
        if item_id is not None:
            await _delete(client, auth, f"/v1/{kind}/{item_id}")
    # A claim still in a relation cannot go; its relations go first.
    for kind in ("contradictions", "corroborations"):
        for relation in (await client.get(f"/v1/{kind}?claim={claim_id}&limit=200")).json()["items"]:
            await _delete(client, auth, f"/v1/{kind}/{relation['id']}")
    await _delete(client, auth, f"/v1/claims/{claim_id}")
    deleted["claims"] = claim_id
    finished = datetime.now(UTC)

    feed = await walk(client, "/v1/changes?limit=200")
    written = [c for c in feed if c["api_key_id"] is not None]
    assert {c["resource"] for c in written} == {"actor", "source", "claim", "contradiction", "corroboration", "role", "knowledge"}
    for change in feed:
        moment = _moment(change["at"])
        if change["api_key_id"] is not None:
            assert started - timedelta(seconds=1) <= moment <= finished + timedelta(seconds=1)
    deletes = {(c["resource"], c["resource_id"]): c["at"] for c in written if c["action"] == "delete"}
    for kind, item_id in deleted.items():
        history = await walk(client, f"/v1/{kind}/{item_id}/revisions")
        assert all(RFC3339_UTC.match(r["at"]) for r in history), history
        assert history[-1]["at"] == deletes[(kind[:-1], item_id)]
        listed = [x for x in await walk(client, f"/v1/{kind}?include_deleted=true&limit=200") if x["id"] == item_id]
        # The tombstone says when it was deleted: the very moment its history records.
        assert [x["deleted_at"] for x in listed] == [deletes[(kind[:-1], item_id)]]
    live = await walk(client, "/v1/actors?limit=200")
    assert {a["deleted_at"] for a in live} == {None}
