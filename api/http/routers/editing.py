"""Write routes: create, update and delete for each resource, and each record's history.

The five resources share one shape, so their routes are made by one function; each gets its own
operation names (`create_claim`, `update_claim`, `delete_claim`, `list_claim_revisions`).
"""

import hashlib
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Request
from pydantic import BaseModel
from sqlalchemy import insert, select
from starlette.responses import Response

from api.errors import IdempotencyKeyReused, problem_responses
from api.http.auth import WriteKey
from api.http.deps import DEFAULT, CursorParam, Limit, store_of
from api.http.examples import CREATE
from api.http.responses import JSON, StrictQueryRoute, page_response
from api.services import changes as changes_service
from api.services.writes import FIRST_REVISION, NAMES, Writer
from api.store.render import etag_of
from schemas.actor import ActorPublic
from schemas.changes import ChangePage
from schemas.claim import ClaimPublic
from schemas.contradiction import ContradictionPublic, CorroborationPublic
from schemas.source import SourcePublic
from schemas.tables import IdempotencyRecord, table_of
from schemas.writes import (
    ActorCreate,
    ActorPatch,
    ClaimCreate,
    ClaimPatch,
    ContradictionCreate,
    ContradictionPatch,
    CorroborationCreate,
    CorroborationPatch,
    RoleCreate,
    SourceCreate,
    SourcePatch,
)

router = APIRouter(route_class=StrictQueryRoute)

IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$",
        description="Makes a create safe to retry: a repeat with the same key and body, by the same API key, returns"
        " the first response (with `Idempotent-Replayed: true`). 1-200 visible ASCII characters, e.g. a UUID;"
        " the same key with another body is a 422.",
    ),
]
IfMatch = Annotated[str | None, Header(description="The ETag of the record as you last read it.")]
WRITE_ERRORS = (401, 403, 413, 422, 503)


def _first_etag(conn: Any, body: bytes) -> str | None:
    """The ETag a create's 201 carried: its body is the record at its first revision."""
    return etag_of(FIRST_REVISION, body)


def _idempotent(request: Request, principal_id: str, key: str | None, payload: BaseModel, run: Callable[[Any], Response],
                replayed_etag: Callable[[Any, bytes], str | None] = _first_etag) -> Response:
    """Run a create once per `Idempotency-Key` (of this API key): a repeat of the same request answers the first
    response again, with `Idempotent-Replayed: true` and, for a 201, the ETag `replayed_etag` gives (the created
    record's at its first revision); the same key with another request is a 422."""
    engine = request.app.state.engine
    with engine.begin() as conn:
        if key is None:
            return run(conn)
        digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode() + payload.model_dump_json().encode()).hexdigest()
        t = table_of(IdempotencyRecord)
        seen = conn.execute(select(t).where(t.c.api_key_id == principal_id, t.c.key == key)).first()
        if seen is not None:
            if seen.request_hash != digest or seen.path != request.url.path:
                raise IdempotencyKeyReused(
                    f"Idempotency-Key '{key}' was first used for a different request; use a new key for a new request."
                )
            body = bytes(seen.body)
            headers = {"Location": seen.location} if seen.location else {}
            etag = replayed_etag(conn, body) if seen.status == 201 else None
            if etag is not None:
                headers["ETag"] = etag
            return Response(body, status_code=seen.status, media_type=JSON, headers={**headers, "Idempotent-Replayed": "true"})
        response = run(conn)
        conn.execute(insert(t).values(
            api_key_id=principal_id, key=key, method=request.method, path=request.url.path, request_hash=digest,
            status=response.status_code, body=bytes(response.body), location=response.headers.get("location"),
            created_at=Writer(conn, api_key_id=None).now,
        ))
        return response


