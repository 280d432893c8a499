"""API keys: `ck_<id>.<secret>`, stored as a SHA-256 of the secret and shown once, when created.

Scopes nest: `admin` includes `write`, which includes `read`. Reads are public unless
CLAIMS_READ_REQUIRES_KEY is set; every write needs a `write` key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Connection, insert, select, update

from api.errors import Forbidden, Unauthorized
from api.store.db import Store, now
from schemas.tables import ApiKey, table_of

SCOPES = ("read", "write", "admin")
PREFIX = "ck_"


@dataclass(frozen=True)
class Principal:
    key_id: str
    scopes: frozenset[str]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def expand(scopes: list[str]) -> list[str]:
    """The scopes a key holds, with those each implies."""
    top = max((SCOPES.index(s) for s in scopes), default=-1)
    return list(SCOPES[: top + 1])


def create_key(conn: Connection, *, name: str, scopes: list[str]) -> str:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValueError(f"scopes must be among {', '.join(SCOPES)}; got {', '.join(scopes) or 'none'}")
    key_id = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    conn.execute(insert(table_of(ApiKey)).values(
        id=key_id, name=name, secret_hash=_hash(secret), scopes=",".join(expand(scopes)), created_at=now(), revoked_at=None,
    ))
    return f"{PREFIX}{key_id}.{secret}"


def list_keys(conn: Connection) -> list[Any]:
    t = table_of(ApiKey)
    return list(conn.execute(select(t.c.id, t.c.name, t.c.scopes, t.c.created_at, t.c.revoked_at).order_by(t.c.created_at)))


def revoke_key(conn: Connection, key_id: str) -> bool:
    t = table_of(ApiKey)
    result = conn.execute(update(t).where(t.c.id == key_id, t.c.revoked_at.is_(None)).values(revoked_at=now()))
    return bool(result.rowcount)


def _presented(request: Request) -> str | None:
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, token = auth.partition(" ")
        return token.strip() if scheme.lower() == "bearer" else None
    return request.headers.get("x-api-key")


def authenticate(store: Store, request: Request, scope: str) -> Principal:
    token = _presented(request)
    needs = f"This operation needs an API key with scope '{scope}'"
    if not token:
        raise Unauthorized(f"{needs}: send it as 'Authorization: Bearer <key>'.")
    key_id, _, secret = token.removeprefix(PREFIX).partition(".")
    row = store.one("SELECT secret_hash, scopes, revoked_at FROM api_key WHERE id = ?", (key_id,)) if secret else None
    if row is None or not hmac.compare_digest(row[0], _hash(secret)) or row[2] is not None:
        error = Unauthorized(f"{needs}; the key sent is unknown, malformed or revoked.")
        error.headers = {"WWW-Authenticate": 'Bearer realm="claims-api", error="invalid_token"'}
        raise error
    scopes = frozenset(str(row[1]).split(","))
    if scope not in scopes:
        raise Forbidden(f"{needs}; key '{key_id}' has {', '.join(sorted(scopes))}.")
    return Principal(key_id=key_id, scopes=scopes)


def _principal(request: Request, scope: str) -> Principal:
    """The key the route check already authenticated (see StrictQueryRoute), or authenticate now."""
    known = getattr(request.state, "principal", None)
    if isinstance(known, Principal) and scope in known.scopes:
        return known
    return authenticate(request.app.state.store, request, scope)


def require_write(request: Request) -> Principal:
    """A key with scope `write` (401 without a valid key, 403 without the scope)."""
    return _principal(request, "write")


def require_admin(request: Request) -> Principal:
    """A key with scope `admin` (401 without a valid key, 403 without the scope)."""
    return _principal(request, "admin")


SCOPE_OF_DEPENDENCY: dict[Any, str] = {require_write: "write", require_admin: "admin"}
WriteKey = Annotated[Principal, Depends(require_write)]
AdminKey = Annotated[Principal, Depends(require_admin)]
