"""Write-path detection benchmark: how long the engine takes for one new claim in a large database.

    python bench/detect.py [--claims 100000] [--sample 200] [--seed 1] [--profile 40]

It builds a database of `--claims` claims from the curated dataset, through the project's own code
(`load_dataset`, the migrations, `seed`, which runs the engine over every claim), in a temporary
SQLite file (WAL) that it removes at the end, and prints the build time and what the database holds.
The curated claims are copied with new ids. In each copy, every country is replaced by one of
`--countries` generated countries (a seeded random choice per copy), every person or body acting for
a country by a generated stand-in acting for the generated one, and every other actor by one of
`--countries` generated variants of it; this applies to the subject, recipient and object actor, to
direct and indirect speakers, and to the claimant of direct speech (who is its speaker), so the
claimant and speaker rules hold as in the curated data, and each lookup key (proposition, pair,
speaker, outcome) holds a handful of claims, as in a large real corpus, not one entry per copy. Each
copy quotes its own copy of the held documents (same text and quotes, new source id; cited sources
stay shared), so a document is quoted by as many claims as in the curated data. Curated
contradictions and corroborations stay with the originals. A sample of the generated claims, and
every generated actor and source, pass the write path's record checks before the build.

It then takes `--sample` new claims (variations of curated claims with the generated actors of a
random copy, half of them negated, so that they have candidates and the rules find something) and,
for each, in a write transaction rolled back afterwards, times what a claim POST runs: the engine
(`EngineWrites.after_claim`, after the claim is inserted as `Writer.create` inserts it), and, in a
second transaction, the whole `Writer.create`. The same is measured on the curated dataset alone
(119 claims), to show whether detection grows with the database.

At 100,000 claims it needs about 2.5 GB of memory and 2 GB of disk, and about 13 minutes on two
cores, most of it the build.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, func, select, text  # noqa: E402

from api.dataset.checks import RecordChecks  # noqa: E402
from api.dataset.loader import Dataset, load_dataset  # noqa: E402
from api.engine.propositions import facts_of  # noqa: E402
from api.engine.run import world_of  # noqa: E402
from api.engine.world import Span, World, world_in  # noqa: E402
from api.services.engine import EngineWrites  # noqa: E402
from api.services.writes import Writer  # noqa: E402
from api.store.db import make_engine, migrate  # noqa: E402
from api.store.records import TABLE_OF  # noqa: E402
from api.store.seed import seed  # noqa: E402
from schemas.dataset import ActorIn, ClaimIn, CoverageIn, DocumentFile, NameIn  # noqa: E402
from schemas.tables import ClaimKey, table_of  # noqa: E402
from schemas.vocab import ActorKind, Polarity, Speech  # noqa: E402

GENERATED = "actors.yaml"
TARGET_MS = 10.0


# -- the generated dataset


@dataclass(frozen=True)
class Slot:
    """An actor reference of a curated claim, and the curated country it acts for at the claim's time."""

    actor: str
    state: str | None


@dataclass(frozen=True)
class Plan:
    """What changes in a curated claim from one copy to the next."""

    claim: ClaimIn
    file: str
    subject: Slot
    recipient: Slot | None
    obj: Slot | None
    speakers: tuple[Slot | None, ...]  # per evidence item
    claimant: Slot | None  # only when the claimant is a direct speaker (otherwise it is the reporter, kept)


