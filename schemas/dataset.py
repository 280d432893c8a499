"""The curated dataset's file format: what `data/actors.yaml` and `data/documents/*.yaml` hold.

These models check each file's shape and field values. Rules that span files (references resolve,
quotes match their source text) are the loader's (`api/dataset/loader.py`).
"""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import Field, PlainSerializer, ValidationInfo, field_validator, model_validator

from schemas.common import MAX_OFFSET, NOT_BLANK, ClaimObject, DateValue, EventTime, LanguageTag, Quantity, Slug, StrictModel
from schemas.vocab import (
    ActorKind,
    ContradictionKind,
    ContradictionSide,
    ContradictionStatus,
    CorroborationKind,
    CorroborationStatus,
    DetectionRule,
    Evidential,
    Modality,
    Polarity,
    Predicate,
    RelationOrigin,
    SourceKind,
    Speech,
)

# The engine writes these as plain strings (`model_copy` does not validate): either form is written as its value.
Origin = Annotated[RelationOrigin, PlainSerializer(str, return_type=str)]
RuleName = Annotated[DetectionRule, PlainSerializer(str, return_type=str)]


class EvidenceIn(StrictModel):
    source: Slug = Field(description="Id of a source whose full text the project holds.")
    quote: str = Field(min_length=1, pattern=NOT_BLANK)
    start: int = Field(strict=True, ge=0, le=MAX_OFFSET, description="Code-point offset of the quote's first character.")
    end: int = Field(strict=True, gt=0, le=MAX_OFFSET, description="Code-point offset just past the quote's last character.")
    attributed_to: Slug | None = Field(None, description="Source the passage attributes itself to (e.g. a newspaper it cites).")
    language: LanguageTag | None = Field(None, description="Language of the quote when it differs from the source's.")
    translation: str | None = Field(None, pattern=NOT_BLANK, description="English translation; required when the quote is not English.")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end - self.start != len(self.quote):
            raise ValueError(f"end - start is {self.end - self.start} but the quote has {len(self.quote)} characters")
        return self


class ClaimEvidenceIn(EvidenceIn):
    """A claim's evidence item: the passage, and whose words it gives."""

    speech: Speech = Field(
        description="Direct speech (the speaker's own words), indirect speech (the reporter's account of what the speaker"
        " said) or the author's narration. The claimant must be the speaker of direct speech, and the reporter otherwise."
    )
    speaker: Slug | None = Field(
        None, description="Actor whose speech the span reports: required for direct and indirect speech, absent for narration."
    )


class NameIn(StrictModel):
    value: str = Field(min_length=1, pattern=NOT_BLANK)
    language: LanguageTag


class RoleIn(StrictModel):
    title: str = Field(min_length=1, pattern=NOT_BLANK)
    of: Slug | None = None
    start: DateValue | None = None
    end: DateValue | None = None
    attested: DateValue | None = Field(None, description="When the evidence shows the role held.")
    evidence: list[EvidenceIn] = Field(min_length=1)


class ActorRoleIn(RoleIn):
    """A role a document attests for an actor (defined here or in actors.yaml)."""

    actor: Slug


class ActorNameIn(NameIn):
    """A spelling a document uses for an actor defined elsewhere."""

    actor: Slug


class ActorIn(StrictModel):
    id: Slug
    kind: ActorKind
    name: str = Field(min_length=1, pattern=NOT_BLANK)
    names: list[NameIn] = Field(min_length=1)
    description: str = Field(min_length=1, pattern=NOT_BLANK)
    unnamed: bool = Field(False, strict=True)
    speaks_for: Slug | None = Field(
        None, description="Whom the actor acts for (a state, a body): required for an unnamed claimant or speaker. Speakers"
        " who act for the same party are one origin when corroborations are judged independent."
    )
    members: list[Slug] = Field([], description="For a group: the actors it consists of, when the text names them.")



class SourceBase(StrictModel):
    id: Slug
    kind: SourceKind
    title: str = Field(min_length=1, pattern=NOT_BLANK)
    publisher: Slug | None = None
    authors: list[Slug] = []
    language: LanguageTag
    published: DateValue | None = None
    cites: list[Slug] = []
    part_of: Slug | None = None
    url: str | None = None


class SourceIn(SourceBase):
    text_file: str | None = Field(None, description="Path under data/ of the full text, for documents the project holds.")
    note: str | None = Field(None, pattern=NOT_BLANK)


class ClaimIn(StrictModel):
    id: Slug
    statement: str = Field(min_length=1, pattern=NOT_BLANK)
    subject: Slug
    predicate: Predicate
    object: ClaimObject | None = None
    recipient: Slug | None = None
    quantity: Quantity | None = None
    location: Slug | None = None
    event_time: EventTime | None = None
    polarity: Polarity = Polarity.AFFIRMED
    modality: Modality = Modality.ACTUAL
    evidential: Evidential = Field(
        Evidential.ASSERTED,
        description="Whether the claimant asserts it, reports what it has (not) observed, or infers it: a negated"
        " `observed` claim is a non-confirmation (\"we have not seen\"), a negated `asserted` one a denial.",
    )
    claimant: Slug
    evidence: list[ClaimEvidenceIn] = Field(min_length=1)
    note: str | None = Field(None, pattern=NOT_BLANK)


class ContradictionMemberIn(StrictModel):
    claim: Slug
    side: ContradictionSide


