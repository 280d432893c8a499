"""Request bodies of the write API.

Create bodies are the dataset's record formats (so a record posted through the API and one loaded
from data/ are the same thing); patch bodies have every field optional (nullable only where the
record's field may be null: `null` clears it), and neither admits a field the server owns
(`revision`, timestamps, rendered views) or one it does not know: both are a 422.
"""

from __future__ import annotations

from typing import Annotated, Any, get_args

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from schemas.common import StrictModel
from schemas.dataset import ActorIn, ClaimIn, ContradictionIn, CorroborationIn, SourceBase


class SourceCreate(SourceBase):
    """A source; with `text`, a document the project holds (evidence can then quote it)."""

    note: str | None = None
    text: str | None = Field(None, min_length=1, description="Full text of a held document; evidence offsets index into it.")


ActorCreate = ActorIn
ClaimCreate = ClaimIn
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
ClaimPatch = _patch_model("ClaimPatch", ClaimIn, "Changes to a claim.")
ContradictionPatch = _patch_model(
    "ContradictionPatch", ContradictionIn,
    "Changes to a contradiction, e.g. curation: `status` confirmed, reconciled or resolved (with `resolution`), or rejected.",
)
CorroborationPatch = _patch_model("CorroborationPatch", CorroborationIn, "Changes to a corroboration.")
