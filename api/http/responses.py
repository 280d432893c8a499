"""Response helpers for the read path: pre-rendered JSON bodies, ETags and Link headers."""

from __future__ import annotations

import copy
import hashlib
import inspect
import json
import re
from collections.abc import Callable, Coroutine, Sequence
from email.message import Message
from functools import lru_cache
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import Request
from fastapi._compat.shared import field_annotation_is_sequence
from fastapi._compat.v2 import get_missing_field_error
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.responses import Response

from api.errors import BadRequest, InvalidParameter, ProblemError, UnsupportedMediaType
from api.http.auth import SCOPE_OF_DEPENDENCY, SCOPES, authenticate
from api.services.preconditions import not_modified
from api.store.bodies import gzip_etag, inflate, inflate_summary, is_packed

JSON = "application/json"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


# One element of Accept-Encoding (RFC 9110 §12.5.3): a coding, then parameters, of which only q counts.
_CODING = re.compile(r"\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*((?:;[^,]*)?)")
_QVALUE = re.compile(r";\s*q\s*=\s*(0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)\s*(?:;|$)", re.IGNORECASE)


@lru_cache(maxsize=512)
def gzip_preferred(accept_encoding: str | None) -> bool:
    """Whether a client that sent this Accept-Encoding (None: the header is absent) gets the gzip form of a
    stored view rather than its identity form (RFC 9110 §12.5.3).

    gzip (or x-gzip, §8.4.1.3) is acceptable with a q-value above 0, given for it by name or else by `*`;
    identity is acceptable unless `identity;q=0`, or `*;q=0` without `identity` named. gzip is chosen when
    acceptable and weighted at least as high as identity. Without the header identity is sent (any coding
    would do, but a client that says nothing may not decode). When neither is acceptable the header is
    disregarded (§12.1) and identity is sent. An element that does not parse, or a q-value out of the
    grammar, is ignored, never an error."""
    if accept_encoding is None:
        return False
    weights: dict[str, float] = {}
    for element in accept_encoding.split(","):
        match = _CODING.fullmatch(element)
        if match is None:
            continue
        coding, params = match.group(1).lower(), match.group(2)
        weight = 1.0
        if params:
            q = _QVALUE.search(params)
            if q is None:
                if re.search(r";\s*q\s*=", params, re.IGNORECASE):
                    continue  # a q that is not a qvalue
            else:
                weight = float(q.group(1))
        coding = "gzip" if coding == "x-gzip" else coding
        weights[coding] = max(weight, weights.get(coding, 0.0)) if coding in weights else weight
    star = weights.get("*")
    gzip_q = weights.get("gzip", star if star is not None else 0.0)
    identity_q = weights.get("identity", star if star is not None else 1.0)
    return gzip_q > 0 and gzip_q >= identity_q


def json_response(request: Request, body: bytes, etag: str, status_code: int = 200) -> Response:
    """A JSON representation with its ETag, or 304 when the client already has it.

    `body` is a stored view (api/store/bodies.py: a gzip member) or JSON. A stored view has two
    representations: sent as stored with `Content-Encoding: gzip` and the ETag `gzip_etag(etag)` to a client
    whose Accept-Encoding prefers gzip (`gzip_preferred`), decompressed with `etag` to the others; both carry
    `Vary: Accept-Encoding`. If-None-Match (RFC 9110 §13.1.2) answers 304 when it names the representation
    that would be sent, or the other one when the client may still use it (identity always, gzip when it
    accepts gzip): the 304 names the tag it matched, so a cache freshens the response it holds."""
    if not is_packed(body):
        if not_modified(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers={"ETag": etag})
        return Response(body, status_code=status_code, media_type=JSON, headers={"ETag": etag})
    gzipped = gzip_preferred(request.headers.get("accept-encoding"))
    zipped_tag = gzip_etag(etag)
    tag = zipped_tag if gzipped else etag
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        for candidate in (tag, etag) if gzipped else (tag,):
            if not_modified(if_none_match, candidate):
                return Response(status_code=304, headers={"ETag": candidate, "Vary": "Accept-Encoding"})
    if gzipped:
        headers = {"ETag": tag, "Vary": "Accept-Encoding", "Content-Encoding": "gzip"}
        return Response(body, status_code=status_code, media_type=JSON, headers=headers)
    return Response(inflate(body), status_code=status_code, media_type=JSON, headers={"ETag": tag, "Vary": "Accept-Encoding"})


