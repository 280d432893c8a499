"""Scale benchmark: every endpoint's throughput and latency at a given number of claims, as ratios to a
bare FastAPI endpoint measured in the same run, with the server's memory, the database's size, the
build time and the latency of writes.

    python -m bench.scale --sizes 119,100000 [--database sqlite|postgresql|sqlite,postgresql] [--duration 10]
                          [--workers 1] [--json var/bench/scale.json]

For each backend and size (119 is the curated dataset itself), the database is built by bench/generate.py
(documents indexed by bench/indexed.py: the same data, built in reasonable time) or reused from var/bench/
when one was built with the same size, seed, code and data; the benchmark runs on a copy of it, so the
writes leave the cache as built. One uvicorn worker serves it (`--workers N`: N processes, as `make serve WORKERS=N`
runs them; memory is then their sum) with `CLAIMS_AUTO_BUILD=false`, and wrk
(`-t1 -c16`, `--duration` seconds after a 2-second warm-up) loads each endpoint in turn; the bare endpoint
(bench/bare_app.py) is loaded alone before and after them and the ratios use the mean of the two, since
the machine's speed drifts during a run.

Then, through HTTP with a `write` key, one at a time: `--writes` claims created (copies of stored claims,
half of them negated), updated (`PATCH` with `If-Match`) and deleted, and as many actors created: each
operation's median and 99th percentile latency. Last, two measures of whether slow requests hold up
others: `/healthz` latency from one connection alone and while 8 connections search for a common word;
and a mix of reads on 16 connections alone and while one writer creates and deletes claims. Searches are
answered again from the pages a server keeps until the next write (`CLAIMS_SEARCH_CACHE_MB`), so they are
measured once more on a second server that keeps none (`CLAIMS_SEARCH_CACHE_MB=0`), with `/healthz` under them.

It prints a Markdown table per run, one across runs, and with `--json` writes everything as JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import sys
import urllib.parse
import urllib.request
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import make_url, text

from api.dataset.loader import fingerprint as data_fingerprint
from api.http.auth import create_key
from api.store.db import make_engine
from bench.generate import code_fingerprint, database_size, generate
from bench.lexicon import RARE_WORD
from bench.loadgen import Server, require_wrk, settle, timed_get, wrk
from bench.progress import Steps
from bench.tables import across_table, profile_table, run_table
from bench.workload import healthz_under_search, mixed, write_latencies

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"
CURATED = 119
HEADLINE_CLAIM = "sisi-planned-40000-missiles-for-russia"
DATE_SHARE = 0.014  # the date-range filter matches about this share of the claims
DEEP_PAGE = 1000
DEFAULT_POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


# -- databases


def cached_database(size: int, backend: str, args: argparse.Namespace, steps: Steps) -> tuple[str, dict[str, Any]]:
    """The URL of a database of `size` claims built from the current code and data, and its build report:
    reused from the cache when there is one, else built (and older builds of the same size removed)."""
    code = code_fingerprint()
    key = f"{size}-s{args.seed}-{code}"
    CACHE.mkdir(parents=True, exist_ok=True)
    report_path = CACHE / f"claims-{backend}-{key}.json"
    if backend == "sqlite":
        url = f"sqlite:///{CACHE / f'claims-{key}.db'}"
        fresh = report_path.exists() and (CACHE / f"claims-{key}.db").exists()
    else:
        url = make_url(args.postgres).set(database=f"claims_bench_{size}_s{args.seed}").render_as_string(hide_password=False)
        expected = data_fingerprint() if size == CURATED else f"generated-{size}-{args.seed}-{code}"
        fresh = report_path.exists() and _postgres_fingerprint(url) == expected
    if fresh and not args.rebuild:
        return url, json.loads(report_path.read_text(encoding="utf-8"))
    for stale in CACHE.glob(f"claims-{backend}-{size}-s{args.seed}-*.json"):
        stale.unlink()
    if backend == "sqlite":
        for stale in CACHE.glob(f"claims-{size}-s{args.seed}-*.db*"):
            stale.unlink()
    print(f"building {size:,} claims on {backend} (cached under {CACHE})", file=sys.stderr, flush=True)
    report = asdict(generate(size, url, seed_value=args.seed, replace=True, index_documents=not args.plain_dataset, profile=args.profile,
                             steps=steps))
    report_path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return url, report


def _postgres_fingerprint(url: str) -> str | None:
    try:
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                return conn.execute(text("SELECT value FROM meta WHERE key = 'fingerprint'")).scalar()
        finally:
            engine.dispose()
    except Exception:  # no such database yet, or not built to the end: build it
        return None


def working_copy(url: str, backend: str, name: str = "work") -> str:
    """A copy of a cached database to run on (writes change it): a file copy (var/bench/NAME.db), or a database from
    a template (claims_bench_work, or NAME with `-` read as `_`)."""
    if backend == "sqlite":
        source = Path(make_url(url).database or "")
        target = CACHE / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, target)
        return f"sqlite:///{target}"
    import psycopg

    template = make_url(url).database
    database = "claims_bench_work" if name == "work" else name.replace("-", "_")
    work = make_url(url).set(database=database)
    admin = make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
    return work.render_as_string(hide_password=False)


# -- what to ask for


def probes(url: str) -> dict[str, Any]:
    """Arguments for the endpoints, read from the database: an actor in exactly one claim, a date range
    holding about 1.4% of the claims, the source with the most claims, a generated claim, and counts."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            def one(sql: str, **params: Any) -> Any:
                return conn.execute(text(sql), params).scalar()

            claims = int(one("SELECT count(*) FROM claim WHERE deleted_at IS NULL"))
            actor = one("SELECT actor_id FROM claim_actor GROUP BY actor_id HAVING count(DISTINCT claim_id) = 1 ORDER BY actor_id LIMIT 1")
            source, source_claims = conn.execute(text(
                "SELECT source_id, count(*) FROM claim_source GROUP BY source_id ORDER BY count(*) DESC, source_id LIMIT 1")).one()
            middle = one("SELECT id FROM claim ORDER BY id LIMIT 1 OFFSET :n", n=claims // 2)

            def in_range(first: str, last: str) -> int:
                return int(one("SELECT count(*) FROM claim WHERE deleted_at IS NULL AND event_to >= :f AND event_from <= :t", f=first, t=last))

            dated = int(one("SELECT count(*) FROM claim WHERE event_from IS NOT NULL"))
            start = one("SELECT event_from FROM claim WHERE event_from IS NOT NULL ORDER BY event_from LIMIT 1 OFFSET :n", n=dated * 3 // 5)
            first = date.fromisoformat(start)
            low, high = 0, 3 * 366
            while low < high:  # the shortest range from `first` that holds the share
                mid = (low + high) // 2
                if in_range(first.isoformat(), (first + timedelta(days=mid)).isoformat()) >= DATE_SHARE * claims:
                    high = mid
                else:
                    low = mid + 1
            last = (first + timedelta(days=low)).isoformat()
            counts = {
                "claims": claims, "actor claims": 1, "source claims": int(source_claims),
                "date range claims": in_range(first.isoformat(), last),
                "arabic claims": int(one("SELECT count(DISTINCT claim_id) FROM claim_language WHERE language = 'ar'")),
                "supply_arms claims": int(one("SELECT count(*) FROM claim WHERE predicate = 'supply_arms'")),
                "planned claims": int(one("SELECT count(*) FROM claim WHERE modality = 'planned'")),
                "negated claims": int(one("SELECT count(*) FROM claim WHERE polarity = 'negated'")),
            }
    finally:
        engine.dispose()
    return {"actor": actor, "source": source, "date_from": first.isoformat(), "date_to": last, "claim": middle, "counts": counts}


def deep_cursor(base: str, pages: int) -> tuple[str | None, int]:
    """The cursor of page `pages` of /v1/claims?limit=50 (or of the last page), found by paging; and its number."""
    cursor, page = None, 1
    while page < pages:
        query = "limit=50" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
        with urllib.request.urlopen(f"{base}/v1/claims?{query}", timeout=120) as response:
            following = json.load(response)["next_cursor"]
        if following is None:
            break
        cursor, page = following, page + 1
    return cursor, page


def searches() -> list[tuple[str, str]]:
    """(label, path) of each search measured."""
    q = urllib.parse.quote
    return [
        ("search, common English word: `q=egypt`", "/v1/search?q=egypt"),
        ("search, common Arabic word: `q=السيسي`", f"/v1/search?q={q('السيسي')}"),
        (f"search, rare word: `q={RARE_WORD}`", f"/v1/search?q={RARE_WORD}"),
        ("search, two common words: `q=egypt russia`", f"/v1/search?q={q('egypt russia')}"),
        ("search, three common words: `q=russia egypt military`", f"/v1/search?q={q('russia egypt military')}"),
    ]


def endpoints(found: dict[str, Any], deep: tuple[str | None, int]) -> list[tuple[str, str]]:
    """(label, path) of each endpoint measured."""
    counts = found["counts"]
    share = 100 * counts["date range claims"] / max(1, counts["claims"])
    cursor, page = deep
    q = urllib.parse.quote
    return [
        ("GET /healthz", "/healthz"),
        *searches(),
        ("`GET /v1/claims?limit=50`", "/v1/claims?limit=50"),
        (f"claims in a date range ({share:.1f}% of claims)", f"/v1/claims?date_from={found['date_from']}&date_to={found['date_to']}"),
        ("claims of an actor with one claim", f"/v1/claims?actor={found['actor']}"),
        (f"claims of a source ({counts['source claims']:,} claims)", f"/v1/claims?source={found['source']}"),
        ("claims, `language=ar`", "/v1/claims?language=ar"),
        ("claims, `predicate=supply_arms`", "/v1/claims?predicate=supply_arms"),
        ("claims, `modality=planned`", "/v1/claims?modality=planned"),
        ("claims, `polarity=negated`", "/v1/claims?polarity=negated"),
        ("claims, `actor=egypt&predicate=supply_arms&polarity=negated`", "/v1/claims?actor=egypt&predicate=supply_arms&polarity=negated"),
        ("claims, `language=ar&modality=planned`", "/v1/claims?language=ar&modality=planned"),
        (f"claims, deep page (page {page:,} by cursor)", "/v1/claims?limit=50" + (f"&cursor={q(cursor)}" if cursor else "")),
        ("`GET /v1/timeline`", "/v1/timeline"),
        ("`GET /v1/claims/{id}`, the curated headline claim", f"/v1/claims/{HEADLINE_CLAIM}"),
        ("`GET /v1/claims/{id}`, a claim from the middle of the list", f"/v1/claims/{found['claim']}"),
    ]


# -- one run


class Api:
    """The API server of a run (one uvicorn worker), started again whenever it does not go idle within a few
    seconds of a load: a blocked event loop may still hold a slow request from each of wrk's connections, which
    would delay the next measurement by minutes. Its memory is read across restarts."""

    PATIENCE = 5.0  # seconds

    def __init__(self, env: dict[str, str], workers: int = 1) -> None:
        self.env = env
        self.workers = workers
        self.server = Server("api.main:app", env, workers)
        self.memory_at_start = self.server.memory()["VmRSS"]
        self.memory_at_end = 0
        self.peak = 0
        self.restarts = 0

    @property
    def base(self) -> str:
        return self.server.base

    def idle(self) -> bool:
        """Wait for the server to be idle, or start it again; whether it had to be started again."""
        if settle(self.base, limit=self.PATIENCE):
            return False
        self.stop()
        self.server = Server("api.main:app", self.env, self.workers)
        self.restarts += 1
        return True

    def stop(self) -> None:
        self.peak = max(self.peak, self.server.memory()["VmHWM"])
        self.memory_at_end = self.server.memory()["VmRSS"]
        self.server.stop()


def load_endpoint(base: str, path: str, seconds: float, connections: int) -> dict[str, Any]:
    """One request alone (its latency, status and size), then wrk's load (with a warm-up unless one request
    already takes a second)."""
    alone_ms, status, size = timed_get(f"{base}{path}")
    measured = wrk(f"{base}{path}", seconds=seconds, connections=connections, warmup=0 if alone_ms > 1000 else 2)
    return {"path": path, "status": status, "bytes": size, "alone_ms": alone_ms, **measured.as_dict()}


def bare_endpoint(args: argparse.Namespace) -> dict[str, Any]:
    with Server("bench.bare_app:app", {}) as bare:
        return load_endpoint(bare.base, "/bare", args.duration, args.connections)


def run(size: int, backend: str, args: argparse.Namespace, steps: Steps) -> dict[str, Any]:
    cached, report = cached_database(size, backend, args, steps)
    url = working_copy(cached, backend)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            token = create_key(conn, name="scale benchmark", scopes=["write"])
    finally:
        engine.dispose()
    found = probes(url)
    env = {"DATABASE_URL": url, "CLAIMS_AUTO_BUILD": "false"}
    print(f"{backend}, {size:,} claims: measuring", file=sys.stderr, flush=True)
    results: dict[str, Any] = {"size": size, "backend": backend, "duration": args.duration, "workers": args.workers, "build": report,
                               "probes": found}
    results["bare before"] = bare_endpoint(args)
    api = Api(env, args.workers)
    try:
        deep = deep_cursor(api.base, min(DEEP_PAGE, max(1, math.ceil(size / 50))))
        task = steps.task(f"{backend} {size:,}: endpoints", len(endpoints(found, deep)))
        results["endpoints"] = []
        for label, path in endpoints(found, deep):
            measured = load_endpoint(api.base, path, args.duration, args.connections)
            results["endpoints"].append({"label": label, **measured, "restarted after": api.idle()})
            task.advance()
        results["writes"] = write_latencies(api.base, token, url, args.writes)
        api.idle()
        results["healthz under search"] = healthz_under_search(api.base, args.duration)
        api.idle()
        reads = ["/v1/claims?limit=50", f"/v1/claims/{found['claim']}", f"/v1/claims/{HEADLINE_CLAIM}", "/healthz", "/v1/timeline"]
        results["mixed"] = mixed(api.base, token, url, reads, args.duration)
    finally:
        api.stop()
    # The same searches with no pages kept, each found anew: what a query asked for the first time since the last write costs.
    fresh = Api({**env, "CLAIMS_SEARCH_CACHE_MB": "0"}, args.workers)
    try:
        for label, path in searches():
            measured = load_endpoint(fresh.base, path, args.duration, args.connections)
            results["endpoints"].append({"label": f"{label}, no pages kept", **measured, "restarted after": fresh.idle()})
        results["healthz under fresh search"] = healthz_under_search(fresh.base, args.duration)
    finally:
        fresh.stop()
    results["memory"] = {"start": api.memory_at_start, "end": api.memory_at_end, "peak": api.peak, "restarts": api.restarts}
    results["bare after"] = bare_endpoint(args)
    results["database bytes"] = database_size(url)
    before, after = results["bare before"], results["bare after"]
    results["bare"] = {k: (before[k] + after[k]) / 2 for k in ("rps", "p50_ms", "p99_ms")}
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="119,100000", help="claims per run, comma-separated (119: the curated dataset)")
    parser.add_argument("--database", default="sqlite", help="sqlite, postgresql, or both comma-separated")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a PostgreSQL server URL (its databases claims_bench_* are used)")
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per endpoint (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16, on one wrk thread)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes serving the API (default 1)")
    parser.add_argument("--writes", type=int, default=40, help="requests per write operation (default 40)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="build the databases even when cached")
    parser.add_argument("--plain-dataset", action="store_true", help="build from the loader's Dataset, not bench/indexed.py's (slow)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="when building, sample where the time goes (N functions)")
    parser.add_argument("--json", type=Path, help="write every measure to this file")
    args = parser.parse_args(argv)
    require_wrk()
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = [b.strip() for b in args.database.split(",")]
    if unknown := set(backends) - {"sqlite", "postgresql"}:
        raise SystemExit(f"unknown --database {', '.join(sorted(unknown))}: sqlite or postgresql")
    started = datetime.now(UTC)
    runs = []
    with Steps() as steps:
        for backend in backends:
            for size in sizes:
                runs.append(run(size, backend, args, steps))
                print("\n" + run_table(runs[-1]) + "\n", flush=True)
                if runs[-1]["build"]["profile"]:
                    print(profile_table(runs[-1]["build"]) + "\n", flush=True)
    workers = "one uvicorn worker" if args.workers == 1 else f"{args.workers} uvicorn workers"
    print(f"wrk -t1 -c{args.connections} -d{args.duration:g}s after a 2 s warm-up, {workers}, {os.cpu_count()} cores,"
          f" Python {platform.python_version()}, {started:%Y-%m-%d}\n")
    print(across_table(runs))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        document = {"started": started.isoformat(), "settings": {k: str(v) for k, v in vars(args).items()},
                    "machine": {"cores": os.cpu_count(), "python": platform.python_version()}, "runs": runs}
        args.json.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
