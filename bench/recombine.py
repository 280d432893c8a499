"""Curated documents, recombined: an article made of a curated document's passages in another order, as
another outlet of its language would publish them, with copies of the curated claims those passages hold.

So the generated corpus carries the curated Arabic text and its claims (and the English ones) many times
over, with their real wording, quotes and translations, each copy a held document of its own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from api.dataset.loader import Dataset
from schemas.common import DateValue
from schemas.dataset import ClaimIn, CoverageIn, DocumentFile, SourceIn
from schemas.vocab import DatePrecision


@dataclass(frozen=True)
class Recombined:
    source: SourceIn
    text: str
    claims: list[ClaimIn]
    coverage: list[CoverageIn]


def recombine(ds: Dataset, doc: DocumentFile, rng: random.Random, *, source_id: str, publisher: str, day: date, copy: int,
              text_file: str) -> Recombined | None:
    """The passages of `doc` that hold claims, most of them, shuffled; the claims whose every evidence item lies
    in one of them, copied with new ids (suffix `-r<copy>`) and offsets. What the original outlet said in its own
    voice, the new one says: such claims take the new publisher as claimant, and its name in their statement.
    None when no claim could be copied."""
    text = ds.texts[doc.source.id]
    passages = [seg for seg in doc.coverage if seg.claims]
    kept = [seg for seg in passages if rng.random() < 0.8] or passages[:1]
    rng.shuffle(kept)
    placed: dict[tuple[int, int], int] = {}  # (start, end) in the original -> start in the new text
    offset = 0
    for seg in kept:
        placed[(seg.start, seg.end)] = offset
        offset += seg.end - seg.start + 2
    own = {a for a in (doc.source.publisher, *doc.source.authors) if a}
    own |= ds.groups_of(own)
    renames = sorted({n.value for a in own for n in ds.actors[a].names if n.language == "en"}, key=len, reverse=True)
    new_name = ds.actors[publisher].name
    copies: dict[str, ClaimIn] = {}
    for c in doc.claims:
        evidence = []
        for ev in c.evidence:
            span = next((s for s in placed if ev.source == doc.source.id and s[0] <= ev.start and ev.end <= s[1]), None)
            if span is None:
                break
            start = ev.start - span[0] + placed[span]
            evidence.append(ev.model_copy(update={"source": source_id, "start": start, "end": start + len(ev.quote)}))
        else:
            statement = c.statement
            for name in renames:
                statement = statement.replace(name, new_name)
            copies[c.id] = c.model_copy(update={
                "id": f"{c.id[:100]}-r{copy}", "evidence": evidence, "statement": statement,
                "claimant": publisher if c.claimant in own else c.claimant,
            })
    if not copies:
        return None
    source = doc.source.model_copy(update={
        "id": source_id, "publisher": publisher, "authors": [], "url": None, "note": None, "text_file": text_file,
        "published": DateValue(date=day.isoformat(), precision=DatePrecision.DAY),
    })
    coverage = []
    for seg in kept:
        ids = [copies[cid].id for cid in seg.claims if cid in copies]
        start = placed[(seg.start, seg.end)]
        coverage.append(CoverageIn(start=start, end=start + seg.end - seg.start, claims=ids, actors=seg.actors, sources=seg.sources,
                                   reason=seg.reason or (None if ids else "its claims are not copied (generated corpus)")))
    return Recombined(source, "\n\n".join(text[s:e] for s, e in placed), list(copies.values()), coverage)
