"""Response helpers for the read path: pre-rendered JSON bodies, ETags and Link headers."""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.responses import Response

from api.errors import InvalidParameter, ProblemError
from api.http.auth import authenticate

JSON = "application/json"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def _weak_match(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return etag in tags


def json_response(request: Request, body: bytes, etag: str, status_code: int = 200) -> Response:
    """The body with its ETag, or 304 when the client already has it."""
    inm = request.headers.get("if-none-match")
    if inm is not None and _weak_match(inm, etag):
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, status_code=status_code, media_type=JSON, headers={"ETag": etag})


def body_etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def page_response(request: Request, items: Sequence[bytes], next_cursor: str | None) -> Response:
    """A list page, composed from pre-rendered items, with `next` in the body and a Link header."""
    next_url = str(request.url.include_query_params(cursor=next_cursor)) if next_cursor else None
    body = b"".join((
        b'{"items":[', b",".join(items), b'],"next_cursor":',
        json.dumps(next_cursor).encode(), b',"next":', json.dumps(next_url).encode(), b"}",
    ))
    response = json_response(request, body, body_etag(body))
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


class UnknownParameter(ProblemError):
    status = 422
    type = "/problems/unknown-parameter"
    title = "Unknown Parameter"


class StrictQueryRoute(APIRoute):
    """A route that refuses query parameters it does not declare.

    A misspelt filter must not silently widen a query. The check is a set difference against
    names worked out once, when the route is built; it costs a request next to nothing, where
    a dependency would be solved on every request.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = self._direct_handler() or super().get_route_handler()
        allowed = frozenset(_query_names(self.dependant))
        accepted = ", ".join(sorted(allowed)) or "none"

        read_only = self.methods is not None and self.methods <= {"GET", "HEAD"}

        async def strict_handler(request: Request) -> Response:
            if b"%00" in request.scope["query_string"] or "\x00" in request.scope["path"]:
                raise InvalidParameter(
                    "The request's path or query contains a NUL character, which no identifier or filter may hold.",
                    errors=[{"loc": ["query"], "msg": "contains a NUL character", "type": "value_error"}],
                )
            if read_only and request.app.state.read_requires_key:
                authenticate(request.app.state.store, request, "read")
            if request.scope["query_string"]:
                unknown = sorted(set(request.query_params.keys()) - allowed)
                if unknown:
                    raise UnknownParameter(
                        f"Unknown query parameter(s): {', '.join(unknown)}. Accepted here: {accepted}.",
                        errors=[{"loc": ["query", u], "msg": "unknown parameter", "type": "unknown_parameter"} for u in unknown],
                    )
            return await handler(request)

        return strict_handler

    def _direct_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]] | None:
        """For an async endpoint whose only inputs are the request and string path parameters,
        a handler that calls it directly: there is nothing for FastAPI to parse or validate, and
        skipping that machinery is a third of the cost of a cached read."""
        d = self.dependant
        simple = (
            inspect.iscoroutinefunction(self.endpoint)
            and d.request_param_name is not None
            and not (d.query_params or d.header_params or d.cookie_params or d.body_params or d.dependencies)
            and all(p.field_info.annotation is str for p in d.path_params)
        )
        if not simple or d.request_param_name is None:
            return None
        endpoint = self.endpoint
        request_name: str = d.request_param_name

        async def direct_handler(request: Request) -> Response:
            response: Response = await endpoint(**{request_name: request}, **request.path_params)
            return response

        return direct_handler
