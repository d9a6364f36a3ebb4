"""Browser UI routes: the built pages (``/``, ``/ui/...``) and the small JSON routes under
``/api/ui`` the graph viewer needs (search by label, one element with its links grouped and
counted, a bounded set of neighbours, the links among a set of elements, and a dry-run
validation of uploads).

The answers are built by :mod:`svckg.analysis.describe`; pages by :mod:`svckg.api.pages`.
Pages are open (a browser cannot send a bearer token with a page load); the JSON routes
follow the app's reading rule. A consumer token searches and browses its view store only;
the dry-run validation (it reads the whole store) refuses it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from svckg.analysis import describe
from svckg.analysis.describe import MAX_LIMIT
from svckg.api.dependencies import (
    CONSUMER,
    READER,
    ReadStoreDep,
    StateDep,
    read_uploaded_files,
    require_role,
    run_blocking,
    upload_fields,
    with_profile,
)
from svckg.api.guard import expensive
from svckg.api.pages import page_response
from svckg.ingest.pipeline import validate_sources
from svckg.vocab import PREFIXES

router = APIRouter(tags=["ui"])
data_router = APIRouter(prefix="/api/ui", tags=["ui"], dependencies=[require_role(CONSUMER)])
"""JSON routes of the viewer (included into :data:`router` at the end of this module)."""


@router.get("/", include_in_schema=False)
def viewer_page() -> HTMLResponse:
    """Graph viewer."""
    return page_response("viewer")


@router.get("/ui", include_in_schema=False)
def ui_root() -> RedirectResponse:
    """``/ui`` -> the viewer at ``/``."""
    return RedirectResponse("/", status_code=307)


@router.get("/ui/sparql", include_in_schema=False)
def sparql_page() -> HTMLResponse:
    """SPARQL console (YASGUI) on ``/sparql``."""
    return page_response("sparql")


@router.get("/ui/validate", include_in_schema=False)
def validate_page() -> HTMLResponse:
    """Validation and import page."""
    return page_response("validate")


@router.get("/ui/graphql", include_in_schema=False)
def graphiql_page() -> HTMLResponse:
    """GraphiQL on ``/graphql`` (also served by the GraphQL router to browsers)."""
    return page_response("graphiql")


@data_router.get("/search")
async def search_route(
    request: Request,
    store: ReadStoreDep,
    q: Annotated[str, Query(description="Part of a label (case-insensitive)")],
    limit: Annotated[int, Query(description=f"Most results (1-{MAX_LIMIT})")] = 20,
) -> dict[str, Any]:
    """Search elements by label: exact matches first, then prefixes, then the rest."""
    found = await run_blocking(request, lambda: describe.search(store, q, limit=limit))
    return {"query": q, "results": found}


@data_router.get("/node")
async def node_route(
    request: Request,
    store: ReadStoreDep,
    iri: Annotated[str, Query(description="Element IRI or CURIE")],
) -> dict[str, Any]:
    """One element: label, definition, class, layer, literals, links grouped with counts."""
    return await run_blocking(request, describe.describe_node, store, iri)


@data_router.get("/neighbours")
async def neighbours_route(
    request: Request,
    store: ReadStoreDep,
    iri: Annotated[str, Query(description="Element IRI or CURIE")],
    predicate: Annotated[str | None, Query(description="Only this relation")] = None,
    direction: Annotated[str | None, Query(description="out, in or both")] = None,
    layer: Annotated[
        str | None, Query(description="Only neighbours in this layer (concept IRI, or none)")
    ] = None,
    limit: Annotated[int, Query(description=f"Most neighbours (1-{MAX_LIMIT})")] = 50,
    offset: Annotated[int, Query(description="Skip this many matching links")] = 0,
) -> dict[str, Any]:
    """A bounded set of neighbours of one element, with the connecting edges."""
    return await run_blocking(
        request,
        lambda: describe.neighbours(
            store,
            iri,
            predicate=predicate,
            direction=direction,
            layer=layer,
            limit=limit,
            offset=offset,
        ),
    )


@data_router.get("/nodes")
async def nodes_route(
    request: Request,
    store: ReadStoreDep,
    iri: Annotated[list[str], Query(description="Element IRIs (repeat the parameter)")],
) -> dict[str, Any]:
    """Several elements and the links among them (restores a permalink)."""
    return await run_blocking(request, describe.nodes_with_edges, store, iri)


@data_router.post("/validate", dependencies=[require_role(READER)])
async def validate_route(
    request: Request,
    state: StateDep,
    format: Annotated[str | None, Query(description="Input format (default: detected)")] = None,
    profile: Annotated[
        str | None, Query(description="Validation profile: default or strict (also a form field)")
    ] = None,
) -> dict[str, Any]:
    """Validate uploaded files (multipart, one file part each) as an import would, writing
    nothing: ``{"files": [...], "report": {...}}``. Committing is ``POST /api/imports``."""
    files = await read_uploaded_files(request)
    fields = await upload_fields(request)
    settings = with_profile(state.settings, profile or fields.get("profile"))
    async with expensive(request, "validation"):  # bounded: see svckg.api.guard
        report = await run_blocking(
            request,
            lambda: validate_sources(state.store, files, format=format, settings=settings),
        )
    state.metrics.record_report(report)
    return {"files": [f.name for f in files], "report": report.to_json()}


@data_router.get("/prefixes")
async def prefixes_route() -> dict[str, str]:
    """The namespace prefixes svckg knows (preset in the SPARQL console)."""
    return dict(PREFIXES)


router.include_router(data_router)