def body_etag(body: bytes) -> str:
    """A strong entity tag (RFC 9110 §8.8.3) for a body made on request: a 96-bit BLAKE2b digest of its bytes."""
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def page_etag(items: Sequence[bytes], next_cursor: str | None, next_url: str | None) -> str:
    """The strong entity tag of a list page: a digest of what determines its body, the items as they are stored
    (a stored summary's compressed bytes, about a seventh of its JSON), each with its length, then the cursor and
    the next page's URL. The same inputs give the same body, so a changed body has a changed tag; hashing the
    stored bytes instead of the 50-item body (about 80 kB) saves 0.1 ms a page."""
    digest = hashlib.blake2b(digest_size=12)
    for item in items:
        digest.update(len(item).to_bytes(4, "big"))
        digest.update(item)
    digest.update(json.dumps([next_cursor, next_url]).encode())
    return '"' + digest.hexdigest() + '"'


def page_response(request: Request, items: Sequence[bytes], next_cursor: str | None,
                  tags: Sequence[bytes] | None = None) -> Response:
    """A list page, composed from pre-rendered items (stored views or JSON: each is inflated), with `next` in
    the body and a Link header, and the ETag `page_etag` of `tags` when given (Page.tags), else of the items.
    Pages are sent as identity JSON (see api/store/bodies.py for why)."""
    next_url = str(request.url.include_query_params(cursor=next_cursor)) if next_cursor else None
    body = b"".join((
        b'{"items":[', b",".join([inflate_summary(item) for item in items]), b'],"next_cursor":',
        json.dumps(next_cursor).encode(), b',"next":', json.dumps(next_url).encode(), b"}",
    ))
    response = json_response(request, body, page_etag(items if tags is None else tags, next_cursor, next_url))
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


def _scope_needed(dependant: Dependant) -> str | None:
    """The key scope a route's dependencies demand (the widest of them), or None for a public route."""
    needed = [SCOPE_OF_DEPENDENCY[d.call] for d in dependant.dependencies if d.call in SCOPE_OF_DEPENDENCY]
    needed += [s for s in (_scope_needed(d) for d in dependant.dependencies) if s]
    return max(needed, key=SCOPES.index) if needed else None


def _utf8_problem(body: bytes) -> BadRequest | None:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return BadRequest(
            f"The request body is not UTF-8: the byte at offset {exc.start} (0x{body[exc.start]:02x}) cannot start or"
            " continue a character. JSON bodies must be UTF-8 (RFC 8259 §8.1).",
            errors=[{"loc": ["body"], "msg": f"invalid UTF-8 at byte {exc.start}", "type": "utf8_invalid"}],
        )
    return None


def _charset(content_type: str) -> str | None:
    """The `charset` parameter of a Content-Type header, lower-cased (RFC 9110 §8.3.2), parsed by the standard
    library's MIME header parser; None when there is none."""
    message = Message()
    message["content-type"] = content_type
    return message.get_content_charset()


def _media_problem(request: Request, body: bytes) -> UnsupportedMediaType | None:
    """A body the route would parse as JSON must say it is JSON: Content-Type `application/json` or a `+json`
    structured suffix (RFC 6839 §3.1), parameters aside. Another type, or none, is a 415 (RFC 9110 §15.5.16)
    naming the accepted type in `Accept-Post` (POST, PUT) or `Accept-Patch` (PATCH, RFC 5789 §3.1). An empty body
    is left to the route (which answers that the body is missing)."""
    if not body:
        return None
    given = request.headers.get("content-type")
    media = (given or "").split(";", 1)[0].strip().lower()
    if media == "application/json" or (media.startswith("application/") and media.endswith("+json")):
        charset = _charset(given or "")
        if charset in (None, "utf-8", "utf8"):
            return None
        # JSON exchanged between systems is UTF-8 (RFC 8259 §8.1); a body declared otherwise would be misread.
        problem = UnsupportedMediaType(
            f"The request body was sent with Content-Type '{given}'; JSON is read as UTF-8 (RFC 8259 §8.1): send it"
            " encoded as UTF-8, with no charset or charset=utf-8.",
            errors=[{"loc": ["header", "content-type"], "msg": f"charset {charset}: not UTF-8", "type": "media_type"}],
        )
        problem.headers = {"Accept-Patch" if request.method == "PATCH" else "Accept-Post": "application/json"}
        return problem
    sent = f"Content-Type '{given}'" if given else "no Content-Type"
    problem = UnsupportedMediaType(
        f"The request body was sent with {sent}; this operation reads JSON: send it with 'Content-Type: application/json'.",
        errors=[{"loc": ["header", "content-type"], "msg": f"{media or 'missing'}: not JSON", "type": "media_type"}],
    )
    problem.headers = {"Accept-Patch" if request.method == "PATCH" else "Accept-Post": "application/json"}
    return problem


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


