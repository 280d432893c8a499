from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request
from starlette.responses import Response

from api.errors import problem_responses
from api.http.auth import AdminKey
from api.http.deps import READ_RESPONSES, store_of
from api.http.responses import StrictQueryRoute, body_etag, json_response
from api.services import knowledge as knowledge_service
from api.services.writes import Writer
from schemas.engine import EnginePublic
from schemas.knowledge import Knowledge

router = APIRouter(tags=["engine"], route_class=StrictQueryRoute)


@router.get("/v1/engine", response_model=EnginePublic, responses={**READ_RESPONSES, **problem_responses(422)})
async def get_engine(request: Request) -> Response:
    """Get the detection rules and the declared knowledge tables in force: what decides propositions and relations."""
    store = store_of(request)
    body = await store.call(knowledge_service.describe, store)
    return json_response(request, body, body_etag(body))


@router.put("/v1/engine/knowledge", response_model=EnginePublic, responses=problem_responses(401, 403, 413, 422, 503))
def replace_knowledge(request: Request, principal: AdminKey,
                      knowledge: Annotated[Knowledge, Body()]) -> Response:
    """Put new declared knowledge tables in force (an `admin` key; `version` above the one in force). Every
    claim is keyed again and the rules run for all of them in one transaction; the change goes into the
    change feed as resource `knowledge`. Answers what is now in force."""
    with request.app.state.engine.begin() as conn:
        Writer(conn, api_key_id=principal.key_id).engine.replace_knowledge(knowledge)
    body = knowledge_service.describe(store_of(request))
    return json_response(request, body, body_etag(body))
