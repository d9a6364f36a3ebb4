"""Import history for the browser (``/ui/imports``): every import with every version's
provenance (who, when, source, hash, outcome, flags) and the diff between any two versions of
a source. Removal stays ``DELETE /api/imports/{id}`` (admin): the page calls it.

The provenance graph keeps, per version, the triples it added and removed relative to the one
before (bounded by :data:`svckg.ingest.records.DIFF_LIMIT`); the diff between versions *a* and
*b* composes those steps, so it is exact unless a step was truncated (then it says so).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from svckg.api.dependencies import READER, require_role
from svckg.api.state import app_state, run_blocking
from svckg.errors import InputError, NotFound
from svckg.ingest import records
from svckg.ingest.records import ImportRecord
from svckg.store.base import Store

page_router = APIRouter(include_in_schema=False)
router = APIRouter(prefix="/api/ui", tags=["ui"], dependencies=[require_role(READER)])


@page_router.get("/ui/imports")
def imports_page() -> HTMLResponse:
    """The import history page."""
    from svckg.api.pages import page_response

    return page_response("imports")


def outcome(rec: ImportRecord) -> str:
    """One word for how a version went: conforms, warnings, violations (forced in), removed."""
    if not rec.validated:
        return "not validated"
    if rec.violations:
        return "violations allowed" if rec.allowed_violations else "violations"
    if rec.warnings:
        return "warnings forced" if rec.forced else "warnings"
    return "conforms"


def _version_json(rec: ImportRecord) -> dict[str, Any]:
    flags = [
        name
        for name, on in (
            ("forced", rec.forced),
            ("violations allowed", rec.allowed_violations),
            ("diff truncated", rec.diff_truncated),
            ("current", rec.current),
        )
        if on
    ]
    return {
        "version": rec.version,
        "graph": rec.graph,
        "who": rec.agent,
        "started": rec.started,
        "when": rec.ended or rec.started,
        "sha256": rec.sha256,
        "bytes": rec.byte_size,
        "format": rec.format,
        "triples": rec.triple_count,
        "inferred": rec.inferred_count,
        "added": rec.added,
        "removed": rec.removed,
        "violations": rec.violations,
        "warnings": rec.warnings,
        "outcome": outcome(rec),
        "flags": flags,
        "current": rec.current,
    }


def import_history(store: Store) -> list[dict[str, Any]]:
    """Every import (removed ones too) with its versions, newest first."""
    by_id: dict[str, list[ImportRecord]] = {}
    for rec in records.all_versions(store):
        by_id.setdefault(rec.import_id, []).append(rec)
    out = []
    for import_id, versions in sorted(by_id.items()):
        latest = max(versions, key=lambda r: r.version)
        out.append(
            {
                "id": import_id,
                "source": latest.source,
                "current": any(r.current for r in versions),
                "versions": [_version_json(r) for r in sorted(versions, key=lambda r: -r.version)],
            }
        )
    return out


def version_diff(store: Store, import_id: str, old: int, new: int) -> dict[str, Any]:
    """Triples in version ``new`` and not in ``old`` (added) and the reverse (removed)."""
    versions = {r.version: r for r in records.history(store, import_id)}
    if not versions:
        raise NotFound(f"no import with id {import_id!r}", hint="see /api/ui/imports")
    for name, v in (("from", old), ("to", new)):
        if v not in versions:
            raise InputError(
                f"import {import_id!r} has no version {v}",
                where=f"parameter '{name}'",
                hint=f"versions: {', '.join(str(k) for k in sorted(versions))}",
            )
    if old >= new:
        raise InputError(
            f"version {old} is not older than {new}",
            where="parameters 'from' and 'to'",
            hint="give the older version as 'from'",
        )
    added: dict[str, None] = {}
    removed: dict[str, None] = {}
    truncated = False
    for v in range(old + 1, new + 1):
        if v not in versions:
            continue
        rec = versions[v]
        truncated = truncated or rec.diff_truncated
        step_added, step_removed = records.version_steps(store, rec.graph)
        for t in step_removed:
            if t in added:
                del added[t]
            else:
                removed[t] = None
        for t in step_added:
            if t in removed:
                del removed[t]
            else:
                added[t] = None
    return {
        "id": import_id,
        "from": _version_json(versions[old]),
        "to": _version_json(versions[new]),
        "added": sorted(added),
        "removed": sorted(removed),
        "truncated": truncated,
    }


@router.get("/imports")
async def history_route(request: Request) -> dict[str, Any]:
    """Every import with every version's provenance, newest version first."""
    store = app_state(request).store
    return {"imports": await run_blocking(request, import_history, store)}


@router.get("/imports/{import_id}/diff")
async def diff_route(
    request: Request,
    import_id: str,
    from_: Annotated[int, Query(alias="from", description="Older version")],
    to: Annotated[int, Query(description="Newer version")],
) -> dict[str, Any]:
    """What changed between two versions of one import (N-Triples lines)."""
    store = app_state(request).store
    return await run_blocking(request, version_diff, store, import_id, from_, to)
