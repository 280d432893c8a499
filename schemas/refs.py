"""Small embedded views of one entity inside another's response."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from schemas.common import DateValue
from schemas.vocab import ActorKind, SourceKind


class ActorRef(BaseModel):
    """An actor as embedded in another resource."""

    id: str = Field(description="Actor id; `GET /v1/actors/{id}` has the rest.")
    kind: ActorKind
    name: str
    unnamed: bool = Field(description="True for a speaker or group the sources do not name.")


class SourceRef(BaseModel):
    """A source as embedded in another resource."""

    id: str = Field(description="Source id; `GET /v1/sources/{id}` has the rest.")
    kind: SourceKind
    title: str
    language: str = Field(description="BCP 47 language tag; `und` when the citing text does not say.")
    published: DateValue | None = Field(description="Publication date at its precision, and how it was established.")


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list. Each list's page has its own name (`ClaimPage`, `ActorPage`...), as a subclass."""

    items: list[T]
    next_cursor: str | None = Field(description="Opaque cursor for the next page; null on the last page.")
    next: str | None = Field(description="URL of the next page (also in the `Link` header); null on the last page.")
