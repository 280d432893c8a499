"""The change feed a mirror can trust: every change to any record's served view is in `/v1/changes`, views that
changed because a related record did (`refresh`) included; filters by record and by time; and a mirror that
replays the feed from `after=0` equals `GET` of every record after generated series of writes, on both backends.

The generated writes use the engine tests' fictional world (Borduria, Syldavia) beside the curated corpus.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.config import ROOT, Settings
from api.main import create_app
from api.services import changes
from tests.api import test_query_plans
from tests.api.test_engine import NORTH, PLAN, SOUTH, SOUTH_TEXT, _actor, _claim, _not_seen, _plan, _post, _world
from tests.api.test_query_plans import RecordingStore, assert_no_scan
from tests.conftest import BACKEND, _pg_admin, _pg_url, assert_problem, make_key, walk

pytestmark = pytest.mark.anyio

KINDS = ("actor", "source", "claim", "contradiction", "corroboration")
IDENTITY = {"Accept-Encoding": "identity"}  # the feed's `etag` is the uncompressed form's


def _summary(feed: list[dict]) -> list[tuple[str, str, int, str]]:
    return [(c["resource"], c["resource_id"], c["revision"], c["action"]) for c in feed]


def _query(params: dict[str, str]) -> str:
    return str(httpx.QueryParams(params))


async def _last_seq(client: httpx.AsyncClient) -> int:
    return int((await walk(client, "/v1/changes?limit=200"))[-1]["seq"])


async def test_a_claim_that_gains_a_proposal_is_refreshed_in_the_feed(client, auth):
    await _world(client, auth)
    await _plan(client, auth)
    last = await _last_seq(client)
    not_seen = await _post(client, auth, "claims", _not_seen())
    [x] = not_seen["contradictions"]
    feed = await walk(client, f"/v1/changes?after={last}&include_views=true")
    # The new claim and the proposal; then every view the write changed: the plan now lists the proposal, the
    # actors and the source count one more claim. Each takes a revision.
    assert _summary(feed) == [
        ("claim", "not-seen", 1, "create"), ("contradiction", x["id"], 1, "create"), ("actor", "borduria", 3, "refresh"),
        ("actor", "ostland-monitor", 2, "refresh"), ("actor", "syldavia", 3, "refresh"), ("source", SOUTH, 2, "refresh"),
        ("claim", "plan", 2, "refresh"),
    ]
    assert [c["seq"] for c in feed] == list(range(last + 1, last + 8))
    refresh = feed[-1]
    assert (refresh["before"], refresh["after"], refresh["api_key_id"]) == (None, None, feed[0]["api_key_id"])
    plan = await client.get("/v1/claims/plan", headers=IDENTITY)
    assert plan.headers["etag"] == refresh["etag"] and plan.json() == refresh["view"]
    assert [c["claim_id"] for c in refresh["view"]["contradictions"][0]["opposing_side"]] == ["not-seen"]
    assert refresh["view"]["revision"] == 2
    # The record's history lists the refresh; its data stays what its create stored.
    history = await walk(client, "/v1/claims/plan/revisions")
    assert [(r["revision"], r["action"]) for r in history] == [(1, "create"), (2, "refresh")]
    assert history[0]["after"]["statement"] == "Borduria plans to deliver 500 rockets to Syldavia."
    # Without include_views the view is null; the ETag is given on a record's latest change only.
    plain = await walk(client, f"/v1/changes?after={last}")
    assert [c["view"] for c in plain] == [None] * 7 and [c["etag"] for c in plain] == [c["etag"] for c in feed]
    older = await walk(client, "/v1/changes?resource=claim&resource_id=plan")
    assert [(c["revision"], c["etag"] is None, c["view"]) for c in older] == [(1, True, None), (2, False, None)]


async def test_a_write_that_changes_no_other_view_adds_no_refresh(client, auth):
    await _world(client, auth)
    url = "/v1/actors/ostland-monitor"
    last = await _last_seq(client)
    response = await client.patch(url, json={"description": "A monitor on the Ostland border."},
                                  headers={**auth, "If-Match": (await client.get(url)).headers["etag"]})
    assert response.status_code == 200, response.text
    assert _summary(await walk(client, f"/v1/changes?after={last}")) == [("actor", "ostland-monitor", 2, "update")]


async def test_a_curated_actor_renamed_refreshes_every_view_that_shows_the_name(client, auth):
    url = "/v1/actors/unnamed-us-representative"
    last = await _last_seq(client)
    actor = await client.get(url)
    renamed = await client.patch(url, json={"name": "A US representative (unnamed)"}, headers={**auth, "If-Match": actor.headers["etag"]})
    assert renamed.status_code == 200, renamed.text
    feed = await walk(client, f"/v1/changes?after={last}&include_views=true")
    assert feed[0]["action"] == "update" and {c["action"] for c in feed[1:]} == {"refresh"}
    claims = await walk(client, f"/v1/claims?actor={url.rsplit('/', 1)[1]}&limit=200")
    assert {c["id"] for c in claims} <= {c["resource_id"] for c in feed if c["resource"] == "claim"}
    for change in feed:
        got = await client.get(f"/v1/{change['resource']}s/{change['resource_id']}", headers=IDENTITY)
        assert (got.headers["etag"], got.json()) == (change["etag"], change["view"])


async def test_new_knowledge_tables_refresh_the_views_they_change(client, auth, settings):
    await _world(client, auth)
    await _plan(client, auth)
    source, quote, claimant, fields = TEMPLATES["officials"]
    await _post(client, auth, "claims", _claim("officials", source, quote, claimant, **fields, object={"label": "projectiles"}))
    knowledge = (await client.get("/v1/engine")).json()["knowledge"]
    next(c for c in knowledge["object_classes"] if c["id"] == "missiles")["labels"].append("projectiles")
    knowledge["version"] += 1
    last = await _last_seq(client)
    admin = {"Authorization": f"Bearer {make_key(settings, 'admin')}"}
    assert (await client.put("/v1/engine/knowledge", json=knowledge, headers=admin)).status_code == 200
    feed = await walk(client, f"/v1/changes?after={last}&include_views=true")
    # The tables, the proposal the rules now make, and every view that changed with them: the two claims (one
    # proposition now, and the corroboration) and no other, since no other view shows what the tables decide.
    [proposal] = [c["resource_id"] for c in feed if c["resource"] == "corroboration"]
    assert _summary(feed) == [("knowledge", "tables", knowledge["version"], "update"), ("corroboration", proposal, 1, "create"),
                              ("claim", "officials", 2, "refresh"), ("claim", "plan", 2, "refresh")]
    assert [c["view"] for c in feed[:1]] == [None]
    for change in feed[1:]:
        got = await client.get(f"/v1/{change['resource']}s/{change['resource_id']}", headers=IDENTITY)
        assert (got.headers["etag"], got.json()) == (change["etag"], change["view"])


async def test_the_feed_filters_by_record(client, auth):
    await _world(client, auth)
    await _plan(client, auth)
    await _post(client, auth, "claims", _not_seen())
    feed = await walk(client, "/v1/changes?resource=actor&resource_id=borduria&limit=2")
    assert _summary(feed) == [("actor", "borduria", 1, "create"), ("actor", "borduria", 2, "refresh"), ("actor", "borduria", 3, "refresh")]
    assert await walk(client, "/v1/changes?resource=claim&resource_id=borduria") == []
    problem = assert_problem(await client.get("/v1/changes?resource_id=borduria"), 422, "/problems/invalid-parameter")
    assert problem["errors"] == [{"loc": ["query", "resource_id"], "msg": "needs 'resource' with it", "type": "missing_dependency"}]


async def test_the_feed_filters_by_time(client, auth):
    built = await walk(client, "/v1/changes?limit=200")
    await _world(client, auth)
    await _plan(client, auth)
    everything = await walk(client, "/v1/changes?limit=200")
    written = everything[len(built):]
    plan_at = next(c["at"] for c in written if c["resource_id"] == "plan")
    since = await walk(client, f"/v1/changes?since={plan_at}&limit=3")
    assert since == [c for c in everything if c["at"] >= plan_at] and since[0]["resource_id"] == "plan"
    until = await walk(client, f"/v1/changes?until={plan_at}&limit=200")
    assert until == [c for c in everything if c["at"] < plan_at]
    # Offsets are honoured: the same moment written in another zone.
    moment = datetime.fromisoformat(plan_at).astimezone(timezone(timedelta(hours=2))).isoformat()
    assert await walk(client, "/v1/changes?" + _query({"since": moment, "resource": "claim"})) == [
        c for c in since if c["resource"] == "claim"]
    window = await walk(client, "/v1/changes?" + _query({"since": written[0]["at"], "until": plan_at, "resource": "actor"}))
    assert window == [c for c in written if c["resource"] == "actor" and c["at"] < plan_at]
    assert await walk(client, "/v1/changes?since=9999-12-31T00:00:00Z") == []
    naive = assert_problem(await client.get("/v1/changes?since=2026-11-24T02:06:21"), 422, "/problems/validation-error")
    assert naive["errors"][0]["loc"] == ["query", "since"]
    for not_a_date_time in ("0.5", "1700000000", "2026-11-24", "2026-11-24 02:06:21Z"):
        wrong = assert_problem(await client.get(f"/v1/changes?until={not_a_date_time}"), 422, "/problems/validation-error")
        assert [e["loc"] for e in wrong["errors"]] == [["query", "until"]], not_a_date_time
    far = assert_problem(await client.get("/v1/changes?" + _query({"until": "0001-01-01T00:00:00+01:00"})), 422,
                         "/problems/invalid-parameter")
    assert far["errors"] == [{"loc": ["query", "until"], "msg": "outside the years 0001 to 9999 in UTC", "type": "datetime_range"}]
    # A window that ends before it starts is a mistake, as a reversed date_from/date_to is; an empty one is not.
    reversed_window = assert_problem(await client.get("/v1/changes?" + _query(
        {"since": "2027-01-01T00:00:00Z", "until": "2026-12-31T23:00:00+02:00"})), 422, "/problems/invalid-parameter")
    assert reversed_window["detail"] == "Query parameter 'until': 2026-12-31T21:00:00.000000Z is before 'since' (2027-01-01T00:00:00.000000Z)."
    assert reversed_window["errors"] == [{"loc": ["query", "until"], "msg": "before since", "type": "value_error"}]
    assert await walk(client, "/v1/changes?" + _query({"since": plan_at, "until": plan_at})) == []


FEED_QUERIES = [
    ("changes, record", lambda s: changes.list_changes(s, after=None, resource="actor", resource_id="egypt", limit=5, cursor=None)),
    ("changes, since", lambda s: changes.list_changes(s, after=None, resource=None, limit=5, cursor=None,
                                                      since=_utc("2000-01-01T00:00:00Z"))),
    ("changes, since and until, views", lambda s: changes.list_changes(
        s, after=None, resource="claim", limit=5, cursor=None, since=_utc("2000-01-01T00:00:00Z"),
        until=_utc("9999-01-01T00:00:00Z"), views=True)),
]


def _utc(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


recording = test_query_plans.recording  # the store that records each statement, the fixture the plan tests use


@pytest.mark.parametrize("name,serve", FEED_QUERIES, ids=[name for name, _ in FEED_QUERIES])
def test_the_feed_filters_are_served_by_an_index(recording: RecordingStore, name, serve) -> None:
    page = serve(recording)
    assert page.items, name
    listing = [(sql, params) for sql, params in recording.statements if "LIMIT ?" in sql]
    assert listing, name
    assert_no_scan(recording, listing)


# -- the mirror, after generated series of writes

BRUN_ROLE_QUOTE = "Defense Minister Karl Brun"
TEMPLATES: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    # id: (source, quote, claimant, fields)
    "plan": (PLAN[1], PLAN[2], PLAN[3], {"modality": "planned", "quantity": {"value": 500, "unit": "rockets"},
                                          "event_time": {"start": "2024-02", "precision": "month"}}),
    "denial": (SOUTH, "Borduria denies that it plans to deliver rockets to Syldavia", "south-herald",
               {"polarity": "negated", "modality": "planned", "speech": "indirect", "speaker": "borduria"}),
    "officials": (SOUTH, "Officials say Borduria plans to deliver rockets to Syldavia", "south-herald",
                  {"modality": "planned", "speech": "indirect", "speaker": "syldavia"}),
    "six-hundred": (SOUTH, "Cables say Borduria plans to deliver 600 rockets to Syldavia", "south-herald",
                    {"modality": "planned", "quantity": {"value": 600, "unit": "rockets"}, "speech": "indirect", "speaker": "syldavia"}),
    "dropped": (NORTH, "Borduria later dropped the plan to deliver rockets to Syldavia", "north-gazette", {"modality": "abandoned"}),
    "brun-denies": (SOUTH, "Karl Brun denies any plan to deliver rockets to Syldavia", "south-herald",
                    {"subject": "karl-brun", "polarity": "negated", "modality": "planned", "speech": "indirect", "speaker": "karl-brun"}),
}
CLAIM_IDS = [*TEMPLATES, "not-seen"]

Op = tuple[Any, ...]
OPS = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(CLAIM_IDS)),
    st.tuples(st.just("patch"), st.sampled_from(CLAIM_IDS),
              st.sampled_from([{"polarity": "negated"}, {"polarity": "affirmed"}, {"recipient": "ostland"}, {"recipient": "syldavia"}])),
    st.tuples(st.just("delete"), st.sampled_from(CLAIM_IDS)),
    st.tuples(st.just("review"), st.sampled_from(["contradiction", "corroboration"]), st.sampled_from(["confirmed", "rejected"])),
    st.tuples(st.just("corroborate"), st.sampled_from(CLAIM_IDS), st.sampled_from(CLAIM_IDS)),
    st.tuples(st.just("role"), st.booleans()),
    st.tuples(st.just("speaks_for"), st.sampled_from(["ostland", "borduria", None])),
    st.tuples(st.just("cites"), st.booleans()),
    st.tuples(st.just("rename"), st.sampled_from(["Borduria", "The Republic of Borduria"])),
)


def _claim_body(claim_id: str) -> dict:
    if claim_id == "not-seen":
        return _not_seen()
    source, quote, claimant, fields = TEMPLATES[claim_id]
    return _claim(claim_id, source, quote, claimant, **fields)


async def _etag(client: httpx.AsyncClient, url: str) -> str | None:
    response = await client.get(url)
    return response.headers["etag"] if response.status_code == 200 else None


async def _apply(client: httpx.AsyncClient, auth: dict[str, str], op: Op, n: int) -> int:
    """Apply one generated write; its status (a refused write is part of the series too: it must change nothing)."""
    kind = op[0]
    if kind == "create":
        return (await client.post("/v1/claims", json=_claim_body(op[1]), headers=auth)).status_code
    if kind in ("patch", "delete"):
        url = f"/v1/claims/{op[1]}"
        etag = await _etag(client, url)
        if etag is None:
            return 404
        headers = {**auth, "If-Match": etag}
        response = await (client.patch(url, json=op[2], headers=headers) if kind == "patch" else client.delete(url, headers=headers))
        return response.status_code
    if kind == "review":
        proposed = await walk(client, f"/v1/{op[1]}s?status=proposed&limit=200")
        mine = [r for r in proposed if r["origin"] != "curated"]
        if not mine:
            return 404
        url = f"/v1/{op[1]}s/{mine[0]['id']}"
        body: dict[str, Any] = {"status": op[2]} | ({"resolution": "Not the same event."} if op[2] == "rejected" else {})
        return (await client.patch(url, json=body, headers={**auth, "If-Match": await _etag(client, url) or "*"})).status_code
    if kind == "corroborate":
        body = {"id": f"together-{n}", "claims": [op[1], op[2]], "explanation": "Both report the same plan."}
        return (await client.post("/v1/corroborations", json=body, headers=auth)).status_code
    if kind == "role":
        actor = "/v1/actors/karl-brun"
        roles = (await client.get(actor)).json()["roles"]
        if op[1] and not roles:
            start = SOUTH_TEXT.index(BRUN_ROLE_QUOTE)
            role = {"title": "Defense Minister", "of": "borduria", "attested": {"date": "2024-04-01", "precision": "day"},
                    "evidence": [{"source": SOUTH, "quote": BRUN_ROLE_QUOTE, "start": start, "end": start + len(BRUN_ROLE_QUOTE)}]}
            return (await client.post(f"{actor}/roles", json=role, headers=auth)).status_code
        if not op[1] and roles:
            etag = await _etag(client, actor)
            return (await client.delete(f"{actor}/roles/{roles[0]['id']}", headers={**auth, "If-Match": etag or "*"})).status_code
        return 404
    url, patch = {
        "speaks_for": ("/v1/actors/ostland-monitor", {"speaks_for": op[1]}),
        "cites": (f"/v1/sources/{SOUTH}", {"cites": [NORTH] if op[1] else []}),
        "rename": ("/v1/actors/borduria", {"name": op[1]}),
    }[kind]
    return (await client.patch(url, json=patch, headers={**auth, "If-Match": await _etag(client, url) or "*"})).status_code


class Mirror:
    """A client that follows the feed with `include_views=true` from `after=0`, keeping each record's last view."""

    def __init__(self) -> None:
        self.held: dict[tuple[str, str], dict] = {}
        self.seqs: list[int] = []

    async def sync(self, client: httpx.AsyncClient) -> None:
        while True:
            after = self.seqs[-1] if self.seqs else 0
            items = (await client.get(f"/v1/changes?after={after}&include_views=true&limit=200")).json()["items"]
            if not items:
                break
            for change in items:
                self.seqs.append(change["seq"])
                if change["resource"] in KINDS:
                    key = (change["resource"], change["resource_id"])
                    self.held.pop(key, None)
                    if change["view"] is not None:
                        self.held[key] = {"etag": change["etag"], "view": change["view"], "action": change["action"]}
        assert self.seqs == list(range(1, len(self.seqs) + 1))


