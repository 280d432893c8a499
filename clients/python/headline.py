"""The headline story, told through the Python client generated from openapi/openapi.json alone.

Run by scripts/contract against a live server built from data/:
`CLAIMS_API_URL=http://127.0.0.1:8000 CLAIMS_API_KEY=ck_... python clients/python/headline.py`.
It pages every claim, reads the 40,000-missile claim with its contradictions and corroborations,
finds the Arabic report by an Arabic word, and changes the claim with `If-Match` from its `ETag`
(a stale tag gets 412), then puts the claim back as it was. Each step asserts exact content.
"""

from __future__ import annotations

import json
import os
import sys
from http import HTTPStatus
from typing import Any, TypeVar

from claims_api_client import AuthenticatedClient, Client
from claims_api_client.api.claims import export_claims, get_claim, list_claims, update_claim
from claims_api_client.api.search import search
from claims_api_client.models import ClaimPage, ClaimPatch, ClaimPublic, Problem, SearchHitPage
from claims_api_client.types import Response

HEADLINE = "sisi-planned-40000-missiles-for-russia"
STATEMENT = "Secret US documents show that Egyptian President Abdel Fattah el-Sisi planned to produce 40,000 missiles for Russia in February."
CONTRADICTIONS = {
    "egypt-neutrality-vs-arms-plans-for-russia",
    "missile-plan-vs-no-deliveries-seen",
    "missile-plan-vs-plan-abandoned",
    "sisi-closest-ally-of-washington-vs-secret-missiles-for-russia",
}
CORROBORATIONS = {
    "missile-plan-reported-in-english-and-arabic",
    "sisi-missile-plan-first-sentence-and-ordered-batch",
    "sisi-secret-missiles-production-and-shipment-plans",
}
# "صاروخ" (missile) appears only in the Arabic report of 26 September 2023; the synonym table (data/synonyms.yaml)
# makes it find the English reports of missiles too.
ARABIC_QUERY = "صاروخ"
ARABIC_REPORT = "alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks"
ARABIC_CLAIM = "ar-sisi-planned-40000-missiles-for-russia"

T = TypeVar("T")


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def answer(response: Response[Any], kind: type[T], status: HTTPStatus, what: str) -> T:
    """The parsed body of a response that must have this status and this type."""
    body = response.parsed
    if response.status_code != status or not isinstance(body, kind):
        raise AssertionError(f"{what}: expected {status.value} {kind.__name__}, got {response.status_code.value} {response.content[:300]!r}")
    return body


def page_every_claim(client: Client) -> list[str]:
    ids: list[str] = []
    cursor: str | None = None
    while True:
        page = answer(list_claims.sync_detailed(client=client, limit=50, cursor=cursor), ClaimPage, HTTPStatus.OK, "GET /v1/claims")
        ids.extend(item.id for item in page.items)
        if page.next_cursor is None:
            check(page.next_ is None, "the last page has no next link")
            return ids
        cursor = page.next_cursor


def read_headline(client: Client) -> tuple[ClaimPublic, str]:
    response = get_claim.sync_detailed(claim_id=HEADLINE, client=client)
    claim = answer(response, ClaimPublic, HTTPStatus.OK, f"GET /v1/claims/{HEADLINE}")
    etag = response.headers.get("etag")
    check(etag is not None and etag.startswith(f'"{claim.revision}-'), f"GET /v1/claims/{HEADLINE} sends an ETag of its revision, got {etag!r}")
    assert etag is not None
    return claim, etag


