"""The Claims API application: `api.main:app`."""

from __future__ import annotations

import gc
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute

from api.config import Settings, get_settings
from api.errors import install_problem_handlers
from api.explorer import install_explorer
from api.http.docs import install_docs
from api.http.middleware import HeadAsGet, InternalErrors, RequestBody
from api.http.openapi import complete
from api.http.routers import actors, changes, claims, contradictions, documents, editing, engine, health, locate, propositions, search, sources
from api.services.common import use_cursor_secret
from api.services.search import use_search_cache
from api.store.db import Store, WriteEngine, make_engine
from api.store.secrets import kept_secret
from api.store.seed import build_database, require_built

DESCRIPTION = """Structured, traceable claims from news reporting: who said what, where, when, based on
what, and what contradicts it. Every claim carries exact quotes anchored in its source text by
code-point offsets; dates carry their precision; unnamed speakers are actors too."""


GIL_SWITCH_INTERVAL = 0.001  # seconds


def _operation_id(route: APIRoute) -> str:
    return route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Reads run in worker threads, and a search's Python holds the GIL for long stretches: a waiting thread (the
        # event loop's among them) asks for it back after this interval (Python's default: 5 ms). At 1 ms, /healthz
        # while 8 clients search answers in tens of milliseconds instead of hundreds (README, bench/bare_app.py).
        sys.setswitchinterval(GIL_SWITCH_INTERVAL)
        if settings.auto_build:
            build_database(settings)
        else:
            require_built(settings.database_url)
        store = Store(settings.database_url, pool_size=settings.db_pool_size, loop_pool_size=settings.db_loop_pool_size,
                      heavy_size=settings.db_heavy_size,
                      timeout=settings.db_pool_timeout_seconds, inline_budget=settings.db_inline_budget_ms / 1000)
        engine = WriteEngine(make_engine(settings.database_url, pool_size=settings.db_write_pool_size,
                                         timeout=settings.db_pool_timeout_seconds), settings.db_pool_timeout_seconds)
        await store.open()
        app.state.store = store
        app.state.engine = engine
        secret = settings.cursor_secret.get_secret_value() if settings.cursor_secret else kept_secret(engine.engine, "cursor")
        use_cursor_secret(store, secret)
        use_search_cache(store, int(settings.search_cache_mb * 1024 * 1024))
        # What start-up made (modules, schemas, routes, the knowledge tables: about 170,000 objects) lives as long as
        # the process: kept out of the collector's full passes, which otherwise walk it all and held a request up
        # for 60-120 ms every few dozen writes.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await store.aclose()
            engine.dispose()

    app = FastAPI(
        title="Claims API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        docs_url=None,
        redoc_url=None,
    )
    install_problem_handlers(app)
    app.state.read_requires_key = settings.read_requires_key
    # Added innermost first: CORS (below) ends up outermost, so every answer, a 500 included, carries its headers.
    app.add_middleware(RequestBody, max_bytes=settings.max_body_bytes, timeout=settings.body_timeout_seconds)
    app.add_middleware(HeadAsGet)
    app.add_middleware(InternalErrors)
    if settings.cors_origin_list:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "If-None-Match", "If-Match", "Idempotency-Key", "Content-Type"],
            expose_headers=["ETag", "Link", "Location", "Allow", "WWW-Authenticate", "Idempotent-Replayed"],
        )
    for module in (actors, sources, locate, documents, claims, propositions, contradictions, engine, editing, changes, search, health):
        app.include_router(module.router)
    install_docs(app)
    install_explorer(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(FastAPI.openapi(app), app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


app = create_app()