class Generator:
    def __init__(self, ds: Dataset, *, countries: int, seed: int, copy_documents: bool, spread_speakers: bool) -> None:
        self.ds = ds
        self.seed = seed
        self.copy_documents = copy_documents
        self.spread_speakers = spread_speakers
        self.world: World = world_of(ds)
        self.states = sorted(a.id for a in ds.actors.values() if a.kind is ActorKind.COUNTRY)
        self.countries = [f"country-{i:03d}" for i in range(1, countries + 1)]
        self.curated = list(ds.claims.values())
        self.plans = [self._plan(c) for c in self.curated]
        slots = [x for p in self.plans for x in (p.subject, p.recipient, p.obj, p.claimant, *p.speakers) if x is not None]
        self.free = sorted({x.actor for x in slots if x.state is None})
        self.held = {doc.source.id: (file, doc) for file, doc in ds.documents.items()}
        self.new_actors: dict[str, ActorIn] = {}
        for i, cid in enumerate(self.countries, start=1):
            self._add_actor(ActorIn(
                id=cid, kind=ActorKind.COUNTRY, name=f"Country {i:03d}", names=[NameIn(value=f"Country {i:03d}", language="en")],
                description="A generated country (bench/detect.py).",
            ))

    def _slot(self, actor: str | None, when: Span | None) -> Slot | None:
        if actor is None:
            return None
        party = self.world.party(actor, when)
        return Slot(actor, party if party in self.states else None)

    def _plan(self, c: ClaimIn) -> Plan:
        when, _ = self.world.when(c)
        direct = {ev.speaker for ev in c.evidence if ev.speech is Speech.DIRECT}
        subject = self._slot(c.subject, when)
        assert subject is not None
        return Plan(
            claim=c, file=self.ds.origin[f"claim:{c.id}"], subject=subject, recipient=self._slot(c.recipient, when),
            obj=self._slot(c.object.actor if c.object else None, when),
            speakers=tuple(self._slot(ev.speaker, when) if self.spread_speakers else None for ev in c.evidence),
            claimant=self._slot(c.claimant, when) if self.spread_speakers and c.claimant in direct else None,
        )

    def _add_actor(self, actor: ActorIn) -> None:
        self.new_actors[actor.id] = actor

    def mapping(self, copy: int) -> dict[str, str]:
        """Curated actor -> generated one, for one copy (copy 0 is the curated dataset itself): each curated
        country -> a generated country; each actor acting for none -> one of `countries` variants of it."""
        if copy == 0:
            return {}
        rng = random.Random(f"{self.seed}:{copy}")
        out = dict(zip(self.states, rng.sample(self.countries, len(self.states)), strict=True))
        out.update((a, f"{a}-v{rng.randrange(len(self.countries)):03d}") for a in self.free)
        return out

    def _swap(self, slot: Slot | None, mapping: dict[str, str]) -> str | None:
        if slot is None or not mapping:
            return None if slot is None else slot.actor
        orig = self.ds.actors[slot.actor]
        if slot.state is None:
            # An actor acting for no state: a variant of it (a different outlet, group, document...).
            new_id = mapping[slot.actor]
            name, speaks_for = f"{orig.name} {new_id.rsplit('-v', 1)[1]}", orig.speaks_for
        elif slot.actor == slot.state:
            return mapping[slot.state]
        else:
            # A person or body acting for a state: a stand-in acting for the generated country.
            country = mapping[slot.state]
            new_id = f"{slot.actor}-of-{country}"
            name, speaks_for = f"{orig.name} ({self.new_actors[country].name})", country
        if new_id not in self.new_actors:
            self._add_actor(ActorIn(
                id=new_id, kind=orig.kind, name=name, names=[NameIn(value=name, language="en")], unnamed=orig.unnamed,
                description=f"A generated stand-in for {orig.name} (bench/detect.py).", speaks_for=speaks_for,
            ))
        return new_id

    def source_of(self, source_id: str, copy: int) -> str:
        if copy == 0 or not self.copy_documents or source_id not in self.held:
            return source_id
        return f"{source_id}-c{copy:04d}"

    def claim(self, plan: Plan, copy: int, claim_id: str, mapping: dict[str, str], *, negate: bool = False) -> ClaimIn:
        data: dict[str, Any] = plan.claim.model_dump(mode="json")
        data["id"] = claim_id
        data["subject"] = self._swap(plan.subject, mapping)
        data["recipient"] = self._swap(plan.recipient, mapping)
        if plan.obj is not None:
            data["object"]["actor"] = self._swap(plan.obj, mapping)
        if plan.claimant is not None:
            data["claimant"] = self._swap(plan.claimant, mapping)
        for ev, slot in zip(data["evidence"], plan.speakers, strict=True):
            if slot is not None:
                ev["speaker"] = self._swap(slot, mapping)
            ev["source"] = self.source_of(ev["source"], copy)
        if negate:
            data["polarity"] = (Polarity.NEGATED if plan.claim.polarity is Polarity.AFFIRMED else Polarity.AFFIRMED).value
        return ClaimIn.model_validate(data)

    def copy_id(self, claim_id: str, copy: int) -> str:
        return f"{claim_id}-c{copy:04d}"

    def copied_documents(self, copy: int, claims: set[str]) -> list[tuple[str, str, DocumentFile]]:
        """(original source id, file, document): each held document again, under a new source id, with the
        same text and the copy's claims in its coverage account."""
        out = []
        for source_id, (file, doc) in self.held.items():
            src = doc.source.model_copy(update={"id": self.source_of(source_id, copy)})
            coverage = []
            for seg in doc.coverage:
                ids = [self.copy_id(c, copy) for c in seg.claims if self.copy_id(c, copy) in claims]
                reason = seg.reason or (None if ids else "its claims are not copied (bench/detect.py)")
                coverage.append(CoverageIn.model_validate({**seg.model_dump(mode="json"), "claims": ids, "reason": reason}))
            out.append((source_id, self.copy_file(file, copy), DocumentFile(source=src, coverage=coverage)))
        return out

    def build(self, n_claims: int, check_sample: int) -> dict[str, Any]:
        """Add copies to the dataset until it holds `n_claims` claims; check a sample of what was added."""
        ds = self.ds
        copies: list[tuple[int, list[ClaimIn]]] = []
        remaining = n_claims - len(self.curated)
        copy = 0
        while remaining > 0:
            copy += 1
            mapping = self.mapping(copy)
            take = self.plans[:remaining]
            copies.append((copy, [self.claim(p, copy, self.copy_id(p.claim.id, copy), mapping) for p in take]))
            remaining -= len(take)
        documents: list[tuple[str, str, DocumentFile]] = []
        if self.copy_documents:
            documents = [d for k, cs in copies for d in self.copied_documents(k, {c.id for c in cs})]
        # Check the generated actors and sources, and a sample of the claims, against the dataset as it
        # will be (the checks resolve references through it), before any claim is added.
        for actor in self.new_actors.values() if copies else []:
            ds.actors[actor.id] = actor
            ds.origin[f"actor:{actor.id}"] = GENERATED
        for original, file, doc in documents:
            ds.documents[file] = doc
            ds.sources[doc.source.id] = doc.source
            ds.texts[doc.source.id] = ds.texts[original]
            ds.origin[f"source:{doc.source.id}"] = file
        problems: list[str] = []

        def report(where: str) -> Callable[[tuple[str | int, ...], str, str], None]:
            return lambda loc, msg, _type: problems.append(f"{where} {loc}: {msg}")

        rng = random.Random(self.seed)
        all_claims = [c for _, cs in copies for c in cs]
        sample = rng.sample(all_claims, min(check_sample, len(all_claims)))
        ds.reindex()
        for actor in self.new_actors.values() if copies else []:
            RecordChecks(ds, report(f"actor {actor.id}")).actor(actor)
        for _, _, doc in documents:
            RecordChecks(ds, report(f"source {doc.source.id}")).source(doc.source)
        for c in sample:
            RecordChecks(ds, report(f"claim {c.id}")).claim(c)
        if problems:
            raise SystemExit("generated records do not validate:\n" + "\n".join(problems[:30]))
        for k, cs in copies:
            for plan, c in zip(self.plans, cs, strict=False):
                ds.claims[c.id] = c
                ds.origin[f"claim:{c.id}"] = self.copy_file(plan.file, k) if self.copy_documents else plan.file
        ds.reindex()
        full = sum(1 for _, cs in copies if len(cs) == len(self.plans))
        return {"copies": len(copies), "full copies": full, "checked": len(sample), "documents": len(ds.documents), "actors": len(ds.actors)}

    @staticmethod
    def copy_file(file: str, copy: int) -> str:
        return file.replace(".yaml", f"-c{copy:04d}.yaml") if file.startswith("documents/") else file

    def new_claims(self, count: int, copies: int) -> list[ClaimIn]:
        """Variations of curated claims with the generated actors of a random copy (0: the curated
        dataset): each a new id, half of them negated, so that the rules have something to find."""
        rng = random.Random(f"{self.seed}:new")
        out = []
        for i in range(count):
            plan = rng.choice(self.plans)
            copy = rng.randint(0, copies)
            out.append(self.claim(plan, copy, f"bench-new-{i:04d}", self.mapping(copy), negate=rng.random() < 0.5))
        return out


