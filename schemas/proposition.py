"""Propositions: claims that say the same thing, whatever the modality, polarity, language or wording, and
the story they tell over time."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from schemas.common import Day, EventTime
from schemas.refs import ActorRef, Page
from schemas.vocab import (
    ContradictionKind,
    ContradictionStatus,
    CorroborationKind,
    CorroborationStatus,
    Evidential,
    Modality,
    Polarity,
    RelationOrigin,
)

STATUS_LINE = (
    "Its story over time, from the engine: each step (planned, done, not observed, denied, abandoned...) with the"
    " event dates its claims give and who says so, e.g. \"planned (Feb 2023; Leaked US intelligence documents) → not"
    " observed (Unnamed US representative) → abandoned (…)\". Claims that put it the same way are one step unless a"
    " claim putting it otherwise lies wholly between them in time."
)


class PropositionKey(BaseModel):
    """What its claims have in common, normalized by the declared knowledge tables (`GET /v1/engine`)."""

    family: str = Field(description="The predicate family (e.g. `arms-flow` for produce, supply and deliver arms), or the"
                                    " predicate itself where no family declares it.")
    parties: list[ActorRef] = Field(
        description="Its parties, first the one that acts: for most families the states or bodies that the claims' actors"
        " act for at the claims' time (Sisi acts for Egypt); in a symmetric family (relations between two states) in"
        " order of id."
    )
    thing: str | None = Field(description="The class of what it concerns (object labels in any language, e.g. `missiles`), when the family"
                                          " is keyed by it.")


class PropositionSummary(BaseModel):
    """A proposition: the same thing said by one or more claims."""

    id: str = Field(description="Stable id made of its key (family, parties, thing); claims whose event times cannot overlap"
                                " are separate propositions, whose ids end in the first date of each.")
    key: PropositionKey
    claim_count: int = Field(description="Its claims (published by `as_of`, when given).")
    date_from: Day | None = Field(description="First day its claims can concern (each by its event time, else the publication date of its"
                                              " earliest document); null when none is dated.")
    date_to: Day | None = Field(description="Last day its claims can concern, on the same terms.")
    status_line: str = Field(description=STATUS_LINE)


class PropositionClaim(BaseModel):
    """One of its claims, where the story places it."""

    id: str = Field(description="Claim id; `GET /v1/claims/{id}` has its evidence.")
    statement: str = Field(description="One normalized English sentence.")
    modality: Modality
    polarity: Polarity
    evidential: Evidential = Field(description="Whether the claimant asserts it, reports what it has (not) observed, or infers it.")
    claimant: ActorRef = Field(description="Who asserts it: whoever the evidence's words belong to.")
    speakers: list[ActorRef] = Field(description="Actors whose speech its evidence reports.")
    event_time: EventTime | None = Field(description="When what it says happened or holds, at its precision; null when the sources do not say.")
    step: str = Field(description="Where the claim puts the proposition: planned, done, not observed, denied, abandoned...")
    dated_by: Literal["event", "published", "unknown"] = Field(
        description="What places it in time: its event time, else the publication date of the earliest document its evidence"
        " quotes; unknown when neither is known (it comes last)."
    )
    date_from: Day | None = Field(description="First day of that time.")
    date_to: Day | None = Field(description="Last day of that time.")


class PropositionContradiction(BaseModel):
    """A contradiction between its claims: some of them on one side, some on the other."""

    id: str = Field(description="`GET /v1/contradictions/{id}` has the rest.")
    kind: ContradictionKind
    status: ContradictionStatus
    origin: RelationOrigin
    claim_ids: list[str] = Field(description="Its claims that are claims of this proposition.")


class PropositionCorroboration(BaseModel):
    """A corroboration between two or more of its claims."""

    id: str = Field(description="`GET /v1/corroborations/{id}` has the rest.")
    kind: CorroborationKind
    status: CorroborationStatus
    origin: RelationOrigin
    claim_ids: list[str] = Field(description="Its claims that are claims of this proposition.")


class PropositionPublic(PropositionSummary):
    """A proposition with its claims in time order and the relations among them."""

    claims: list[PropositionClaim] = Field(
        description="In time order: by event time, else publication date (earliest first; undated last)."
    )
    contradictions: list[PropositionContradiction]
    corroborations: list[PropositionCorroboration]


class PropositionPage(Page[PropositionSummary]):
    """A page of propositions."""
