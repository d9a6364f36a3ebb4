"""REST routes under ``/api``: the named query catalogue, impact and trace (the JSON the
CLI prints with ``--format json``), and imports."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse

from svckg.analysis import impact as impact_module
from svckg.analysis import queries as queries_module
from svckg.analysis import trace as trace_module
from svckg.api.auth import require_admin, require_editor, require_read
from svckg.api.conneg import media_type_of
from svckg.api.state import app_state, check_declared_size, run_blocking, run_write
from svckg.config import Settings
from svckg.errors import InputError, LimitExceeded, QueryError, UnsupportedFormat
from svckg.ingest import imports
from svckg.ingest.base import SourceFile
from svckg.ingest.pipeline import import_sources

router = APIRouter(prefix="/api", tags=["Analysis"])


def _term_value(term: object) -> str | None:
    return None if term is None else term.value  # type: ignore[attr-defined]


@router.get("/queries", summary="The named query catalogue")
async def list_queries(request: Request) -> list[dict[str, Any]]:
    """Every named query with its summary, description, tags and parameters."""
    require_read(request)
    return [q.to_json() | {"query": None} for q in queries_module.catalogue()]


@router.get(
    "/queries/{name}/sparql",
    summary="The SPARQL text of a named query",
    response_class=PlainTextResponse,
    responses={"200": {"content": {"application/sparql-query": {}}}},
)
async def query_text(request: Request, name: str) -> PlainTextResponse:
    """The ``.rq`` file as is (valid SPARQL with ``#+`` headers)."""
    require_read(request)
    return PlainTextResponse(
        queries_module.get_query(name).text, media_type="application/sparql-query"
    )


@router.get("/queries/{name}", summary="Run a named query")
async def run_query(request: Request, name: str) -> dict[str, Any]:
    """Parameters by name in the query string (``?failed=svc:CRM``); IRIs may be CURIEs.
    Answers ``{"variables": [...], "rows": [{variable: value}]}``."""
    require_read(request)
    state = app_state(request)
    params: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in params:
            raise QueryError(
                f"parameter {key} is given twice", where=key, hint="give each parameter once"
            )
        params[key] = value
    queries_module.get_query(name)  # NotFound before touching the store
    variables, rows = await run_blocking(
        request,
        lambda: queries_module.run_named(
            state.store, name, params, timeout_s=state.settings.query_timeout_s
        ),
    )
    if len(rows) > state.settings.max_result_rows:
        raise LimitExceeded(
            f"the query returned {len(rows)} rows, more than {state.settings.max_result_rows}",
            hint="narrow the parameters or raise SVCKG_MAX_RESULT_ROWS",
        )
    return {
        "variables": variables,
        "rows": [{v: _term_value(t) for v, t in zip(variables, row, strict=True)} for row in rows],
    }


@router.get("/impact", summary="Impact of failed elements (bottom-up)")
async def impact(
    request: Request,
    element: Annotated[list[str], Query(description="Failed element IRI or CURIE (repeatable)")],
    paths: Annotated[int, Query(ge=1, le=100, description="Chains kept per element")] = 1,
) -> dict[str, Any]:
    """Every element affected when ``element`` fail: status (down/degraded), chains,
    agreements at risk, parties affected and owners to call."""
    require_read(request)
    state = app_state(request)
    result = await run_blocking(
        request, lambda: impact_module.impact(state.store, element, max_paths=paths)
    )
    return result.to_json()


@router.get("/trace", summary="Trace an element (top-down)")
async def trace(
    request: Request,
    element: Annotated[str, Query(description="Element IRI or CURIE")],
) -> dict[str, Any]:
    """Everything ``element`` needs, layer by layer, with owners."""
    require_read(request)
    state = app_state(request)
    result = await run_blocking(request, lambda: trace_module.trace(state.store, element))
    return result.to_json()


imports_router = APIRouter(prefix="/api/imports", tags=["Imports"])


@imports_router.post(
    "",
    summary="Upload and import files",
    status_code=201,
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
    require_editor(request)
    state = app_state(request)
    files = await read_uploaded_files(request)
    fields = await upload_fields(request)
    fail_on = fail_on or fields.get("fail_on") or "violation"
    profile = profile or fields.get("profile")
    settings = with_profile(state.settings, profile)

    def run() -> dict[str, Any]:
        with state.write_lock:
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
        return outcome.to_json()

    return await run_write(run)


@imports_router.get("", summary="List imports")
async def list_imports(request: Request) -> list[dict[str, Any]]:
    """The current version of every import."""
    require_read(request)
    store = app_state(request).store
    rows = await run_blocking(request, imports.list_imports, store)
    return [r.to_json() for r in rows]


@imports_router.get("/{import_id}", summary="Show an import")
async def show_import(request: Request, import_id: str) -> dict[str, Any]:
    """The current record of one import (404 if there is none)."""
    require_read(request)
    store = app_state(request).store
    return (await run_blocking(request, imports.show, store, import_id)).to_json()


@imports_router.get("/{import_id}/diff", summary="Diff of an import's last version")
async def diff_import(request: Request, import_id: str) -> dict[str, Any]:
    """Triples the current version added and removed (N-Triples lines, bounded)."""
    require_read(request)
    store = app_state(request).store
    return dict((await run_blocking(request, imports.diff, store, import_id)).__dict__)


@imports_router.delete("/{import_id}", summary="Remove an import (admin)")
async def remove_import(request: Request, import_id: str) -> dict[str, Any]:
    """Drop the import's graphs; its history stays in the provenance graph. Admin only."""
    require_admin(request)
    state = app_state(request)

    def run() -> dict[str, Any]:
        with state.write_lock:
            return imports.remove(state.store, import_id).to_json()

    return await run_write(run)


async def upload_fields(request: Request) -> dict[str, str]:
    """The plain (non-file) fields of a multipart upload, e.g. ``fail_on`` and ``profile``."""
    form = await request.form()
    return {name: value for name, value in form.multi_items() if isinstance(value, str)}


def with_profile(settings: Settings, profile: str | None) -> Settings:
    """``settings`` with the validation profile a request asks for (checked)."""
    from svckg.validation.shacl import PROFILES

    if profile is None:
        return settings
    if profile not in PROFILES:
        raise InputError(
            f"unknown validation profile {profile!r}",
            where="profile",
            hint=f"use one of: {', '.join(PROFILES)}",
        )
    return dataclasses.replace(settings, shapes_profile=profile)


async def read_uploaded_files(request: Request) -> list[SourceFile]:
    """The file parts of a multipart upload, after the size and content-type checks."""
    check_declared_size(request)
    media, _ = media_type_of(request.headers.get("content-type"))
    if media != "multipart/form-data":
        raise UnsupportedFormat(
            f"Content-Type {media or '(none)'} is not multipart/form-data",
            where="Content-Type",
            hint="upload the files as multipart/form-data file parts",
        )
    form = await request.form()
    files = [
        SourceFile(part.filename or field_name, await part.read())
        for field_name, part in form.multi_items()
        if not isinstance(part, str)
    ]
    if not files:
        raise InputError("the upload has no file parts", hint="add one file part per file")
    return files
