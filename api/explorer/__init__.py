"""The explorer: a web page at `/explore`, built only on the public API (`/v1/...`), that shows the claims,
their evidence highlighted in its source text, propositions on a timeline, the contradictions and
corroborations between claims, citation chains and actors.

It is static: HTML, CSS and plain ES modules in `api/explorer/static/`, with no build step and nothing
loaded from outside the app. Its views are hash routes (`/explore#/claims/<id>`), so the server answers
one page and every view has a shareable URL. The server side is this module:

- `GET /explore`: the page; `GET /explore/assets/<file>`: its scripts and styles (ETag, Last-Modified
  and 304 on `If-None-Match`, by Starlette's StaticFiles); `GET /`: a redirect (307) to `/explore`.
- `HEAD` wherever `GET` works (api.http.middleware.HeadAsGet); any other method is a 405
  `/problems/method-not-allowed` with `Allow: GET, HEAD`, and a missing asset a 404 `/problems/not-found`,
  both RFC 9457 problem details like the API's own.
- The page is sent with a Content-Security-Policy that allows only the app's own origin, so a browser
  refuses anything the page might try to load from elsewhere.

None of these routes is in the OpenAPI document: they are not part of the API.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from api.errors import problem_response

STATIC = Path(__file__).resolve().parent / "static"
PAGE = "/explore"
ASSETS = "/explore/assets"
ALLOWED = "GET, HEAD"
# Every method reaches the handlers below, which answer 405 themselves: the API's 405 handler works out `Allow` from
# the OpenAPI document, where these pages are not.
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"]

# Only the app's own origin: the page's scripts, styles and API calls, nothing else (no inline script or style
# element; styles set from scripts through the CSSOM are not affected).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
    " base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _not_allowed(request: Request) -> Response:
    return problem_response(
        request, 405, "/problems/method-not-allowed", "Method Not Allowed",
        f"{request.method} is not allowed on {request.url.path}; it allows {ALLOWED}.", headers={"Allow": ALLOWED},
    )


def install_explorer(app: FastAPI) -> None:
    """Add `/explore`, its assets under `/explore/assets/` and the redirect from `/` to `app`, outside the
    OpenAPI document."""
    files = StaticFiles(directory=STATIC)

    async def page(request: Request) -> Response:
        if request.method != "GET":
            return _not_allowed(request)
        response = await files.get_response("index.html", request.scope)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    async def asset(request: Request) -> Response:
        if request.method != "GET":
            return _not_allowed(request)
        name = request.path_params["name"]
        if name == "index.html":  # the page has its own URL
            raise HTTPException(404)
        response = await files.get_response(name, request.scope)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    async def home(request: Request) -> Response:
        if request.method != "GET":
            return _not_allowed(request)
        return RedirectResponse(PAGE, status_code=307)

    app.add_route(PAGE, page, methods=METHODS, include_in_schema=False)
    app.add_route(ASSETS + "/{name:path}", asset, methods=METHODS, include_in_schema=False)
    app.add_route("/", home, methods=METHODS, include_in_schema=False)
