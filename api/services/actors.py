"""Actors."""

from __future__ import annotations

from api.services import search as search_service
from api.services.common import Page, Where, fetch_doc, keyset_page, live
from api.store.db import Store
from schemas.vocab import ActorKind


def get(store: Store, *, actor_id: str, include_deleted: bool = False) -> tuple[bytes, str]:
    return fetch_doc(store, "actor", actor_id, "Actor", include_deleted=include_deleted)


def list_actors(
    store: Store, *, kind: ActorKind | None, unnamed: bool | None, include_deleted: bool, limit: int, cursor: str | None,
    q: str | None = None,
) -> Page:
    """A page of actors in id order. `q`: only those whose names (any spelling, any language) or description match
    every word of it as /v1/search matches them (case, diacritics and Arabic letter forms folded, a word's beginning,
    synonyms); 422 when it has no searchable words. Deleted actors are not in the search index: `q` never finds them."""
    where = Where()
    live(where, "a", include_deleted, {"q": q})
    if q is not None:
        sql, params = search_service.matching_ids_sql(store, q, search_service.SearchKind.ACTOR)
        where.add(f"a.id IN ({sql})", *params)
    if kind is not None:
        where.add("a.kind = ?", kind.value)
    if unnamed is not None:
        where.add("a.unnamed = ?", unnamed)
    return keyset_page(
        store, source="actor a", payload="a.summary", order=["a.id"], where=where, limit=limit, cursor=cursor,
        scope={"kind": kind, "unnamed": unnamed, "deleted": include_deleted, **({"q": q} if q is not None else {})},
    )
