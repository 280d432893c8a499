"""Actors."""

from __future__ import annotations

from api.services.common import Page, Where, fetch_doc, keyset_page, live
from api.store.db import Store
from schemas.vocab import ActorKind


def get(store: Store, *, actor_id: str, include_deleted: bool = False) -> tuple[bytes, str]:
    return fetch_doc(store, "actor", actor_id, "Actor", include_deleted=include_deleted)


def list_actors(
    store: Store, *, kind: ActorKind | None, unnamed: bool | None, include_deleted: bool, limit: int, cursor: str | None
) -> Page:
    where = Where()
    live(where, "a", include_deleted)
    if kind is not None:
        where.add("a.kind = ?", kind.value)
    if unnamed is not None:
        where.add("a.unnamed = ?", unnamed)
    return keyset_page(
        store, source="actor a", payload="a.summary", order=["a.id"], where=where, limit=limit, cursor=cursor,
        scope={"kind": kind, "unnamed": unnamed, "deleted": include_deleted},
    )
