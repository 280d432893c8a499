"""The OpenAPI document: what FastAPI generates from the routes and models, completed with what every
route shares at run time and FastAPI cannot see.

- Keys (`api.http.auth`): the two ways to send one, the scope each write needs, and the 401/403 a read
  answers when the server requires keys for reads (`CLAIMS_READ_REQUIRES_KEY`).
- Conditional requests (RFC 9110 §13): `If-None-Match` on every read that answers 304, `If-Match`
  required on PATCH, DELETE and every write that answers 428 (428 stays for a client that skips it), `ETag`, `Link` (RFC 8288) and
  `Location` as response headers.
- Problems (RFC 9457, `api.errors`): error responses as `application/problem+json` only, every problem
  `type` as an enum, and the 500 every operation can answer.
- Schemas: a model's output form, where it differs from its input form, is named `<Model>Public`; no
  schema carries `default` (generated TypeScript types would make such a property required), so a
  default is stated in the description instead.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from api.errors import PROBLEM_JSON, ProblemError
from api.http.auth import SCOPE_OF_DEPENDENCY, SCOPES
from schemas.vocab import UNKNOWN_VALUES

SCHEMA = "#/components/schemas/"
WRITE_METHODS = ("post", "put", "patch", "delete")
LICENSE = {"name": "MIT", "identifier": "MIT"}  # as pyproject.toml declares

CONVENTIONS = f"""

**Keys.** Every write needs an API key: `Authorization: Bearer ck_<id>.<secret>` or the same key in
`X-API-Key`. Scopes nest (`admin` includes `write`, which includes `read`); each operation's `security`
names the scope it needs. Reads are public unless the server requires a key with scope `read`
(`CLAIMS_READ_REQUIRES_KEY`); they then answer 401 and 403 as writes do.

**Conditional requests** (RFC 9110 §13). Every read sends an `ETag`; `If-None-Match` with a current
tag answers 304 with no body. `PATCH` and `DELETE` need `If-Match` with the record's current `ETag`, and so do
the member edits of a contradiction or corroboration (`POST .../claims/{{claim_id}}`): without it 428, with a stale
one 412.

**Compression** (RFC 9110 §8.4, §12.5.3). A record's view (`GET` of one actor, source, claim, contradiction
or corroboration) is stored gzip-compressed and sent as it is, with `Content-Encoding: gzip`, to a client whose
`Accept-Encoding` prefers gzip; the others get it decoded. The two forms have their own `ETag` (the gzip one
ends in `-gzip"`), both answer 304 and both carry `Vary: Accept-Encoding`; `If-Match` takes either. Lists
are sent uncompressed.

**Errors** are `application/problem+json` (RFC 9457) with a stable `type` (see `ProblemType`).