# -- the database


def build(ds: Dataset, path: Path) -> tuple[Engine, float]:
    """Migrate a fresh SQLite file and seed it, as `build_database` does; returns the engine and the seconds taken."""
    started = time.perf_counter()
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        migrate(conn)
        seed(conn, ds)
    raw = sqlite3.connect(path)
    try:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    return engine, time.perf_counter() - started


def counts(engine: Engine) -> dict[str, int]:
    key = table_of(ClaimKey)
    with engine.connect() as conn:
        out = {
            "claims": conn.execute(select(func.count()).select_from(TABLE_OF["claim"])).scalar_one(),
            "actors": conn.execute(select(func.count()).select_from(TABLE_OF["actor"])).scalar_one(),
            "sources": conn.execute(select(func.count()).select_from(TABLE_OF["source"])).scalar_one(),
            "claim_key rows": conn.execute(select(func.count()).select_from(key)).scalar_one(),
            "keys": conn.execute(select(func.count(key.c.key.distinct()))).scalar_one(),
            "proposition keys": conn.execute(select(func.count(key.c.key.distinct())).where(key.c.key.like("k:%"))).scalar_one(),
        }
        for kind in ("contradiction", "corroboration"):
            t = TABLE_OF[kind]
            out[f"proposed {kind}s"] = conn.execute(select(func.count()).select_from(t).where(t.c.origin != "curated")).scalar_one()
        largest = "SELECT count(*) AS n FROM claim_key WHERE key LIKE :prefix GROUP BY key ORDER BY n DESC LIMIT 1"
        for prefix in ("k", "p", "s", "o"):
            out[f"largest {prefix}: key"] = conn.execute(text(largest), {"prefix": f"{prefix}:%"}).scalar() or 0
    return out


