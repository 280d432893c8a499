"""Read-path benchmark: starts the servers, loads them with wrk, prints requests/s and latency.

    python bench/run.py [--duration 10] [--connections 16]

Each server runs alone as one uvicorn worker while wrk loads it, so the figures are comparable
within one run. The baseline is a bare FastAPI endpoint returning a fixed dict (bench/bare_app.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(app: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [PYTHON, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{app} did not start on port {port}")


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, duration: int, connections: int) -> tuple[float, float, float]:
    subprocess.run(["wrk", "-t1", "-c4", "-d2s", url], capture_output=True, check=True)  # warm-up
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"{url} answered errors under load:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    return rps, p50, p99


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--claim", default="sisi-planned-40000-missiles-for-russia")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian package 'wrk').")
    workdir = Path(tempfile.mkdtemp(prefix="claims-bench-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'claims.db'}"}
    subprocess.run([PYTHON, "-m", "api.cli", "build"], cwd=ROOT, env=env, check=True)
    targets = [
        ("bench.bare_app:app", "/bare", "bare FastAPI endpoint"),
        ("api.main:app", "/healthz", "GET /healthz"),
        ("api.main:app", f"/v1/claims/{args.claim}", "GET /v1/claims/{id}"),
        ("api.main:app", "/v1/claims?limit=50", "GET /v1/claims?limit=50"),
    ]
    results: list[tuple[str, float, float, float]] = []
    for app, path, label in targets:
        port = free_port()
        proc = start(app, port, env)
        try:
            url = f"http://127.0.0.1:{port}{path}"
            size = len(urllib.request.urlopen(url).read())
            rps, p50, p99 = wrk(url, args.duration, args.connections)
            results.append((f"{label} ({size} B)", rps, p50, p99))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    base = results[0][1]
    print(f"\nwrk -t2 -c{args.connections} -d{args.duration}s, one uvicorn worker, {os.cpu_count()} cores\n")
    print(f"{'endpoint':<44} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8}")
    for label, rps, p50, p99 in results:
        print(f"{label:<44} {rps:>9.0f} {p50:>8.2f} {p99:>8.2f} {rps / base:>8.2f}")
    print(json.dumps({label: {"rps": rps, "p50_ms": p50, "p99_ms": p99, "ratio": rps / base}
                      for label, rps, p50, p99 in results}))
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
