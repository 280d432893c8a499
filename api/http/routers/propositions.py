from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.errors import problem_responses
from api.http.deps import DEFAULT, LIST_RESPONSES, READ_RESPONSES, AsOfParam, CursorParam, DateParam, IdParam, Limit, check_date, store_of
from api.http.responses import StrictQueryRoute, body_etag, json_response, page_response
from api.services import propositions as propositions_service
from api.services.propositions import PropositionFilters
from schemas.proposition import PropositionPage, PropositionPublic
from schemas.vocab import Predicate

router = APIRouter(tags=["propositions"], route_class=StrictQueryRoute)


@router.get("/v1/propositions", response_model=PropositionPage, responses=LIST_RESPONSES)
async def list_propositions(
    request: Request,
    actor: Annotated[IdParam, Query(description="Propositions with a claim in which this actor plays any role (subject, object,"
                                                " recipient, claimant, speaker, location).")] = None,
    predicate: Annotated[Predicate | None, Query(description="Propositions with a claim of this predicate.")] = None,
    date_from: Annotated[DateParam, Query(description="Propositions with a claim whose time (event time, else publication date)"
                                                      " reaches this date or later.")] = None,
    date_to: Annotated[DateParam, Query(description="Propositions with a claim whose time starts by this date.")] = None,
    as_of: AsOfParam = None, limit: Limit = DEFAULT, cursor: CursorParam = None,
) -> Response:
    """List propositions (claims that say the same thing), each with its key, its claim count, the time it spans and its status line."""
    store = store_of(request)
    filters = PropositionFilters(
        actor=actor, predicate=predicate, date_from=check_date("date_from", date_from), date_to=check_date("date_to", date_to),
        as_of=check_date("as_of", as_of),
    )
    page = await store.call(propositions_service.list_propositions, store, filters=filters, limit=limit, cursor=cursor)
    return page_response(request, page.items, page.next_cursor)


@router.get("/v1/propositions/{proposition_id}", response_model=PropositionPublic, responses={**READ_RESPONSES, **problem_responses(404, 422)})
async def get_proposition(request: Request, proposition_id: str, as_of: AsOfParam = None) -> Response:
    """Get a proposition with its claims in time order, each with its step, the status line they make, and the relations among them."""
    store = store_of(request)
    body = await store.call(propositions_service.get, store, proposition_id=proposition_id, as_of=check_date("as_of", as_of))
    return json_response(request, body, body_etag(body))
