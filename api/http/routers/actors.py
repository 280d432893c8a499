from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.http.deps import (
    DEFAULT,
    ITEM_RESPONSES,
    LIST_RESPONSES,
    SUBLIST_RESPONSES,
    ClaimFiltersDep,
    CursorParam,
    IncludeDeleted,
    Limit,
    store_of,
)
from api.http.responses import StrictQueryRoute, json_response, page_response
from api.services import actors as actors_service
from api.services import claims as claims_service
from api.services.common import Page, exists_or_404
from schemas.actor import ActorPage, ActorPublic
from schemas.claim import ClaimPage
from schemas.vocab import ActorKind

router = APIRouter(tags=["actors"], route_class=StrictQueryRoute)


@router.get("/v1/actors", response_model=ActorPage, responses=LIST_RESPONSES)
async def list_actors(
    request: Request, kind: ActorKind | None = None, unnamed: bool | None = None, include_deleted: IncludeDeleted = False,
    limit: Limit = DEFAULT, cursor: CursorParam = None,
    q: Annotated[str | None, Query(
        min_length=1, max_length=500,
        description="Only actors any of whose names, in any spelling and language, or whose description holds every"
        " word of `q`, folded as /v1/search folds it (case, diacritics, Arabic letter forms; a word's beginning matches;"
        " synonyms): `q=sisi`, `q=السيسى` and `q=el-Sisi` find the same actor.",
    )] = None,
) -> Response:
    """List actors, by kind, by any spelling of a name (`q`), or only the unnamed speakers."""
    store = store_of(request)
    page = await store.call_page(actors_service.list_actors, store, kind=kind, unnamed=unnamed, include_deleted=include_deleted,
                            limit=limit, cursor=cursor, q=q)
    return page_response(request, page.items, page.next_cursor)


@router.get("/v1/actors/{actor_id}", response_model=ActorPublic, responses=ITEM_RESPONSES)
async def get_actor(request: Request, actor_id: str) -> Response:
    """Get an actor with every spelling of its name, its roles over time and its claim counts."""
    store = store_of(request)
    body, etag = await store.lookup(actors_service.get, store, actor_id=actor_id)
    return json_response(request, body, etag)


@router.get("/v1/actors/{actor_id}/claims", response_model=ClaimPage, responses=SUBLIST_RESPONSES)
async def list_actor_claims(
    request: Request, actor_id: str, filters: ClaimFiltersDep,
    limit: Limit = DEFAULT, cursor: CursorParam = None,
) -> Response:
    """List the claims an actor is part of, in any role or in the given `role`."""
    store = store_of(request)

    def claims_of_actor() -> Page:
        exists_or_404(store, "actor", actor_id, "Actor")
        return claims_service.list_claims(store, filters=replace(filters, actor=actor_id), limit=limit, cursor=cursor)

    page = await store.call_page(claims_of_actor)
    return page_response(request, page.items, page.next_cursor)
