"""Whether a Schemathesis run exercised the writes, read from the API's own change feed.

    contract_writes.py URL seq       print the feed's latest seq (before a run)
    contract_writes.py URL check N   after a run: every resource must have been created, and records
                                     updated and deleted, after seq N; prints the counts

A run whose creates are all refused as invalid proves nothing about writes; the document's examples
(valid against the shipped texts) and the stateful phase are what get them through.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from collections import Counter

RESOURCES = ("actor", "source", "claim", "contradiction", "corroboration", "role")


def changes_after(base: str, after: int) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    url: str | None = f"{base}/v1/changes?limit=200&after={after}"
    while url:
        with urllib.request.urlopen(url, timeout=30) as response:
            page = json.load(response)
        items.extend(page["items"])
        url = page["next"]
    return items


def main() -> int:
    base, command = sys.argv[1], sys.argv[2]
    if command == "seq":
        feed = changes_after(base, 0)
        print(feed[-1]["seq"] if feed else 0)
        return 0
    counts = Counter((str(c["resource"]), str(c["action"])) for c in changes_after(base, int(sys.argv[3])))
    print(", ".join(f"{r} {a} {n}" for (r, a), n in sorted(counts.items())) or "no changes")
    missing = [f"{r} create" for r in RESOURCES if not counts[(r, "create")]]
    missing += [f"any {a}" for a in ("update", "delete") if not any(n for (_, act), n in counts.items() if act == a)]
    if missing:
        print("not exercised: " + ", ".join(missing))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