async def _assert_mirror_equals_get(client: httpx.AsyncClient, mirror: Mirror) -> None:
    every = {(kind, r["id"]) for kind in KINDS for r in await walk(client, f"/v1/{kind}s?include_deleted=true&limit=200")}
    assert set(mirror.held) == every
    # Every claim as GET shows it, in one request (the export); each other record, and each claim changed since the
    # build, by GET with its ETag.
    exported = {c["id"]: c for c in map(json.loads, (await client.get("/v1/export/claims")).text.splitlines())}
    assert exported == {item_id: copy["view"] for (kind, item_id), copy in mirror.held.items() if kind == "claim" and copy["action"] != "delete"}
    for (kind, item_id), copy in sorted(mirror.held.items()):
        if kind == "claim" and copy["view"]["revision"] == 1 and copy["action"] == "create" and item_id not in CLAIM_IDS:
            continue
        got = await client.get(f"/v1/{kind}s/{item_id}", headers=IDENTITY)
        if copy["action"] == "delete":
            assert got.status_code == 410, (kind, item_id)
            assert copy["view"]["deleted_at"] is not None
            continue
        assert got.status_code == 200, (kind, item_id, got.text)
        assert got.headers["etag"] == copy["etag"], (kind, item_id)
        assert got.json() == copy["view"], (kind, item_id)


