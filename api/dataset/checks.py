"""Checks of one record against everything else: references resolve, quotes match their source
text at their offsets, citation chains do not loop, the claimant is whoever the evidence's words
belong to, a relayed passage is attributed whole, a contradiction or corroboration relates claims
from different passages without repeating another, a role is held in another actor over dates in
order, and a claim's statement says nothing its evidence does not (`statement`: every number and
proper name in it is in its evidence, its actors' names or its date and quantity).

This is the one set of rules for every way in: the loader runs them over the whole dataset and
reports lines naming the file (the statement rule through `api.cli check`, `api/dataset/lint.py`);
the write path runs them on one record against the database, the statement rule included, and
reports 422 errors naming the field. Both see the data through a `Graph`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from api.dataset.graph import Graph
from api.dataset.languages import matches
from api.store.text import query_terms
from schemas.common import date_bounds
from schemas.dataset import ActorIn, ActorRoleIn, ClaimIn, ContradictionIn, CorroborationIn, CoverageIn, EvidenceIn, SourceIn
from schemas.vocab import ClaimRole, ContradictionStatus, CorroborationKind, CorroborationStatus, Speech

# Marks of a speaker's own words: quotation marks, or a first-person word (English, Arabic).
_QUOTATION_MARKS = set('"“”„«»‘')
# Case matters: "US" (the country) is not "us".
_FIRST_PERSON = re.compile(r"\b(I|[Mm]e|[Mm]y|[Mm]ine|[Ww]e|us|[Oo]ur|[Oo]urs)\b|(?:^|\s)(إننا|إنني|نحن|أنا|لنا|إنا)(?:\s|$)")

_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_NAME = re.compile(r"(?<![\w'’-])[A-Z][\w'’.-]*")
# Words that are capitalized for grammar, not because they name someone.
_COMMON = {
    "A", "An", "The", "In", "On", "At", "It", "Its", "If", "He", "She", "They", "We", "This", "That", "These", "Those",
    "And", "But", "Or", "As", "By", "For", "Of", "To", "With", "According", "After", "Before", "During", "Since",
    "There", "Their", "His", "Her", "Our", "Both", "Neither", "Nor", "Some", "Several", "Other", "Others", "Another",
    "Part", "Secret", "Officials", "Russian", "Egyptian", "American", "Arab", "Western", "Soviet", "Saudi-owned",
}

CLOSEST = 3  # existing ids suggested for an unknown one, at most
CLOSEST_CUTOFF = 0.6  # difflib's similarity ratio an id must reach to be suggested


def closest_ids(value: str, ids: Iterable[str], labels: Mapping[str, Iterable[str]] | None = None) -> list[str]:
    """The existing ids most like `value`, best first, at most CLOSEST, for "did you mean".

    An id that contains `value` or is contained in it comes first ('kremlin' and 'the-kremlin'); then the ids
    whose similarity reaches CLOSEST_CUTOFF (difflib's ratio), taken as the better of the id's own and, when
    `labels` gives the words of an id's record's names (folded as search folds them), the mean over the words of
    `value` of each one's best ratio against those words: 'sissi' is nearer the actor named "Sisi" than the id
    'isis'. `labels` lists the ids found by word in the search index's order, which breaks ties. Reads every id it is
    given: a database gives a bounded few (api/store/nearby.py)."""
    labels = labels or {}
    pool = list(ids)
    contained = sorted((i for i in pool if value and (value in i or i in value)), key=lambda i: (abs(len(i) - len(value)), i))
    terms = query_terms(value.replace("-", " ")) if labels else []
    scored: list[tuple[float, str]] = []
    for i in pool:
        words = list(labels.get(i, ()))
        best = _ratio(value, i, CLOSEST_CUTOFF if not (words and terms) else 0.0)
        if words and terms:
            # each word of `value` against the name word most like it, averaged: 'lavrov-sergey' is "Sergei Lavrov"
            best = max(best, sum(max(_ratio(t, w) for w in words) for t in terms) / len(terms))
        if best >= CLOSEST_CUTOFF:
            scored.append((best, i))
    # Equal scores: the candidates found by word first, in the order the search index ranks them (a name outranks
    # a word of a description), then by id.
    rank = {i: n for n, i in enumerate(i for i, words in labels.items() if words)}
    similar = [i for _, i in sorted(scored, key=lambda s: (-round(s[0], 6), rank.get(s[1], len(rank)), s[1]))]
    return list(dict.fromkeys([*contained, *similar]))[:CLOSEST]


def _ratio(a: str, b: str, cutoff: float = 0.0) -> float:
    """difflib's similarity of two strings, as `get_close_matches` computes it; 0.0 without computing it when its
    cheap upper bounds already fall below `cutoff` (as `get_close_matches` skips them)."""
    m = difflib.SequenceMatcher(None, a, b)
    if cutoff and (m.real_quick_ratio() < cutoff or m.quick_ratio() < cutoff):
        return 0.0
    return m.ratio()


def did_you_mean(value: str, ids: Iterable[str]) -> str:
    """'; did you mean 'a' or 'b'?' naming the closest existing ids, or '' when none is close. A registry that
    can offer candidates near `value` (`nearby`: a database-backed one, api/store/dbgraph.py, giving each with the
    indexed words that made it one) is asked for those instead of being read whole."""
    nearby = getattr(ids, "nearby", None)
    if callable(nearby):
        return did_you_mean_among(value, nearby(value))
    return _suggest(closest_ids(value, ids))


def did_you_mean_among(value: str, candidates: Mapping[str, Iterable[str]]) -> str:
    """`did_you_mean` among candidates given with the indexed words that made each one (api/store/nearby.py)."""
    return _suggest(closest_ids(value, candidates, candidates))


def _suggest(found: list[str]) -> str:
    if not found:
        return ""
    return "; did you mean " + " or ".join(f"'{i}'" for i in found) + "?"


Loc = tuple[str | int, ...]
Report = Callable[[Loc, str, str], None]  # (location, message, problem type)


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class RecordChecks:
    def __init__(self, graph: Graph, report: Report, *, creating: bool = False, statements: bool = False) -> None:
        self.g = graph
        self._report = report
        self.reported = 0
        # A new relation may not repeat one already rejected: rejected records are kept so that
        # nobody adds them again. (Curated merges keep the rejected duplicate beside the live one.)
        self.creating = creating
        # Whether `claim` checks the statement against the evidence too: the write path does; the loader leaves
        # it to `api.cli check` (lint.py), so that a build does not refuse what only the review would.
        self.statements = statements

    def report(self, loc: Loc, message: str, problem_type: str) -> None:
        self.reported += 1
        self._report(loc, message, problem_type)

    def ref(self, loc: Loc, value: str | None, registry: Mapping[str, Any], what: str) -> bool:
        if value is not None and value not in registry:
            self.report(loc, f"unknown {what} '{value}'{did_you_mean(value, registry)}", "unknown_reference")
            return False
        return True

    def evidence(self, loc: Loc, ev: EvidenceIn) -> None:
        if not self.ref((*loc, "source"), ev.source, self.g.sources, "source"):
            return
        text = self.g.texts.get(ev.source)
        if text is None:
            self.report((*loc, "source"), f"the project holds no text for source '{ev.source}'", "no_text")
            return
        self.ref((*loc, "attributed_to"), ev.attributed_to, self.g.sources, "source")
        found = text[ev.start : ev.end]
        if found != ev.quote:
            at = text.find(ev.quote)
            hint = f"; the quote occurs at {at}-{at + len(ev.quote)}" if at >= 0 else ""
            self.report(
                loc,
                f"quote does not match source '{ev.source}' at offsets {ev.start}-{ev.end}: the text there is {found!r}{hint}",
                "quote_mismatch",
            )
        language = ev.language or self.g.sources[ev.source].language
        if not matches("en", language) and not ev.translation:
            self.report((*loc, "translation"), f"a quote in '{language}' needs an English translation", "missing_translation")

    def actor(self, a: ActorIn) -> None:
        self.ref(("speaks_for",), a.speaks_for, self.g.actors, "actor")
        for i, member in enumerate(a.members):
            self.ref(("members", i), member, self.g.actors, "actor")
        if a.unnamed and a.speaks_for is None and a.id in self.g.actors:
            counts = self.g.claim_counts(a.id)
            speaking = counts.get(ClaimRole.CLAIMANT, 0) + counts.get(ClaimRole.SPEAKER, 0)
            if speaking:
                self.report(("speaks_for",), f"unnamed actor '{a.id}' is the claimant or speaker of {speaking} claim(s), so it"
                            " needs speaks_for: whom it speaks for", "unnamed_claimant")
        if a.speaks_for == a.id:
            self.report(("speaks_for",), "an actor cannot speak for itself", "value_error")
        else:
            chain, current = [a.id], a.speaks_for
            while current is not None and current in self.g.actors and current not in chain:
                chain.append(current)
                current = self.g.actors[current].speaks_for
            if current == a.id:
                self.report(("speaks_for",), f"speaks_for loops back to '{a.id}' ({' -> '.join([*chain, a.id])}): whom"
                            " an actor acts for must end at a party that acts for no one", "speaks_for_loop")
        seen: set[tuple[str, str]] = set()
        for i, n in enumerate(a.names):
            if (n.value, n.language) in seen:
                self.report(("names", i), f"'{n.value}' ({n.language}) is listed twice", "duplicate")
            seen.add((n.value, n.language))

    def source(self, s: SourceIn) -> None:
        self.ref(("publisher",), s.publisher, self.g.actors, "actor")
        for i, author in enumerate(s.authors):
            self.ref(("authors", i), author, self.g.actors, "actor")
        cites_ok = all(self.ref(("cites", i), cited, self.g.sources, "source") for i, cited in enumerate(s.cites))
        part_ok = self.ref(("part_of",), s.part_of, self.g.sources, "source")
        if cites_ok and part_ok:
            upstream: set[str] = set()
            for cited in [*s.cites, *([s.part_of] if s.part_of else [])]:
                upstream |= self.g.ancestors(cited)
            if s.id in upstream:
                self.report(("cites",), f"the citation chain loops back to '{s.id}'", "citation_loop")

    def claim(self, c: ClaimIn) -> None:
        for fld in ("subject", "recipient", "location", "claimant"):
            self.ref((fld,), getattr(c, fld), self.g.actors, "actor")
        voices: list[tuple[Loc, str | None, str]] = [(("claimant",), c.claimant, "unnamed_claimant")]
        voices += [(("evidence", i, "speaker"), ev.speaker, "unnamed_speaker") for i, ev in enumerate(c.evidence) if ev.speaker]
        for loc, actor_id, problem in voices:
            actor = self.g.actors.get(actor_id) if actor_id else None
            if actor is not None and actor.unnamed and actor.speaks_for is None:
                self.report(loc, f"unnamed actor '{actor_id}' needs speaks_for: whom it speaks for", problem)
        if c.object is not None:
            self.ref(("object", "actor"), c.object.actor, self.g.actors, "actor")
        refs_ok = True
        for i, ev in enumerate(c.evidence):
            before = self.reported
            self.evidence(("evidence", i), ev)
            refs_ok &= self.ref(("evidence", i, "speaker"), ev.speaker, self.g.actors, "actor") and before == self.reported
        if refs_ok and c.claimant in self.g.actors:
            self.speech(c)
            self.attribution_spans(c)
        if self.statements:
            self.statement(c)

    def statement(self, c: ClaimIn) -> None:
        """Every number and proper name of the statement is in the claim's evidence (quotes, translations, the titles
        of the sources relayed), in the names (any language) of the actors its structure and speakers reference, in
        its object's label, or (numbers) in its event time and quantity. References that do not resolve add nothing."""
        hay = self._haystack(c)
        hay_numbers = {_plain(n) for n in _NUMBER.findall(hay)} | _numbers_allowed(c)
        hay_lower = hay.lower()
        for number in _NUMBER.findall(c.statement):
            if _plain(number) not in hay_numbers:
                self.report(("statement",), f"statement has the number {number!r}, which its evidence does not", "statement_unsupported")
        for name in _NAME.findall(c.statement):
            word = name.rstrip(".'’").removesuffix("'s").removesuffix("’s")
            if word in _COMMON or not word:
                continue
            # "Russia-Egypt" names two actors; "el-Sisi" is one name.
            parts = [p for p in word.split("-") if p[:1].isupper()] if "-" in word and word.lower() not in hay_lower else [word]
            for part in parts:
                if part not in _COMMON and part.lower() not in hay_lower:
                    self.report(("statement",), f"statement names {part!r}, which neither its evidence nor its actors do",
                                "statement_unsupported")

    def _haystack(self, c: ClaimIn) -> str:
        parts: list[str] = []
        for ev in c.evidence:
            parts.append(ev.quote)
            if ev.translation:
                parts.append(ev.translation)
            if ev.attributed_to and ev.attributed_to in self.g.sources:
                parts.append(self.g.sources[ev.attributed_to].title)
        actor_ids = [c.subject, c.claimant, c.recipient, c.location, c.object.actor if c.object else None]
        actor_ids += [ev.speaker for ev in c.evidence]
        for actor_id in actor_ids:
            actor = self.g.actors.get(actor_id) if actor_id is not None else None
            if actor is not None:
                parts.append(actor.name)
                parts.extend(v for v, _ in self.g.names_of(actor.id))
                if actor.speaks_for and actor.speaks_for in self.g.actors:
                    parts.append(self.g.actors[actor.speaks_for].name)
        if c.object and c.object.label:
            parts.append(c.object.label)
        return " ".join(parts)

    def role(self, r: ActorRoleIn, loc: Loc = ()) -> None:
        """A role is held in another actor that exists, over dates in order, with evidence quoted exactly."""
        self.ref((*loc, "actor"), r.actor, self.g.actors, "actor")
        self.ref((*loc, "of"), r.of, self.g.actors, "actor")
        if r.of is not None and r.of == r.actor:
            self.report((*loc, "of"), "a role is held in another body or state, not in the actor itself", "value_error")
        if r.start and r.end and date_bounds(r.start.date)[0] > date_bounds(r.end.date)[1]:
            self.report((*loc, "end"), f"the role ends ({r.end.date}) before it starts ({r.start.date})", "value_error")
        for i, ev in enumerate(r.evidence):
            self.evidence((*loc, "evidence", i), ev)

    def speech(self, c: ClaimIn) -> None:
        """The claimant is whoever the words belong to: the speaker of direct speech; otherwise the
        reporter, i.e. the voice of the quoting document or of the source the passage relays."""
        direct = [ev for ev in c.evidence if ev.speech is Speech.DIRECT]
        for i, ev in enumerate(c.evidence):
            loc = ("evidence", i)
            if ev.speech is Speech.NARRATION:
                if ev.speaker is not None:
                    self.report((*loc, "speaker"), "narration reports no one's speech: drop the speaker, or mark the item"
                                " direct or indirect speech", "speech")
                continue
            if ev.speaker is None:
                self.report((*loc, "speaker"), f"{ev.speech.value} speech needs a speaker: whose speech the span reports", "speech")
                continue
            if ev.speech is Speech.DIRECT:
                if ev.speaker != c.claimant:
                    self.report((*loc, "speaker"), f"direct speech is its speaker's claim, but the speaker is '{ev.speaker}' and"
                                f" the claimant '{c.claimant}'", "speech")
                if not any(_marked(o.quote) for o in c.evidence if o.speech is Speech.DIRECT and o.speaker == ev.speaker):
                    self.report((*loc, "speech"), "direct speech gives the speaker's own words, but the quote has neither"
                                " quotation marks nor a first-person word: is it indirect speech or narration?", "speech")
        if direct:
            return
        speakers = {ev.speaker for ev in c.evidence if ev.speaker}
        if c.claimant in speakers:
            self.report(("claimant",), f"'{c.claimant}' is only reported (indirect speech), never quoted: a reported account"
                        " of someone's words is the reporter's claim; make the reporter the claimant", "speech")
            return
        for i, ev in enumerate(c.evidence):
            voices = self.g.voices(ev)
            if c.claimant not in voices:
                named = ", ".join(f"'{v}'" for v in sorted(voices)) or f"nobody: source '{ev.source}' names no publisher or authors"
                self.report(("claimant",), f"evidence[{i}] is {ev.speech.value}, the words of its reporter, so the claimant"
                            f" must be its voice ({named}), not '{c.claimant}'", "speech")

    def attribution_spans(self, c: ClaimIn) -> None:
        """A passage relayed from a source is attributed to it whole: overlapping evidence spans, in this
        claim or any other, name the same `attributed_to`."""
        for i, ev in enumerate(c.evidence):
            candidates = [(c.id, list(enumerate(c.evidence))[i + 1 :])]
            candidates += [(o, list(enumerate(self.g.claims[o].evidence))) for o in self.g.claims_quoting(ev.source)
                           if o != c.id and o in self.g.claims]
            for other_id, others in candidates:
                for j, ov in others:
                    if ov.source == ev.source and ov.start < ev.end and ev.start < ov.end and ov.attributed_to != ev.attributed_to:
                        whose = "this claim's" if other_id == c.id else f"claim '{other_id}''s"
                        self.report(("evidence", i, "attributed_to"),
                                    f"the span {ev.start}-{ev.end} overlaps {whose} evidence[{j}] ({ov.start}-{ov.end}), attributed to"
                                    f" {_name(ov.attributed_to)} where this one is attributed to {_name(ev.attributed_to)}:"
                                    " a passage relayed from a source is attributed to it whole", "attribution_span")
                        return

    def contradiction(self, x: ContradictionIn) -> None:
        ok = all(self.ref(("claims", i, "claim"), m.claim, self.g.claims, "claim") for i, m in enumerate(x.claims))
        if not ok or x.status is ContradictionStatus.REJECTED:
            return
        for i, m in enumerate(x.claims):
            for n in x.claims[i + 1 :]:
                if m.side != n.side and (where := self.g.shared_passage(self.g.claims[m.claim], self.g.claims[n.claim])):
                    self.report(("claims",), f"'{m.claim}' (side {m.side.value}) and '{n.claim}' (side {n.side.value}) come from"
                                f" one passage ({_span(where)}): a passage does not contradict itself", "same_passage")
                    return
        sides = [{m.claim for m in x.claims if m.side is side} for side in {m.side for m in x.claims}]
        for other_id in sorted({o for m in x.claims for o in self._kin(m.claim)}):
            other = self.g.contradictions[other_id]
            rejected = other.status is ContradictionStatus.REJECTED
            if other.status in (ContradictionStatus.PROPOSED, ContradictionStatus.WITHDRAWN):
                continue  # a rule's proposal is absorbed by the relation a person records, not repeated by it
            if other_id == x.id or (rejected and not self.creating):
                continue
            other_sides = [{m.claim for m in other.claims if m.side is side} for side in {m.side for m in other.claims}]
            if any(self._alike(sides[0], o0) and self._alike(sides[1], o1) for o0, o1 in (other_sides, other_sides[::-1])):
                self._repeated("contradiction", other_id, other.resolution if rejected else None,
                               "each side holds one of its claims, a claim drawn from the same words, or one corroborated as the"
                               " same proposition")
                return

    def corroboration(self, y: CorroborationIn) -> None:
        ok = all(self.ref(("claims", i), cid, self.g.claims, "claim") for i, cid in enumerate(y.claims))
        if not ok or y.status is CorroborationStatus.REJECTED:
            return
        for i, a in enumerate(y.claims):
            for b in y.claims[i + 1 :]:
                if where := self.g.shared_passage(self.g.claims[a], self.g.claims[b]):
                    self.report(("claims",), f"'{a}' and '{b}' come from one passage ({_span(where)}): a passage does not"
                                " corroborate itself", "same_passage")
                    return
        for other_id in sorted({o for cid in y.claims for o in self.g.corroborations_of(cid)}):
            other = self.g.corroborations[other_id]
            rejected = other.status is CorroborationStatus.REJECTED
            if other.status in (CorroborationStatus.PROPOSED, CorroborationStatus.WITHDRAWN):
                continue  # a rule's proposal is absorbed by the relation a person records, not repeated by it
            if other_id == y.id or (rejected and not self.creating):
                continue
            if self._alike(set(y.claims), set(other.claims), strict=True):
                self._repeated("corroboration", other_id, other.resolution if rejected else None,
                               "the same claims, or claims drawn from the same words")
                return

    def _repeated(self, kind: str, other_id: str, rejection: str | None, how: str) -> None:
        if rejection is None:
            self.report(("claims",), f"it repeats {kind} '{other_id}' ({how}); merge them", "duplicate_relation")
        else:
            self.report(("claims",), f"it repeats {kind} '{other_id}' ({how}), which was reviewed and rejected: {rejection}",
                        "rejected_relation")

    def _kin(self, claim_id: str) -> set[str]:
        """Contradictions of the claim, of claims drawn from the same words and of claims corroborated with it."""
        related = {claim_id} | self._equivalent(claim_id)
        return {x for cid in related for x in self.g.contradictions_of(cid) if x in self.g.contradictions}

    def _equivalent(self, claim_id: str, corroborated: bool = True) -> set[str]:
        """Claims that say the same as this one: drawn from the same words (every evidence span of one
        lies within a span of the other), or, when `corroborated`, confirmed as the same proposition by a
        corroboration."""
        claim = self.g.claims[claim_id]
        found: set[str] = set()
        for src in {ev.source for ev in claim.evidence}:
            for other in self.g.claims_quoting(src):
                if other != claim_id and other in self.g.claims and _same_words(claim, self.g.claims[other]):
                    found.add(other)
        for yid in self.g.corroborations_of(claim_id) if corroborated else []:
            y = self.g.corroborations.get(yid)
            if y is not None and y.status is not CorroborationStatus.REJECTED and y.kind is CorroborationKind.SAME_PROPOSITION:
                found |= set(y.claims)
        return found - {claim_id}

    def _alike(self, a: set[str], b: set[str], strict: bool = False) -> bool:
        """Whether two sets of claims say the same: some claim of one has its like in the other (strict:
        every claim of each, likes by the same words only)."""
        def like(cid: str, others: set[str]) -> bool:
            return cid in others or bool(self._equivalent(cid, corroborated=not strict) & others)
        if strict:
            return all(like(c, b) for c in a) and all(like(c, a) for c in b)
        return any(like(c, b) for c in a)

    def coverage(self, source_id: str, segments: list[CoverageIn], defined: list[ClaimIn] | None = None) -> None:
        """A document's coverage account: passages in order without overlap, within the text, every stretch of text
        between them blank, and references that resolve (the loader's rules); with `defined`, the claims the document
        defines, also `coverage_problems`' rules: each is listed against a passage, and a passage lists only claims
        whose evidence is in it. Passage problems are at ("coverage", i), gaps at ("coverage",)."""
        text = self.g.texts.get(source_id)
        if text is None:
            return
        position = 0
        for i, seg in enumerate(segments):
            if seg.start < position:
                self.report(("coverage", i), f"overlaps the passage before it (which ends at {position})", "coverage")
            gap = text[position : seg.start]
            if gap.strip():
                self.report(("coverage",), f"text at {position}-{seg.start} is neither covered nor explained: {gap.strip()[:60]!r}",
                            "coverage")
            if seg.end > len(text):
                self.report(("coverage", i), f"end is past the end of the text ({len(text)})", "coverage")
            for cid in seg.claims:
                self.ref(("coverage", i, "claims"), cid, self.g.claims, "claim")
            for aid in seg.actors:
                self.ref(("coverage", i, "actors"), aid, self.g.actors, "actor")
            for sid in seg.sources:
                self.ref(("coverage", i, "sources"), sid, self.g.sources, "source")
            position = max(position, seg.end)
        rest = text[position:]
        if segments and rest.strip():
            self.report(("coverage",), f"text at {position}-{len(text)} is neither covered nor explained: {rest.strip()[:60]!r}", "coverage")
        if defined is None:
            return
        listed = {cid for seg in segments for cid in seg.claims}
        for c in defined:
            if c.id not in listed:
                self.report(("coverage",), f"claim '{c.id}' is not listed against any passage in coverage", "coverage")
        for i, seg in enumerate(segments):
            for cid in seg.claims:
                claim = self.g.claims.get(cid)
                if claim is not None and not any(ev.source == source_id and ev.start < seg.end and ev.end > seg.start for ev in claim.evidence):
                    self.report(("coverage", i, "claims"), f"lists claim '{cid}', whose evidence is not in that passage ({seg.start}-{seg.end})",
                                "coverage")

    def record(self, kind: str, record: Any) -> None:
        getattr(self, kind)(record)


