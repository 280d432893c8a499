"""What decides propositions and relations: the detection rules and the declared knowledge tables."""

from __future__ import annotations

from pydantic import BaseModel, Field

from schemas.knowledge import Knowledge
from schemas.vocab import ContradictionKind, CorroborationKind, DetectionRule, RelationKind


class RulePublic(BaseModel):
    """A named, deterministic detection rule: it proposes a relation between two claims, with an explanation."""

    name: DetectionRule = Field(description="What `origin`, `detected_by` and the `rule` filter name it by.")
    relation: RelationKind = Field(description="What it proposes.")
    kinds: list[ContradictionKind | CorroborationKind] = Field(description="The kinds of relation it proposes (of its `relation`).")
    description: str = Field(description="When it fires.")
    symmetric: bool = Field(description="Whether the order of the two claims is immaterial to it.")


class EnginePublic(BaseModel):
    """The detection rules, and the knowledge tables in force that key propositions and feed the rules."""

    rules: list[RulePublic] = Field(description="Every rule, in the order they run.")
    knowledge: Knowledge = Field(
        description="The declared tables (`data/knowledge.yaml`) the database was built with: predicate families, label"
        " classes, one-off events, conflicts, incompatible stances, opposed characterizations, outcomes; `version` is"
        " raised with every change."
    )
