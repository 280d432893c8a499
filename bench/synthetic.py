"""A synthetic corpus, written into a curated `Dataset` in memory: news articles in English and Arabic,
each a held document with its text, its claims quoted from that text, its coverage account and the
roles it attests, so that every record passes the loader's checks and is stored and rendered by the
project's own code.

Articles are dated from 2000 to 2026, more of them in later years, and written in date order. Each
paragraph is one claim: the outlet's narration, a passage relayed from a wire report or an earlier
article (sources citing sources, in chains), or an official's direct or indirect speech. Claims are
about parties drawn by Zipf rank (bench/cast.py), dated at day, month or year precision or not at all.
Some claims take up an earlier article's claim: the same proposition (a corroboration) or one that
disagrees with it (a denial, a plan dropped, another figure or date: a contradiction), recorded as a
relation some of the time, as reviewed relations are in a real corpus. A few articles recombine the
passages of a curated document (Arabic and English) with its claims. The word `lexicon.RARE_WORD`
appears in `lexicon.RARE_CLAIMS` claims and nowhere else.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from api.dataset.loader import Dataset
from bench import lexicon as lx
from bench.cast import Cast, Speaker, slug
from bench.facts import FIRST_DAY, LAST_DAY, FactMaker
from bench.phrasing import Fact, capital, core_ar, core_en, modalities
from bench.recombine import recombine
from schemas.common import ClaimObject, DateValue, Quantity
from schemas.dataset import (
    ActorRoleIn,
    ClaimEvidenceIn,
    ClaimIn,
    ContradictionIn,
    ContradictionMemberIn,
    CorroborationIn,
    CoverageIn,
    DocumentFile,
    EvidenceIn,
    SourceIn,
)
from schemas.vocab import (
    ContradictionKind,
    ContradictionSide,
    ContradictionStatus,
    CorroborationStatus,
    DatePrecision,
    SourceKind,
    Speech,
)

ARABIC_SHARE = 0.2  # of articles
ECHO_SHARE = 0.12  # of claims: an earlier claim taken up again
RECORDED_SHARE = 0.6  # of echoes: recorded as a contradiction or corroboration
RECOMBINED_SHARE = 0.03  # of articles: a curated document's passages, recombined
RECOMBINED_MAX = 12  # recombined copies per curated document (the engine relates every pair of copies)
LINKS = "links.yaml"


@dataclass
class Written:
    """A claim already written, which a later article may take up."""

    claim_id: str
    fact: Fact
    source: str
    publisher: str
    published: date
    related: bool = False


@dataclass
class Paragraph:
    fact: Fact
    text: str
    headline: str  # the claim in brief, should it head the article
    claim: dict[str, Any]  # ClaimIn fields, without the evidence offsets
    evidence: dict[str, Any]
    roles: list[tuple[str, str, str, str, str | None]]  # (person, title, country, mention, translation)


@dataclass
class Stats:
    documents: int = 0
    arabic_documents: int = 0
    recombined_documents: int = 0
    claims: int = 0
    arabic_claims: int = 0
    echoes: int = 0
    contradictions: int = 0
    corroborations: int = 0
    wire_reports: int = 0
    roles: int = 0
    rare_claims: list[str] = field(default_factory=list)


class Corpus:
    def __init__(self, ds: Dataset, *, claims: int, seed: int) -> None:
        self.ds = ds
        self.target = claims
        self.rng = random.Random(seed)
        generated = max(0, claims - len(ds.claims))
        self.cast = Cast(ds, self.rng, parties=generated // 4 + 200, outlets=min(300, generated // 200 + 20), zipf=1.05)
        self.facts = FactMaker(ds, self.cast, self.rng)
        self.stats = Stats()
        self.recent: deque[Written] = deque(maxlen=2000)
        self.wires: deque[tuple[str, str]] = deque(maxlen=50)  # (source id, agency)
        self.attested: set[str] = set()
        self.copies: dict[str, int] = {file: 0 for file in ds.documents}
        self.curated = dict(ds.documents)
        self.sequence = 0
        rare_step = generated // (lx.RARE_CLAIMS + 1)
        self.rare_at = [rare_step * (k + 1) for k in range(lx.RARE_CLAIMS)] if rare_step >= 20 else []

    # -- the whole corpus

    def write(self, progress: Callable[[int], None] | None = None) -> Stats:
        """Add articles until the dataset holds the target number of claims."""
        days = self._article_days()
        while len(self.ds.claims) < self.target:
            day = days.pop() if days else self._day()
            before = len(self.ds.claims)
            remaining = self.target - before
            if not (self.rng.random() < RECOMBINED_SHARE and self._recombine(day, remaining)):
                self._article(day, remaining)
            if progress:
                progress(len(self.ds.claims) - before)
        self.ds.reindex()
        return self.stats

    def _day(self) -> date:
        """A publication day: every year from 2000 to 2026, later years more often (news volume grows)."""
        years = range(FIRST_DAY.year, LAST_DAY.year + 1)
        year = self.rng.choices(years, weights=[1 + (y - FIRST_DAY.year) / 13 for y in years])[0]
        return date(year, 1, 1) + timedelta(days=self.rng.randrange(365))

    def _article_days(self) -> list[date]:
        """Enough publication days for the target, latest first (articles are written in date order)."""
        count = max(0, self.target - len(self.ds.claims)) // 9 + 10
        return sorted((self._day() for _ in range(count)), reverse=True)

    def _id(self, text: str) -> str:
        self.sequence += 1
        return f"{slug(text)[:72].rstrip('-')}-{self.sequence}"

    # -- articles

    def _article(self, day: date, remaining: int) -> None:
        arabic = self.rng.random() < ARABIC_SHARE
        publisher = self.cast.outlet(arabic=arabic)
        file = f"documents/{len(self.ds.documents):07d}.yaml"
        source_id = f"{publisher}-{day.isoformat()}-{self.sequence + 1}"
        self.cast.file = file
        self.cast.introduced = []
        count = min(remaining, self.rng.randint(4, 12) if arabic else self.rng.randint(6, 16))
        mentioned: set[str] = set()
        paragraphs: list[Paragraph] = []
        cites: list[str] = []
        cited: list[SourceIn] = []
        relations: list[tuple[int, Written, ContradictionKind | None, str]] = []  # (paragraph, earlier claim, kind, why)
        for _ in range(count):
            rare = not arabic and len(self.stats.rare_claims) < len(self.rare_at) and self.stats.claims >= self.rare_at[len(self.stats.rare_claims)]
            earlier = self._earlier(source_id, arabic) if not rare and self.rng.random() < ECHO_SHARE else None
            relayed: Written | None = None
            if earlier is not None:
                self.stats.echoes += 1
                disagreement = self.facts.disagreeing(earlier.fact, arabic=arabic) if self.rng.random() < 0.4 else None
                if disagreement is not None:
                    fact, kind, why = disagreement
                else:
                    fact, kind, why = earlier.fact, None, "Both reports say the same thing in their own words."
                    relayed = earlier if self.rng.random() < 0.4 else None
                if self.rng.random() < RECORDED_SHARE:
                    earlier.related = True
                    relations.append((len(paragraphs), earlier, kind, why))
            else:
                fact = self.facts.fact(day, arabic=arabic, rare=rare)
            paragraph = self._paragraph(fact, day, source_id, publisher, arabic, mentioned, relayed, cites, cited)
            if rare:
                self.stats.rare_claims.append(paragraph.claim["id"])
            paragraphs.append(paragraph)
        self._publish(file, source_id, publisher, day, arabic, paragraphs, cites, cited, relations)

    def _earlier(self, source_id: str, arabic: bool) -> Written | None:
        if not self.recent:
            return None
        found = self.recent[self.rng.randrange(len(self.recent))]
        usable = found.source != source_id and not found.related and found.claim_id not in self.stats.rare_claims
        if usable and arabic:
            fact = found.fact
            usable = (fact.act.in_arabic and fact.modality in {m for m, _, _ in modalities(fact.act, arabic=True)}
                      and fact.subject in self.cast.arabic and fact.partner in self.cast.arabic)
        return found if usable else None

    def _paragraph(self, fact: Fact, day: date, source_id: str, publisher: str, arabic: bool, mentioned: set[str],
                   relayed: Written | None, cites: list[str], cited: list[SourceIn]) -> Paragraph:
        """One paragraph stating the fact, and the claim it supports."""
        roles: list[tuple[str, str, str, str, str | None]] = []

        def mention(speaker: Speaker) -> tuple[str, str, str | None, str | None]:
            """(English, English short, Arabic, Arabic short) names, with the title the first time in the article."""
            first = speaker.actor not in mentioned
            mentioned.add(speaker.actor)
            en, ar = (speaker.en, speaker.ar) if first else (speaker.short, speaker.ar_short)
            if first and speaker.role is not None and speaker.actor not in self.attested:
                self.attested.add(speaker.actor)
                roles.append((speaker.actor, *speaker.role, ar if arabic and ar else en, speaker.en if arabic else None))
            return en, speaker.short, ar, speaker.ar_short

        if fact.act.official:
            subject_en, subject_short, subject_ar, _ = mention(self.cast.introduce(fact.subject))
        else:
            subject_en = subject_short = self.cast.name(fact.subject)
            subject_ar = self.cast.arabic.get(fact.subject)
        partner_en = self.cast.name(fact.partner)
        core, short = core_en(fact, subject_en, partner_en), core_en(fact, subject_short, partner_en)
        arabic_core = core_ar(fact, subject_ar or "", self.cast.arabic.get(fact.partner, "")) if arabic else ""
        speaker: str | None = None
        attributed: str | None = None
        claimant = publisher
        style = self.rng.choices(("narration", "wire", "indirect", "direct"), weights=(30, 15, 35, 20))[0]
        if relayed is not None:
            attributed, claimant = relayed.source, relayed.publisher
            cites.append(relayed.source)
            outlet = self.ds.actors[relayed.publisher].name
            when = f"{relayed.published.day} {lx.MONTHS[relayed.published.month - 1]} {relayed.published.year}"
            text = f"As {outlet} reported on {when}, {core}."
            statement = f"According to {outlet}, {short}."
            ar_text = f"وكانت {self.cast.arabic.get(relayed.publisher, outlet)} قد ذكرت أنه {arabic_core}."
            speech = Speech.NARRATION
        elif style == "wire":
            attributed, agency = self._wire(day, arabic, cited)
            claimant = agency
            cites.append(attributed)
            name = self.ds.actors[agency].name
            text, statement = f"According to {name}, {core}.", f"According to {name}, {short}."
            ar_text = f"ونقلت {self.cast.arabic[agency]} أنه {arabic_core}."
            speech = Speech.NARRATION
        elif style == "narration":
            text = statement = capital(core) + "."
            ar_text = arabic_core + "."
            speech = Speech.NARRATION
        else:
            who = self.cast.speaker(fact.subject, day.year, arabic=arabic)
            spoken_en, spoken_short, spoken_ar, _ = mention(who)
            speaker = who.actor
            statement = f"{capital(spoken_short)} said that {short}."
            if style == "direct":
                claimant = who.actor
                text = f'"{capital(core)}," said {spoken_en}.'
                ar_text = f'وقال {spoken_ar}: "{arabic_core}".'
                speech = Speech.DIRECT
            else:
                text = f"{capital(spoken_en)} said that {core}."
                ar_text = f"وقال {spoken_ar} إنه {arabic_core}."
                speech = Speech.INDIRECT
        obj = ClaimObject(actor=fact.partner, label=fact.label) if fact.act.partner == "object" else (
            ClaimObject(label=fact.label) if fact.label else None)
        quantity = None
        if fact.amount is not None and fact.act.predicate.value == "arms_deal":
            quantity = Quantity(value=fact.amount * 1_000_000, unit="USD")
        elif fact.amount is not None and fact.act.counted and fact.thing:
            quantity = Quantity(value=fact.amount, unit=fact.thing[0], approximate=fact.approximate)
        claim = {
            "id": self._id(statement), "statement": statement, "subject": fact.subject, "predicate": fact.act.predicate,
            "object": obj, "recipient": fact.partner if fact.act.partner == "recipient" else None, "quantity": quantity,
            "event_time": fact.event, "polarity": fact.polarity, "modality": fact.modality, "evidential": fact.evidential,
            "claimant": claimant,
        }
        evidence = {"attributed_to": attributed, "speech": speech, "speaker": speaker, "translation": text if arabic else None}
        return Paragraph(fact, ar_text if arabic else text, arabic_core if arabic else capital(short), claim, evidence, roles)

    def _wire(self, day: date, arabic: bool, cited: list[SourceIn]) -> tuple[str, str]:
        """A wire report to relay: a recent one (several articles relay the same report), or a new one."""
        if self.wires and self.rng.random() < 0.3:
            return self.wires[self.rng.randrange(len(self.wires))]
        agency = self.cast.agency()
        self.sequence += 1
        wire = SourceIn(
            id=f"{agency}-{day.isoformat()}-{self.sequence}", kind=SourceKind.WIRE_REPORT, publisher=agency,
            title=f"{self.ds.actors[agency].name} report of {day.day} {lx.MONTHS[day.month - 1]} {day.year}",
            language="ar" if arabic else "en", published=DateValue(date=day.isoformat(), precision=DatePrecision.DAY),
        )
        cited.append(wire)
        self.wires.append((wire.id, agency))
        self.stats.wire_reports += 1
        return wire.id, agency

    def _publish(self, file: str, source_id: str, publisher: str, day: date, arabic: bool, paragraphs: list[Paragraph],
                 cites: list[str], cited: list[SourceIn], relations: list[tuple[int, Written, ContradictionKind | None, str]]) -> None:
        """Lay the article out (headline, dateline, paragraphs), then store it with its claims at their offsets."""
        headline = paragraphs[0].headline
        month = (lx.MONTHS_AR if arabic else lx.MONTHS)[day.month - 1]
        dateline = f"{'نشر في' if arabic else 'Published'} {day.day} {month} {day.year}"
        parts = [headline, dateline] + [p.text for p in paragraphs]
        starts, offset = [], 0
        for part in parts:
            starts.append(offset)
            offset += len(part) + 2
        text = "\n\n".join(parts)
        source = SourceIn(
            id=source_id, kind=SourceKind.NEWS_ARTICLE, title=headline, publisher=publisher, language="ar" if arabic else "en",
            published=DateValue(date=day.isoformat(), precision=DatePrecision.DAY), cites=list(dict.fromkeys(cites)),
            url=f"https://www.{publisher}.example/{day.isoformat()}/{self.sequence}", text_file=f"corpus/generated/{file[10:-5]}.txt",
        )
        self._add_source(source, file, text)
        for s in cited:
            self._add_source(s, file, None)
        coverage = [CoverageIn(start=0, end=len(headline), reason="headline: the first paragraph's claim in brief"),
                    CoverageIn(start=starts[1], end=starts[1] + len(dateline), reason="dateline: the publication date", sources=[source_id])]
        claims, roles = [], []
        related = {index for index, _, _, _ in relations}
        for index, (p, start) in enumerate(zip(paragraphs, starts[2:], strict=True)):
            ev = ClaimEvidenceIn(source=source_id, quote=p.text, start=start, end=start + len(p.text), **p.evidence)
            claim = ClaimIn(**p.claim, evidence=[ev])
            claims.append(claim)
            self._add_claim(claim, file, arabic)
            coverage.append(CoverageIn(start=start, end=ev.end, claims=[claim.id]))
            self.recent.append(Written(claim.id, p.fact, source_id, publisher, day, related=index in related))
            for person, title, country, quote, translation in p.roles:
                at = start + p.text.index(quote)
                roles.append(ActorRoleIn(
                    actor=person, title=title, of=country, attested=DateValue(date=day.isoformat(), precision=DatePrecision.DAY),
                    evidence=[EvidenceIn(source=source_id, quote=quote, start=at, end=at + len(quote), translation=translation)],
                ))
        self.stats.roles += len(roles)
        contradictions, corroborations = self._relations(relations, claims)
        actors = [self.ds.actors[a] for a in self.cast.introduced]
        self.ds.documents[file] = DocumentFile(source=source, sources=cited, actors=actors, roles=roles, claims=claims,
                                               contradictions=contradictions, corroborations=corroborations, coverage=coverage)
        self.stats.documents += 1
        self.stats.arabic_documents += arabic

    def _add_source(self, source: SourceIn, file: str, text: str | None) -> None:
        self.ds.sources[source.id] = source
        self.ds.origin[f"source:{source.id}"] = file
        if text is not None:
            self.ds.texts[source.id] = text

    def _add_claim(self, claim: ClaimIn, file: str, arabic: bool) -> None:
        self.ds.claims[claim.id] = claim
        self.ds.origin[f"claim:{claim.id}"] = file
        self.stats.claims += 1
        self.stats.arabic_claims += arabic

    def _relations(self, relations: list[tuple[int, Written, ContradictionKind | None, str]],
                   claims: list[ClaimIn]) -> tuple[list[ContradictionIn], list[CorroborationIn]]:
        contradictions, corroborations = [], []
        for index, earlier, kind, why in relations:
            later = claims[index].id
            self.sequence += 1
            if kind is None:
                rejected = self.rng.random() < 0.15
                y = CorroborationIn(
                    id=f"same-proposition-{self.sequence}", claims=[earlier.claim_id, later], explanation=why,
                    status=CorroborationStatus.REJECTED if rejected else CorroborationStatus.CONFIRMED,
                    resolution="On review the two reports are about different events." if rejected else None,
                )
                corroborations.append(y)
                self.ds.corroborations[y.id] = y
                self.ds.origin[f"corroboration:{y.id}"] = LINKS
            else:
                status = self.rng.choices(
                    (ContradictionStatus.OPEN, ContradictionStatus.CONFIRMED, ContradictionStatus.RECONCILED,
                     ContradictionStatus.RESOLVED, ContradictionStatus.REJECTED), weights=(55, 20, 10, 5, 10))[0]
                resolution = {
                    ContradictionStatus.RECONCILED: "Both can hold: the reports describe different stages.",
                    ContradictionStatus.RESOLVED: "A later official statement settles it in favour of the first report.",
                    ContradictionStatus.REJECTED: "On review the reports are about different events.",
                }.get(status)
                x = ContradictionIn(
                    id=f"{kind.value.replace('_', '-')}-{self.sequence}", kind=kind, explanation=why, status=status,
                    resolution=resolution, claims=[ContradictionMemberIn(claim=earlier.claim_id, side=ContradictionSide.A),
                                                   ContradictionMemberIn(claim=later, side=ContradictionSide.B)],
                )
                contradictions.append(x)
                self.ds.contradictions[x.id] = x
                self.ds.origin[f"contradiction:{x.id}"] = LINKS
        self.stats.contradictions += len(contradictions)
        self.stats.corroborations += len(corroborations)
        return contradictions, corroborations

    # -- curated documents, recombined

    def _recombine(self, day: date, remaining: int) -> bool:
        """An article recombining a curated document's passages (bench/recombine.py), by an outlet of its language;
        False when every curated document was copied as often as allowed, or the copy would pass the target."""
        files = [f for f, n in self.copies.items() if n < RECOMBINED_MAX]
        if not files:
            return False
        original = self.rng.choice(files)
        doc = self.curated[original]
        arabic = doc.source.language == "ar"
        published = doc.source.published
        day = max(day, date.fromisoformat(published.date) if published and len(published.date) == 10 else FIRST_DAY)
        file = f"documents/{len(self.ds.documents):07d}.yaml"
        self.cast.file = file
        self.cast.introduced = []
        publisher = self.cast.outlet(arabic=arabic)
        self.sequence += 1
        made = recombine(self.ds, doc, self.rng, source_id=f"{publisher}-{day.isoformat()}-{self.sequence}", publisher=publisher,
                         day=day, copy=self.copies[original] + 1, text_file=f"corpus/generated/{file[10:-5]}.txt")
        if made is None or len(made.claims) > remaining:
            return False
        self.copies[original] += 1
        self._add_source(made.source, file, made.text)
        for claim in made.claims:
            self._add_claim(claim, file, arabic)
        self.ds.documents[file] = DocumentFile(source=made.source, claims=made.claims, coverage=made.coverage,
                                               actors=[self.ds.actors[a] for a in self.cast.introduced])
        self.stats.documents += 1
        self.stats.recombined_documents += 1
        self.stats.arabic_documents += arabic
        return True
