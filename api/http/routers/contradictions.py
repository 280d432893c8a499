from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Body, Header, Path, Query, Request
from starlette.responses import Response

from api.engine.rules import RULES
from api.errors import problem_responses
from api.http.auth import WriteKey
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
from api.http.responses import JSON, StrictQueryRoute, json_response, page_response
from api.services import contradictions as contradictions_service
from api.services.members import MemberWrites
from api.services.writes import Writer, Written
from schemas.contradiction import ContradictionPage, ContradictionPublic, CorroborationPage, CorroborationPublic
from schemas.vocab import ContradictionKind, ContradictionStatus, CorroborationKind, CorroborationStatus, DetectionRule
from schemas.writes import MemberSide

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
    page = await store.call_page(
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
    page = await store.call_page(
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


# -- member edits: one claim added or removed, with If-Match (api/services/members.py)

MEMBER_ERRORS = problem_responses(401, 403, 404, 409, 410, 412, 413, 422, 428, 503)
IfMatch = Annotated[str | None, Header(description="The relation's ETag as you last read it (required: 428 without it, 412 when stale).")]
RelationClaimId = Annotated[str, Path(description="Id of the claim added or removed.")]
ContradictionId = Annotated[str, Path(description="Id of the contradiction.")]
CorroborationId = Annotated[str, Path(description="Id of the corroboration.")]


def _member_write(request: Request, principal_key: str, run: Callable[[MemberWrites], Written]) -> Response:
    with request.app.state.engine.begin() as conn:
        written = run(MemberWrites(Writer(conn, api_key_id=principal_key)))
    return Response(written.body, media_type=JSON, headers={"ETag": written.etag})


@router.post("/v1/contradictions/{contradiction_id}/claims/{claim_id}", response_model=ContradictionPublic, tags=["contradictions"],
             responses={200: {"description": "The contradiction with the claim added; `ETag` is its new one."}, **MEMBER_ERRORS})
def add_contradiction_claim(request: Request, contradiction_id: ContradictionId, claim_id: RelationClaimId, principal: WriteKey,
                            member: Annotated[MemberSide, Body()], if_match: IfMatch = None) -> Response:
    """Add one claim to a contradiction, on side `a` or `b`, without sending the whole list. Needs a `write` key and
    `If-Match` with the contradiction's current ETag. The claim must exist and not be a member already (409); the list
    must still satisfy the contradiction's rules (opposing claims from different passages, no relation repeated)."""
    return _member_write(request, principal.key_id, lambda m: m.add("contradiction", contradiction_id, claim_id, member.side, if_match))


@router.delete("/v1/contradictions/{contradiction_id}/claims/{claim_id}", response_model=ContradictionPublic, tags=["contradictions"],
               responses={200: {"description": "The contradiction without the claim; `ETag` is its new one."}, **MEMBER_ERRORS})
def remove_contradiction_claim(request: Request, contradiction_id: ContradictionId, claim_id: RelationClaimId, principal: WriteKey,
                               if_match: IfMatch = None) -> Response:
    """Remove one claim from a contradiction. Needs a `write` key and `If-Match` with its current ETag. A claim that is
    no member is a 404; each side must keep a claim (422)."""
    return _member_write(request, principal.key_id, lambda m: m.remove("contradiction", contradiction_id, claim_id, if_match))


@router.post("/v1/corroborations/{corroboration_id}/claims/{claim_id}", response_model=CorroborationPublic, tags=["corroborations"],
             responses={200: {"description": "The corroboration with the claim added; `ETag` is its new one."}, **MEMBER_ERRORS})
def add_corroboration_claim(request: Request, corroboration_id: CorroborationId, claim_id: RelationClaimId, principal: WriteKey,
                            if_match: IfMatch = None) -> Response:
    """Add one claim to a corroboration without sending the whole list. Needs a `write` key and `If-Match` with the
    corroboration's current ETag. The claim must exist and not be a member already (409), and come from another passage
    than each claim in it (422); `independent` is worked out again."""
    return _member_write(request, principal.key_id, lambda m: m.add("corroboration", corroboration_id, claim_id, None, if_match))


@router.delete("/v1/corroborations/{corroboration_id}/claims/{claim_id}", response_model=CorroborationPublic, tags=["corroborations"],
               responses={200: {"description": "The corroboration without the claim; `ETag` is its new one."}, **MEMBER_ERRORS})
def remove_corroboration_claim(request: Request, corroboration_id: CorroborationId, claim_id: RelationClaimId, principal: WriteKey,
                               if_match: IfMatch = None) -> Response:
    """Remove one claim from a corroboration. Needs a `write` key and `If-Match` with its current ETag. A claim that is
    no member is a 404; two claims must remain (422)."""
    return _member_write(request, principal.key_id, lambda m: m.remove("corroboration", corroboration_id, claim_id, if_match))
