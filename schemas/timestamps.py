"""Moments the API serves (`deleted_at`, a change's `at`): one form on every backend.

RFC 3339 `date-time` in UTC with a `Z` and always six fractional digits, `2026-11-24T02:06:21.538291Z`:
PostgreSQL hands `timestamptz` back in the session's time zone, SQLite keeps no offset at all, and
`datetime.isoformat()` drops the fraction when it is zero, so none of them is served as it comes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

EXAMPLE = "2026-11-24T02:06:21.538291Z"


def rfc3339(moment: datetime) -> str:
    """`moment` as RFC 3339 in UTC with microseconds. A naive value is taken as UTC: every stored moment is
    written as UTC (`api.store.db.now`), and SQLite gives it back without its offset."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


Timestamp = Annotated[
    datetime,
    PlainSerializer(rfc3339, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": [EXAMPLE]}),
]
"""A served moment: serialized by `rfc3339`; described in OpenAPI as `date-time`."""
