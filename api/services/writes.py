"""Create, update and delete records: one transaction each, checked against the database, history
recorded, and every record whose rendered view embeds the change rendered again.

Rules that live here:
- a record's references must resolve to live records, and its evidence must quote its source's
  text exactly at its offsets (422, naming the field and showing the text found there);
- ids are never reused, not even those of deleted records (409);
- a record still referenced cannot be deleted (409, listing what references it);
- PATCH and DELETE need the current revision in If-Match (428 without it, 412 when stale);
- a held document's text cannot change while claims quote it (409).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, Delete, Table, Update, bindparam, delete, func, insert, select, update

from api.dataset.checks import RecordChecks, format_loc
from api.dataset.coverage import passages_of, place_claim
from api.dataset.graph import claim_roles
from api.errors import Conflict, Gone, NotFound, PreconditionFailed, PreconditionRequired, ValidationProblem
from api.services.engine import EngineWrites
from api.services.locate import locate_items
from api.services.preconditions import parse_tags
from api.services.roles import RoleWrites
from api.store.bodies import etags_of, inflate, pack, pack_summary
from api.store.db import now
from api.store.dbgraph import DbGraph
from api.store.records import LINK_TABLES, MODEL_OF, TABLE_OF, columns, links, rendered, search_rows
from api.store.render import Renderer, etag_of
from api.store.search import SearchIndex
from api.store.statements import built
from schemas.common import STORED
from schemas.dataset import ClaimIn
from schemas.tables import ActorClaimCount, ClaimActor, ClaimSource, Document, Revision, SourceClaimCount, table_of
from schemas.timestamps import rfc3339
from schemas.vocab import ClaimRole
from schemas.writes import SourceCreate

NAMES = {"actor": "Actor", "source": "Source", "claim": "Claim", "contradiction": "Contradiction", "corroboration": "Corroboration"}
FIRST_REVISION = 1  # a record's revision when created; each change adds one
SETTLING = frozenset({"reconciled", "resolved", "rejected"})
"""A relation's statuses that need a resolution saying how it was settled or why it was rejected (schemas/dataset.py)."""
SHARED_FILES = {"actor": "actors.yaml", "source": "sources.yaml", "contradiction": "links.yaml", "corroboration": "links.yaml"}


@dataclass(frozen=True)
class Written:
    body: bytes
    etag: str
    revision: int


def _pydantic_issues(exc: ValidationError) -> list[dict[str, Any]]:
    return [{"loc": ["body", *err["loc"]], "msg": err["msg"], "type": err["type"]} for err in exc.errors()]


def _set(t: Table) -> Update:
    """UPDATE of one row of `t` by id (the parameter `key`): the columns set are the other parameters it runs with."""
    return built(("set", t.name), lambda: update(t).where(t.c.id == bindparam("key")))


def _unlink(table: Table, column: str) -> Delete:
    """DELETE of the rows of a link table whose `column` is the parameter `id`."""
    return built(("unlink", table.name), lambda: delete(table).where(table.c[column] == bindparam("id")))


