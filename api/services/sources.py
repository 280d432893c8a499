"""Sources."""

from __future__ import annotations

from api.dataset.languages import range_key
from api.services.common import Page, Where, date_range, fetch_doc, keyset_page, live, require
from api.store.db import Store
from schemas.vocab import SourceKind


def get(store: Store, *, source_id: str, include_deleted: bool = False) -> tuple[bytes, str]:
    return fetch_doc(store, "source", source_id, "Source", include_deleted=include_deleted)


def list_sources(
    store: Store, *, kind: SourceKind | None, language: str | None, publisher: str | None, cites: str | None,
    date_from: str | None, date_to: str | None, include_deleted: bool, limit: int, cursor: str | None,
) -> Page:
    require(store, "actor", publisher, "publisher", "Actor")
    require(store, "source", cites, "cites", "Source")
    where = Where()
    live(where, "s", include_deleted)
    if kind is not None:
        where.add("s.kind = ?", kind.value)
    if language is not None and (key := range_key(language)) is not None:
        where.add("EXISTS (SELECT 1 FROM source_language sl WHERE sl.source_id = s.id AND sl.language = ?)", key)
    if publisher is not None:
        where.add("s.publisher_id = ?", publisher)
    if cites is not None:
        where.add("EXISTS (SELECT 1 FROM source_cite sc WHERE sc.source_id = s.id AND sc.cited_id = ?)", cites)
    date_range(where, "s.published_from", "s.published_to", date_from, date_to)
    return keyset_page(
        store, source="source s", payload="s.summary", order=["s.id"], where=where, limit=limit, cursor=cursor,
        scope={"kind": kind, "language": language, "publisher": publisher, "cites": cites, "from": date_from, "to": date_to,
               "deleted": include_deleted},
    )
