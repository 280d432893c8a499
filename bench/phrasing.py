"""How the synthetic corpus says things: the acts claims assert, and their English and Arabic sentences.

A `Fact` is a claim's structure (who does what to whom, when, how surely); `core_en` and `core_ar` word it
as a clause, which an article then frames as narration, a relayed report, or someone's direct or indirect
speech. Arabic clauses are built on verbal nouns (تسليم مصر صواريخ إلى روسيا, "Egypt's delivery of missiles
to Russia") so that no verb has to agree with its subject.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench import lexicon as lx
from schemas.common import EventTime
from schemas.vocab import DatePrecision, Evidential, Modality, Polarity, Predicate


@dataclass(frozen=True)
class Act:
    """A kind of claim: its predicate, and how it is worded."""

    predicate: Predicate
    partner: str  # the claim field that names the other party: "recipient" or "object"
    verb: tuple[str, str, str]  # base, past, participle
    rest: str  # after the verb: {q} a quantity, {o} the thing, {p} the partner
    arabic: str  # the verbal-noun phrase: {s} subject, {o} thing, {p} partner
    things: tuple[tuple[str, str], ...] = ()  # (English, Arabic); empty: the claim has no object label
    label: str = "{o}"  # the object label, from the thing
    counted: bool = False  # may carry a quantity of the thing
    arms: bool = False  # every modality applies; otherwise actual, planned, expected, intended, possible
    weight: float = 1.0
    official: bool = False  # the subject is an official, not a party
    in_arabic: bool = True


ACTS = (
    Act(Predicate.SUPPLY_ARMS, "recipient", ("deliver", "delivered", "delivered"), "{q}{o} to {p}", "تسليم {s} {o} إلى {p}",
        lx.ARMS, counted=True, arms=True, weight=12),
    Act(Predicate.PRODUCE_ARMS, "recipient", ("produce", "produced", "produced"), "{q}{o} for {p}", "إنتاج {s} {o} لصالح {p}",
        lx.ARMS, counted=True, arms=True, weight=5),
    Act(Predicate.ACQUIRE_ARMS, "recipient", ("buy", "bought", "bought"), "{q}{o} from {p}", "شراء {s} {o} من {p}",
        lx.ARMS, counted=True, arms=True, weight=6),
    Act(Predicate.ARMS_DEAL, "recipient", ("sign", "signed", "signed"), "an arms deal worth {m} million dollars with {p}",
        "توقيع {s} صفقة أسلحة بقيمة {m} مليون دولار مع {p}", (("arms deal", "صفقة أسلحة"),), arms=True, weight=4),
    Act(Predicate.SUSPEND_ARMS_SUPPLY, "recipient", ("suspend", "suspended", "suspended"), "deliveries of {o} to {p}",
        "تعليق {s} توريد {o} إلى {p}", lx.ARMS, arms=True, weight=2),
    Act(Predicate.HOLD_TALKS, "object", ("hold", "held", "held"), "{o} talks with {p}", "إجراء {s} مباحثات {o} مع {p}",
        lx.TALKS, label="{o} talks", weight=10),
    Act(Predicate.VISIT, "object", ("visit", "visited", "visited"), "{p}", "زيارة {s} إلى {p}", official=True, weight=6),
    Act(Predicate.SIGN_AGREEMENT, "recipient", ("sign", "signed", "signed"), "an agreement on {o} with {p}",
        "توقيع {s} اتفاقية بشأن {o} مع {p}", lx.TOPICS, label="agreement on {o}", weight=6),
    Act(Predicate.MILITARY_COOPERATION, "object", ("expand", "expanded", "expanded"), "military cooperation with {p}",
        "توسيع التعاون العسكري بين {s} و{p}", weight=5),
    Act(Predicate.JOINT_EXERCISE, "object", ("hold", "held", "held"), "a joint {o} exercise with {p}",
        "إجراء {s} مناورات {o} مشتركة مع {p}", lx.EXERCISES, label="joint {o} exercise", weight=4),
    Act(Predicate.TRAIN_PERSONNEL, "recipient", ("train", "trained", "trained"), "{q}{o} from {p}", "تدريب {s} {o} من {p}",
        (("officers", "ضباط"), ("soldiers", "جنود"), ("pilots", "طيارين")), counted=True, weight=3),
    Act(Predicate.DISCUSS, "recipient", ("discuss", "discussed", "discussed"), "{o} with {p}", "مناقشة {s} {o} مع {p}",
        lx.TOPICS, weight=8),
    Act(Predicate.PROVIDE_AID, "recipient", ("provide", "provided", "provided"), "{o} to {p}", "تقديم {s} {o} إلى {p}",
        lx.AID, weight=5),
    Act(Predicate.PRAISE, "object", ("praise", "praised", "praised"), "the position of {p} on {o}", "إشادة {s} بموقف {p} من {o}",
        lx.TOPICS, label="position on {o}", weight=3),
    Act(Predicate.PRESSURE, "object", ("press", "pressed", "pressed"), "{p} over {o}", "ضغط {s} على {p} بشأن {o}",
        lx.TOPICS, label="pressure over {o}", weight=3),
    Act(Predicate.FRIENDLY_RELATIONS, "object", ("have", "had", "had"), "friendly relations with {p}", "", weight=2, in_arabic=False),
    Act(Predicate.RELATIONS_WORSEN, "object", ("strain", "strained", "strained"), "relations with {p}", "", weight=2, in_arabic=False),
    Act(Predicate.EXPRESS_INTEREST, "recipient", ("express", "expressed", "expressed"), "interest in working with {p} on {o}",
        "اهتمام {s} بالعمل مع {p} في مجال {o}", lx.TOPICS, weight=3),
    Act(Predicate.REQUEST, "recipient", ("ask", "asked", "asked"), "{p} for help with {o}", "طلب {s} من {p} المساعدة في {o}",
        lx.TOPICS, label="help with {o}", weight=3),
    Act(Predicate.COMMIT, "recipient", ("reaffirm", "reaffirmed", "reaffirmed"), "its commitment to work with {p} on {o}",
        "تأكيد {s} الالتزام بالعمل مع {p} في مجال {o}", lx.TOPICS, weight=3),
)
RARE_ACT = Act(Predicate.SUPPLY_ARMS, "recipient", ("deliver", "delivered", "delivered"), "{q}{o} to {p}", "",
               ((lx.RARE_WORD, ""),), counted=True, in_arabic=False)

# Modalities: (modality, weight, may be negated); the Arabic wordings exist for some only.
MODALITIES = (
    (Modality.ACTUAL, 60, True), (Modality.PLANNED, 10, True), (Modality.EXPECTED, 10, True), (Modality.INTENDED, 5, True),
    (Modality.WILLING, 3, True), (Modality.CONSIDERED, 2, False), (Modality.POSSIBLE, 4, False),
    (Modality.ABANDONED, 3, False), (Modality.REFUSED, 3, False),
)
COMMON = {Modality.ACTUAL, Modality.PLANNED, Modality.EXPECTED, Modality.INTENDED, Modality.POSSIBLE}
ARABIC = {Modality.ACTUAL, Modality.PLANNED, Modality.EXPECTED, Modality.INTENDED, Modality.POSSIBLE, Modality.ABANDONED}


@dataclass(frozen=True)
class Fact:
    """What a claim asserts, before it is worded."""

    act: Act
    subject: str
    partner: str
    thing: tuple[str, str] | None
    amount: int | None  # a count of the thing, or millions of dollars for an arms deal
    approximate: bool
    event: EventTime | None
    modality: Modality
    polarity: Polarity
    evidential: Evidential

    @property
    def label(self) -> str | None:
        return self.act.label.format(o=self.thing[0]) if self.thing else None


def modalities(act: Act, *, arabic: bool) -> list[tuple[Modality, int, bool]]:
    allowed = {m for m, _, _ in MODALITIES} if act.arms else COMMON
    return [(m, w, neg) for m, w, neg in MODALITIES if m in allowed and (not arabic or m in ARABIC)]


def when_en(event: EventTime | None) -> str:
    if event is None:
        return ""
    parts = event.start.split("-")
    if event.precision is DatePrecision.YEAR:
        return f" in {parts[0]}"
    month = lx.MONTHS[int(parts[1]) - 1]
    if event.precision is DatePrecision.MONTH:
        return f" in {month} {parts[0]}"
    return f" on {int(parts[2])} {month} {parts[0]}"


def when_ar(event: EventTime | None) -> str:
    if event is None:
        return ""
    parts = event.start.split("-")
    if event.precision is DatePrecision.YEAR:
        return f" في عام {parts[0]}"
    month = lx.MONTHS_AR[int(parts[1]) - 1]
    if event.precision is DatePrecision.MONTH:
        return f" في {month} {parts[0]}"
    return f" في {int(parts[2])} {month} {parts[0]}"


def _rest(fact: Fact, partner: str, thing: str) -> str:
    quantity = ""
    if fact.amount is not None and fact.act.counted:
        quantity = f"{'about ' if fact.approximate else ''}{fact.amount:,} "
    return fact.act.rest.format(q=quantity, o=thing, p=partner, m=fact.amount)


def core_en(fact: Fact, subject: str, partner: str) -> str:
    """The claim as an English clause (no final period), with the names given for the subject and the partner."""
    base, past, participle = fact.act.verb
    rest = _rest(fact, partner, fact.thing[0] if fact.thing else "")
    when = when_en(fact.event)
    if fact.evidential is Evidential.OBSERVED:
        return f"there is no sign that {subject} {past} {rest}{when}"
    negated = fact.polarity is Polarity.NEGATED
    verb_phrase = {
        Modality.ACTUAL: f"did not {base}" if negated else past,
        Modality.PLANNED: f"had no plan to {base}" if negated else f"planned to {base}",
        Modality.EXPECTED: f"is not expected to {base}" if negated else f"is expected to {base}",
        Modality.INTENDED: f"does not seek to {base}" if negated else f"seeks to {base}",
        Modality.WILLING: f"is not ready to {base}" if negated else f"is ready to {base}",
        Modality.CONSIDERED: f"is considering whether to {base}",
        Modality.POSSIBLE: f"may have {participle}",
        Modality.ABANDONED: f"dropped a plan to {base}",
        Modality.REFUSED: f"refused to {base}",
    }[fact.modality]
    return f"{subject} {verb_phrase} {rest}{when}"


def core_ar(fact: Fact, subject: str, partner: str) -> str:
    """The claim as an Arabic clause (no final period), around the verbal-noun phrase."""
    noun = fact.act.arabic.format(s=subject, o=fact.thing[1] if fact.thing else "", p=partner, m=fact.amount)
    negated = fact.polarity is Polarity.NEGATED
    if fact.evidential is Evidential.OBSERVED:
        frame = "لا توجد أي مؤشرات على {}"
    else:
        frame = {
            Modality.ACTUAL: "لم يجر {}" if negated else "جرى {}",
            Modality.PLANNED: "لا توجد خطة ل{}" if negated else "وضعت خطة ل{}",
            Modality.EXPECTED: "من غير المتوقع {}" if negated else "من المتوقع {}",
            Modality.INTENDED: "لا توجد مساع ل{}" if negated else "هناك مساع ل{}",
            Modality.POSSIBLE: "من المحتمل أنه جرى {}",
            Modality.ABANDONED: "جرى التراجع عن خطة ل{}",
        }[fact.modality]
    return frame.format(noun) + when_ar(fact.event)


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]
