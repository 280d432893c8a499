"""Build a database of N claims: the curated dataset plus a realistic synthetic corpus, seeded by the project's code.

    python -m bench.generate --claims 100000 --database sqlite:///var/bench/claims-100000.db [--seed 1]
    python -m bench.generate --claims 20000 --database postgresql://postgres@127.0.0.1:5432/claims_bench --replace

The corpus (bench/synthetic.py) is written into the curated `Dataset` in memory, with no YAML round trip:
English and Arabic articles with their texts, claims quoted from them, coverage accounts, roles, wire
reports and articles citing one another, and reviewed contradictions and corroborations. `--claims 119`
is the curated dataset alone. The same seed gives the same corpus.

Then it checks what it generated with the loader's own checks (every generated actor, source, relation
and document; `--check` claims, all of them at the default size or below), and builds the database as
`build_database` does: the migrations, then `api.store.seed.seed` (which runs the engine over every claim
and renders every view, writing the records a batch at a time) in one transaction. An SQLite file is built
beside its target with the build pragmas (`api.store.seed.build_engine`) and moved into place; a PostgreSQL
database is created (or, with `--replace`, dropped and created again).

The build uses bench/indexed.py's `IndexedDataset`, the same data with the loader's per-actor lookups
indexed (`--plain-dataset`: the loader's own `Dataset`, whose lookups make a build quadratic in documents).
It prints what it built, the time of each step, where the seed's time went (bench/profiling.py) and the
database's size; `--profile N` adds the N functions a sampling profiler saw most; `--report FILE` writes
all of it as JSON. On a terminal, long steps show progress bars (stderr); elsewhere they stay quiet.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import hashlib
import io
import json
import pstats
import random
import resource
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import make_url, text

from api.dataset.coverage import coverage_problems
from api.dataset.lint import statement_problems
from api.dataset.loader import Dataset, _Checker, load_dataset
from api.store.db import is_sqlite, make_engine, migrate, sqlite_path
from api.store.seed import build_engine, seed, swap_in, vacuum
from bench.indexed import IndexedDataset
from bench.profiling import Sampler, SeedPhases, nothing
from bench.progress import Steps
from bench.synthetic import Corpus, Stats

ROOT = Path(__file__).resolve().parent.parent
CHECKED_CLAIMS = 5000
LINTED_CLAIMS = 1000
# What a database built by this module depends on: when any of it changes, a cached one is stale.
SOURCES = ("api", "schemas", "migrations", "data", "bench/generate.py", "bench/synthetic.py", "bench/cast.py",
           "bench/phrasing.py", "bench/lexicon.py")


def code_fingerprint() -> str:
    """A digest of the code and data a generated database is made from."""
    digest = hashlib.sha256()
    for name in SOURCES:
        path = ROOT / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(file.relative_to(ROOT).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class Report:
    """What a build made and how long each step took."""

    claims: int
    seed: int
    database: str
    index_documents: bool = False
    fingerprint: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    corpus: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    seed_phases: list[tuple[str, float, int]] = field(default_factory=list)
    database_bytes: int = 0
    peak_memory_bytes: int = 0
    checked: dict[str, int] = field(default_factory=dict)
    profile_samples: int = 0
    profile_cpu_seconds: float = 0.0
    profile: list[tuple[str, float, float]] = field(default_factory=list)
    cprofile: str = ""


# -- the dataset


def synthesize(claims: int, seed_value: int, steps: Steps) -> tuple[Dataset, Stats, dict[str, set[str]]]:
    """The curated dataset with a synthetic corpus added up to `claims` claims, and the curated records' ids."""
    ds = load_dataset()
    if claims < len(ds.claims):
        raise SystemExit(f"--claims must be at least {len(ds.claims)} (the curated dataset)")
    curated = {kind: set(getattr(ds, kind)) for kind in ("actors", "sources", "claims", "contradictions", "corroborations", "documents")}
    if claims == len(ds.claims):
        return ds, Stats(), curated
    task = steps.task("generating claims", claims - len(ds.claims))
    stats = Corpus(ds, claims=claims, seed=seed_value).write(task.advance)
    task.finish()
    ds.fingerprint = f"generated-{claims}-{seed_value}-{code_fingerprint()}"
    return ds, stats, curated


