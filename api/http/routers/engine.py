from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.errors import problem_responses
from api.http.deps import READ_RESPONSES, store_of
from api.http.responses import StrictQueryRoute, body_etag, json_response
from api.services import knowledge as knowledge_service
from schemas.engine import EnginePublic

router = APIRouter(tags=["engine"], route_class=StrictQueryRoute)


@router.get("/v1/engine", response_model=EnginePublic, responses={**READ_RESPONSES, **problem_responses(422)})
async def get_engine(request: Request) -> Response:
    """Get the detection rules and the declared knowledge tables in force: what decides propositions and relations."""
    body = knowledge_service.describe(store_of(request))
    return json_response(request, body, body_etag(body))
