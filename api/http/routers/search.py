from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from api.http.deps import DEFAULT, LIST_RESPONSES, CursorParam, Limit, store_of
from api.http.responses import StrictQueryRoute, page_response
from api.services import search as search_service
from api.services.search import SearchKind
from schemas.refs import Page
from schemas.vocab import SearchField

router = APIRouter(tags=["search"], route_class=StrictQueryRoute)


class SearchHit(BaseModel):
    """An actor, claim or source that matches the query."""

    kind: SearchKind
    id: str
    label: str = Field(description="The actor's name, the claim's statement or the source's title.")
    field: SearchField = Field(description="The best-matching field.")
    language: str = Field(description="Language of that field.")
    snippet: str = Field(description="The matching passage of that field.")
    score: float = Field(
        description="Relevance, higher is better: a function of this record's matching text and the query alone (BM25's term"
        " saturation and length normalization, every term weighted alike), so it never changes as other records are written."
        " Hits come by score, then kind, then id; a page resumes after the last hit served."
    )


class SearchHitPage(Page[SearchHit]):
    """A page of search hits, best first."""


@router.get("/v1/search", response_model=SearchHitPage, responses=LIST_RESPONSES)
async def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500, description=(
        "Words to find, in English or Arabic; every word must match, as a word of the record or, when it has two characters"
        " or more, as the beginning of a longer one (counted half)."
    ))],
    kind: SearchKind | None = None, limit: Limit = DEFAULT, cursor: CursorParam = None,
) -> Response:
    """Search actors (every spelling), claims (statements, quotes, translations) and sources (titles, texts), best first."""
    store = store_of(request)
    page = await store.call_search(search_service.search, store, q=q, kind=kind, limit=limit, cursor=cursor)
    return page_response(request, page.items, page.next_cursor)
