"""Servers under load: start one uvicorn worker, load it with wrk, read its memory from /proc.

wrk measures throughput and latency from outside the server, as a client sees them: requests per
second, and the 50th and 99th percentile latency of every request it completed (`--latency`), with a
generous timeout so that a slow endpoint is measured rather than counted as errors.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WRK_TIMEOUT = "60s"


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian package 'wrk': apt-get install wrk).")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """uvicorn serving `app` on a free port: one worker in its own process, or `workers` processes under uvicorn's
    supervisor (whose memory is read as the sum of its workers')."""

    def __init__(self, app: str, env: dict[str, str], workers: int = 1) -> None:
        self.app = app
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers),
             "--no-access-log", "--log-level", "warning"],
            cwd=ROOT, env={**os.environ, **env},
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{app} exited with {self.proc.returncode} at start-up")
            try:
                urllib.request.urlopen(f"{self.base}/openapi.json", timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"{app} did not start on port {self.port}")

    def memory(self) -> dict[str, int]:
        """Resident memory now (VmRSS) and at its peak so far (VmHWM), in bytes: of the worker, or summed over the
        workers when there are several."""
        found = {"VmRSS": 0, "VmHWM": 0}
        for pid in self.worker_pids():
            try:
                lines = Path(f"/proc/{pid}/status").read_text().splitlines()
            except OSError:  # a worker that has just exited
                continue
            for line in lines:
                key, _, value = line.partition(":")
                if key in found:
                    found[key] += int(value.split()[0]) * 1024
        return found

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: the one process, or the supervisor's children."""
        if self.workers == 1:
            return [self.proc.pid]
        children: list[int] = []
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            children += [int(pid) for pid in (task / "children").read_text().split()]
        return [pid for pid in children if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


@dataclass
class Load:
    """What wrk measured: requests per second, latency percentiles (ms), requests, and failures."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx or 3xx answers, and socket errors (connect, read, write, timeout)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:
        raise ValueError(f"not a wrk duration: {value!r}")
    return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[match.group(2)]


def parse_wrk(out: str) -> Load:
    def found(pattern: str) -> str:
        match = re.search(pattern, out)
        if match is None:
            raise ValueError(f"wrk printed no {pattern!r}:\n{out}")
        return match.group(1)

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Load(
        rps=float(found(r"Requests/sec:\s+([\d.]+)")), p50_ms=_ms(found(r"\s50%\s+(\S+)")), p99_ms=_ms(found(r"\s99%\s+(\S+)")),
        requests=int(found(r"(\d+) requests in")), errors=errors + (int(non_2xx.group(1)) if non_2xx else 0),
    )


def wrk_command(url: str, *, seconds: float, connections: int, script: Path | None = None) -> list[str]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "--timeout", WRK_TIMEOUT]
    return [*command, *(["-s", str(script)] if script else []), url]


def wrk(url: str, *, seconds: float, connections: int, warmup: float = 2.0, script: Path | None = None) -> Load:
    """Load `url` (after a short warm-up with fewer connections) and parse what wrk reports."""
    if warmup:
        subprocess.run(wrk_command(url, seconds=warmup, connections=min(4, connections), script=script), capture_output=True, check=True)
    out = subprocess.run(wrk_command(url, seconds=seconds, connections=connections, script=script),
                         capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def settle(base: str, *, path: str = "/healthz", fast_ms: float = 50.0, limit: float = 600.0) -> bool:
    """Wait until the server answers `path` quickly again (True), or for `limit` seconds (False).

    When wrk stops, every connection may leave a request the server is still working on; on an event
    loop that slow requests block, they would delay whatever is measured next."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        sent = time.perf_counter()
        try:
            urllib.request.urlopen(f"{base}{path}", timeout=max(1.0, limit - (time.monotonic() - started))).read()
        except OSError:
            time.sleep(0.2)
            continue
        if (time.perf_counter() - sent) * 1000 < fast_ms:
            return True
    return False


def timed_get(url: str) -> tuple[float, int, int]:
    """One request alone: (milliseconds, status, body bytes)."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as response:
        size = len(response.read())
        return (time.perf_counter() - started) * 1000, response.status, size


def rotation_script(paths: list[str]) -> Path:
    """A wrk script that sends the paths in turn (a mix of reads)."""
    quoted = ", ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    script = (f"local paths = {{{quoted}}}\nlocal i = 0\n"
              "request = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")
    handle, name = tempfile.mkstemp(prefix="claims-bench-", suffix=".lua")
    with os.fdopen(handle, "w") as f:
        f.write(script)
    return Path(name)
