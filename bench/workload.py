"""The work a scale run puts on a server besides wrk's load: writes one at a time, and two measures of
whether slow requests hold up others (the event loop).

Writes go through HTTP with a `write` key, as a client sends them: claims created (copies of stored claims
spread over the list, half of them negated), updated with `If-Match` and deleted; actors created. Each
operation's latency is timed at the client.
"""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import threading
import time
from typing import Any

import httpx
from sqlalchemy import text

from api.store.db import make_engine
from bench.loadgen import parse_wrk, rotation_script, settle, wrk, wrk_command


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    rank = max(0, math.ceil(0.99 * len(ordered)) - 1)
    return {"n": len(ordered), "p50_ms": statistics.median(ordered), "p99_ms": ordered[rank], "max_ms": ordered[-1]}


def claim_bodies(url: str, count: int, tag: str) -> list[dict[str, Any]]:
    """New claims to post: copies of stored claims spread over the list, each with a new id, half of them negated."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            total = int(conn.execute(text("SELECT count(*) FROM claim")).scalar_one())
            rows = [conn.execute(text("SELECT data FROM claim ORDER BY id LIMIT 1 OFFSET :n"), {"n": i * total // count}).scalar_one()
                    for i in range(count)]
    finally:
        engine.dispose()
    bodies = []
    for i, data in enumerate(rows):
        body = json.loads(data)
        body["id"] = f"bench-{tag}-{i}"
        if i % 2:
            body["polarity"] = "negated" if body.get("polarity", "affirmed") == "affirmed" else "affirmed"
        bodies.append(body)
    return bodies


def write_latencies(base: str, token: str, url: str, count: int) -> dict[str, Any]:
    """Create, update and delete `count` claims and create `count` actors, one request at a time."""
    headers = {"Authorization": f"Bearer {token}"}
    times: dict[str, list[float]] = {"POST /v1/claims": [], "PATCH /v1/claims/{id}": [], "DELETE /v1/claims/{id}": [], "POST /v1/actors": []}
    failures: list[str] = []
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        def timed(name: str, method: str, path: str, expect: int, **kwargs: Any) -> httpx.Response:
            started = time.perf_counter()
            response = client.request(method, path, **kwargs)
            times[name].append((time.perf_counter() - started) * 1000)
            if response.status_code != expect:
                failures.append(f"{name}: {response.status_code} {response.text[:300]}")
            return response

        for body in claim_bodies(url, count, "write"):
            path = f"/v1/claims/{body['id']}"
            created = timed("POST /v1/claims", "POST", "/v1/claims", 201, json=body)
            patched = timed("PATCH /v1/claims/{id}", "PATCH", path, 200, json={"note": "Checked by the write benchmark."},
                            headers={"If-Match": created.headers.get("etag", "*")})
            timed("DELETE /v1/claims/{id}", "DELETE", path, 204, headers={"If-Match": patched.headers.get("etag", "*")})
        for i in range(count):
            actor = {"id": f"bench-organization-{i}", "kind": "organization", "name": f"Benchmark Organization {i}",
                     "names": [{"value": f"Benchmark Organization {i}", "language": "en"}], "description": "Created by the write benchmark."}
            timed("POST /v1/actors", "POST", "/v1/actors", 201, json=actor)
    return {"operations": {name: percentiles(samples) for name, samples in times.items()}, "failures": failures[:10],
            "failed": len(failures)}


# -- event loop


def healthz_under_search(base: str, seconds: float) -> dict[str, Any]:
    """`/healthz` from one connection, alone and while 8 connections search for a common English word."""
    alone = wrk(f"{base}/healthz", seconds=seconds / 2, connections=1, warmup=0)
    search = subprocess.Popen(wrk_command(f"{base}/v1/search?q=egypt", seconds=seconds + 3, connections=8),
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    time.sleep(1)
    loaded = wrk(f"{base}/healthz", seconds=seconds, connections=1, warmup=0)
    out, _ = search.communicate()
    return {"healthz alone": alone.as_dict(), "healthz while searching": loaded.as_dict(), "search": parse_wrk(out).as_dict()}


def mixed(base: str, token: str, url: str, paths: list[str], seconds: float) -> dict[str, Any]:
    """A mix of reads on 16 connections, alone and while one writer creates and deletes claims."""
    script = rotation_script(paths)
    try:
        alone = wrk(base, seconds=seconds, connections=16, script=script)
        bodies = claim_bodies(url, 200, "mixed")
        stop = threading.Event()
        latencies: list[float] = []
        failures: list[int] = []

        def writer() -> None:
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
                for body in bodies:
                    if stop.is_set():
                        return
                    started = time.perf_counter()
                    created = client.post("/v1/claims", json=body)
                    latencies.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    deleted = client.delete(f"/v1/claims/{body['id']}", headers={"If-Match": created.headers.get("etag", "*")})
                    latencies.append((time.perf_counter() - started) * 1000)
                    failures.extend(r.status_code for r in (created, deleted) if r.status_code >= 300)

        settle(base)
        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        time.sleep(0.5)
        loaded = wrk(base, seconds=seconds, connections=16, warmup=0, script=script)
        stop.set()
        thread.join()
    finally:
        script.unlink(missing_ok=True)
    return {"reads alone": alone.as_dict(), "reads while writing": loaded.as_dict(),
            "writes": percentiles(latencies) if latencies else {}, "write failures": len(failures)}
