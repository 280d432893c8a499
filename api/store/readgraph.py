"""The engine's view of the database on the read path: a `World` over the read store's connection.

The write path sees the database through `DbGraph`, inside its transaction; a read computes from the
kept-open read connection instead, so that it never waits on the write lock. Sources are loaded in one
query for all the claims a response needs; actors and roles are read by key only if the engine asks.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from typing import Generic, TypeVar

from pydantic import BaseModel

from api.engine.world import World
from api.store.db import Store
from schemas.common import STORED
from schemas.dataset import ActorIn, ActorRoleIn, SourceIn
from schemas.knowledge import Knowledge

M = TypeVar("M", bound=BaseModel)


class _Records(Mapping[str, M], Generic[M]):
    """Live records of one table, by id, read on demand (or in bulk with `load`) and kept."""

    def __init__(self, store: Store, table: str, model: type[M]) -> None:
        self.store, self.table, self.model = store, table, model
        self.cache: dict[str, M | None] = {}

    def load(self, ids: Iterable[str]) -> None:
        wanted = sorted(set(ids) - self.cache.keys())
        if not wanted:
            return
        rows = self.store.all(
            f"SELECT id, data FROM {self.table} WHERE deleted_at IS NULL AND id IN ({', '.join('?' * len(wanted))})", wanted
        )
        found = {rid: self.model.model_validate_json(data, context=STORED) for rid, data in rows}
        self.cache.update({rid: found.get(rid) for rid in wanted})

    def __getitem__(self, key: str) -> M:
        self.load([key])
        record = self.cache[key]
        if record is None:
            raise KeyError(key)
        return record

    def __iter__(self) -> Iterator[str]:
        return iter([r[0] for r in self.store.all(f"SELECT id FROM {self.table} WHERE deleted_at IS NULL ORDER BY id")])

    def __len__(self) -> int:
        row = self.store.one(f"SELECT count(*) FROM {self.table} WHERE deleted_at IS NULL")
        return int(row[0]) if row else 0


def knowledge_json(store: Store) -> str | None:
    row = store.one("SELECT value FROM meta WHERE key = 'knowledge'")
    return None if row is None else str(row[0])


@functools.lru_cache(maxsize=4)
def _parse_knowledge(raw: str | None) -> Knowledge:
    return Knowledge.empty() if raw is None else Knowledge.model_validate_json(raw, context=STORED)


def knowledge_of(store: Store) -> Knowledge:
    """The declared knowledge tables in force (the `knowledge` row of `meta`), parsed once per version of them."""
    return _parse_knowledge(knowledge_json(store))


def read_world(store: Store, source_ids: Iterable[str] = ()) -> World:
    """The engine's `World` over the read store, with the given sources loaded up front."""
    actors: _Records[ActorIn] = _Records(store, "actor", ActorIn)
    sources: _Records[SourceIn] = _Records(store, "source", SourceIn)
    sources.load(source_ids)

    def roles_of(actor_id: str) -> list[ActorRoleIn]:
        rows = store.all("SELECT data FROM actor_role WHERE actor_id = ? ORDER BY file, position", (actor_id,))
        return [ActorRoleIn.model_validate_json(r[0], context=STORED) for r in rows]

    return World(actors=actors, roles_of=roles_of, sources=sources, knowledge=knowledge_of(store))
