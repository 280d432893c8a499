"""Render records into the public views the API serves.

Every response body of the read path is rendered here once, when the database is built or when
a write touches the record, so that a read is a primary-key lookup and nothing more.
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel

from api.dataset.graph import Graph, claim_roles
from schemas.actor import ActorPublic, ActorSummary, Name, Role, RoleEvidence
from schemas.claim import (
    ClaimContradiction,
    ClaimCorroboration,
    ClaimObjectPublic,
    ClaimPublic,
    ClaimSummary,
    EvidencePublic,
    RelatedClaim,
)
from schemas.common import date_bounds
from schemas.contradiction import ContradictionMember, ContradictionPublic, CorroborationMember, CorroborationPublic
from schemas.dataset import ClaimEvidenceIn, ClaimIn
from schemas.refs import ActorRef, SourceRef
from schemas.source import SourcePublic, SourceSummary
from schemas.vocab import ContradictionSide


def content_hash(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=8).hexdigest()


def etag_of(revision: int, body: bytes) -> str:
    """A record's ETag: its revision (what If-Match checks) and a digest of the body as rendered
    (which changes when something it embeds, such as another claim's statement, changes)."""
    return f'"{revision}-{content_hash(body)}"'


def dump(model: BaseModel) -> bytes:
    return model.model_dump_json().encode()


class Renderer:
    def __init__(self, graph: Graph) -> None:
        self.g = graph

    def actor_ref(self, actor_id: str | None) -> ActorRef | None:
        if actor_id is None:
            return None
        a = self.g.actors[actor_id]
        return ActorRef(id=a.id, kind=a.kind, name=a.name, unnamed=a.unnamed)

    def actor_of(self, actor_id: str) -> ActorRef:
        ref = self.actor_ref(actor_id)
        assert ref is not None
        return ref

    def source_ref(self, source_id: str | None) -> SourceRef | None:
        if source_id is None:
            return None
        s = self.g.sources[source_id]
        return SourceRef(id=s.id, kind=s.kind, title=s.title, language=s.language, published=s.published)

    def source_of(self, source_id: str) -> SourceRef:
        ref = self.source_ref(source_id)
        assert ref is not None
        return ref

    def evidence(self, ev: ClaimEvidenceIn) -> EvidencePublic:
        anchor = self.g.anchor(ev)
        return EvidencePublic(
            source_id=ev.source,
            source=self.source_of(ev.source),
            quote=ev.quote,
            start=ev.start,
            end=ev.end,
            prefix=anchor.prefix,
            suffix=anchor.suffix,
            language=anchor.language,
            translation=ev.translation,
            attributed_to=self.source_ref(ev.attributed_to),
            speech=ev.speech,
            speaker=self.actor_ref(ev.speaker),
        )

    def contradiction_member(self, claim_id: str, side: ContradictionSide) -> ContradictionMember:
        c = self.g.claims[claim_id]
        return ContradictionMember(
            claim_id=c.id, side=side, statement=c.statement, claimant=self.actor_of(c.claimant),
            source_ids=sorted({ev.source for ev in c.evidence}),
        )

    def corroboration_member(self, claim_id: str) -> CorroborationMember:
        c = self.g.claims[claim_id]
        return CorroborationMember(
            claim_id=c.id, statement=c.statement, claimant=self.actor_of(c.claimant), source_ids=sorted({ev.source for ev in c.evidence}),
        )

    def related(self, claim_id: str) -> RelatedClaim:
        c = self.g.claims[claim_id]
        return RelatedClaim(claim_id=c.id, statement=c.statement, claimant=self.actor_of(c.claimant))

    # -- claims

    def claim_summary(self, c: ClaimIn) -> ClaimSummary:
        return ClaimSummary(
            id=c.id,
            revision=self.g.revision_of("claim", c.id), deleted_at=self.g.deleted_at_of("claim", c.id),
            statement=c.statement,
            subject=self.actor_of(c.subject),
            predicate=c.predicate,
            object=None if c.object is None else ClaimObjectPublic(actor=self.actor_ref(c.object.actor), label=c.object.label),
            recipient=self.actor_ref(c.recipient),
            quantity=c.quantity,
            location=self.actor_ref(c.location),
            event_time=c.event_time,
            polarity=c.polarity,
            modality=c.modality,
            evidential=c.evidential,
            proposition_id=self.g.proposition_of(c.id),
            claimant=self.actor_of(c.claimant),
            speakers=[self.actor_of(a) for a in dict.fromkeys(ev.speaker for ev in c.evidence if ev.speaker)],
            source_ids=sorted({ev.source for ev in c.evidence}),
            languages=sorted({self.g.anchor(ev).language for ev in c.evidence}),
            contradiction_ids=self.g.contradictions_of(c.id),
            corroboration_ids=self.g.corroborations_of(c.id),
        )

    def claim(self, claim_id: str) -> tuple[bytes, bytes]:
        """(detail, summary) of a claim."""
        c = self.g.claims[claim_id]
        summary = self.claim_summary(c)
        contradictions = []
        for xid in summary.contradiction_ids:
            x = self.g.contradictions[xid]
            own = next(m.side for m in x.claims if m.claim == c.id)
            contradictions.append(
                ClaimContradiction(
                    id=x.id, kind=x.kind, status=x.status, origin=x.origin, side=own, explanation=x.explanation, resolution=x.resolution,
                    same_side=[self.related(m.claim) for m in x.claims if m.side == own and m.claim != c.id],
                    opposing_side=[self.related(m.claim) for m in x.claims if m.side != own],
                )
            )
        corroborations = []
        for yid in summary.corroboration_ids:
            y = self.g.corroborations[yid]
            shared = self.g.shared_origins(y.claims)
            corroborations.append(
                ClaimCorroboration(
                    id=y.id, kind=y.kind, status=y.status, origin=y.origin, independent=shared.independent,
                    shared_origins=[self.source_of(s) for s in shared.sources],
                    shared_parties=[self.actor_of(a) for a in shared.parties],
                    explanation=y.explanation, resolution=y.resolution,
                    claims=[self.related(cid) for cid in y.claims if cid != c.id],
                )
            )
        detail = ClaimPublic(
            **summary.model_dump(),
            note=c.note,
            evidence=[self.evidence(ev) for ev in c.evidence],
            origins=[self.source_of(s) for s in sorted(self.g.claim_origins(c))],
            contradictions=contradictions,
            corroborations=corroborations,
        )
        return dump(detail), dump(summary)

    # -- actors

    def actor(self, actor_id: str) -> tuple[bytes, bytes]:
        a = self.g.actors[actor_id]
        summary = ActorSummary(
            id=a.id, revision=self.g.revision_of("actor", a.id), deleted_at=self.g.deleted_at_of("actor", a.id),
            kind=a.kind, name=a.name, description=a.description,
            unnamed=a.unnamed, speaks_for=self.actor_ref(a.speaks_for),
        )
        roles = [
            Role(
                id=rid, title=r.title, of=self.actor_ref(r.of), start=r.start, end=r.end, attested=r.attested,
                evidence=[
                    RoleEvidence(
                        source=self.source_of(ev.source), quote=ev.quote, start=ev.start, end=ev.end,
                        language=self.g.anchor(ev).language, translation=ev.translation,
                    )
                    for ev in r.evidence
                ],
            )
            for rid, r in zip(self.g.role_ids_of(a.id), self.g.roles_of(a.id), strict=True)
        ]
        detail = ActorPublic(
            **summary.model_dump(),
            names=[Name(value=v, language=language) for v, language in self.g.names_of(a.id)],
            roles=roles,
            claim_counts=self.g.claim_counts(a.id),
        )
        return dump(detail), dump(summary)

    # -- sources

    def source(self, source_id: str) -> tuple[bytes, bytes]:
        s = self.g.sources[source_id]
        text = self.g.texts.get(s.id)
        summary = SourceSummary(
            id=s.id, revision=self.g.revision_of("source", s.id), deleted_at=self.g.deleted_at_of("source", s.id),
            kind=s.kind, title=s.title, language=s.language,
            published=s.published, publisher=self.actor_ref(s.publisher), authors=[self.actor_of(a) for a in s.authors],
            cites=list(s.cites), part_of=s.part_of, url=s.url, has_text=text is not None,
            claim_count=self.g.source_claim_count(s.id),
        )
        detail = SourcePublic(
            **summary.model_dump(),
            note=s.note,
            cited_sources=[self.source_of(x) for x in s.cites],
            cited_by=[self.source_of(x) for x in self.g.cited_by(s.id)],
            origins=[self.source_of(x) for x in sorted(self.g.ancestors(s.id) - {s.id})],
            text=text,
        )
        return dump(detail), dump(summary)

    # -- links

    def contradiction(self, contradiction_id: str) -> bytes:
        x = self.g.contradictions[contradiction_id]
        return dump(
            ContradictionPublic(
                id=x.id, revision=self.g.revision_of("contradiction", x.id), deleted_at=self.g.deleted_at_of("contradiction", x.id), kind=x.kind,
                claims=[self.contradiction_member(m.claim, m.side) for m in x.claims], explanation=x.explanation,
                status=x.status, resolution=x.resolution, origin=x.origin, detected_by=list(x.detected_by),
            )
        )

    def corroboration(self, corroboration_id: str) -> bytes:
        y = self.g.corroborations[corroboration_id]
        shared = self.g.shared_origins(y.claims)
        return dump(
            CorroborationPublic(
                id=y.id, revision=self.g.revision_of("corroboration", y.id), deleted_at=self.g.deleted_at_of("corroboration", y.id),
                kind=y.kind, claims=[self.corroboration_member(cid) for cid in y.claims], explanation=y.explanation,
                status=y.status, resolution=y.resolution, origin=y.origin, detected_by=list(y.detected_by),
                independent=shared.independent,
                shared_origins=[self.source_of(s) for s in shared.sources],
                shared_parties=[self.actor_of(a) for a in shared.parties],
            )
        )


def event_range(c: ClaimIn) -> tuple[str | None, str | None]:
    """The first and last calendar day the claim's event time can cover, as ISO dates."""
    if c.event_time is None:
        return None, None
    first = date_bounds(c.event_time.start)[0]
    last = date_bounds(c.event_time.end or c.event_time.start)[1]
    return first.isoformat(), last.isoformat()


__all__ = ["Renderer", "claim_roles", "content_hash", "dump", "etag_of", "event_range"]
