"""`POST /v1/documents`: a report whole, in one request and one transaction (api/services/bundles.py)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from starlette.responses import Response

from api.errors import problem_responses
from api.http.auth import WriteKey
from api.http.responses import JSON, StrictQueryRoute
from api.http.routers.editing import WRITE_ERRORS, IdempotencyKey, _idempotent
from api.services.bundles import store_bundle
from api.services.writes import Writer
from schemas.bundle import BundleResult, DocumentBundle

router = APIRouter(tags=["documents"], route_class=StrictQueryRoute)

DryRun = Annotated[bool, Query(description="Check the bundle and answer what would be stored, with the relations the rules"
                                           " would propose, and store nothing (no Idempotency-Key is recorded either).")]


@router.post("/v1/documents", status_code=201, response_model=BundleResult,
             responses={201: {"description": "The report and everything in it stored; `Location` names the report's source.",
                              "headers": {"Location": {"schema": {"type": "string"}}}},
                        200: {"description": "With `dry_run=true`: what would be stored; nothing was.", "model": BundleResult},
                        **problem_responses(*WRITE_ERRORS, 409)})
def create_document(request: Request, principal: WriteKey, bundle: Annotated[DocumentBundle, Body()],
                    dry_run: DryRun = False, idempotency_key: IdempotencyKey = None) -> Response:
    """Add a report whole: its source with the full text, the sources it cites, new actors, spellings and roles,
    claims (quotes may come without offsets), the relations the analyst asserts and the coverage account, shaped like
    a `data/documents/NNN.yaml` file. One transaction: all of it is stored, or nothing is, and a 422 lists every
    problem, each at its place in the bundle (`loc`: `["body", "claims", 3, "evidence", 0, "quote"]`). The detection
    rules run for every claim; the answer lists what they propose. Needs a `write` key; honours `Idempotency-Key`."""

    def run(conn: Any, *, dry: bool = False) -> Response:
        result = store_bundle(Writer(conn, api_key_id=principal.key_id), bundle)
        body = json.dumps({"dry_run": dry, **result}, ensure_ascii=False, separators=(",", ":")).encode()
        if dry:
            return Response(body, status_code=200, media_type=JSON)
        return Response(body, status_code=201, media_type=JSON, headers={"Location": f"/v1/sources/{bundle.source.id}"})

    if dry_run:
        with request.app.state.engine.connect() as conn:
            transaction = conn.begin()
            try:
                return run(conn, dry=True)
            finally:
                transaction.rollback()
    return _idempotent(request, principal.key_id, idempotency_key, bundle, run)
