"""Changes: the history of every record, and the feed of all of them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from schemas.refs import Page
from schemas.timestamps import Timestamp
from schemas.vocab import ChangeAction, ChangeResource


class Change(BaseModel):
    """One change to one record."""

    seq: int = Field(description="Position in the feed of all changes; increases with each.")
    resource: ChangeResource
    resource_id: str = Field(description="Id of the record it changed.")
    revision: int = Field(description="The record's revision after this change.")
    action: ChangeAction
    at: Timestamp = Field(description="When it was made: RFC 3339 in UTC with microseconds.")
    api_key_id: str | None = Field(description="Public id of the key that made the change; null for the curated dataset load.")
    before: dict[str, Any] | None = Field(description="The record before the change (null for a create).")
    after: dict[str, Any] | None = Field(description="The record after the change (null for a delete).")
    etag: str | None = Field(
        description="The record's `ETag` (its uncompressed form) after this change, when this is its latest change;"
        " null once a later change supersedes it (the feed holds that one further on), and for roles and the"
        " knowledge tables, which other views show."
    )
    view: dict[str, Any] | None = Field(
        description="With `include_views=true`, when this is the record's latest change: the record as `GET` of it"
        " serves it (for a deleted record, the tombstone: its last view with `deleted_at`); else null. A mirror that"
        " follows the feed from `after=0` and keeps each record's last `view` holds what `GET` serves."
    )


class ChangePage(Page[Change]):
    """A page of the change feed, or of one record's revisions."""
