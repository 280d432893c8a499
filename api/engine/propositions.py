"""Propositions: "the same thing said", whatever the modality, polarity, language or wording.

A claim's proposition key comes from its structure, normalised by the declared knowledge: the
predicate's family, the parties its actors act for at the claim's time, and the class of its
object. Claims of one key whose event times cannot overlap are different propositions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from api.engine.world import Span, World, overlaps
from schemas.dataset import ClaimIn
from schemas.vocab import Evidential, Modality, Polarity

PROSPECTIVE = {Modality.PLANNED, Modality.INTENDED, Modality.EXPECTED, Modality.WILLING, Modality.CONSIDERED}
HYPOTHETICAL = {Modality.CONDITIONAL, Modality.NORMATIVE}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9\u0600-\u06ff]+", "-", text.lower()).strip("-") or "x"


@dataclass(frozen=True)
class Key:
    """A proposition key: family, the two parties (ordered unless the family is symmetric) and the thing."""

    family: str
    agent: str | None
    patient: str | None
    thing: str | None

    @property
    def pair(self) -> str:
        """The key without the thing: what a stance or a characterization is looked up by."""
        return f"{self.family}|{self.agent or '-'}|{self.patient or '-'}"

    def __str__(self) -> str:
        return f"{self.pair}|{self.thing or '-'}"

    @property
    def slug(self) -> str:
        return "--".join(_slug(p or "none") for p in (self.family, self.agent, self.patient, self.thing))


@dataclass(frozen=True)
class Facts:
    """A claim as the rules see it."""

    claim: ClaimIn
    key: Key
    event: Span | None
    when: Span | None
    when_basis: str
    speakers: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.claim.id

    @property
    def affirmed(self) -> bool:
        return self.claim.polarity is Polarity.AFFIRMED

    @property
    def modality(self) -> Modality:
        return self.claim.modality

    @property
    def observed(self) -> bool:
        return self.claim.evidential is Evidential.OBSERVED

    def spans(self) -> set[tuple[str, int, int]]:
        return {(ev.source, ev.start, ev.end) for ev in self.claim.evidence}

    def same_words(self, other: Facts) -> bool:
        """Whether the two claims' evidence overlaps: then they are one passage, not two reports."""
        return any(s == t and a < d and c < b for s, a, b in self.spans() for t, c, d in other.spans())


def key_of(claim: ClaimIn, world: World) -> Key:
    when, _ = world.when(claim)
    slots = {"subject": claim.subject, "recipient": claim.recipient, "object": claim.object.actor if claim.object else None}
    found = world.family(claim.predicate.value)
    if found is None:
        # A predicate no family declares: its own proposition, between the actors as named.
        family_id, classed, symmetric, by_party = claim.predicate.value.replace("_", "-"), True, False, False
        agent: str | None = claim.subject
        patient = claim.recipient or slots["object"]
    else:
        family, i = found
        member = family.members[i]
        family_id, classed, symmetric, by_party = family.id, family.classed, family.symmetric, family.by_party
        agent, patient = slots[member.agent], slots[member.patient] if member.patient else None
    agent_party, patient_party = (world.party(agent, when), world.party(patient, when)) if by_party else (agent, patient)
    if symmetric and (agent_party or "") > (patient_party or ""):
        agent_party, patient_party = patient_party, agent_party
    label = claim.object.label if claim.object else None
    thing = world.object_class(label) if classed else None
    return Key(family_id, agent_party, patient_party, thing)


def facts_of(claim: ClaimIn, world: World) -> Facts:
    when, basis = world.when(claim)
    speakers = tuple(dict.fromkeys(ev.speaker for ev in claim.evidence if ev.speaker))
    return Facts(claim=claim, key=key_of(claim, world), event=world.event(claim), when=when, when_basis=basis, speakers=speakers)


@dataclass(frozen=True)
class Proposition:
    id: str
    key: Key
    claims: tuple[Facts, ...]  # in time order


def group(facts: Iterable[Facts]) -> list[Proposition]:
    """Propositions: claims of one key, split where their event times cannot overlap."""
    by_key: dict[str, list[Facts]] = {}
    for f in facts:
        by_key.setdefault(str(f.key), []).append(f)
    out: list[Proposition] = []
    for members in by_key.values():
        components: list[list[Facts]] = []
        for f in sorted(members, key=lambda m: (m.event or (date.min, date.min), m.id)):
            joined = [c for c in components if any(overlaps(f.event, g.event) for g in c)]
            merged = [f] + [g for c in joined for g in c]
            components = [c for c in components if c not in joined] + [merged]
        key = members[0].key
        for comp in components:
            dated = sorted(g.event[0] for g in comp if g.event)
            pid = key.slug if len(components) == 1 else f"{key.slug}--{dated[0].isoformat() if dated else 'undated'}"
            out.append(Proposition(id=pid, key=key, claims=tuple(sorted(comp, key=time_order))))
    return sorted(out, key=lambda p: p.id)


def time_order(f: Facts) -> tuple[date, str]:
    return (f.when[0] if f.when else date.max, f.id)


STEP = {
    Modality.ACTUAL: "done", Modality.PLANNED: "planned", Modality.ABANDONED: "abandoned", Modality.REFUSED: "refused",
    Modality.EXPECTED: "expected", Modality.INTENDED: "sought", Modality.WILLING: "offered", Modality.CONSIDERED: "considered",
    Modality.POSSIBLE: "possible", Modality.CONDITIONAL: "conditional", Modality.NORMATIVE: "called for",
}


def step_of(f: Facts) -> str:
    """One word for where a claim puts the proposition: planned, done, not observed, denied, abandoned..."""
    if f.affirmed:
        return STEP[f.modality]
    if f.observed:
        return "not observed"
    return "denied" if f.modality is Modality.ACTUAL else f"not {STEP[f.modality]}"


def date_label(span: tuple[date, date] | None) -> str | None:
    if span is None:
        return None
    first, last = span
    if first == last:
        return first.strftime("%-d %b %Y")
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        return str(first.year) if first.year == last.year else f"{first.year}-{last.year}"
    if first.day == 1 and first.year == last.year and first.month == last.month:
        return first.strftime("%b %Y")
    return f"{first.strftime('%b %Y')} to {last.strftime('%b %Y')}"


def status_line(claims: Sequence[Facts], name_of: dict[str, str]) -> str:
    """The proposition's story: each step with its date and who says so, e.g.
    "planned (Feb 2023; Leaked US intelligence documents) → not observed (Unnamed US representative)"."""
    steps: list[tuple[str, list[str]]] = []
    for f in claims:
        step = step_of(f)
        who = name_of.get(f.speakers[0] if f.speakers else f.claim.claimant, f.claim.claimant)
        when = date_label(f.event) if f.event else None
        label = f"{when}; {who}" if when else who
        if steps and steps[-1][0] == step:
            if label not in steps[-1][1]:
                steps[-1][1].append(label)
        else:
            steps.append((step, [label]))
    return " → ".join(f"{step} ({', '.join(labels)})" for step, labels in steps)
