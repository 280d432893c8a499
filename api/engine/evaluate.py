"""How well the rules find the curated relations: recall per kind, and what they find that no curated
relation confirms (for a person to judge). Used by `python -m api.cli detect --evaluate`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from api.engine.rules import RULES, Detection
from schemas.dataset import ContradictionIn, CorroborationIn
from schemas.vocab import ContradictionStatus, CorroborationStatus


@dataclass
class KindScore:
    curated: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    detected: int = 0
    confirmed: int = 0

    @property
    def recall(self) -> float | None:
        return len(self.found) / len(self.curated) if self.curated else None

    @property
    def precision(self) -> float | None:
        return self.confirmed / self.detected if self.detected else None


@dataclass
class Evaluation:
    kinds: dict[str, KindScore]
    unconfirmed: list[Detection]
    against_rejected: list[tuple[Detection, str]]
    missed: dict[str, list[str]]


def _sides(x: ContradictionIn) -> tuple[set[str], set[str]]:
    return {m.claim for m in x.claims if m.side.value == "a"}, {m.claim for m in x.claims if m.side.value == "b"}


Alike = Callable[[str, str], bool]


def _same(x: str, y: str) -> bool:
    return x == y


def matches(d: Detection, curated: ContradictionIn | CorroborationIn, alike: Alike = _same) -> bool:
    """Whether a detection confirms a curated relation: same relation and kind, and its two claims are (or are
    alike to: drawn from the same words, or corroborated as one proposition) members of it, on its two sides."""
    def within(claim: str, members: set[str]) -> bool:
        return any(alike(claim, m) for m in members)

    if isinstance(curated, ContradictionIn):
        if d.relation != "contradiction" or d.kind != curated.kind.value:
            return False
        a, b = _sides(curated)
        return (within(d.a, a) and within(d.b, b)) or (within(d.a, b) and within(d.b, a))
    members = set(curated.claims)
    if d.relation != "corroboration" or d.kind != curated.kind.value:
        return False
    return any(alike(d.a, m) and alike(d.b, n) for m in members for n in members if m != n)


def evaluate(detections: Sequence[Detection], contradictions: Mapping[str, ContradictionIn],
             corroborations: Mapping[str, CorroborationIn], alike: Alike = _same) -> Evaluation:
    live: list[ContradictionIn | CorroborationIn] = [x for x in contradictions.values() if x.status is not ContradictionStatus.REJECTED]
    live += [y for y in corroborations.values() if y.status is not CorroborationStatus.REJECTED]
    rejected: list[ContradictionIn | CorroborationIn] = [x for x in contradictions.values() if x.status is ContradictionStatus.REJECTED]
    rejected += [y for y in corroborations.values() if y.status is CorroborationStatus.REJECTED]
    kinds: dict[str, KindScore] = {k: KindScore() for r in RULES for k in r.kinds}
    for rel in live:
        score = kinds.setdefault(rel.kind.value, KindScore())
        score.curated.append(rel.id)
        if any(matches(d, rel, alike) for d in detections):
            score.found.append(rel.id)
    unconfirmed: list[Detection] = []
    against: list[tuple[Detection, str]] = []
    for d in detections:
        score = kinds.setdefault(d.kind, KindScore())
        score.detected += 1
        if any(matches(d, rel, alike) for rel in live):
            score.confirmed += 1
            continue
        hit = next((rel.id for rel in rejected if matches(d, rel, alike)), None)
        if hit:
            against.append((d, hit))
        else:
            unconfirmed.append(d)
    missed = {k: [c for c in s.curated if c not in s.found] for k, s in kinds.items() if len(s.found) < len(s.curated)}
    return Evaluation(kinds=kinds, unconfirmed=unconfirmed, against_rejected=against, missed=missed)
