"""REST routes under ``/api``: the named query catalogue, impact and trace (the JSON the
CLI prints with ``--format json``), and imports.

A consumer token may use the catalogue (named queries run on its view store), impact and
trace (answered in its view: :mod:`svckg.analysis.scoped`); imports and operations refuse it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse

from svckg.analysis import impact as impact_module
from svckg.analysis import queries as queries_module
from svckg.analysis import trace as trace_module
from svckg.analysis.scoped import scoped_impact, scoped_trace
from svckg.api.dependencies import (
    ADMIN,
    CONSUMER,
    EDITOR,
    READER,
    answer_named,
    app_state,
    consumer_view,
    read_uploaded_files,
    require_role,
    run_blocking,
    run_locked,
    run_write,
    upload_fields,
    with_profile,
)
from svckg.api.jsonbody import encode_json, json_response
from svckg.api.ops import MODE_HEADER, walk_source
from svckg.errors import InputError, QueryError, SvckgError
from svckg.ingest import imports
from svckg.ingest.pipeline import import_sources

router = APIRouter(prefix="/api", tags=["Analysis"], dependencies=[require_role(CONSUMER)])


@router.get("/queries", summary="The named query catalogue")
async def list_queries(request: Request) -> list[dict[str, Any]]:
    """Every named query with its summary, description, tags and parameters."""
    return [q.to_json() | {"query": None} for q in queries_module.catalogue()]


@router.get(
    "/queries/{name}/sparql",
    summary="The SPARQL text of a named query",
    response_class=PlainTextResponse,
    responses={"200": {"content": {"application/sparql-query": {}}}},
)
async def query_text(request: Request, name: str) -> PlainTextResponse:
    """The ``.rq`` file as is (valid SPARQL with ``#+`` headers)."""
    return PlainTextResponse(
        queries_module.get_query(name).text, media_type="application/sparql-query"
    )


@router.get("/queries/{name}", summary="Run a named query")
async def run_query(request: Request, name: str) -> dict[str, Any]:
    """Parameters by name in the query string (``?failed=svc:CRM``); IRIs may be CURIEs.
    Answers ``{"variables": [...], "rows": [{variable: value}]}``."""
    params: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in params:
            raise QueryError(
                f"parameter {key} is given twice", where=key, hint="give each parameter once"
            )
        params[key] = value
    return (await answer_named(request, name, params)).to_json()


@router.get("/impact", summary="Impact of failed elements (bottom-up)")
async def impact(
    request: Request,
    element: Annotated[list[str], Query(description="Failed element IRI or CURIE (repeatable)")],
    paths: Annotated[int, Query(ge=1, le=100, description="Chains kept per element")] = 1,
) -> dict[str, Any]:
    """Every element affected when ``element`` fail: status (down/degraded), chains,
    agreements at risk, parties affected and owners to call."""
    state = app_state(request)
    view = await consumer_view(request)

    def run() -> tuple[bytes, str]:
        source = walk_source(state)
        if view is not None:  # a consumer token: the answer in its view
            found = scoped_impact(state.store, view, element, max_paths=paths, source=source)
        else:
            found = impact_module.impact(state.store, element, max_paths=paths, source=source)
        return encode_json(found.to_json()), source.mode

    body, mode = await run_blocking(request, run)
    state.metrics.walks.labels(walk="impact", mode=mode).inc()
    return json_response(body, {MODE_HEADER: mode})  # type: ignore[return-value]


@router.get("/trace", summary="Trace an element (top-down)")
async def trace(
    request: Request,
    element: Annotated[str, Query(description="Element IRI or CURIE")],
) -> dict[str, Any]:
    """Everything ``element`` needs, layer by layer, with owners."""
    state = app_state(request)
    view = await consumer_view(request)

    def run() -> tuple[bytes, str]:
        source = walk_source(state)
        if view is not None:  # a consumer token: the answer in its view
            found = scoped_trace(state.store, view, element, source=source)
        else:
            found = trace_module.trace(state.store, element, source=source)
        return encode_json(found.to_json()), source.mode

    body, mode = await run_blocking(request, run)
    state.metrics.walks.labels(walk="trace", mode=mode).inc()
    return json_response(body, {MODE_HEADER: mode})  # type: ignore[return-value]


imports_router = APIRouter(prefix="/api/imports", tags=["Imports"])
"""Imports: listing and reading need the reader role, uploading an editor, removing an admin."""


@imports_router.post(
    "",
    summary="Upload and import files",
    status_code=201,
    dependencies=[require_role(EDITOR)],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            }
                        },
                    }
                }
            },
        }
    },
    responses={422: {"description": "Rejected: the body holds the validation report"}},
)
async def upload(
    request: Request,
    format: Annotated[str | None, Query(description="Input format (default: detected)")] = None,
    force: Annotated[
        bool, Query(description="With fail_on=warning: commit even with warnings (recorded)")
    ] = False,
    allow_violations: Annotated[
        bool, Query(description="Commit even with violations (recorded)")
    ] = False,
    fail_on: Annotated[
        str | None,
        Query(
            description="What blocks: 'violation' (default; warnings are recorded) or "
            "'warning'. Also accepted as a form field of the upload."
        ),
    ] = None,
    profile: Annotated[
        str | None,
        Query(
            description="Validation profile: 'default' or 'strict' (default: the server's "
            "SVCKG_SHAPES_PROFILE). Also accepted as a form field."
        ),
    ] = None,
) -> dict[str, Any]:
    """Import the uploaded files (multipart, one file part each) validated together, as
    ``svckg import`` does: every changed file becomes a new version of its import, or
    nothing is written (422 with the validation report). Warnings are recorded and do not
    block unless ``fail_on=warning``."""
    state = app_state(request)
    files = await read_uploaded_files(request)
    fields = await upload_fields(request)
    fail_on = fail_on or fields.get("fail_on") or "violation"
    profile = profile or fields.get("profile")
    settings = with_profile(state.settings, profile)

    def run() -> dict[str, Any]:
        with state.write_lock:
            try:
                outcome = import_sources(
                    state.store,
                    files,
                    format=format,
                    force=force,
                    allow_violations=allow_violations,
                    fail_on=fail_on,
                    agent="http-api",
                    settings=settings,
                )
            except SvckgError as exc:
                state.metrics.record_failure(exc, len(files))
                raise
        state.metrics.record_import([s.status for s in outcome.sources], outcome.report)
        return outcome.to_json()

    return await run_write(run)


