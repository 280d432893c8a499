"""Problem details (RFC 9457): every error the API returns.

ProblemError                      base; its subclasses are the API's problem types
├── BadRequest       400  /problems/bad-request        malformed request, e.g. a cursor that does not decode
├── NotFound         404  /problems/not-found          no resource with that id
├── Gone             410  /problems/gone               the resource was deleted (a tombstone remains)
└── InvalidParameter 422  /problems/invalid-parameter  a parameter is well-formed but unacceptable
Framework errors map onto the same shape:
    request validation     422  /problems/validation-error   (with `errors: [{loc, msg, type}]`)
    unknown path           404  /problems/not-found
    method not allowed     405  /problems/method-not-allowed
Anything else is a bug and stays a 500.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


class ValidationIssue(BaseModel):
    loc: list[str | int] = Field(description="Where the problem is: e.g. `[\"query\", \"limit\"]`.")
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str = Field(description="Stable identifier of the problem type.", examples=["/problems/not-found"])
    title: str
    status: int
    detail: str = Field(description="What was wrong, in plain English.")
    instance: str = Field(description="The request path.")
    errors: list[ValidationIssue] | None = Field(None, description="For validation errors: each invalid field.")


class ProblemError(Exception):
    status = 500
    type = "/problems/internal"
    title = "Internal Server Error"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class BadRequest(ProblemError):
    status = 400
    type = "/problems/bad-request"
    title = "Bad Request"


class NotFound(ProblemError):
    status = 404
    type = "/problems/not-found"
    title = "Not Found"


class Gone(ProblemError):
    status = 410
    type = "/problems/gone"
    title = "Gone"


class InvalidParameter(ProblemError):
    status = 422
    type = "/problems/invalid-parameter"
    title = "Invalid Parameter"


def problem_response(
    request: Request, status: int, type_: str, title: str, detail: str, errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail, "instance": request.url.path}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _problem_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(request, exc.status, exc.type, exc.title, exc.detail, exc.errors)


def _issue(err: Any) -> dict[str, Any]:
    return {"loc": list(err.get("loc", ())), "msg": str(err.get("msg", "")), "type": str(err.get("type", ""))}


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    issues = [_issue(e) for e in exc.errors()]
    where = "; ".join(f"{'.'.join(str(p) for p in i['loc'])}: {i['msg']}" for i in issues)
    return problem_response(
        request, 422, "/problems/validation-error", "Validation Error", f"The request is invalid: {where}.", issues
    )


_HTTP_TYPES = {404: ("/problems/not-found", "Not Found"), 405: ("/problems/method-not-allowed", "Method Not Allowed")}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    type_, title = _HTTP_TYPES.get(exc.status_code, (f"/problems/http-{exc.status_code}", "HTTP Error"))
    detail = f"No route matches {request.url.path}." if exc.status_code == 404 else str(exc.detail)
    return problem_response(request, exc.status_code, type_, title, detail, headers=getattr(exc, "headers", None))


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem statuses a route can return."""
    descriptions = {
        400: "Malformed request (e.g. a cursor that does not decode).",
        404: "No resource with that id.",
        410: "The resource was deleted; its history remains.",
        422: "A parameter is invalid.",
    }
    return {
        s: {"model": Problem, "description": descriptions[s], "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        for s in statuses
    }
