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
    DateParam,
    IdParam,
    IncludeDeleted,
    LanguageParam,
    Limit,
    check_date,
    store_of,
)
from api.http.responses import StrictQueryRoute, json_response, page_response
from api.services import claims as claims_service
from api.services import sources as sources_service
from api.services.common import Page, exists_or_404
from schemas.claim import ClaimPage
from schemas.source import SourcePage, SourcePublic
from schemas.vocab import SourceKind

router = APIRouter(tags=["sources"], route_class=StrictQueryRoute)


@router.get("/v1/sources", response_model=SourcePage, responses=LIST_RESPONSES)
async def list_sources(
    request: Request, kind: SourceKind | None = None, language: LanguageParam = None,
    publisher: Annotated[IdParam, Query(description="Sources published by this actor.")] = None,
    cites: Annotated[IdParam, Query(description="Sources that cite this source directly.")] = None,
    date_from: DateParam = None, date_to: DateParam = None, include_deleted: IncludeDeleted = False,
    limit: Limit = DEFAULT, cursor: CursorParam = None,
) -> Response:
    """List sources (held documents and what they cite), by kind, language, publisher, citation or date."""
    store = store_of(request)
    page = await store.call_page(
        sources_service.list_sources, store, kind=kind, language=language, publisher=publisher, cites=cites,
        date_from=check_date("date_from", date_from), date_to=check_date("date_to", date_to),
        include_deleted=include_deleted, limit=limit, cursor=cursor,
    )
    return page_response(request, page.items, page.next_cursor)


@router.get("/v1/sources/{source_id}", response_model=SourcePublic, responses=ITEM_RESPONSES)
async def get_source(request: Request, source_id: str) -> Response:
    """Get a source with its citation chain and, for held documents, the full text."""
    store = store_of(request)
    body, etag = await store.lookup(sources_service.get, store, source_id=source_id)
    return json_response(request, body, etag)


@router.get("/v1/sources/{source_id}/claims", response_model=ClaimPage, responses=SUBLIST_RESPONSES)
async def list_source_claims(
    request: Request, source_id: str, filters: ClaimFiltersDep,
    limit: Limit = DEFAULT, cursor: CursorParam = None,
) -> Response:
    """List the claims quoted from a source, attributed to it, or tracing back to it."""
    store = store_of(request)

    def claims_of_source() -> Page:
        exists_or_404(store, "source", source_id, "Source")
        return claims_service.list_claims(store, filters=replace(filters, source=source_id), limit=limit, cursor=cursor)

    page = await store.call_page(claims_of_source)
    return page_response(request, page.items, page.next_cursor)
