"""Query building blocks shared by the read services, and the cursors their pages hand out."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from api.errors import BadRequest, Gone, InvalidParameter, NotFound
from api.store.db import Store
from schemas.common import date_bounds


@dataclass
class Page:
    items: list[bytes]
    next_cursor: str | None


class Cursor:
    """An opaque position in a list: the sort key of the last item served, bound to its query."""

    @staticmethod
    def scope(params: Mapping[str, Any]) -> str:
        canonical = json.dumps({k: v for k, v in sorted(params.items()) if v is not None}, default=str)
        return hashlib.blake2b(canonical.encode(), digest_size=6).hexdigest()

    @staticmethod
    def encode(key: Sequence[Any], scope: str) -> str:
        raw = json.dumps({"k": list(key), "s": scope}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(cursor: str | None, scope: str, arity: int) -> list[Any] | None:
        if cursor is None:
            return None
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            data = json.loads(raw)
            key = data["k"]
            ok = isinstance(key, list) and len(key) == arity and data["s"] == scope
        except (binascii.Error, ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            raise BadRequest(
                f"The cursor '{cursor[:80]}' is not valid for this query: pass back next_cursor unchanged,"
                " with the same filters it was issued for."
            )
        return list(key)


@dataclass
class Where:
    """SQL conditions and their parameters, built up filter by filter."""

    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "1=1"


def _gone(what: str, table: str, item_id: str, revision: int) -> Gone:
    return Gone(
        f"{what} '{item_id}' was deleted (revision {revision}); its history, its last state included, is at"
        f" /v1/{table}s/{item_id}/revisions, and /v1/{table}s?include_deleted=true lists it."
    )


def fetch_doc(store: Store, table: str, item_id: str, what: str, *, include_deleted: bool = False) -> tuple[bytes, str]:
    row = store.one(f"SELECT body, etag, deleted_at, revision FROM {table} WHERE id = ?", (item_id,))
    if row is None:
        raise NotFound(f"{what} '{item_id}' does not exist.")
    if row[2] is not None and not include_deleted:
        raise _gone(what, table, item_id, row[3])
    return bytes(row[0]), row[1]


def require(store: Store, table: str, item_id: str | None, param: str, what: str) -> None:
    """A filter that names an unknown id is an error, not an empty result."""
    if item_id is not None and store.one(f"SELECT 1 FROM {table} WHERE id = ? AND deleted_at IS NULL", (item_id,)) is None:
        raise InvalidParameter(
            f"Query parameter '{param}': {what} '{item_id}' does not exist.",
            errors=[{"loc": ["query", param], "msg": f"unknown {what.lower()} '{item_id}'", "type": "unknown_reference"}],
        )


def exists_or_404(store: Store, table: str, item_id: str, what: str) -> None:
    row = store.one(f"SELECT deleted_at, revision FROM {table} WHERE id = ?", (item_id,))
    if row is None:
        raise NotFound(f"{what} '{item_id}' does not exist.")
    if row[0] is not None:
        raise _gone(what, table, item_id, row[1])


def live(where: Where, alias: str, include_deleted: bool) -> None:
    """Hide tombstones unless asked for."""
    if not include_deleted:
        where.add(f"{alias}.deleted_at IS NULL")


def date_span(date_from: str | None, date_to: str | None) -> tuple[str | None, str | None]:
    """The first day of `date_from` and the last of `date_to` (both partial dates), as ISO days."""
    if date_from is not None and date_to is not None and date_bounds(date_to)[1] < date_bounds(date_from)[0]:
        raise InvalidParameter(
            f"date_to '{date_to}' is before date_from '{date_from}'.",
            errors=[{"loc": ["query", "date_to"], "msg": "before date_from", "type": "value_error"}],
        )
    return (None if date_from is None else date_bounds(date_from)[0].isoformat(),
            None if date_to is None else date_bounds(date_to)[1].isoformat())


def date_range(where: Where, lo_col: str, hi_col: str, date_from: str | None, date_to: str | None) -> None:
    """Keep rows whose [lo, hi] date range overlaps the requested one (both partial dates)."""
    first, last = date_span(date_from, date_to)
    if first is not None:
        where.add(f"{hi_col} >= ?", first)
    if last is not None:
        where.add(f"{lo_col} <= ?", last)


def published_by(where: Where, alias: str, as_of: str | None) -> None:
    """Keep the claims published by a date (`as_of`): from the last day of their earliest document's date."""
    if as_of is not None:
        where.add(f"{alias}.published_to IS NOT NULL AND {alias}.published_to <= ?", as_of)


def members_published_by(where: Where, link: str, fk: str, alias: str, as_of: str | None) -> None:
    """Keep the contradictions or corroborations all of whose claims were published by a date."""
    if as_of is not None:
        where.add(f"NOT EXISTS (SELECT 1 FROM {link} lp JOIN claim cp ON cp.id = lp.claim_id WHERE lp.{fk} = {alias}.id"
                  " AND (cp.published_to IS NULL OR cp.published_to > ?))", as_of)


def keyset_page(
    store: Store,
    *,
    source: str,
    payload: str,
    order: Sequence[str],
    where: Where,
    limit: int,
    cursor: str | None,
    scope: dict[str, Any],
) -> Page:
    """One page in `order`, resuming after the cursor's key: no offsets, stable under inserts."""
    scope_id = Cursor.scope(scope)
    key = Cursor.decode(cursor, scope_id, len(order))
    clauses = Where(list(where.clauses), list(where.params))
    if key is not None:
        clauses.add(f"({', '.join(order)}) > ({', '.join('?' * len(order))})", *key)
    cols = ", ".join(order)
    sql = f"SELECT {payload}, {cols} FROM {source} WHERE {clauses.sql()} ORDER BY {cols} LIMIT ?"
    rows = store.all(sql, [*clauses.params, limit + 1])
    next_cursor = Cursor.encode(rows[limit - 1][1:], scope_id) if len(rows) > limit else None
    return Page(items=[r[0] for r in rows[:limit]], next_cursor=next_cursor)
