"""Command line: `python -m api.cli check | build | locate | openapi`."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from api.loader import DATA_DIR, DatasetError, load_dataset


def _check(args: argparse.Namespace) -> int:
    try:
        ds = load_dataset(Path(args.data))
    except DatasetError as exc:
        print(exc, file=sys.stderr)
        return 1
    from api.coverage import coverage_problems
    from api.lint import statement_problems

    problems = statement_problems(ds) + coverage_problems(ds)
    if problems:
        print("the dataset is invalid:\n" + "\n".join(f"  - {p}" for p in problems), file=sys.stderr)
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
    ):
        print(f"\n{title}: " + ", ".join(f"{k} {v}" for k, v in sorted(counter.items())))
    return 0


def _locate(args: argparse.Namespace) -> int:
    text = Path(args.file).read_text(encoding="utf-8")
    start = text.find(args.quote)
    if start < 0:
        print("not found", file=sys.stderr)
        return 1
    while start >= 0:
        print(f"start: {start}\nend: {start + len(args.quote)}")
        start = text.find(args.quote, start + 1)
    return 0


def _format(args: argparse.Namespace) -> int:
    from api.yamlio import format_files

    changed = format_files(Path(args.data), write=not args.check)
    for path in changed:
        print(f"{'not canonical' if args.check else 'formatted'}: {path}")
    return 1 if (args.check and changed) else 0


def _coverage(args: argparse.Namespace) -> int:
    from api.coverage import render_coverage

    ds = load_dataset(Path(args.data))
    target = Path(args.data) / "COVERAGE.md"
    target.write_text(render_coverage(ds), encoding="utf-8")
    print(f"wrote {target}")
    return 0


def _build(args: argparse.Namespace) -> int:
    from api.config import get_settings
    from api.db import build_database

    try:
        build_database(get_settings(), force=args.force)
    except DatasetError as exc:
        print(exc, file=sys.stderr)
        return 1
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
    p = sub.add_parser("check", help="validate the dataset and print counts")
    p.add_argument("--data", default=str(DATA_DIR))
    p.set_defaults(func=_check)
    p = sub.add_parser("locate", help="print the code-point offsets of a quote in a text file")
    p.add_argument("file")
    p.add_argument("quote")
    p.set_defaults(func=_locate)
    p = sub.add_parser("format", help="rewrite the dataset files in canonical form")
    p.add_argument("--data", default=str(DATA_DIR))
    p.add_argument("--check", action="store_true", help="only list files that are not canonical")
    p.set_defaults(func=_format)
    p = sub.add_parser("coverage", help="write data/COVERAGE.md from the coverage sections")
    p.add_argument("--data", default=str(DATA_DIR))
    p.set_defaults(func=_coverage)
    p = sub.add_parser("build", help="(re)build the database from data/")
    p.add_argument("--force", action="store_true", help="rebuild even when the database is current")
    p.set_defaults(func=_build)
    p = sub.add_parser("openapi", help="write the OpenAPI document")
    p.add_argument("--output", default="openapi/openapi.json")
    p.set_defaults(func=_openapi)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
