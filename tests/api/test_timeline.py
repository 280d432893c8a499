"""/v1/timeline."""

from __future__ import annotations

import pytest

from api.config import Settings
from schemas.common import date_bounds
from tests.conftest import assert_problem, walk

pytestmark = pytest.mark.anyio


async def test_timeline_is_ordered_by_event_time_with_precision(client):
    items = await walk(client, "/v1/timeline?limit=10")
    dated = [c for c in items if c["event_time"] is not None]
    assert dated
    keys = [(date_bounds(c["event_time"]["start"])[0], c["id"]) for c in dated]
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)
    assert all(c["event_time"]["precision"] in {"day", "month", "year"} for c in dated)
    first_2023 = next(c for c in dated if c["event_time"]["start"].startswith("2023"))
    assert first_2023["event_time"]["start"] >= "2023"
    # The earliest event: the period with no major arms deal, from the early 1970s (1970 at year precision).
    assert (items[0]["id"], items[0]["event_time"]["start"], items[0]["event_time"]["end"]) == (
        "officials-say-no-major-russia-egypt-arms-deal-since-early-1970s", "1970", "2013",
    )
    assert items[0]["placement"] == {"start": "1970-01-01", "end": "2013-12-31", "basis": "event_time"}


async def test_timeline_places_undated_claims_by_their_publication_and_says_so(client):
    items = await walk(client, "/v1/timeline?limit=25")
    every = await walk(client, "/v1/claims?limit=200")
    assert sorted(c["id"] for c in items) == sorted(c["id"] for c in every)  # every claim of the dataset is dated somehow
    keys = [(c["placement"]["start"], c["placement"]["end"], c["id"]) for c in items]
    assert keys == sorted(keys)
    for c in items:
        if c["event_time"] is None:
            assert c["placement"]["basis"] == "publication", c["id"]
        else:
            assert c["placement"]["basis"] == "event_time", c["id"]
            assert c["placement"]["start"] == date_bounds(c["event_time"]["start"])[0].isoformat(), c["id"]
    dropped = next(c for c in items if c["id"] == "ar-egypt-dropped-missile-plan")
    # No date for the backing down itself; the Arabic report that says it is dated 26 September 2023.
    assert (dropped["event_time"], dropped["placement"]) == (None, {"start": "2023-09-26", "end": "2023-09-26", "basis": "publication"})
    ranged = await walk(client, "/v1/timeline?date_from=2023-09&date_to=2023-09&limit=200")
    assert ranged and all(c["event_time"] is not None and c["placement"]["basis"] == "event_time" for c in ranged)


async def test_timeline_filters_like_claims(client):
    items = await walk(client, "/v1/timeline?actor=vladimir-putin")
    assert items and all(c["placement"]["start"] >= "2013" for c in items)
    caption = next(c for c in items if c["id"] == "putin-sisi-meet-cairo-2015-02-10")
    assert caption["event_time"] == {"start": "2015-02-10", "end": None, "precision": "day", "inferred": False, "note": None}
    assert caption["placement"] == {"start": "2015-02-10", "end": "2015-02-10", "basis": "event_time"}
    found = await walk(client, "/v1/timeline?q=dropped")
    assert [c["id"] for c in found] == ["ar-egypt-dropped-missile-plan", "other-documents-say-us-pressed-egypt-over-missile-plan"]


async def test_timeline_bad_parameters(client):
    assert_problem(await client.get("/v1/timeline?date_from=yesterday"), 422, "/problems/validation-error")
    assert_problem(await client.get("/v1/timeline?cursor=%25%25"), 400, "/problems/bad-request")


def test_settings_read_cors_origins_from_environment(monkeypatch):
    monkeypatch.setenv("CLAIMS_CORS_ORIGINS", "https://a.example, https://b.example")
    assert Settings().cors_origin_list == ["https://a.example", "https://b.example"]
