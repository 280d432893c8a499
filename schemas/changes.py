"""Changes: the history of every record, and the feed of all of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class Change(BaseModel):
    """One change to one record."""

    seq: int = Field(description="Position in the feed of all changes; increases with each.")
    resource: str = Field(description="actor, source, claim, contradiction, corroboration, role (an actor's role, by id) or knowledge (the engine's tables)")
    resource_id: str
    revision: int = Field(description="The record's revision after this change.")
    action: str = Field(description="create, update or delete")
    at: datetime
    api_key_id: str | None = Field(description="Public id of the key that made the change; null for the curated dataset load.")
    before: dict[str, Any] | None = Field(description="The record before the change (null for a create).")
    after: dict[str, Any] | None = Field(description="The record after the change (null for a delete).")
