"""Where a build's time goes: phase timers around the seed's own steps, and a sampling profiler.

`SeedPhases` wraps, for the duration of a build, the functions `api.store.seed.seed` calls (the engine's
`prepare`, per record `columns`, `rendered`, `links`, `search_rows`, and per batch `insert_rows`) and times
the SQL it sends through SQLAlchemy, so a build reports engine, rendering, rows and inserts separately at
the cost of a clock read per call.

`Sampler` samples the main thread's stack every few milliseconds of CPU time: functions by the share of
samples in which they run (self) or are on the stack (total). Unlike cProfile it slows the build by a few
percent only, so the build time it runs under is the build time.
"""

from __future__ import annotations

import signal
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

from sqlalchemy import Engine, event

import api.store.seed as seed_module

ROOT = Path(__file__).resolve().parent.parent
PHASES = ("prepare", "columns", "rendered", "links", "search_rows", "insert_rows")
LABELS = {
    "prepare": "engine: propositions and relations (prepare)",
    "columns": "filter columns (columns)",
    "rendered": "rendering views (rendered)",
    "links": "link rows and claim keys (links)",
    "search_rows": "search entries (search_rows)",
    "insert_rows": "inserts through the driver, a batch of a table at a time (insert_rows)",
    "sql": "SQL through SQLAlchemy: migrations, meta (the search index is in other)",
}


class SeedPhases:
    """Seconds spent in each step of `seed`, while active (progress is the seed's own: its `steps`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self._originals: dict[str, Any] = {}
        self._sql_started: list[float] = []

    def _wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - started
                self.calls[name] += 1

        return timed

    def _before(self, *_: Any) -> None:
        self._sql_started.append(time.perf_counter())

    def _after(self, *_: Any) -> None:
        self.seconds["sql"] += time.perf_counter() - self._sql_started.pop()
        self.calls["sql"] += 1

    def __enter__(self) -> SeedPhases:
        for name in PHASES:
            original = getattr(seed_module, name, None)
            if original is not None:  # a step the seed no longer calls by this name is simply not timed apart
                self._originals[name] = original
                setattr(seed_module, name, self._wrap(name, original))
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_: object) -> None:
        for name, fn in self._originals.items():
            setattr(seed_module, name, fn)
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def report(self, total: float) -> list[tuple[str, float, int]]:
        """(phase, seconds, calls), the rest of `total` as "other" (the seed's own loop, JSON dumps, commit)."""
        rows: list[tuple[str, float, int]] = [(LABELS[name], self.seconds[name], self.calls[name]) for name in (*PHASES, "sql")]
        rows.append(("other (seed's loop, record JSON, search index, commit, checkpoint)", max(0.0, total - sum(r[1] for r in rows)), 0))
        return rows


def _where(code: CodeType) -> str:
    path = Path(code.co_filename)
    try:
        shown = path.relative_to(ROOT).as_posix()
    except ValueError:
        parts = path.parts
        shown = "/".join(parts[parts.index("site-packages") + 1:]) if "site-packages" in parts else path.name
    return f"{shown}:{code.co_firstlineno} {code.co_qualname}"


class Sampler:
    """A sampling profiler of the main thread, on CPU time: every `interval` seconds of the process's CPU time
    a SIGPROF handler records the stack it interrupts. Python runs the handler between bytecodes, in the frame
    that was running, so the time of a call into native code (serialization, hashing, SQLite) goes to its
    Python caller; and CPU time, unlike wall time, does not count waiting for a busy machine's cores. Signals
    that arrive during one long native call are delivered as one, so each sample weighs the CPU time since
    the one before."""

    def __init__(self, interval: float = 0.002) -> None:
        self.interval = interval
        self.samples = 0
        self.weight = 0.0
        self.own: defaultdict[CodeType, float] = defaultdict(float)
        self.total: defaultdict[CodeType, float] = defaultdict(float)
        self._previous: Any = None
        self._last = 0.0

    def _sample(self, _signum: int, frame: FrameType | None) -> None:
        now = time.process_time()
        weight, self._last = now - self._last, now
        if frame is None:
            return
        self.samples += 1
        self.weight += weight
        self.own[frame.f_code] += weight
        seen: set[CodeType] = set()
        while frame is not None:
            if frame.f_code not in seen:
                seen.add(frame.f_code)
                self.total[frame.f_code] += weight
            frame = frame.f_back

    def __enter__(self) -> Sampler:
        self._previous = signal.signal(signal.SIGPROF, self._sample)
        self._last = time.process_time()
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)
        return self

    def __exit__(self, *_: object) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, self._previous)

    def top(self, count: int, *, by_total: bool = False) -> list[tuple[str, float, float]]:
        """(function, self %, total %) of CPU time for the `count` functions with the most, own or on the stack."""
        chosen = self.total if by_total else self.own
        ranked = sorted(chosen, key=chosen.__getitem__, reverse=True)[:count]
        whole = self.weight or 1.0
        return [(_where(code), 100 * self.own[code] / whole, 100 * self.total[code] / whole) for code in ranked]


@contextmanager
def nothing() -> Iterator[None]:
    yield
