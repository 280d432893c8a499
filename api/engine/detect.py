"""Running the rules: over a whole dataset, or for one claim against the candidates storage finds.

Candidates are found by key, never by scanning: claims of the same proposition key, claims whose
pair key (family and parties) a stance or characterization rule pairs with this one, and direct
quotes of the same speaker. `lookups(facts)` says which keys to look up; storage indexes them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from api.engine.propositions import Facts
from api.engine.rules import RULES, Detection, apply, outcome_parties
from api.engine.world import World
from schemas.vocab import Speech

NEIGHBOURS = 13
"""Under each key a claim is looked up by (its proposition key, the pair keys of the stances and characterizations
it meets, its direct speakers, its outcomes), it is compared with at most this many claims whose ids come just
before its own and as many just after: its neighbours in the key's id order. A write (api/services/engine.py) and a
build (`detect_all`) compare the same neighbours, so the work per claim does not grow with the database, and no
claim is compared with every claim of a large key: under a key of a thousand claims each is compared with at most
2 × 13, so that the relations a claim is in, and with them its view and the cost of a write next to it, stay bounded
as a story grows (a first-by-id cap would pair the same few claims with every new one). Keys of at most 14 claims
(every key of the shipped dataset) are compared in full."""


@dataclass(frozen=True)
class Lookups:
    keys: frozenset[str]
    pairs: frozenset[str]
    speakers: frozenset[str]
    outcomes: frozenset[str]


def outcome_keys(f: Facts, world: World) -> frozenset[str]:
    """`outcome|party|party` for each outcome table entry the claim's predicate is in."""
    parties = outcome_parties(f, world)
    if parties is None:
        return frozenset()
    pair = "|".join(sorted(parties))
    return frozenset(f"{o.id}|{pair}" for o in world.knowledge.outcomes if f.claim.predicate in o.predicates)


def lookups(f: Facts, world: World) -> Lookups:
    """The keys under which a claim's possible partners are stored."""
    pairs: set[str] = set()
    k = f.key
    for entry in world.knowledge.incompatible_stances:
        stance_family = entry.stance.value.replace("_", "-")
        if f.claim.predicate is entry.stance:
            label = f.claim.object.label if f.claim.object else None
            pairs |= {f"{entry.conduct}|{k.agent or '-'}|{b}" for b in world.conflict_of(label)}
        if k.family == entry.conduct:
            pairs.add(f"{stance_family}|{k.agent or '-'}|-")
    for pair in world.knowledge.opposed_characterizations:
        if k.family in pair.families:
            other = pair.families[1] if k.family == pair.families[0] else pair.families[0]
            pairs.add(f"{other}|{k.agent or '-'}|{k.patient or '-'}")
    speakers = {ev.speaker for ev in f.claim.evidence if ev.speech is Speech.DIRECT and ev.speaker}
    return Lookups(frozenset({str(k)}), frozenset(pairs), frozenset(speakers), outcome_keys(f, world))


def index_keys(f: Facts, world: World) -> list[str]:
    """The keys a claim is stored under (prefixed by what they are), matching what `lookups` searches."""
    own = [f"k:{f.key}", f"p:{f.key.pair}"]
    own += [f"s:{ev.speaker}" for ev in f.claim.evidence if ev.speech is Speech.DIRECT and ev.speaker]
    own += [f"o:{key}" for key in outcome_keys(f, world)]
    return sorted(set(own))


def search_keys(look: Lookups) -> list[str]:
    """The stored keys to look up for a claim's candidates."""
    return sorted({*(f"k:{k}" for k in look.keys), *(f"p:{p}" for p in look.pairs),
                   *(f"s:{s}" for s in look.speakers), *(f"o:{o}" for o in look.outcomes)})


def detect_pair(x: Facts, y: Facts, world: World, rejected: Collection[tuple[str, frozenset[str]]] = ()) -> list[Detection]:
    found = []
    for rule in RULES:
        d = apply(rule, x, y, world)
        if d is not None and (d.rule, d.pair) not in rejected:
            found.append(d)
    return found