class Writer:
    def __init__(self, conn: Connection, *, api_key_id: str | None) -> None:
        self.conn = conn
        self.api_key_id = api_key_id
        self.now = now()
        self.g = DbGraph(conn)
        self.engine = EngineWrites(self)
        self.roles = RoleWrites(self)
        # For a claim being changed or deleted: the sources it was linked to before, whose counts change.
        self._old_links: set[str] = set()
        # Records this write has already put in the feed, and the feed's last (seq, at) as this write left it.
        self._logged: set[tuple[str, str]] = set()
        self._last_change: tuple[int, datetime] | None = None

    # -- reading rows

    def _row(self, kind: str, item_id: str) -> Any:
        t = TABLE_OF[kind]
        query = built(("row", kind), lambda: select(t.c.revision, t.c.deleted_at, t.c.file, t.c.position, t.c.data, t.c.etag).where(
            t.c.id == bindparam("id")))
        return self.conn.execute(query, {"id": item_id}).first()

    def _live_row(self, kind: str, item_id: str) -> Any:
        row = self._row(kind, item_id)
        if row is None:
            raise NotFound(f"{NAMES[kind]} '{item_id}' does not exist.")
        if row.deleted_at is not None:
            raise Gone(f"{NAMES[kind]} '{item_id}' was deleted (revision {row.revision}).")
        return row

    def _precondition(self, kind: str, item_id: str, if_match: str | None) -> Any:
        """The live record's row once its If-Match holds (RFC 9110 §13.1.1): `*`, or a list of entity tags one of
        which equals the record's current ETag, compared strongly (a weak tag never matches). In RFC 9110's order
        (§13.2.1): a header that is not a list of entity tags is BadRequest (400) first; then NotFound (404) or
        Gone (410) for the record, as without the precondition; then PreconditionRequired (428) without the header
        and PreconditionFailed (412) when no tag matches."""
        tags = parse_tags(if_match, "If-Match") if if_match is not None else None
        row = self._live_row(kind, item_id)
        if tags is None:
            raise PreconditionRequired(
                f"Send If-Match with the ETag of {NAMES[kind].lower()} '{item_id}' as you last read it, so that"
                " a change made since then is not overwritten."
            )
        if not any(tags.strong_match(tag) for tag in etags_of(row.etag)):  # identity or gzip form (api/store/bodies.py)
            raise PreconditionFailed(
                f"{NAMES[kind]} '{item_id}' has changed or If-Match does not name it: its current ETag is {row.etag}"
                f" (revision {row.revision}), and If-Match lists {(if_match or '').strip()[:200]}. Read it again and"
                " reapply your change; weak tags (W/) never match (RFC 9110 §13.1.1)."
            )
        return row

    def read(self, kind: str, item_id: str) -> Written:
        t = TABLE_OF[kind]
        row = self.conn.execute(select(t.c.body, t.c.etag, t.c.revision).where(t.c.id == item_id)).one()
        return Written(inflate(row.body), row.etag, row.revision)

    # -- validation

    def _check(self, kind: str, record: BaseModel, item_id: str, *, creating: bool = False) -> None:
        issues: list[dict[str, Any]] = []

        def report(loc: tuple[str | int, ...], msg: str, type_: str) -> None:
            issues.append({"loc": ["body", *loc], "msg": msg, "type": type_})

        # The loader's rules, and the statement rule `api.cli check` adds: one set of rules for every way in.
        RecordChecks(self.g, report, creating=creating, statements=True).record(kind, record)
        if issues:
            summary = "; ".join(f"{format_loc(tuple(i['loc'][1:]))}: {i['msg']}" for i in issues)
            raise ValidationProblem(f"{NAMES[kind]} '{item_id}' was not saved: {summary}.", errors=issues)

    def _locate(self, kind: str, data: dict[str, Any], item_id: str) -> None:
        """Offsets for the evidence quotes given without them (api/services/locate.py): 422 for any not found once."""
        if kind != "claim" or not data.get("evidence"):
            return
        issues: list[dict[str, Any]] = []
        locate_items(data["evidence"], self.g.texts.get, ("body", "evidence"), issues)
        if issues:
            summary = "; ".join(f"{format_loc(tuple(i['loc'][1:]))}: {i['msg']}" for i in issues)
            raise ValidationProblem(f"{NAMES[kind]} '{item_id}' was not saved: {summary}.", errors=issues)

    def _validate(self, kind: str, data: dict[str, Any], item_id: str) -> Any:
        try:
            return MODEL_OF[kind].model_validate(data)
        except ValidationError as exc:
            issues = _pydantic_issues(exc)
            summary = "; ".join(f"{format_loc(tuple(i['loc'][1:]))}: {i['msg']}" for i in issues)
            raise ValidationProblem(f"{NAMES[kind]} '{item_id}' was not saved: {summary}.", errors=issues) from None

    # -- placement in the dataset files

    def _file_for(self, kind: str, record: Any, has_text: bool) -> str:
        if kind == "source" and has_text:
            return f"documents/{record.id}.yaml"
        if kind == "claim":
            doc = table_of(Document)
            held = record.evidence[0].source
            row = self.conn.execute(built("document file", lambda: select(doc.c.file).where(doc.c.source_id == bindparam("id"))),
                                    {"id": held}).first()
            if row is not None:
                return str(row[0])
        return SHARED_FILES.get(kind, "links.yaml")

    def _next_position(self, kind: str, file: str) -> int:
        t = TABLE_OF[kind]
        query = built(("last position", kind), lambda: select(func.max(t.c.position)).where(t.c.file == bindparam("file")))
        current = self.conn.execute(query, {"file": file}).scalar()
        return 0 if current is None else int(current) + 1

    # -- derived rows

    def _write_links(self, kind: str, item_id: str, record: Any | None) -> None:
        # The rows are worked out before the old ones go: a claim keeps the proposition it is in
        # (the engine regroups it when the claim itself changes), which is read from those rows.
        derived = [] if record is None else links(kind, record, self.g)
        if kind == "claim":
            self._count_claims(item_id, derived)
        for table, column in LINK_TABLES[kind]:
            self.conn.execute(_unlink(table, column), {"id": item_id})
        SearchIndex(self.conn).put(kind, item_id, None if record is None else search_rows(kind, record, self.g))
        if record is None:
            return
        for table, rows in derived:
            if rows:
                self.conn.execute(built(("insert", table.name), lambda: insert(table)), rows)  # noqa: B023 (built at once)

    def _count_claims(self, claim_id: str, derived: list[tuple[Any, list[dict[str, Any]]]]) -> None:
        """Keep `actor_claim_count` and `source_claim_count` in step with the claim's `claim_actor` and `claim_source`
        rows, which `derived` (empty for a claim deleted) is about to replace: each count changes by the rows the
        claim gains or loses, so an actor's or a source's view reads its counts instead of counting its claims."""
        actors, sources = table_of(ClaimActor), table_of(ClaimSource)
        new = dict(derived)
        change: Counter[tuple[str, str]] = Counter((row["actor_id"], row["role"]) for row in new.get(actors, []))
        change.subtract((a, r) for a, r in self.conn.execute(built("claim actors", lambda: select(actors.c.actor_id, actors.c.role).where(
            actors.c.claim_id == bindparam("id"))), {"id": claim_id}))
        linked: Counter[str] = Counter(row["source_id"] for row in new.get(sources, []))
        linked.subtract(r[0] for r in self.conn.execute(built("claim sources", lambda: select(sources.c.source_id).where(
            sources.c.claim_id == bindparam("id"))), {"id": claim_id}))
        for (actor_id, role), n in sorted(change.items()):
            self._add_count(table_of(ActorClaimCount), {"actor_id": actor_id, "role": role}, n)
        for source_id, n in sorted(linked.items()):
            self._add_count(table_of(SourceClaimCount), {"source_id": source_id}, n)

    def _add_count(self, table: Any, key: dict[str, str], n: int) -> None:
        """Add `n` (may be negative or zero) to the count kept under `key`, starting from 0."""
        if n == 0:
            return
        add = built(("add count", table.name), lambda: update(table).where(*(table.c[c] == bindparam(f"key_{c}") for c in key)).values(
            count=table.c.count + bindparam("n")))
        if self.conn.execute(add, {**{f"key_{c}": v for c, v in key.items()}, "n": n}).rowcount == 0:
            self.conn.execute(insert(table).values(**key, count=n))

    def _write_columns(self, kind: str, item_id: str, record: Any) -> None:
        """Work out a record's filterable columns again, from what the records it depends on say now."""
        t = TABLE_OF[kind]
        self.conn.execute(update(t).where(t.c.id == item_id).values(**columns(kind, record, self.g)))

    def _sync_coverage(self, claim_id: str, record: ClaimIn | None, before: ClaimIn | None = None) -> None:
        """Keep each document's coverage account listing the claims quoted from each passage: the accounts of the
        documents the claim quotes now (`record`, None once deleted) and quoted before (`before`), no others."""
        doc = table_of(Document)
        quoted = {ev.source for ev in record.evidence} if record else set()
        touched = quoted | ({ev.source for ev in before.evidence} if before else set())
        if not touched:
            return
        rows = self.conn.execute(select(doc.c.file, doc.c.source_id, doc.c.coverage).where(doc.c.source_id.in_(sorted(touched)))).all()
        for file, source_id, coverage_json in rows:
            segments = json.loads(coverage_json)
            spans = [(ev.start, ev.end) for ev in (record.evidence if record else []) if ev.source == source_id]
            if place_claim(segments, claim_id, spans, self.g.texts.get(source_id) or ""):
                self.conn.execute(update(doc).where(doc.c.file == file).values(coverage=json.dumps(segments, ensure_ascii=False)))

    def _history(self, kind: str, item_id: str, revision: int, action: str, before: str | None, after: str | None) -> None:
        """Append one change to the feed. `seq` is the last one plus one, taken under the write lock every write
        holds, never from a database sequence: a transaction that rolls back (or dies) takes no number, so the
        feed has no gaps and `seq` N is only ever visible once 1..N-1 are. `at` never goes back along `seq` (the
        clock is read once the lock is held, and a clock set back is held at the last change's moment), so a time
        filter on the feed is a range of `seq` (api/services/changes.py)."""
        r = table_of(Revision)
        if self._last_change is None:
            last = self.conn.execute(select(func.coalesce(func.max(r.c.seq), 0))).scalar_one()
            last_at = self.conn.execute(select(r.c.at).where(r.c.seq == last)).scalar() if last else None
            if last_at is not None and last_at.tzinfo is None:  # SQLite keeps UTC without its offset
                last_at = last_at.replace(tzinfo=UTC)
            self._last_change = (last, max(self.now, last_at) if last_at is not None else self.now)
        seq, at = self._last_change[0] + 1, self._last_change[1]
        self.conn.execute(built("history", lambda: insert(r)), {
            "seq": seq, "resource": kind, "resource_id": item_id, "revision": revision, "action": action,
            "api_key_id": self.api_key_id, "at": at, "before": before, "after": after,
        })
        self._last_change = (seq, at)
        self._logged.add((kind, item_id))

    # -- what a change touches

    def _with_links(self, claim_ids: set[str], out: dict[str, set[str]]) -> None:
        """Claims, plus the contradictions and corroborations they are in and those links' other claims."""
        for cid in list(claim_ids):
            out["claim"].add(cid)
            for xid in self.g.contradictions_of(cid):
                out["contradiction"].add(xid)
                out["claim"].update(m.claim for m in self.g.contradictions[xid].claims)
        self._with_corroborations(claim_ids, out)

    def _with_corroborations(self, claim_ids: set[str], out: dict[str, set[str]]) -> None:
        """The corroborations the claims are in, and all their claims (whose details embed them)."""
        for cid in claim_ids:
            for yid in self.g.corroborations_of(cid):
                out["corroboration"].add(yid)
                out["claim"].update(self.g.corroborations[yid].claims)

    def _speeches_through(self, actor_id: str) -> set[str]:
        """Claims with a speaker who acts for the actor through a chain of `speaks_for` or roles.

        A speaker's party is the top of that chain (`Graph.parties`): a change to the actor (its
        `speaks_for`, or its name shown among `shared_parties`) changes the independence or the view of
        every corroboration such a claim is in.
        """
        seen = {actor_id}
        stack = [actor_id]
        while stack:
            for below in self.g.acting_for(stack.pop()):
                if below not in seen:
                    seen.add(below)
                    stack.append(below)
        return {cid for a in seen for cid in self.g.claims_of_actor(a, ClaimRole.SPEAKER)}

    def _affected(self, kind: str, item_id: str, old: Any | None, new: Any | None) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {k: set() for k in NAMES}
        out[kind].add(item_id)
        records = [r for r in (old, new) if r is not None]
        if kind == "claim":
            for r in records:
                out["actor"].update(a for _, a in claim_roles(r))
            out["source"].update(self._old_links)
            if new is not None:
                out["source"].update(self.g.claim_links(new))
            self._with_links({item_id}, out)
        elif kind == "actor":
            self._with_links(set(self.g.claims_of_actor(item_id)), out)
            self._with_corroborations(self._speeches_through(item_id), out)
            # Views that name the actor: actors that speak for it or count it as a member, sources it publishes or
            # writes, and the holders of roles held in it.
            for other, other_id in self.g.referring("actor", item_id, kinds=("actor", "source")):
                out[other].add(other_id)
            out["actor"].update(role.actor for _, _, role in self.g.roles_referring(item_id))
        elif kind == "source":
            claims = set(self.g.claims_linked_to(item_id))
            for cid in claims:
                # A changed citation chain changes what these claims trace back to: the sources they
                # leave and the sources they reach both count them differently now.
                out["source"].update(self.g.sources_of_claim(cid))
                self._write_links("claim", cid, self.g.claims[cid])
                # A changed publication date changes when the claims quoting the source were published.
                self._write_columns("claim", cid, self.g.claims[cid])
            for cid in claims:
                out["source"].update(self.g.claim_links(self.g.claims[cid]))
            self._with_links(claims, out)
            for r in records:
                out["source"].update(r.cites)
                if r.part_of:
                    out["source"].add(r.part_of)
            out["source"].update(self._descendants(item_id))
            out["actor"].update(role.actor for _, _, role in self.g.roles_referring(item_id))
        elif kind == "contradiction":
            for r in records:
                out["claim"].update(m.claim for m in r.claims)
        elif kind == "corroboration":
            for r in records:
                out["claim"].update(r.claims)
        return out

    def _descendants(self, source_id: str) -> set[str]:
        seen: set[str] = set()
        stack = [source_id]
        while stack:
            for citing in self.g.cited_by(stack.pop()):
                if citing not in seen:
                    seen.add(citing)
                    stack.append(citing)
        return seen

    def _rerender(self, affected: dict[str, set[str]]) -> None:
        """Render the affected records' views again. A view that changes although its record's data did not (a
        relation proposed or reviewed, a proposition regrouped, a count, a name shown, an independence) is a
        change too: the record takes a new revision and the feed a `refresh`, so that a client mirroring the feed
        misses no change to any view. A view rendered the same (by its ETag's digest) is left as it is."""
        self.g.forget()
        with self.g.unchanging():
            self._render_all(affected)

    def _render_all(self, affected: dict[str, set[str]]) -> None:
        for kind, ids in affected.items():
            self.g.preload(kind, ids)
        self.g.preload_relations(affected.get("claim", ()))
        self.g.preload_actors(affected.get("actor", ()))
        renderer = Renderer(self.g)
        for kind, ids in affected.items():
            t = TABLE_OF[kind]
            for item_id in sorted(ids):
                if item_id not in self.g.records(kind):
                    continue
                revision = self.g.revision_of(kind, item_id)
                values = rendered(kind, item_id, renderer, revision)
                if (kind, item_id) not in self._logged:
                    if self.g.stored_etag(kind, item_id) == values["etag"]:
                        continue
                    revision += 1
                    self.conn.execute(_set(t), {"key": item_id, "revision": revision, "updated_at": self.now})
                    self.g.set_revision(kind, item_id, revision)
                    self._history(kind, item_id, revision, "refresh", None, None)
                    values = rendered(kind, item_id, renderer, revision)
                if kind == "corroboration":
                    values["independent"] = columns(kind, self.g.corroborations[item_id], self.g)["independent"]
                self.conn.execute(_set(t), {"key": item_id, **values})

    # -- the operations

    def create(self, kind: str, payload: BaseModel) -> Written:
        item_id: str = payload.id  # type: ignore[attr-defined]
        existing = self._row(kind, item_id)
        if existing is not None:
            state = "was used by a deleted record; ids are never reused" if existing.deleted_at else "already exists"
            raise Conflict(f"{NAMES[kind]} '{item_id}' {state}.")
        text: str | None = None
        data = payload.model_dump(exclude_unset=True)
        if isinstance(payload, SourceCreate):
            text = data.pop("text", None)
            if text is not None:
                data["text_file"] = f"corpus/{item_id}.txt"
        self._locate(kind, data, item_id)
        record = self._validate(kind, data, item_id)
        self._check(kind, record, item_id, creating=True)
        self._insert_record(kind, record, self._file_for(kind, record, text is not None), text)
        affected = self._affected(kind, item_id, None, record)
        if isinstance(record, ClaimIn):
            self._merge(affected, self.engine.after_claim(item_id, None, record))
        elif kind in ("contradiction", "corroboration"):
            self._merge(affected, self.engine.absorb(kind, record))
        self._rerender(affected)
        return self.read(kind, item_id)

    def _insert_record(self, kind: str, record: Any, file: str, text: str | None = None) -> None:
        """Store a new, checked record with its links and history (its views are rendered by the caller)."""
        item_id = record.id
        body_columns = {"body": b"", "etag": ""} | ({"summary": b""} if kind in ("actor", "source", "claim") else {})
        self.conn.execute(insert(TABLE_OF[kind]).values(
            **columns(kind, record, self.g, {item_id: text} if text is not None else None), **body_columns,
            data=record.model_dump_json(), file=file, position=self._next_position(kind, file), revision=FIRST_REVISION,
            created_at=self.now, updated_at=self.now, deleted_at=None,
        ))
        if text is not None:
            # An account of the new document's lines, none curated yet: claims are placed in it as they are written.
            coverage = json.dumps(passages_of(text), ensure_ascii=False)
            self.conn.execute(insert(table_of(Document)).values(file=file, source_id=item_id, coverage=coverage))
        self.g.forget_record(kind, item_id)
        self._write_links(kind, item_id, record)
        if isinstance(record, ClaimIn):
            self._sync_coverage(item_id, record)
        self._history(kind, item_id, 1, "create", None, record.model_dump_json())

    @staticmethod
    def _merge(into: dict[str, set[str]], more: dict[str, set[str]]) -> None:
        for kind, ids in more.items():
            into.setdefault(kind, set()).update(ids)

    def update(self, kind: str, item_id: str, patch: BaseModel, if_match: str | None) -> Written:
        row = self._precondition(kind, item_id, if_match)
        changes = patch.model_dump(exclude_unset=True)
        current = MODEL_OF[kind].model_validate_json(row.data, context=STORED)
        if kind == "source" and "text" in changes:
            self._change_text(item_id, current, changes.pop("text"))
        if kind in ("contradiction", "corroboration"):
            self._reviewable(kind, item_id, current, changes)
        self._locate(kind, changes, item_id)
        merged = {**current.model_dump(exclude_unset=True), **changes}
        record = self._validate(kind, merged, item_id)
        self._check(kind, record, item_id)
        if record == current:
            return self.read(kind, item_id)
        self._old_links = self.g.claim_links(current) if isinstance(current, ClaimIn) else set()
        self._replace_record(kind, item_id, row.revision, row.data, record)
        affected = self._affected(kind, item_id, current, record)
        if isinstance(record, ClaimIn) and isinstance(current, ClaimIn):
            self._merge(affected, self.engine.after_claim(item_id, current, record))
        self._rerender(affected)
        return self.read(kind, item_id)

    def _replace_record(self, kind: str, item_id: str, revision: int, before: str, record: Any, *, file: str | None = None) -> None:
        """Store a checked new version of a record, with its links and history (views rendered by the caller)."""
        t = TABLE_OF[kind]
        self.conn.execute(update(t).where(t.c.id == item_id).values(
            **columns(kind, record, self.g), data=record.model_dump_json(), revision=revision + 1, updated_at=self.now,
            **({"file": file, "position": self._next_position(kind, file)} if file else {}),
        ))
        self.g.forget_record(kind, item_id)
        self._write_links(kind, item_id, record)
        if isinstance(record, ClaimIn):
            self._sync_coverage(item_id, record, ClaimIn.model_validate_json(before, context=STORED))
        self._history(kind, item_id, revision + 1, "update", before, record.model_dump_json())

    @staticmethod
    def _reviewable(kind: str, item_id: str, current: Any, changes: dict[str, Any]) -> None:
        """A person reviews a relation; where it came from, and the states only rules set, are not theirs to write. A
        new status that settles it (`SETTLING`) sent without a `resolution` does not keep the old one: a 422."""
        issues = [{"loc": ["body", f], "msg": f"'{f}' records where the relation came from; it cannot be changed", "type": "read_only"}
                  for f in ("origin", "detected_by") if f in changes and changes[f] != getattr(current, f)]
        status = changes.get("status")
        if status is not None and getattr(status, "value", status) in ("proposed", "withdrawn") and status != current.status:
            issues.append({"loc": ["body", "status"], "msg": "only the detection rules propose or withdraw a relation;"
                           " review it as confirmed, reconciled, resolved or rejected", "type": "read_only"})
        if issues:
            summary = "; ".join(f"{i['loc'][1]}: {i['msg']}" for i in issues)
            raise ValidationProblem(f"{NAMES[kind]} '{item_id}' was not saved: {summary}.", errors=issues)
        if status is not None and status != current.status and "resolution" not in changes and \
                getattr(status, "value", status) in SETTLING:
            # The resolution said how the old status came about: a status that settles the relation needs its own
            # (a rejection, its reason; a reconciliation, how), never the old one carried over (a 422 when none is
            # sent). A status that takes none still needs `resolution: null` sent with it (a 422 otherwise).
            changes["resolution"] = None

    def _change_text(self, source_id: str, current: Any, new_text: str | None) -> None:
        """Replace a source's text, which nothing may quote: claims' evidence and actors' roles' evidence point into
        it by code point offsets (409, naming each that does, claims by id and roles as `<file>#roles[<position>]`, their place in `data/`)."""
        quoting = [{"resource": "claim", "id": c} for c in self.g.claim_ids_quoting(source_id)]
        quoting += [{"resource": "role", "id": f"{f}#roles[{p}]"} for f, p, _ in self.g.roles_referring(source_id, ("evidence.source",))]
        if quoting:
            named = ", ".join(f"{q['resource']} {q['id']}" for q in quoting[:10])
            raise Conflict(
                f"The text of source '{source_id}' is quoted by {len(quoting)} record(s) ({named}): "
                "it cannot change while evidence points into it.",
                references=quoting,
            )
        t = TABLE_OF["source"]
        self.conn.execute(update(t).where(t.c.id == source_id).values(text=new_text))
        self.g.texts.cache.pop(source_id, None)
        if new_text is not None:  # the old account's offsets point into the old text
            doc = table_of(Document)
            self.conn.execute(update(doc).where(doc.c.source_id == source_id).values(coverage=json.dumps(passages_of(new_text), ensure_ascii=False)))

    def delete(self, kind: str, item_id: str, if_match: str | None) -> None:
        row = self._precondition(kind, item_id, if_match)
        current = MODEL_OF[kind].model_validate_json(row.data, context=STORED)
        dropped: dict[str, set[str]] = {}
        if isinstance(current, ClaimIn):
            # Relations a rule proposed on this claim go with it; reviewed ones hold it, like curated ones.
            dropped = self.engine.drop_proposals(item_id)
        referrers = self._referrers(kind, item_id)
        if referrers:
            listed = ", ".join(f"{r['resource']} '{r['id']}'" for r in referrers[:20])
            raise Conflict(
                f"{NAMES[kind]} '{item_id}' is still referenced by {len(referrers)} record(s): {listed}. "
                "Change or delete those first.",
                references=referrers,
            )
        self._old_links = self.g.claim_links(current) if isinstance(current, ClaimIn) else set()
        affected = self._affected(kind, item_id, current, None)
        self._tombstone(kind, item_id, row.revision, row.data)
        affected[kind].discard(item_id)
        if isinstance(current, ClaimIn):
            self._merge(affected, dropped)
            self._merge(affected, self.engine.after_claim(item_id, current, None))
        self._rerender(affected)

    def _tombstone(self, kind: str, item_id: str, revision: int, before: str) -> None:
        """Delete a record: its last view stays, marked deleted, and its history records the deletion."""
        t = TABLE_OF[kind]
        revision += 1
        views = {"body": self.read(kind, item_id).body}
        if "summary" in t.c:
            views["summary"] = inflate(self.conn.execute(select(t.c.summary).where(t.c.id == item_id)).scalar_one())
        stamp = rfc3339(self.now)
        for column, view in views.items():
            # The tombstone is the last view, marked deleted: nothing it embeds is rendered again.
            views[column] = json.dumps({**json.loads(view), "revision": revision, "deleted_at": stamp},
                                       ensure_ascii=False, separators=(",", ":")).encode()
        self.conn.execute(update(t).where(t.c.id == item_id).values(
            revision=revision, deleted_at=self.now, updated_at=self.now, etag=etag_of(revision, views["body"]),
            body=pack(views["body"]), **({"summary": pack_summary(views["summary"])} if "summary" in views else {}),
        ))
        self.g.forget_row(kind, item_id)
        self._write_links(kind, item_id, None)
        if kind == "claim":
            self._sync_coverage(item_id, None, ClaimIn.model_validate_json(before, context=STORED))
        if kind == "source":
            doc = table_of(Document)
            self.conn.execute(delete(doc).where(doc.c.source_id == item_id))
        self._history(kind, item_id, revision, "delete", before, None)

    def _referrers(self, kind: str, item_id: str) -> list[dict[str, str]]:
        """Live records that reference the record by a field that holds it (`HOLDING`), by kind then id, then the
        roles that do (as `<file>#roles[<position>]`): each found by index in the reference and link tables."""
        found: list[dict[str, str]] = []
        for other, fields in HOLDING.get(kind, {}).items():
            for _, other_id in self.g.referring(kind, item_id, kinds=(other,), fields=fields):
                if (other, other_id) != (kind, item_id):
                    found.append({"resource": other, "id": other_id})
        if kind in ("actor", "source"):
            roles = {(f, p) for f, p, _ in self.g.roles_referring(item_id)}
            if kind == "actor":
                roles |= {(f, p) for f, p, _ in self.g.roles_held_by(item_id)}
            found += [{"resource": "role", "id": f"{f}#roles[{p}]"} for f, p in sorted(roles)]
        return found


HOLDING: dict[str, dict[str, tuple[str, ...] | None]] = {
    # For each kind of record: the kinds of records that hold it, and the fields by which they do (None: every
    # field), so that it cannot be deleted while they do. An actor's `members` do not hold their actors.
    "actor": {"actor": ("speaks_for",), "source": ("publisher", "authors"), "claim": None},
    "source": {"source": ("cites", "part_of"), "claim": ("evidence.source", "evidence.attributed_to")},
    "claim": {"contradiction": None, "corroboration": None},
}


__all__ = ["FIRST_REVISION", "HOLDING", "Writer", "Written"]
