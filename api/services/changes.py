"""The change feed and each record's revisions, from the revision table.

Every change to what the API serves is in the feed: a record created, changed or deleted, and a record whose
view changed because a record it shows did (`refresh`, api/services/writes.py `_rerender`). So a client that
follows the feed from `after=0`, keeping for each record the `view` of its latest change, holds what `GET`
serves for every record (tests/api/test_change_feed.py proves it after generated series of writes).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from api.errors import NotFound
from api.services.common import INT64, Cursor, Page, Where
from api.store.bodies import inflate
from api.store.db import Store
from api.store.revisions import RESOURCES, REVISION_AFTER
from schemas.timestamps import rfc3339

TABLES = {"actor", "source", "claim", "contradiction", "corroboration"}


def _current(column: str) -> str:
    """An SQL expression over a row of `revision`: the record's `column` when the row is its latest change (its
    row's revision is this one), else NULL; NULL for roles and the knowledge tables (no view of their own)."""
    cases = " ".join(
        f"WHEN '{t}' THEN (SELECT x.{column} FROM {t} x WHERE x.id = revision.resource_id AND x.revision = revision.revision)"
        for t in RESOURCES
    )
    return f"CASE revision.resource {cases} END"


_ETAG = _current("etag")
_VIEW = _current("body")


def _item(row: tuple[Any, ...]) -> bytes:
    seq, resource, resource_id, revision, action, at, api_key_id, before, after, etag, body = row
    if isinstance(at, str):  # SQLite hands timestamps back as text, without their offset
        at = datetime.fromisoformat(at)
    stamp = rfc3339(at)
    view = inflate(bytes(body)).decode() if body is not None else "null"
    return (
        f'{{"seq":{seq},"resource":{json.dumps(resource)},"resource_id":{json.dumps(resource_id)},"revision":{revision},'
        f'"action":{json.dumps(action)},"at":{json.dumps(stamp)},"api_key_id":{json.dumps(api_key_id)},'
        f'"before":{before or "null"},"after":{after or "null"},"etag":{json.dumps(etag)},"view":{view}}}'
    ).encode()


def _page(store: Store, where: Where, limit: int, cursor: str | None, scope: dict[str, Any], *, order: str = "seq",
          views: bool = False) -> Page:
    """A page in `seq` order: the feed runs down the primary key (by resource, ix_revision_resource_seq). `order`
    `+seq` sorts instead (a record's few revisions, found by ix_revision_resource, whose order SQLite would
    otherwise take from the primary key by reading the whole feed)."""
    scope_id = Cursor.scope(scope)
    key = Cursor.decode(store, cursor, scope_id, [INT64])
    if key is not None:
        where.add("seq > ?", int(key[0]))
    rows = store.all(
        f"SELECT seq, resource, resource_id, revision, action, at, api_key_id, before, {REVISION_AFTER}, {_ETAG},"
        f" {_VIEW if views else 'NULL'} FROM revision WHERE {where.sql()} ORDER BY {order} LIMIT ?",
        [*where.params, limit + 1],
    )
    next_cursor = Cursor.encode(store, [rows[limit - 1][0]], scope_id) if len(rows) > limit else None
    return Page(items=[_item(r) for r in rows[:limit]], next_cursor=next_cursor)


def _moment(store: Store, moment: datetime) -> Any:
    """A moment as the `at` column compares: SQLite keeps UTC text without its offset, PostgreSQL a timestamptz."""
    utc = moment.astimezone(UTC)
    return utc.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f") if store.sqlite else utc


def list_changes(
    store: Store, *, after: int | None, resource: str | None, limit: int, cursor: str | None, resource_id: str | None = None,
    since: datetime | None = None, until: datetime | None = None, views: bool = False,
) -> Page:
    """Changes in `seq` order: after a `seq`, to one kind of record or one record (`resource` and `resource_id`, by
    ix_revision_resource_seq and ix_revision_resource), made at or after `since` and before `until` (aware
    datetimes). `at` never goes back along `seq` (api/services/writes.py `_history`), so each time bound is also a
    bound on `seq`, found by one seek of ix_revision_at: the feed is read from there, never scanned for the
    moment. `views`: give each record's current view on its latest change."""
    where = Where()
    if after is not None:
        where.add("seq > ?", after)
    if resource is not None:
        where.add("resource = ?", resource)
    if resource_id is not None:
        where.add("resource_id = ?", resource_id)
    first_at = "(SELECT f.seq FROM revision f WHERE f.at >= ? ORDER BY f.at, f.seq LIMIT 1)"
    if since is not None:
        where.add(f"seq >= coalesce({first_at}, {2**63 - 1})", _moment(store, since))
        where.add("at >= ?", _moment(store, since))
    if until is not None:
        where.add(f"seq < coalesce({first_at}, {2**63 - 1})", _moment(store, until))
        where.add("at < ?", _moment(store, until))
    scope = {"after": after, "resource": resource, "resource_id": resource_id, "views": views or None,
             "since": None if since is None else rfc3339(since), "until": None if until is None else rfc3339(until)}
    return _page(store, where, limit, cursor, scope, views=views)


def list_revisions(store: Store, *, resource: str, resource_id: str, limit: int, cursor: str | None) -> Page:
    assert resource in TABLES
    if store.one(f"SELECT 1 FROM {resource} WHERE id = ?", (resource_id,)) is None:
        raise NotFound(f"{resource.capitalize()} '{resource_id}' does not exist.")
    where = Where()
    where.add("resource = ?", resource)
    where.add("resource_id = ?", resource_id)
    return _page(store, where, limit, cursor, {"resource": resource, "id": resource_id}, order="+seq")
