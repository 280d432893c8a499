"""Command line: `python -m api.cli check | build | locate | openapi`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from api.dataset.files import read_text, write_text
from api.dataset.loader import DATA_DIR, DatasetError, load_dataset


def _check(args: argparse.Namespace) -> int:
    from api.dataset.validate import dataset_problems

    ds, problems = dataset_problems(Path(args.data))
    if problems:
        print(DatasetError(problems), file=sys.stderr)
        return 1
    print(f"dataset OK: {len(ds.actors)} actors, {len(ds.sources)} sources, {len(ds.claims)} claims, "
          f"{len(ds.contradictions)} contradictions, {len(ds.corroborations)} corroborations")
    print(f"\n{'document':<30} {'claims':>6} {'sources':>7} {'actors':>6} {'roles':>5} {'contra':>6} {'corrob':>6} {'passages':>8}")
    for name, doc in ds.documents.items():
        print(f"{name:<30} {len(doc.claims):>6} {1 + len(doc.sources):>7} {len(doc.actors):>6} {len(doc.roles):>5} "
              f"{len(doc.contradictions):>6} {len(doc.corroborations):>6} {len(doc.coverage):>8}")
    links = sum(1 for x in ds.contradictions if ds.origin[f"contradiction:{x}"] == "links.yaml")
    links_y = sum(1 for y in ds.corroborations if ds.origin[f"corroboration:{y}"] == "links.yaml")
    print(f"{'links.yaml (across documents)':<30} contradictions {links}, corroborations {links_y}")
    for title, counter in (
        ("actor kinds", Counter(a.kind.value for a in ds.actors.values())),
        ("source kinds", Counter(s.kind.value for s in ds.sources.values())),
        ("predicates", Counter(c.predicate.value for c in ds.claims.values())),
        ("modalities", Counter(c.modality.value for c in ds.claims.values())),
        ("polarities", Counter(c.polarity.value for c in ds.claims.values())),
        ("contradiction kinds", Counter(x.kind.value for x in ds.contradictions.values())),
        ("contradiction statuses", Counter(x.status.value for x in ds.contradictions.values())),
        ("corroboration kinds", Counter(y.kind.value for y in ds.corroborations.values())),
        ("corroboration statuses", Counter(y.status.value for y in ds.corroborations.values())),
        ("evidence speech", Counter(ev.speech.value for c in ds.claims.values() for ev in c.evidence)),
    ):
        print(f"\n{title}: " + ", ".join(f"{k} {v}" for k, v in sorted(counter.items())))
    return 0


def _locate(args: argparse.Namespace) -> int:
    text = read_text(Path(args.file))
    start = text.find(args.quote)
    if start < 0:
        print("not found", file=sys.stderr)
        return 1
    while start >= 0:
        print(f"start: {start}\nend: {start + len(args.quote)}")
        start = text.find(args.quote, start + 1)
    return 0


def _format(args: argparse.Namespace) -> int:
    from api.dataset.yamlio import format_files

    changed = format_files(Path(args.data), write=not args.check)
    for path in changed:
        print(f"{'not canonical' if args.check else 'formatted'}: {path}")
    return 1 if (args.check and changed) else 0


def _coverage(args: argparse.Namespace) -> int:
    from api.dataset.coverage import render_coverage

    ds = load_dataset(Path(args.data))
    target = Path(args.data) / "COVERAGE.md"
    write_text(target, render_coverage(ds))
    print(f"wrote {target}")
    return 0


def _build(args: argparse.Namespace) -> int:
    """Build the database from the dataset when it is missing or the dataset has changed (`--force`: always). A
    changed dataset is checked first, every stage of `check` (api/dataset/validate.py): with any problem, all of
    them are listed, nothing is built and the exit status is 1, whether or not the database holds API writes. A
    valid one that the database's API writes keep from being built is said so, with what to do (exit status 0:
    the database is served as it is)."""
    from api.config import get_settings
    from api.dataset.loader import fingerprint
    from api.dataset.validate import dataset_problems
    from api.progress import Steps
    from api.store.seed import build_database

    settings = get_settings()
    built_from = _built_fingerprint(settings.database_url)
    changed = args.force or built_from != fingerprint(settings.data_dir)
    if changed:
        _, problems = dataset_problems(settings.data_dir)
        if problems:
            print(DatasetError(problems), file=sys.stderr)
            print(f"nothing was built: {settings.data_dir} is invalid (the database is as it was)", file=sys.stderr)
            return 1
    try:
        with Steps() as steps:  # progress bars on a terminal (stderr), nothing elsewhere
            built = build_database(settings, force=args.force, steps=steps)
    except DatasetError as exc:
        print(exc, file=sys.stderr)
        return 1
    if changed and not built and built_from is not None:
        print(f"{settings.data_dir} is valid and has changed since the database was built, but the database holds writes"
              " made through the API: it was not rebuilt, so as not to lose them. Write them back to the dataset first"
              " (python -m api.cli export --output DIR), or rebuild from the dataset alone with build --force.", file=sys.stderr)
    return 0


def _built_fingerprint(database_url: str) -> str | None:
    """The fingerprint of the dataset the database was last built from (api/store/seed.py); None when there is no
    database yet, or no build in it. Reads only: an SQLite file that does not exist is not created."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from api.store.db import is_sqlite, make_engine, sqlite_path

    if is_sqlite(database_url) and not sqlite_path(database_url).exists():
        return None
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            try:
                row = conn.execute(text("SELECT value FROM meta WHERE key = 'fingerprint'")).first()
            except (OperationalError, ProgrammingError):  # no `meta` table: nothing was built into it yet
                return None
    finally:
        engine.dispose()
    return None if row is None else str(row[0])