class ContradictionIn(StrictModel):
    id: Slug
    kind: ContradictionKind
    claims: list[ContradictionMemberIn] = Field(min_length=2)
    explanation: str = Field(min_length=1, pattern=NOT_BLANK)
    status: ContradictionStatus = ContradictionStatus.OPEN
    resolution: str | None = Field(
        None, validate_default=True,  # a blank one is refused by `_resolution_for`, naming the rule
        description="How it was reconciled or resolved, or why it was rejected: required for those statuses, absent otherwise.",
    )
    origin: Origin = Field(RelationOrigin.CURATED, description="`curated`, or the name of the detection rule that proposed it.")
    detected_by: list[RuleName] = Field([], description="Detection rules that also find it (for a curated relation, or one another rule proposed).")

    @field_validator("claims")
    @classmethod
    def _sides(cls, claims: list[ContradictionMemberIn]) -> list[ContradictionMemberIn]:
        if {m.side for m in claims} != {ContradictionSide.A, ContradictionSide.B}:
            raise ValueError("a contradiction needs at least one claim on side a and one on side b")
        if len({m.claim for m in claims}) != len(claims):
            raise ValueError("a claim appears twice in the contradiction")
        return claims

    @field_validator("resolution")
    @classmethod
    def _resolution(cls, resolution: str | None, info: ValidationInfo) -> str | None:
        status = info.data.get("status")
        closing = {ContradictionStatus.RECONCILED, ContradictionStatus.RESOLVED, ContradictionStatus.REJECTED}
        return _resolution_for(status, resolution, status in closing)


class CorroborationIn(StrictModel):
    id: Slug
    kind: CorroborationKind = CorroborationKind.SAME_PROPOSITION
    claims: list[Slug] = Field(min_length=2)
    explanation: str = Field(min_length=1, pattern=NOT_BLANK)
    status: CorroborationStatus = CorroborationStatus.CONFIRMED
    resolution: str | None = Field(
        None, validate_default=True, description="Why it was rejected: required when `status` is rejected, absent otherwise."
    )
    origin: Origin = Field(RelationOrigin.CURATED, description="`curated`, or the name of the detection rule that proposed it.")
    detected_by: list[RuleName] = Field([], description="Detection rules that also find it (for a curated relation, or one another rule proposed).")

    @field_validator("claims")
    @classmethod
    def _distinct(cls, claims: list[str]) -> list[str]:
        if len(set(claims)) != len(claims):
            raise ValueError("a claim appears twice in the corroboration")
        return claims

    @field_validator("resolution")
    @classmethod
    def _resolution(cls, resolution: str | None, info: ValidationInfo) -> str | None:
        status = info.data.get("status")
        return _resolution_for(status, resolution, status is CorroborationStatus.REJECTED)


def _resolution_for(status: Any, resolution: str | None, needed: bool) -> str | None:
    """A resolution says how a relation was settled or why it was rejected: present exactly then."""
    if status is None:  # the status itself was invalid and is reported
        return resolution
    if needed and not (resolution and resolution.strip()):
        raise ValueError(f"status '{status.value}' needs a resolution saying how or why")
    if not needed and resolution is not None:
        raise ValueError(f"status '{status.value}' takes no resolution: send null with it, or a status that settles the relation")
    return resolution


class CoverageIn(StrictModel):
    start: int = Field(strict=True, ge=0, le=MAX_OFFSET)
    end: int = Field(strict=True, gt=0, le=MAX_OFFSET)
    claims: list[Slug] = []
    reason: str | None = Field(None, pattern=NOT_BLANK, description="Why the passage holds no claim (boilerplate, byline, ...).")
    actors: list[Slug] = Field([], description="Actors (e.g. roles, names) the passage establishes.")
    sources: list[Slug] = Field([], description="Sources (e.g. a credit or a 'Source:' line) the passage establishes.")

    @model_validator(mode="after")
    def _explained(self) -> Self:
        if self.end <= self.start:
            raise ValueError(f"end {self.end} is not after start {self.start}")
        if not (self.claims or self.reason):
            raise ValueError("a passage needs the claims that cover it or a reason why it has none")
        return self


class ActorsFile(StrictModel):
    actors: list[ActorIn]


class SourcesFile(StrictModel):
    """Sources that more than one document cites."""

    sources: list[SourceIn]


class DocumentFile(StrictModel):
    source: SourceIn = Field(description="The document itself; it must have a text_file.")
    sources: list[SourceIn] = Field([], description="Sources the document cites.")
    actors: list[ActorIn] = Field([], description="Actors that only this document names.")
    names: list[ActorNameIn] = Field([], description="Further spellings this document uses for actors defined elsewhere.")
    roles: list[ActorRoleIn] = Field([], description="Roles this document attests, with evidence.")
    claims: list[ClaimIn] = []
    contradictions: list[ContradictionIn] = []
    corroborations: list[CorroborationIn] = []
    coverage: list[CoverageIn] = []

    @model_validator(mode="after")
    def _held(self) -> Self:
        if self.source.text_file is None:
            raise ValueError("source.text_file is required: the document's own text")
        return self


class LinksFile(StrictModel):
    """Contradictions and corroborations that span documents."""

    contradictions: list[ContradictionIn] = []
    corroborations: list[CorroborationIn] = []
