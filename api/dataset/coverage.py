"""The coverage account: each document, passage by passage, with the claims that cover it.

`data/COVERAGE.md` is generated from the `coverage:` sections of the document files
(`python -m api.cli coverage`); a test fails when it is out of date. The loader already refuses
text that is neither covered nor explained; `coverage_problems` adds the converse: every claim a
document defines is listed against a passage of that document.
"""

from __future__ import annotations

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
