"""/v1/timeline."""

from __future__ import annotations

import pytest

from api.config import Settings
from schemas.common import date_bounds
from tests.conftest import assert_problem, walk

pytestmark = pytest.mark.anyio


async def test_timeline_is_ordered_by_event_time_with_precision(client):
    items = await walk(client, "/v1/timeline?limit=10")
    assert items
    keys = [(date_bounds(c["event_time"]["start"])[0], c["id"]) for c in items]
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)
    assert all(c["event_time"]["precision"] in {"day", "month", "year"} for c in items)
    first_2023 = next(c for c in items if c["event_time"]["start"].startswith("2023"))
    assert first_2023["event_time"]["start"] >= "2023"
    # The earliest event: the period with no major arms deal, from the early 1970s (1970 at year precision).
    assert (items[0]["id"], items[0]["event_time"]["start"], items[0]["event_time"]["end"]) == (
        "officials-say-no-major-russia-egypt-arms-deal-since-early-1970s", "1970", "2013",
    )


async def test_timeline_filters_like_claims(client):
    items = await walk(client, "/v1/timeline?actor=vladimir-putin")
    assert items and all(c["event_time"]["start"] >= "2013" for c in items)
    caption = next(c for c in items if c["id"] == "putin-sisi-meet-cairo-2015-02-10")
    assert caption["event_time"] == {"start": "2015-02-10", "end": None, "precision": "day", "inferred": False, "note": None}


async def test_timeline_bad_parameters(client):
    assert_problem(await client.get("/v1/timeline?date_from=yesterday"), 422, "/problems/validation-error")
    assert_problem(await client.get("/v1/timeline?cursor=%25%25"), 400, "/problems/bad-request")


def test_settings_read_cors_origins_from_environment(monkeypatch):
    monkeypatch.setenv("CLAIMS_CORS_ORIGINS", "https://a.example, https://b.example")
    assert Settings().cors_origin_list == ["https://a.example", "https://b.example"]
