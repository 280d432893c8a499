"""Sources: the documents the project holds and everything they cite."""

from __future__ import annotations

from pydantic import BaseModel, Field

from schemas.common import DateValue
from schemas.refs import ActorRef, Page, SourceRef
from schemas.timestamps import Timestamp
from schemas.vocab import SourceKind


class SourceSummary(BaseModel):
    """A source in a list (without its text)."""

    id: str
    revision: int = Field(description="Increases with every change; the ETag carries it and `If-Match` checks it.")
    deleted_at: Timestamp | None = Field(description="When it was deleted; null unless this is a tombstone.")
    kind: SourceKind
    title: str
    language: str = Field(description="BCP 47 tag; `und` when the citing text does not say.")
    published: DateValue | None = Field(description="Publication date, its precision, and how it was established.")
    publisher: ActorRef | None = Field(description="The outlet or body that published it.")
    authors: list[ActorRef]
    cites: list[str] = Field(description="Ids of the sources it cites directly.")
    part_of: str | None = Field(description="Id of the larger body of documents it belongs to.")
    url: str | None
    has_text: bool = Field(description="True when the project holds its full text.")
    claim_count: int = Field(description="Claims quoted from it, attributed to it, or tracing back to it.")


class SourcePublic(SourceSummary):
    """A source with its citation chain in both directions and, when held, its full text."""

    note: str | None = Field(description="How its date or provenance was established.")
    cited_sources: list[SourceRef] = Field(description="The sources it cites directly.")
    cited_by: list[SourceRef] = Field(description="The sources that cite it directly.")
    origins: list[SourceRef] = Field(description="Every source its citation chain leads to (through `cites` and `part_of`).")
    text: str | None = Field(description="Full text, for documents the project holds; evidence offsets index into it.")


class SourcePage(Page[SourceSummary]):
    """A page of sources (without their texts)."""
