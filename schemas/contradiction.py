"""Contradictions and corroborations between claims."""

from __future__ import annotations

from pydantic import BaseModel, Field

from schemas.refs import ActorRef, Page, SourceRef
from schemas.timestamps import Timestamp
from schemas.vocab import (
    ContradictionKind,
    ContradictionSide,
    ContradictionStatus,
    CorroborationKind,
    CorroborationStatus,
    DetectionRule,
    RelationOrigin,
)


class CorroborationMember(BaseModel):
    """A claim of a corroboration."""

    claim_id: str = Field(description="Claim id; `GET /v1/claims/{id}` has the rest.")
    statement: str = Field(description="One normalized English sentence.")
    claimant: ActorRef = Field(description="Who asserts it.")
    source_ids: list[str] = Field(description="Held documents its evidence quotes.")


class ContradictionMember(BaseModel):
    """A claim of a contradiction, with its side."""

    claim_id: str = Field(description="Claim id; `GET /v1/claims/{id}` has the rest.")
    side: ContradictionSide = Field(description="The side it stands on.")
    statement: str = Field(description="One normalized English sentence.")
    claimant: ActorRef = Field(description="Who asserts it.")
    source_ids: list[str] = Field(description="Held documents its evidence quotes.")


class ContradictionPublic(BaseModel):
    """Two or more claims that disagree, and how the disagreement stands."""

    id: str
    revision: int = Field(description="Increases with every change; the ETag carries it and `If-Match` checks it.")
    deleted_at: Timestamp | None = Field(description="When it was deleted; null unless this is a tombstone.")
    kind: ContradictionKind
    claims: list[ContradictionMember] = Field(description="Its claims, two or more, on sides `a` and `b`.")
    explanation: str = Field(description="Plain-English account of the conflict.")
    status: ContradictionStatus
    resolution: str | None = Field(description="How it was reconciled or resolved, or why it was rejected.")
    origin: RelationOrigin
    detected_by: list[DetectionRule] = Field(description="Detection rules that find it (for a curated relation: rules that would have proposed it).")


class CorroborationPublic(BaseModel):
    """Claims in different passages that support each other: the same proposition, a consistent outcome, or a
    fulfilment of what was sought."""

    id: str
    revision: int = Field(description="Increases with every change; the ETag carries it and `If-Match` checks it.")
    deleted_at: Timestamp | None = Field(description="When it was deleted; null unless this is a tombstone.")
    kind: CorroborationKind
    claims: list[CorroborationMember] = Field(description="Its claims, two or more.")
    explanation: str
    status: CorroborationStatus
    resolution: str | None = Field(description="Why it was rejected, when it was.")
    origin: RelationOrigin
    detected_by: list[DetectionRule] = Field(description="Detection rules that find it (for a curated relation: rules that would have proposed it).")
    independent: bool = Field(
        description="False when two or more of the claims share an origin: a source their citation chains reach (two"
        " reports of one leak are one origin), the document that frames them when they have no distinct attributed"
        " speakers, or the party their speakers act for (through `speaks_for` or roles)."
    )
    shared_origins: list[SourceRef] = Field(description="The sources (cited sources or framing documents) they share.")
    shared_parties: list[ActorRef] = Field(description="The parties (states, bodies) that speakers of two or more of them act for.")


class ContradictionPage(Page[ContradictionPublic]):
    """A page of contradictions."""


class CorroborationPage(Page[CorroborationPublic]):
    """A page of corroborations."""
