"""List benchmark: every filter of /v1/claims and /v1/timeline (and the other lists that grow with the data), on
its first page and deep in it by cursor, under load.

    python -m bench.lists --database sqlite:///var/bench/claims-100000.db [--duration 5] [--pages 1000] [--json FILE]

The database is one bench.generate built (read only: nothing is written). One uvicorn worker serves it
(`CLAIMS_AUTO_BUILD=false`); for each list, the cursor of page `--pages` (50 claims a page; or of its last page,
whose number is printed) is found by paging, then wrk (`-t1`, `--connections`, `--duration` seconds after a
warm-up) loads the first page and that page in turn, after the bare endpoint of bench/bare_app.py and
`/healthz` for comparison (the machine's speed and its other load change between runs). It prints a Markdown
table: requests/s, p50 and p99 in milliseconds under load, the median of 20 requests sent one at a time
("alone": the page's own cost, without waiting behind the others), and the items on the first page (a first page that is not
full is the whole list), and with `--json` writes it as JSON. The filters' arguments come from the database (bench.scale's probes: an actor with one
claim, the source with the most claims, a date range holding about 1.4% of the claims).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import urllib.parse
import urllib.request
from typing import Any

from bench.loadgen import Server, require_wrk, settle, timed_get, wrk
from bench.scale import probes

ALONE = 20  # sequential requests whose median is a page's latency alone, without queueing behind the others


def lists(found: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, path without limit or cursor) of each list measured."""
    q = urllib.parse.quote
    date = f"date_from={found['date_from']}&date_to={found['date_to']}"
    claims = [
        ("claims", "/v1/claims?"),
        ("actor with one claim", f"/v1/claims?actor={q(found['actor'])}"),
        ("actor egypt (any role)", "/v1/claims?actor=egypt"),
        ("actor egypt, role=object", "/v1/claims?actor=egypt&role=object"),
        ("source (most claims)", f"/v1/claims?source={q(found['source'])}"),
        ("language=ar", "/v1/claims?language=ar"),
        ("predicate=supply_arms", "/v1/claims?predicate=supply_arms"),
        ("modality=planned", "/v1/claims?modality=planned"),
        ("polarity=negated", "/v1/claims?polarity=negated"),
        (f"date range ({found['counts']['date range claims']:,} claims)", f"/v1/claims?{date}"),
        ("date_from=2020 (wide)", "/v1/claims?date_from=2020"),
        ("as_of=2005-06-30", "/v1/claims?as_of=2005-06-30"),
        ("as_of=2023-12-31 (wide)", "/v1/claims?as_of=2023-12-31"),
        ("include_deleted, predicate", "/v1/claims?include_deleted=true&predicate=supply_arms"),
        ("egypt, supply_arms, negated", "/v1/claims?actor=egypt&predicate=supply_arms&polarity=negated"),
        ("language=ar, modality=planned", "/v1/claims?language=ar&modality=planned"),
        ("rare actor, common predicate", f"/v1/claims?actor={q(found['actor'])}&predicate=supply_arms"),
        ("egypt, date range", f"/v1/claims?actor=egypt&{date}"),
    ]
    timeline = [(f"timeline: {label}", path.replace("/v1/claims?", "/v1/timeline?")) for label, path in claims]
    others = [
        ("actors", "/v1/actors?"), ("actors kind=person", "/v1/actors?kind=person"),
        ("actor's claims (egypt)", "/v1/actors/egypt/claims?"),
        ("source's claims", f"/v1/sources/{q(found['source'])}/claims?"),
        ("sources", "/v1/sources?"), ("sources language=ar", "/v1/sources?language=ar"),
        ("sources in a date range", f"/v1/sources?{date}"),
        ("contradictions", "/v1/contradictions?"), ("contradictions status=proposed", "/v1/contradictions?status=proposed"),
        ("contradictions actor=egypt", "/v1/contradictions?actor=egypt"),
        ("corroborations", "/v1/corroborations?"), ("corroborations independent=false", "/v1/corroborations?independent=false"),
        ("corroborations actor=egypt", "/v1/corroborations?actor=egypt"),
        ("propositions", "/v1/propositions?"), ("propositions actor=egypt", "/v1/propositions?actor=egypt"),
        ("changes", "/v1/changes?"), ("changes resource=claim", "/v1/changes?resource=claim"),
    ]
    return claims + timeline + others


def deep(base: str, path: str, pages: int) -> tuple[str, int, int]:
    """The URL path of page `pages` of the list (or of its last page), its number, and the first page's length."""
    url, page, first_len = f"{path}&limit=50", 1, -1
    while True:
        with urllib.request.urlopen(base + url, timeout=600) as response:
            body = json.load(response)
        if first_len < 0:
            first_len = len(body["items"])
        if page >= pages or body["next_cursor"] is None:
            return url, page, first_len
        url, page = f"{path}&limit=50&cursor={urllib.parse.quote(body['next_cursor'])}", page + 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="the database URL (built by bench.generate)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per page (default 5)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--pages", type=int, default=1000, help="the deep page measured (default 1000)")
    parser.add_argument("--only", default="", help="measure only the lists whose label contains this")
    parser.add_argument("--json", help="write the measures to this file")
    args = parser.parse_args(argv)
    require_wrk()
    found = probes(args.database)
    results = []
    print("| list | first page: req/s | p50 ms | p99 ms | alone ms | items | deep page | req/s | p50 ms | p99 ms | alone ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with Server("bench.bare_app:app", {}) as bare:
        base = wrk(bare.base + "/bare", seconds=args.duration, connections=args.connections).as_dict()
    print(f"| bare FastAPI endpoint (bench/bare_app.py) | {base['rps']:,.0f} | {base['p50_ms']:.1f} | {base['p99_ms']:.1f} | | | | | | | |")
    with Server("api.main:app", {"DATABASE_URL": args.database, "CLAIMS_AUTO_BUILD": "false"}) as api:
        health = wrk(api.base + "/healthz", seconds=args.duration, connections=args.connections).as_dict()
        print(f"| `GET /healthz` | {health['rps']:,.0f} | {health['p50_ms']:.1f} | {health['p99_ms']:.1f} | | | | | | | |", flush=True)
        for label, path in lists(found):
            if args.only not in label:
                continue
            deep_path, page, first_len = deep(api.base, path, args.pages)
            row: dict[str, Any] = {"label": label, "path": path, "items": first_len, "deep page": page}
            for which, url in (("first", f"{path}&limit=50"), ("deep", deep_path)):
                settle(api.base)
                row[which] = wrk(api.base + url, seconds=args.duration, connections=args.connections).as_dict()
                row[which]["alone_ms"] = statistics.median(timed_get(api.base + url)[0] for _ in range(ALONE))
            results.append(row)
            f, d = row["first"], row["deep"]
            print(f"| {label} | {f['rps']:,.0f} | {f['p50_ms']:.1f} | {f['p99_ms']:.1f} | {f['alone_ms']:.1f} | {first_len} |"
                  f" {page:,} | {d['rps']:,.0f} | {d['p50_ms']:.1f} | {d['p99_ms']:.1f} | {d['alone_ms']:.1f} |", flush=True)
            if f["errors"] or d["errors"]:
                print(f"  errors: {f['errors']} first, {d['errors']} deep", file=sys.stderr)
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"database": args.database, "probes": found, "bare": base, "healthz": health, "lists": results}, out, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
