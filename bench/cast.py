"""The actors of the synthetic corpus: who claims are about, who speaks and who publishes.

Parties (the subjects, objects and recipients of claims) follow a Zipf distribution over a ranked list:
the curated countries first (Egypt, Russia, the United States...), then other real countries, then a
long tail of generated companies, created the first time they are drawn. So a few actors are in very
many claims and many in one claim each, as in a large news corpus. Officials (heads of state and
ministers) change with each term, so that a country speaks through many people over 27 years. Every
generated actor is added to the dataset when it is first needed, in the file that introduces it.
"""

from __future__ import annotations

import itertools
import random
import re
from bisect import bisect
from dataclasses import dataclass

from api.dataset.loader import Dataset
from bench import lexicon as lx
from schemas.dataset import ActorIn, NameIn
from schemas.vocab import ActorKind

SHARED = "actors.yaml"
# Names read mid-sentence with an article.
WITH_ARTICLE = {"united-states", "united-kingdom", "united-arab-emirates", "netherlands"}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Zipf:
    """Ranks 0..n-1 drawn with probability proportional to 1 / (rank + 1) ** s."""

    def __init__(self, n: int, s: float) -> None:
        self.cumulative = list(itertools.accumulate(1.0 / (r + 1) ** s for r in range(n)))

    def draw(self, rng: random.Random) -> int:
        return min(bisect(self.cumulative, rng.random() * self.cumulative[-1]), len(self.cumulative) - 1)


@dataclass(frozen=True)
class Speaker:
    """Someone whose words a claim reports: a named official, unnamed officials, or a company's spokesperson."""

    actor: str
    en: str  # as first mentioned in an article ("Foreign Minister Karim Mansour of Jordan")
    short: str  # as mentioned again, and in statements ("Karim Mansour")
    ar: str | None  # as an Arabic article names them, when it can
    ar_short: str | None
    role: tuple[str, str] | None  # (title, country) an article's first mention attests, for generated officials


