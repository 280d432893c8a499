"""What the synthetic corpus's claims say: facts drawn at random, and facts that disagree with earlier ones.

A fact's parties come from the cast (Zipf-ranked), its act from `phrasing.ACTS` by weight, its modality and
polarity by the shares news reports show (mostly things done, some planned or expected, a few denied), and
its event time around the article's date: things done shortly before it (now and then years before),
things planned or expected after it; a quarter of the claims are undated.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from api.dataset.loader import Dataset
from bench.cast import Cast
from bench.phrasing import ACTS, RARE_ACT, Act, Fact, modalities
from schemas.common import EventTime
from schemas.vocab import ContradictionKind, DatePrecision, Evidential, Modality, Polarity

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2026, 12, 31)
PROSPECTIVE = {Modality.PLANNED, Modality.EXPECTED, Modality.INTENDED, Modality.WILLING, Modality.CONSIDERED}


class FactMaker:
    def __init__(self, ds: Dataset, cast: Cast, rng: random.Random) -> None:
        self.ds = ds
        self.cast = cast
        self.rng = rng

    def event(self, day: date, modality: Modality) -> EventTime | None:
        if self.rng.random() < 0.25:
            return None
        if modality in PROSPECTIVE:
            when = day + timedelta(days=self.rng.randint(10, 400))
        elif self.rng.random() < 0.85:
            when = day - timedelta(days=self.rng.randint(0, 60))
        else:
            when = day - timedelta(days=self.rng.randint(365, 15 * 365))
        when = min(max(when, FIRST_DAY), LAST_DAY)
        precision = self.rng.choices((DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR), weights=(45, 35, 20))[0]
        start = {DatePrecision.DAY: when.isoformat(), DatePrecision.MONTH: when.isoformat()[:7], DatePrecision.YEAR: str(when.year)}
        return EventTime(start=start[precision], precision=precision)

    def amount(self, act: Act) -> int | None:
        if act.predicate.value == "arms_deal":
            return self.rng.choice((40, 75, 120, 250, 400, 600, 900, 1200, 2000, 3500))
        if not act.counted or self.rng.random() > 0.4:
            return None
        raw = 10 ** self.rng.uniform(1, 4.7)
        digits = len(str(int(raw))) - 2
        return int(round(raw, -digits)) if digits > 0 else int(raw)

    def fact(self, day: date, *, arabic: bool, rare: bool) -> Fact:
        while True:
            act = RARE_ACT if rare else self.rng.choices(ACTS, weights=[a.weight for a in ACTS])[0]
            if arabic and not act.in_arabic:
                continue
            if act.official:
                subject = self.cast.official(self.cast.country(), day.year)
                if arabic and subject not in self.cast.arabic:
                    continue
                partner = self.cast.country(exclude=self.ds.actors[subject].speaks_for)
            else:
                subject = self.cast.party(arabic=arabic)
                partner = self.cast.party(arabic=arabic, exclude=subject)
            break
        options = modalities(act, arabic=arabic)
        modality, _, negatable = self.rng.choices(options, weights=[w for _, w, _ in options])[0]
        negated = negatable and self.rng.random() < 0.1
        observed = negated and modality is Modality.ACTUAL and self.rng.random() < 0.3
        return Fact(
            act=act, subject=subject, partner=partner, thing=self.rng.choice(act.things) if act.things else None,
            amount=self.amount(act), approximate=self.rng.random() < 0.2, event=self.event(day, modality), modality=modality,
            polarity=Polarity.NEGATED if negated else Polarity.AFFIRMED,
            evidential=Evidential.OBSERVED if observed else Evidential.ASSERTED,
        )

    def disagreeing(self, fact: Fact, *, arabic: bool) -> tuple[Fact, ContradictionKind, str] | None:
        """A fact that disagrees with an earlier one, and how; None when none fits."""
        options: list[tuple[Fact, ContradictionKind, str]] = []
        if fact.polarity is Polarity.AFFIRMED and fact.modality in (Modality.ACTUAL, Modality.PLANNED, Modality.EXPECTED):
            options.append((replace(fact, polarity=Polarity.NEGATED), ContradictionKind.NEGATION,
                            "One report says it; the other denies it."))
            if fact.modality is Modality.ACTUAL:
                options.append((replace(fact, polarity=Polarity.NEGATED, evidential=Evidential.OBSERVED),
                                ContradictionKind.NON_CONFIRMATION, "One report says it happened; the other sees no sign of it."))
        if fact.modality is Modality.PLANNED and fact.polarity is Polarity.AFFIRMED and fact.act.arms:
            options.append((replace(fact, modality=Modality.ABANDONED), ContradictionKind.SUPERSESSION,
                            "A plan reported earlier is reported dropped later."))
        if fact.amount is not None and fact.act.counted and not arabic:
            other = fact.amount * self.rng.choice((2, 3)) if self.rng.random() < 0.5 else max(1, fact.amount // 2)
            options.append((replace(fact, amount=other), ContradictionKind.NUMERIC_MISMATCH,
                            f"The reports give different figures: {fact.amount:,} and {other:,}."))
        if fact.event is not None and fact.event.precision is not DatePrecision.YEAR:
            start = fact.event.start
            year, month = int(start[:4]), int(start[5:7])
            shifted = year * 12 + month - 1 + self.rng.randint(2, 8)
            new_start = f"{shifted // 12:04d}-{shifted % 12 + 1:02d}"
            if fact.event.precision is DatePrecision.DAY:
                new_start += f"-{min(int(start[8:10]), 28):02d}"  # a day every month has
            if shifted // 12 <= LAST_DAY.year:
                event = EventTime(start=new_start, precision=fact.event.precision)
                options.append((replace(fact, event=event), ContradictionKind.DATE_MISMATCH,
                                f"The reports date it differently: {start} and {new_start}."))
        return self.rng.choice(options) if options else None