**Enumerations grow.** {UNKNOWN_VALUES} A problem `type` a client does not know is handled by its `status`."""

SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http", "scheme": "bearer", "bearerFormat": "ck_<id>.<secret>",
        "description": "An API key as a bearer token: `Authorization: Bearer ck_<id>.<secret>`. Missing, unknown or revoked:"
        " 401 with `WWW-Authenticate`; without the scope the operation needs: 403.",
    },
    "apiKeyAuth": {
        "type": "apiKey", "in": "header", "name": "X-API-Key",
        "description": "The same API key in the `X-API-Key` header, for clients that cannot set `Authorization`.",
    },
}

HEADERS = {
    "ETag": {
        "description": "The representation's entity tag (RFC 9110 §8.8.3): send it back in `If-None-Match` to revalidate a read,"
        " or in `If-Match` to change or delete the record.",
        "schema": {"type": "string"},
    },
    "Link": {
        "description": "`<url>; rel=\"next\"` (RFC 8288): the next page, the same URL as the body's `next`; absent on the last page.",
        "schema": {"type": "string"},
    },
    "Location": {"description": "Path of the record created.", "schema": {"type": "string"}},
    "Content-Encoding": {
        "description": "`gzip` when the body is sent gzip-compressed, as stored (the client's `Accept-Encoding` prefers gzip);"
        " absent when it is sent decoded.",
        "schema": {"type": "string", "enum": ["gzip"]},
    },
    "Vary": {
        "description": "`Accept-Encoding`: the body is sent gzip-compressed or decoded, each form with its own `ETag`.",
        "schema": {"type": "string"},
    },
}
# Reads of one record's stored view (api/http/responses.py `json_response`): gzip or identity by Accept-Encoding.
STORED_VIEWS = frozenset({"/v1/actors/{actor_id}", "/v1/sources/{source_id}", "/v1/claims/{claim_id}",
                          "/v1/contradictions/{contradiction_id}", "/v1/corroborations/{corroboration_id}"})

IF_NONE_MATCH = {
    "name": "If-None-Match", "in": "header", "required": False,
    "description": "ETags the client holds, or `*` (RFC 9110 §13.1.2): when one is current, the answer is 304 with no body."
    " A value that is no list of entity tags is ignored, as if not sent.",
    "schema": {"type": "string"},
}
# RFC 9110 §13.1.1 as api/services/preconditions.py reads it: `*`, or a comma-separated list of 1 to 64 entity tags
# (`"…"` or `W/"…"`, etagc characters), empty list elements and spaces or tabs around them allowed.
_TAG = r'[ \t]*(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"[ \t]*'
IF_MATCH_PATTERN = rf"^[ \t]*(?:\*|(?:[ \t]*,)*{_TAG}(?:,(?:{_TAG}|[ \t]*)){{0,63}})[ \t]*$"

READ_KEY_ERRORS = {
    "401": "Only when the server requires a key for reads (`CLAIMS_READ_REQUIRES_KEY`): no API key, or an unknown or revoked"
    " one (see `WWW-Authenticate`).",
    "403": "Only when the server requires a key for reads: the API key lacks scope `read`.",
}
INTERNAL_ERROR = (
    "An unexpected error on the server's side (`/problems/internal`): a bug, logged with the problem's details;"
    " a write that meets one stores nothing."
)
# Problem types that no ProblemError subclass carries: the framework's (api/errors.py) and those the request body
# middleware answers before any route runs (api/http/middleware.py).
FRAMEWORK_PROBLEMS = {"/problems/method-not-allowed": (405, "Method Not Allowed"), "/problems/request-timeout": (408, "Request Timeout")}
BODY_TIMEOUT = (
    "The request body did not arrive in time (`CLAIMS_BODY_TIMEOUT_SECONDS`, RFC 9110 §15.5.9); the connection is closed."
)


def complete(document: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    """FastAPI's document for `app`, completed (see the module docstring)."""
    _name_output_forms(document)
    _state_defaults_in_descriptions(document)
    components = document["components"]
    components["schemas"]["ProblemType"] = _problem_type_schema()
    components["schemas"]["Problem"]["properties"]["type"] = {"$ref": f"{SCHEMA}ProblemType"}
    _enums_grow(components["schemas"])
    components["securitySchemes"] = SECURITY_SCHEMES
    components["headers"] = HEADERS
    components["parameters"] = {"IfNoneMatch": IF_NONE_MATCH}
    document["info"]["description"] += CONVENTIONS
    document["info"]["license"] = LICENSE
    document["servers"] = [{"url": "/", "description": "The server that serves this document."}]
    # Reads take the document's own `security` (none, or a `read` key); each write states the scope it needs.
    document["security"] = [{}, {"bearerAuth": ["read"]}, {"apiKeyAuth": ["read"]}]
    scopes = _scopes(app)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            _complete_operation(operation, method, scopes.get((path, method.upper())))
            if method == "get" and path in STORED_VIEWS:
                _encoded(operation)
    return document


def _encoded(operation: dict[str, Any]) -> None:
    """The headers of a read served in either content coding: Vary on 200 and 304, Content-Encoding on 200."""
    responses = operation["responses"]
    responses["200"]["headers"] = {**responses["200"]["headers"], "Content-Encoding": {"$ref": "#/components/headers/Content-Encoding"},
                                   "Vary": {"$ref": "#/components/headers/Vary"}}
    responses["304"]["headers"] = {**responses["304"]["headers"], "Vary": {"$ref": "#/components/headers/Vary"}}