@asynccontextmanager
async def _fresh_database(template_url: str, tmp: Path) -> AsyncIterator[str]:
    """A database of the shipped dataset for one generated example."""
    if BACKEND == "sqlite":
        path = tmp / "mirror.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template_url.removeprefix("sqlite:///"), path)
        yield f"sqlite:///{path}"
        return
    name = f"claims_mirror_{os.getpid()}"
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _pg_admin(f"CREATE DATABASE {name} TEMPLATE {template_url.rsplit('/', 1)[1]}")
    try:
        yield _pg_url(name)
    finally:
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.sampled_from(CLAIM_IDS), min_size=2, max_size=5, unique=True), st.lists(OPS, min_size=3, max_size=8))
async def test_a_mirror_of_the_feed_equals_get_of_every_record(template_url, tmp_path, first, ops):
    # The fixtures serve every example on purpose: each example gets a fresh database of its own here.
    async with _fresh_database(template_url, tmp_path) as url:
        settings_ = Settings(database_url=url, data_dir=ROOT / "data", auto_build=False)
        auth = {"Authorization": f"Bearer {make_key(settings_)}"}
        app = create_app(settings_)
        async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            # A mirror that syncs after every write (as a client following the feed does), and one that replays the
            # whole feed at the end: each holds what GET serves.
            following = Mirror()
            await following.sync(client)
            await _world(client, auth)
            await _post(client, auth, "actors", _actor("karl-brun", "person", "Karl Brun"))
            statuses = []
            for n, op in enumerate([("create", c) for c in first] + ops):
                statuses.append(await _apply(client, auth, op, n))
                await following.sync(client)
            assert all(s < 500 for s in statuses), statuses
            await _assert_mirror_equals_get(client, following)
            replayed = Mirror()
            await replayed.sync(client)
            assert replayed.held == following.held
