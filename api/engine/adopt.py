"""Where a detection goes: into an existing relation's `detected_by`, nowhere (a person rejected the
pair, or the rule already proposed it), or a new proposed relation. Shared by the build and the write
path, which both see the data as a `Graph`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from api.dataset.graph import Graph
from api.engine.rules import Detection
from schemas.dataset import ContradictionIn, ContradictionMemberIn, CorroborationIn
from schemas.vocab import ContradictionSide, ContradictionStatus, CorroborationKind, CorroborationStatus

Relation = ContradictionIn | CorroborationIn
Action = Literal["new", "detected_by", "rejected", "exists"]
CLOSED = {ContradictionStatus.REJECTED.value, CorroborationStatus.REJECTED.value}
DORMANT = {ContradictionStatus.WITHDRAWN.value, CorroborationStatus.WITHDRAWN.value}
PROPOSED = {ContradictionStatus.PROPOSED.value, CorroborationStatus.PROPOSED.value}


@dataclass(frozen=True)
class Placement:
    action: Action
    relation_id: str | None = None


def alike_in(graph: Graph) -> Callable[[str, str], bool]:
    """Two claims say the same when they are drawn from overlapping words of one document, or a live
    corroboration confirms them as one proposition."""

    def alike(x: str, y: str) -> bool:
        if x == y:
            return True
        a, b = graph.claims.get(x), graph.claims.get(y)
        if a is None or b is None:
            return False
        if any(e.source == f.source and e.start < f.end and f.start < e.end for e in a.evidence for f in b.evidence):
            return True
        for yid in graph.corroborations_of(x):
            z = graph.corroborations.get(yid)
            if z and z.kind is CorroborationKind.SAME_PROPOSITION and z.status is CorroborationStatus.CONFIRMED and y in z.claims:
                return True
        return False

    return alike


def covers(rel: Relation, d: Detection, alike: Callable[[str, str], bool]) -> bool:
    def within(c: str, members: set[str]) -> bool:
        return any(alike(c, m) for m in members)

    if isinstance(rel, ContradictionIn):
        if d.relation != "contradiction":
            return False
        a = {m.claim for m in rel.claims if m.side is ContradictionSide.A}
        b = {m.claim for m in rel.claims if m.side is ContradictionSide.B}
        return (within(d.a, a) and within(d.b, b)) or (within(d.a, b) and within(d.b, a))
    members = set(rel.claims)
    return d.relation == "corroboration" and any(alike(d.a, m) and alike(d.b, n) for m in members for n in members if m != n)


def place(d: Detection, graph: Graph) -> Placement:
    """Where a detection belongs, given the relations the graph holds for its two claims."""
    table = graph.contradictions if d.relation == "contradiction" else graph.corroborations
    existing = table.get(d.id)
    if existing is not None:
        return Placement("exists", d.id)
    alike = alike_in(graph)
    of = graph.contradictions_of if d.relation == "contradiction" else graph.corroborations_of
    candidates = sorted({rid for c in (d.a, d.b) for rid in of(c)})
    rejected = None
    for rid in candidates:
        rel = table.get(rid)
        if rel is None or rel.status.value in DORMANT or rel.status.value in PROPOSED or not covers(rel, d, alike):
            continue  # another rule's proposal does not take this one in: each pair is proposed on its own
        if rel.status.value in CLOSED:
            rejected = rid
        elif rel.kind.value == d.kind:
            return Placement("detected_by", rid)
    return Placement("rejected", rejected) if rejected else Placement("new")


def relation_of(d: Detection) -> Relation:
    """The proposed relation record for a detection."""
    if d.relation == "contradiction":
        return ContradictionIn(
            id=d.id, kind=d.kind,
            claims=[ContradictionMemberIn(claim=d.a, side=ContradictionSide.A), ContradictionMemberIn(claim=d.b, side=ContradictionSide.B)],
            explanation=d.explanation, status=ContradictionStatus.PROPOSED, origin=d.rule, detected_by=[d.rule],
        )
    return CorroborationIn(
        id=d.id, kind=d.kind, claims=[d.a, d.b], explanation=d.explanation,
        status=CorroborationStatus.PROPOSED, origin=d.rule, detected_by=[d.rule],
    )
