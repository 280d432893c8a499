"""Render the validated dataset into the public views the API serves.

Every response body of the read path is rendered once here, when the database is built, so that a
read is a primary-key lookup and nothing more.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from pydantic import BaseModel

from api.loader import Dataset
from schemas.actor import ActorPublic, ActorSummary, Name, Role, RoleEvidence
from schemas.claim import (
    ClaimContradiction,
    ClaimCorroboration,
    ClaimObjectPublic,
    ClaimPublic,
    ClaimSummary,
    EvidencePublic,
    OpposingClaim,
)
from schemas.common import date_bounds
from schemas.contradiction import ContradictionPublic, CorroborationPublic, MemberClaim
from schemas.dataset import ClaimIn, EvidenceIn
from schemas.refs import ActorRef, DateRef, SourceRef
from schemas.source import SourcePublic, SourceSummary
from schemas.vocab import ClaimRole, ContradictionSide


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def dump(model: BaseModel) -> bytes:
    return model.model_dump_json().encode()


@dataclass
class Rendered:
    actors: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)  # id -> (detail, summary)
    sources: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)
    claims: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)
    contradictions: dict[str, bytes] = field(default_factory=dict)
    corroborations: dict[str, bytes] = field(default_factory=dict)
    claim_actors: list[tuple[str, str, str]] = field(default_factory=list)  # claim, role, actor
    claim_sources: dict[str, set[str]] = field(default_factory=dict)  # claim -> linked sources


class Renderer:
    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        self.contradictions_of: dict[str, list[str]] = defaultdict(list)
        self.corroborations_of: dict[str, list[str]] = defaultdict(list)
        for x in ds.contradictions.values():
            for m in x.claims:
                self.contradictions_of[m.claim].append(x.id)
        for y in ds.corroborations.values():
            for cid in y.claims:
                self.corroborations_of[cid].append(y.id)

    def actor_ref(self, actor_id: str | None) -> ActorRef | None:
        if actor_id is None:
            return None
        a = self.ds.actors[actor_id]
        return ActorRef(id=a.id, kind=a.kind, name=a.name, unnamed=a.unnamed)

    def actor(self, actor_id: str | None) -> ActorRef:
        ref = self.actor_ref(actor_id)
        assert ref is not None
        return ref

    def source_ref(self, source_id: str | None) -> SourceRef | None:
        if source_id is None:
            return None
        s = self.ds.sources[source_id]
        published = None
        if s.published is not None:
            published = DateRef(date=s.published.date, precision=s.published.precision, inferred=s.published.inferred)
        return SourceRef(id=s.id, kind=s.kind, title=s.title, language=s.language, published=published)

    def source(self, source_id: str) -> SourceRef:
        ref = self.source_ref(source_id)
        assert ref is not None
        return ref

    def roles_by_claim(self, c: ClaimIn) -> list[tuple[ClaimRole, str]]:
        pairs = [(ClaimRole.SUBJECT, c.subject), (ClaimRole.CLAIMANT, c.claimant)]
        if c.object is not None and c.object.actor is not None:
            pairs.append((ClaimRole.OBJECT, c.object.actor))
        if c.recipient is not None:
            pairs.append((ClaimRole.RECIPIENT, c.recipient))
        if c.location is not None:
            pairs.append((ClaimRole.LOCATION, c.location))
        return pairs

    def linked_sources(self, c: ClaimIn) -> set[str]:
        linked = {ev.source for ev in c.evidence}
        return linked | self.ds.claim_origins(c)

    def evidence(self, ev: EvidenceIn) -> EvidencePublic:
        anchor = self.ds.anchor(ev)
        return EvidencePublic(
            source_id=ev.source,
            source=self.source(ev.source),
            quote=ev.quote,
            start=ev.start,
            end=ev.end,
            prefix=anchor.prefix,
            suffix=anchor.suffix,
            language=anchor.language,
            translation=ev.translation,
            attributed_to=self.source_ref(ev.attributed_to),
        )

    def member(self, claim_id: str, side: ContradictionSide | None) -> MemberClaim:
        c = self.ds.claims[claim_id]
        return MemberClaim(
            claim_id=c.id,
            side=side,
            statement=c.statement,
            claimant=self.actor(c.claimant),
            source_ids=sorted({ev.source for ev in c.evidence}),
        )

    def claim_summary(self, c: ClaimIn) -> ClaimSummary:
        return ClaimSummary(
            id=c.id,
            statement=c.statement,
            subject=self.actor(c.subject),
            predicate=c.predicate,
            object=None
            if c.object is None
            else ClaimObjectPublic(actor=self.actor_ref(c.object.actor), label=c.object.label),
            recipient=self.actor_ref(c.recipient),
            quantity=c.quantity,
            location=self.actor_ref(c.location),
            event_time=c.event_time,
            polarity=c.polarity,
            modality=c.modality,
            claimant=self.actor(c.claimant),
            source_ids=sorted({ev.source for ev in c.evidence}),
            languages=sorted({self.ds.anchor(ev).language for ev in c.evidence}),
            contradiction_ids=sorted(self.contradictions_of[c.id]),
            corroboration_ids=sorted(self.corroborations_of[c.id]),
        )

    def claim_detail(self, c: ClaimIn, summary: ClaimSummary) -> ClaimPublic:
        contradictions = []
        for xid in sorted(self.contradictions_of[c.id]):
            x = self.ds.contradictions[xid]
            own = next(m.side for m in x.claims if m.claim == c.id)
            others = [m for m in x.claims if m.claim != c.id]
            contradictions.append(
                ClaimContradiction(
                    id=x.id,
                    kind=x.kind,
                    status=x.status,
                    side=own,
                    explanation=x.explanation,
                    resolution=x.resolution,
                    claims=[self.opposing(m.claim, m.side) for m in others],
                )
            )
        corroborations = []
        for yid in sorted(self.corroborations_of[c.id]):
            y = self.ds.corroborations[yid]
            shared = self.ds.shared_origins(y.claims)
            corroborations.append(
                ClaimCorroboration(
                    id=y.id,
                    independent=not shared,
                    shared_origins=[self.source(s) for s in shared],
                    explanation=y.explanation,
                    claims=[self.opposing(cid, None) for cid in y.claims if cid != c.id],
                )
            )
        return ClaimPublic(
            **summary.model_dump(),
            note=c.note,
            evidence=[self.evidence(ev) for ev in c.evidence],
            origins=[self.source(s) for s in sorted(self.ds.claim_origins(c))],
            contradictions=contradictions,
            corroborations=corroborations,
        )

    def opposing(self, claim_id: str, side: ContradictionSide | None) -> OpposingClaim:
        c = self.ds.claims[claim_id]
        return OpposingClaim(claim_id=c.id, side=side, statement=c.statement, claimant=self.actor(c.claimant))

    def render(self) -> Rendered:
        ds = self.ds
        out = Rendered()
        counts: dict[str, dict[ClaimRole, int]] = defaultdict(lambda: defaultdict(int))
        source_claims: dict[str, int] = defaultdict(int)
        for c in ds.claims.values():
            for role, actor_id in self.roles_by_claim(c):
                if (c.id, role.value, actor_id) not in out.claim_actors:
                    out.claim_actors.append((c.id, role.value, actor_id))
                    counts[actor_id][role] += 1
            linked = self.linked_sources(c)
            out.claim_sources[c.id] = linked
            for source_id in linked:
                source_claims[source_id] += 1
            summary = self.claim_summary(c)
            out.claims[c.id] = (dump(self.claim_detail(c, summary)), dump(summary))
        for a in ds.actors.values():
            summary_a = ActorSummary(
                id=a.id,
                kind=a.kind,
                name=a.name,
                description=a.description,
                unnamed=a.unnamed,
                speaks_for=self.actor_ref(a.speaks_for),
            )
            roles = [
                Role(
                    title=r.title,
                    of=self.actor_ref(r.of),
                    start=r.start,
                    end=r.end,
                    attested=r.attested,
                    evidence=[
                        RoleEvidence(
                            source=self.source(ev.source),
                            quote=ev.quote,
                            start=ev.start,
                            end=ev.end,
                            language=self.ds.anchor(ev).language,
                            translation=ev.translation,
                        )
                        for ev in r.evidence
                    ],
                )
                for r in ds.roles_of(a.id)
            ]
            detail = ActorPublic(
                **summary_a.model_dump(),
                names=[Name(value=v, lang=lang) for v, lang in ds.names_of(a.id)],
                roles=roles,
                claim_counts={role: counts[a.id].get(role, 0) for role in ClaimRole},
            )
            out.actors[a.id] = (dump(detail), dump(summary_a))
        cited_by: dict[str, list[str]] = defaultdict(list)
        for s in ds.sources.values():
            for cited in s.cites:
                cited_by[cited].append(s.id)
        for s in ds.sources.values():
            summary_s = SourceSummary(
                id=s.id,
                kind=s.kind,
                title=s.title,
                language=s.language,
                published=s.published,
                publisher=self.actor_ref(s.publisher),
                authors=[self.actor(a) for a in s.authors],
                cites=list(s.cites),
                part_of=s.part_of,
                url=s.url,
                has_text=s.id in ds.texts,
                claim_count=source_claims[s.id],
            )
            detail_s = SourcePublic(
                **summary_s.model_dump(),
                note=s.note,
                cited_sources=[self.source(x) for x in s.cites],
                cited_by=[self.source(x) for x in sorted(cited_by[s.id])],
                origins=[self.source(x) for x in sorted(ds.ancestors(s.id) - {s.id})],
                text=ds.texts.get(s.id),
            )
            out.sources[s.id] = (dump(detail_s), dump(summary_s))
        for x in ds.contradictions.values():
            out.contradictions[x.id] = dump(
                ContradictionPublic(
                    id=x.id,
                    kind=x.kind,
                    claims=[self.member(m.claim, m.side) for m in x.claims],
                    explanation=x.explanation,
                    status=x.status,
                    resolution=x.resolution,
                    origin=x.origin,
                )
            )
        for y in ds.corroborations.values():
            shared = ds.shared_origins(y.claims)
            out.corroborations[y.id] = dump(
                CorroborationPublic(
                    id=y.id,
                    claims=[self.member(cid, None) for cid in y.claims],
                    explanation=y.explanation,
                    independent=not shared,
                    shared_origins=[self.source(s) for s in shared],
                )
            )
        return out


def event_range(c: ClaimIn) -> tuple[str | None, str | None]:
    """The first and last calendar day the claim's event time can cover, as ISO dates."""
    if c.event_time is None:
        return None, None
    first = date_bounds(c.event_time.start)[0]
    last = date_bounds(c.event_time.end or c.event_time.start)[1]
    return first.isoformat(), last.isoformat()