def _numbers_allowed(c: ClaimIn) -> set[str]:
    allowed: set[str] = set()
    if c.event_time:
        for value in (c.event_time.start, c.event_time.end):
            if value:
                allowed.update(str(int(p)) for p in value.split("-"))
    if c.quantity:
        allowed.add(str(c.quantity.value))
    return allowed


def _plain(number: str) -> str:
    return number.replace(",", "").rstrip(".")


def _same_words(a: ClaimIn, b: ClaimIn) -> bool:
    """Whether one claim is drawn from the other's words: each of its evidence spans lies within one of the other's."""
    def inside(x: ClaimIn, y: ClaimIn) -> bool:
        return all(any(e.source == f.source and f.start <= e.start and e.end <= f.end for f in y.evidence) for e in x.evidence)
    return inside(a, b) or inside(b, a)


def _marked(quote: str) -> bool:
    """Whether a quote shows itself as someone's own words: quotation marks or a first-person word."""
    return bool(_QUOTATION_MARKS & set(quote) or _FIRST_PERSON.search(quote))


def _name(source_id: str | None) -> str:
    return f"'{source_id}'" if source_id else "nothing (the document's own voice)"


def _span(where: tuple[str, int, int]) -> str:
    return f"source '{where[0]}', {where[1]}-{where[2]}"
