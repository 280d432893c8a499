"""Declared knowledge the contradiction engine keys propositions by: `data/knowledge.yaml`.

The tables are data, not code, so that an analyst can extend them: which predicates state one
family of proposition (and which of the claim's actors are its parties), which object labels and
units name the same thing in English and Arabic, which predicates name a one-off event, which
conflicts have which belligerents, which stance and conduct cannot go together, and which
characterizations of a relationship oppose each other. Every entry carries a description.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, StringConstraints, model_validator

from schemas.common import MAX_LABEL, NOT_BLANK, Slug, StrictModel
from schemas.vocab import Predicate

Slot = Literal["subject", "recipient", "object"]


class FamilyMember(StrictModel):
    predicate: Predicate
    agent: Slot = Field(description="The claim field whose actor is the proposition's first party (e.g. where arms flow from).")
    patient: Slot | None = Field(None, description="The claim field whose actor is its second party (e.g. where arms flow to).")


class PredicateFamily(StrictModel):
    """Predicates that state one proposition, with the claim fields that hold its two parties."""

    id: Slug
    description: str = Field(min_length=1, pattern=NOT_BLANK)
    symmetric: bool = Field(False, description="True when the parties' order does not matter (relations between two states).")
    by_party: bool = Field(
        True, description="Whether the parties are the states or bodies the actors act for (a minister for the state): true"
        " for arms flows and relations between states; false where the persons themselves matter."
    )
    classed: bool = Field(True, description="Whether the object's class is part of the proposition (missiles and shells are two).")
    members: list[FamilyMember] = Field(min_length=1)


class LabelClass(StrictModel):
    """Object labels and units that name one thing, in any language."""

    id: str = Field(min_length=1, max_length=MAX_LABEL, description="The class's name: the normalized label.")
    description: str = Field(min_length=1, pattern=NOT_BLANK)
    labels: list[Annotated[str, StringConstraints(min_length=1, max_length=MAX_LABEL)]] = Field(
        min_length=1, description="Labels (lower case; matched whole or as a phrase inside a label), each at most 200 code points."
    )


class Conflict(StrictModel):
    """A war or conflict, by the labels that name it, and its belligerents."""

    id: Slug
    description: str = Field(min_length=1, pattern=NOT_BLANK)
    labels: list[Annotated[str, StringConstraints(min_length=1, max_length=MAX_LABEL)]] = Field(min_length=1)
    belligerents: list[Slug] = Field(min_length=2)


class IncompatibleStance(StrictModel):
    """A stated position and conduct that cannot go together (neutrality in a war; arms to a belligerent)."""

    id: Slug
    description: str = Field(min_length=1, pattern=NOT_BLANK)
    stance: Predicate = Field(description="The predicate of the stated position; its object label names a conflict.")
    conduct: Slug = Field(description="The family of the conduct; its agent is the stance's subject, its patient a belligerent.")


class OpposedCharacterization(StrictModel):
    """Two families that describe one relationship in opposite ways (close allies; relations that cooled)."""

    id: Slug
    description: str = Field(min_length=1, pattern=NOT_BLANK)
    families: tuple[Slug, Slug]


class Outcome(StrictModel):
    """Predicates that, said of one pair of parties, point to one outcome (strained relations: a suspension,
    frustration, relations that suffered)."""

    id: Slug
    description: str = Field(min_length=1, pattern=NOT_BLANK)
    predicates: list[Predicate] = Field(min_length=2)
    same_object: bool = Field(
        False, description="Whether the two claims must also concern the same class of thing (pressure and a request to send the same arms)."
    )


class Knowledge(StrictModel):
    version: int = Field(strict=True, ge=1, le=2**31 - 1, description="Raised with every change to the tables.")
    predicate_families: list[PredicateFamily]
    object_classes: list[LabelClass]
    unit_classes: list[LabelClass]
    one_off_events: list[Predicate] = Field(description="Predicates whose object actor identifies a single event (a leak is posted once).")
    conflicts: list[Conflict]
    incompatible_stances: list[IncompatibleStance]
    opposed_characterizations: list[OpposedCharacterization]
    outcomes: list[Outcome]

    @classmethod
    def empty(cls) -> Knowledge:
        """No declared knowledge: every predicate its own proposition, every label its own class."""
        return cls(version=1, predicate_families=[], object_classes=[], unit_classes=[], one_off_events=[], conflicts=[],
                   incompatible_stances=[], opposed_characterizations=[], outcomes=[])

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        seen: dict[Predicate, str] = {}
        families = {f.id for f in self.predicate_families}
        for family in self.predicate_families:
            for member in family.members:
                if member.predicate in seen:
                    raise ValueError(f"predicate '{member.predicate.value}' is in families '{seen[member.predicate]}' and '{family.id}'")
                seen[member.predicate] = family.id
        for entry in self.incompatible_stances:
            if entry.conduct not in families:
                raise ValueError(f"incompatible stance '{entry.id}' names unknown family '{entry.conduct}'")
        for pair in self.opposed_characterizations:
            for fam in pair.families:
                if fam not in families:
                    raise ValueError(f"opposed characterization '{pair.id}' names unknown family '{fam}'")
        return self
