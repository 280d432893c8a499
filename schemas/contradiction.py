"""Contradictions and corroborations between claims."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from schemas.refs import ActorRef, SourceRef
from schemas.vocab import ContradictionKind, ContradictionSide, ContradictionStatus


class MemberClaim(BaseModel):
    """A claim inside a contradiction or corroboration."""

    claim_id: str
    side: ContradictionSide | None = Field(description="Its side, in a contradiction; null in a corroboration.")
    statement: str
    claimant: ActorRef
    source_ids: list[str] = Field(description="Held documents its evidence quotes.")


class ContradictionPublic(BaseModel):
    """Two or more claims that disagree, and how the disagreement stands."""

    id: str
    revision: int = Field(description="Increases with every change; the ETag carries it and `If-Match` checks it.")
    deleted_at: datetime | None = Field(description="When it was deleted; null unless this is a tombstone.")
    kind: ContradictionKind
    claims: list[MemberClaim]
    explanation: str = Field(description="Plain-English account of the conflict.")
    status: ContradictionStatus
    resolution: str | None = Field(description="How it was reconciled or resolved.")
    origin: str = Field(description="`curated`, or the name of the detection rule that found it.")


class CorroborationPublic(BaseModel):
    """Claims in different passages or sources that assert the same proposition."""

    id: str
    revision: int = Field(description="Increases with every change; the ETag carries it and `If-Match` checks it.")
    deleted_at: datetime | None = Field(description="When it was deleted; null unless this is a tombstone.")
    claims: list[MemberClaim]
    explanation: str
    independent: bool = Field(description="False when their sources share an origin through their `cites` chains (two reports of one leak are one origin).")
    shared_origins: list[SourceRef] = Field(description="The sources they share, when not independent.")
