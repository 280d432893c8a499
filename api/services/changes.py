"""The change feed and each record's revisions, from the revision table."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from api.errors import NotFound
from api.services.common import INT64, Cursor, Page, Where
from api.store.db import Store
from api.store.revisions import REVISION_AFTER
from schemas.timestamps import rfc3339

TABLES = {"actor", "source", "claim", "contradiction", "corroboration"}


def _item(row: tuple[Any, ...]) -> bytes:
    seq, resource, resource_id, revision, action, at, api_key_id, before, after = row
    if isinstance(at, str):  # SQLite hands timestamps back as text, without their offset
        at = datetime.fromisoformat(at)
    stamp = rfc3339(at)
    return (
        f'{{"seq":{seq},"resource":{json.dumps(resource)},"resource_id":{json.dumps(resource_id)},"revision":{revision},'
        f'"action":{json.dumps(action)},"at":{json.dumps(stamp)},"api_key_id":{json.dumps(api_key_id)},'
        f'"before":{before or "null"},"after":{after or "null"}}}'
    ).encode()


def _page(store: Store, where: Where, limit: int, cursor: str | None, scope: dict[str, Any], order: str = "seq") -> Page:
    """A page in `seq` order: the feed runs down the primary key (by resource, ix_revision_resource_seq). `order`
    `+seq` sorts instead (a record's few revisions, found by ix_revision_resource, whose order SQLite would
    otherwise take from the primary key by reading the whole feed)."""
    scope_id = Cursor.scope(scope)
    key = Cursor.decode(store, cursor, scope_id, [INT64])
    if key is not None:
        where.add("seq > ?", int(key[0]))
    rows = store.all(
        f"SELECT seq, resource, resource_id, revision, action, at, api_key_id, before, {REVISION_AFTER} FROM revision"
        f" WHERE {where.sql()} ORDER BY {order} LIMIT ?",
        [*where.params, limit + 1],
    )
    next_cursor = Cursor.encode(store, [rows[limit - 1][0]], scope_id) if len(rows) > limit else None
    return Page(items=[_item(r) for r in rows[:limit]], next_cursor=next_cursor)


def list_changes(store: Store, *, after: int | None, resource: str | None, limit: int, cursor: str | None) -> Page:
    where = Where()
    if after is not None:
        where.add("seq > ?", after)
    if resource is not None:
        where.add("resource = ?", resource)
    return _page(store, where, limit, cursor, {"after": after, "resource": resource})


def list_revisions(store: Store, *, resource: str, resource_id: str, limit: int, cursor: str | None) -> Page:
    assert resource in TABLES
    if store.one(f"SELECT 1 FROM {resource} WHERE id = ?", (resource_id,)) is None:
        raise NotFound(f"{resource.capitalize()} '{resource_id}' does not exist.")
    where = Where()
    where.add("resource = ?", resource)
    where.add("resource_id = ?", resource_id)
    return _page(store, where, limit, cursor, {"resource": resource, "id": resource_id}, order="+seq")
