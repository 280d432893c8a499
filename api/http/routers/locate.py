"""`GET /v1/sources/{source_id}/locate`: where a quote is in a held text, as a write would locate it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.errors import problem_responses
from api.http.deps import READ_RESPONSES, store_of
from api.http.responses import StrictQueryRoute, body_etag, json_response
from api.services import locate as locate_service
from schemas.common import MAX_OFFSET
from schemas.locate import QuoteLocation

router = APIRouter(tags=["sources"], route_class=StrictQueryRoute)


@router.get("/v1/sources/{source_id}/locate", response_model=QuoteLocation,
            responses={**READ_RESPONSES, **problem_responses(404, 410, 422, 503)})
async def locate_quote(
    request: Request, source_id: str,
    quote: Annotated[str, Query(min_length=1, max_length=1_000, description="The words to find, at most 1,000 code points"
                                " (so that the request line stays within what an HTTP server accepts, about 16 KiB once"
                                " percent-encoded; a longer passage is found by its beginning). White space of any kind and"
                                " length matches any other; text is compared after NFKC normalisation.")],
    occurrence: Annotated[int | None, Query(ge=1, le=MAX_OFFSET, description="Which place to take (1 is the first in the"
                                            " text) when the quote is found more than once.")] = None,
    start: Annotated[int | None, Query(ge=0, le=MAX_OFFSET, description="Take the place that starts at this code-point offset.")] = None,
) -> Response:
    """Locate a quote in a held document's text: its exact slice, code-point offsets, prefix and suffix, as a write
    given the quote without offsets would store them. A quote found nowhere is a 422 (`quote_not_found`) with the
    closest passage; one found more than once, without `occurrence` or `start`, a 422 (`quote_ambiguous`) listing them."""
    store = store_of(request)
    body = await store.lookup(locate_service.locate_in_source, store, source_id=source_id, quote=quote,
                              occurrence=occurrence, start=start)
    return json_response(request, body, body_etag(body))
