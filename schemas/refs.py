"""Small embedded views of one entity inside another's response."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from schemas.vocab import ActorKind, DatePrecision, SourceKind


class ActorRef(BaseModel):
    """An actor as embedded in another resource."""

    id: str = Field(description="Actor id; `GET /v1/actors/{id}` has the rest.")
    kind: ActorKind
    name: str
    unnamed: bool = Field(description="True for a speaker or group the sources do not name.")


class DateRef(BaseModel):
    """A date at its precision, as embedded in another resource (the source's own view adds how it was established)."""

    date: str = Field(description="ISO 8601 date at its known precision: `2023`, `2023-02` or `2023-02-17`.")
    precision: DatePrecision
    inferred: bool


class SourceRef(BaseModel):
    """A source as embedded in another resource."""

    id: str = Field(description="Source id; `GET /v1/sources/{id}` has the rest.")
    kind: SourceKind
    title: str
    language: str
    published: DateRef | None


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    next_cursor: str | None = Field(description="Opaque cursor for the next page; null on the last page.")
    next: str | None = Field(description="URL of the next page (also in the `Link` header); null on the last page.")
