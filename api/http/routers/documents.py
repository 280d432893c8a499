"""`POST /v1/documents`: a report whole, in one request and one transaction (api/services/bundles.py)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from sqlalchemy import select
from starlette.responses import Response

from api.errors import problem_responses
from api.http.auth import WriteKey
from api.http.responses import JSON, StrictQueryRoute
from api.http.routers.editing import WRITE_ERRORS, IdempotencyKey, _idempotent
from api.services.bundles import store_bundle
from api.services.writes import FIRST_REVISION, Writer
from api.store.records import TABLE_OF
from schemas.bundle import BundleResult, DocumentBundle

router = APIRouter(tags=["documents"], route_class=StrictQueryRoute)

DryRun = Annotated[bool, Query(description="Check the bundle and answer what would be stored, with the relations the rules"
                                           " would propose, and store nothing (no Idempotency-Key is recorded either).")]


@router.post("/v1/documents", status_code=201, response_model=BundleResult,
             responses={201: {"description": "The report and everything in it stored; `Location` names the report's source and"
                                             " `ETag` is that source's, as `GET` on `Location` serves it.",
                              "headers": {"Location": {"schema": {"type": "string"}}, "ETag": {"schema": {"type": "string"}}}},
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
        headers = {"Location": f"/v1/sources/{bundle.source.id}"}
        etag = _source_etag(conn, bundle.source.id)
        if etag is not None:
            headers["ETag"] = etag
        return Response(body, status_code=201, media_type=JSON, headers=headers)

    def replayed(conn: Any, _body: bytes) -> str | None:
        return _source_etag(conn, bundle.source.id, first=True)

    if dry_run:
        with request.app.state.engine.connect() as conn:
            transaction = conn.begin()
            try:
                return run(conn, dry=True)
            finally:
                transaction.rollback()
    return _idempotent(request, principal.key_id, idempotency_key, bundle, run, replayed)


def _source_etag(conn: Any, source_id: str, *, first: bool = False) -> str | None:
    """The ETag of the report's source as `GET /v1/sources/{id}` serves it (RFC 9110 §15.3.2: the validators of a
    201 are those of the resource `Location` names); with `first`, only while it is still at its first revision
    (a replayed 201 stands for the source as it was created)."""
    t = TABLE_OF["source"]
    row = conn.execute(select(t.c.etag, t.c.revision).where(t.c.id == source_id)).first()
    if row is None or (first and row.revision != FIRST_REVISION):
        return None
    return str(row.etag)
