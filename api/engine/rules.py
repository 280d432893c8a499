"""The detection rules: named, described, deterministic, and explained from the claims' fields.

Each rule looks at a pair of claims (as `Facts`) and either proposes a relation between them or
does not. The rules only ever compare structure (keys, modality, polarity, evidentiality, times,
quantities, speakers); wording is compared only by `quote-drift`, on direct speech.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from api.dataset.graph import ancestors_in
from api.engine.propositions import HYPOTHETICAL, PROSPECTIVE, Facts, date_label
from api.engine.world import World, overlaps
from schemas.vocab import ContradictionKind, CorroborationKind, Modality, Speech

Relation = Literal["contradiction", "corroboration"]


@dataclass(frozen=True)
class Detection:
    """A relation a rule proposes between two claims: `a` is the first position, `b` the other."""

    rule: str
    relation: Relation
    kind: str
    a: str
    b: str
    explanation: str
    basis: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def id(self) -> str:
        digest = hashlib.blake2b(f"{self.rule}|{self.a}|{self.b}".encode(), digest_size=5).hexdigest()
        return f"{self.rule}-{digest}"

    @property
    def pair(self) -> frozenset[str]:
        return frozenset((self.a, self.b))


@dataclass(frozen=True)
class Rule:
    name: str
    relation: Relation
    kinds: tuple[str, ...]
    description: str
    symmetric: bool
    test: Callable[[Facts, Facts, World], tuple[str, str] | None] = field(compare=False)
    """Returns (kind, explanation) when the pair (a, b) is related, a being the first position."""


def _who(f: Facts, world: World) -> str:
    actor = world.actors.get(f.speakers[0] if f.speakers else f.claim.claimant)
    return actor.name if actor else f.claim.claimant


def _said(f: Facts, world: World) -> str:
    when = date_label(f.event)
    source = sorted({ev.source for ev in f.claim.evidence})[0]
    claimant = world.actors.get(f.claim.claimant)
    by = claimant.name if claimant else f.claim.claimant
    return f"\"{f.claim.statement}\" ({by}; {source}{f'; {when}' if when else ''})"


def _own_side(f: Facts, subject_party: str | None, world: World) -> bool:
    return any(world.party(s, f.when) == subject_party for s in (*f.speakers, f.claim.claimant))


def opposite_polarity(a: Facts, b: Facts, world: World) -> tuple[str, str] | None:
    if not (a.key == b.key and a.affirmed and not b.affirmed and overlaps(a.event, b.event)):
        return None
    if a.modality in HYPOTHETICAL | {Modality.ABANDONED, Modality.REFUSED} or b.modality in HYPOTHETICAL:
        return None
    if not b.observed and _class(a) != _class(b):
        return None  # a denial of the deed does not deny an aim, nor a denied plan the deed
    if b.observed:
        return ContradictionKind.NON_CONFIRMATION.value, (
            f"{_who(b, world)} reports not having observed what {_who(a, world)} puts as {a.modality.value}: {_said(a, world)}"
            f" against {_said(b, world)}. Not observing it does not refute it; nothing here confirms it either.")
    side = "its own side" if _own_side(b, a.key.agent, world) else "a third party"
    return ContradictionKind.NEGATION.value, (
        f"{_who(b, world)} ({side}) denies what {_who(a, world)} asserts: {_said(a, world)} against {_said(b, world)}.")


def plan_abandoned(a: Facts, b: Facts, world: World) -> tuple[str, str] | None:
    if not (a.key == b.key and a.affirmed and b.affirmed and a.modality in PROSPECTIVE and b.modality is Modality.ABANDONED):
        return None
    if not overlaps(a.event, b.event) or (a.when and b.when and b.when[1] < a.when[0]):
        return None
    return ContradictionKind.SUPERSESSION.value, (
        f"{_who(a, world)} reports it {a.modality.value}; {_who(b, world)} later reports it dropped: {_said(a, world)}"
        f" superseded by {_said(b, world)}.")


def aim_fulfilled(a: Facts, b: Facts, world: World) -> tuple[str, str] | None:
    if not (a.key == b.key and a.affirmed and b.affirmed and a.modality in PROSPECTIVE and b.modality is Modality.ACTUAL):
        return None
    if not (a.when and b.when and b.when[0] > a.when[1]):
        return None
    if a.event is not None and not overlaps(a.event, b.event or b.when):
        return None  # what was planned or expected for a time is not met by a deed at another time
    return CorroborationKind.FULFILMENT.value, (
        f"What {_who(a, world)} reported as {a.modality.value} ({_said(a, world)}) is reported done later by"
        f" {_who(b, world)} ({_said(b, world)}).")


def _significant(value: float) -> int:
    digits = re.sub(r"\.?0+$", "", f"{abs(value):.12g}".replace("e+", "e").split("e")[0]).replace(".", "").lstrip("0")
    return max(1, len(digits))


def _same_within_rounding(x: float, y: float) -> bool:
    places = min(_significant(x), _significant(y))
    scale = 10 ** (math.floor(math.log10(max(abs(x), abs(y), 1e-300))) - places + 1)
    return bool(round(x / scale) == round(y / scale))


def quantity_differs(a: Facts, b: Facts, world: World) -> tuple[str, str] | None:
    qa, qb = a.claim.quantity, b.claim.quantity
    if not (qa and qb and a.key == b.key and a.affirmed == b.affirmed and overlaps(a.event, b.event)):
        return None
    if world.unit_class(qa.unit) != world.unit_class(qb.unit) or a.same_words(b):
        return None
    if qa.approximate or qb.approximate:
        close = abs(qa.value - qb.value) <= 0.1 * max(abs(qa.value), abs(qb.value))
    else:
        close = _same_within_rounding(float(qa.value), float(qb.value))
    if close:
        return None
    return ContradictionKind.NUMERIC_MISMATCH.value, (
        f"{_who(a, world)} gives {qa.value:g} {qa.unit}, {_who(b, world)} {qb.value:g} {qb.unit}, for one proposition:"
        f" {_said(a, world)} against {_said(b, world)}.")


def _one_off(f: Facts, world: World) -> bool:
    """A claim about a one-off event: a predicate the tables list, about one object actor."""
    return f.claim.predicate in world.knowledge.one_off_events and bool(f.claim.object and f.claim.object.actor)


def one_event_two_dates(a: Facts, b: Facts, world: World) -> tuple[str, str] | None:
    if not _one_off(a, world) or a.key != b.key or a.claim.object is None:
        return None
    if not (a.affirmed and b.affirmed and a.modality is b.modality is Modality.ACTUAL and a.event and b.event):
        return None
    if overlaps(a.event, b.event):
        return None
    return ContradictionKind.DATE_MISMATCH.value, (
        f"One event (a {a.claim.predicate.value} of {a.claim.object.actor}, which happens once) is dated"
        f" {date_label(a.event)} by {_who(a, world)} and {date_label(b.event)} by {_who(b, world)}; at their precision the"
        f" dates cannot both hold: {_said(a, world)} against {_said(b, world)}.")


def stance_vs_conduct(a: Facts, b: Facts, world: World) -> tuple[str, str] | None:
    for entry in world.knowledge.incompatible_stances:
        if a.claim.predicate is not entry.stance or b.key.family != entry.conduct:
            continue
        if not (a.affirmed and b.affirmed and a.modality in {Modality.ACTUAL, Modality.INTENDED}):
            continue
        if b.modality not in {Modality.ACTUAL, Modality.PLANNED, Modality.INTENDED, Modality.EXPECTED}:
            continue
        belligerents = world.conflict_of(a.claim.object.label if a.claim.object else None)
        if a.key.agent == b.key.agent and b.key.patient in belligerents and overlaps(a.event, b.event):
            return ContradictionKind.INCOMPATIBLE_STANCE.value, (
                f"{entry.description} {_said(a, world)} against {_said(b, world)}: {b.key.patient} is a belligerent.")
    return None


def opposed_characterizations(a: Facts, b: Facts, world: World) -> tuple[str, str] | None:
    if not (a.affirmed and b.affirmed) or a.modality is not Modality.ACTUAL or b.modality is not Modality.ACTUAL:
        return None
    if (a.key.agent, a.key.patient) != (b.key.agent, b.key.patient) or None in (a.key.agent, a.key.patient):
        return None
    if {ev.source for ev in a.claim.evidence} & {ev.source for ev in b.claim.evidence}:
        return None  # one document describing a change over time is telling a story, not contradicting itself
    for entry in world.knowledge.opposed_characterizations:
        if (a.key.family, b.key.family) == entry.families:
            return ContradictionKind.CHARACTERIZATION_CHANGE.value, (
                f"{entry.description} {_said(a, world)} against {_said(b, world)}.")
    return None


def same_stance(a: Facts, b: Facts, world: World) -> tuple[str, str] | None:
    if not (a.key == b.key and a.affirmed == b.affirmed) or a.same_words(b):
        return None
    if not (overlaps(a.event, b.event) or _one_off(a, world)):
        return None  # (one event dated differently is still one event: that is a date mismatch besides)
    if _stance(a) != _stance(b) or a.modality in HYPOTHETICAL:
        return None
    return CorroborationKind.SAME_PROPOSITION.value, (
        f"{_who(a, world)} and {_who(b, world)} say the same: {_said(a, world)} and {_said(b, world)}.")


def _class(f: Facts) -> str:
    return "prospective" if f.modality in PROSPECTIVE else f.modality.value


def shared_outcome(a: Facts, b: Facts, world: World) -> tuple[str, str] | None:
    """Different predicates, one pair of parties, that the tables say point to one outcome."""
    if a.claim.predicate is b.claim.predicate or not (a.affirmed and b.affirmed) or a.same_words(b):
        return None
    for entry in world.knowledge.outcomes:
        if a.claim.predicate in entry.predicates and b.claim.predicate in entry.predicates:
            pa, pb = outcome_parties(a, world), outcome_parties(b, world)
            if entry.same_object and world.object_class(_label(a)) != world.object_class(_label(b)):
                continue
            if pa and pa == pb and overlaps(a.event, b.event):
                return CorroborationKind.CONSISTENT_OUTCOME.value, (
                    f"{entry.description} {_said(a, world)} and {_said(b, world)}.")
    return None


def _label(f: Facts) -> str | None:
    return f.claim.object.label if f.claim.object else None


def outcome_parties(f: Facts, world: World) -> frozenset[str] | None:
    """The two parties (as they act for at the claim's time) of a claim with a second actor, for the outcome rule."""
    c = f.claim
    other = c.recipient or (c.object.actor if c.object else None)
    if other is None:
        return None
    pair = frozenset({world.party(c.subject, f.when) or c.subject, world.party(other, f.when) or other})
    return pair if len(pair) == 2 else None


def _stance(f: Facts) -> str:
    if f.modality in PROSPECTIVE:
        return f"{f.affirmed}:prospective"
    return f"{f.affirmed}:{f.modality.value}:{f.observed}"


def _not_done(f: Facts) -> bool:
    return (not f.affirmed and f.modality is Modality.ACTUAL) or (f.affirmed and f.modality in {Modality.ABANDONED, Modality.REFUSED})


def outcome_not_done(a: Facts, b: Facts, world: World) -> tuple[str, str] | None:
    if not (a.key == b.key and overlaps(a.event, b.event) and _not_done(a) and _not_done(b)) or _stance(a) == _stance(b):
        return None
    if a.claim.claimant == b.claim.claimant or a.same_words(b):
        return None
    return CorroborationKind.CONSISTENT_OUTCOME.value, (
        f"Both point to it not having happened: {_said(a, world)} and {_said(b, world)}.")


_PUNCT = re.compile(r"[^\w\s]")


def _wording(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def quote_drift(a: Facts, b: Facts, world: World) -> tuple[str, str] | None:
    """The same speaker's direct words in two sources of one citation chain, worded differently."""
    for ea in a.claim.evidence:
        for eb in b.claim.evidence:
            if ea.speech is not Speech.DIRECT or eb.speech is not Speech.DIRECT or ea.speaker != eb.speaker or ea.speaker is None:
                continue
            if ea.source == eb.source or not _one_chain(ea.source, eb.source, world):
                continue
            wa, wb = _wording(ea.translation or ea.quote), _wording(eb.translation or eb.quote)
            if wa != wb and (wa in wb or wb in wa or _shared_words(wa, wb) >= 0.5):
                return ContradictionKind.QUOTE_DRIFT.value, (
                    f"{ea.speaker} is quoted in two sources of one citation chain with different words: \"{ea.translation or ea.quote}\""
                    f" ({ea.source}) and \"{eb.translation or eb.quote}\" ({eb.source}).")
    return None


def _shared_words(x: str, y: str) -> float:
    a, b = set(x.split()), set(y.split())
    return len(a & b) / max(1, min(len(a), len(b)))


def _one_chain(x: str, y: str, world: World) -> bool:
    return y in ancestors_in(world.sources, x) or x in ancestors_in(world.sources, y)


RULES: tuple[Rule, ...] = (
    Rule("opposite-polarity", "contradiction", ("negation", "non_confirmation"),
         "One claim affirms a proposition and another negates it, at times that can overlap. A negation that the"
         " claimant reports as not observed (evidential `observed`: \"we have not seen\") is a non-confirmation; one it"
         " asserts is a denial, said to come from the subject's own side or a third party.", False, opposite_polarity),
    Rule("plan-abandoned", "contradiction", ("supersession",),
         "A proposition reported as planned, sought, expected or offered, and later (or at a time not stated) as abandoned.",
         False, plan_abandoned),
    Rule("aim-fulfilled", "corroboration", ("fulfilment",),
         "A proposition reported as planned, sought, expected or offered, and reported done at a later time.", False,
         aim_fulfilled),
    Rule("quantity-differs", "contradiction", ("numeric_mismatch",),
         "Two claims of one proposition give quantities in the same unit that differ beyond rounding (at the precision of"
         " the less precise figure; within 10% when either is approximate).", True, quantity_differs),
    Rule("one-event-two-dates", "contradiction", ("date_mismatch",),
         "A one-off event (a predicate the knowledge tables list as one_off_events, with the same object actor) dated at"
         " times that cannot both hold given their precision.", True, one_event_two_dates),
    Rule("stance-vs-conduct", "contradiction", ("incompatible_stance",),
         "A stated position and reported conduct that the knowledge tables declare incompatible, e.g. neutrality in a war"
         " against arms to one of its belligerents.", False, stance_vs_conduct),
    Rule("opposed-characterizations", "contradiction", ("characterization_change",),
         "Two documents characterize one relationship in ways the knowledge tables declare opposed (close allies;"
         " relations that cooled).", False, opposed_characterizations),
    Rule("quote-drift", "contradiction", ("quote_drift",),
         "The same speaker's words, quoted as direct speech in two sources of one citation chain, worded differently"
         " (compared in English, through the translation, after folding case, punctuation and whitespace).", True,
         quote_drift),
    Rule("same-stance", "corroboration", ("same_proposition",),
         "Two claims from different passages put one proposition the same way (same polarity and modality class).", True,
         same_stance),
    Rule("shared-outcome", "corroboration", ("consistent_outcome",),
         "Two claims with different predicates about one pair of parties (as the parties they act for) that the knowledge"
         " tables list as pointing to one outcome (strained relations: a suspension, frustration, relations that"
         " suffered).", True, shared_outcome),
    Rule("outcome-not-done", "corroboration", ("consistent_outcome",),
         "Two claims by different claimants that differently say the act did not happen (denied or not observed;"
         " abandoned; refused).", True, outcome_not_done),
)
RULES_BY_NAME = {r.name: r for r in RULES}


def apply(rule: Rule, x: Facts, y: Facts, world: World) -> Detection | None:
    """The rule's detection for a pair, in either order (symmetric rules order the pair by id)."""
    orders = [(x, y)] if rule.symmetric else [(x, y), (y, x)]
    for a, b in orders:
        if rule.symmetric and a.id > b.id:
            a, b = b, a
        found = rule.test(a, b, world)
        if found is not None:
            kind, explanation = found
            basis = {f.id: {"key": str(f.key), "polarity": f.claim.polarity.value, "modality": f.modality.value,
                            "evidential": f.claim.evidential.value, "when": date_label(f.when), "when_from": f.when_basis}
                     for f in (a, b)}
            return Detection(rule.name, rule.relation, kind, a.id, b.id, explanation, basis)
    return None
