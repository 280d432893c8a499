"""Claims: who asserts what, about whom, when, with which evidence."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from schemas.common import Day, EventTime, Quantity
from schemas.refs import ActorRef, Page, SourceRef
from schemas.timestamps import Timestamp
from schemas.vocab import (
    ContradictionKind,
    ContradictionSide,
    ContradictionStatus,
    CorroborationKind,
    CorroborationStatus,
    Evidential,
    Modality,
    Polarity,
    Predicate,
    RelationOrigin,
    Speech,
)


class ClaimObjectPublic(BaseModel):
    """What the subject acts on."""

    actor: ActorRef | None = Field(description="The actor, when the object is one.")
    label: str | None = Field(description="Normalized English noun phrase for the thing.")


class EvidencePublic(BaseModel):
    """An exact passage of a held document that supports the claim (a W3C TextQuoteSelector)."""

    source_id: str
    source: SourceRef = Field(description="The document the quote is from.")
    quote: str = Field(description="Exactly the source text from `start` to `end`.")
    start: int = Field(description="Unicode code-point offset of the first character in the source text.")
    end: int = Field(description="Code-point offset just past the last character.")
    prefix: str = Field(description="Up to 32 characters before the quote, to re-anchor it.")
    suffix: str = Field(description="Up to 32 characters after the quote.")
    language: str = Field(description="BCP 47 tag of the quote.")
    translation: str | None = Field(description="English translation; present whenever the quote is not English.")
    attributed_to: SourceRef | None = Field(description="The source the passage relays (attributed to it whole); follow its `cites` to the origin.")
    speech: Speech = Field(
        description="Whose words the span gives: the speaker's own (direct), the reporter's account of the speaker's"
        " (indirect), or the author's (narration)."
    )
    speaker: ActorRef | None = Field(description="The actor whose speech the span reports; null for narration.")


class ClaimSummary(BaseModel):
    """A claim's statement and structure."""

    id: str
    revision: int = Field(description="Increases with every change; the ETag carries it and `If-Match` checks it.")
    deleted_at: Timestamp | None = Field(description="When it was deleted; null unless this is a tombstone.")
    statement: str = Field(description="One normalized English sentence.")
    subject: ActorRef
    predicate: Predicate
    object: ClaimObjectPublic | None
    recipient: ActorRef | None
    quantity: Quantity | None
    location: ActorRef | None
    event_time: EventTime | None
    polarity: Polarity
    modality: Modality
    evidential: Evidential = Field(description="Whether the claimant asserts it, reports what it has (not) observed, or infers it.")
    proposition_id: str | None = Field(
        description="The proposition it belongs to (`/v1/propositions/{id}`): the same thing said, whatever the modality,"
        " polarity, language or wording."
    )
    claimant: ActorRef = Field(
        description="Who asserts it: whoever the evidence's words belong to (the speaker of direct speech; otherwise the"
        " reporter), possibly unnamed. Those whose speech is reported are the evidence items' `speaker`s."
    )
    speakers: list[ActorRef] = Field(description="Actors whose speech its evidence reports (directly or indirectly), in order of first appearance.")
    source_ids: list[str] = Field(description="Ids of the held documents its evidence quotes.")
    languages: list[str] = Field(description="Languages of its evidence.")
    contradiction_ids: list[str]
    corroboration_ids: list[str]


class RelatedClaim(BaseModel):
    """Another claim of a contradiction or corroboration, as a claim's detail lists it."""

    claim_id: str = Field(description="Claim id; `GET /v1/claims/{id}` has the rest.")
    statement: str = Field(description="One normalized English sentence.")
    claimant: ActorRef = Field(description="Who asserts it.")


class ClaimContradiction(BaseModel):
    """A contradiction the claim is part of: the claim's side, and the other claims on each side."""

    id: str
    kind: ContradictionKind
    status: ContradictionStatus
    origin: RelationOrigin
    side: ContradictionSide = Field(description="This claim's side.")
    explanation: str
    resolution: str | None = Field(description="How it was reconciled or resolved, or why it was rejected.")
    same_side: list[RelatedClaim] = Field(description="The other claims on this claim's side, in the contradiction's order (often none).")
    opposing_side: list[RelatedClaim] = Field(description="The claims on the other side, in the contradiction's order (at least one).")


class ClaimCorroboration(BaseModel):
    """A corroboration the claim is part of."""

    id: str
    kind: CorroborationKind
    status: CorroborationStatus
    origin: RelationOrigin
    independent: bool = Field(
        description="False when the claims share an origin: a source in their citation chains, the one document that"
        " frames them, or the party their speakers act for."
    )
    shared_origins: list[SourceRef]
    shared_parties: list[ActorRef]
    explanation: str
    resolution: str | None = Field(description="Why it was rejected, when it was.")
    claims: list[RelatedClaim] = Field(description="The other claims of the corroboration.")


class ClaimPublic(ClaimSummary):
    """A claim with its evidence, contradictions and corroborations."""

    note: str | None = Field(description="Analyst's note on uncertainty or interpretation.")
    evidence: list[EvidencePublic]
    origins: list[SourceRef] = Field(description="Every source the evidence traces back to through citation chains.")
    contradictions: list[ClaimContradiction]
    corroborations: list[ClaimCorroboration]


class ClaimPage(Page[ClaimSummary]):
    """A page of claims."""


class Placement(BaseModel):
    """Where the timeline places a claim: its event time, or when it has none, its publication."""

    start: Day = Field(description="First day (ISO 8601, UTC calendar) of the range the claim is placed at.")
    end: Day = Field(description="Last day of that range (the same day at day precision).")
    basis: Literal["event_time", "publication"] = Field(
        description="`event_time`: the claim's own `event_time`. `publication`: the claim has no event time, and is"
        " placed at the publication date of the earliest held document its evidence quotes (that document's"
        " `published.date`, as a range of days at its precision: `2023` is 2023-01-01 to 2023-12-31)."
    )


class TimelineEntry(ClaimSummary):
    """A claim on the timeline, with where it is placed."""

    placement: Placement


class TimelinePage(Page[TimelineEntry]):
    """A page of the timeline."""
