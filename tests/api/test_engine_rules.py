"""The rules that test_engine.py does not pair up: one-off events dated twice, opposed
characterizations, shared outcomes and "not done" told two ways, each on a minimal pair and a near
miss, over HTTP in the responses that create the claims."""

from __future__ import annotations

import pytest

from tests.api.test_engine import _actor, _post, _relations, _world

pytestmark = pytest.mark.anyio

EAST_TEXT = (
    "Unknown users posted the cables in March 2024. "
    "Borduria and Syldavia are close allies. "
    "Ostland suspended arms deliveries to Syldavia. "
    "Borduria dropped its plan to deliver rockets to Syldavia."
)
WEST_TEXT = (
    "Unknown users posted the cables in May 2024. "
    "Relations between Borduria and Syldavia have cooled. "
    "Syldavia is frustrated with Ostland. "
    "\"We have seen no rockets arrive,\" a Syldavian officer said. "
    "Unknown users posted the memos in May 2024."
)


async def _docs(client, auth) -> None:
    await _world(client, auth)
    for body in (_actor("posters", "group", "Unknown posters", unnamed=True, speaks_for="ostland"),
                 _actor("cables", "document", "Bordurian cables"), _actor("memos", "document", "Bordurian memos"),
                 _actor("east-times", "media_outlet", "East Times"), _actor("west-post", "media_outlet", "West Post"),
                 _actor("syldavian-officer", "person", "Syldavian officer", unnamed=True, speaks_for="syldavia")):
        await _post(client, auth, "actors", body)
    for sid, publisher, text, day in (("east", "east-times", EAST_TEXT, "2024-06-01"), ("west", "west-post", WEST_TEXT, "2024-06-02")):
        await _post(client, auth, "sources", {"id": sid, "kind": "news_article", "title": sid, "language": "en",
                                              "publisher": publisher, "published": {"date": day, "precision": "day"}, "text": text})


def _said(claim_id: str, source: str, quote: str, **fields: object) -> dict:
    text = EAST_TEXT if source == "east" else WEST_TEXT
    start = text.index(quote)
    ev = {"source": source, "quote": quote, "start": start, "end": start + len(quote),
          "speech": fields.pop("speech", "narration")} | ({"speaker": fields.pop("speaker")} if "speaker" in fields else {})
    return {"id": claim_id, "statement": quote + ".", "claimant": "east-times" if source == "east" else "west-post",
            "evidence": [ev]} | fields


async def test_a_one_off_event_dated_twice(client, auth):
    await _docs(client, auth)
    posted = {"subject": "posters", "predicate": "publish", "object": {"actor": "cables", "label": "cables"}}
    await _post(client, auth, "claims", _said("march", "east", "Unknown users posted the cables in March 2024", **posted,
                                              event_time={"start": "2024-03", "precision": "month"}))
    may = await _post(client, auth, "claims", _said("may", "west", "Unknown users posted the cables in May 2024", **posted,
                                                    event_time={"start": "2024-05", "precision": "month"}))
    assert ("contradiction", "date_mismatch", "proposed", "one-event-two-dates", ["march"]) in _relations(may)
    other = posted | {"object": {"actor": "memos", "label": "memos"}}
    memos = await _post(client, auth, "claims", _said("memos", "west", "Unknown users posted the memos in May 2024", **other,
                                                      event_time={"start": "2024-05", "precision": "month"}))
    assert _relations(memos) == []  # another document's posting: another event


async def test_close_allies_and_cooling_relations_in_two_documents(client, auth):
    await _docs(client, auth)
    await _post(client, auth, "claims", _said("allies", "east", "Borduria and Syldavia are close allies", subject="borduria",
                                              predicate="allied_with", object={"actor": "syldavia"}))
    cooled = await _post(client, auth, "claims", _said("cooled", "west", "Relations between Borduria and Syldavia have cooled",
                                                       subject="syldavia", predicate="relations_worsen", object={"actor": "borduria"}))
    assert _relations(cooled) == [("contradiction", "characterization_change", "proposed", "opposed-characterizations", ["allies"])]


async def test_a_suspension_and_frustration_point_to_one_strain(client, auth):
    await _docs(client, auth)
    await _post(client, auth, "claims", _said("suspended", "east", "Ostland suspended arms deliveries to Syldavia", subject="ostland",
                                              predicate="suspend_arms_supply", recipient="syldavia", object={"label": "arms"}))
    frustrated = await _post(client, auth, "claims", _said("frustrated", "west", "Syldavia is frustrated with Ostland",
                                                           subject="syldavia", predicate="express_frustration", object={"actor": "ostland"}))
    assert _relations(frustrated) == [("corroboration", "consistent_outcome", "proposed", "shared-outcome", ["suspended"])]
    elsewhere = await _post(client, auth, "claims", _said("frustrated-borduria", "west", "Syldavia is frustrated with Ostland",
                                                          subject="syldavia", predicate="express_frustration", object={"actor": "borduria"}))
    assert [r for r in _relations(elsewhere) if r[4] == ["suspended"]] == []  # another pair of parties


async def test_not_seen_and_dropped_tell_one_outcome(client, auth):
    await _docs(client, auth)
    rockets = {"subject": "borduria", "predicate": "supply_arms", "recipient": "syldavia", "object": {"label": "rockets"}}
    await _post(client, auth, "claims", _said("dropped", "east", "Borduria dropped its plan to deliver rockets to Syldavia",
                                              modality="abandoned", **rockets))
    seen = await _post(client, auth, "claims", _said(
        "none-arrived", "west", "\"We have seen no rockets arrive,\" a Syldavian officer said", polarity="negated",
        evidential="observed", speech="direct", speaker="syldavian-officer", claimant="syldavian-officer", **rockets))
    assert _relations(seen) == [("corroboration", "consistent_outcome", "proposed", "outcome-not-done", ["dropped"])]
