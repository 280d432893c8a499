"""/v1/propositions: claims grouped as "the same thing said", their story as a status line, and what was
known at a date (`as_of`)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio

BUNA = "buna-times-2023-sisi-missiles-for-russia"


async def test_a_source_write_keeps_its_claims_in_their_propositions(client, auth):
    claim_url = "/v1/claims/us-representative-saw-no-missile-deliveries"
    before = (await client.get(claim_url)).json()["proposition_id"]
    assert before == "arms-flow--egypt--russia--missiles"
    source = await client.get(f"/v1/sources/{BUNA}")
    changed = await client.patch(f"/v1/sources/{BUNA}", json={"title": "Sisi planned missiles for Russia"},
                                 headers={**auth, "If-Match": source.headers["etag"]})
    assert changed.status_code == 200, changed.text
    assert (await client.get(claim_url)).json()["proposition_id"] == before
