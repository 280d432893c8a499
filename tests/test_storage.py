"""The database as a whole: consistency of rendered views, concurrent writers, and the round trip
back to data/."""

from __future__ import annotations

import asyncio
import filecmp
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from api.config import ROOT
from api.main import create_app
from api.store.db import make_engine
from api.store.dbgraph import DbGraph
from api.store.export import export_dataset
from api.store.records import KINDS, TABLE_OF, rendered
from api.store.render import Renderer
from tests.conftest import make_key

pytestmark = pytest.mark.anyio


def stale_views(database_url: str) -> list[str]:
    """Records whose stored view differs from a fresh rendering from the database."""
    engine = make_engine(database_url)
    stale: list[str] = []
    try:
        with engine.begin() as conn:
            renderer = Renderer(DbGraph(conn))
            for kind in KINDS:
                t = TABLE_OF[kind]
                for row in conn.execute(t.select().where(t.c.deleted_at.is_(None))):
                    fresh = rendered(kind, row.id, renderer, row.revision)
                    if any(bytes(getattr(row, col)) != fresh[col] for col in ("body", "summary") if col in fresh):
                        stale.append(f"{kind}:{row.id}")
    finally:
        engine.dispose()
    return stale


def test_seeded_views_equal_rendering_from_the_database(database_url):
    assert stale_views(database_url) == []


def test_export_reproduces_the_dataset_byte_for_byte(database_url, tmp_path: Path):
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            written = export_dataset(conn, tmp_path)
    finally:
        engine.dispose()
    data = ROOT / "data"
    assert len(written) == 13  # synonyms.yaml among them
    for path in written:
        original = data / path.relative_to(tmp_path)
        assert filecmp.cmp(path, original, shallow=False), f"{original} differs after export"


async def test_views_stay_consistent_after_writes(settings, client):
    key = make_key(settings)
    auth = {"Authorization": f"Bearer {key}"}

    async def origin_of(url: str) -> tuple[bool, list[str], list[str]]:
        y = (await client.get(url)).json()
        return y["independent"], [s["id"] for s in y["shared_origins"]], [a["id"] for a in y["shared_parties"]]

    url = "/v1/corroborations/missile-plan-reported-in-english-and-arabic"
    assert await origin_of(url) == (False, ["discord-leak-2023"], ["leaked-us-intelligence-documents"])
    etag = (await client.get("/v1/sources/washington-post-2023-egypt-missiles-report")).headers["etag"]
    cut = await client.patch("/v1/sources/washington-post-2023-egypt-missiles-report", json={"cites": []},
                             headers={**auth, "If-Match": etag})
    assert cut.status_code == 200, cut.text
    # Without its link to the leaked document, the English report's chain no longer reaches the leak the
    # Arabic one relays: no source is shared any more. Both still report the same speaker (the leaked documents).
    assert await origin_of(url) == (False, [], ["leaked-us-intelligence-documents"])
    claim = (await client.get("/v1/claims/sisi-planned-40000-missiles-for-russia")).json()
    assert [o["id"] for o in claim["origins"]] == ["washington-post-2023-egypt-missiles-report"]
    etag = (await client.get("/v1/actors/egypt")).headers["etag"]
    assert (await client.patch("/v1/actors/egypt", json={"name": "Arab Republic of Egypt"}, headers={**auth, "If-Match": etag})).status_code == 200
    assert stale_views(settings.database_url) == []


async def test_concurrent_writers_lose_no_row(settings):
    # What is tested is that no write is lost, not how long one waits: with eight writers queued for two write
    # connections on a machine running other suites, a write may wait past the 5 s default and get a 503.
    app = create_app(settings.model_copy(update={"db_pool_timeout_seconds": 120.0}))
    writers, each = 8, 50
    keys = [make_key(settings, "write", f"writer-{w}") for w in range(writers)]

    async def writer(w: int, client: httpx.AsyncClient) -> list[int]:
        statuses = []
        for i in range(each):
            body = {"id": f"w{w}-actor-{i}", "kind": "group", "name": f"Writer {w} group {i}",
                    "names": [{"value": f"Writer {w} group {i}", "language": "en"}], "description": "Load test actor."}
            response = await client.post("/v1/actors", json=body, headers={"Authorization": f"Bearer {keys[w]}"})
            statuses.append(response.status_code)
        return statuses

    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        results = await asyncio.gather(*(writer(w, client) for w in range(writers)))
    assert [s for statuses in results for s in statuses] == [201] * (writers * each)
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            created = conn.execute(text("SELECT count(*) FROM actor WHERE id LIKE 'w%-actor-%'")).scalar()
            history = conn.execute(text("SELECT count(*) FROM revision WHERE resource_id LIKE 'w%-actor-%'")).scalar()
            positions = conn.execute(text("SELECT count(DISTINCT position) FROM actor WHERE file = 'actors.yaml'")).scalar()
            total = conn.execute(text("SELECT count(*) FROM actor WHERE file = 'actors.yaml'")).scalar()
    finally:
        engine.dispose()
    assert (created, history) == (writers * each, writers * each)
    assert positions == total


def test_claims_preloaded_are_matched_without_a_statement_more(template_url: str) -> None:
    """The rules compare a claim written with its neighbours: with the neighbours read by `preload_claims`, matching
    them (their facts, every pair the rules compare, the citation chains of their sources and the parties of their
    actors) sends nothing more to the database, where each source, actor and role was a statement of its own."""
    from sqlalchemy import event

    from api.engine.detect import detect_for
    from api.engine.propositions import facts_of
    from api.engine.world import world_in

    sent: list[str] = []

    def record(conn: object, cursor: object, statement: str, *rest: object) -> None:
        sent.append(" ".join(statement.split()))

    engine = make_engine(template_url)
    try:
        with engine.connect() as conn:
            graph = DbGraph(conn)
            world = world_in(graph)
            ids = [r[0] for r in conn.execute(text("SELECT id FROM claim WHERE deleted_at IS NULL ORDER BY id"))]
            with graph.unchanging():
                graph.preload_claims(ids)
                event.listen(conn, "before_cursor_execute", record)
                facts = [facts_of(graph.claims[i], world) for i in ids]
                found = [d for f in facts for d in detect_for(f, facts, world)]
                event.remove(conn, "before_cursor_execute", record)
    finally:
        engine.dispose()
    assert len(ids) > 100 and len(found) > 20
    assert sent == []