def detect_for(new: Facts, candidates: Iterable[Facts], world: World,
               rejected: Collection[tuple[str, frozenset[str]]] = ()) -> list[Detection]:
    """Relations between one claim and its candidates (each candidate once)."""
    out: list[Detection] = []
    for other in {c.id: c for c in candidates if c.id != new.id}.values():
        out += detect_pair(new, other, world, rejected)
    return sorted(out, key=lambda d: (d.rule, d.a, d.b))


class Index:
    """Claims by proposition key, pair key and direct speaker: what storage keeps indexed."""

    def __init__(self, facts: Iterable[Facts], world: World) -> None:
        self.by_outcome: dict[str, list[Facts]] = {}
        self.by_key: dict[str, list[Facts]] = {}
        self.by_pair: dict[str, list[Facts]] = {}
        self.by_speaker: dict[str, list[Facts]] = {}
        for f in facts:
            self.by_key.setdefault(str(f.key), []).append(f)
            self.by_pair.setdefault(f.key.pair, []).append(f)
            for ev in f.claim.evidence:
                if ev.speech is Speech.DIRECT and ev.speaker:
                    self.by_speaker.setdefault(ev.speaker, []).append(f)
            for key in outcome_keys(f, world):
                self.by_outcome.setdefault(key, []).append(f)

    def candidates(self, look: Lookups, exclude: str | None = None, near: int | None = None) -> list[Facts]:
        """The claims stored under the keys `look` names, but `exclude`; with `near` (and `exclude`, the claim
        looked up), under each key only the `near` claims whose ids come just before `exclude` and the `near` just
        after, as storage finds them for a claim being written (`NEIGHBOURS`). The lists must be `sort`ed."""
        found: dict[str, Facts] = {}
        for table, keys in ((self.by_key, look.keys), (self.by_pair, look.pairs), (self.by_speaker, look.speakers),
                            (self.by_outcome, look.outcomes)):
            for key in keys:
                stored = table.get(key, [])
                if near is not None and exclude is not None and len(stored) > near:
                    ids = self._ids(table, key)
                    at = bisect_left(ids, exclude)
                    after = at + 1 if at < len(ids) and ids[at] == exclude else at
                    stored = stored[max(0, at - near):at] + stored[after:after + near]
                found.update((f.id, f) for f in stored)
        if exclude is not None:
            found.pop(exclude, None)
        return list(found.values())

    def sort(self) -> None:
        """Each key's claims in id order, the order storage reads them in."""
        self._sorted_ids: dict[tuple[int, str], list[str]] = {}
        for table in (self.by_key, self.by_pair, self.by_speaker, self.by_outcome):
            for stored in table.values():
                stored.sort(key=lambda f: f.id)

    def _ids(self, table: dict[str, list[Facts]], key: str) -> list[str]:
        """The ids under a key, in order (kept once per key for `candidates`' bisection)."""
        slot = (id(table), key)
        if slot not in self._sorted_ids:
            self._sorted_ids[slot] = [f.id for f in table[key]]
        return self._sorted_ids[slot]


def detect_all(facts: Sequence[Facts], world: World,
               rejected: Collection[tuple[str, frozenset[str]]] = (), near: int | None = None) -> list[Detection]:
    """Every relation the rules find among the claims (each pair once).

    With `near`, a claim is compared under each key it looks up with the `near` claims stored there just before
    it by id and the `near` just after, as a write compares it (`NEIGHBOURS`), so that the work grows with the
    number of claims, not with the square of the largest key's; a pair is compared when either claim finds the
    other. Without it, with every claim that shares a key."""
    index = Index(facts, world)
    index.sort()
    found = [index.candidates(lookups(f, world), f.id, near) for f in facts]
    partners = {f.id: {c.id for c in others} for f, others in zip(facts, found, strict=True)}
    out: list[Detection] = []
    for f, others in zip(facts, found, strict=True):
        for other in others:
            # Once per pair: from the claim with the lower id when each finds the other, else from the finder.
            if other.id > f.id:
                out += detect_pair(f, other, world, rejected)
            elif f.id not in partners[other.id]:
                out += detect_pair(other, f, world, rejected)
    return sorted(out, key=lambda d: (d.rule, d.a, d.b))


def by_claim(detections: Iterable[Detection]) -> Mapping[str, list[Detection]]:
    out: dict[str, list[Detection]] = {}
    for d in detections:
        out.setdefault(d.a, []).append(d)
        out.setdefault(d.b, []).append(d)
    return out
