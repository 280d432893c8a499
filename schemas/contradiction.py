"""Contradictions and corroborations between claims."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlmodel import Field as Column
from sqlmodel import SQLModel

from schemas.refs import ActorRef, SourceRef
from schemas.vocab import ContradictionKind, ContradictionSide, ContradictionStatus


class Contradiction(SQLModel, table=True):
    id: str = Column(primary_key=True)
    kind: str = Column(index=True)
    status: str = Column(index=True)
    origin: str = Column(index=True)
    body: bytes
    etag: str


class ContradictionClaim(SQLModel, table=True):
    __tablename__ = "contradiction_claim"
    contradiction_id: str = Column(primary_key=True, foreign_key="contradiction.id")
    claim_id: str = Column(primary_key=True, foreign_key="claim.id", index=True)
    side: str


class Corroboration(SQLModel, table=True):
    id: str = Column(primary_key=True)
    independent: bool = Column(index=True)
    body: bytes
    etag: str


class CorroborationClaim(SQLModel, table=True):
    __tablename__ = "corroboration_claim"
    corroboration_id: str = Column(primary_key=True, foreign_key="corroboration.id")
    claim_id: str = Column(primary_key=True, foreign_key="claim.id", index=True)


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
    kind: ContradictionKind
    claims: list[MemberClaim]
    explanation: str = Field(description="Plain-English account of the conflict.")
    status: ContradictionStatus
    resolution: str | None = Field(description="How it was reconciled or resolved.")
    origin: str = Field(description="`curated`, or the name of the detection rule that found it.")


class CorroborationPublic(BaseModel):
    """Claims in different passages or sources that assert the same proposition."""

    id: str
    claims: list[MemberClaim]
    explanation: str
    independent: bool = Field(description="False when their sources share an origin through their `cites` chains (two reports of one leak are one origin).")
    shared_origins: list[SourceRef] = Field(description="The sources they share, when not independent.")
