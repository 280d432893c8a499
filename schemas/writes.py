"""Request bodies of the write API.

Create bodies are the dataset's record formats (so a record posted through the API and one loaded
from data/ are the same thing); patch bodies have every field optional (nullable only where the
record's field may be null: `null` clears it), and neither admits a field the server owns
(`revision`, timestamps, rendered views) or one it does not know: both are a 422.
"""

from __future__ import annotations

from typing import Annotated, Any, Self, get_args

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator
from pydantic.fields import FieldInfo

from schemas.common import MAX_OFFSET, StrictModel
from schemas.dataset import ActorIn, ClaimEvidenceIn, ClaimIn, ContradictionIn, CorroborationIn, EvidenceIn, RoleIn, SourceBase
from schemas.vocab import ContradictionSide


class SourceCreate(SourceBase):
    """A source; with `text`, a document the project holds (evidence can then quote it)."""

    note: str | None = None
    text: str | None = Field(None, min_length=1, description="Full text of a held document; evidence offsets index into it.")


LOCATED = (
    " Leave out `start` and `end` and the server finds the quote in the source's text: white space of any kind and length"
    " matches any other, and text is compared after Unicode compatibility normalisation (NFKC); what is stored is the"
    " exact slice of the text at the offsets found (code points). A quote found more than once needs `occurrence` or"
    " `start`; one found nowhere is a 422 giving the closest passage (`GET /v1/sources/{source_id}/locate` answers the same)."
)


class LocatedEvidenceIn(EvidenceIn):
    """An evidence item as a write takes it: the quote, with its offsets or without them (the server locates it)."""

    start: int | None = Field(  # type: ignore[assignment]
        None, strict=True, ge=0, le=MAX_OFFSET,
        description="Code-point offset of the quote's first character; with `end`, checked exactly. Alone, it picks which of"
        " several places the quote is found at." + LOCATED,
    )
    end: int | None = Field(  # type: ignore[assignment]
        None, strict=True, gt=0, le=MAX_OFFSET, description="Code-point offset just past the quote's last character; given with `start`.",
    )
    occurrence: int | None = Field(
        None, strict=True, ge=1, le=MAX_OFFSET,
        description="Which place of the quote to take (1 is the first in the text) when the server locates a quote found"
        " more than once. Not stored.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end is not None and self.start is None:
            raise ValueError("end needs start: give both offsets, or neither and let the server locate the quote")
        if self.start is not None and self.end is not None and self.end - self.start != len(self.quote):
            raise ValueError(f"end - start is {self.end - self.start} but the quote has {len(self.quote)} characters")
        if self.occurrence is not None and self.start is not None:
            raise ValueError("give occurrence or start to pick a place, not both")
        return self


class LocatedClaimEvidenceIn(LocatedEvidenceIn, ClaimEvidenceIn):
    """A claim's evidence item as a write takes it: offsets optional (the server locates the quote)."""


class RoleCreate(RoleIn):
    """A role with evidence from a held document; quotes may be given without offsets."""

    evidence: list[LocatedEvidenceIn] = Field(min_length=1)  # type: ignore[assignment]


class ClaimCreate(ClaimIn):
    """A claim; its evidence quotes may be given without offsets, which the server then locates."""

    evidence: list[LocatedClaimEvidenceIn] = Field(min_length=1)  # type: ignore[assignment]


ActorCreate = ActorIn
ContradictionCreate = ContradictionIn
CorroborationCreate = CorroborationIn

PATCH_RULE = (
    " A field left out keeps its value; a field given replaces it whole. `null` clears a field that may be empty (its"
    " description says so); any other field refuses it, as it refuses a value the create body would."
)


def _absent() -> None:
    """A field the patch leaves out: never sent on, since patches are read with `exclude_unset`."""
    return None


def _patch_field(info: FieldInfo) -> tuple[Any, Any]:
    """The create body's field, optional: its type and constraints (pattern, length) kept, nullable only where
    the record's field may be null, and with no `default` in the document."""
    annotation: Any = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    description = info.description or ""
    if type(None) in get_args(info.annotation):
        description = f"{description} `null` clears it.".strip()
    return annotation, Field(
        default_factory=_absent, description=description or None, examples=info.examples, json_schema_extra=info.json_schema_extra,
    )


def _patch_model(name: str, model: type[BaseModel], doc: str) -> type[StrictModel]:
    fields: dict[str, Any] = {
        field_name: _patch_field(info) for field_name, info in model.model_fields.items() if field_name not in {"id", "text_file"}
    }
    patch: type[StrictModel] = create_model(name, __base__=StrictModel, __doc__=doc + PATCH_RULE, **fields)
    patch.model_config = ConfigDict(extra="forbid", frozen=True)
    return patch


ActorPatch = _patch_model("ActorPatch", ActorIn, "Changes to an actor.")
SourcePatch = _patch_model("SourcePatch", SourceCreate, "Changes to a source.")
ClaimPatch = _patch_model("ClaimPatch", ClaimCreate, "Changes to a claim.")
ContradictionPatch = _patch_model(
    "ContradictionPatch", ContradictionIn,
    "Changes to a contradiction, e.g. curation: `status` confirmed, reconciled or resolved (with `resolution`), or rejected.",
)
CorroborationPatch = _patch_model("CorroborationPatch", CorroborationIn, "Changes to a corroboration.")


class MemberSide(StrictModel):
    """The side a claim added to a contradiction stands on."""

    side: ContradictionSide = Field(description="`a` or `b`: the side of the contradiction the claim takes.")