def _complete_operation(operation: dict[str, Any], method: str, scope: str | None) -> None:
    responses: dict[str, Any] = operation["responses"]
    problem = {"content": {PROBLEM_JSON: {"schema": {"$ref": f"{SCHEMA}Problem"}}}}
    if method in WRITE_METHODS:
        assert scope is not None, f"{operation['operationId']} writes without asking for a key"
        operation["security"] = [{"bearerAuth": [scope]}, {"apiKeyAuth": [scope]}]
        responses["408"] = {"description": BODY_TIMEOUT, **problem}
        malformed = [
            *(["a body that is not JSON (RFC 8259; the problem gives the code point, line and column where parsing"
               " stopped) or not UTF-8 (RFC 8259 §8.1)"] if "requestBody" in operation else []),
            *(["an `If-Match` that is not `*` or a list of entity tags"] if method in ("patch", "delete") or "428" in responses else []),
        ]
        if malformed:
            responses.setdefault("400", {"description": f"Malformed request: {' or '.join(malformed)}.", **problem})
        if "requestBody" in operation:
            accept = "Accept-Patch" if method == "patch" else "Accept-Post"
            responses["415"] = {
                "description": "The body was sent with a Content-Type other than JSON, or none: send `application/json`"
                               f" (RFC 9110 §15.5.16; `{accept}` names it).",
                "headers": {accept: {"description": "The media type this operation reads.", "schema": {"type": "string"}}},
                **problem,
            }
    else:
        for status, description in READ_KEY_ERRORS.items():
            responses.setdefault(status, {"description": description, **problem})
    responses["500"] = {"description": INTERNAL_ERROR, **problem}
    for status, response in responses.items():
        content = response.get("content", {})
        if status[0] in "45" and PROBLEM_JSON in content:
            content.pop("application/json", None)
        headers = response.setdefault("headers", {})
        if status == "304" or (status[0] == "2" and content):
            headers["ETag"] = {"$ref": "#/components/headers/ETag"}
        if status[0] == "2" and content.get("application/json", {}).get("schema", {}).get("$ref", "").endswith("Page"):
            headers["Link"] = {"$ref": "#/components/headers/Link"}
        if "Location" in headers:
            headers["Location"] = {"$ref": "#/components/headers/Location"}
        if not headers:
            del response["headers"]
    operation["responses"] = dict(sorted(responses.items()))
    parameters = operation.setdefault("parameters", [])
    for i, parameter in enumerate(parameters):
        if parameter["in"] == "header":
            parameters[i] = _header(parameter, method, "428" in responses)
    if method == "get" and "304" in responses:
        parameters.append({"$ref": "#/components/parameters/IfNoneMatch"})
    if not parameters:
        del operation["parameters"]


