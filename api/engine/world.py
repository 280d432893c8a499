"""What the engine knows besides the claims: actors, their roles over time, sources and the tables."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from api.dataset.graph import Graph
from schemas.common import date_bounds
from schemas.dataset import ActorIn, ActorRoleIn, ClaimIn, SourceIn
from schemas.knowledge import Knowledge, LabelClass, PredicateFamily

Span = tuple[date, date]


def span_of(start: str, end: str | None = None) -> Span:
    """The first and last day a partial date (or range) can cover."""
    return date_bounds(start)[0], date_bounds(end or start)[1]


def overlaps(a: Span | None, b: Span | None) -> bool:
    """Whether two times can be the same; an unknown time (None) can be any."""
    return a is None or b is None or (a[0] <= b[1] and b[0] <= a[1])


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


@dataclass
class World:
    actors: Mapping[str, ActorIn]
    roles_of: Callable[[str], Sequence[ActorRoleIn]]
    sources: Mapping[str, SourceIn]
    knowledge: Knowledge
    _families: dict[str, tuple[PredicateFamily, int]] = field(default_factory=dict, repr=False)
    _object_classes: dict[str | None, str | None] = field(default_factory=dict, repr=False)
    _unit_classes: dict[str, str | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for family in self.knowledge.predicate_families:
            for i, member in enumerate(family.members):
                self._families[member.predicate.value] = (family, i)

    # -- tables

    def family(self, predicate: str) -> tuple[PredicateFamily, int] | None:
        return self._families.get(predicate)

    @staticmethod
    def classify(label: str | None, classes: Sequence[LabelClass]) -> str | None:
        """The class a label belongs to: an exact label, else the longest table label inside it; else the label."""
        if not label:
            return None
        text = _normal(label)
        best: tuple[int, str] | None = None
        for cls in classes:
            for candidate in cls.labels:
                cand = _normal(candidate)
                hit = text == cand or f" {cand} " in f" {text} "
                if hit and (best is None or len(cand) > best[0]):
                    best = (len(cand), cls.id)
        return best[1] if best else text

    def object_class(self, label: str | None) -> str | None:
        """`classify` over the object classes, remembered per label (the tables do not change during a World's life)."""
        if label not in self._object_classes:
            self._object_classes[label] = self.classify(label, self.knowledge.object_classes)
        return self._object_classes[label]

    def unit_class(self, unit: str) -> str | None:
        """`classify` over the unit classes, remembered per unit."""
        if unit not in self._unit_classes:
            self._unit_classes[unit] = self.classify(unit, self.knowledge.unit_classes)
        return self._unit_classes[unit]

    def conflict_of(self, label: str | None) -> list[str]:
        """Belligerents of the conflict a label names, or [] when it names none the tables know."""
        if not label:
            return []
        text = _normal(label)
        for conflict in self.knowledge.conflicts:
            if any(_normal(x) == text for x in conflict.labels):
                return list(conflict.belligerents)
        return []

    # -- time

    def published(self, claim: ClaimIn) -> Span | None:
        """When the claim was first published: the earliest publication date of the documents quoting it."""
        spans = [span_of(s.published.date) for s in (self.sources.get(ev.source) for ev in claim.evidence) if s and s.published]
        return min(spans) if spans else None

    @staticmethod
    def event(claim: ClaimIn) -> Span | None:
        return None if claim.event_time is None else span_of(claim.event_time.start, claim.event_time.end)

    def when(self, claim: ClaimIn) -> tuple[Span | None, str]:
        """The claim's place in time: its event time, else the publication date of its source, and which."""
        event = self.event(claim)
        if event is not None:
            return event, "event"
        published = self.published(claim)
        return published, "published" if published else "unknown"

    # -- who acts for whom

    def party(self, actor_id: str | None, at: Span | None, _seen: frozenset[str] = frozenset()) -> str | None:
        """The party an actor acts for at a time: follow `speaks_for`, and roles held then in a state or
        state body (a head of state, minister or spokesman acts for the state while the role is held), to
        the top. An actor whose roles lead to different parties acts for itself."""
        if actor_id is None or actor_id not in self.actors or actor_id in _seen:
            return actor_id
        seen = _seen | {actor_id}
        actor = self.actors[actor_id]
        if actor.speaks_for:
            return self.party(actor.speaks_for, at, seen)
        tops = {self.party(r.of, at, seen) for r in self.roles_of(actor_id) if r.of and self._covers(r, at) and self._stands_for(r.of)}
        return tops.pop() if len(tops) == 1 else actor_id

    def _stands_for(self, body_id: str) -> bool:
        """Roles count towards a party when held in a state or a state body (not a newspaper or committee seat)."""
        body = self.actors.get(body_id)
        return body is not None and body.kind.value in ("country", "government_body", "armed_forces", "agency")

    @staticmethod
    def _covers(role: ActorRoleIn, at: Span | None) -> bool:
        if at is None:
            return True
        first = date_bounds(role.start.date)[0] if role.start else None
        last = date_bounds(role.end.date)[1] if role.end else None
        if first is None and last is None:
            if role.attested is None:
                return True
            first, last = span_of(role.attested.date)
        return (first is None or first <= at[1]) and (last is None or at[0] <= last)


def world_in(graph: Graph) -> World:
    """The engine's view of what a graph (the dataset in memory, or the database) holds."""
    return World(actors=graph.actors, roles_of=graph.roles_of, sources=graph.sources, knowledge=graph.knowledge)
