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

from api.engine.world import Span, World
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

    @classmethod
    def parse(cls, text: str) -> Key:
        """The key `str(key)` wrote (as storage keeps it)."""
        family, agent, patient, thing = text.split("|", 3)
        return cls(family, None if agent == "-" else agent, None if patient == "-" else patient, None if thing == "-" else thing)


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


def facts_of(claim: ClaimIn, world: World, key: Key | None = None) -> Facts:
    """The claim as the rules see it; `key` when it is already known (storage keeps each claim's key)."""
    when, basis = world.when(claim)
    speakers = tuple(dict.fromkeys(ev.speaker for ev in claim.evidence if ev.speaker))
    return Facts(claim=claim, key=key or key_of(claim, world), event=world.event(claim), when=when, when_basis=basis, speakers=speakers)


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
        by_id = {f.id: f for f in members}
        key = members[0].key
        for pid, ids in proposition_ids(key, [(f.id, f.event) for f in members]).items():
            out.append(Proposition(id=pid, key=key, claims=tuple(sorted((by_id[i] for i in ids), key=time_order))))
    return sorted(out, key=lambda p: p.id)


def proposition_ids(key: Key, members: Sequence[tuple[str, Span | None]]) -> dict[str, list[str]]:
    """The propositions of the claims of one key, given as (claim id, event span or None when unknown): their
    ids, each with its claims' ids. Claims whose event times can overlap are one proposition, and so are claims
    joined through others (an unknown time can overlap any, so one claim without a time joins them all). With one
    proposition its id is the key's slug; with more, each adds its earliest event day. Takes O(n log n): a sweep
    over the spans by start, no pairwise comparison, so a key shared by thousands of claims is regrouped cheaply."""
    if not members:
        return {}
    components: list[list[tuple[str, Span | None]]] = []
    if any(span is None for _, span in members):
        components = [list(members)]
    else:
        reach = date.min
        for span, claim_id in sorted((span, claim_id) for claim_id, span in members if span is not None):
            if components and span[0] <= reach:
                components[-1].append((claim_id, span))
                reach = max(reach, span[1])
            else:
                components.append([(claim_id, span)])
                reach = span[1]
    out: dict[str, list[str]] = {}
    for comp in components:
        dated = sorted(span[0] for _, span in comp if span)
        pid = key.slug if len(components) == 1 else f"{key.slug}--{dated[0].isoformat() if dated else 'undated'}"
        out[pid] = [claim_id for claim_id, _ in comp]
    return out


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


@dataclass(frozen=True)
class Step:
    """One step of a proposition's story: the claims that put it one way (planned, not observed...)."""

    step: str
    claims: tuple[Facts, ...]


def _wholly_before(a: Facts, b: Facts) -> bool:
    return a.when is not None and b.when is not None and a.when[1] < b.when[0]


def _aim(f: Facts) -> bool:
    return f.affirmed and (f.modality in PROSPECTIVE | HYPOTHETICAL or f.modality is Modality.POSSIBLE)


def story_order(claims: Iterable[Facts]) -> list[Facts]:
    """Time order where the times decide. A claim dated only by its publication was said at some moment of that
    date, about what had become of things by then: where that date overlaps an aim's time (a report dated only
    "2023" that deliveries were not seen, and a plan of February 2023), the aim (planned, sought, expected...)
    comes first. An event time is the period the claim holds over, and keeps its place."""
    out = sorted(claims, key=time_order)
    moved = True
    while moved:
        moved = False
        for i in range(len(out) - 1):
            a, b = out[i], out[i + 1]
            if _aim(b) and not _aim(a) and a.when_basis != "event" and not _wholly_before(a, b):
                out[i], out[i + 1] = b, a
                moved = True
    return out


def steps_of(claims: Iterable[Facts]) -> list[Step]:
    """The story, in `story_order`. Claims that put the proposition the same way are one step, wherever they
    fall, unless a claim putting it otherwise lies wholly between them in time (planned, abandoned, planned
    again): a later report of a plan, with no date of its own, reports the same plan, not a new one."""
    steps: list[tuple[str, list[Facts]]] = []
    for f in story_order(claims):
        name = step_of(f)
        same = next((i for i in range(len(steps) - 1, -1, -1) if steps[i][0] == name), None)
        if same is not None:
            between = [g for _, members in steps[same + 1:] for g in members]
            if not any(_wholly_before(h, g) and _wholly_before(g, f) for h in steps[same][1] for g in between):
                steps[same][1].append(f)
                continue
        steps.append((name, [f]))
    return [Step(name, tuple(members)) for name, members in steps]


def status_line(claims: Sequence[Facts], name_of: dict[str, str]) -> str:
    """The proposition's story: each step with the event dates its claims give and who says so, e.g.
    "planned (Feb 2023; Leaked US intelligence documents) → not observed (Unnamed US representative)"."""
    parts = []
    for step in steps_of(claims):
        dated = [f for f in step.claims if f.event]
        dates = dict.fromkeys(date_label(f.event) for f in dated)
        # Who says so: those who date it first, then the others, each once.
        who = dict.fromkeys(name_of.get(f.speakers[0] if f.speakers else f.claim.claimant, f.claim.claimant)
                            for f in [*dated, *(f for f in step.claims if not f.event)])
        parts.append(f"{step.step} ({'; '.join(', '.join(x for x in part if x) for part in (dates, who) if part)})")
    return " → ".join(parts)
