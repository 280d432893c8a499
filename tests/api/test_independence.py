"""Whether a corroboration is independent, one origin rule at a time, over HTTP on records written
through the API: citation chains, one document, one party; and re-rendering when a party changes.

The records are fictional (Borduria, Syldavia) so that no curated record takes part.
"""

from __future__ import annotations

import pytest

from tests.conftest import walk
from tests.test_storage import stale_views

pytestmark = pytest.mark.anyio


def actor_body(actor_id: str, kind: str, name: str, **extra) -> dict:
    return {"id": actor_id, "kind": kind, "name": name, "names": [{"value": name, "language": "en"}],
            "description": f"{name} (a test actor).", **extra}


def source_body(source_id: str, kind: str, title: str, **extra) -> dict:
    return {"id": source_id, "kind": kind, "title": title, "language": "en", **extra}


async def post(client, auth, resource: str, body: dict) -> dict:
    response = await client.post(f"/v1/{resource}", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


async def post_all(client, auth, resource: str, bodies: list[dict]) -> None:
    for body in bodies:
        await post(client, auth, resource, body)


def evidence(source_id: str, text: str, quote: str, speech: str, speaker: str | None = None, **extra) -> dict:
    start = text.index(quote)
    item = {"source": source_id, "quote": quote, "start": start, "end": start + len(quote), "speech": speech, **extra}
    return item | ({"speaker": speaker} if speaker else {})


def claim_body(claim_id: str, statement: str, subject: str, predicate: str, claimant: str, ev: dict, **extra) -> dict:
    return {"id": claim_id, "statement": statement, "subject": subject, "predicate": predicate, "claimant": claimant,
            "evidence": [ev], **extra}


async def corroborate(client, auth, corroboration_id: str, claims: list[str]) -> dict:
    return await post(client, auth, "corroborations", {
        "id": corroboration_id, "claims": claims, "explanation": "Both say the same thing (a test corroboration).",
    })


def origin_of(view: dict) -> tuple[bool, list[str], list[str]]:
    """(independent, shared origin ids, shared party ids) of a corroboration view."""
    return view["independent"], [s["id"] for s in view["shared_origins"]], [a["id"] for a in view["shared_parties"]]


async def states_and_outlets(client, auth) -> None:
    await post_all(client, auth, "actors", [
        actor_body("borduria", "country", "Borduria"),
        actor_body("syldavia", "country", "Syldavia"),
        actor_body("north-gazette", "media_outlet", "North Gazette"),
        actor_body("south-herald", "media_outlet", "South Herald"),
    ])


# -- rule 1: citation chains

NORTH_TEXT = "According to the Capital Daily, leaked cables show that Borduria plans to sell tanks to Syldavia."
SOUTH_TEXT = "The Evening Post reports, citing leaked cables, that Borduria plans to sell tanks to Syldavia."
TANK_QUOTE = "Borduria plans to sell tanks to Syldavia"


async def two_reports_relaying(client, auth, leaks: tuple[str, str]) -> dict:
    """Two outlets' documents, each relaying a different report; the reports cite `leaks`. Returns the
    corroboration of the two outlets' claims."""
    await states_and_outlets(client, auth)
    await post_all(client, auth, "sources", [
        source_body(leak, "leaked_document", f"Leaked Bordurian cables ({leak})") for leak in dict.fromkeys(leaks)
    ])
    await post_all(client, auth, "sources", [
        source_body("capital-daily-tank-report", "news_article", "Capital Daily on the tank sale", cites=[leaks[0]]),
        source_body("evening-post-tank-report", "news_article", "Evening Post on the tank sale", cites=[leaks[1]]),
        source_body("north-gazette-tank-story", "news_article", "North Gazette on the tank sale", publisher="north-gazette",
                    cites=["capital-daily-tank-report"], text=NORTH_TEXT),
        source_body("south-herald-tank-story", "news_article", "South Herald on the tank sale", publisher="south-herald",
                    cites=["evening-post-tank-report"], text=SOUTH_TEXT),
    ])
    common = {"predicate": "supply_arms", "recipient": "syldavia", "object": {"label": "tanks"}, "modality": "planned"}
    # The reporters' own words relaying another report: narration, attributed to the report, the outlet's claim.
    await post(client, auth, "claims", claim_body(
        "north-gazette-says-borduria-plans-tank-sale", "Borduria plans to sell tanks to Syldavia, leaked cables show.",
        "borduria", claimant="north-gazette", **common,
        ev=evidence("north-gazette-tank-story", NORTH_TEXT, TANK_QUOTE, "narration", attributed_to="capital-daily-tank-report"),
    ))
    await post(client, auth, "claims", claim_body(
        "south-herald-says-borduria-plans-tank-sale", "Borduria plans to sell tanks to Syldavia, leaked cables show.",
        "borduria", claimant="south-herald", **common,
        ev=evidence("south-herald-tank-story", SOUTH_TEXT, TANK_QUOTE, "narration", attributed_to="evening-post-tank-report"),
    ))
    return await corroborate(client, auth, "tank-sale-in-two-outlets",
                             ["north-gazette-says-borduria-plans-tank-sale", "south-herald-says-borduria-plans-tank-sale"])


async def test_reports_relaying_two_reports_of_one_leak_share_the_leak(client, auth):
    created = await two_reports_relaying(client, auth, ("bordurian-cable-leak", "bordurian-cable-leak"))
    assert origin_of(created) == (False, ["bordurian-cable-leak"], [])
    assert (created["kind"], created["status"], created["resolution"]) == ("same_proposition", "confirmed", None)
    assert (await client.get("/v1/corroborations/tank-sale-in-two-outlets")).json() == created


async def test_reports_relaying_reports_of_different_leaks_are_independent(client, auth):
    created = await two_reports_relaying(client, auth, ("bordurian-cable-leak", "bordurian-memo-leak"))
    assert origin_of(created) == (True, [], [])
    assert (await client.get("/v1/corroborations/tank-sale-in-two-outlets")).json() == created


async def test_report_relaying_a_held_document_shares_it_with_a_claim_quoted_from_it(client, auth):
    statement = "Borduria will deliver tanks to Syldavia in May."
    story = "Borduria will deliver tanks to Syldavia in May, according to a statement by its defence ministry."
    await states_and_outlets(client, auth)
    await post(client, auth, "actors", actor_body("bordurian-defence-ministry", "government_body", "Bordurian defence ministry",
                                                  speaks_for="borduria"))
    await post_all(client, auth, "sources", [
        source_body("bordurian-tank-statement", "official_statement", "Statement on tank deliveries",
                    publisher="bordurian-defence-ministry", text=statement),
        source_body("north-gazette-tank-statement-story", "news_article", "Tanks in May", publisher="north-gazette",
                    cites=["bordurian-tank-statement"], text=story),
    ])
    common = {"subject": "borduria", "predicate": "supply_arms", "recipient": "syldavia", "object": {"label": "tanks"},
              "modality": "expected"}
    quote = "Borduria will deliver tanks to Syldavia in May"
    await post(client, auth, "claims", claim_body(
        "bordurian-ministry-says-tanks-in-may", "Borduria will deliver tanks to Syldavia in May.",
        claimant="bordurian-defence-ministry", ev=evidence("bordurian-tank-statement", statement, quote, "narration"), **common,
    ))
    await post(client, auth, "claims", claim_body(
        "north-gazette-says-tanks-in-may", "Borduria will deliver tanks to Syldavia in May.", claimant="north-gazette",
        ev=evidence("north-gazette-tank-statement-story", story, quote, "narration", attributed_to="bordurian-tank-statement"),
        **common,
    ))
    created = await corroborate(client, auth, "tanks-in-may-statement-and-report",
                                ["bordurian-ministry-says-tanks-in-may", "north-gazette-says-tanks-in-may"])
    assert origin_of(created) == (False, ["bordurian-tank-statement"], [])


# -- rule 2: one document

async def test_headline_and_the_quote_it_sums_up_share_their_document(client, auth):
    text = 'Borduria will not arm Syldavia\n"We will not send weapons to Syldavia," Foreign Minister Olaf Kral said on Monday.'
    await states_and_outlets(client, auth)
    await post(client, auth, "actors", actor_body("olaf-kral", "person", "Olaf Kral", speaks_for="borduria"))
    await post(client, auth, "sources", source_body(
        "north-gazette-no-arms-story", "news_article", "Borduria will not arm Syldavia", publisher="north-gazette", text=text,
    ))
    common = {"subject": "borduria", "predicate": "supply_arms", "recipient": "syldavia", "polarity": "negated",
              "modality": "expected"}
    await post(client, auth, "claims", claim_body(
        "gazette-headline-borduria-will-not-arm-syldavia", "Borduria will not arm Syldavia.", claimant="north-gazette",
        ev=evidence("north-gazette-no-arms-story", text, "Borduria will not arm Syldavia", "narration"), **common,
    ))
    await post(client, auth, "claims", claim_body(
        "kral-says-borduria-will-not-send-weapons-to-syldavia", "Olaf Kral said Borduria will not send weapons to Syldavia.",
        claimant="olaf-kral", ev=evidence("north-gazette-no-arms-story", text, '"We will not send weapons to Syldavia,"',
                                           "direct", "olaf-kral"), **common,
    ))
    created = await corroborate(client, auth, "no-arms-headline-and-quote", [
        "gazette-headline-borduria-will-not-arm-syldavia", "kral-says-borduria-will-not-send-weapons-to-syldavia",
    ])
    assert origin_of(created) == (False, ["north-gazette-no-arms-story"], [])
    claim = (await client.get("/v1/claims/gazette-headline-borduria-will-not-arm-syldavia")).json()
    [entry] = claim["corroborations"]
    assert (entry["id"], entry["independent"]) == ("no-arms-headline-and-quote", False)
    assert [s["id"] for s in entry["shared_origins"]] == ["north-gazette-no-arms-story"]
    assert [c["claim_id"] for c in entry["claims"]] == ["kral-says-borduria-will-not-send-weapons-to-syldavia"]


async def test_distinct_speakers_of_different_parties_in_one_document_are_independent(client, auth):
    text = ('"We held talks with our Syldavian partners in Szohod," Bordurian minister Olaf Kral said.'
            ' "We met the Bordurian delegation in Szohod," Syldavian envoy Petar Vuk said.')
    await states_and_outlets(client, auth)
    await post_all(client, auth, "actors", [
        actor_body("olaf-kral", "person", "Olaf Kral", speaks_for="borduria"),
        actor_body("petar-vuk", "person", "Petar Vuk", speaks_for="syldavia"),
    ])
    await post(client, auth, "sources", source_body(
        "south-herald-szohod-talks", "news_article", "Talks in Szohod", publisher="south-herald", text=text,
    ))
    await post(client, auth, "claims", claim_body(
        "kral-says-borduria-held-talks-with-syldavia", "Olaf Kral said Borduria held talks with Syldavia in Szohod.",
        "borduria", "hold_talks", "olaf-kral", object={"actor": "syldavia"},
        ev=evidence("south-herald-szohod-talks", text, '"We held talks with our Syldavian partners in Szohod,"', "direct", "olaf-kral"),
    ))
    await post(client, auth, "claims", claim_body(
        "vuk-says-syldavia-held-talks-with-borduria", "Petar Vuk said Syldavia met the Bordurian delegation in Szohod.",
        "syldavia", "hold_talks", "petar-vuk", object={"actor": "borduria"},
        ev=evidence("south-herald-szohod-talks", text, '"We met the Bordurian delegation in Szohod,"', "direct", "petar-vuk"),
    ))
    created = await corroborate(client, auth, "szohod-talks-from-both-sides", [
        "kral-says-borduria-held-talks-with-syldavia", "vuk-says-syldavia-held-talks-with-borduria",
    ])
    assert origin_of(created) == (True, [], [])


# -- rule 3: one party

SPOKESMAN_TEXT = '"We are ready to deliver the tanks," a spokesman for the Bordurian defence ministry said.'
AMBASSADOR_TEXT = '"Our tanks will reach Syldavia soon," the Bordurian ambassador told the Herald.'
PARTY_CORROBORATION = "tank-delivery-from-two-bordurian-officials"


async def spokesman_and_ambassador(client, auth, ministry_speaks_for: str | None) -> dict:
    """A spokesman for the ministry (which speaks for `ministry_speaks_for`) and Borduria's ambassador,
    quoted in two outlets' documents. Returns the corroboration of their claims."""
    await states_and_outlets(client, auth)
    ministry = {"speaks_for": ministry_speaks_for} if ministry_speaks_for else {}
    await post_all(client, auth, "actors", [
        actor_body("bordurian-defence-ministry", "government_body", "Bordurian defence ministry", **ministry),
        actor_body("unnamed-bordurian-defence-spokesman", "person", "Bordurian defence ministry spokesman (unnamed)",
                   unnamed=True, speaks_for="bordurian-defence-ministry"),
        actor_body("bordurian-ambassador", "person", "Bordurian ambassador", unnamed=True, speaks_for="borduria"),
    ])
    await post_all(client, auth, "sources", [
        source_body("north-gazette-tank-delivery", "news_article", "Ministry ready to deliver tanks", publisher="north-gazette",
                    text=SPOKESMAN_TEXT),
        source_body("south-herald-tank-delivery", "news_article", "Ambassador on the tanks", publisher="south-herald",
                    text=AMBASSADOR_TEXT),
    ])
    common = {"subject": "borduria", "predicate": "supply_arms", "recipient": "syldavia", "object": {"label": "tanks"},
              "modality": "expected"}
    await post(client, auth, "claims", claim_body(
        "bordurian-spokesman-says-tanks-ready-for-delivery", "A Bordurian defence ministry spokesman said it is ready to deliver the tanks.",
        claimant="unnamed-bordurian-defence-spokesman", **common,
        ev=evidence("north-gazette-tank-delivery", SPOKESMAN_TEXT, '"We are ready to deliver the tanks,"', "direct",
                    "unnamed-bordurian-defence-spokesman"),
    ))
    await post(client, auth, "claims", claim_body(
        "bordurian-ambassador-says-tanks-will-reach-syldavia", "The Bordurian ambassador said the tanks will reach Syldavia soon.",
        claimant="bordurian-ambassador", **common,
        ev=evidence("south-herald-tank-delivery", AMBASSADOR_TEXT, '"Our tanks will reach Syldavia soon,"', "direct",
                    "bordurian-ambassador"),
    ))
    return await corroborate(client, auth, PARTY_CORROBORATION, [
        "bordurian-spokesman-says-tanks-ready-for-delivery", "bordurian-ambassador-says-tanks-will-reach-syldavia",
    ])


async def test_speakers_acting_for_one_state_through_speaks_for_chains_share_the_party(client, auth):
    created = await spokesman_and_ambassador(client, auth, ministry_speaks_for="borduria")
    assert origin_of(created) == (False, [], ["borduria"])
    assert [(a["id"], a["name"]) for a in created["shared_parties"]] == [("borduria", "Borduria")]
    assert (await client.get(f"/v1/corroborations/{PARTY_CORROBORATION}")).json() == created


async def assert_corroboration_everywhere(client, independent: bool, parties: list[str]) -> None:
    """The corroboration's independence as its own view, both claims' details and the lists show it."""
    view = (await client.get(f"/v1/corroborations/{PARTY_CORROBORATION}")).json()
    assert origin_of(view) == (independent, [], parties)
    for member in view["claims"]:
        claim = (await client.get(f"/v1/claims/{member['claim_id']}")).json()
        [entry] = claim["corroborations"]
        assert (entry["id"], entry["independent"]) == (PARTY_CORROBORATION, independent)
        assert ([s["id"] for s in entry["shared_origins"]], [a["id"] for a in entry["shared_parties"]]) == ([], parties)
    listed = await walk(client, f"/v1/corroborations?actor=bordurian-ambassador&independent={str(independent).lower()}")
    assert listed == [view]
    other = await walk(client, f"/v1/corroborations?actor=bordurian-ambassador&independent={str(not independent).lower()}")
    assert other == []


async def test_changing_speaks_for_re_renders_the_corroborations_it_decides(client, auth, settings):
    created = await spokesman_and_ambassador(client, auth, ministry_speaks_for=None)
    # The spokesman's party is the ministry, the ambassador's Borduria: two parties.
    assert origin_of(created) == (True, [], [])
    await assert_corroboration_everywhere(client, True, [])
    first = await client.get(f"/v1/corroborations/{PARTY_CORROBORATION}")
    before, revision = first.headers["etag"], first.json()["revision"]

    url = "/v1/actors/bordurian-defence-ministry"
    etag = (await client.get(url)).headers["etag"]
    joined = await client.patch(url, json={"speaks_for": "borduria"}, headers={**auth, "If-Match": etag})
    assert joined.status_code == 200, joined.text
    await assert_corroboration_everywhere(client, False, ["borduria"])
    after = await client.get(f"/v1/corroborations/{PARTY_CORROBORATION}")
    # Its data did not change, its view did: a new revision, and a `refresh` in the change feed.
    assert after.json()["revision"] == revision + 1 and after.headers["etag"] != before
    refreshes = await walk(client, f"/v1/changes?resource=corroboration&resource_id={PARTY_CORROBORATION}")
    assert [(c["revision"], c["action"]) for c in refreshes][-1] == (revision + 1, "refresh")

    # The party's name is shown in the corroboration's view: renaming it re-renders the view too.
    etag = (await client.get("/v1/actors/borduria")).headers["etag"]
    renamed = await client.patch("/v1/actors/borduria", json={"name": "Kingdom of Borduria"}, headers={**auth, "If-Match": etag})
    assert renamed.status_code == 200, renamed.text
    view = (await client.get(f"/v1/corroborations/{PARTY_CORROBORATION}")).json()
    assert [(a["id"], a["name"]) for a in view["shared_parties"]] == [("borduria", "Kingdom of Borduria")]

    etag = (await client.get(url)).headers["etag"]
    left = await client.patch(url, json={"speaks_for": None}, headers={**auth, "If-Match": etag})
    assert left.status_code == 200, left.text
    await assert_corroboration_everywhere(client, True, [])
    assert stale_views(settings.database_url) == []