@imports_router.get("", summary="List imports", dependencies=[require_role(READER)])
async def list_imports(request: Request) -> list[dict[str, Any]]:
    """The current version of every import."""
    store = app_state(request).store
    rows = await run_blocking(request, imports.list_imports, store)
    return [r.to_json() for r in rows]


@imports_router.get("/{import_id}", summary="Show an import", dependencies=[require_role(READER)])
async def show_import(request: Request, import_id: str) -> dict[str, Any]:
    """The current record of one import (404 if there is none)."""
    store = app_state(request).store
    return (await run_blocking(request, imports.show, store, import_id)).to_json()


@imports_router.get(
    "/{import_id}/diff",
    summary="Diff of an import's last version",
    dependencies=[require_role(READER)],
)
async def diff_import(request: Request, import_id: str) -> dict[str, Any]:
    """Triples the current version added and removed (N-Triples lines, bounded)."""
    store = app_state(request).store
    return dict((await run_blocking(request, imports.diff, store, import_id)).__dict__)


@imports_router.delete(
    "/{import_id}", summary="Remove an import (admin)", dependencies=[require_role(ADMIN)]
)
async def remove_import(request: Request, import_id: str) -> dict[str, Any]:
    """Drop the import's graphs; its history stays in the provenance graph. Admin only."""
    return (await run_locked(app_state(request), imports.remove, import_id)).to_json()


@router.post(
    "/backup",
    summary="Back up the on-disk store (admin)",
    tags=["Operations"],
    dependencies=[require_role(ADMIN)],
)
async def backup_store(
    request: Request,
    directory: Annotated[str, Query(description="New directory on the server for the copy")],
) -> dict[str, Any]:
    """A consistent copy of the store in ``directory`` (on the server's file system), made
    while the server keeps answering reads and writes; ``svckg backup`` beside a running
    server sends its work here."""
    store = app_state(request).store
    backup = getattr(store, "backup", None)
    if backup is None:
        raise InputError(
            "this store cannot be backed up by svckg",
            where=app_state(request).settings.store,
            hint="back up a remote store with its own tools, or use GET /sparql with CONSTRUCT",
        )
    target = await run_write(backup, directory)
    quads = await run_blocking(request, store.count)
    return {"directory": str(target), "quads": quads}
