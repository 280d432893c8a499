"""The database seen as a `Graph`, inside one write transaction.

Records are read on demand by primary key and kept for the life of the transaction; `forget()`
drops what the write has since changed, so re-rendering sees the new state.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Connection, bindparam, func, select

from api.dataset.graph import Graph, SharedOrigins, claim_roles
from api.dataset.loader import role_id
from api.store.nearby import connection_rows, nearby_ids
from api.store.records import MODEL_OF, TABLE_OF
from api.store.statements import built
from schemas.common import STORED
from schemas.dataset import ActorIn, ActorRoleIn, ClaimIn, ContradictionIn, CorroborationIn, SourceIn
from schemas.knowledge import Knowledge
from schemas.tables import (
    ActorClaimCount,
    ActorReference,
    ActorRole,
    ClaimActor,
    ClaimProposition,
    ClaimReference,
    ClaimSource,
    ContradictionClaim,
    CorroborationClaim,
    Document,
    DocumentName,
    Meta,
    RoleReference,
    SourceCite,
    SourceClaimCount,
    SourceReference,
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
            query = built(("live data", t.name), lambda: select(t.c.data).where(t.c.id == bindparam("id"), t.c.deleted_at.is_(None)))
            row = self.conn.execute(query, {"id": key}).first()
            self.cache[key] = None if row is None else self.model.model_validate_json(row[0], context=STORED)
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

    def nearby(self, value: str) -> dict[str, list[str]]:
        """Live ids that may be what an unknown `value` meant, each with the indexed words that made it a candidate,
        found by index ranges (api/store/nearby.py), so that "did you mean" never reads the whole table."""
        return nearby_ids(connection_rows(self.conn), self.table.name, value)


class _Texts(Mapping[str, str]):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.cache: dict[str, str | None] = {}

    def __getitem__(self, key: str) -> str:
        if key not in self.cache:
            t = TABLE_OF["source"]
            query = built("live text", lambda: select(t.c.text).where(t.c.id == bindparam("id"), t.c.deleted_at.is_(None)))
            row = self.conn.execute(query, {"id": key}).first()
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


T = TypeVar("T")


def _chunks(ids: list[str], size: int = 500) -> Iterator[list[str]]:
    """`ids` in slices of `size`, for `IN (...)` lists of a bounded length."""
    for at in range(0, len(ids), size):
        yield ids[at:at + size]


class DbGraph(Graph):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._knowledge: Knowledge | None = None
        self._memo: dict[tuple[str, str], Any] | None = None
        self.forget()

    @contextmanager
    def unchanging(self) -> Iterator[None]:
        """While nothing is written (views rendered, the rules matched against a claim), the links and roles read
        are kept: a render of many views that show the same claims, actors and roles reads each once (the parties
        of a speaker, the relations of a claim), not once per view, and so does the matching of a claim with its
        neighbours. Nested blocks share the outer one's."""
        if self._memo is not None:
            yield
            return
        self._memo = {}
        try:
            yield
        finally:
            self._memo = None

    def preload(self, kind: str, ids: Iterable[str]) -> None:
        """Read many records of one kind at once, with their revisions: a statement per 500 ids, where reading them
        one by one (as a render does) is a round trip each, which on PostgreSQL is most of a write's time."""
        records = self.records(kind)
        assert isinstance(records, _Records)
        t = TABLE_OF[kind]
        wanted = sorted({i for i in ids if i not in records.cache or (kind, i) not in self._bookkeeping})
        query = built(("preload", kind), lambda: select(t.c.id, t.c.data, t.c.revision, t.c.deleted_at, t.c.etag).where(
            t.c.id.in_(bindparam("ids", expanding=True))))
        for chunk in _chunks(wanted):
            found = {r.id: r for r in self.conn.execute(query, {"ids": chunk})}
            for item_id in chunk:
                row = found.get(item_id)
                records.cache[item_id] = None if row is None or row.deleted_at is not None else records.model.model_validate_json(row.data, context=STORED)
                self._bookkeeping[(kind, item_id)] = (0, None) if row is None else (int(row.revision or 0), row.deleted_at)
                if row is not None:
                    self._etags[(kind, item_id)] = row.etag

    def stored_etag(self, kind: str, item_id: str) -> str:
        """The ETag stored with a record's view (read with it by `preload`, else now)."""
        etag = self._etags.get((kind, item_id))
        if etag is None:
            t = TABLE_OF[kind]
            query = built(("etag", kind), lambda: select(t.c.etag).where(t.c.id == bindparam("id")))
            etag = self._etags[(kind, item_id)] = self.conn.execute(query, {"id": item_id}).scalar_one()
        return etag

    def preload_actors(self, actor_ids: Iterable[str]) -> None:
        """While rendering: the names found in documents, the roles and the claim counts of many actors, three
        statements per 500 actors, where an actor's view reads each of them (`names_of`, `roles_of`, `role_ids_of`,
        `claim_counts`) one statement at a time."""
        if self._memo is None:
            return
        wanted = sorted({a for a in actor_ids if ("names", a) not in self._memo})
        names: dict[str, list[tuple[str, str]]] = {a: [] for a in wanted}
        roles: dict[str, list[tuple[str, int, str]]] = {a: [] for a in wanted}
        counts: dict[str, dict[str, int]] = {a: {} for a in wanted}
        n, r, c = table_of(DocumentName), table_of(ActorRole), table_of(ActorClaimCount)
        by_name = built("document names of actors", lambda: select(n.c.actor_id, n.c.value, n.c.lang).where(
            n.c.actor_id.in_(bindparam("ids", expanding=True))).order_by(n.c.actor_id, n.c.file, n.c.position))
        by_role = built("roles of actors, placed", lambda: select(r.c.actor_id, r.c.file, r.c.position, r.c.data).where(
            r.c.actor_id.in_(bindparam("ids", expanding=True))).order_by(r.c.actor_id, r.c.file, r.c.position))
        by_count = built("claim counts of actors", lambda: select(c.c.actor_id, c.c.role, c.c.count).where(
            c.c.actor_id.in_(bindparam("ids", expanding=True))))
        for chunk in _chunks(wanted):
            for actor_id, value, lang in self.conn.execute(by_name, {"ids": chunk}):
                names[actor_id].append((value, lang))
            for actor_id, file, position, data in self.conn.execute(by_role, {"ids": chunk}):
                roles[actor_id].append((file, position, data))
            for actor_id, role, count in self.conn.execute(by_count, {"ids": chunk}):
                counts[actor_id][role] = count
        for actor_id in wanted:
            self._memo[("names", actor_id)] = names[actor_id]
            self._memo[("roles", actor_id)] = [ActorRoleIn.model_validate_json(d, context=STORED) for _, _, d in roles[actor_id]]
            self._memo[("role ids", actor_id)] = [role_id(f, p) for f, p, _ in roles[actor_id]]
            self._memo[("claim counts", actor_id)] = counts[actor_id]

    def relations_by_claim(self, kind: str, claim_ids: Iterable[str]) -> dict[str, list[str]]:
        """For each claim, the ids of the contradictions (`kind` "contradiction") or corroborations it is in, in
        order: a statement per 500 claims."""
        link, column = (ContradictionClaim, "contradiction_id") if kind == "contradiction" else (CorroborationClaim, "corroboration_id")
        t = table_of(link)
        found: dict[str, list[str]] = {c: [] for c in sorted(set(claim_ids))}
        query = built(("relations by claim", kind), lambda: select(t.c.claim_id, t.c[column]).where(
            t.c.claim_id.in_(bindparam("ids", expanding=True))))
        for chunk in _chunks(list(found)):
            for claim_id, rel_id in self.conn.execute(query, {"ids": chunk}):
                found[claim_id].append(rel_id)
        return {c: sorted(rel_ids) for c, rel_ids in found.items()}

    def relations_of_claims(self, kind: str, claim_ids: Iterable[str]) -> set[str]:
        """The ids of the relations of `kind` that any of the claims is in (`relations_by_claim`)."""
        return {rel_id for rel_ids in self.relations_by_claim(kind, claim_ids).values() for rel_id in rel_ids}

    def preload_relations(self, claim_ids: Iterable[str]) -> None:
        """While rendering: the contradictions and corroborations of many claims, their records, their members and
        the roles of those members' speakers and claimants, a few statements in all."""
        if self._memo is None:
            return
        ids = sorted(set(claim_ids))
        relations: dict[str, set[str]] = {"contradiction": set(), "corroboration": set()}
        for kind in relations:
            for claim_id, rel_ids in self.relations_by_claim(kind, ids).items():
                self._memo[(f"{kind}s", claim_id)] = rel_ids
                relations[kind].update(rel_ids)
        members: set[str] = set(ids)
        for kind, held in relations.items():
            self.preload(kind, held)
            for rel_id in held:
                rel = self.records(kind).get(rel_id)
                if rel is not None:
                    members.update(m if isinstance(m, str) else m.claim for m in rel.claims)
        self.preload_claims(members)

    def preload_claims(self, claim_ids: Iterable[str]) -> None:
        """Many claims at once, with what matching or rendering them reads next (`preload_context`)."""
        ids = set(claim_ids)
        self.preload("claim", ids)
        self.preload_context([claim for c in ids if (claim := self.claims.get(c)) is not None])

    def preload_context(self, claims: Iterable[ClaimIn]) -> None:
        """What the rules and the views read of claims, a few statements a level where each record was a statement of
        its own: every actor a claim names, with the actors they act for (`speaks_for`, and the bodies of their
        roles, level by level, as `World.party` follows them) and those actors' roles (kept only while
        `unchanging`); and the sources the claims quote with every source those lead to through `cites` and
        `part_of` (as `ancestors_in` follows them)."""
        held = list(claims)
        actors = {a for claim in held for _, a in claim_roles(claim)}
        seen: set[str] = set()
        while actors := actors - seen:
            seen |= actors
            self.preload("actor", actors)
            self._preload_roles(actors)
            memo = self._memo or {}
            actors = ({a.speaks_for for i in actors if (a := self.actors.get(i)) is not None and a.speaks_for}
                      | {r.of for i in actors for r in memo.get(("roles", i), ()) if r.of})
        sources = {ev.source for claim in held for ev in claim.evidence}
        seen = set()
        while sources := sources - seen:
            seen |= sources
            self.preload("source", sources)
            sources = {c for i in sources if (src := self.sources.get(i)) is not None for c in (*src.cites, src.part_of) if c}

    def _preload_roles(self, actor_ids: Iterable[str]) -> None:
        """The roles of many actors, kept for `roles_of` (only while `unchanging`)."""
        if self._memo is None:
            return
        wanted = sorted(a for a in set(actor_ids) if ("roles", a) not in self._memo)
        t = table_of(ActorRole)
        roles: dict[str, list[ActorRoleIn]] = {a: [] for a in wanted}
        query = built("roles of actors", lambda: select(t.c.actor_id, t.c.data).where(
            t.c.actor_id.in_(bindparam("ids", expanding=True))).order_by(t.c.actor_id, t.c.file, t.c.position))
        for chunk in _chunks(wanted):
            rows = self.conn.execute(query, {"ids": chunk})
            for actor_id, data in rows:
                roles[actor_id].append(ActorRoleIn.model_validate_json(data, context=STORED))
        for actor_id, kept in roles.items():
            self._memo[("roles", actor_id)] = kept

    def _kept(self, what: str, key: str, read: Callable[[], T]) -> T:
        if self._memo is None:
            return read()
        slot = (what, key)
        if slot not in self._memo:
            self._memo[slot] = read()
        value: T = self._memo[slot]
        return value

    def forget(self) -> None:
        self.actors: _Records[ActorIn] = _Records(self.conn, "actor")
        self.sources: _Records[SourceIn] = _Records(self.conn, "source")
        self.claims: _Records[ClaimIn] = _Records(self.conn, "claim")
        self.contradictions: _Records[ContradictionIn] = _Records(self.conn, "contradiction")
        self.corroborations: _Records[CorroborationIn] = _Records(self.conn, "corroboration")
        self.texts: _Texts = _Texts(self.conn)
        self._bookkeeping: dict[tuple[str, str], tuple[int, datetime | None]] = {}
        self._etags: dict[tuple[str, str], str] = {}

    def forget_record(self, kind: str, item_id: str) -> None:
        """Drop what is kept of one record (its data, its text, its revision) after a write stored a new version
        of it or created it; what is kept of every other record still holds."""
        records = self.records(kind)
        assert isinstance(records, _Records)
        records.cache.pop(item_id, None)
        if kind == "source":
            self.texts.cache.pop(item_id, None)
        self._bookkeeping.pop((kind, item_id), None)
        self._etags.pop((kind, item_id), None)

    def set_revision(self, kind: str, item_id: str, revision: int) -> None:
        """What is kept of a live record's row after a write gave it `revision` (and so a view and ETag to come)."""
        self._bookkeeping[(kind, item_id)] = (revision, None)
        self._etags.pop((kind, item_id), None)

    def forget_row(self, kind: str, item_id: str) -> None:
        """Drop what is kept of one record's revision, deletion and ETag (after a write changed them)."""
        self._bookkeeping.pop((kind, item_id), None)
        self._etags.pop((kind, item_id), None)

    def _revision_row(self, kind: str, item_id: str) -> tuple[int, datetime | None]:
        """(revision, deleted_at) of a record, live or not ((0, None) when the id was never used): one read per
        record until `forget`, since a view embeds both for every record it shows."""
        key = (kind, item_id)
        if key not in self._bookkeeping:
            t = TABLE_OF[kind]
            query = built(("revision", kind), lambda: select(t.c.revision, t.c.deleted_at).where(t.c.id == bindparam("id")))
            row = self.conn.execute(query, {"id": item_id}).first()
            self._bookkeeping[key] = (0, None) if row is None else (int(row[0] or 0), row[1])
        return self._bookkeeping[key]

    def records(self, kind: str) -> Mapping[str, Any]:
        by_kind: dict[str, Mapping[str, Any]] = {
            "actor": self.actors, "source": self.sources, "claim": self.claims,
            "contradiction": self.contradictions, "corroboration": self.corroborations,
        }
        return by_kind[kind]

    def names_of(self, actor_id: str) -> list[tuple[str, str]]:
        names = [(n.value, n.language) for n in self.actors[actor_id].names]
        t = table_of(DocumentName)
        query = built("document names", lambda: select(t.c.value, t.c.lang).where(t.c.actor_id == bindparam("id")).order_by(
            t.c.file, t.c.position))
        found = self._kept("names", actor_id, lambda: [(v, lang) for v, lang in self.conn.execute(query, {"id": actor_id})])
        for value, lang in found:
            if (value, lang) not in names:
                names.append((value, lang))
        return names

    def parties(self, actor_id: str) -> set[str]:
        return set(self._kept("parties", actor_id, lambda: frozenset(super(DbGraph, self).parties(actor_id))))

    def shared_origins(self, claim_ids: Iterable[str]) -> SharedOrigins:
        ids = list(dict.fromkeys(claim_ids))
        return self._kept("shared", "\x1f".join(ids), lambda: super(DbGraph, self).shared_origins(ids))

    def roles_of(self, actor_id: str) -> list[ActorRoleIn]:
        def read() -> list[ActorRoleIn]:
            t = table_of(ActorRole)
            query = built("roles", lambda: select(t.c.data).where(t.c.actor_id == bindparam("id")).order_by(t.c.file, t.c.position))
            return [ActorRoleIn.model_validate_json(r[0], context=STORED) for r in self.conn.execute(query, {"id": actor_id})]

        return self._kept("roles", actor_id, read)

    def role_ids_of(self, actor_id: str) -> list[str]:
        t = table_of(ActorRole)
        query = built("role ids", lambda: select(t.c.file, t.c.position).where(t.c.actor_id == bindparam("id")).order_by(
            t.c.file, t.c.position))
        return self._kept("role ids", actor_id, lambda: [role_id(f, p) for f, p in self.conn.execute(query, {"id": actor_id})])

    def contradictions_of(self, claim_id: str) -> list[str]:
        t = table_of(ContradictionClaim)
        query = built("contradictions of", lambda: select(t.c.contradiction_id).where(t.c.claim_id == bindparam("id")))
        return self._kept("contradictions", claim_id, lambda: sorted(r[0] for r in self.conn.execute(query, {"id": claim_id})))

    def corroborations_of(self, claim_id: str) -> list[str]:
        t = table_of(CorroborationClaim)
        query = built("corroborations of", lambda: select(t.c.corroboration_id).where(t.c.claim_id == bindparam("id")))
        return self._kept("corroborations", claim_id, lambda: sorted(r[0] for r in self.conn.execute(query, {"id": claim_id})))

    def claim_counts(self, actor_id: str) -> dict[ClaimRole, int]:
        """Claims the actor plays each role in, as kept in `actor_claim_count` (one primary-key range, not a count)."""
        t = table_of(ActorClaimCount)
        query = built("actor claim counts", lambda: select(t.c.role, t.c.count).where(t.c.actor_id == bindparam("id")))
        rows: dict[str, int] = self._kept("claim counts", actor_id, lambda: {r[0]: r[1] for r in self.conn.execute(query, {"id": actor_id})})
        return {role: int(rows.get(role.value, 0)) for role in ClaimRole}

    def source_claim_count(self, source_id: str) -> int:
        """Claims linked to the source, as kept in `source_claim_count`."""
        t = table_of(SourceClaimCount)
        query = built("source claim count", lambda: select(t.c.count).where(t.c.source_id == bindparam("id")))
        return int(self.conn.execute(query, {"id": source_id}).scalar() or 0)

    def cited_by(self, source_id: str) -> list[str]:
        t = table_of(SourceCite)
        query = built("cited by", lambda: select(t.c.source_id).where(t.c.cited_id == bindparam("id")))
        return self._kept("cited_by", source_id, lambda: sorted(r[0] for r in self.conn.execute(query, {"id": source_id})))

    def group_candidates(self) -> list[ActorIn]:
        """Every live actor with members (through `actor_reference`; reference rows exist for live actors only)."""
        t = table_of(ActorReference)
        ids = sorted({r[0] for r in self.conn.execute(select(t.c.actor_id).where(t.c.field == "members"))})
        return [self.actors[i] for i in ids if i in self.actors]

    def groups_of(self, members: set[str]) -> set[str]:
        """Groups all of whose members are among the given actors: only groups with one of them as a member can
        be, and those are found by index."""
        if not members:
            return set()
        t = table_of(ActorReference)
        query = select(t.c.actor_id).where(t.c.field == "members", t.c.target_id.in_(sorted(members)))
        candidates = sorted({r[0] for r in self.conn.execute(query)})
        return {a for a in candidates if a in self.actors and self.actors[a].members and set(self.actors[a].members) <= members}

    @property
    def knowledge(self) -> Knowledge:  # type: ignore[override]
        if self._knowledge is None:
            t = table_of(Meta)
            row = self.conn.execute(select(t.c.value).where(t.c.key == "knowledge")).first()
            self._knowledge = Knowledge.empty() if row is None else Knowledge.model_validate_json(row[0], context=STORED)
        return self._knowledge

    def proposition_of(self, claim_id: str) -> str | None:
        t = table_of(ClaimProposition)
        query = built("proposition of", lambda: select(t.c.proposition_id).where(t.c.claim_id == bindparam("id")))
        return self.conn.execute(query, {"id": claim_id}).scalar()

    def claim_ids_quoting(self, source_id: str) -> list[str]:
        """Live claims with an evidence item quoting the source (`claim_reference`, field `evidence.source`), by id."""
        return [claim_id for _, claim_id in self.referring("source", source_id, kinds=("claim",), fields=("evidence.source",))]

    def claims_quoting(self, source_id: str) -> list[str]:
        """As `claim_ids_quoting`, with the claims' records read at once (`preload`): the checks that ask read each
        of them next (overlapping spans, the same words), and one by one that was a statement per claim, most of
        a claim write's statements."""
        ids = self.claim_ids_quoting(source_id)
        self.preload("claim", ids)
        return ids

    def passages(self, source_id: str) -> list[tuple[int, int]]:
        t = table_of(Document)
        row = self.conn.execute(select(t.c.coverage).where(t.c.source_id == source_id)).first()
        return [] if row is None else [(seg["start"], seg["end"]) for seg in json.loads(row[0])]

    def revision_of(self, kind: str, item_id: str) -> int:
        return self._revision_row(kind, item_id)[0]

    def deleted_at_of(self, kind: str, item_id: str) -> datetime | None:
        return self._revision_row(kind, item_id)[1]

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
        found = {rid for _, rid in self.referring("actor", actor_id, kinds=("actor",), fields=("speaks_for",))}
        found |= {role.actor for _, _, role in self.roles_referring(actor_id, ("of",)) if role.actor != actor_id}
        return sorted(found)

    def referring(self, kind: str, item_id: str, *, kinds: Iterable[str] | None = None,
                  fields: Iterable[str] | None = None) -> list[tuple[str, str]]:
        """(kind, id) of the live records that refer to the `kind` record `item_id`, by kind then id, each once:
        found by index in the reference and link tables (schemas/tables.py), not by reading records. `kinds`
        limits the referring kinds and `fields` the fields (a claim's actor fields are its `claim_actor` roles:
        subject, object, recipient, location, claimant, speaker; a relation's field is `claims`). Roles are not
        records: see `roles_referring`."""
        wanted = set(kinds) if kinds is not None else None
        only = set(fields) if fields is not None else None
        out: list[tuple[str, str]] = []
        for referrer, table, owner, column, field_column in _REFERENCES.get(kind, ()):
            if wanted is not None and referrer not in wanted:
                continue
            t = table_of(table)
            query = select(t.c[owner]).where(t.c[column] == item_id)
            if only is not None:
                if field_column is None:
                    if "claims" not in only:
                        continue
                else:
                    query = query.where(t.c[field_column].in_(sorted(only)))
            out += [(referrer, rid) for rid in sorted({r[0] for r in self.conn.execute(query)})]
        return out

    def roles_referring(self, item_id: str, fields: Iterable[str] | None = None) -> list[tuple[str, int, ActorRoleIn]]:
        """(file, position, role) of the roles that refer to `item_id` (an actor or a source) by `of` or
        `evidence.source` (or only the given fields), found through `role_reference`, in (file, position) order."""
        r, t = table_of(RoleReference), table_of(ActorRole)
        query = select(t.c.file, t.c.position, t.c.data).join(r, (r.c.file == t.c.file) & (r.c.position == t.c.position))
        query = query.where(r.c.target_id == item_id)
        if fields is not None:
            query = query.where(r.c.field.in_(sorted(set(fields))))
        rows = {(f, p): d for f, p, d in self.conn.execute(query)}
        return [(f, p, ActorRoleIn.model_validate_json(rows[(f, p)], context=STORED)) for f, p in sorted(rows)]

    def roles_held_by(self, actor_id: str) -> list[tuple[str, int, ActorRoleIn]]:
        """(file, position, role) of the actor's own roles, in (file, position) order."""
        t = table_of(ActorRole)
        rows = self.conn.execute(select(t.c.file, t.c.position, t.c.data).where(t.c.actor_id == actor_id).order_by(t.c.file, t.c.position))
        return [(f, p, ActorRoleIn.model_validate_json(d, context=STORED)) for f, p, d in rows]


# For each kind referred to: (referring kind, table, column naming the referrer, column naming the record referred
# to, column naming the field or None when the table holds one field only).
_REFERENCES: dict[str, tuple[tuple[str, Any, str, str, str | None], ...]] = {
    "actor": (
        ("actor", ActorReference, "actor_id", "target_id", "field"),
        ("source", SourceReference, "source_id", "target_id", "field"),
        ("claim", ClaimActor, "claim_id", "actor_id", "role"),
    ),
    "source": (
        ("source", SourceReference, "source_id", "target_id", "field"),
        ("claim", ClaimReference, "claim_id", "target_id", "field"),
    ),
    "claim": (
        ("contradiction", ContradictionClaim, "contradiction_id", "claim_id", None),
        ("corroboration", CorroborationClaim, "corroboration_id", "claim_id", None),
    ),
}
