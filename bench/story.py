"""A story that grows: the cost of adding a report to a proposition that already has many.

    python -m bench.story [--reports 60] [--database sqlite|postgresql] [--clients 4]

Builds the shipped dataset into a fresh database, then posts `--reports` document bundles one after
another (`POST /v1/documents`), each a copy of one corpus passage with the claim it supports, so that
every new claim joins the same proposition as all the earlier ones. Prints, every tenth report, the
write's latency and how many change-feed entries it added; a write path whose cost does not grow with
the story prints flat figures. With `--clients N`, N clients then post `--reports` more each at once, and the
statuses and latencies of those writes are printed (a 503 is a writer that waited past
CLAIMS_DB_POOL_TIMEOUT_SECONDS).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine
from sqlalchemy import text as sql

from api.config import ROOT, Settings
from api.http.auth import create_key
from api.main import create_app
from api.store.db import make_engine
from api.store.seed import build_database

PASSAGE_FILE = ROOT / "data" / "corpus" / "000_a323be093f1f71ef.txt"
QUOTE = "We have not seen this (deliveries of missiles from Egypt to the Russian Federation – ed.) happen"


def report(n: int, text: str) -> dict:
    source = f"story-bench-report-{n:04d}"
    return {
        "source": {"id": source, "kind": "news_article", "language": "en", "title": f"Report {n} on the missiles",
                   "publisher": "buna-times", "published": {"date": "2023-04-20", "precision": "day"}, "text": text},
        "claims": [{
            "id": f"story-bench-{n:04d}-representative-saw-no-deliveries",
            "statement": "The US representative said they had not seen deliveries of missiles from Egypt to the Russian Federation happen.",
            "subject": "egypt", "predicate": "supply_arms", "object": {"label": "missiles"}, "recipient": "russia",
            "polarity": "negated", "evidential": "observed", "claimant": "unnamed-us-representative",
            "evidence": [{"source": source, "speech": "direct", "speaker": "unnamed-us-representative", "quote": QUOTE}],
        }],
    }


def database(kind: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'story.db'}"
    admin = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS claims_story_bench WITH (FORCE)")
        conn.exec_driver_sql("CREATE DATABASE claims_story_bench")
    admin.dispose()
    return "postgresql+psycopg://postgres@127.0.0.1:5432/claims_story_bench"


async def run(reports: int, kind: str, clients: int = 1) -> None:
    lines = PASSAGE_FILE.read_text(encoding="utf-8").split("\n")
    text = next(line for line in lines if "We have not seen this" in line)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=database(kind, Path(tmp)), data_dir=ROOT / "data", auto_build=False)
        build_database(settings)
        engine = make_engine(settings.database_url)
        with engine.begin() as conn:
            key = create_key(conn, name="story-bench", scopes=["write"])

        def top() -> int:
            with engine.connect() as conn:
                return int(conn.execute(sql("SELECT coalesce(max(seq), 0) FROM revision")).scalar_one())

        app = create_app(settings)
        headers = {"Authorization": f"Bearer {key}"}
        async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120,
        ) as client:
            print(f"{kind}: {reports} reports of one story, each a new source and one claim")
            print(f"{'report':>7} {'ms':>8} {'feed entries':>13} {'view bytes (first claim)':>25}")
            times: list[float] = []
            before = top()
            for n in range(1, reports + 1):
                started = time.perf_counter()
                r = await client.post("/v1/documents", json=report(n, text), headers=headers)
                elapsed = (time.perf_counter() - started) * 1000
                assert r.status_code == 201, r.text
                times.append(elapsed)
                now = top()
                if n == 1 or n % 10 == 0:
                    size = len((await client.get("/v1/claims/story-bench-0001-representative-saw-no-deliveries")).content)
                    print(f"{n:>7} {elapsed:>8.1f} {now - before:>13} {size:>25}")
                before = now
            first, rest = times[:10], times[-10:]
            print(f"median of the first ten: {statistics.median(first):.1f} ms; of the last ten: {statistics.median(rest):.1f} ms")
            if clients > 1:
                await _concurrent(client, headers, text, reports, clients)
        engine.dispose()


async def _concurrent(client: httpx.AsyncClient, headers: dict[str, str], text: str, reports: int, clients: int) -> None:
    """`clients` loops posting `reports` more reports of the story at once: each write's status and latency."""
    statuses: dict[int, int] = {}
    latencies: list[float] = []

    async def loop(c: int) -> None:
        for i in range(reports):
            n = 10_000 * (c + 1) + i
            started = time.perf_counter()
            r = await client.post("/v1/documents", json=report(n, text), headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(c) for c in range(clients)))
    wall = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    print(f"then {clients} clients at once, {reports} reports each: statuses {dict(sorted(statuses.items()))};"
          f" latency p50 {q[49]:.0f} ms, p99 {q[98]:.0f} ms, max {max(latencies):.0f} ms; {len(latencies) / wall:.1f} writes/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=60)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--clients", type=int, default=1, help="then this many clients at once, --reports each")
    args = parser.parse_args()
    os.environ.setdefault("CLAIMS_PROGRESS", "0")
    asyncio.run(run(args.reports, args.database, args.clients))


if __name__ == "__main__":
    main()
