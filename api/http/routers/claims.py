from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from itertools import islice

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from api.errors import Unavailable, problem_responses
from api.http.deps import DEFAULT, ITEM_RESPONSES, LIST_RESPONSES, READ_RESPONSES, ClaimFiltersDep, CursorParam, Limit, store_of
from api.http.responses import StrictQueryRoute, json_response, page_response
from api.services import claims as claims_service
from api.services.preconditions import not_modified
from api.store.db import Store
from schemas.claim import ClaimPage, ClaimPublic, TimelinePage

NDJSON = "application/x-ndjson"
EXPORT_LINES = (
    "Every live claim, in order of id, as NDJSON (newline-delimited JSON, UTF-8): each line one `ClaimPublic` object,"
    " as `GET /v1/claims/{claim_id}` shows it, ending in a newline. `x-itemSchema` names the schema of a line, as"
    " OpenAPI 3.2's `itemSchema` does; the body as a whole is text."
)
EXPORT_CONTENT = {
    NDJSON: {"schema": {"type": "string", "contentMediaType": NDJSON}, "x-itemSchema": {"$ref": "#/components/schemas/ClaimPublic"}}
}
EXPORT_CHUNK = 200  # claims read per chunk of the export
EXPORT_PATIENCE = 60.0
"""Seconds an export already under way keeps waiting for a free connection, over all its chunks, before it aborts."""
router = APIRouter(tags=["claims"], route_class=StrictQueryRoute)


@router.get("/v1/claims", response_model=ClaimPage, responses=LIST_RESPONSES)
async def list_claims(
    request: Request, filters: ClaimFiltersDep, limit: Limit = DEFAULT, cursor: CursorParam = None
) -> Response:
    """List claims, filtered by actor (in any role), source, language, predicate, modality, polarity or event date."""
    store = store_of(request)
    page = await store.call_page(claims_service.list_claims, store, filters=filters, limit=limit, cursor=cursor)
    return page_response(request, page.items, page.next_cursor)


@router.get("/v1/claims/{claim_id}", response_model=ClaimPublic, responses=ITEM_RESPONSES)
async def get_claim(request: Request, claim_id: str) -> Response:
    """Get a claim with its evidence, contradictions and corroborations."""
    store = store_of(request)
    body, etag = await store.lookup(claims_service.get, store, claim_id=claim_id)
    return json_response(request, body, etag)


@router.get("/v1/timeline", response_model=TimelinePage, responses=LIST_RESPONSES, tags=["timeline"])
async def get_timeline(
    request: Request, filters: ClaimFiltersDep, limit: Limit = DEFAULT, cursor: CursorParam = None
) -> Response:
    """List claims in time order: by event time, or for a claim with none, by its publication; each entry's `placement`
    says which date placed it, and each `event_time` its precision and whether it is inferred."""
    store = store_of(request)
    page = await store.call_page(claims_service.timeline, store, filters=filters, limit=limit, cursor=cursor)
    return page_response(request, page.items, page.next_cursor, page.tags)


@router.get(
    "/v1/export/claims", tags=["export"], response_class=StreamingResponse,
    responses={200: {"description": EXPORT_LINES, "content": EXPORT_CONTENT},
               **READ_RESPONSES, **problem_responses(422)},
)
async def export_claims(request: Request) -> Response:
    """Stream every claim with its evidence, contradictions and corroborations, one JSON object per line
    (NDJSON: UTF-8, each line a `ClaimPublic` and a newline). The `ETag` changes with any change to the data;
    `If-None-Match` with it answers 304 (RFC 9110 §13.1.2)."""
    store = store_of(request)
    etag = await store.call_page(claims_service.export_etag, store)
    if not_modified(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"ETag": etag})
    return StreamingResponse(_in_chunks(store, claims_service.export_lines(store)), media_type=NDJSON, headers={"ETag": etag})


async def _in_chunks(store: Store, lines: Iterator[bytes], size: int = EXPORT_CHUNK) -> AsyncIterator[bytes]:
    """The lines, `size` at a time, each chunk read in a worker thread by Store.call_heavy (one read connection held
    per chunk, none between them): a long export never runs on the event loop, nor holds a connection while the
    client reads.

    Once the first chunk is sent, the status (200) is too: a chunk that finds no free connection within the pool's
    timeout (Unavailable, raised before any line is read) waits for one again, for up to `EXPORT_PATIENCE` seconds
    in all, instead of cutting the body short. Past that, or on a database error, the response is aborted and the
    client sees a chunked body without its end (RFC 9112 §7.1), never a short body that looks complete."""
    waited = 0.0
    while True:
        asked = time.monotonic()
        try:
            chunk = await store.call_heavy(lambda: b"".join(islice(lines, size)))
        except Unavailable:
            waited += time.monotonic() - asked
            if waited >= EXPORT_PATIENCE:
                raise
            continue
        if not chunk:
            return
        yield chunk