class UnknownParameter(ProblemError):
    status = 422
    type = "/problems/unknown-parameter"
    title = "Unknown Parameter"


_HIGH_ESCAPE = re.compile(rb"%[89a-fA-F][0-9a-fA-F]|[\x80-\xff]")  # an octet beyond ASCII, escaped or not


def _undecodable_query(query_string: bytes) -> list[str]:
    """The names of the query parameters whose name or value is not UTF-8 once percent-decoded (names shown
    with U+FFFD for what does not decode), in order, each once. Starlette would decode them with replacement
    characters and search for U+FFFD."""
    bad: list[str] = []
    for pair in query_string.split(b"&"):
        name, _, value = pair.partition(b"=")
        raw_name = unquote_to_bytes(name.replace(b"+", b" "))
        try:
            raw_name.decode("utf-8")
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            shown = raw_name.decode("utf-8", errors="replace")
            if shown not in bad:
                bad.append(shown)
    return bad


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
        scope_needed = _scope_needed(self.dependant)
        has_body = bool(self.dependant.body_params)

        async def strict_handler(request: Request) -> Response:
            if b"%00" in request.scope["query_string"] or "\x00" in request.scope["path"]:
                raise InvalidParameter(
                    "The request's path or query contains a NUL character, which no identifier or filter may hold.",
                    errors=[{"loc": ["query"], "msg": "contains a NUL character", "type": "value_error"}],
                )
            if _HIGH_ESCAPE.search(request.scope["query_string"]):
                bad = _undecodable_query(request.scope["query_string"])
                if bad:
                    raise InvalidParameter(
                        f"Query parameter(s) {', '.join(repr(n) for n in bad)}: not UTF-8 once percent-decoded"
                        " (RFC 3986 section 2.5: characters beyond ASCII are percent-encoded UTF-8 octets).",
                        errors=[{"loc": ["query", n], "msg": "not UTF-8 once percent-decoded", "type": "unicode_error"} for n in bad],
                    )
            # Who is asking comes first (401/403 before any 400/422 about the request itself).
            # The key's row is a primary-key read: `lookup` makes it on the event loop on SQLite, in a worker
            # thread on PostgreSQL (a network round trip must not hold up other requests).
            store = request.app.state.store
            if scope_needed is not None:
                request.state.principal = await store.lookup(authenticate, store, request, scope_needed)
            elif read_only and request.app.state.read_requires_key:
                await store.lookup(authenticate, store, request, "read")
            if request.scope["query_string"]:
                names = [name for name, _ in request.query_params.multi_items()]
                unknown = sorted(set(names) - allowed)
                if unknown:
                    raise UnknownParameter(
                        f"Unknown query parameter(s): {', '.join(unknown)}. Accepted here: {accepted}.",
                        errors=[{"loc": ["query", u], "msg": "unknown parameter", "type": "unknown_parameter"} for u in unknown],
                    )
                if len(names) != len(set(names)):
                    # Every parameter takes one value: a second one would silently replace the first, so that
                    # `modality=planned&modality=expected` listed the expected claims alone.
                    repeated = sorted({n for n in names if names.count(n) > 1})
                    raise InvalidParameter(
                        f"Query parameter(s) {', '.join(repr(n) for n in repeated)} given more than once; each takes one value.",
                        errors=[{"loc": ["query", n], "msg": "given more than once", "type": "repeated_parameter"} for n in repeated],
                    )
            if has_body:
                body = await request.body()
                problem = _media_problem(request, body) or _utf8_problem(body)
                if problem is not None:
                    raise problem
            return await handler(request)

        return strict_handler

    def _direct_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]] | None:
        """For an async endpoint whose inputs are the request, path and query parameters, and async dependencies
        that take query parameters alone (ClaimFilters), a handler that validates each parameter sent with its
        own field and calls the dependencies and the endpoint directly (`_compiled`).

        FastAPI's general solver re-inspects every parameter's annotation on every request (is it a sequence,
        a model, which aliases): on a list page that was a third of the request's CPU. The compiled handler gives
        the same values and the same errors: a parameter not sent takes its default, one sent is validated by
        the route's own pydantic field with the location FastAPI gives (`["query", name]`), the dependencies'
        parameters first, and a dependency runs only when its own parameters are valid. Any other route keeps
        FastAPI's handler."""
        return _compiled(self.dependant)


