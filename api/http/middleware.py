"""ASGI middleware between the server and the routes: request bodies, HEAD, and unexpected errors.

Order, outermost first (see `api.main.create_app`): CORS (when configured), then `InternalErrors`,
`HeadAsGet` and `RequestBody`, then FastAPI's own exception handling and routing. `InternalErrors`
sits inside CORS so that even a 500 carries the CORS headers a browser needs to read it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PROBLEM_JSON

log = logging.getLogger("api")

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def send_problem(send: Send, scope: Scope, status: int, type_: str, title: str, detail: str,
                       extra: dict[str, Any] | None = None, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Answer an RFC 9457 problem from middleware, where FastAPI's exception handlers do not reach."""
    body = json.dumps({"type": type_, "title": title, "status": status, "detail": detail, "instance": scope["path"],
                       **(extra or {})}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode()), *(headers or []),
    ]})
    await send({"type": "http.response.body", "body": body})


class RequestBody:
    """Reads a request's whole body before the route runs, within a size and a time bound.

    - Larger than `max_bytes` (declared by Content-Length or counted as chunks arrive): 413
      `/problems/payload-too-large`, with the body left unread.
    - Not complete within `timeout` seconds of the request's start (a client that promised bytes and
      stalls): 408 `/problems/request-timeout` (RFC 9110 §15.5.9), and the connection is closed.
    The route then reads the buffered body, so FastAPI never sees a size or time failure as a parse error.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (len(declared) > 18 or (declared.isdigit() and int(declared) > self.max_bytes)):
            await self._too_large(scope, send)
            return
        deadline = time.monotonic() + self.timeout
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                await send_problem(
                    send, scope, 408, "/problems/request-timeout", "Request Timeout",
                    f"The request body did not arrive within {self.timeout:g} seconds; send it whole, as Content-Length promises.",
                    headers=[(b"connection", b"close")],
                )
                return
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        await send_problem(
            send, scope, 413, "/problems/payload-too-large", "Payload Too Large",
            f"The request body is larger than {self.max_bytes} bytes, the most this server accepts.",
            headers=[(b"connection", b"close")],
        )


class HeadAsGet:
    """HEAD wherever GET works (RFC 9110 §9.3.2): the GET route runs and its body is dropped, its headers
    (Content-Length and ETag among them) kept. A path without GET still answers 405."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class InternalErrors:
    """Any exception the routes did not turn into a problem becomes a 500 `application/problem+json`
    (`/problems/internal`) with an `error_id`, the same id the log line carries; the body holds no
    stack trace, SQL or message from the exception itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            error_id = uuid.uuid4().hex
            log.exception("internal error %s on %s %s", error_id, scope["method"], scope["path"])
            if started:
                raise
            await send_problem(
                send, scope, 500, "/problems/internal", "Internal Server Error",
                f"The server failed to answer this request; the failure is logged as {error_id}. It is not a fault"
                " of the request: try again later, and quote the id when reporting it.",
                extra={"error_id": error_id},
            )