def check_headline(claim: ClaimPublic) -> None:
    check(claim.statement == STATEMENT, f"statement: {claim.statement!r}")
    check(claim.quantity is not None and claim.quantity.value == 40000 and claim.quantity.unit == "missiles", f"quantity: {claim.quantity!r}")
    evidence = claim.evidence[0]
    check((evidence.quote, evidence.start, evidence.end) == (STATEMENT[:-1], 0, 127), "evidence: the statement's words at 0-127")
    check({c.id for c in claim.contradictions} == CONTRADICTIONS, f"contradictions: {sorted(c.id for c in claim.contradictions)}")
    check({c.id for c in claim.corroborations} == CORROBORATIONS, f"corroborations: {sorted(c.id for c in claim.corroborations)}")
    no_deliveries = next(c for c in claim.contradictions if c.id == "missile-plan-vs-no-deliveries-seen")
    check(
        no_deliveries.side == "a"
        and [member.claim_id for member in no_deliveries.opposing_side] == ["us-representative-saw-no-missile-deliveries"],
        "the US representative's 'not seen' opposes the plan",
    )
    in_arabic = next(c for c in claim.corroborations if c.id == "missile-plan-reported-in-english-and-arabic")
    check(not in_arabic.independent and [s.id for s in in_arabic.shared_origins] == ["discord-leak-2023"], "the English and Arabic reports share the leak")


def write_with_if_match(writer: AuthenticatedClient, claim: ClaimPublic, etag: str) -> None:
    note = claim.note
    checked = ClaimPatch(note=f"{note or ''} Checked through the generated client.".strip())
    response = update_claim.sync_detailed(claim_id=HEADLINE, client=writer, body=checked, if_match=etag)
    changed = answer(response, ClaimPublic, HTTPStatus.OK, "PATCH with If-Match")
    check(changed.revision == claim.revision + 1 and changed.note == checked.note, f"the change is made: revision {changed.revision}")
    new_etag = response.headers.get("etag")
    check(new_etag is not None and new_etag != etag, f"the write answers a new ETag: {new_etag!r}")
    assert new_etag is not None

    stale = update_claim.sync_detailed(claim_id=HEADLINE, client=writer, body=ClaimPatch(note="from a stale read"), if_match=etag)
    problem = answer(stale, Problem, HTTPStatus.PRECONDITION_FAILED, "PATCH with a stale If-Match")
    check(problem.type_ == "/problems/precondition-failed", f"problem type: {problem.type_}")

    response = update_claim.sync_detailed(claim_id=HEADLINE, client=writer, body=ClaimPatch(note=note), if_match=new_etag)
    restored = answer(response, ClaimPublic, HTTPStatus.OK, "PATCH back")
    check(restored.note == note and restored.statement == STATEMENT, "the claim reads as before")


def main() -> int:
    base_url = os.environ.get("CLAIMS_API_URL", "http://127.0.0.1:8000")
    key = os.environ["CLAIMS_API_KEY"]
    with Client(base_url=base_url, raise_on_unexpected_status=True) as client:
        ids = page_every_claim(client)
        check(len(ids) == len(set(ids)), "paging lists each claim once")
        exported = export_claims.sync_detailed(client=client)
        check(exported.status_code == HTTPStatus.OK, f"GET /v1/export/claims: {exported.status_code}")
        export_ids = [json.loads(line)["id"] for line in exported.content.decode("utf-8").splitlines() if line]
        check(sorted(ids) == sorted(export_ids), f"paging finds the {len(export_ids)} exported claims, found {len(ids)}")
        check(HEADLINE in ids, f"{HEADLINE} is among the claims")

        claim, etag = read_headline(client)
        check_headline(claim)

        hits = answer(search.sync_detailed(client=client, q=ARABIC_QUERY), SearchHitPage, HTTPStatus.OK, "GET /v1/search")
        found = {(hit.kind.value, hit.id) for hit in hits.items}
        check(("source", ARABIC_REPORT) in found and ("claim", ARABIC_CLAIM) in found, f"Arabic search finds the Arabic report and its claim: {sorted(found)}")
        check(any(hit.language == "en" for hit in hits.items), "the synonym table finds English reports of missiles too")

    with AuthenticatedClient(base_url=base_url, token=key, raise_on_unexpected_status=True) as writer:
        write_with_if_match(writer, claim, etag)

    print(
        f"python client: {len(ids)} claims paged; {HEADLINE}: {len(claim.contradictions)} contradictions, "
        f"{len(claim.corroborations)} corroborations; Arabic search: {len(hits.items)} hits; PATCH with If-Match 200, stale 412"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
