"""The search tokenizer's cost on the hot path: folding and indexing field texts (api/store/text.py,
api/store/search.py `field_impacts`), uncached, over the corpus texts and every claim's statement, quotes and
translations, repeated. Prints microseconds per field and per thousand code points.

    .venv/bin/python -m bench.tokenizer [--rounds N]
"""

from __future__ import annotations

import argparse
import time

from api.config import ROOT
from api.dataset.loader import load_dataset
from api.store.search import field_impacts
from api.store.text import normalize, query_terms


def _fields() -> list[str]:
    ds = load_dataset(ROOT / "data")
    texts: list[str] = []
    for claim in ds.claims.values():
        texts.append(claim.statement)
        for ev in claim.evidence:
            texts.append(ev.quote)
            if ev.translation:
                texts.append(ev.translation)
    texts.extend(ds.texts.values())
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    texts = _fields()
    points = sum(len(t) for t in texts)
    for name, run in (("normalize", normalize), ("field_impacts", field_impacts.__wrapped__), ("query_terms", query_terms)):
        best = float("inf")
        for _ in range(5):
            began = time.perf_counter()
            for _ in range(args.rounds):
                for t in texts:
                    run(t)
            best = min(best, time.perf_counter() - began)
        per = best / args.rounds
        print(f"{name:14} {per * 1e6 / len(texts):8.2f} µs/field {per * 1e6 / points * 1000:8.2f} µs/1000 code points"
              f"  ({len(texts)} fields, {points} code points)")


if __name__ == "__main__":
    main()
