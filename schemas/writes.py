"""Request bodies of the write API.

Create bodies are the dataset's record formats (so a record posted through the API and one loaded
from data/ are the same thing); patch bodies have every field optional, and neither admits a field
the server owns (`revision`, timestamps, rendered views) or one it does not know: both are a 422.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

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


def _patch_model(name: str, model: type[BaseModel], doc: str) -> type[StrictModel]:
    fields: dict[str, Any] = {
        field_name: (info.annotation | None, Field(None, description=info.description))  # type: ignore[operator]
        for field_name, info in model.model_fields.items()
        if field_name not in {"id", "text_file"}
    }
    patch: type[StrictModel] = create_model(name, __base__=StrictModel, __doc__=doc, **fields)
    patch.model_config = ConfigDict(extra="forbid", frozen=True)
    return patch


ActorPatch = _patch_model("ActorPatch", ActorIn, "Changes to an actor: only the fields given change.")
SourcePatch = _patch_model("SourcePatch", SourceCreate, "Changes to a source: only the fields given change.")
ClaimPatch = _patch_model("ClaimPatch", ClaimIn, "Changes to a claim: only the fields given change; `evidence` is replaced whole.")
ContradictionPatch = _patch_model(
    "ContradictionPatch", ContradictionIn,
    "Changes to a contradiction, e.g. curation: `status` confirmed, reconciled or resolved (with `resolution`), or rejected.",
)
CorroborationPatch = _patch_model("CorroborationPatch", CorroborationIn, "Changes to a corroboration: only the fields given change.")
