"""Problem details (RFC 9457): every error the API returns.

ProblemError                      base; its subclasses are the API's problem types
├── BadRequest       400  /problems/bad-request        malformed request, e.g. a cursor that does not decode
├── Unauthorized     401  /problems/unauthorized       no API key, or one that is unknown or revoked
├── Forbidden        403  /problems/forbidden          the key lacks the scope the operation needs
├── NotFound         404  /problems/not-found          no resource with that id
├── Conflict         409  /problems/conflict           the id is taken, or the record is still referenced
├── Gone             410  /problems/gone               the resource was deleted (a tombstone remains)
├── PreconditionFailed   412  /problems/precondition-failed    If-Match names a revision that is not current
├── PayloadTooLarge      413  /problems/payload-too-large      the request body is over the configured size
├── UnsupportedMediaType 415  /problems/unsupported-media-type a body that is not sent as JSON (Content-Type)
├── ValidationProblem    422  /problems/validation-error       the body is invalid (with `errors`)
├── InvalidParameter     422  /problems/invalid-parameter      a parameter is well-formed but unacceptable
├── IdempotencyKeyReused 422  /problems/idempotency-key-reused the Idempotency-Key was used for another request
├── PreconditionRequired 428  /problems/precondition-required  PATCH and DELETE need If-Match
└── Unavailable          503  /problems/unavailable            the database could not take the request in time: no
                                                                   connection freed up, SQLite's write lock stayed held
                                                                   past its busy timeout, or the server is unreachable
                                                                   (Retry-After)
Framework errors map onto the same shape:
    request validation     422  /problems/validation-error   (with `errors: [{loc, msg, type}]`)
    a body that is not JSON 400  /problems/bad-request        (with where: code point, line, column)
    unknown path           404  /problems/not-found
    method not allowed     405  /problems/method-not-allowed
Anything else is a bug and stays a 500.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from schemas.locate import TextPassage
from schemas.vocab import RecordKind

PROBLEM_JSON = "application/problem+json"


class ValidationIssue(BaseModel):
    loc: list[str | int] = Field(description="Where the problem is: e.g. `[\"query\", \"limit\"]`.")
    msg: str
    type: str
    closest: TextPassage | None = Field(None, description="For a quote not found (`quote_not_found`): the passage of the text most like it.")
    matches: list[TextPassage] | None = Field(
        None, description="For a quote found more than once (`quote_ambiguous`, `no_such_occurrence`): the places, in text order (at most 20)."
    )
    count: int | None = Field(None, description="With `matches`: how many times the quote is found.")


class Reference(BaseModel):
    resource: RecordKind
    id: str


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str = Field(description="Stable identifier of the problem type.", examples=["/problems/not-found"])
    title: str
    status: int
    detail: str = Field(description="What was wrong, in plain English.")
    instance: str = Field(description="The request path.")
    errors: list[ValidationIssue] | None = Field(None, description="For validation errors: each invalid field.")
    references: list[Reference] | None = Field(None, description="For a refused delete: the records that still reference it.")
    error_id: str | None = Field(None, description="For a 500: the id the server's log gives the failure, to quote when reporting it.")


class ProblemError(Exception):
    status = 500
    type = "/problems/internal"
    title = "Internal Server Error"

    headers: dict[str, str] | None = None

    def __init__(
        self, detail: str, *, errors: list[dict[str, Any]] | None = None, references: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.references = references


class BadRequest(ProblemError):
    status = 400
    type = "/problems/bad-request"
    title = "Bad Request"


class UnsupportedMediaType(ProblemError):
    """A request body sent with a Content-Type other than JSON (`application/json`, or a `+json` suffix, RFC 6839
    §3.1), or with none: RFC 9110 §15.5.16. The answer names the accepted type in `Accept-Post` (W3C LDP §7.1) or
    `Accept-Patch` (RFC 5789 §3.1), by method."""

    status = 415
    type = "/problems/unsupported-media-type"
    title = "Unsupported Media Type"


class NotFound(ProblemError):
    status = 404
    type = "/problems/not-found"
    title = "Not Found"


class Unauthorized(ProblemError):
    status = 401
    type = "/problems/unauthorized"
    title = "Unauthorized"
    headers = {"WWW-Authenticate": 'Bearer realm="claims-api"'}


class Forbidden(ProblemError):
    status = 403
    type = "/problems/forbidden"
    title = "Forbidden"


class Conflict(ProblemError):
    status = 409
    type = "/problems/conflict"
    title = "Conflict"


class PreconditionFailed(ProblemError):
    status = 412
    type = "/problems/precondition-failed"
    title = "Precondition Failed"


class PayloadTooLarge(ProblemError):
    status = 413
    type = "/problems/payload-too-large"
    title = "Payload Too Large"


class ValidationProblem(ProblemError):
    status = 422
    type = "/problems/validation-error"
    title = "Validation Error"


class IdempotencyKeyReused(ProblemError):
    status = 422
    type = "/problems/idempotency-key-reused"
    title = "Idempotency Key Reused"


class PreconditionRequired(ProblemError):
    status = 428
    type = "/problems/precondition-required"
    title = "Precondition Required"


class Gone(ProblemError):
    status = 410
    type = "/problems/gone"
    title = "Gone"


class InvalidParameter(ProblemError):
    status = 422
    type = "/problems/invalid-parameter"
    title = "Invalid Parameter"


class Unavailable(ProblemError):
    """The database could not take the request in time: every connection (or thread) the server allows stayed
    busy for CLAIMS_DB_POOL_TIMEOUT_SECONDS, another writer held SQLite's write lock past its busy timeout, or
    PostgreSQL could not be reached. The request did nothing (its transaction, if any, was rolled back) and may
    be sent again after Retry-After seconds (RFC 9110 §15.6.4, §10.2.3)."""

    status = 503
    type = "/problems/unavailable"
    title = "Service Unavailable"
    headers = {"Retry-After": "1"}


def problem_response(
    request: Request, status: int, type_: str, title: str, detail: str, errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None, references: list[dict[str, str]] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail, "instance": request.url.path}
    if errors is not None:
        body["errors"] = errors
    if references is not None:
        body["references"] = references
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _problem_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(request, exc.status, exc.type, exc.title, exc.detail, exc.errors, exc.headers, exc.references)


def _issue(err: Any) -> dict[str, Any]:
    return {"loc": list(err.get("loc", ())), "msg": str(err.get("msg", "")), "type": str(err.get("type", ""))}


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    syntax = next((e for e in exc.errors() if e.get("type") == "json_invalid"), None)
    if syntax is not None:
        return await _problem_error(request, _json_syntax(syntax, await request.body()))
    issues = [_issue(e) for e in exc.errors()]
    where = "; ".join(f"{'.'.join(str(p) for p in i['loc'])}: {i['msg']}" for i in issues)
    return problem_response(
        request, 422, "/problems/validation-error", "Validation Error", f"The request is invalid: {where}.", issues
    )


def _json_syntax(error: dict[str, Any], body: bytes) -> BadRequest:
    """A body that is not JSON at all (RFC 8259) is a malformed request, 400, not a body that fails the schema: the
    problem says where parsing stopped, as a code point offset into the body and as line and column (from 1)."""
    loc: tuple[Any, ...] = tuple(error.get("loc") or ())
    at = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    reason = str((error.get("ctx") or {}).get("error") or "not JSON")
    where = ""
    if at is not None:
        text = body.decode("utf-8", errors="replace")
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        where = f" at code point {at} (line {line}, column {column})"
    return BadRequest(
        f"The request body is not valid JSON (RFC 8259): {reason}{where}.",
        errors=[{"loc": ["body", *([at] if at is not None else [])], "msg": f"{reason}{where}", "type": "json_invalid"}],
    )


_HTTP_TYPES = {
    400: ("/problems/bad-request", "Bad Request"),
    404: ("/problems/not-found", "Not Found"),
    405: ("/problems/method-not-allowed", "Method Not Allowed"),
}
# Pages the app serves outside the OpenAPI document (the document itself and the interactive docs).
UNDOCUMENTED_GETS = ("/openapi.json", "/docs", "/redoc", "/docs/assets/{path:path}")


def allowed_methods(request: Request) -> list[str]:
    """Every method the API serves at this request's path, with HEAD wherever GET is (RFC 9110 §10.2.1).
    Worked out from the OpenAPI document's paths, once per app."""
    app = request.app
    table: list[tuple[re.Pattern[str], set[str]]] | None = getattr(app.state, "allowed_methods", None)
    if table is None:
        table = [(compile_path(path)[0], {m.upper() for m in item}) for path, item in app.openapi()["paths"].items()]
        table += [(compile_path(path)[0], {"GET"}) for path in UNDOCUMENTED_GETS]
        app.state.allowed_methods = table
    methods = set().union(*(m for pattern, m in table if pattern.match(request.url.path)))
    if "GET" in methods:
        methods.add("HEAD")
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return sorted(methods, key=lambda m: order.index(m) if m in order else len(order))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    type_, title = _HTTP_TYPES.get(exc.status_code, (f"/problems/http-{exc.status_code}", "HTTP Error"))
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 404:
        detail = f"No route matches {request.url.path}."
    elif exc.status_code == 400:
        detail = (f"The request body could not be read: {exc.detail}. Send JSON (RFC 8259) within the parser's limits:"
                  " nesting at most about 1,000 levels deep, and integers of at most 4,300 digits.")
    elif exc.status_code == 405:
        allow = allowed_methods(request)
        headers["Allow"] = ", ".join(allow)
        detail = f"{request.method} is not allowed on {request.url.path}; it allows {', '.join(allow)}."
    else:
        detail = str(exc.detail)
    return problem_response(request, exc.status_code, type_, title, detail, headers=headers or None)


