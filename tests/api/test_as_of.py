"""`as_of=YYYY-MM-DD` on the claim, timeline, contradiction and corroboration lists: only what had been
published by then. A claim counts from the last day of its earliest document's date at its precision (the
Buna Times text is dated only "2023", so its claims count from 2023-12-31); a relation once all its claims do.
"""

from __future__ import annotations

import pytest

from tests.conftest import assert_problem, walk

pytestmark = pytest.mark.anyio

BUNA = "buna-times-2023-sisi-missiles-for-russia"
KHALEEJ = "alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks"
WORLDTRIBUNE = "worldtribune-2013-russia-egypt-strategic-talks"
KNOWN_BY_APRIL_2023 = [
    "egypt-us-allies-vs-no-help-against-isis",
    "egypt-us-close-allies-vs-relations-cooled-under-sisi",
    "no-major-arms-deal-since-1970s-vs-deal-signed-2014",
    "putin-arms-deal-aim-2013-vs-deal-signed-2014",
    "putin-visit-expected-november-2013-vs-february-2015-visit",
    "russia-egypt-arms-supply-relationship-then-and-now-2013",
    "russia-egypt-leading-supplier-1980-vs-no-major-deal-since-early-1970s",
]


async def _ids(client, url: str) -> list[str]:
    return [item["id"] for item in await walk(client, url)]


async def test_as_of_april_2023_hides_the_arabic_report_of_26_september_2023(client):
    assert await _ids(client, f"/v1/claims?source={KHALEEJ}&as_of=2023-04-12") == []
    assert await _ids(client, "/v1/contradictions?as_of=2023-04-12&limit=200") == KNOWN_BY_APRIL_2023
    arabic = await _ids(client, f"/v1/claims?source={KHALEEJ}&as_of=2023-12-31")
    assert len(arabic) == 35 and "ar-egypt-dropped-missile-plan" in arabic
    everything = await _ids(client, "/v1/contradictions?limit=200")
    assert await _ids(client, "/v1/contradictions?as_of=2023-12-31&limit=200") == everything
    assert "missile-plan-vs-plan-abandoned" in everything


async def test_a_document_dated_only_by_year_counts_from_its_last_day(client):
    assert await _ids(client, f"/v1/claims?source={BUNA}&as_of=2023-12-30") == []
    assert len(await _ids(client, f"/v1/claims?source={BUNA}&as_of=2023-12-31")) == 23
    # Dated by month (November 2013): from 30 November 2013.
    assert await _ids(client, f"/v1/claims?source={WORLDTRIBUNE}&as_of=2013-11-29") == []
    assert len(await _ids(client, f"/v1/claims?source={WORLDTRIBUNE}&as_of=2013-11-30")) == 31


async def test_a_claim_lists_only_the_relations_known_by_then(client):
    claim = "egypt-us-relations-cooled-under-sisi"
    [today] = [c for c in await walk(client, "/v1/claims?actor=united-states&limit=200") if c["id"] == claim]
    assert today["contradiction_ids"] == [
        "egypt-us-close-allies-vs-relations-cooled-under-sisi", "egypt-us-relations-cooled-2015-vs-closest-allies-2023",
    ]
    [then] = [c for c in await walk(client, "/v1/claims?actor=united-states&as_of=2016-01-01&limit=200") if c["id"] == claim]
    assert then["contradiction_ids"] == ["egypt-us-close-allies-vs-relations-cooled-under-sisi"]
    assert {k: v for k, v in then.items() if k != "contradiction_ids"} == {k: v for k, v in today.items() if k != "contradiction_ids"}


async def test_timeline_and_corroborations_as_of_a_date(client):
    timeline = await walk(client, "/v1/timeline?as_of=2013-11-30&limit=200")
    assert timeline and all(WORLDTRIBUNE in c["source_ids"] for c in timeline)
    assert [c["id"] for c in timeline] == [c["id"] for c in await walk(client, f"/v1/timeline?source={WORLDTRIBUNE}&limit=200")]
    known = await _ids(client, "/v1/corroborations?as_of=2023-04-12&limit=200")
    assert len(known) == 15 and "missile-plan-reported-in-english-and-arabic" not in known
    assert "missile-plan-reported-in-english-and-arabic" in await _ids(client, "/v1/corroborations?as_of=2023-12-31&limit=200")
    assert len(await _ids(client, "/v1/corroborations?as_of=2023-12-31&limit=200")) == len(await _ids(client, "/v1/corroborations?limit=200"))


async def test_redating_a_document_redates_its_claims(client, auth):
    url = f"/v1/sources/{KHALEEJ}"
    etag = (await client.get(url)).headers["etag"]
    changed = await client.patch(url, json={"published": {"date": "2023-10", "precision": "month"}}, headers={**auth, "If-Match": etag})
    assert changed.status_code == 200, changed.text
    assert await _ids(client, f"/v1/claims?source={KHALEEJ}&as_of=2023-10-30") == []
    assert len(await _ids(client, f"/v1/claims?source={KHALEEJ}&as_of=2023-10-31")) == 35


async def test_a_claim_whose_documents_are_undated_is_not_shown_as_of_any_date(client, auth):
    text = "The ministry said talks with Moscow would resume."
    source = {"id": "undated-wire", "kind": "wire_report", "title": "An undated wire report", "language": "en",
              "publisher": "alkhaleej-aljadeed", "text": text}
    assert (await client.post("/v1/sources", json=source, headers=auth)).status_code == 201
    quote = "talks with Moscow would resume"
    claim = {
        "id": "undated-ministry-says-talks-will-resume", "statement": "The ministry said talks with Moscow would resume.",
        "subject": "egypt", "predicate": "hold_talks", "object": {"actor": "russia"}, "modality": "expected",
        "claimant": "alkhaleej-aljadeed",
        "evidence": [{"source": "undated-wire", "quote": quote, "start": text.index(quote), "end": text.index(quote) + len(quote),
                      "speech": "indirect", "speaker": "egypt"}],
    }
    created = await client.post("/v1/claims", json=claim, headers=auth)
    assert created.status_code == 201, created.text
    assert await _ids(client, "/v1/claims?source=undated-wire") == [claim["id"]]
    assert await _ids(client, "/v1/claims?source=undated-wire&as_of=2999-12-31") == []


async def test_a_cursor_is_bound_to_its_as_of(client):
    page = (await client.get("/v1/contradictions?as_of=2023-12-31&limit=2")).json()
    response = await client.get(f"/v1/contradictions?as_of=2023-04-12&limit=2&cursor={page['next_cursor']}")
    assert_problem(response, 400, "/problems/bad-request")


@pytest.mark.parametrize("path", ["/v1/claims", "/v1/timeline", "/v1/contradictions", "/v1/corroborations"])
@pytest.mark.parametrize(("value", "type_"), [
    ("2023-02-30", "/problems/invalid-parameter"), ("2023-04", "/problems/validation-error"), ("yesterday", "/problems/validation-error"),
])
async def test_an_invalid_as_of_is_422_naming_it(client, path, value, type_):
    problem = assert_problem(await client.get(f"{path}?as_of={value}"), 422, type_)
    assert [e["loc"] for e in problem["errors"]] == [["query", "as_of"]]