def check(ds: Dataset, curated: dict[str, set[str]], *, sample: int, seed_value: int, steps: Steps) -> tuple[list[str], dict[str, int]]:
    """The loader's checks on what was generated: each record against the whole dataset, each document's
    roles and coverage, and the statement lint; claims by a seeded sample of `sample` when there are more."""
    problems: list[str] = []
    checker = _Checker(ds, problems)
    new = {kind: [k for k in getattr(ds, kind) if k not in ids] for kind, ids in curated.items()}
    claims = new["claims"]
    if len(claims) > sample:
        claims = [claims[i] for i in sorted(random.Random(seed_value).sample(range(len(claims)), sample))]
    records: list[tuple[str, Mapping[str, Any], list[str]]] = [
        ("actor", ds.actors, new["actors"]), ("source", ds.sources, new["sources"]), ("claim", ds.claims, claims),
        ("contradiction", ds.contradictions, new["contradictions"]), ("corroboration", ds.corroborations, new["corroborations"]),
    ]
    task = steps.task("checking generated records", sum(len(ids) for _, _, ids in records) + len(new["documents"]))
    for kind, registry, ids in records:
        for record_id in ids:
            checker.record(kind, registry[record_id])
            task.advance()
    for name in new["documents"]:
        checker.document_sections(name, ds.documents[name])
        checker.coverage(name, ds.documents[name])
        task.advance()
    linted = claims[:LINTED_CLAIMS]
    problems += statement_problems(dataclasses.replace(ds, claims={c: ds.claims[c] for c in linted}))
    problems += coverage_problems(ds)
    task.finish()
    counts = {f"{kind}": len(ids) for kind, _, ids in records} | {"documents": len(new["documents"]), "linted claims": len(linted)}
    return problems, counts


# -- the database


def _postgres_fresh(url: str, *, replace: bool) -> None:
    """Create the database `url` names; drop it first when it exists and `replace` is given (refuse otherwise)."""
    import psycopg

    target = make_url(url)
    name = target.database
    if not name:
        raise SystemExit("the PostgreSQL URL names no database")
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
        if exists and not replace:
            raise SystemExit(f"database {name!r} exists: pass --replace to drop and build it again")
        if exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def build(ds: Dataset, url: str, *, replace: bool, steps: Steps, sampler: AbstractContextManager[Any]) -> tuple[float, SeedPhases]:
    """Migrate a fresh database and seed it, as `build_database` does; returns the seconds taken and the phases."""
    started = time.perf_counter()
    if is_sqlite(url):
        path = sqlite_path(url)
        if path.exists() and not replace:
            raise SystemExit(f"{path} exists: pass --replace to build it again")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".building")
        for stale in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            stale.unlink(missing_ok=True)
        build_url = f"sqlite:///{tmp}"
    else:
        _postgres_fresh(url, replace=replace)
        build_url = url
    engine = build_engine(tmp) if is_sqlite(url) else make_engine(build_url)
    phases = SeedPhases(engine)
    try:
        with phases, sampler, engine.begin() as conn:
            migrations = steps.task("migrations")
            migrate(conn)
            migrations.finish()
            seed(conn, ds, steps=steps)
        vacuum(engine, steps)
    finally:
        engine.dispose()
    if is_sqlite(url):
        swap_in(tmp, path)
    return time.perf_counter() - started, phases


def database_size(url: str) -> int:
    if is_sqlite(url):
        path = sqlite_path(url)
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    finally:
        engine.dispose()