class Cast:
    def __init__(self, ds: Dataset, rng: random.Random, *, parties: int, outlets: int, zipf: float) -> None:
        self.ds = ds
        self.rng = rng
        self.arabic: dict[str, str] = {}  # actor id -> how Arabic text names it
        for actor in ds.actors.values():
            spellings = [n.value for n in actor.names if n.language == "ar"]
            if spellings:
                self.arabic[actor.id] = max(spellings, key=len)
        self.arabic.update((k, v) for k, v in lx.CURATED_ARABIC.items() if k not in self.arabic)
        self.countries = list(lx.CURATED_COUNTRIES)
        self.arab_states = set(lx.ARAB_CURATED)
        for cid, en, ar, arab in lx.COUNTRIES:
            self.countries.append(self._shared(ActorIn(
                id=cid, kind=ActorKind.COUNTRY, name=en, names=[NameIn(value=en, language="en"), NameIn(value=ar, language="ar")],
                description=f"{en}, as a party to relations (generated corpus).",
            ), ar))
            if arab:
                self.arab_states.add(cid)
        self.party_ranks = Zipf(max(parties, len(self.countries) + 1), zipf)
        self.country_ranks = Zipf(len(self.countries), zipf)
        self.tail: dict[int, str] = {}
        self.officials: dict[tuple[str, str, int], str] = {}
        self.titles: dict[str, tuple[str, str, bool]] = {}  # person -> (title, country, whether articles attest the role)
        self.outlet_ranks = Zipf(outlets, 1.0)
        self.arabic_outlet_ranks = Zipf(len(lx.ARABIC_OUTLETS) * len(lx.ARABIC_SUFFIXES), 1.0)
        self.agency_ranks = Zipf(len(lx.AGENCIES), 1.0)
        self.outlets: dict[tuple[str, int], str] = {}
        self.file = SHARED  # the file that introduces the actors created now (set per document)
        self.introduced: list[str] = []  # actors the current document introduces

    # -- adding actors

    def _shared(self, actor: ActorIn, ar: str | None = None) -> str:
        return self._add(actor, ar, SHARED)

    def _add(self, actor: ActorIn, ar: str | None, file: str | None = None) -> str:
        self.ds.actors[actor.id] = actor
        self.ds.origin[f"actor:{actor.id}"] = file or self.file
        if (file or self.file) != SHARED:
            self.introduced.append(actor.id)
        if ar:
            self.arabic[actor.id] = ar
        return actor.id

    def _free_id(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.ds.actors:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    # -- parties

    def name(self, actor_id: str, *, start: bool = False) -> str:
        name = self.ds.actors[actor_id].name
        if actor_id in WITH_ARTICLE:
            return f"{'The' if start else 'the'} {name}"
        return name

    def party(self, *, arabic: bool = False, exclude: str | None = None) -> str:
        """A party drawn by Zipf rank; an Arabic article names countries only (companies have no Arabic name)."""
        while True:
            rank = self.party_ranks.draw(self.rng)
            if rank < len(self.countries):
                found = self.countries[rank]
            elif arabic:
                continue
            else:
                found = self.tail.get(rank) or self._company(rank)
            if found != exclude:
                return found

    def country(self, *, exclude: str | None = None) -> str:
        while True:
            found = self.countries[self.country_ranks.draw(self.rng)]
            if found != exclude:
                return found

    def _company(self, rank: int) -> str:
        k = rank - len(self.countries)
        roots = (*lx.COMPANY_ROOTS, *(last for last, _ in lx.ARAB_LAST), *lx.OTHER_LAST)
        per_cycle = len(roots) * len(lx.COMPANY_INDUSTRIES) * len(lx.COMPANY_KINDS)
        name = (f"{roots[k % len(roots)]} {lx.COMPANY_INDUSTRIES[k // len(roots) % len(lx.COMPANY_INDUSTRIES)]}"
                f" {lx.COMPANY_KINDS[k // (len(roots) * len(lx.COMPANY_INDUSTRIES)) % len(lx.COMPANY_KINDS)]}")
        if k >= per_cycle:
            name += f" {k // per_cycle + 1}"
        home = self.country()
        self.tail[rank] = self._add(ActorIn(
            id=self._free_id(slug(name)), kind=ActorKind.COMPANY, name=name, names=[NameIn(value=name, language="en")],
            description=f"A company based in {self.ds.actors[home].name} (generated corpus).",
        ), None)
        return self.tail[rank]

    # -- speakers

    def official(self, country: str, year: int) -> str:
        """The head of state or a minister of a country in a year: one person per title and term."""
        title_en = self.rng.choices(lx.TITLES, weights=(25, 40, 20, 15))[0][0]
        for head_country, first, last, actor_id in lx.HEADS:
            if title_en == "President" and head_country == country and first <= year <= last:
                self.titles.setdefault(actor_id, ("President", country, False))
                return self._head(actor_id)
        key = (country, title_en, (year - 2000) // lx.TERM_YEARS)
        if key not in self.officials:
            arab = country in self.arab_states
            first_en, first_ar = self.rng.choice(lx.ARAB_FIRST) if arab else (self.rng.choice(lx.OTHER_FIRST), None)
            last_en, last_ar = self.rng.choice(lx.ARAB_LAST) if arab else (self.rng.choice(lx.OTHER_LAST), None)
            name = f"{first_en} {last_en}"
            ar = f"{first_ar} {last_ar}" if first_ar and last_ar else None
            names = [NameIn(value=name, language="en")] + ([NameIn(value=ar, language="ar")] if ar else [])
            term = 2000 + key[2] * lx.TERM_YEARS
            self.officials[key] = self._add(ActorIn(
                id=self._free_id(slug(name)), kind=ActorKind.PERSON, name=name, names=names, speaks_for=country,
                description=f"{title_en} of {self.ds.actors[country].name} from {term} (generated corpus).",
            ), ar)
            self.titles[self.officials[key]] = (title_en, country, True)
        return self.officials[key]

    def _head(self, actor_id: str) -> str:
        if actor_id not in self.ds.actors:
            name, ar, country = lx.GENERATED_HEADS[actor_id]
            self._shared(ActorIn(
                id=actor_id, kind=ActorKind.PERSON, name=name, names=[NameIn(value=name, language="en"), NameIn(value=ar, language="ar")],
                speaks_for=country, description=f"President of {self.ds.actors[country].name} (generated corpus).",
            ), ar)
        return actor_id

    def speaker(self, about: str, year: int, *, arabic: bool) -> Speaker:
        """Someone who speaks about a party: its spokesperson for a company; else officials of the party's
        country (or of another), named when the article can name them."""
        actor = self.ds.actors[about]
        if actor.kind is ActorKind.COMPANY:
            return self._spokesperson(about)
        country = about if actor.kind is ActorKind.COUNTRY and self.rng.random() < 0.6 else self.country()
        if self.rng.random() < 0.15:
            return self._unnamed(country)
        person = self.official(country, year)
        if arabic and person not in self.arabic:
            return self._unnamed(country)
        return self.introduce(person)

    def introduce(self, person: str) -> Speaker:
        """How articles mention an official: with the title and country the first time."""
        actor = self.ds.actors[person]
        title, country, attested = self.titles[person]
        title_ar = dict(lx.TITLES)[title]
        role = (title, country) if attested else None
        ar = self.arabic.get(person)
        country_ar = self.arabic.get(country)
        return Speaker(
            actor=person, en=f"{title} {actor.name} of {self.name(country)}", short=actor.name,
            ar=f"{title_ar} {country_ar} {ar}" if ar and country_ar else None, ar_short=ar, role=role,
        )

    def _unnamed(self, country: str) -> Speaker:
        actor_id = f"unnamed-officials-of-{country}"
        if actor_id not in self.ds.actors:
            self._shared(ActorIn(
                id=actor_id, kind=ActorKind.GROUP, name=f"Unnamed officials of {self.ds.actors[country].name}",
                names=[NameIn(value=f"officials in {self.ds.actors[country].name}", language="en")], unnamed=True, speaks_for=country,
                description=f"Officials of {self.ds.actors[country].name} whom the reports do not name (generated corpus).",
            ))
        name = self.name(country)
        ar = self.arabic.get(country)
        said = f"officials in {name}"
        return Speaker(actor=actor_id, en=said, short=said, ar=f"مسؤولون في {ar}" if ar else None,
                       ar_short=f"مسؤولون في {ar}" if ar else None, role=None)

    def _spokesperson(self, company: str) -> Speaker:
        actor_id = f"spokesperson-of-{company}"[:120].rstrip("-")
        if actor_id not in self.ds.actors:
            name = self.ds.actors[company].name
            self._add(ActorIn(
                id=actor_id, kind=ActorKind.PERSON, name=f"Unnamed spokesperson for {name}", unnamed=True, speaks_for=company,
                names=[NameIn(value=f"a spokesperson for {name}", language="en")],
                description=f"A spokesperson for {name} whom the reports do not name (generated corpus).",
            ), None)
        said = f"a spokesperson for {self.ds.actors[company].name}"
        return Speaker(actor=actor_id, en=said, short=said, ar=None, ar_short=None, role=None)

    # -- publishers

    def outlet(self, *, arabic: bool) -> str:
        """A news outlet, drawn by Zipf rank among the English or the Arabic ones."""
        if arabic:
            rank = self.arabic_outlet_ranks.draw(self.rng)
            (base_en, base_ar), (suffix_en, suffix_ar) = (lx.ARABIC_OUTLETS[rank % len(lx.ARABIC_OUTLETS)],
                                                          lx.ARABIC_SUFFIXES[rank // len(lx.ARABIC_OUTLETS)])
            name, ar = f"{base_en}{suffix_en}", f"{base_ar}{suffix_ar}"
        else:
            rank = self.outlet_ranks.draw(self.rng)
            places, papers = lx.OUTLET_PLACES, lx.OUTLET_PAPERS
            name, ar = f"The {places[rank % len(places)]} {papers[rank // len(places) % len(papers)]}", None
            if rank >= len(places) * len(papers):
                name += f" {rank // (len(places) * len(papers)) + 1}"
        key = ("ar" if arabic else "en", rank)
        if key not in self.outlets:
            names = [NameIn(value=name, language="en")] + ([NameIn(value=ar, language="ar")] if ar else [])
            self.outlets[key] = self._shared(ActorIn(
                id=self._free_id(slug(name)), kind=ActorKind.MEDIA_OUTLET, name=name, names=names,
                description=f"An {'Arabic' if arabic else 'English'}-language news outlet (generated corpus).",
            ), ar)
        return self.outlets[key]

    def agency(self) -> str:
        en, ar = lx.AGENCIES[self.agency_ranks.draw(self.rng)]
        actor_id = slug(en)
        if actor_id not in self.ds.actors:
            self._shared(ActorIn(
                id=actor_id, kind=ActorKind.MEDIA_OUTLET, name=en, names=[NameIn(value=en, language="en"), NameIn(value=ar, language="ar")],
                description="A news agency whose wire reports other outlets relay (generated corpus).",
            ), ar)
        return actor_id
