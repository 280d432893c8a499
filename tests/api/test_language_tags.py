"""Language filters match BCP 47 tags as RFC 4647 basic filtering does: case-insensitively, a range matching
the tag itself and every tag it is a prefix of up to a `-` (`en` finds `en-GB` and `en-gb-oxendict`, not
`eng`), the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.conftest import walk

pytestmark = pytest.mark.anyio

SHIPPED_ENGLISH = [
    "buna-times-2023-sisi-missiles-for-russia", "russia-and-egypt-just-got-even-closer-2015",
    "worldtribune-2013-russia-egypt-strategic-talks",
]
SHIPPED_ARABIC = ["alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks"]
TEXT = "Egypt planned to supply rockets to Russia.\nEgypt supplied rockets to Russia."


def _source(source_id: str, language: str, **extra: object) -> dict:
    return {"id": source_id, "kind": "news_article", "title": f"A report in {language}", "language": language, **extra}


async def _ids(client, url: str) -> list[str]:
    return sorted(item["id"] for item in await walk(client, url))


async def _tagged_sources(client, auth) -> None:
    for source_id, language in (("british-report", "en-GB"), ("oxford-report", "en-gb-oxendict"), ("eng-report", "eng"),
                                ("cairo-report", "ar-EG")):
        response = await client.post("/v1/sources", json=_source(source_id, language), headers=auth)
        assert response.status_code == 201, response.text


@pytest.mark.parametrize(("language", "expected"), [
    ("en", ["british-report", *SHIPPED_ENGLISH, "oxford-report"]),
    ("EN", ["british-report", *SHIPPED_ENGLISH, "oxford-report"]),
    ("en-gb", ["british-report", "oxford-report"]),
    ("EN-GB", ["british-report", "oxford-report"]),
    ("en-GB-OXENDICT", ["oxford-report"]),
    ("eng", ["eng-report"]),
    ("en-g", []),
    ("ar", [*SHIPPED_ARABIC, "cairo-report"]),
    ("Ar-eg", ["cairo-report"]),
])
async def test_sources_language_filter_is_basic_filtering(client, auth, language, expected):
    await _tagged_sources(client, auth)
    assert await _ids(client, f"/v1/sources?language={language}&limit=200") == sorted(expected)


async def test_shipped_arabic_claims_are_found_whatever_the_case(client):
    arabic = await _ids(client, "/v1/claims?language=ar&limit=200")
    assert len(arabic) == 35 and "ar-egypt-dropped-missile-plan" in arabic
    assert await _ids(client, "/v1/claims?language=AR&limit=200") == arabic
    assert await _ids(client, "/v1/timeline?language=AR&limit=200") == await _ids(client, "/v1/timeline?language=ar&limit=200")


async def test_claims_language_filter_reads_each_evidence_language(client, auth):
    held = _source("british-desk", "en-GB", publisher="washington-post", text=TEXT)
    assert (await client.post("/v1/sources", json=held, headers=auth)).status_code == 201
    second = TEXT.index("Egypt supplied")
    claims = [
        {"id": "british-plan", "statement": "Egypt planned to supply rockets to Russia.", "subject": "egypt",
         "predicate": "supply_arms", "recipient": "russia", "object": {"label": "rockets"}, "modality": "planned",
         "claimant": "washington-post",
         "evidence": [{"source": "british-desk", "quote": TEXT[:second - 1], "start": 0, "end": second - 1, "speech": "narration"}]},
        {"id": "eng-supply", "statement": "Egypt supplied rockets to Russia.", "subject": "egypt",
         "predicate": "supply_arms", "recipient": "russia", "object": {"label": "rockets"}, "claimant": "washington-post",
         "evidence": [{"source": "british-desk", "quote": TEXT[second:], "start": second, "end": len(TEXT), "speech": "narration",
                       "language": "eng", "translation": "Egypt supplied rockets to Russia."}]},
    ]
    for claim in claims:
        response = await client.post("/v1/claims", json=claim, headers=auth)
        assert response.status_code == 201, response.text
    cases = {"en": ["british-plan"], "EN": ["british-plan"], "en-gb": ["british-plan"], "En-Gb": ["british-plan"],
             "en-gb-oxendict": [], "eng": ["eng-supply"], "ENG": ["eng-supply"], "e": [], "ar": []}
    for language, expected in cases.items():
        assert await _ids(client, f"/v1/claims?source=british-desk&language={language}") == expected, language
        assert await _ids(client, f"/v1/sources/british-desk/claims?language={language}") == expected, language
        assert await _ids(client, f"/v1/actors/egypt/claims?source=british-desk&language={language}") == expected, language
    english = await _ids(client, "/v1/claims?language=en&limit=200")
    assert "british-plan" in english and "eng-supply" not in english
    assert await _ids(client, "/v1/claims?language=EN&limit=200") == english
    # A quote tagged `eng` is not one `en` tags: it needs its English translation.
    untranslated = {**claims[1], "id": "eng-untranslated", "evidence": [{**claims[1]["evidence"][0], "translation": None}]}
    response = await client.post("/v1/claims", json=untranslated, headers=auth)
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["errors"]] == [["body", "evidence", 0, "translation"]]


async def test_the_wildcard_range_matches_every_tag(client, auth):
    await _tagged_sources(client, auth)
    assert await _ids(client, "/v1/sources?language=*&limit=200") == await _ids(client, "/v1/sources?limit=200")
    assert await _ids(client, "/v1/claims?language=*&limit=200") == await _ids(client, "/v1/claims?limit=200")


@pytest.mark.parametrize("language", ["en_GB", "en-", "-en", "en--gb", "toolongtag", "en-toolongsub", "*-gb", "e n"])
async def test_a_language_that_is_no_range_is_a_422(client, language):
    for url in ("/v1/sources", "/v1/claims", "/v1/timeline"):
        response = await client.get(url, params={"language": language})
        assert response.status_code == 422, (url, language, response.text)
        assert [e["loc"] for e in response.json()["errors"]] == [["query", "language"]]
