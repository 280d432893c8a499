"""Propositions, computed on request from the indexed tables: the page of propositions by SQL over
`claim_proposition` (grouped, keyset on the proposition id), then all the claims of that page in one query,
and the story of each from the engine (`steps_of`, `status_line`).

A proposition is known `as_of` a date when one of its claims had been published by then; it is then made of
those claims only (the grouping itself is today's).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from api.engine.propositions import Facts, Key, facts_of, status_line, step_of, time_order
from api.errors import NotFound
from api.services.common import TEXT, Cursor, LinkFilter, Page, Where, date_span, link_filters, published_by, require
from api.store.bodies import inflate
from api.store.db import Store
from api.store.readgraph import read_world
from api.store.render import dump
from schemas.common import STORED
from schemas.dataset import ClaimIn
from schemas.proposition import (
    PropositionClaim,
    PropositionContradiction,
    PropositionCorroboration,
    PropositionKey,
    PropositionPublic,
    PropositionSummary,
)
from schemas.refs import ActorRef
from schemas.vocab import Predicate

_DATE_FROM = "COALESCE(c.event_from, c.published_from)"
_DATE_TO = "COALESCE(c.event_to, c.published_to)"


@dataclass(frozen=True)
class PropositionFilters:
    actor: str | None = None
    predicate: Predicate | None = None
    date_from: str | None = None
    date_to: str | None = None
    as_of: str | None = None


@dataclass
class _Claim:
    proposition_id: str
    record: ClaimIn
    summary: dict[str, Any]
    date_from: str | None
    date_to: str | None
    key: str | None


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


def _with_a_claim(kind: str, value: object, as_of: str | None) -> LinkFilter:
    """The propositions with a claim (live, published by `as_of`) in which the actor `value` plays a role (`kind`
    actor) or whose predicate is `value` (`kind` predicate): as the ids of those propositions, read from the
    claims that meet it (by claim_actor's or claim's index), or checked per row of the grouped list
    (common.link_filters)."""
    inner = Where()
    inner.add("m.deleted_at IS NULL")
    published_by(inner, "m", as_of)
    if kind == "actor":
        ids = ("SELECT mp.proposition_id FROM claim_actor ca CROSS JOIN claim_proposition mp CROSS JOIN claim m"
               " WHERE ca.actor_id = ? AND mp.claim_id = ca.claim_id AND m.id = ca.claim_id")
        exists = ("EXISTS (SELECT 1 FROM claim_proposition mp CROSS JOIN claim_actor ca CROSS JOIN claim m"
                  " WHERE mp.proposition_id = cp.proposition_id AND ca.claim_id = mp.claim_id AND ca.actor_id = ?"
                  " AND m.id = mp.claim_id")
    else:
        ids = "SELECT mp.proposition_id FROM claim m CROSS JOIN claim_proposition mp WHERE m.predicate = ? AND mp.claim_id = m.id"
        exists = ("EXISTS (SELECT 1 FROM claim_proposition mp CROSS JOIN claim m WHERE mp.proposition_id = cp.proposition_id"
                  " AND m.id = mp.claim_id AND m.predicate = ?")
    return LinkFilter(f"{ids} AND {inner.sql()}", f"{exists} AND {inner.sql()})", (value, *inner.params))


def list_propositions(store: Store, *, filters: PropositionFilters, limit: int, cursor: str | None) -> Page:
    """Propositions in order of id, with the claims published by `as_of` when it is given."""
    f = filters
    require(store, "actor", f.actor, "actor", "Actor")
    first, last = date_span(f.date_from, f.date_to)
    scope = Cursor.scope({**{k: (v.value if isinstance(v, Predicate) else v) for k, v in asdict(f).items()}, "view": "propositions"})
    after = Cursor.decode(store, cursor, scope, [TEXT])
    where = Where()
    where.add("c.deleted_at IS NULL")
    published_by(where, "c", f.as_of)
    links = [*([_with_a_claim("actor", f.actor, f.as_of)] if f.actor is not None else []),
             *([_with_a_claim("predicate", f.predicate.value, f.as_of)] if f.predicate is not None else [])]
    link_filters(store, where, "cp.proposition_id", links)
    if after is not None:
        where.add("cp.proposition_id > ?", after[0])
    having = Where()
    if first is not None:
        having.add(f"MAX({_DATE_TO}) >= ?", first)
    if last is not None:
        having.add(f"MIN({_DATE_FROM}) <= ?", last)
    rows = store.all(
        f"SELECT cp.proposition_id FROM claim_proposition cp JOIN claim c ON c.id = cp.claim_id WHERE {where.sql()}"
        f" GROUP BY cp.proposition_id HAVING {having.sql()} ORDER BY cp.proposition_id LIMIT ?",
        [*where.params, *having.params, limit + 1],
    )
    ids = [r[0] for r in rows[:limit]]
    next_cursor = Cursor.encode(store, [ids[-1]], scope) if len(rows) > limit else None
    views = _Views(store, ids, f.as_of)
    return Page(items=[dump(views.summary(pid)) for pid in ids], next_cursor=next_cursor)


def get(store: Store, *, proposition_id: str, as_of: str | None) -> bytes:
    """A proposition with its claims in time order and the relations among them."""
    views = _Views(store, [proposition_id], as_of)
    if not views.claims.get(proposition_id):
        if as_of is not None and store.one("SELECT 1 FROM claim_proposition WHERE proposition_id = ?", (proposition_id,)):
            raise NotFound(f"Proposition '{proposition_id}' has no claim published by {as_of}.")
        raise NotFound(f"Proposition '{proposition_id}' does not exist.")
    return dump(views.detail(proposition_id))


class _Views:
    """The propositions of one response: their claims read in one query, their sources and parties in one each."""

    def __init__(self, store: Store, ids: Sequence[str], as_of: str | None) -> None:
        self.store, self.as_of = store, as_of
        self.claims: dict[str, list[_Claim]] = {}
        if not ids:
            return
        where = Where()
        where.add(f"cp.proposition_id IN ({_marks(ids)})", *ids)
        where.add("c.deleted_at IS NULL")
        published_by(where, "c", as_of)
        rows = store.all(
            f"SELECT cp.proposition_id, c.data, c.summary, {_DATE_FROM}, {_DATE_TO}, k.key FROM claim_proposition cp"
            " JOIN claim c ON c.id = cp.claim_id LEFT JOIN claim_key k ON k.claim_id = c.id AND k.key LIKE 'k:%'"
            f" WHERE {where.sql()} ORDER BY cp.proposition_id, c.id",
            where.params,
        )
        for pid, data, summary, first, last, key in rows:
            self.claims.setdefault(pid, []).append(
                _Claim(pid, ClaimIn.model_validate_json(data, context=STORED), json.loads(inflate(summary)), first, last, key and key[2:])
            )
        every = [c for claims in self.claims.values() for c in claims]
        self.world = read_world(store, {ev.source for c in every for ev in c.record.evidence})
        self.facts = {c.record.id: facts_of(c.record, self.world, Key.parse(c.key) if c.key else None) for c in every}
        self.names = {a["id"]: a["name"] for c in every for a in (c.summary["claimant"], *c.summary["speakers"])}
        keys = [self._key(pid) for pid in self.claims]
        self.actors = self._actor_refs(sorted({p for k in keys for p in (k.agent, k.patient) if p is not None}))

    def _key(self, proposition_id: str) -> Key:
        """The proposition's key: that of its claims (the first's, should a claim not be regrouped yet)."""
        return self.facts[self.claims[proposition_id][0].record.id].key

    def _actor_refs(self, ids: list[str]) -> dict[str, ActorRef]:
        if not ids:
            return {}
        rows = self.store.all(f"SELECT id, summary FROM actor WHERE id IN ({_marks(ids)})", ids)
        return {rid: ActorRef.model_validate_json(inflate(summary), context=STORED) for rid, summary in rows}

    def _ordered(self, proposition_id: str) -> list[Facts]:
        return sorted((self.facts[c.record.id] for c in self.claims[proposition_id]), key=time_order)

    def summary(self, proposition_id: str) -> PropositionSummary:
        claims = self.claims[proposition_id]
        key = self._key(proposition_id)
        firsts = [c.date_from for c in claims if c.date_from]
        lasts = [c.date_to for c in claims if c.date_to]
        return PropositionSummary(
            id=proposition_id,
            key=PropositionKey(family=key.family, parties=[self.actors[p] for p in (key.agent, key.patient) if p in self.actors],
                               thing=key.thing),
            claim_count=len(claims),
            date_from=min(firsts) if firsts else None,
            date_to=max(lasts) if lasts else None,
            status_line=status_line(self._ordered(proposition_id), self.names),
        )

    def detail(self, proposition_id: str) -> PropositionPublic:
        by_id = {c.record.id: c for c in self.claims[proposition_id]}
        items = []
        for f in self._ordered(proposition_id):
            c = by_id[f.id]
            items.append(PropositionClaim(
                id=f.id, statement=f.claim.statement, modality=f.claim.modality, polarity=f.claim.polarity,
                evidential=f.claim.evidential, claimant=ActorRef.model_validate(c.summary["claimant"]),
                speakers=[ActorRef.model_validate(a) for a in c.summary["speakers"]], event_time=f.claim.event_time,
                step=step_of(f), dated_by="event" if f.event else "published" if c.date_from else "unknown",
                date_from=c.date_from, date_to=c.date_to,
            ))
        contradictions = [PropositionContradiction(id=rid, kind=kind, status=status, origin=origin, claim_ids=members)
                          for rid, kind, status, origin, members in self._relations("contradiction", set(by_id))]
        corroborations = [PropositionCorroboration(id=rid, kind=kind, status=status, origin=origin, claim_ids=members)
                          for rid, kind, status, origin, members in self._relations("corroboration", set(by_id))]
        return PropositionPublic(**self.summary(proposition_id).model_dump(), claims=items, contradictions=contradictions,
                                 corroborations=corroborations)

    def _relations(self, relation: str, claim_ids: set[str]) -> list[tuple[str, str, str, str, list[str]]]:
        """(id, kind, status, origin, its claims among these) of the live relations between the claims: a contradiction
        with claims of the proposition on both sides, a corroboration with two or more. Under `as_of`, only those all
        of whose claims (of this proposition or not) had been published by then."""
        link, fk = f"{relation}_claim", f"{relation}_id"
        side = "l.side" if relation == "contradiction" else "NULL"
        ids = sorted(claim_ids)
        rows = self.store.all(
            f"SELECT l.{fk}, l.claim_id, {side}, x.kind, x.status, x.origin, c.published_to FROM {link} l"
            f" JOIN {relation} x ON x.id = l.{fk} JOIN claim c ON c.id = l.claim_id"
            f" WHERE x.deleted_at IS NULL AND l.{fk} IN (SELECT {fk} FROM {link} WHERE claim_id IN ({_marks(ids)}))"
            f" ORDER BY l.{fk}, l.claim_id",
            ids,
        )
        info: dict[str, tuple[str, str, str]] = {}
        members: dict[str, list[tuple[str, str | None]]] = {}
        later: set[str] = set()
        for rid, claim_id, claim_side, kind, status, origin, published in rows:
            info[rid] = (kind, status, origin)
            members.setdefault(rid, [])
            if claim_id in claim_ids:
                members[rid].append((claim_id, claim_side))
            if self.as_of is not None and (published is None or published > self.as_of):
                later.add(rid)
        between = {rid for rid, m in members.items() if len(m) >= 2 and (relation == "corroboration" or len({s for _, s in m}) >= 2)}
        return [(rid, *info[rid], [c for c, _ in m]) for rid, m in members.items() if rid in between - later]


__all__ = ["PropositionFilters", "get", "list_propositions"]
