"""Request examples for the write operations, as the OpenAPI document shows them.

Each is accepted as it stands by a server holding the shipped dataset (tests/api/test_examples.py posts
every one): its references name shipped records and its quotes are the shipped texts at their offsets
(Unicode code points). Clients and contract tests can start from them.
"""

from __future__ import annotations

from typing import Any

BUNA = "buna-times-2023-sisi-missiles-for-russia"
WAPO = "washington-post-2023-egypt-missiles-report"


def example(summary: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"summary": summary, "value": value}


CREATE: dict[str, dict[str, dict[str, Any]]] = {
    "actor": {"organization": example("A new organization, named in English and Arabic", {
        "id": "cairo-university", "kind": "organization", "name": "Cairo University",
        "names": [{"value": "Cairo University", "language": "en"}, {"value": "جامعة القاهرة", "language": "ar"}],
        "description": "A public university in Giza, Egypt.",
    })},
    "source": {"article": example("A source the project does not hold (no text): an article known by its URL", {
        "id": "example-daily-2023-04-20-egypt-rockets", "kind": "news_article",
        "title": "Egypt shelves rocket plan, officials say", "publisher": "washington-post", "language": "en",
        "published": {"date": "2023-04-20", "precision": "day"},
        "url": "https://example.org/2023/04/20/egypt-rockets",
    })},
    "claim": {"relayed": example("A claim the article relays from the Washington Post, quoted at its offsets", {
        "id": "shukri-traveled-to-moscow-after-blinken-visit",
        "statement": "Egyptian Foreign Minister Sameh Shukri traveled to Moscow for talks with Russian leaders.",
        "subject": "sameh-shukri", "predicate": "visit", "location": "moscow", "claimant": "washington-post",
        "evidence": [{
            "source": BUNA, "attributed_to": WAPO, "speech": "narration",
            "quote": "Egyptian Foreign Minister Sameh Shukri traveled to Moscow for talks with Russian leaders",
            "start": 1888, "end": 1976,
        }],
    })},
    "contradiction": {"stance": example("Two shipped claims set against each other", {
        "id": "neutral-stance-vs-shifts-for-russia", "kind": "incompatible_stance",
        "explanation": "A neutral position on the war does not sit with a defense minister ready to order work in shifts"
        " to thank Russia.",
        "claims": [
            {"claim": "wsj-egypt-wants-neutral-stance-on-russia-ukraine-war", "side": "a"},
            {"claim": "salah-al-din-would-order-work-in-shifts-to-thank-russia", "side": "b"},
        ],
    })},
    "corroboration": {"outcome": example("A 2013 interest borne out by a 2015 plan", {
        "id": "expanding-military-cooperation-2013-2015", "kind": "consistent_outcome",
        "explanation": "Egypt's interest in expanding military cooperation with Moscow (2013) is consistent with the two"
        " countries' plan to expand it (2015).",
        "claims": [
            "officials-say-egypt-interested-in-expanding-military-cooperation-with-russia",
            "shoigu-says-russia-egypt-plan-to-expand-military-cooperation",
        ],
    })},
    "role": {"attested": example("A role attested in a held document", {
        "title": "Secretary of State", "of": "united-states",
        "evidence": [{"source": BUNA, "quote": "Secretary of State Anthony Blinken", "start": 1761, "end": 1795}],
    })},
}
