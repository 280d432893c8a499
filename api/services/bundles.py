"""A document bundle: one report whole (`POST /v1/documents`), stored in one transaction or not at all.

The bundle's records go through the same `Writer` as one-record writes, so every rule of every way in applies to
each (api/dataset/checks.py, quotes located by api/services/locate.py), and the detection rules run for each claim.
Each problem is reported at its place in the bundle (`["body", "claims", 3, "evidence", 0, "quote"]`) and the
checking goes on, so that one 422 lists every problem; the caller rolls the transaction back when it is raised.

Order: new actors and cited sources first (each retried once the others are in, so that they may refer to one
another in any order), then the report, the spellings and roles it attests, its claims, the relations the analyst
asserts and the coverage account.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import func, insert, select, update

from api.dataset.checks import Loc, RecordChecks, Report, format_loc
from api.errors import ProblemError, ValidationProblem
from api.services.writes import Writer
from schemas.bundle import DocumentBundle
from schemas.dataset import ClaimIn
from schemas.tables import Document, DocumentName, table_of
from schemas.vocab import ContradictionStatus, CorroborationStatus
from schemas.writes import RoleCreate

Issue = dict[str, Any]


class BundleWrites:
    def __init__(self, writer: Writer) -> None:
        self.w = writer
        self.issues: list[Issue] = []

    def _attempt(self, where: tuple[str | int, ...], action: Callable[[], Any], *, quiet: bool = False) -> bool:
        """Run one write; on a problem, record it at `where` in the bundle (unless `quiet`) and carry on."""
        try:
            action()
        except ValidationProblem as exc:
            if not quiet:
                for err in exc.errors or [{"loc": ["body"], "msg": exc.detail, "type": "invalid"}]:
                    self.issues.append({**err, "loc": ["body", *where, *err["loc"][1:]]})
            return False
        except ProblemError as exc:  # an id taken (409), an actor or a source gone: named by the record's place
            if not quiet:
                self.issues.append({"loc": ["body", *where], "msg": exc.detail, "type": exc.type.rsplit("/", 1)[-1]})
            return False
        return True

    def _reporter(self, where: tuple[str | int, ...]) -> Report:
        def report(loc: Loc, msg: str, type_: str) -> None:
            self.issues.append({"loc": ["body", *where, *loc], "msg": msg, "type": type_})
        return report

    def _create_all(self, section: str, kind: str, items: list[Any]) -> None:
        """Create records that may refer to one another in any order: rounds until no more go in, then report."""
        pending = list(enumerate(items))
        while pending:
            left = [(i, item) for i, item in pending if not self._attempt((section, i), partial(self.w.create, kind, item), quiet=True)]
            if len(left) == len(pending):
                for i, item in left:
                    self._attempt((section, i), partial(self.w.create, kind, item))
                return
            pending = left

    def store(self, bundle: DocumentBundle) -> dict[str, Any]:
        """Write the bundle; ValidationProblem listing every problem when any. Returns the result's parts as JSON."""
        self._create_all("actors", "actor", bundle.actors)
        self._create_all("sources", "source", bundle.sources)
        held = self._attempt(("source",), partial(self.w.create, "source", bundle.source))
        if held:
            self._names(bundle)
            for i, role in enumerate(bundle.roles):
                body = RoleCreate.model_validate(role.model_dump(exclude={"actor"}, exclude_unset=True))
                self._attempt(("roles", i), partial(self.w.roles.add, role.actor, body))
        claims_in = [i for i, c in enumerate(bundle.claims) if self._attempt(("claims", i), partial(self.w.create, "claim", c))]
        for i, x in enumerate(bundle.contradictions):
            self._attempt(("contradictions", i), partial(self.w.create, "contradiction", x))
        for i, y in enumerate(bundle.corroborations):
            self._attempt(("corroborations", i), partial(self.w.create, "corroboration", y))
        if held and bundle.coverage is not None and len(claims_in) == len(bundle.claims):
            self._coverage(bundle)
        if self.issues:
            summary = "; ".join(f"{format_loc(tuple(i['loc'][1:]))}: {i['msg']}" for i in self.issues[:20])
            more = f" (and {len(self.issues) - 20} more)" if len(self.issues) > 20 else ""
            raise ValidationProblem(
                f"Document '{bundle.source.id}' was not saved ({len(self.issues)} problem(s)): {summary}{more}.", errors=self.issues,
            )
        return self._result(bundle)

    def _names(self, bundle: DocumentBundle) -> None:
        """Further spellings of existing actors, stored in the report's file as the loader stores a document's `names`."""
        if not bundle.names:
            return
        t = table_of(DocumentName)
        file = f"documents/{bundle.source.id}.yaml"
        changed: set[str] = set()
        for i, n in enumerate(bundle.names):
            if not RecordChecks(self.w.g, self._reporter(("names", i))).ref(("actor",), n.actor, self.w.g.actors, "actor"):
                continue
            position = self.w.conn.execute(select(func.coalesce(func.max(t.c.position) + 1, 0)).where(t.c.file == file)).scalar_one()
            self.w.conn.execute(insert(t).values(file=file, position=position, actor_id=n.actor, value=n.value, lang=n.language))
            changed.add(n.actor)
        self.w.g.forget()
        for actor_id in sorted(changed):
            record = self.w.g.actors[actor_id]
            self.w._write_links("actor", actor_id, record)  # its search entries hold every spelling
            self.w._rerender(self.w._affected("actor", actor_id, record, record))

    def _coverage(self, bundle: DocumentBundle) -> None:
        """The analyst's coverage account, checked as the loader and `check` check a document's, in place of the one
        the server made."""
        before = len(self.issues)
        defined = [c for c in (self.w.g.claims.get(claim.id) for claim in bundle.claims) if isinstance(c, ClaimIn)]
        RecordChecks(self.w.g, self._reporter(())).coverage(
            bundle.source.id, bundle.coverage or [], [c for c in defined if c.evidence[0].source == bundle.source.id])
        if len(self.issues) == before:
            doc = table_of(Document)
            segments = json.dumps([seg.model_dump(mode="json") for seg in bundle.coverage or []], ensure_ascii=False)
            self.w.conn.execute(update(doc).where(doc.c.source_id == bundle.source.id).values(coverage=segments))

    def _result(self, bundle: DocumentBundle) -> dict[str, Any]:
        def view(kind: str, item_id: str) -> Any:
            return json.loads(self.w.read(kind, item_id).body)

        claim_ids = [c.id for c in bundle.claims]
        proposed: dict[str, list[str]] = {"contradiction": [], "corroboration": []}
        for cid in claim_ids:
            for xid in self.w.g.contradictions_of(cid):
                x = self.w.g.contradictions.get(xid)
                if x is not None and x.status is ContradictionStatus.PROPOSED and xid not in proposed["contradiction"]:
                    proposed["contradiction"].append(xid)
            for yid in self.w.g.corroborations_of(cid):
                y = self.w.g.corroborations.get(yid)
                if y is not None and y.status is CorroborationStatus.PROPOSED and yid not in proposed["corroboration"]:
                    proposed["corroboration"].append(yid)
        named = [a.id for a in bundle.actors]
        named += [a for a in dict.fromkeys([*(n.actor for n in bundle.names), *(r.actor for r in bundle.roles)]) if a not in named]
        return {
            "source": view("source", bundle.source.id),
            "sources": [view("source", s.id) for s in bundle.sources],
            "actors": [view("actor", a) for a in named],
            "claims": [view("claim", c) for c in claim_ids],
            "contradictions": [view("contradiction", x.id) for x in bundle.contradictions],
            "corroborations": [view("corroboration", y.id) for y in bundle.corroborations],
            "proposed_contradictions": [view("contradiction", x) for x in sorted(proposed["contradiction"])],
            "proposed_corroborations": [view("corroboration", y) for y in sorted(proposed["corroboration"])],
        }


def store_bundle(writer: Writer, bundle: DocumentBundle) -> dict[str, Any]:
    return BundleWrites(writer).store(bundle)


__all__ = ["BundleWrites", "store_bundle"]