async def _pool_timeout(request: Request, exc: Exception) -> JSONResponse:
    """The write engine's pool (SQLAlchemy) ran out of connections for longer than its timeout."""
    problem = Unavailable("Every database connection for writes stayed busy too long (CLAIMS_DB_WRITE_POOL_SIZE); try again shortly.")
    return await _problem_error(request, problem)


SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked")
"""The messages of sqlite3.OperationalError for SQLITE_BUSY and SQLITE_LOCKED: another connection held a lock
for longer than the busy timeout. Other OperationalErrors of SQLite (a missing table, a full disk) are faults."""


PG_UNAVAILABLE_CLASSES = frozenset({"08", "53", "57"})
"""SQLSTATE classes of PostgreSQL errors that pass (PostgreSQL's Appendix A): connection exception (08), insufficient
resources (53: too many connections, out of memory or disk), operator intervention (57: a statement cancelled by
its timeout, the server shutting down or starting). With lock_not_available (55P03) and serialization failures
(40001, 40P01), and errors with no SQLSTATE (no connection was made), they are a 503. Any other OperationalError
(a program limit exceeded, 54xxx, say) would fail again: a fault, 500."""
PG_UNAVAILABLE_STATES = frozenset({"40001", "40P01"})
LOCK_HELD = "another write held the database's write lock for longer than CLAIMS_DB_POOL_TIMEOUT_SECONDS"


