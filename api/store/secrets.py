"""Keys the server makes once and keeps in the database (table `server_secret`), so that every
process serving one database, and every restart, uses the same key."""

from __future__ import annotations

import secrets

from sqlalchemy import text
from sqlalchemy.engine import Engine

from api.store.db import now

_READ = text("SELECT value FROM server_secret WHERE name = :name")
# Both backends read this statement the same way: the first process to insert wins, the others insert nothing.
_INSERT_IF_ABSENT = text(
    "INSERT INTO server_secret (name, value, created_at) VALUES (:name, :value, :at) ON CONFLICT (name) DO NOTHING"
)


def kept_secret(engine: Engine, name: str) -> str:
    """The key called `name`: 32 random bytes (URL-safe base64) made the first time it is asked for, then read
    back, so that processes starting together on one database all end up with the one stored first."""
    with engine.connect() as conn:
        value = conn.execute(_READ, {"name": name}).scalar()
    if value is None:
        with engine.begin() as conn:
            conn.execute(_INSERT_IF_ABSENT, {"name": name, "value": secrets.token_urlsafe(32), "at": now()})
            value = conn.execute(_READ, {"name": name}).scalar_one()
    return str(value)


__all__ = ["kept_secret"]
