"""Actors: the people, states, bodies, outlets and documents that claims are about and by."""

from __future__ import annotations

from pydantic import BaseModel, Field

from schemas.common import DateValue
from schemas.refs import ActorRef, Page, SourceRef
from schemas.timestamps import Timestamp
from schemas.vocab import ActorKind, ClaimRole


class Name(BaseModel):
    """One spelling of an actor's name."""

    value: str
    language: str = Field(description="BCP 47 language tag of the spelling.")


class RoleEvidence(BaseModel):
    """The passage that attests a role."""

    source: SourceRef
    quote: str
    start: int
    end: int
    language: str
    translation: str | None


class Role(BaseModel):
    """A position an actor holds, as a document attests it."""

    id: str = Field(description="`<document>.<position>`: the document file that attests the role and its place there (`000.3`).")
    title: str = Field(description="The title as the source gives it, e.g. `Defense Minister`.")
    of: ActorRef | None = Field(description="The body or state the role belongs to.")
    start: DateValue | None = Field(description="When the role began, if a source says.")
    end: DateValue | None = Field(description="When the role ended, if a source says.")
    attested: DateValue | None = Field(description="When the evidence shows the role held.")
    evidence: list[RoleEvidence]


class ActorSummary(BaseModel):
    """An actor in a list."""

    id: str
    revision: int = Field(description="Increases with every change; the ETag carries it and `If-Match` checks it.")
    deleted_at: Timestamp | None = Field(description="When it was deleted; null unless this is a tombstone.")
    kind: ActorKind
    name: str
    description: str
    unnamed: bool = Field(description="True for a speaker or group the sources do not name.")
    speaks_for: ActorRef | None = Field(description="For an unnamed speaker: whom it speaks for.")


class ActorPublic(ActorSummary):
    """An actor with every spelling, its roles over time, and how many claims involve it."""

    names: list[Name] = Field(description="Every spelling the sources use, with its language.")
    roles: list[Role]
    claim_counts: dict[ClaimRole, int] = Field(description="Number of claims in which the actor plays each role.")


class ActorPage(Page[ActorSummary]):
    """A page of actors."""
