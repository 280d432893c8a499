"""The database seen as a `Graph`, inside one write transaction.

Records are read on demand by primary key and kept for the life of the transaction; `forget()`
drops what the write has since changed, so re-rendering sees the new state.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Connection, func, select

from api.dataset.graph import Graph
from api.dataset.loader import role_id
from api.store.records import MODEL_OF, TABLE_OF
from schemas.dataset import ActorIn, ActorRoleIn, ClaimIn, ContradictionIn, CorroborationIn, SourceIn
from schemas.knowledge import Knowledge
from schemas.tables import (
    ActorRole,
    ClaimActor,
    ClaimProposition,
    ClaimSource,
    ContradictionClaim,
    CorroborationClaim,
    Document,
    DocumentName,
    Meta,
    SourceCite,
    table_of,
)
from schemas.vocab import ClaimRole

M = TypeVar("M", bound=BaseModel)


class _Records(Mapping[str, M], Generic[M]):
    """Live (not deleted) records of one kind, by id."""

    def __init__(self, conn: Connection, kind: str) -> None:
        self.conn = conn
        self.table = TABLE_OF[kind]
        self.model: type[M] = MODEL_OF[kind]  # type: ignore[assignment]
        self.cache: dict[str, M | None] = {}

    def _load(self, key: str) -> M | None:
        if key not in self.cache:
            t = self.table
            row = self.conn.execute(select(t.c.data).where(t.c.id == key, t.c.deleted_at.is_(None))).first()
            self.cache[key] = None if row is None else self.model.model_validate_json(row[0])
        return self.cache[key]

    def __getitem__(self, key: str) -> M:
        record = self._load(key)
        if record is None:
            raise KeyError(key)
        return record

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._load(key) is not None

    def __iter__(self) -> Iterator[str]:
        t = self.table
        return iter([r[0] for r in self.conn.execute(select(t.c.id).where(t.c.deleted_at.is_(None)).order_by(t.c.id))])

    def __len__(self) -> int:
        t = self.table
        return int(self.conn.execute(select(func.count()).select_from(t).where(t.c.deleted_at.is_(None))).scalar() or 0)


class _Texts(Mapping[str, str]):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.cache: dict[str, str | None] = {}

    def __getitem__(self, key: str) -> str:
        if key not in self.cache:
            t = TABLE_OF["source"]
            row = self.conn.execute(select(t.c.text).where(t.c.id == key, t.c.deleted_at.is_(None))).first()
            self.cache[key] = None if row is None else row[0]
        value = self.cache[key]
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        t = TABLE_OF["source"]
        return iter([r[0] for r in self.conn.execute(select(t.c.id).where(t.c.text.is_not(None), t.c.deleted_at.is_(None)))])

    def __len__(self) -> int:
        return len(list(iter(self)))


class DbGraph(Graph):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._knowledge: Knowledge | None = None
        self.forget()

    def forget(self) -> None:
        self.actors: _Records[ActorIn] = _Records(self.conn, "actor")
        self.sources: _Records[SourceIn] = _Records(self.conn, "source")
        self.claims: _Records[ClaimIn] = _Records(self.conn, "claim")
        self.contradictions: _Records[ContradictionIn] = _Records(self.conn, "contradiction")
        self.corroborations: _Records[CorroborationIn] = _Records(self.conn, "corroboration")
        self.texts: _Texts = _Texts(self.conn)

    def records(self, kind: str) -> Mapping[str, Any]:
        by_kind: dict[str, Mapping[str, Any]] = {
            "actor": self.actors, "source": self.sources, "claim": self.claims,
            "contradiction": self.contradictions, "corroboration": self.corroborations,
        }
        return by_kind[kind]

    def names_of(self, actor_id: str) -> list[tuple[str, str]]:
        names = [(n.value, n.language) for n in self.actors[actor_id].names]
        t = table_of(DocumentName)
        rows = self.conn.execute(select(t.c.value, t.c.lang).where(t.c.actor_id == actor_id).order_by(t.c.file, t.c.position))
        for value, lang in rows:
            if (value, lang) not in names:
                names.append((value, lang))
        return names

    def roles_of(self, actor_id: str) -> list[ActorRoleIn]:
        t = table_of(ActorRole)
        rows = self.conn.execute(select(t.c.data).where(t.c.actor_id == actor_id).order_by(t.c.file, t.c.position))
        return [ActorRoleIn.model_validate_json(r[0]) for r in rows]

    def role_ids_of(self, actor_id: str) -> list[str]:
        t = table_of(ActorRole)
        rows = self.conn.execute(select(t.c.file, t.c.position).where(t.c.actor_id == actor_id).order_by(t.c.file, t.c.position))
        return [role_id(f, p) for f, p in rows]

    def contradictions_of(self, claim_id: str) -> list[str]:
        t = table_of(ContradictionClaim)
        return sorted(r[0] for r in self.conn.execute(select(t.c.contradiction_id).where(t.c.claim_id == claim_id)))

    def corroborations_of(self, claim_id: str) -> list[str]:
        t = table_of(CorroborationClaim)
        return sorted(r[0] for r in self.conn.execute(select(t.c.corroboration_id).where(t.c.claim_id == claim_id)))

    def claim_counts(self, actor_id: str) -> dict[ClaimRole, int]:
        t = table_of(ClaimActor)
        rows: dict[str, int] = {r[0]: r[1] for r in self.conn.execute(select(t.c.role, func.count()).where(t.c.actor_id == actor_id).group_by(t.c.role))}
        return {role: int(rows.get(role.value, 0)) for role in ClaimRole}

    def source_claim_count(self, source_id: str) -> int:
        t = table_of(ClaimSource)
        return int(self.conn.execute(select(func.count()).select_from(t).where(t.c.source_id == source_id)).scalar() or 0)

    def cited_by(self, source_id: str) -> list[str]:
        t = table_of(SourceCite)
        return sorted(r[0] for r in self.conn.execute(select(t.c.source_id).where(t.c.cited_id == source_id)))

    def group_candidates(self) -> list[ActorIn]:
        t = TABLE_OF["actor"]
        rows = self.conn.execute(
            select(t.c.data).where(t.c.deleted_at.is_(None), t.c.data.contains('"members":["', autoescape=True))
        )
        return [ActorIn.model_validate_json(r[0]) for r in rows]

    @property
    def knowledge(self) -> Knowledge:  # type: ignore[override]
        if self._knowledge is None:
            t = table_of(Meta)
            row = self.conn.execute(select(t.c.value).where(t.c.key == "knowledge")).first()
            self._knowledge = Knowledge.empty() if row is None else Knowledge.model_validate_json(row[0])
        return self._knowledge

    def proposition_of(self, claim_id: str) -> str | None:
        t = table_of(ClaimProposition)
        return self.conn.execute(select(t.c.proposition_id).where(t.c.claim_id == claim_id)).scalar()

    def claims_quoting(self, source_id: str) -> list[str]:
        return self.claims_linked_to(source_id)

    def passages(self, source_id: str) -> list[tuple[int, int]]:
        t = table_of(Document)
        row = self.conn.execute(select(t.c.coverage).where(t.c.source_id == source_id)).first()
        return [] if row is None else [(seg["start"], seg["end"]) for seg in json.loads(row[0])]

    def revision_of(self, kind: str, item_id: str) -> int:
        t = TABLE_OF[kind]
        return int(self.conn.execute(select(t.c.revision).where(t.c.id == item_id)).scalar() or 0)

    def deleted_at_of(self, kind: str, item_id: str) -> datetime | None:
        t = TABLE_OF[kind]
        value: datetime | None = self.conn.execute(select(t.c.deleted_at).where(t.c.id == item_id)).scalar()
        return value

    def claims_linked_to(self, source_id: str) -> list[str]:
        t = table_of(ClaimSource)
        return sorted(r[0] for r in self.conn.execute(select(t.c.claim_id).where(t.c.source_id == source_id)))

    def sources_of_claim(self, claim_id: str) -> list[str]:
        t = table_of(ClaimSource)
        return sorted(r[0] for r in self.conn.execute(select(t.c.source_id).where(t.c.claim_id == claim_id)))

    def claims_of_actor(self, actor_id: str, role: ClaimRole | None = None) -> list[str]:
        t = table_of(ClaimActor)
        query = select(t.c.claim_id).where(t.c.actor_id == actor_id)
        if role is not None:
            query = query.where(t.c.role == role.value)
        return sorted({r[0] for r in self.conn.execute(query)})

    def acting_for(self, actor_id: str) -> list[str]:
        """Live actors that act for `actor_id` directly: through their `speaks_for`, or a role `of` it."""
        t = TABLE_OF["actor"]
        needle = json.dumps(actor_id)
        rows = self.conn.execute(
            select(t.c.id, t.c.data).where(t.c.deleted_at.is_(None), t.c.data.contains(needle, autoescape=True))
        )
        found = {rid for rid, data in rows if ActorIn.model_validate_json(data).speaks_for == actor_id}
        found |= {role.actor for _, _, role in self.roles_mentioning(actor_id) if role.of == actor_id and role.actor != actor_id}
        return sorted(found)

    def mentioning(self, kind: str, item_id: str) -> list[tuple[str, str, Any]]:
        """(kind, id, record) of live records whose data mentions `item_id` as a JSON string.

        A candidate filter only: callers confirm with the record's actual reference fields.
        """
        needle = json.dumps(item_id)
        out: list[tuple[str, str, Any]] = []
        for other, t in TABLE_OF.items():
            rows = self.conn.execute(
                select(t.c.id, t.c.data).where(t.c.deleted_at.is_(None), t.c.data.contains(needle, autoescape=True))
            )
            for rid, data in rows:
                out.append((other, rid, MODEL_OF[other].model_validate_json(data)))
        return out

    def roles_mentioning(self, item_id: str) -> list[tuple[str, int, ActorRoleIn]]:
        t = table_of(ActorRole)
        needle = json.dumps(item_id)
        rows = self.conn.execute(select(t.c.file, t.c.position, t.c.data).where(t.c.data.contains(needle, autoescape=True)))
        return [(f, p, ActorRoleIn.model_validate_json(d)) for f, p, d in rows]
