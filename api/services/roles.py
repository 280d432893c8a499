"""An actor's roles over time, written through the API: added with evidence from a held document, or
removed. A role decides whom an actor acts for (a minister for the state, while the role is held), so
a change runs the engine again for the actor's claims and re-renders what shows the actor.

Rules: the evidence must quote its source's text exactly (422 naming the field, as for claims); the
role is stored in the dataset file of the document its first evidence item quotes; its id is that
file's stem and its position there (`000.3`); removing needs the actor's ETag in `If-Match`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select

from api.dataset.checks import RecordChecks, format_loc
from api.dataset.loader import role_id
from api.errors import NotFound, ValidationProblem
from api.services.locate import locate_items
from api.store.records import role_references
from schemas.common import STORED
from schemas.dataset import ActorRoleIn, RoleIn
from schemas.tables import ActorRole, Document, Revision, RoleReference, table_of
from schemas.vocab import ClaimRole
from schemas.writes import RoleCreate

if TYPE_CHECKING:
    from api.services.writes import Writer, Written


class RoleWrites:
    def __init__(self, writer: Writer) -> None:
        self.w = writer

    def add(self, actor_id: str, role: RoleIn | RoleCreate) -> Written:
        self.w._live_row("actor", actor_id)
        data = role.model_dump(exclude_unset=True)
        issues: list[dict[str, Any]] = []
        # Quotes given without offsets are located in their source's text first (api/services/locate.py).
        locate_items(data["evidence"], self.w.g.texts.get, ("body", "evidence"), issues)
        if issues:
            summary = "; ".join(f"{format_loc(tuple(i['loc'][1:]))}: {i['msg']}" for i in issues)
            raise ValidationProblem(f"The role of actor '{actor_id}' was not saved: {summary}.", errors=issues)
        record = ActorRoleIn(actor=actor_id, **data)

        def report(loc: tuple[str | int, ...], msg: str, type_: str) -> None:
            issues.append({"loc": ["body", *loc], "msg": msg, "type": type_})

        RecordChecks(self.w.g, report).role(record)  # the loader's rules for a role (api/dataset/checks.py)
        doc = table_of(Document)
        file = None
        if not issues:
            file = self.w.conn.execute(select(doc.c.file).where(doc.c.source_id == record.evidence[0].source)).scalar()
        if file is None and not issues:
            report(("evidence", 0, "source"), f"source '{record.evidence[0].source}' is not a document held in the dataset", "no_text")
        if issues or file is None:
            summary = "; ".join(f"{format_loc(tuple(i['loc'][1:]))}: {i['msg']}" for i in issues)
            raise ValidationProblem(f"The role of actor '{actor_id}' was not saved: {summary}.", errors=issues)
        t = table_of(ActorRole)
        position = max(int(self.w.conn.execute(select(func.coalesce(func.max(t.c.position) + 1, 0)).where(t.c.file == file)).scalar() or 0),
                       self._next_unused(file))
        self.w.conn.execute(insert(t).values(file=file, position=position, actor_id=actor_id, data=record.model_dump_json()))
        self.w.conn.execute(insert(table_of(RoleReference)), role_references(file, position, record))
        self._history(role_id(file, position), 1, "create", None, record.model_dump_json())
        self._changed(actor_id, record.of)
        return self.w.read("actor", actor_id)

    def remove(self, actor_id: str, rid: str, if_match: str | None) -> None:
        self.w._precondition("actor", actor_id, if_match)
        t = table_of(ActorRole)
        found = None
        for file, position, data in self.w.conn.execute(select(t.c.file, t.c.position, t.c.data).where(t.c.actor_id == actor_id)):
            if role_id(file, position) == rid:
                found = (file, position, data)
        if found is None:
            raise NotFound(f"Actor '{actor_id}' has no role '{rid}'.")
        file, position, data = found
        refs = table_of(RoleReference)
        self.w.conn.execute(delete(refs).where(refs.c.file == file, refs.c.position == position))
        self.w.conn.execute(delete(t).where(t.c.file == file, t.c.position == position))
        self._history(rid, 2, "delete", data, None)
        self._changed(actor_id, ActorRoleIn.model_validate_json(data, context=STORED).of)

    def _next_unused(self, file: str) -> int:
        """The position after every role id of the file ever used: ids of removed roles are never reused."""
        r = table_of(Revision)
        stem = role_id(file, 0).rsplit(".", 1)[0]
        used = self.w.conn.execute(select(r.c.resource_id).where(r.c.resource == "role", r.c.resource_id.startswith(f"{stem}.", autoescape=True)))
        positions = [int(rid.rsplit(".", 1)[1]) for (rid,) in used if rid.rsplit(".", 1)[1].isascii() and rid.rsplit(".", 1)[1].isdigit()]
        return max(positions, default=-1) + 1

    def _history(self, rid: str, revision: int, action: str, before: str | None, after: str | None) -> None:
        self.w._history("role", rid, revision, action, before, after)

    def _changed(self, actor_id: str, of: str | None) -> None:
        """Whom the actor acts for may have changed: key its claims again, run the rules for them, and render
        again the actor, the body it holds the role in, and everything their claims show."""
        self.w.g.forget()
        affected = self.w._affected("actor", actor_id, None, None)
        if of is not None:
            affected["actor"].add(of)
        for cid in sorted(set(self.w.g.claims_of_actor(actor_id)) | set(self.w.g.claims_of_actor(actor_id, ClaimRole.SPEAKER))):
            claim = self.w.g.claims.get(cid)
            if claim is not None:
                self.w._write_links("claim", cid, claim)
                self.w._merge(affected, self.w.engine.after_claim(cid, claim, claim))
        self.w._rerender(affected)


__all__ = ["RoleWrites"]
