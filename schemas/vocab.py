"""Controlled vocabularies.

Every term carries a one-line description. The descriptions travel into the OpenAPI document
(as the enum's description and as ``x-enum-descriptions``) so that generated clients and their
users see what each term means. Vocabularies grow: each enum's description tells clients to accept
a value they do not know yet.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

UNKNOWN_VALUES = (
    "The vocabulary grows without a new API version: a client must accept a value it does not know (show it as"
    " it is, or treat it as \"other\") rather than fail."
)


class DescribedEnum(StrEnum):
    """A string enum whose members are declared as ``NAME = ("value", "description")``."""

    description: str

    def __new__(cls, value: str, description: str = "") -> DescribedEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema = handler.resolve_ref_schema(json_schema)
        lines = [(cls.__doc__ or "").strip(), ""]
        lines += [f"- `{m.value}`: {m.description}" for m in cls]
        lines += ["", UNKNOWN_VALUES]
        json_schema["description"] = "\n".join(lines).strip()
        json_schema["x-enum-descriptions"] = {m.value: m.description for m in cls}
        return json_schema

    @classmethod
    def terms(cls) -> dict[str, str]:
        return {m.value: m.description for m in cls}


class ActorKind(DescribedEnum):
    """What kind of actor this is."""

    PERSON = ("person", "A named or unnamed individual.")
    GROUP = ("group", "An unnamed or loosely defined set of people (\"officials\", \"subordinates\").")
    COUNTRY = ("country", "A state, as a party to relations.")
    GOVERNMENT_BODY = ("government_body", "A ministry, council, committee or other state institution.")
    ARMED_FORCES = ("armed_forces", "A military, or a branch or unit of one.")
    AGENCY = ("agency", "A state-owned company or agency acting for a state (e.g. an arms export agency).")
    ORGANIZATION = ("organization", "A non-state organization or international body.")
    ALLIANCE = ("alliance", "A coalition or grouping of states (e.g. BRICS, a military coalition).")
    COMPANY = ("company", "A private company.")
    MEDIA_OUTLET = ("media_outlet", "A newspaper, news site, agency or broadcaster.")
    PLATFORM = ("platform", "An online service on which material is posted (e.g. a chat app).")
    DOCUMENT = ("document", "A document or set of documents that asserts things (e.g. a leaked file).")
    PLACE = ("place", "A city, region, sea or site, used as a claim's location.")


class SourceKind(DescribedEnum):
    """What kind of source this is."""

    NEWS_ARTICLE = ("news_article", "An article published by a news outlet.")
    WIRE_REPORT = ("wire_report", "A report or dispatch by a news or wire agency.")
    OFFICIAL_STATEMENT = ("official_statement", "A statement issued by a government body or official.")
    PRESS_BRIEFING = ("press_briefing", "A spoken briefing to the press by an official.")
    INTERVIEW = ("interview", "Remarks given to a named outlet or interviewer.")
    LEAKED_DOCUMENT = ("leaked_document", "A document, or a body of documents, published without authorization.")
    DOCUMENT = ("document", "A document whose kind and provenance the citing text does not state.")
    SOCIAL_MEDIA_POST = ("social_media_post", "A post on a social network or chat platform.")
    PHOTO = ("photo", "A photograph with its caption, credited to an agency.")


class Predicate(DescribedEnum):
    """What the claim asserts the subject does or is, relative to its object and recipient.

    Predicates name propositions, not speech acts: a plan, a denial and an abandonment of the same
    act share one predicate and differ in `modality` and `polarity`, so the same proposition is
    recognizable across documents and languages.
    """

    # arms and military
    PRODUCE_ARMS = ("produce_arms", "Subject manufactures weapons or munitions (object), for the recipient if any.")
    SUPPLY_ARMS = ("supply_arms", "Subject delivers, ships or sends weapons or munitions (object) to the recipient.")
    ACQUIRE_ARMS = ("acquire_arms", "Subject buys or obtains weapons or munitions (object), from the recipient if any.")
    ARMS_DEAL = ("arms_deal", "Subject concludes an arms sale agreement with the recipient (value in quantity).")
    SUSPEND_ARMS_SUPPLY = ("suspend_arms_supply", "Subject halts deliveries of weapons (object) to the recipient.")
    REPAIR_EQUIPMENT = ("repair_equipment", "Subject repairs or services military equipment (object) of the recipient.")
    MILITARY_COOPERATION = ("military_cooperation", "Subject and object cooperate in military or military-technical affairs.")
    SECURITY_COOPERATION = ("security_cooperation", "Subject and object cooperate on security, intelligence or law enforcement (object label: the field).")
    ECONOMIC_COOPERATION = ("economic_cooperation", "Subject and object cooperate economically (object label: the field).")
    COOPERATE = ("cooperate", "Subject and object cooperate in general or in several fields at once.")
    TRAIN_PERSONNEL = ("train_personnel", "Subject trains personnel of the recipient.")
    JOINT_EXERCISE = ("joint_exercise", "Subject holds a military exercise together with the object.")
    MILITARY_OPERATION = ("military_operation", "Subject conducts military operations against the object, at the location.")
    DIVERSIFY_SUPPLIERS = ("diversify_suppliers", "Subject seeks weapons from new suppliers.")
    # diplomacy
    MEET = ("meet", "Subject meets the object (an actor), at the location.")
    VISIT = ("visit", "Subject travels to the location (or the object country).")
    HOLD_TALKS = ("hold_talks", "Subject holds talks or consultations with the object.")
    LEAD_DELEGATION = ("lead_delegation", "Subject heads a delegation (object).")
    DISCUSS = ("discuss", "Subject discusses a topic (object label) with the recipient, in talks or a meeting.")
    SIGN_AGREEMENT = ("sign_agreement", "Subject signs an agreement (object label) with the recipient.")
    # stances and relations
    ALLIED_WITH = ("allied_with", "Subject is a close ally or partner of the object.")
    FRIENDLY_RELATIONS = ("friendly_relations", "Subject and object have friendly relations, short of an alliance.")
    ADVERSARY_OF = ("adversary_of", "Subject is an adversary or enemy of the object.")
    RELATIONS_IMPROVE = ("relations_improve", "Relations between subject and object grow closer or improve.")
    RELATIONS_WORSEN = ("relations_worsen", "Relations between subject and object cool, strain or worsen.")
    RECONSIDER_RELATIONS = ("reconsider_relations", "Subject reassesses or may reassess its relationship with the object.")
    EXPRESS_INTEREST = ("express_interest", "Subject states an interest in something (object label), with the recipient if any.")
    EXPRESS_FRUSTRATION = ("express_frustration", "Subject is frustrated with the object.")
    PRAISE = ("praise", "Subject welcomes or praises the object (an actor or a decision).")
    PRESSURE = ("pressure", "Subject presses the object (an actor) to act (detail in statement).")
    REQUEST = ("request", "Subject asks the recipient for something (object label).")
    REMAIN_NEUTRAL = ("remain_neutral", "Subject keeps a neutral position on a conflict (object).")
    COMMIT = ("commit", "Subject affirms a commitment to something (object label).")
    PROVIDE_AID = ("provide_aid", "Subject gives aid (object label) to the recipient.")
    SUPPORT_REFORM = ("support_reform", "Subject supports political or social change in the object.")
    OWNS = ("owns", "Subject owns or controls the object (e.g. a state that owns a newspaper).")
    LOCATED_AT = ("located_at", "Subject (a person, unit or thing) is at the location.")
    # power and office
    COME_TO_POWER = ("come_to_power", "Subject takes power or office in the object (a country).")
    OUST = ("oust", "Subject removes the object (a government or leader) from power.")
    # instructions and secrecy
    ORDER = ("order", "Subject instructs the recipient to do something (object label).")
    KEEP_SECRET = ("keep_secret", "Subject keeps something (object label) secret.")
    # information
    REPORT = ("report", "Subject (an outlet or author) reports something (object label).")
    PUBLISH = ("publish", "Subject posts or publishes material (object), on a platform (location).")
    OBTAIN_DOCUMENT = ("obtain_document", "Subject obtains a document (object), from the location or recipient.")
    DOCUMENT_CONTENT = ("document_content", "A document (subject) contains or records something (object label).")
    STATE = ("state", "Subject states something that no narrower predicate captures; the statement says what.")


class Polarity(DescribedEnum):
    """Whether the proposition, as its modality qualifies it, is asserted or denied.

    Polarity negates the qualified claim: `negated` + `willing` is "not willing to"; a refusal is
    `affirmed` + `refused` (negating it would say the subject did not refuse).
    """

    AFFIRMED = ("affirmed", "The claimant asserts that the proposition holds.")
    NEGATED = ("negated", "The claimant asserts that it does not hold (including \"we have not seen it\").")


class Modality(DescribedEnum):
    """The status the claimant gives the proposition."""

    ACTUAL = ("actual", "It happened, happens or holds.")
    PLANNED = ("planned", "It was decided, ordered or prepared, but not (yet) shown to be done.")
    ABANDONED = ("abandoned", "It was planned and then dropped.")
    REFUSED = ("refused", "The subject declined to do it when asked or pressed.")
    EXPECTED = ("expected", "It is anticipated or scheduled to happen.")
    INTENDED = ("intended", "The subject seeks or wants it to happen.")
    WILLING = ("willing", "The subject says it is ready to do it.")
    CONSIDERED = ("considered", "The subject is weighing whether to do it.")
    POSSIBLE = ("possible", "It may hold: the source hedges it (\"likely\", \"could\").")
    CONDITIONAL = ("conditional", "It is asserted only if a condition holds (\"if it is true ...\").")
    NORMATIVE = ("normative", "The claimant says it should or must happen.")


class Evidential(DescribedEnum):
    """On what footing the claimant states it (evidentiality): what tells a denial from "not seen"."""

    ASSERTED = ("asserted", "Stated as fact, plan or position: a denial when negated.")
    OBSERVED = ("observed", "Reported as what the claimant has or has not seen or is aware of (\"we have not seen\", \"not aware of\").")
    INFERRED = ("inferred", "Concluded from other facts (\"suggests\", \"indicates\").")


class DatePrecision(DescribedEnum):
    """How much of a date is known."""

    DAY = ("day", "Year, month and day are known: `2023-02-17`.")
    MONTH = ("month", "Year and month are known: `2023-02`.")
    YEAR = ("year", "Only the year is known: `2023`.")


class ContradictionKind(DescribedEnum):
    """How the claims disagree."""

    NEGATION = ("negation", "One claim denies what the other asserts.")
    NON_CONFIRMATION = ("non_confirmation", "One claim reports that what the other asserts was not observed or confirmed.")
    SUPERSESSION = ("supersession", "A later claim replaces an earlier one (a plan dropped, a decision reversed).")
    NUMERIC_MISMATCH = ("numeric_mismatch", "The claims give different quantities for the same thing.")
    DATE_MISMATCH = ("date_mismatch", "The claims give different dates for the same event.")
    INCOMPATIBLE_STANCE = ("incompatible_stance", "A stated position and reported conduct do not fit together.")
    EXPECTATION_VS_OUTCOME = ("expectation_vs_outcome", "What was expected differs from what was later reported.")
    CHARACTERIZATION_CHANGE = ("characterization_change", "The same relationship is characterized differently.")
    QUOTE_DRIFT = ("quote_drift", "The same speaker's words are quoted differently in two sources of one citation chain.")


class Speech(DescribedEnum):
    """How an evidence span renders what it says: whose words they are.

    The claimant of a claim is whoever the words belong to. Direct speech is the speaker's own;
    indirect speech and narration are the reporter's (the document, or the source the passage
    relays), even when they report what someone said.
    """

    DIRECT = ("direct", "Direct speech: the span gives the speaker's own words, verbatim (quoted, or first person marked as theirs).")
    INDIRECT = ("indirect", "Indirect (reported) speech: the span renders, in the reporter's words, what the speaker said, wrote or showed.")
    NARRATION = ("narration", "The author's narration: the document's own voice (or that of the source it relays), reporting no one's speech.")


class CorroborationKind(DescribedEnum):
    """How the claims support each other."""

    SAME_PROPOSITION = ("same_proposition", "The claims assert the same proposition (the same act or state, by and to the same parties) in different passages.")
    CONSISTENT_OUTCOME = ("consistent_outcome", "Different propositions that point to the same outcome (deliveries not seen; the plan dropped).")
    FULFILMENT = ("fulfilment", "A later claim reports done what an earlier claim reported as sought, planned or expected.")


class CorroborationStatus(DescribedEnum):
    """Where the review of a corroboration stands."""

    PROPOSED = ("proposed", "A detection rule proposed it; not yet reviewed.")
    CONFIRMED = ("confirmed", "An analyst confirmed that the claims support each other.")
    REJECTED = ("rejected", "On review the claims do not support each other; `resolution` says why. The record is kept.")
    WITHDRAWN = ("withdrawn", "A rule proposed it and its basis is gone (a claim changed); kept in history, proposed again if it returns.")


class ContradictionStatus(DescribedEnum):
    """Where the analysis of a contradiction stands."""

    PROPOSED = ("proposed", "A detection rule proposed it; not yet reviewed.")
    OPEN = ("open", "The conflict stands; nothing in the sources settles it.")
    CONFIRMED = ("confirmed", "An analyst confirmed the claims do conflict; not yet settled.")
    RECONCILED = ("reconciled", "Both sides can hold (e.g. they describe different times); `resolution` says how.")
    RESOLVED = ("resolved", "The sources settle which side holds; `resolution` says which and why.")
    REJECTED = ("rejected", "On review the claims do not conflict; `resolution` says why. The record is kept.")
    WITHDRAWN = ("withdrawn", "A rule proposed it and its basis is gone (a claim changed); kept in history, proposed again if it returns.")


class ContradictionSide(DescribedEnum):
    """Which side of a contradiction a claim stands on."""

    A = ("a", "The first position (usually the earlier or the affirmative claim).")
    B = ("b", "The opposing position.")


class ClaimRole(DescribedEnum):
    """The part an actor plays in a claim."""

    SUBJECT = ("subject", "The actor the claim is about.")
    OBJECT = ("object", "The actor acted upon or met.")
    RECIPIENT = ("recipient", "The actor that receives, or is asked or addressed.")
    CLAIMANT = ("claimant", "The actor that asserts the claim: whose words its evidence is.")
    SPEAKER = ("speaker", "An actor whose speech the evidence reports, in their own words (direct) or the reporter's (indirect).")
    LOCATION = ("location", "The place where it happens.")


class DetectionRule(DescribedEnum):
    """A named, deterministic detection rule (`GET /v1/engine` describes each in full)."""

    OPPOSITE_POLARITY = ("opposite-polarity", "Affirmed and negated at times that can overlap: a negation, or a non_confirmation when not observed.")
    PLAN_ABANDONED = ("plan-abandoned", "Planned, sought, expected or offered, then abandoned: a supersession.")
    AIM_FULFILLED = ("aim-fulfilled", "Planned, sought, expected or offered, then done: a fulfilment (a corroboration).")
    QUANTITY_DIFFERS = ("quantity-differs", "One proposition, quantities in one unit that differ beyond rounding: a numeric_mismatch.")
    ONE_EVENT_TWO_DATES = ("one-event-two-dates", "A one-off event dated at times that cannot both hold: a date_mismatch.")
    STANCE_VS_CONDUCT = ("stance-vs-conduct", "A stated position and conduct the knowledge tables declare incompatible: an incompatible_stance.")
    OPPOSED_CHARACTERIZATIONS = ("opposed-characterizations", "One relationship characterized in ways declared opposed: a characterization_change.")
    QUOTE_DRIFT = ("quote-drift", "One speaker's direct words worded differently in two sources of one citation chain: a quote_drift.")
    SAME_STANCE = ("same-stance", "One proposition put the same way in different passages: a same_proposition corroboration.")
    SHARED_OUTCOME = ("shared-outcome", "Different predicates about one pair of parties that point to one outcome: a consistent_outcome.")
    OUTCOME_NOT_DONE = ("outcome-not-done", "Different claimants saying, differently, that the act did not happen: a consistent_outcome.")


class RelationOrigin(DescribedEnum):
    """Where a contradiction or corroboration comes from: a person, or the detection rule that proposed it."""

    CURATED = ("curated", "Recorded by a person: in the curated dataset, or written through the API.")
    OPPOSITE_POLARITY = (DetectionRule.OPPOSITE_POLARITY.value, DetectionRule.OPPOSITE_POLARITY.description)
    PLAN_ABANDONED = (DetectionRule.PLAN_ABANDONED.value, DetectionRule.PLAN_ABANDONED.description)
    AIM_FULFILLED = (DetectionRule.AIM_FULFILLED.value, DetectionRule.AIM_FULFILLED.description)
    QUANTITY_DIFFERS = (DetectionRule.QUANTITY_DIFFERS.value, DetectionRule.QUANTITY_DIFFERS.description)
    ONE_EVENT_TWO_DATES = (DetectionRule.ONE_EVENT_TWO_DATES.value, DetectionRule.ONE_EVENT_TWO_DATES.description)
    STANCE_VS_CONDUCT = (DetectionRule.STANCE_VS_CONDUCT.value, DetectionRule.STANCE_VS_CONDUCT.description)
    OPPOSED_CHARACTERIZATIONS = (DetectionRule.OPPOSED_CHARACTERIZATIONS.value, DetectionRule.OPPOSED_CHARACTERIZATIONS.description)
    QUOTE_DRIFT = (DetectionRule.QUOTE_DRIFT.value, DetectionRule.QUOTE_DRIFT.description)
    SAME_STANCE = (DetectionRule.SAME_STANCE.value, DetectionRule.SAME_STANCE.description)
    SHARED_OUTCOME = (DetectionRule.SHARED_OUTCOME.value, DetectionRule.SHARED_OUTCOME.description)
    OUTCOME_NOT_DONE = (DetectionRule.OUTCOME_NOT_DONE.value, DetectionRule.OUTCOME_NOT_DONE.description)


class RelationKind(DescribedEnum):
    """What a detection rule proposes: a contradiction or a corroboration."""

    CONTRADICTION = ("contradiction", "Claims that disagree (`/v1/contradictions`).")
    CORROBORATION = ("corroboration", "Claims that support each other (`/v1/corroborations`).")


class RecordKind(DescribedEnum):
    """A kind of record that another can refer to, or that blocks a delete while it refers to it."""

    ACTOR = ("actor", "An actor (`/v1/actors/{id}`).")
    SOURCE = ("source", "A source (`/v1/sources/{id}`).")
    CLAIM = ("claim", "A claim (`/v1/claims/{id}`).")
    CONTRADICTION = ("contradiction", "A contradiction (`/v1/contradictions/{id}`).")
    CORROBORATION = ("corroboration", "A corroboration (`/v1/corroborations/{id}`).")
    ROLE = ("role", "A role an actor holds, as a document attests it.")


class ChangeResource(DescribedEnum):
    """What a change in the feed changed."""

    ACTOR = (RecordKind.ACTOR.value, RecordKind.ACTOR.description)
    SOURCE = (RecordKind.SOURCE.value, RecordKind.SOURCE.description)
    CLAIM = (RecordKind.CLAIM.value, RecordKind.CLAIM.description)
    CONTRADICTION = (RecordKind.CONTRADICTION.value, RecordKind.CONTRADICTION.description)
    CORROBORATION = (RecordKind.CORROBORATION.value, RecordKind.CORROBORATION.description)
    ROLE = (RecordKind.ROLE.value, RecordKind.ROLE.description)
    KNOWLEDGE = ("knowledge", "The engine's declared knowledge tables (`GET /v1/engine`), as one record `tables`.")


class ChangeAction(DescribedEnum):
    """What a change did to its record."""

    CREATE = ("create", "The record was created: `before` is null.")
    UPDATE = ("update", "The record was changed: `before` and `after` are both given.")
    DELETE = ("delete", "The record was deleted (a tombstone remains): `after` is null.")
    REFRESH = ("refresh", "The record's data is unchanged but its view changed, because a record it shows changed (a"
               " relation proposed, reviewed or withdrawn, a proposition regrouped, a claim count, a name, an"
               " independence): `before` and `after` are null, and `etag` (and `view`) give the new view.")


class SearchField(DescribedEnum):
    """The field of a search hit that matches best."""

    NAME = ("name", "An actor's name, in any of its spellings.")
    DESCRIPTION = ("description", "An actor's description.")
    STATEMENT = ("statement", "A claim's statement.")
    QUOTE = ("quote", "A claim's evidence quote, in its own language.")
    TRANSLATION = ("translation", "The English translation of a claim's evidence quote.")
    TITLE = ("title", "A source's title.")
    TEXT = ("text", "A held document's full text.")
