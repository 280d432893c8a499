"""What a claim write sets off in the engine, in the same transaction: the claim's lookup keys and
proposition, relations the rules now find (proposed, or recorded in the `detected_by` of the relation
they confirm), and proposals whose basis is gone (withdrawn, kept in history). A pair a person
rejected is never proposed again by the same rule.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, insert, select

from api.engine.adopt import alike_in, covers, place, relation_of
from api.engine.detect import NEIGHBOURS, detect_for, lookups, search_keys
from api.engine.propositions import Facts, Key, facts_of, proposition_ids
from api.engine.rules import Detection
from api.engine.run import DETECTED_FILE
from api.engine.world import Span, World, world_in
from api.errors import ValidationProblem
from api.store.records import TABLE_OF, claim_keys
from api.store.statements import built
from schemas.dataset import ClaimIn
from schemas.knowledge import Knowledge
from schemas.tables import ClaimKey, ClaimProposition, Meta, table_of
from schemas.vocab import ContradictionStatus, CorroborationStatus

if TYPE_CHECKING:
    from api.services.writes import Writer

PROPOSED = {ContradictionStatus.PROPOSED.value, CorroborationStatus.PROPOSED.value}
WITHDRAWN = {ContradictionStatus.WITHDRAWN.value, CorroborationStatus.WITHDRAWN.value}
REJECTED = {ContradictionStatus.REJECTED.value, CorroborationStatus.REJECTED.value}
KINDS = ("contradiction", "corroboration")


class EngineWrites:
    def __init__(self, writer: Writer) -> None:
        self.w = writer

    @property
    def g(self) -> Any:
        return self.w.g

    # -- reading

    def _relations_of(self, claim_id: str) -> list[tuple[str, Any]]:
        """(kind, record) of the live relations the claim is in."""
        out: list[tuple[str, Any]] = []
        for kind in KINDS:
            of = self.g.contradictions_of if kind == "contradiction" else self.g.corroborations_of
            table = self.g.records(kind)
            ids = of(claim_id)
            self.g.preload(kind, ids)
            out += [(kind, table[rid]) for rid in ids if rid in table]
        return out

    def _candidates(self, facts: Facts, world: World) -> list[Facts]:
        """The claims the rules compare a claim with: under each key it is looked up by, its `NEIGHBOURS`
        (api/engine/detect.py): that many ids just below its own and as many just above (two index ranges per
        key, `ix_claim_key_key_claim`), so that a claim of a proposition, pair or speaker shared by thousands
        costs what one shared by a few does, and no claim is paired with every new one."""
        t = table_of(ClaimKey)
        below = built("keys below", lambda: select(t.c.claim_id).where(t.c.key == bindparam("key"), t.c.claim_id < bindparam("id")).order_by(
            t.c.claim_id.desc()).limit(bindparam("n")))
        above = built("keys above", lambda: select(t.c.claim_id).where(t.c.key == bindparam("key"), t.c.claim_id > bindparam("id")).order_by(
            t.c.claim_id).limit(bindparam("n")))
        ids: set[str] = set()
        for key in search_keys(lookups(facts, world)):
            ids.update(r[0] for r in self.w.conn.execute(below, {"key": key, "id": facts.id, "n": NEIGHBOURS}))
            ids.update(r[0] for r in self.w.conn.execute(above, {"key": key, "id": facts.id, "n": NEIGHBOURS}))
        found = sorted(ids)
        self.g.preload_claims(found)
        return [facts_of(self.g.claims[c], world) for c in found if c in self.g.claims]

    # -- propositions

    def _regroup(self, keys: set[str]) -> set[str]:
        """Recompute the propositions of every claim under these proposition keys (`k:`); the claims whose changed.
        Works from the stored keys and event days (no claim is read): a key's claims are grouped by a sweep over
        their event spans (`proposition_ids`)."""
        t, p, c = table_of(ClaimKey), table_of(ClaimProposition), TABLE_OF["claim"]
        if not keys:
            return set()
        rows = self.w.conn.execute(
            select(t.c.key, t.c.claim_id, c.c.event_from, c.c.event_to).join(c, c.c.id == t.c.claim_id)
            .where(t.c.key.in_(sorted(keys)), c.c.deleted_at.is_(None))
        ).all()
        members: dict[str, list[tuple[str, Span | None]]] = {}
        for key, claim_id, first, last in rows:
            span = (date.fromisoformat(first), date.fromisoformat(last)) if first and last else None
            members.setdefault(key, []).append((claim_id, span))
        wanted = {claim_id: pid for key, found in members.items()
                  for pid, ids in proposition_ids(Key.parse(key.removeprefix("k:")), found).items() for claim_id in ids}
        ids = sorted({claim_id for found in members.values() for claim_id, _ in found})
        current = dict(self.w.conn.execute(select(p.c.claim_id, p.c.proposition_id).where(p.c.claim_id.in_(ids))).all()) if ids else {}
        changed = {c for c in ids if wanted.get(c) != current.get(c)}
        if changed:
            self.w.conn.execute(delete(p).where(p.c.claim_id.in_(sorted(changed))))
            rows_in = [{"claim_id": c, "proposition_id": wanted[c]} for c in sorted(changed) if c in wanted]
            if rows_in:
                self.w.conn.execute(insert(p), rows_in)
        return changed

    # -- the operations

    def after_claim(self, claim_id: str, old: ClaimIn | None, new: ClaimIn | None) -> dict[str, set[str]]:
        """Run the rules for a created, changed or deleted claim. Returns what must be rendered again."""
        world = world_in(self.g)
        affected: dict[str, set[str]] = {"claim": set(), "contradiction": set(), "corroboration": set()}
        keys = {f"k:{facts_of(c, world).key}" for c in (old, new) if c is not None}
        affected["claim"] |= self._regroup(keys)
        detections: dict[str, Detection] = {}
        if new is not None:
            with self.g.unchanging():  # matching writes nothing: roles and parties are read once
                self.g.preload_context([new])
                facts = facts_of(new, world)
                rejected = {(rel.origin, frozenset(_members(rel))) for _, rel in self._relations_of(claim_id)
                            if rel.status.value in REJECTED and rel.origin != "curated"}
                detections = {d.id: d for d in detect_for(facts, self._candidates(facts, world), world, rejected)}
        for kind, rel in self._relations_of(claim_id):
            if rel.origin == "curated" or rel.id in detections:
                continue
            if rel.status.value in PROPOSED:
                self._set_status(kind, rel, "withdrawn", affected)
        # Placing a detection reads every relation of its two claims: read them all at once.
        partners = {c for d in detections.values() for c in (d.a, d.b)}
        for kind in KINDS:
            self.g.preload(kind, self.g.relations_of_claims(kind, partners))
        for d in detections.values():
            where = place(d, self.g)
            if where.action == "new":
                if self.g.revision_of(d.relation, d.id):
                    # A person deleted this proposal: it was dismissed, and ids are never reused. The rule
                    # does not bring it back (to restore it, record the relation anew under another id).
                    continue
                record = relation_of(d)
                self.w._insert_record(d.relation, record, DETECTED_FILE)
                affected[d.relation].add(d.id)
                affected["claim"] |= {d.a, d.b}
            elif where.action == "exists" and where.relation_id:
                rel = self.g.records(d.relation)[where.relation_id]
                if rel.status.value in WITHDRAWN:
                    self._set_status(d.relation, rel, "proposed", affected)
            elif where.action == "detected_by" and where.relation_id:
                rel = self.g.records(d.relation)[where.relation_id]
                if d.rule not in rel.detected_by:
                    self._replace(d.relation, rel, rel.model_copy(update={"detected_by": sorted({*rel.detected_by, d.rule})}), affected)
        return affected

    def absorb(self, kind: str, record: Any) -> dict[str, set[str]]:
        """A relation a person records takes in the rules' proposals it covers: their rules go into its
        `detected_by`, and the proposals are deleted (their history stays)."""
        affected: dict[str, set[str]] = {"claim": set(), "contradiction": set(), "corroboration": set()}
        alike = alike_in(self.g)
        rules = set(record.detected_by)
        for claim_id in _members(record):
            for other_kind, rel in self._relations_of(claim_id):
                if other_kind != kind or rel.id == record.id or rel.origin == "curated" or rel.status.value not in PROPOSED | WITHDRAWN:
                    continue
                a, b = _members(rel)[:2]
                proposal = Detection(rel.origin, kind, rel.kind.value, a, b, rel.explanation)  # type: ignore[arg-type]
                if rel.kind == record.kind and covers(record, proposal, alike):
                    rules.add(rel.origin)
                    row = self.w._row(kind, rel.id)
                    self.w._tombstone(kind, rel.id, row.revision, row.data)
                    affected[kind].add(record.id)
                    affected["claim"].update(_members(rel))
        if rules != set(record.detected_by):
            self.g.forget()
            row = self.w._row(kind, record.id)
            self.w._replace_record(kind, record.id, row.revision, row.data, record.model_copy(update={"detected_by": sorted(rules)}))
        return affected

    def replace_knowledge(self, knowledge: Knowledge) -> None:
        """Put new declared tables in force: a higher version, whose references resolve. Every claim is keyed
        again and the rules run for each, in this transaction (a cost that grows with the database: the
        tables change rarely, and by an administrator)."""
        current = self.g.knowledge
        issues: list[dict[str, Any]] = []
        if knowledge.version <= current.version:
            issues.append({"loc": ["body", "version"], "msg": f"must be above the version in force ({current.version})", "type": "version"})
        for i, conflict in enumerate(knowledge.conflicts):
            for j, actor_id in enumerate(conflict.belligerents):
                if actor_id not in self.g.actors:
                    issues.append({"loc": ["body", "conflicts", i, "belligerents", j], "msg": f"unknown actor '{actor_id}'",
                                   "type": "unknown_reference"})
        if issues:
            summary = "; ".join(f"{'.'.join(str(p) for p in i['loc'][1:])}: {i['msg']}" for i in issues)
            raise ValidationProblem(f"The knowledge tables were not changed: {summary}.", errors=issues)
        meta = table_of(Meta)
        before = self.w.conn.execute(select(meta.c.value).where(meta.c.key == "knowledge")).scalar()
        self.w.conn.execute(delete(meta).where(meta.c.key == "knowledge"))
        self.w.conn.execute(insert(meta).values(key="knowledge", value=knowledge.model_dump_json()))
        self.w._history("knowledge", "tables", knowledge.version, "update", before, knowledge.model_dump_json())
        self.g._knowledge = None
        affected: dict[str, set[str]] = {"claim": set(), "contradiction": set(), "corroboration": set()}
        claim_ids = list(self.g.claims)
        keys = table_of(ClaimKey)
        for cid in claim_ids:
            # Only a claim's keys depend on the tables (its links, languages and search entries do not): rewritten
            # alone, and its proposition by `after_claim` below.
            self.w.conn.execute(delete(keys).where(keys.c.claim_id == cid))
            rows = [{"claim_id": cid, "key": key} for key in claim_keys(self.g.claims[cid], self.g)]
            if rows:
                self.w.conn.execute(insert(keys), rows)
        for cid in claim_ids:
            claim = self.g.claims[cid]
            for kind, ids in self.after_claim(cid, claim, claim).items():
                affected[kind] |= ids
        affected["claim"] |= set(claim_ids)  # every claim view names its proposition
        self.w._rerender(affected)

    def drop_proposals(self, claim_id: str) -> dict[str, set[str]]:
        """Delete the relations a rule proposed on a claim that is going, unless a person reviewed them.
        Returns the other claims, whose views list them."""
        affected: dict[str, set[str]] = {"claim": set()}
        for kind, rel in self._relations_of(claim_id):
            if rel.origin != "curated" and rel.status.value in PROPOSED | WITHDRAWN:
                row = self.w._row(kind, rel.id)
                self.w._tombstone(kind, rel.id, row.revision, row.data)
                affected["claim"].update(set(_members(rel)) - {claim_id})
        self.g.forget()
        return affected

    def _set_status(self, kind: str, rel: Any, status: str, affected: dict[str, set[str]]) -> None:
        vocabulary = ContradictionStatus if kind == "contradiction" else CorroborationStatus
        self._replace(kind, rel, rel.model_copy(update={"status": vocabulary(status)}), affected)

    def _replace(self, kind: str, rel: Any, record: Any, affected: dict[str, set[str]]) -> None:
        row = self.w._row(kind, rel.id)
        self.w._replace_record(kind, rel.id, row.revision, row.data, record)
        affected[kind].add(rel.id)
        affected["claim"].update(_members(rel))


def _members(rel: Any) -> list[str]:
    return [m.claim for m in rel.claims] if hasattr(rel.claims[0], "claim") else list(rel.claims)