def _header(parameter: dict[str, Any], method: str, precondition_required: bool = False) -> dict[str, Any]:
    """A header parameter as the server reads it: its canonical name, never null (a header is sent or not), and
    `If-Match` required where the server refuses to go without it."""
    schema = parameter["schema"]
    given = next((s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"), {"type": "string"})
    name = "-".join(part.capitalize() for part in parameter["name"].split("-"))
    header = {**parameter, "name": name, "schema": {"minLength": 1, **given}}
    if name == "If-Match":
        header["required"] = method in ("patch", "delete") or precondition_required
        header["schema"] = {"type": "string", "pattern": IF_MATCH_PATTERN}
        header["description"] = (
            "The record's current `ETag`, as last read (RFC 9110 §13.1.1): the write goes ahead only if the record is"
            " unchanged since. Required: without it the answer is 428, with a stale one 412; a value that is not `*`"
            " or a list of entity tags is 400."
        )
    return header


def _scopes(app: FastAPI) -> dict[tuple[str, str], str]:
    """The key scope each write route's dependencies demand, by (path, method): the routes as FastAPI walks them
    to make the document."""
    found: dict[tuple[str, str], str] = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            scope = _scope_needed(route.dependant)
            if scope is not None and context.path_format is not None:
                found.update({(context.path_format, m): scope for m in route.methods or ()})
    return found


def _scope_needed(dependant: Dependant) -> str | None:
    needed = [SCOPE_OF_DEPENDENCY[d.call] for d in dependant.dependencies if d.call in SCOPE_OF_DEPENDENCY]
    needed += [s for s in (_scope_needed(d) for d in dependant.dependencies) if s]
    return max(needed, key=SCOPES.index) if needed else None


def _problem_type_schema() -> dict[str, Any]:
    """Every problem `type` the API answers with: those of ProblemError and its subclasses, and the framework's."""
    found: dict[str, tuple[int, str]] = dict(FRAMEWORK_PROBLEMS)
    pending: list[type[ProblemError]] = [ProblemError]
    while pending:
        cls = pending.pop()
        found[cls.type] = (cls.status, cls.title)
        pending += cls.__subclasses__()
    ordered = sorted(found.items(), key=lambda item: (item[1][0], item[0]))
    lines = ["The problem types (RFC 9457 `type`), each with its status and title:", ""]
    lines += [f"- `{type_}` ({status}): {title}" for type_, (status, title) in ordered]
    lines += ["", f"{UNKNOWN_VALUES} A problem `type` a client does not know is handled by its `status`."]
    return {
        "type": "string", "title": "ProblemType", "enum": [type_ for type_, _ in ordered], "description": "\n".join(lines),
        "x-enum-descriptions": {type_: f"{status} {title}" for type_, (status, title) in ordered},
    }


def _enums_grow(node: Any) -> None:
    """Every enum says that it grows, those made outside `schemas.vocab` too."""
    if isinstance(node, dict):
        if "enum" in node and UNKNOWN_VALUES not in node.get("description", ""):
            node["description"] = f"{node.get('description', '')}\n\n{UNKNOWN_VALUES}".strip()
        for value in node.values():
            _enums_grow(value)
    elif isinstance(node, list):
        for value in node:
            _enums_grow(value)


def _name_output_forms(document: dict[str, Any]) -> None:
    """FastAPI names a model's two forms `<Model>-Input` and `<Model>-Output` when they differ (see
    `schemas.common.StrictModel`): the input keeps the model's name, the output is `<Model>Public`."""
    schemas: dict[str, Any] = document["components"]["schemas"]
    renames = {name: name.removesuffix("-Input") for name in schemas if name.endswith("-Input")}
    renames |= {name: name.removesuffix("-Output") + "Public" for name in schemas if name.endswith("-Output")}
    clashes = set(renames.values()) & (set(schemas) - set(renames))
    assert not clashes, f"output forms clash with models of the same name: {sorted(clashes)}"
    for old, new in renames.items():
        schemas[new] = schemas.pop(old)
        schemas[new]["title"] = new
    document["components"]["schemas"] = dict(sorted(schemas.items()))
    refs = {f"{SCHEMA}{old}": f"{SCHEMA}{new}" for old, new in renames.items()}

    def rewrite(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("$ref") in refs:
                node["$ref"] = refs[node["$ref"]]
            for value in node.values():
                rewrite(value)
        elif isinstance(node, list):
            for value in node:
                rewrite(value)

    rewrite(document)


def _state_defaults_in_descriptions(document: dict[str, Any]) -> None:
    """No property carries `default`: openapi-typescript types a property with a default as required, which a
    request body's optional field is not. An optional property's default is said in its description."""
    for schema in document["components"]["schemas"].values():
        required = set(schema.get("required", ()))
        for name, prop in schema.get("properties", {}).items():
            if "default" not in prop:
                continue
            value = prop.pop("default")
            if name not in required and value is not None:
                shown = value if isinstance(value, str) else json.dumps(value)
                prop["description"] = f"{prop.get('description', '')} Default: `{shown}`.".strip()
