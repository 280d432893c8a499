"""Checks of one record against everything else: references resolve, quotes match their source
text at their offsets, citation chains do not loop.

The loader runs them over the whole dataset and reports lines naming the file; the write path runs
them on one record against the database and reports 422 errors naming the field. Both see the data
through a `Graph`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from api.graph import Graph
from schemas.dataset import ActorIn, ClaimIn, ContradictionIn, CorroborationIn, EvidenceIn, SourceIn

Loc = tuple[str | int, ...]
Report = Callable[[Loc, str, str], None]  # (location, message, problem type)


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class RecordChecks:
    def __init__(self, graph: Graph, report: Report) -> None:
        self.g = graph
        self.report = report

    def ref(self, loc: Loc, value: str | None, registry: Mapping[str, Any], what: str) -> bool:
        if value is not None and value not in registry:
            self.report(loc, f"unknown {what} '{value}'", "unknown_reference")
            return False
        return True

    def evidence(self, loc: Loc, ev: EvidenceIn) -> None:
        if not self.ref((*loc, "source"), ev.source, self.g.sources, "source"):
            return
        text = self.g.texts.get(ev.source)
        if text is None:
            self.report((*loc, "source"), f"the project holds no text for source '{ev.source}'", "no_text")
            return
        self.ref((*loc, "attributed_to"), ev.attributed_to, self.g.sources, "source")
        found = text[ev.start : ev.end]
        if found != ev.quote:
            at = text.find(ev.quote)
            hint = f"; the quote occurs at {at}-{at + len(ev.quote)}" if at >= 0 else ""
            self.report(
                loc,
                f"quote does not match source '{ev.source}' at offsets {ev.start}-{ev.end}: the text there is {found!r}{hint}",
                "quote_mismatch",
            )
        language = ev.language or self.g.sources[ev.source].language
        if not language.startswith("en") and not ev.translation:
            self.report((*loc, "translation"), f"a quote in '{language}' needs an English translation", "missing_translation")

    def actor(self, a: ActorIn) -> None:
        self.ref(("speaks_for",), a.speaks_for, self.g.actors, "actor")
        if a.speaks_for == a.id:
            self.report(("speaks_for",), "an actor cannot speak for itself", "value_error")
        seen: set[tuple[str, str]] = set()
        for i, n in enumerate(a.names):
            if (n.value, n.lang) in seen:
                self.report(("names", i), f"'{n.value}' ({n.lang}) is listed twice", "duplicate")
            seen.add((n.value, n.lang))

    def source(self, s: SourceIn) -> None:
        self.ref(("publisher",), s.publisher, self.g.actors, "actor")
        for i, author in enumerate(s.authors):
            self.ref(("authors", i), author, self.g.actors, "actor")
        cites_ok = all(self.ref(("cites", i), cited, self.g.sources, "source") for i, cited in enumerate(s.cites))
        part_ok = self.ref(("part_of",), s.part_of, self.g.sources, "source")
        if cites_ok and part_ok:
            upstream: set[str] = set()
            for cited in [*s.cites, *([s.part_of] if s.part_of else [])]:
                upstream |= self.g.ancestors(cited)
            if s.id in upstream:
                self.report(("cites",), f"the citation chain loops back to '{s.id}'", "citation_loop")

    def claim(self, c: ClaimIn) -> None:
        for fld in ("subject", "recipient", "location", "claimant"):
            self.ref((fld,), getattr(c, fld), self.g.actors, "actor")
        claimant = self.g.actors.get(c.claimant)
        if claimant is not None and claimant.unnamed and claimant.speaks_for is None:
            self.report(("claimant",), f"unnamed actor '{c.claimant}' needs speaks_for: whom it speaks for", "unnamed_claimant")
        if c.object is not None:
            self.ref(("object", "actor"), c.object.actor, self.g.actors, "actor")
        for i, ev in enumerate(c.evidence):
            self.evidence(("evidence", i), ev)

    def contradiction(self, x: ContradictionIn) -> None:
        for i, m in enumerate(x.claims):
            self.ref(("claims", i, "claim"), m.claim, self.g.claims, "claim")

    def corroboration(self, y: CorroborationIn) -> None:
        for i, cid in enumerate(y.claims):
            self.ref(("claims", i), cid, self.g.claims, "claim")

    def record(self, kind: str, record: Any) -> None:
        getattr(self, kind)(record)