def _engine_for_cli() -> Any:
    from api.config import get_settings
    from api.progress import Steps
    from api.store.db import make_engine
    from api.store.seed import build_database, require_built

    settings = get_settings()
    if settings.auto_build:  # as at start-up: CLAIMS_AUTO_BUILD=false leaves the database as it is
        with Steps() as steps:
            build_database(settings, steps=steps)
    else:
        require_built(settings.database_url)
    return make_engine(settings.database_url)


def _keys(args: argparse.Namespace) -> int:
    from api.http.auth import create_key, list_keys, revoke_key
    from schemas.timestamps import rfc3339

    # Nothing is printed until the transaction has committed: a key shown (or a revocation reported) is one that
    # is stored, even when printing fails and the command exits with an error.
    engine = _engine_for_cli()
    try:
        with engine.begin() as conn:
            if args.keys_command == "create":
                try:
                    token = create_key(conn, name=args.name, scopes=[s.strip() for s in args.scopes.split(",") if s.strip()])
                except ValueError as exc:
                    print(f"error: {exc}", file=sys.stderr)
                    return 2
            elif args.keys_command == "list":
                rows = list_keys(conn)
            else:
                revoked = revoke_key(conn, args.key_id)
    finally:
        engine.dispose()
    if args.keys_command == "create":
        print(token)
        print("Keep this key now: it is stored only as a hash and cannot be shown again.", file=sys.stderr)
    elif args.keys_command == "list":
        for row in rows:
            state = f"revoked {rfc3339(row.revoked_at)}" if row.revoked_at else "active"
            print(f"{row.id}  {row.scopes:<17} created {rfc3339(row.created_at)}  {state:<35} {row.name}")
    elif not revoked:
        print(f"no active key '{args.key_id}'", file=sys.stderr)
        return 1
    else:
        print(f"revoked {args.key_id}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from api.progress import Steps
    from api.store.export import export_dataset

    engine = _engine_for_cli()
    try:
        with engine.connect() as conn, Steps() as steps:  # on a terminal, a bar with the time elapsed while it writes
            task = steps.task(f"exporting to {args.output}")
            written = export_dataset(conn, Path(args.output))
            task.advance(len(written))
            task.finish()
    finally:
        engine.dispose()
    print(f"wrote {len(written)} files to {args.output}")
    return 0


def _detect(args: argparse.Namespace) -> int:
    from api.engine.run import detect_dataset, evaluate_dataset

    ds = load_dataset(Path(args.data))
    if not args.evaluate:
        _, detections = detect_dataset(ds)
        for d in detections:
            print(f"{d.rule:26} {d.kind:24} {d.a}  ->  {d.b}\n    {d.explanation}")
        print(f"\n{len(detections)} relations proposed")
        return 0
    detections, ev = evaluate_dataset(ds)
    print(f"{len(detections)} relations proposed on the dataset with its curated relations unseen\n")
    print(f"{'kind':26} {'curated':>7} {'found':>5} {'recall':>7} {'proposed':>8} {'confirmed':>9} {'precision':>9}")
    for kind, score in sorted(ev.kinds.items()):
        recall = "-" if score.recall is None else f"{score.recall:.0%}"
        precision = "-" if score.precision is None else f"{score.precision:.0%}"
        print(f"{kind:26} {len(score.curated):>7} {len(score.found):>5} {recall:>7} {score.detected:>8} {score.confirmed:>9} {precision:>9}")
    for kind, missed in sorted(ev.missed.items()):
        print(f"\nmissed ({kind}): " + ", ".join(missed))
    print(f"\nproposed, matching a relation rejected on review ({len(ev.against_rejected)}):")
    for d, rejected in ev.against_rejected:
        print(f"  {d.rule} {d.kind}: {d.a} / {d.b} (rejected as {rejected})")
    print(f"\nproposed, confirmed by no curated relation: to be judged ({len(ev.unconfirmed)}):")
    for d in ev.unconfirmed:
        print(f"  {d.rule} {d.kind}: {d.a} / {d.b}\n    {d.explanation}")
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from api.main import create_app

    document = json.dumps(create_app().openapi(), indent=2, ensure_ascii=False) + "\n"
    Path(args.output).write_text(document, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    # The dataset commands read CLAIMS_DATA_DIR as the server and `build` do (api.config.Settings); --data overrides it.
    data_dir = str(os.environ.get("CLAIMS_DATA_DIR") or DATA_DIR)
    p = sub.add_parser("check", help="validate the dataset and print counts")
    p.add_argument("--data", default=data_dir)
    p.set_defaults(func=_check)
    p = sub.add_parser("locate", help="print the code-point offsets of a quote in a text file")
    p.add_argument("file")
    p.add_argument("quote")
    p.set_defaults(func=_locate)
    p = sub.add_parser("format", help="rewrite the dataset files in canonical form")
    p.add_argument("--data", default=data_dir)
    p.add_argument("--check", action="store_true", help="only list files that are not canonical")
    p.set_defaults(func=_format)
    p = sub.add_parser("coverage", help="write data/COVERAGE.md from the coverage sections")
    p.add_argument("--data", default=data_dir)
    p.set_defaults(func=_coverage)
    p = sub.add_parser("build", help="(re)build the database from data/")
    p.add_argument("--force", action="store_true", help="rebuild even when the database is current")
    p.set_defaults(func=_build)
    p = sub.add_parser("keys", help="create, list and revoke API keys")
    keys = p.add_subparsers(dest="keys_command", required=True)
    k = keys.add_parser("create", help="create a key and print it (once)")
    k.add_argument("--name", required=True, help="who or what the key is for")
    k.add_argument("--scopes", default="read,write", help="comma-separated: read, write, admin")
    keys.add_parser("list", help="list keys (never their secrets)")
    k = keys.add_parser("revoke", help="revoke a key by its id")
    k.add_argument("key_id")
    p.set_defaults(func=_keys)
    p = sub.add_parser("export", help="write the database back to the data/ format")
    p.add_argument("--output", default=data_dir, help="folder to write (default: CLAIMS_DATA_DIR, or data/)")
    p.set_defaults(func=_export)
    p = sub.add_parser("detect", help="run the detection rules over the dataset")
    p.add_argument("--data", default=data_dir)
    p.add_argument("--evaluate", action="store_true", help="score them against the curated relations, hidden from the rules")
    p.set_defaults(func=_detect)
    p = sub.add_parser("openapi", help="write the OpenAPI document")
    p.add_argument("--output", default="openapi/openapi.json")
    p.set_defaults(func=_openapi)
    args = parser.parse_args(argv)
    from api.store.seed import NotBuilt

    try:
        return int(args.func(args))
    except NotBuilt as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