def unavailable_cause(exc: BaseException) -> str | None:
    """Why a database error means "try again later" rather than a fault, or None when it is a fault.

    SQLite's busy and locked errors (`SQLITE_BUSY`), and psycopg's OperationalErrors that pass
    (`PG_UNAVAILABLE_CLASSES`: the server could not be reached, the connection was lost, a statement or lock timed
    out), whether raised as they are or wrapped by SQLAlchemy."""
    cause = getattr(exc, "orig", None) or exc
    if isinstance(cause, sqlite3.OperationalError) and str(cause).startswith(SQLITE_BUSY):
        return LOCK_HELD
    if isinstance(cause, psycopg.OperationalError):
        state = cause.sqlstate or ""
        if state == "55P03":
            return LOCK_HELD
        if not state or state[:2] in PG_UNAVAILABLE_CLASSES or state in PG_UNAVAILABLE_STATES:
            return "the PostgreSQL server could not complete it (unreachable, connection lost, or a timeout)"
    return None


async def _database_busy(request: Request, exc: Exception) -> JSONResponse:
    cause = unavailable_cause(exc)
    if cause is None:
        raise exc
    return await _problem_error(request, Unavailable(f"The database could not take this request now: {cause}. Nothing was changed;"
                                                     " try again after Retry-After seconds."))


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(SQLAlchemyTimeout, _pool_timeout)
    app.add_exception_handler(SQLAlchemyOperationalError, _database_busy)
    app.add_exception_handler(sqlite3.OperationalError, _database_busy)
    app.add_exception_handler(psycopg.OperationalError, _database_busy)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem statuses a route can return."""
    descriptions = {
        400: "Malformed request (e.g. a cursor that does not decode).",
        401: "No API key, or an unknown or revoked one (see WWW-Authenticate).",
        403: "The API key lacks the scope this operation needs.",
        409: "The id is taken, the record is still referenced, or a quoted text would change.",
        412: "If-Match names a revision that is no longer current.",
        413: "The request body is larger than the server accepts.",
        428: "If-Match is required.",
        404: "No resource with that id.",
        410: "The resource was deleted; its history remains.",
        422: "A parameter or the body is invalid.",
        503: "The database could not take the request in time (`/problems/unavailable`): no connection freed up, or"
             " another write held the write lock, or the database server could not be reached. Nothing was done; send it"
             " again after `Retry-After` seconds.",
    }
    retry_after = {"Retry-After": {"description": "Seconds to wait before sending the request again.", "schema": {"type": "integer"}}}
    return {
        s: {"model": Problem, "description": descriptions[s], "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            **({"headers": retry_after} if s == 503 else {})}
        for s in statuses
    }