ParamPlan = tuple[str, str, Any, bool, bool, tuple[str, str]]
"""One parameter, worked out once: (name in the call, name sent, field, required, validate the default, loc)."""


def _param_plans(fields: Sequence[Any], where: str) -> list[ParamPlan] | None:
    plans: list[ParamPlan] = []
    for field in fields:
        info = field.field_info
        if info.validation_alias not in (None, field.alias) or field_annotation_is_sequence(info.annotation) \
                or (isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)):
            return None  # a list, a model or alias choices: FastAPI's own solver reads those
        plans.append((field.name, field.alias, field, info.is_required(), bool(info.validate_default), (where, field.alias)))
    return plans


def _simple(dependant: Dependant) -> bool:
    d = dependant
    return inspect.iscoroutinefunction(d.call) and not (
        d.header_params or d.cookie_params or d.body_params or d.websocket_param_name or d.http_connection_param_name
        or d.response_param_name or d.background_tasks_param_name or d.security_scopes_param_name or d.own_oauth_scopes
        or d.call in SCOPE_OF_DEPENDENCY
    )


def _compiled(dependant: Dependant) -> Callable[[Request], Coroutine[Any, Any, Response]] | None:
    """The handler `StrictQueryRoute._direct_handler` describes, or None when the route is not of that shape."""
    subs = dependant.dependencies
    if not _simple(dependant) or any(not _simple(s) or s.dependencies or s.path_params or s.request_param_name for s in subs):
        return None
    own = _param_plans(dependant.query_params, "query")
    path = _param_plans(dependant.path_params, "path")
    sub_plans: list[tuple[str, Callable[..., Any], list[ParamPlan]]] = []
    for s in subs:
        plans = _param_plans(s.query_params, "query")
        if plans is None or s.name is None or s.call is None:
            return None
        sub_plans.append((s.name, s.call, plans))
    if own is None or path is None:
        return None
    endpoint = dependant.call
    request_name = dependant.request_param_name

    def solve(plans: list[ParamPlan], sent: Any, values: dict[str, Any], errors: list[Any]) -> bool:
        ok = True
        for name, alias, field, required, validate_default, loc in plans:
            value = sent.get(alias)
            if value is None:
                if required:
                    errors.append(get_missing_field_error(loc))
                    ok = False
                    continue
                value = copy.deepcopy(field.default)
                if not validate_default:
                    values[name] = value
                    continue
            value, problems = field.validate(value, values, loc=loc)
            if problems:
                errors.extend(problems)
                ok = False
            else:
                values[name] = value
        return ok

    async def direct_handler(request: Request) -> Response:
        query = request.query_params
        values: dict[str, Any] = {}
        errors: list[Any] = []
        for name, call, plans in sub_plans:
            arguments: dict[str, Any] = {}
            if solve(plans, query, arguments, errors):
                values[name] = await call(**arguments)
        solve(path, request.path_params, values, errors)
        solve(own, query, values, errors)
        if errors:
            raise RequestValidationError(errors)
        if request_name is not None:
            values[request_name] = request
        response: Response = await endpoint(**values)  # type: ignore[misc]
        return response

    return direct_handler
