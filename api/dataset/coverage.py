"""The coverage account: each document, passage by passage, with the claims that cover it.

`data/COVERAGE.md` is generated from the `coverage:` sections of the document files
(`python -m api.cli coverage`); a test fails when it is out of date. The loader already refuses
text that is neither covered nor explained; `coverage_problems` adds the converse: every claim a
document defines is listed against a passage of that document. Writes keep both true with
`place_claim` (a claim written is listed where its evidence is) and `passages_of` (a document
created through the API starts with its text as one passage, not curated yet, out of which the
claims written are carved).
"""

from __future__ import annotations

from typing import Any

from api.dataset.loader import Dataset


def coverage_problems(ds: Dataset) -> list[str]:
    problems: list[str] = []
    for name, doc in ds.documents.items():
        listed = {cid for seg in doc.coverage for cid in seg.claims}
        for c in doc.claims:
            if c.id not in listed:
                problems.append(f"{name}: claim '{c.id}' is not listed against any passage in coverage")
        for i, seg in enumerate(doc.coverage):
            for cid in seg.claims:
                claim = ds.claims.get(cid)
                if claim is None:
                    continue
                if not any(ev.source == doc.source.id and ev.start < seg.end and ev.end > seg.start for ev in claim.evidence):
                    problems.append(f"{name}: coverage[{i}] ({seg.start}-{seg.end}) lists claim '{cid}', whose evidence is not in that passage")
    return problems


def _cell(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def render_coverage(ds: Dataset) -> str:
    lines = [
        "# Coverage",
        "",
        "Every passage of every document, by code-point offsets, with the claims that cover it or the",
        "reason it holds none. Generated from the `coverage:` sections of `data/documents/*.yaml` by",
        "`python -m api.cli coverage`; do not edit by hand.",
        "",
    ]
    for name, doc in ds.documents.items():
        text = ds.texts[doc.source.id]
        covered = sum(1 for seg in doc.coverage if seg.claims)
        lines += [
            f"## {doc.source.title}",
            "",
            f"`{doc.source.text_file}` · source `{doc.source.id}` · {len(text)} code points · "
            f"{len(doc.coverage)} passages, {covered} with claims · {len(doc.claims)} claims · dataset file `{name}`",
            "",
            "| offsets | passage | claims, or why none |",
            "|---|---|---|",
        ]
        for seg in doc.coverage:
            if seg.claims:
                what = ", ".join(f"`{c}`" for c in seg.claims)
            else:
                what = f"— {_cell(seg.reason or '', 200)}"
                extra = [f"`{a}`" for a in seg.actors] + [f"`{s}`" for s in seg.sources]
                if extra:
                    what += f" (establishes {', '.join(extra)})"
            lines.append(f"| {seg.start}–{seg.end} | {_cell(text[seg.start:seg.end])} | {what} |")
        lines.append("")
    return "\n".join(lines)


# Reasons the write path gives a passage that holds no claim; a claim placed in the passage replaces them.
NOT_YET_CURATED = "No claim has been drawn from this passage yet."
CLAIMS_MOVED = "Its claims were deleted or moved; to be curated again."
_PLACEHOLDERS = {NOT_YET_CURATED, CLAIMS_MOVED}


def _gap(text: str, start: int, end: int) -> dict[str, Any] | None:
    """A passage explained as not curated yet for `text[start:end]` without its white space at either end; None
    when it is blank (blank text needs no account)."""
    piece = text[start:end]
    if not piece.strip():
        return None
    start += len(piece) - len(piece.lstrip())
    end -= len(piece) - len(piece.rstrip())
    return {"start": start, "end": end, "claims": [], "reason": NOT_YET_CURATED, "actors": [], "sources": []}


def passages_of(text: str) -> list[dict[str, Any]]:
    """A new document's coverage account: its whole text as one passage, explained as not curated yet. Claims are
    carved out of it as they are written (`place_claim`)."""
    whole = _gap(text, 0, len(text))
    return [whole] if whole else []


def _uncurated(seg: dict[str, Any]) -> bool:
    return not seg.get("claims") and seg.get("reason") in _PLACEHOLDERS and not seg.get("actors") and not seg.get("sources")


def place_claim(segments: list[dict[str, Any]], claim_id: str, spans: list[tuple[int, int]], text: str) -> bool:
    """Place a claim in a document's coverage account (`segments`, the JSON form of `CoverageIn`, changed in place)
    where its evidence spans in that document are, and take it off every other passage (one left with no claim says
    why). A span that meets a passage holding claims or a curated reason is listed against it; a span that lies only
    in text not curated yet (or in none) becomes a passage of its own, carved out of that text, so that claims
    written through the API are one passage only where their words overlap. Returns whether anything changed.

    This keeps what `coverage_problems` and the loader ask true after a write: every claim a document defines is
    listed against a passage of it whose text its evidence quotes, passages do not overlap, and all text is covered
    or explained."""
    changed = False
    for seg in segments:
        if claim_id in seg.get("claims", []):
            seg["claims"].remove(claim_id)
            changed = True
            if not seg["claims"] and not seg.get("reason"):
                seg["reason"] = CLAIMS_MOVED
    for start, end in spans:
        overlapping = [seg for seg in segments if seg["start"] < end and start < seg["end"]]
        if all(_uncurated(seg) for seg in overlapping):
            kept = [seg for seg in segments if seg not in overlapping]
            for seg in overlapping:  # what is left of the uncurated passages on either side of the span
                kept += [g for g in (_gap(text, seg["start"], start), _gap(text, end, seg["end"])) if g is not None]
            new = {"start": start, "end": end, "claims": [], "reason": None, "actors": [], "sources": []}
            segments[:] = sorted([*kept, new], key=lambda seg: (seg["start"], seg["end"]))
            overlapping = [new]
            changed = True
        for seg in overlapping:
            claims = seg.setdefault("claims", [])
            if claim_id not in claims:
                claims.append(claim_id)
                changed = True
            if seg.get("reason") in _PLACEHOLDERS:
                seg["reason"] = None
    return changed
