"""The baseline, and the ways a route can reach the database, measured side by side.

`app` is a bare FastAPI endpoint returning a fixed dict: bench/scale.py's yardstick.

`variants` (`bench.bare_app:variants`, on `DATABASE_URL`) serves the same reads through the project's own
services in four ways, each under its own prefix:

- `/a`: async routes calling the database synchronously, on the event loop;
- `/b`: sync routes, which FastAPI runs in anyio's thread pool;
- `/c`: async routes that await the thread pool only for the database call: `Store.call`, as the API does
  (a bounded lane of CLAIMS_DB_POOL_SIZE threads, each holding one pooled connection on PostgreSQL; `/healthz` in
  its own lane);
- `/d` (PostgreSQL only): async routes awaiting psycopg's `AsyncConnection` from a psycopg_pool
  `AsyncConnectionPool` for a claim, a list page and `/healthz` (search, which has no async form, goes
  through the thread pool as in `/c`).

Each prefix has `/claims/{id}`, `/claims` (the first page of 50), `/search?q=` and `/healthz`.

- `/e`: as `/c`, with search in Store's heavy lane (CLAIMS_DB_HEAVY_SIZE threads at once), as the API does.

    python -m bench.bare_app --database sqlite:///var/bench/loop-100k.db [--duration 5] [--variants a,b,c,e,d]
                             [--switch-interval 0.001]

loads, for each variant, a claim and a list page with wrk (`-t1 -c16`), then `/healthz` from one connection
while 8 connections search for a common word, and prints a Markdown table. `--switch-interval` sets the
server's sys.setswitchinterval (the API sets 1 ms; Python's default is 5 ms).

    python -m bench.bare_app --database URL --workers 1,2 [--duration 10]

serves the API itself (`api.main:app`) with each number of uvicorn workers in turn, on a copy of the database,
and measures a mix of reads on 16 connections alone and while one writer creates and deletes claims, and
`/healthz` while 8 connections search; then checks that the writes were applied one at a time (the change
feed's `seq` has no gap, and every write that succeeded is in it once).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

app = FastAPI()


@app.get("/bare")
async def bare() -> dict[str, str]:
    return {"status": "ok"}


# -- the variants


def _variants_app() -> FastAPI:
    from api.http.responses import json_response, page_response
    from api.services import claims as claims_service
    from api.services import search as search_service
    from api.services.claims import ClaimFilters
    from api.services.common import use_cursor_secret
    from api.store.db import Store, is_sqlite

    url = os.environ["DATABASE_URL"]
    if "BENCH_SWITCH_INTERVAL" in os.environ:  # seconds between the GIL's forced hand-overs (Python's default: 0.005)
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))
    store = Store(url, pool_size=int(os.environ.get("CLAIMS_DB_POOL_SIZE", "10")), heavy_size=int(os.environ.get("CLAIMS_DB_HEAVY_SIZE", "2")))
    use_cursor_secret(store, "a bench secret of at least 16 characters")
    pool: Any = None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        nonlocal pool
        if not is_sqlite(url):
            from psycopg_pool import AsyncConnectionPool
            from sqlalchemy import make_url

            conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
            pool = AsyncConnectionPool(conninfo, min_size=10, max_size=10, open=False,
                                       kwargs={"autocommit": True, "prepare_threshold": 2})
            await pool.open(wait=True)
        yield
        if pool is not None:
            await pool.close()
        store.close()

    bench = FastAPI(lifespan=lifespan)

    def claim(claim_id: str) -> tuple[bytes, str]:
        return claims_service.get(store, claim_id=claim_id)

    def claims_page() -> Any:
        return claims_service.list_claims(store, filters=ClaimFilters(), limit=50, cursor=None)

    def search(q: str) -> Any:
        return search_service.search(store, q=q, kind=None, limit=50, cursor=None)

    def health() -> bytes:
        row = store.one("SELECT value FROM meta WHERE key = 'fingerprint'")
        return b'{"status":"ok","dataset":"%s"}' % str(row[0] if row else "").encode()

    # (a) async routes, sync calls on the event loop
    @bench.get("/a/claims/{claim_id}")
    async def a_claim(request: Request, claim_id: str) -> Response:
        return json_response(request, *claim(claim_id))

    @bench.get("/a/claims")
    async def a_claims(request: Request) -> Response:
        page = claims_page()
        return page_response(request, page.items, page.next_cursor)

    @bench.get("/a/search")
    async def a_search(request: Request, q: str) -> Response:
        page = search(q)
        return page_response(request, page.items, page.next_cursor)

    @bench.get("/a/healthz")
    async def a_health() -> Response:
        return Response(health(), media_type="application/json")

    # (b) sync routes in the thread pool
    @bench.get("/b/claims/{claim_id}")
    def b_claim(request: Request, claim_id: str) -> Response:
        return json_response(request, *claim(claim_id))

    @bench.get("/b/claims")
    def b_claims(request: Request) -> Response:
        page = claims_page()
        return page_response(request, page.items, page.next_cursor)

    @bench.get("/b/search")
    def b_search(request: Request, q: str) -> Response:
        page = search(q)
        return page_response(request, page.items, page.next_cursor)

    @bench.get("/b/healthz")
    def b_health() -> Response:
        return Response(health(), media_type="application/json")

    # (c) async routes, the database call in the thread pool (Store.call)
    @bench.get("/c/claims/{claim_id}")
    async def c_claim(request: Request, claim_id: str) -> Response:
        return json_response(request, *await store.call(claim, claim_id))

    @bench.get("/c/claims")
    async def c_claims(request: Request) -> Response:
        page = await store.call(claims_page)
        return page_response(request, page.items, page.next_cursor)

    @bench.get("/c/search")
    async def c_search(request: Request, q: str) -> Response:
        page = await store.call(search, q)
        return page_response(request, page.items, page.next_cursor)

    @bench.get("/c/healthz")
    async def c_health() -> Response:
        return Response(await store.call_health(health), media_type="application/json")

    # (e) as (c), with search (CPU-bound Python, which holds the GIL) limited to CLAIMS_DB_HEAVY_SIZE threads at once

    @bench.get("/e/claims/{claim_id}")
    async def e_claim(request: Request, claim_id: str) -> Response:
        return json_response(request, *await store.call(claim, claim_id))

    @bench.get("/e/claims")
    async def e_claims(request: Request) -> Response:
        page = await store.call(claims_page)
        return page_response(request, page.items, page.next_cursor)

    @bench.get("/e/search")
    async def e_search(request: Request, q: str) -> Response:
        page = await store.call_heavy(search, q)
        return page_response(request, page.items, page.next_cursor)

    @bench.get("/e/healthz")
    async def e_health() -> Response:
        return Response(await store.call_health(health), media_type="application/json")

    # (d) PostgreSQL's async driver: the same SQL as the services', awaited on the event loop
    @bench.get("/d/claims/{claim_id}")
    async def d_claim(request: Request, claim_id: str) -> Response:
        async with pool.connection() as conn:
            cur = await conn.execute("SELECT body, etag, deleted_at, revision FROM claim WHERE id = %s", (claim_id,))
            row = await cur.fetchone()
        if row is None:
            return Response(status_code=404)
        return json_response(request, bytes(row[0]), row[1])

    @bench.get("/d/claims")
    async def d_claims(request: Request) -> Response:
        async with pool.connection() as conn:
            cur = await conn.execute("SELECT c.summary, c.id FROM claim c WHERE c.deleted_at IS NULL ORDER BY c.id LIMIT %s", (51,))
            rows = await cur.fetchall()
        return page_response(request, [bytes(r[0]) for r in rows[:50]], None)

    @bench.get("/d/search")
    async def d_search(request: Request, q: str) -> Response:
        page = await run_in_threadpool(partial(search, q))
        return page_response(request, page.items, page.next_cursor)

    @bench.get("/d/healthz")
    async def d_health() -> Response:
        async with pool.connection() as conn:
            cur = await conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'")
            row = await cur.fetchone()
        return Response(b'{"status":"ok","dataset":"%s"}' % str(row[0] if row else "").encode(), media_type="application/json")

    return bench


def __getattr__(name: str) -> Any:
    if name == "variants":  # built on first use, so that importing `app` needs no database
        return _variants_app()
    raise AttributeError(name)


# -- measuring them


def main(argv: list[str] | None = None) -> int:
    from api.store.db import Store, is_sqlite
    from bench.loadgen import Server, parse_wrk, require_wrk, settle, wrk, wrk_command

    parser = argparse.ArgumentParser(prog="python -m bench.bare_app", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="a built database's URL")
    parser.add_argument("--duration", type=float, default=5, help="seconds of load per measure (default 5)")
    parser.add_argument("--variants", default="a,b,c,d", help="which of a,b,c,d (d: PostgreSQL only)")
    parser.add_argument("--q", default="egypt", help="the slow request's search word")
    parser.add_argument("--switch-interval", type=float, help="the server's sys.setswitchinterval (seconds)")
    parser.add_argument("--workers", help="instead: serve the API with each of these numbers of workers (e.g. 1,2)")
    args = parser.parse_args(argv)
    require_wrk()
    if args.workers:
        return compare_workers(args.database, [int(n) for n in args.workers.split(",")], args.duration)
    store = Store(args.database)
    row = store.one("SELECT id FROM claim ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM claim)")
    store.close()
    claim_id = str(row[0]) if row else "sisi-planned-40000-missiles-for-russia"
    variants = [v for v in args.variants.split(",") if v != "d" or not is_sqlite(args.database)]
    rows = []
    env = {"DATABASE_URL": args.database, **({"BENCH_SWITCH_INTERVAL": str(args.switch_interval)} if args.switch_interval else {})}
    with Server("bench.bare_app:variants", env) as server:
        for v in variants:
            base = f"{server.base}/{v}"
            got = wrk(f"{base}/claims/{claim_id}", seconds=args.duration, connections=16)
            settle(server.base, path=f"/{v}/healthz")
            listed = wrk(f"{base}/claims", seconds=args.duration, connections=16)
            settle(server.base, path=f"/{v}/healthz")
            alone = wrk(f"{base}/healthz", seconds=args.duration, connections=1, warmup=0)
            search = subprocess.Popen(wrk_command(f"{base}/search?q={args.q}", seconds=args.duration + 3, connections=8),
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            time.sleep(1)
            loaded = wrk(f"{base}/healthz", seconds=args.duration, connections=1, warmup=0)
            searched = parse_wrk(search.communicate()[0])
            settle(server.base, path=f"/{v}/healthz")
            rows.append((v, got, listed, alone, loaded, searched))
            print(f"{v} done", file=sys.stderr, flush=True)
    print(f"\n{args.database}: wrk -t1 -c16 -d{args.duration:g}s; /healthz on 1 connection, alone and while 8 search q={args.q}\n")
    print("| variant | claim req/s | claim p99 ms | list req/s | list p99 ms | healthz alone p99 ms | healthz under search req/s |"
          " healthz under search p99 ms | search req/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for v, got, listed, alone, loaded, searched in rows:
        print(f"| {v} | {got.rps:,.0f} | {got.p99_ms:.1f} | {listed.rps:,.0f} | {listed.p99_ms:.1f} | {alone.p99_ms:.2f} |"
              f" {loaded.rps:,.0f} | {loaded.p99_ms:.1f} | {searched.rps:,.1f} |")
    return 0


def compare_workers(url: str, counts: list[int], seconds: float) -> int:
    """The API with each number of workers on a fresh copy of `url`: reads/s alone and with one writer, /healthz
    while searching, and whether the writes were serialised (the change feed)."""
    from sqlalchemy import text

    from api.http.auth import create_key
    from api.store.db import make_engine
    from bench.loadgen import Server
    from bench.scale import HEADLINE_CLAIM, working_copy
    from bench.workload import healthz_under_search, mixed

    backend = "sqlite" if url.startswith("sqlite") else "postgresql"
    rows = []
    for workers in counts:
        work = working_copy(url, backend, name="loop-work")
        engine = make_engine(work)
        with engine.begin() as conn:
            token = create_key(conn, name="workers benchmark", scopes=["write"])
            middle = conn.execute(text("SELECT id FROM claim ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM claim)")).scalar_one()
            before = conn.execute(text("SELECT count(*), coalesce(max(seq), 0) FROM revision")).one()
        reads = ["/v1/claims?limit=50", f"/v1/claims/{middle}", f"/v1/claims/{HEADLINE_CLAIM}", "/healthz", "/v1/timeline"]
        with Server("api.main:app", {"DATABASE_URL": work, "CLAIMS_AUTO_BUILD": "false"}, workers) as server:
            mixed_load = mixed(server.base, token, work, reads, seconds)
            health = healthz_under_search(server.base, seconds)
            memory = server.memory()["VmRSS"]
        with engine.connect() as conn:
            count, last = conn.execute(text("SELECT count(*), coalesce(max(seq), 0) FROM revision")).one()
            bench_rows = conn.execute(text("SELECT count(*) FROM revision WHERE resource_id LIKE 'bench-mixed-%'")).scalar_one()
        engine.dispose()
        serialised = count - before[0] == last - before[1]  # every write since took the next seq: no gap, no repeat
        rows.append((workers, mixed_load, health, memory, serialised, bench_rows))
        print(f"{workers} worker(s) done", file=sys.stderr, flush=True)
    print(f"\n{url}: the API with N uvicorn workers; reads on 16 connections (wrk -t1 -c16 -d{seconds:g}s); one writer creating and"
          " deleting claims; /healthz from 1 connection while 8 search q=egypt\n")
    print("| workers | reads/s alone (p99 ms) | reads/s with a writer (p99 ms) | writes (p50 / p99 ms) | write failures |"
          " change feed without gaps | healthz under search req/s (p99 ms) | RSS MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for workers, m, h, memory, serialised, bench_rows in rows:
        alone, loaded, writes = m["reads alone"], m["reads while writing"], m["writes"]
        hz = h["healthz while searching"]
        print(f"| {workers} | {alone['rps']:,.0f} ({alone['p99_ms']:.1f}) | {loaded['rps']:,.0f} ({loaded['p99_ms']:.1f}) |"
              f" {writes.get('p50_ms', 0):.1f} / {writes.get('p99_ms', 0):.1f} ({writes.get('n', 0)} writes) | {m['write failures']} |"
              f" {'yes' if serialised else 'NO'} ({bench_rows} revisions) | {hz['rps']:,.0f} ({hz['p99_ms']:.1f}) | {memory / 2**20:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
