"""The FastAPI application factory: one store per app, one router per protocol.

>>> from svckg.config import Settings
>>> app = create_app(Settings(store=":memory:"))
>>> "/sparql" in app.openapi()["paths"]
True
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from svckg import __version__ as VERSION
from svckg.api import (
    catalogue,
    classes,
    console,
    graphstore,
    history,
    impact_view,
    incidents,
    linkeddata,
    rest,
    sparql,
    status,
    ui,
)
from svckg.api.auth import load_tokens
from svckg.api.errors import install_error_handlers
from svckg.api.graphql.router import make_router as graphql_router
from svckg.api.limits import BodyLimit
from svckg.api.ops import build_index_in_background, install_ops
from svckg.api.sparql_asgi import LeanSparql
from svckg.api.state import AppState
from svckg.config import WEB_BUILD_DIR, Settings, load_settings
from svckg.ingest import records
from svckg.store import Store, open_store

DESCRIPTION = """svckg: a knowledge-graph repository for service management and enterprise
architecture. SPARQL 1.1 Protocol at `/sparql`, Graph Store HTTP Protocol at `/rdf-graphs`,
linked data at `/id/...` and `/resource?iri=`, named queries, impact, trace and imports under
`/api`. Writes need `Authorization: Bearer <token>` with the editor role."""


NO_TELEMETRY = (
    {"telemetry": {"tracing": False, "metrics": False, "logs": False}}
    if "telemetry" in inspect.signature(FastAPI).parameters
    else {}
)
"""FastAPI's native OpenTelemetry hooks (FastAPI 0.16x) off: svckg's observability is its own
``/metrics`` and access log (:mod:`svckg.api.ops`), and with the hooks on FastAPI looks for
global OpenTelemetry providers on every request (~8 µs, a sixth of an ``ASK {}``)."""


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """Build the application. ``store`` (if given) is used as is and not closed by the app;
    otherwise the app opens ``settings.store`` now and closes it on shutdown."""
    settings = settings or load_settings()
    tokens = load_tokens(settings)
    owns_store = store is None
    the_store: Store = store if store is not None else open_store(settings)
    if the_store.exclusive:  # a crash between loading an import and its record: undo it
        records.recover(the_store)
    state = AppState(settings=settings, store=the_store, tokens=tokens, owns_store=owns_store)
    graphql = graphql_router(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        build_index_in_background(state)
        graphql.lazy.start()  # the port opens meanwhile; /graphql requests wait for it
        yield
        await anyio.to_thread.run_sync(state.stop)

    app = FastAPI(
        title="svckg",
        version=VERSION,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        **NO_TELEMETRY,  # type: ignore[arg-type]
    )
    app.state.svckg = state
    app.state.settings = settings
    app.state.store = the_store
    install_error_handlers(app)
    # BodyLimit inside the ops (access log, metrics) middleware: a TooLarge raised by its
    # receive must reach the app's error handlers, not the outer middleware's task group
    app.add_middleware(LeanSparql, state=state)  # innermost: inside the limit and the log
    app.add_middleware(BodyLimit, settings=settings)
    install_ops(app, state)

    app.include_router(sparql.router)
    app.include_router(graphstore.router)
    app.include_router(linkeddata.router)
    app.include_router(rest.router)
    app.include_router(rest.imports_router)
    app.include_router(ui.router)
    app.include_router(impact_view.router)
    app.include_router(console.router)
    app.include_router(catalogue.router)
    app.include_router(catalogue.page_router)
    app.include_router(history.router)
    app.include_router(history.page_router)
    app.include_router(classes.router)
    app.include_router(classes.page_router)
    app.include_router(incidents.router)
    app.include_router(status.router)
    app.include_router(graphql)
    _install_docs(app)
    return app


_DOCS_CONTRAST = (
    ".swagger-ui .info .title small pre{color:#fff!important}"
    ".swagger-ui .info .title small{background:#3b4350!important}"
    ".swagger-ui .url, .swagger-ui .info a, .swagger-ui a.nostyle{color:#0b5cad!important}"
    ".swagger-ui .opblock-summary-method{color:#000!important;text-shadow:none!important}"
    ".swagger-ui .json-schema-2020-12-expand-deep-button{color:#3b4350!important}"
)
"""swagger-ui's version stamps, links and method badges are below 4.5:1 contrast."""


def _install_docs(app: FastAPI) -> None:
    """OpenAPI docs UI from the locally built swagger-ui assets (no CDN)."""
    app.mount("/static", StaticFiles(directory=str(WEB_BUILD_DIR), check_dir=False), name="static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="svckg API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
            # no deep links: swagger-ui puts them inside the operation buttons (a link in a
            # button, which screen readers cannot reach)
            swagger_ui_parameters={"deepLinking": False},
        )
        html = bytes(page.body).decode("utf-8")
        html = html.replace("<html>", '<html lang="en">', 1)
        html = html.replace("</head>", f"<style>{_DOCS_CONTRAST}</style></head>", 1)
        return HTMLResponse(html)