def generate(claims: int, database: str, *, seed_value: int = 1, replace: bool = False, check_sample: int = CHECKED_CLAIMS,
             profile: int = 0, cprofile: int = 0, index_documents: bool = False, steps: Steps | None = None) -> Report:
    """Generate, check and build; the report of what was built. `index_documents`: build from an `IndexedDataset`."""
    steps = steps or Steps(enabled=False)
    report = Report(claims=claims, seed=seed_value, database=make_url(database).render_as_string(hide_password=True))
    started = time.perf_counter()
    ds, stats, curated = synthesize(claims, seed_value, steps)
    if index_documents:
        ds = IndexedDataset.of(ds)
    report.index_documents = index_documents
    report.seconds["generate"] = time.perf_counter() - started
    report.corpus = asdict(stats)
    started = time.perf_counter()
    problems, report.checked = check(ds, curated, sample=check_sample, seed_value=seed_value, steps=steps)
    report.seconds["check"] = time.perf_counter() - started
    if problems:
        raise SystemExit("the generated records do not pass the checks:\n" + "\n".join(f"  - {p}" for p in problems[:40]))
    sampler = Sampler() if profile else None
    profiler = cProfile.Profile() if cprofile else None
    report.seconds["build"], phases = build(ds, database, replace=replace, steps=steps, sampler=sampler or profiler or nothing())
    report.seed_phases = phases.report(report.seconds["build"])
    report.fingerprint = ds.fingerprint
    report.counts = {
        "claims": len(ds.claims), "actors": len(ds.actors), "sources": len(ds.sources), "held documents": len(ds.documents),
        "contradictions": len(ds.contradictions), "corroborations": len(ds.corroborations),
        "proposed contradictions": sum(1 for x in ds.contradictions.values() if x.origin != "curated"),
        "proposed corroborations": sum(1 for y in ds.corroborations.values() if y.origin != "curated"),
        "propositions": len(set(ds.propositions.values())),
    }
    report.database_bytes = database_size(database)
    report.peak_memory_bytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if sampler:
        report.profile_samples = sampler.samples
        report.profile_cpu_seconds = sampler.weight
        report.profile = [*sampler.top(profile, by_total=True), ("--- by self time", 0.0, 0.0), *sampler.top(profile)]
    if profiler:
        out = io.StringIO()
        calls = pstats.Stats(profiler, stream=out)
        calls.sort_stats("cumulative").print_stats(cprofile)
        calls.sort_stats("tottime").print_stats(cprofile)
        report.cprofile = out.getvalue()
    return report


# -- output


def lines(report: Report) -> Iterator[str]:
    indexed = " (documents indexed by bench/indexed.py)" if report.index_documents else ""
    yield f"built {report.claims:,} claims (seed {report.seed}) into {report.database}{indexed}"
    yield "  " + ", ".join(f"{k} {v:,}" for k, v in report.counts.items())
    corpus = {k: v for k, v in report.corpus.items() if k != "rare_claims"}
    yield "  generated: " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in corpus.items())
    yield "  checked: " + ", ".join(f"{k} {v:,}" for k, v in report.checked.items())
    yield "  time: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
    yield f"  database size: {report.database_bytes / 1e6:,.1f} MB; peak memory of the build: {report.peak_memory_bytes / 2**20:,.0f} MiB"
    yield "  where the build's time went:"
    build = report.seconds["build"]
    for label, seconds, calls in report.seed_phases:
        yield f"    {seconds:8.1f} s {100 * seconds / build:5.1f}%  {label}" + (f" ({calls:,} calls)" if calls else "")
    if report.profile:
        yield (f"  sampling profile of the build ({report.profile_samples:,} samples over {report.profile_cpu_seconds:,.1f} s of CPU):"
               " self %, total %, function")
        for where, own, total in report.profile:
            yield f"    {own:5.1f} {total:5.1f}  {where}" if total else f"  {where}"
    if report.cprofile:
        yield report.cprofile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, required=True, help="claims in the database (119: the curated dataset alone)")
    parser.add_argument("--database", required=True, help="sqlite:///path/to/file.db or postgresql://user@host:port/name")
    parser.add_argument("--seed", type=int, default=1, help="the corpus is the same for the same seed (default 1)")
    parser.add_argument("--replace", action="store_true", help="replace an existing database file or PostgreSQL database")
    parser.add_argument("--check", type=int, default=CHECKED_CLAIMS, metavar="N",
                        help=f"generated claims checked, a seeded sample when there are more (default {CHECKED_CLAIMS})")
    parser.add_argument("--plain-dataset", action="store_true",
                        help="build from the loader's Dataset, not bench/indexed.py's IndexedDataset (the same data; quadratic in documents)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the N functions the build spent most time in")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N", help="profile the build with cProfile instead (slower)")
    parser.add_argument("--report", type=Path, help="also write the report as JSON to this file")
    args = parser.parse_args(argv)
    with Steps() as steps:
        report = generate(args.claims, args.database, seed_value=args.seed, replace=args.replace, check_sample=args.check,
                          profile=args.profile, cprofile=args.cprofile, index_documents=not args.plain_dataset, steps=steps)
    print("\n".join(lines(report)))
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(asdict(report), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
