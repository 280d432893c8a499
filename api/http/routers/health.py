from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from api.errors import problem_responses
from api.http.deps import READ_RESPONSES, store_of
from api.http.responses import StrictQueryRoute, body_etag, json_response

router = APIRouter(tags=["health"], route_class=StrictQueryRoute)


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    dataset: str = Field(description="Fingerprint of the dataset the database was built from.")


@router.get("/healthz", response_model=Health, responses={**READ_RESPONSES, **problem_responses(422)})
async def get_health(request: Request) -> Response:
    """Report that the service is up and its database answers."""
    store = store_of(request)
    row = await store.call_health(store.one, "SELECT value FROM meta WHERE key = 'fingerprint'")
    body = Health(status="ok", dataset=str(row[0]) if row else "").model_dump_json().encode()
    return json_response(request, body, body_etag(body))