def _add_routes(kind: str, create_model: type[BaseModel], patch_model: type[BaseModel], public: type[BaseModel]) -> None:
    plural = f"{kind}s"
    name = NAMES[kind]
    tag = plural
    ItemId = Annotated[str, Path(alias=f"{kind}_id", description=f"Id of the {kind}.")]

    def create(request: Request, principal: WriteKey, payload: Annotated[create_model, Body(openapi_examples=CREATE[kind])],  # type: ignore[valid-type]
               idempotency_key: IdempotencyKey = None) -> Response:
        def run(conn: Any) -> Response:
            written = Writer(conn, api_key_id=principal.key_id).create(kind, payload)
            item_id = payload.id  # type: ignore[attr-defined]
            return Response(written.body, status_code=201, media_type=JSON,
                            headers={"ETag": written.etag, "Location": f"/v1/{plural}/{item_id}"})

        return _idempotent(request, principal.key_id, idempotency_key, payload, run)

    def update(request: Request, item_id: ItemId, principal: WriteKey, patch: Annotated[patch_model, Body()], if_match: IfMatch = None) -> Response:  # type: ignore[valid-type]
        with request.app.state.engine.begin() as conn:
            written = Writer(conn, api_key_id=principal.key_id).update(kind, item_id, patch, if_match)
        return Response(written.body, media_type=JSON, headers={"ETag": written.etag})

    def remove(request: Request, item_id: ItemId, principal: WriteKey, if_match: IfMatch = None) -> Response:
        with request.app.state.engine.begin() as conn:
            Writer(conn, api_key_id=principal.key_id).delete(kind, item_id, if_match)
        return Response(status_code=204)

    async def revisions(request: Request, item_id: ItemId, limit: Limit = DEFAULT, cursor: CursorParam = None) -> Response:
        store = store_of(request)
        page = await store.call_page(changes_service.list_revisions, store, resource=kind, resource_id=item_id, limit=limit, cursor=cursor)
        return page_response(request, page.items, page.next_cursor)

    create.__doc__ = f"Create a {kind}. Needs a `write` key; honours `Idempotency-Key`."
    update.__doc__ = f"Change some fields of a {kind}. Needs a `write` key and `If-Match` with its current ETag."
    remove.__doc__ = f"Delete a {kind} (a tombstone and its history remain). Needs a `write` key and `If-Match`."
    revisions.__doc__ = f"List every revision of a {kind}, oldest first, with who changed what and when."
    router.add_api_route(
        f"/v1/{plural}", create, methods=["POST"], name=f"create_{kind}", tags=[tag], status_code=201, response_model=public,
        responses={201: {"description": f"{name} created; `Location` names it.", "headers": {"Location": {"schema": {"type": "string"}}}},
                   **problem_responses(*WRITE_ERRORS, 409)},
    )
    router.add_api_route(
        f"/v1/{plural}/{{{kind}_id}}", update, methods=["PATCH"], name=f"update_{kind}", tags=[tag], response_model=public,
        responses=problem_responses(*WRITE_ERRORS, 404, 409, 410, 412, 428),
    )
    router.add_api_route(
        f"/v1/{plural}/{{{kind}_id}}", remove, methods=["DELETE"], name=f"delete_{kind}", tags=[tag], status_code=204,
        responses={204: {"description": f"{name} deleted."}, **problem_responses(*WRITE_ERRORS, 404, 409, 410, 412, 428)},
    )
    router.add_api_route(
        f"/v1/{plural}/{{{kind}_id}}/revisions", revisions, methods=["GET"], name=f"list_{kind}_revisions", tags=[tag],
        response_model=ChangePage, responses={304: {"description": "Not Modified."}, **problem_responses(400, 404, 422, 503)},
    )


RoleId = Annotated[str, Path(description="Id of the role: `<document>.<position>`, as the actor's `roles[].id` gives it.")]
ActorId = Annotated[str, Path(description="Id of the actor.")]


@router.post("/v1/actors/{actor_id}/roles", status_code=201, response_model=ActorPublic, tags=["actors"],
             responses=problem_responses(*WRITE_ERRORS, 404, 410))
def add_actor_role(request: Request, actor_id: ActorId, principal: WriteKey, role: Annotated[RoleCreate, Body(openapi_examples=CREATE["role"])]) -> Response:
    """Add a role to an actor, with evidence from a held document. Needs a `write` key. Whom the actor acts
    for changes, so the rules run again for its claims. Answers the actor, its roles listed with their ids."""
    with request.app.state.engine.begin() as conn:
        written = Writer(conn, api_key_id=principal.key_id).roles.add(actor_id, role)
    return Response(written.body, status_code=201, media_type=JSON, headers={"ETag": written.etag})


@router.delete("/v1/actors/{actor_id}/roles/{role_id}", status_code=204, tags=["actors"],
               responses={204: {"description": "Role removed."}, **problem_responses(*WRITE_ERRORS, 404, 410, 412, 428)})
def delete_actor_role(request: Request, actor_id: ActorId, role_id: RoleId, principal: WriteKey, if_match: IfMatch = None) -> Response:
    """Remove a role from an actor. Needs a `write` key and `If-Match` with the actor's current ETag."""
    with request.app.state.engine.begin() as conn:
        Writer(conn, api_key_id=principal.key_id).roles.remove(actor_id, role_id, if_match)
    return Response(status_code=204)


_add_routes("actor", ActorCreate, ActorPatch, ActorPublic)
_add_routes("source", SourceCreate, SourcePatch, SourcePublic)
_add_routes("claim", ClaimCreate, ClaimPatch, ClaimPublic)
_add_routes("contradiction", ContradictionCreate, ContradictionPatch, ContradictionPublic)
_add_routes("corroboration", CorroborationCreate, CorroborationPatch, CorroborationPublic)