# -- the measurements


@contextmanager
def rolled_back(engine: Engine) -> Iterator[Writer]:
    """A write transaction (BEGIN IMMEDIATE, as the API's) that is rolled back at the end."""
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            yield Writer(conn, api_key_id=None)
        finally:
            trans.rollback()


@dataclass
class Run:
    candidates: int
    detections: int
    detect_ms: float
    create_ms: float


def measure(engine: Engine, claim: ClaimIn, profiler: cProfile.Profile | None = None) -> Run:
    # Detection alone: the claim is inserted (with its keys) as `Writer.create` does, then the engine runs.
    with rolled_back(engine) as w:
        w._insert_record("claim", claim, w._file_for("claim", claim, False))
        engine_writes = EngineWrites(w)
        started = time.perf_counter()
        affected = engine_writes.after_claim(claim.id, None, claim)
        detect_ms = (time.perf_counter() - started) * 1000
        detections = len(affected["contradiction"]) + len(affected["corroboration"])
        world = world_in(w.g)
        candidates = len(engine_writes._candidates(facts_of(claim, world), world))  # counted after the timing
    # The whole create, as a POST runs it (checks, rows, keys, engine, rendering).
    with rolled_back(engine) as w:
        if profiler:
            profiler.enable()
        started = time.perf_counter()
        w.create("claim", claim)
        create_ms = (time.perf_counter() - started) * 1000
        if profiler:
            profiler.disable()
    return Run(candidates, detections, detect_ms, create_ms)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(label: str, runs: list[Run]) -> dict[str, float]:
    cands = [r.candidates for r in runs]
    det = [r.detect_ms for r in runs]
    cre = [r.create_ms for r in runs]
    row = {
        "candidates_mean": statistics.mean(cands), "candidates_max": max(cands),
        "detections_mean": statistics.mean(r.detections for r in runs),
        "detect_median": statistics.median(det), "detect_p95": pct(det, 95), "detect_max": max(det),
        "create_median": statistics.median(cre), "create_p95": pct(cre, 95), "create_max": max(cre),
    }
    print(f"{label:<16} {row['candidates_mean']:>6.1f} {row['candidates_max']:>5} {row['detections_mean']:>6.2f}"
          f" {row['detect_median']:>8.2f} {row['detect_p95']:>8.2f} {row['detect_max']:>8.2f}"
          f" {row['create_median']:>8.2f} {row['create_p95']:>8.2f} {row['create_max']:>8.2f}")
    return row


