"""What rendering and validation need to know about the data, whatever holds it.

`Graph` is read by the renderer and the reference checks. The validated in-memory dataset
(`api.dataset.loader.Dataset`) is one; the database (`api.store.dbgraph.DbGraph`) is another, so a write can
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
from schemas.knowledge import Knowledge
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
    pairs += [(ClaimRole.SPEAKER, ev.speaker) for ev in claim.evidence if ev.speaker is not None]
    return list(dict.fromkeys(pairs))


@dataclass(frozen=True)
class SharedOrigins:
    """What two or more claims of a corroboration have in common, and so what keeps it from being independent.

    `sources`: the furthest-upstream sources that their citation chains share, and the documents that frame
    two of them without distinct attributed speakers. `parties`: the states or bodies that speakers of two of
    them act for.
    """

    sources: list[str]
    parties: list[str]

    @property
    def independent(self) -> bool:
        return not (self.sources or self.parties)


def ancestors_in(sources: Mapping[str, SourceIn], source_id: str) -> set[str]:
    """The source and every source it leads to through `cites` and `part_of`, among those known."""
    seen: set[str] = set()
    stack = [source_id]
    while stack:
        current = stack.pop()
        if current in seen or current not in sources:
            continue
        seen.add(current)
        src = sources[current]
        stack.extend(src.cites)
        if src.part_of:
            stack.append(src.part_of)
    return seen


class Graph(ABC):
    knowledge: Knowledge
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
    def role_ids_of(self, actor_id: str) -> list[str]:
        """Ids of the actor's roles, in the order of `roles_of`: `<document file's stem>.<position>`."""

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

    @abstractmethod
    def proposition_of(self, claim_id: str) -> str | None:
        """The id of the proposition the claim belongs to (the engine's grouping)."""

    @abstractmethod
    def passages(self, source_id: str) -> list[tuple[int, int]]:
        """The (start, end) of each passage of a held document's coverage account, in order."""

    @abstractmethod
    def claims_quoting(self, source_id: str) -> list[str]:
        """Ids of the claims with an evidence item quoting the source (a candidate list: callers check)."""

    def passage_spans(self, claim: ClaimIn) -> list[tuple[str, int, int]]:
        """(source, start, end) of the passages a claim's evidence lies in: each coverage passage it
        overlaps, or the quote's own span where the document has no coverage account."""
        spans: list[tuple[str, int, int]] = []
        for ev in claim.evidence:
            hits = [(a, b) for a, b in self.passages(ev.source) if a < ev.end and ev.start < b]
            spans += [(ev.source, a, b) for a, b in hits] or [(ev.source, ev.start, ev.end)]
        return spans

    def shared_passage(self, a: ClaimIn, b: ClaimIn) -> tuple[str, int, int] | None:
        """A passage both claims' evidence lies in, if there is one."""
        for src_a, start_a, end_a in self.passage_spans(a):
            for src_b, start_b, end_b in self.passage_spans(b):
                if src_a == src_b and start_a < end_b and start_b < end_a:
                    return src_a, max(start_a, start_b), min(end_a, end_b)
        return None

    def voices(self, ev: EvidenceIn) -> set[str]:
        """Actors whose words an evidence span is, when it is not direct speech: the quoting document's
        publisher and authors, or, for a passage it relays, those of the relayed source and its chain."""
        sources = {ev.source} | (self.ancestors(ev.attributed_to) if ev.attributed_to else set())
        found: set[str] = set()
        for sid in sources:
            if sid in self.sources:
                src = self.sources[sid]
                found |= {*src.authors, *([src.publisher] if src.publisher else [])}
        # A group whose named members are all voices (co-authors as one claimant) is a voice too.
        return found | self.groups_of(found)

    def groups_of(self, members: set[str]) -> set[str]:
        """Groups all of whose (named) members are among the given actors."""
        return {a.id for a in self.group_candidates() if a.members and set(a.members) <= members}

    def group_candidates(self) -> Iterable[ActorIn]:
        """Actors with members; the in-memory dataset and the database each know theirs cheaply."""
        return [a for a in (self.actors[k] for k in self.actors) if a.members]

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
        return ancestors_in(self.sources, source_id)

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

    def parties(self, actor_id: str) -> set[str]:
        """The parties an actor acts for: the top of its `speaks_for` chain and of the bodies its roles are of.

        A spokesman acts for his ministry, the ministry for its state: the state is the party. An actor that
        acts for no one is its own party.
        """
        found: set[str] = set()
        seen: set[str] = set()
        stack = [actor_id]
        while stack:
            current = stack.pop()
            if current in seen or current not in self.actors:
                continue
            seen.add(current)
            actor = self.actors[current]
            ups = [actor.speaks_for] if actor.speaks_for else []
            ups += [r.of for r in self.roles_of(current) if r.of and r.of != current]
            if ups:
                stack.extend(ups)
            else:
                found.add(current)
        return found

    def _origin_parts(self, claim: ClaimIn) -> tuple[set[str], dict[str, tuple[bool, set[str]]], set[str]]:
        """(sources its relayed passages trace back to, {document: (has narration, speakers)}, parties of its speakers)."""
        chain: set[str] = set()
        documents: dict[str, tuple[bool, set[str]]] = {}
        parties: set[str] = set()
        for ev in claim.evidence:
            if ev.attributed_to:
                chain |= self.ancestors(ev.attributed_to)
            narrated, speakers = documents.get(ev.source, (False, set()))
            if ev.speaker is None:
                narrated = True
            else:
                speakers = speakers | {ev.speaker}
                parties |= self.parties(ev.speaker)
            documents[ev.source] = (narrated, speakers)
        return chain, documents, parties

    def shared_origins(self, claim_ids: Iterable[str]) -> SharedOrigins:
        """What two or more of the claims have in common as origin (README, "Independence").

        Three rules, each applied to every pair of claims:
        - citation chains: the sources that the passages they relay trace back to (two reports of the same
          leak share the leak), the documents they quote included (a report of a held document shares it
          with the claims quoted from it);
        - one document: two claims quoting the same document share it unless both come from distinct
          attributed speakers there (a headline and the quote it sums up are one origin);
        - one party: speakers who act for the same state or body (through `speaks_for` or roles) are one.
        """
        parts = [self._origin_parts(self.claims[cid]) for cid in dict.fromkeys(claim_ids)]
        chains: set[str] = set()
        documents: set[str] = set()
        parties: set[str] = set()
        for i, (chain_a, docs_a, parties_a) in enumerate(parts):
            for chain_b, docs_b, parties_b in parts[i + 1 :]:
                # A claim quoted from a document and one relaying that document share it, as two relays of it do.
                chains |= (chain_a & chain_b) | (docs_a.keys() & chain_b) | (docs_b.keys() & chain_a)
                parties |= parties_a & parties_b
                for doc in docs_a.keys() & docs_b.keys():
                    (narrated_a, speakers_a), (narrated_b, speakers_b) = docs_a[doc], docs_b[doc]
                    if narrated_a or narrated_b or speakers_a & speakers_b:
                        documents.add(doc)
        # Name the furthest-upstream shared sources: the leak, not each report of it.
        upstream = {s for s in chains if not (self.ancestors(s) - {s}) & chains}
        return SharedOrigins(sources=sorted(upstream | documents), parties=sorted(parties))
