"""The search synonym table, `data/synonyms.yaml`: groups of words and phrases that search treats as one.

A query word that belongs to a group finds every record holding any member of the group (api/store/text.py,
api/services/search.py). Members are written as a reader would type them, in any language and any case;
search folds them the way it folds queries (case, diacritics, Arabic letter forms, Unicode compatibility
forms). A member of several words ("backed down") is a phrase: it matches those words in that order.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from schemas.common import Slug, StrictModel

SYNONYMS_FILE = "synonyms.yaml"
Member = Annotated[str, StringConstraints(min_length=1, max_length=80, strip_whitespace=True)]


class SynonymGroup(StrictModel):
    """Words and phrases that mean the same thing to someone searching."""

    id: Slug = Field(description="A stable name for the group, e.g. `missiles`.")
    description: str = Field(min_length=1, description="What the group stands for, and where the texts use it.")
    members: list[Member] = Field(min_length=2, description="Two or more words or phrases, any language, as typed.")

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        seen: set[str] = set()
        for member in self.members:
            key = member.casefold()
            if key in seen:
                raise ValueError(f"member '{member}' is listed twice")
            seen.add(key)
        return self


class SynonymsFile(StrictModel):
    """`data/synonyms.yaml`."""

    version: int = Field(1, ge=1, le=1)
    groups: list[SynonymGroup] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        ids = [g.id for g in self.groups]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"group ids must be unique: {', '.join(duplicates)}")
        owner: dict[str, str] = {}
        for group in self.groups:
            for member in group.members:
                other = owner.setdefault(member.casefold(), group.id)
                if other != group.id:
                    raise ValueError(f"member '{member}' is in groups '{other}' and '{group.id}': a word means one thing")
        return self