HEADER = (f"{'database':<16} {'cand':>6} {'max':>5} {'found':>6} {'det p50':>8} {'det p95':>8} {'det max':>8}"
          f" {'cre p50':>8} {'cre p95':>8} {'cre max':>8}")


def bench(label: str, n_claims: int, args: argparse.Namespace, workdir: Path) -> tuple[str, list[Run]]:
    print(f"\n== {label}: {n_claims} claims", flush=True)
    started = time.perf_counter()
    ds = load_dataset()
    gen = Generator(ds, countries=args.countries, seed=args.seed, copy_documents=not args.shared_documents,
                    spread_speakers=not args.keep_speakers)
    info = gen.build(n_claims, args.check)
    print(f"generated in {time.perf_counter() - started:.1f} s: {info}", flush=True)
    path = workdir / f"{label}.db"
    profiler = cProfile.Profile() if args.profile and n_claims else None
    if profiler:
        profiler.enable()
    engine, seconds = build(ds, path)
    if profiler:
        profiler.disable()
        print("profile of the build:")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    try:
        print(f"built in {seconds:.1f} s ({path.stat().st_size / 1e6:.0f} MB): {counts(engine)}", flush=True)
        claims = gen.new_claims(args.sample, info["full copies"])
        for c in claims[: args.warmup]:
            measure(engine, c)
        writes = cProfile.Profile() if args.profile and n_claims else None
        runs = [measure(engine, c, writes) for c in claims]
        if writes:
            print(f"profile of {len(claims)} Writer.create runs:")
            pstats.Stats(writes).sort_stats("cumulative").print_stats(args.profile)
    finally:
        engine.dispose()
    return label, runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=100_000, help="size of the large database (default 100000)")
    parser.add_argument("--sample", type=int, default=200, help="new claims measured per database")
    parser.add_argument("--countries", type=int, default=500, help="generated countries")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check", type=int, default=500, help="generated claims checked with the write path's record checks")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--shared-documents", action="store_true", help="copies quote the curated documents themselves")
    parser.add_argument("--keep-speakers", action="store_true", help="copies keep the curated speakers and claimants")
    parser.add_argument("--profile", type=int, default=0, metavar="LINES", help="profile the large build and the creates, print this many lines")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="claims-detect-"))
    try:
        results = [bench("curated", 0, args, workdir), bench(f"{args.claims}", args.claims, args, workdir)]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nper new claim ({args.sample} claims, each in a transaction rolled back after it): candidates (mean, max),"
          " relations proposed or updated, detection ms (EngineWrites.after_claim), create ms (Writer.create)")
    print(HEADER)
    rows = {label: summary(label, runs) for label, runs in results}
    large = rows[f"{args.claims}"]
    def under(ms: float) -> str:
        return "under" if ms < TARGET_MS else "over"

    print(f"\ndetection at {args.claims} claims: median {large['detect_median']:.1f} ms ({under(large['detect_median'])} the"
          f" {TARGET_MS:.0f} ms target), p95 {large['detect_p95']:.1f} ms ({under(large['detect_p95'])})")
    print(json.dumps({label: {k: round(v, 2) for k, v in row.items()} for label, row in rows.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
