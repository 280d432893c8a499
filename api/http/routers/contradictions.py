from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.engine.rules import RULES
from api.http.deps import (
    DEFAULT,
    ITEM_RESPONSES,
    LIST_RESPONSES,
    AsOfParam,
    CursorParam,
    DocumentedAs,
    IdParam,
    IncludeDeleted,
    Limit,
    check_date,
    store_of,
)
from api.http.responses import StrictQueryRoute, json_response, page_response
from api.services import contradictions as contradictions_service
from schemas.contradiction import ContradictionPage, ContradictionPublic, CorroborationPage, CorroborationPublic
from schemas.vocab import ContradictionKind, ContradictionStatus, CorroborationKind, CorroborationStatus, DetectionRule

router = APIRouter(route_class=StrictQueryRoute)
ClaimParam = Annotated[IdParam, Query(description="Only those that include this claim.")]
ActorParam = Annotated[IdParam, Query(description="Only those with a claim in which this actor plays any role.")]
OriginParam = Annotated[str | None, Query(max_length=120, description="`curated`, or the name of the detection rule that proposed it.")]
RULE_LIST = "\n".join(f"- `{r.name}` ({', '.join(r.kinds)}): {r.description}" for r in RULES)
RuleParam = Annotated[
    Annotated[str, DocumentedAs(DetectionRule)] | None,
    Query(max_length=120, description="Only those this detection rule proposed or also finds (another name is a 422 listing"
                                      f" them; `GET /v1/engine` gives them too):\n\n{RULE_LIST}"),
]


@router.get("/v1/contradictions", response_model=ContradictionPage, responses=LIST_RESPONSES, tags=["contradictions"])
async def list_contradictions(
    request: Request, kind: ContradictionKind | None = None, status: ContradictionStatus | None = None,
    origin: OriginParam = None, rule: RuleParam = None, claim: ClaimParam = None, actor: ActorParam = None,
    as_of: AsOfParam = None, include_deleted: IncludeDeleted = False, limit: Limit = DEFAULT, cursor: CursorParam = None,
) -> Response:
    """List contradictions, by kind, status, origin, detection rule, claim or actor, or as known at a date."""
    store = store_of(request)
    page = await store.call(
        contradictions_service.list_contradictions, store, kind=kind, status=status, origin=origin, rule=rule, claim=claim,
        actor=actor, as_of=check_date("as_of", as_of), include_deleted=include_deleted, limit=limit, cursor=cursor,
    )
    return page_response(request, page.items, page.next_cursor)


@router.get("/v1/contradictions/{contradiction_id}", response_model=ContradictionPublic, responses=ITEM_RESPONSES, tags=["contradictions"])
async def get_contradiction(request: Request, contradiction_id: str) -> Response:
    """Get a contradiction with the statements of the claims on each side."""
    store = store_of(request)
    body, etag = await store.lookup(contradictions_service.get, store, contradiction_id=contradiction_id)
    return json_response(request, body, etag)


@router.get("/v1/corroborations", response_model=CorroborationPage, responses=LIST_RESPONSES, tags=["corroborations"])
async def list_corroborations(
    request: Request, kind: CorroborationKind | None = None, status: CorroborationStatus | None = None,
    origin: OriginParam = None, rule: RuleParam = None, claim: ClaimParam = None, actor: ActorParam = None,
    independent: Annotated[bool | None, Query(description="Only independent (true) or shared-origin (false) ones.")] = None,
    as_of: AsOfParam = None, include_deleted: IncludeDeleted = False, limit: Limit = DEFAULT, cursor: CursorParam = None,
) -> Response:
    """List corroborations, by kind, review status, origin, detection rule, claim or actor, whether their claims are
    independent, or as known at a date."""
    store = store_of(request)
    page = await store.call(
        contradictions_service.list_corroborations, store, kind=kind, status=status, origin=origin, rule=rule, claim=claim,
        actor=actor, independent=independent, as_of=check_date("as_of", as_of), include_deleted=include_deleted, limit=limit, cursor=cursor,
    )
    return page_response(request, page.items, page.next_cursor)


@router.get("/v1/corroborations/{corroboration_id}", response_model=CorroborationPublic, responses=ITEM_RESPONSES, tags=["corroborations"])
async def get_corroboration(request: Request, corroboration_id: str) -> Response:
    """Get a corroboration with its claims and the origins they share."""
    store = store_of(request)
    body, etag = await store.lookup(contradictions_service.get_corroboration, store, corroboration_id=corroboration_id)
    return json_response(request, body, etag)
