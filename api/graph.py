"""What rendering and validation need to know about the data, whatever holds it.

`Graph` is read by the renderer and the reference checks. The validated in-memory dataset
(`api.loader.Dataset`) is one; the database (`api.store.DbGraph`) is another, so a write can
check and re-render just the records it touches.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from schemas.dataset import (
    ActorIn,
    ActorRoleIn,
    ClaimIn,
    ContradictionIn,
    CorroborationIn,
    EvidenceIn,
    SourceIn,
)
from schemas.vocab import ClaimRole

CONTEXT_CHARS = 32


@dataclass(frozen=True)
class Anchor:
    """An evidence item located in its source: what a TextQuoteSelector needs."""

    evidence: EvidenceIn
    language: str
    prefix: str
    suffix: str


def claim_roles(claim: ClaimIn) -> list[tuple[ClaimRole, str]]:
    """(role, actor id) for every actor a claim references, without repeats."""
    pairs = [(ClaimRole.SUBJECT, claim.subject), (ClaimRole.CLAIMANT, claim.claimant)]
    if claim.object is not None and claim.object.actor is not None:
        pairs.append((ClaimRole.OBJECT, claim.object.actor))
    if claim.recipient is not None:
        pairs.append((ClaimRole.RECIPIENT, claim.recipient))
    if claim.location is not None:
        pairs.append((ClaimRole.LOCATION, claim.location))
    return list(dict.fromkeys(pairs))


class Graph(ABC):
    actors: Mapping[str, ActorIn]
    sources: Mapping[str, SourceIn]
    texts: Mapping[str, str]
    claims: Mapping[str, ClaimIn]
    contradictions: Mapping[str, ContradictionIn]
    corroborations: Mapping[str, CorroborationIn]

    @abstractmethod
    def names_of(self, actor_id: str) -> list[tuple[str, str]]:
        """Every (value, lang) spelling of an actor: its own and those documents add."""

    @abstractmethod
    def roles_of(self, actor_id: str) -> list[ActorRoleIn]: ...

    @abstractmethod
    def contradictions_of(self, claim_id: str) -> list[str]: ...

    @abstractmethod
    def corroborations_of(self, claim_id: str) -> list[str]: ...

    @abstractmethod
    def claim_counts(self, actor_id: str) -> dict[ClaimRole, int]: ...

    @abstractmethod
    def source_claim_count(self, source_id: str) -> int: ...

    @abstractmethod
    def cited_by(self, source_id: str) -> list[str]: ...

    def revision_of(self, kind: str, item_id: str) -> int:
        return 1

    def deleted_at_of(self, kind: str, item_id: str) -> datetime | None:
        return None

    def anchor(self, evidence: EvidenceIn) -> Anchor:
        text = self.texts[evidence.source]
        language = evidence.language or self.sources[evidence.source].language
        return Anchor(
            evidence=evidence,
            language=language,
            prefix=text[max(0, evidence.start - CONTEXT_CHARS) : evidence.start],
            suffix=text[evidence.end : evidence.end + CONTEXT_CHARS],
        )

    def ancestors(self, source_id: str) -> set[str]:
        """The source and every source it leads to through `cites` and `part_of`."""
        seen: set[str] = set()
        stack = [source_id]
        while stack:
            current = stack.pop()
            if current in seen or current not in self.sources:
                continue
            seen.add(current)
            src = self.sources[current]
            stack.extend(src.cites)
            if src.part_of:
                stack.append(src.part_of)
        return seen

    def claim_origins(self, claim: ClaimIn) -> set[str]:
        """Every source a claim's evidence traces back to."""
        origins: set[str] = set()
        for ev in claim.evidence:
            # A passage in the document's own voice originates there, not in what the document cites.
            origins |= self.ancestors(ev.attributed_to) if ev.attributed_to else {ev.source}
        return origins

    def claim_links(self, claim: ClaimIn) -> set[str]:
        """Every source a claim is linked to: quoted from, attributed to, or traced back to."""
        return {ev.source for ev in claim.evidence} | self.claim_origins(claim)

    def shared_origins(self, claim_ids: Iterable[str]) -> list[str]:
        """The most original sources that two or more of the claims trace back to.

        Two reports of the same leak share the leak: they are one origin, not two.
        """
        counts: dict[str, int] = {}
        for cid in claim_ids:
            for src in self.claim_origins(self.claims[cid]):
                counts[src] = counts.get(src, 0) + 1
        shared = {s for s, n in counts.items() if n > 1}
        # Name the furthest-upstream shared sources: the leak, not each report of it.
        return sorted(s for s in shared if not (self.ancestors(s) - {s}) & shared)
