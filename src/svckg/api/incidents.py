"""Incidents over REST (``/api/incidents``) and the Prometheus Alertmanager webhook.

Writes need an editor token (Alertmanager sends one with ``http_config.authorization``);
reading needs the reader role. Every write is one update of the incident's own graph, made
under the app's write lock: all of it or nothing (:mod:`svckg.incidents.model`).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from svckg.api.dependencies import (
    EDITOR,
    READER,
    app_state,
    read_body,
    require_role,
    run_blocking,
    run_locked,
)
from svckg.errors import InputError
from svckg.incidents import alertmanager, model
from svckg.store.base import Store

router = APIRouter(prefix="/api/incidents", tags=["Incidents"])

DEFAULT_AUTHOR = "editor"


class UpdateIn(BaseModel):
    """A free-text update."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    text: str = Field(description="What is known, what is being done")
    author: str | None = Field(None, description="Who writes it (default: editor)")
    shown_to_customers: bool = Field(
        False,
        alias="shownToCustomers",
        description="Show the text on the status pages of the customers the incident affects",
    )


class IncidentIn(BaseModel):
    """A new incident."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    title: str = Field(description="What happened, for the provider's staff")
    failed: list[str] = Field(
        description="Failed elements: IRIs, CURIEs (id:cloud-workplace) or svc:identifier values"
    )
    start: str | None = Field(None, description="ISO 8601 time with zone (default: now)")
    end: str | None = Field(None, description="ISO 8601 time with zone: records a closed incident")
    author: str | None = Field(None, description="Who records it (default: editor)")
    updates: list[UpdateIn] = Field(default_factory=list, description="First updates")


class CloseIn(BaseModel):
    """Closing an incident."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    end: str | None = Field(None, description="ISO 8601 time with zone (default: now)")
    text: str | None = Field(None, description="A last update")
    author: str | None = None
    shown_to_customers: bool = Field(False, alias="shownToCustomers")


def _author(value: str | None, where: str = "author") -> str:
    return DEFAULT_AUTHOR if value is None else model.check_text(value, where, 200, "a name")


def _updates(items: list[UpdateIn], author: str) -> list[tuple[str, bool, str]]:
    """(text, shown to customers, author) of a new incident's first updates."""
    out = []
    for i, item in enumerate(items):
        text = model.check_text(item.text, f"updates[{i}].text", model.MAX_TEXT, "the text")
        who = author if item.author is None else _author(item.author, f"updates[{i}].author")
        out.append((text, item.shown_to_customers, who))
    return out


@router.post(
    "", summary="Record an incident (editor)", status_code=201, dependencies=[require_role(EDITOR)]
)
async def create(request: Request, body: IncidentIn) -> JSONResponse:
    """Record an incident: its failed elements (all must exist: 422 lists those that do not),
    its start (default now), optional end and updates. The impact is computed now and kept
    with it."""
    state = app_state(request)
    title = model.check_text(body.title, "title", model.MAX_TITLE, "a short title")
    author = _author(body.author)
    updates = _updates(body.updates, author)
    start = model.parse_time(body.start, "start") if body.start is not None else None
    end = model.parse_time(body.end, "end") if body.end is not None else None

    def record(store: Store) -> model.Incident:
        return model.open_incident(
            store,
            title=title,
            failed=model.resolve_elements(store, body.failed, "failed"),
            author=author,
            start=start,
            end=end,
            updates=updates,
        )

    doc = (await run_locked(state, record)).to_json()
    return JSONResponse(doc, status_code=201, headers={"Location": f"/api/incidents/{doc['id']}"})


@router.post(
    "/alertmanager",
    summary="Prometheus Alertmanager webhook (editor)",
    dependencies=[require_role(EDITOR)],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def alertmanager_webhook(request: Request) -> dict[str, Any]:
    """Alertmanager's webhook payload (version 4). Firing alerts open or extend the incident
    of their ``groupKey``; when all of its alerts resolved it closes. The element of an alert
    is its label named by ``SVCKG_ALERT_ELEMENT_LABEL`` (default ``svckg_element``); alerts
    without it (``unmapped``) or naming unknown elements (``unknown``) are listed in the
    answer."""
    state = app_state(request)
    raw = await read_body(request)
    try:
        payload = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"the body is not JSON: {exc}",
            where="body",
            hint="send Alertmanager's webhook payload (Content-Type: application/json)",
        ) from None
    label = state.settings.alert_element_label
    return await run_locked(state, alertmanager.receive, payload, label=label)


@router.get("", summary="List incidents", dependencies=[require_role(READER)])
async def list_all(request: Request) -> dict[str, Any]:
    """Every incident, open ones first, then by start time, newest first."""
    store = app_state(request).store
    found = await run_blocking(request, model.list_incidents, store)
    return {"incidents": [inc.to_json() for inc in found]}


@router.get("/{incident_id}", summary="Show an incident", dependencies=[require_role(READER)])
async def show(request: Request, incident_id: str) -> dict[str, Any]:
    """One incident with its updates, recorded impact and history (404 if there is none)."""
    store = app_state(request).store
    return (await run_blocking(request, model.get, store, incident_id)).to_json()


@router.post(
    "/{incident_id}/updates",
    summary="Add an update (editor)",
    status_code=201,
    dependencies=[require_role(EDITOR)],
)
async def add_update(request: Request, incident_id: str, body: UpdateIn) -> dict[str, Any]:
    """Add a free-text update (``shownToCustomers`` puts it on the customers' status pages)."""
    state = app_state(request)
    text = model.check_text(body.text, "text", model.MAX_TEXT, "the text")
    author = _author(body.author)
    inc = await run_locked(
        state,
        model.add_update,
        incident_id,
        text=text,
        author=author,
        shown_to_customers=body.shown_to_customers,
    )
    return inc.to_json()


@router.post(
    "/{incident_id}/close",
    summary="Close an incident (editor)",
    dependencies=[require_role(EDITOR)],
)
async def close(
    request: Request, incident_id: str, body: Annotated[CloseIn | None, Body()] = None
) -> dict[str, Any]:
    """Close an open incident at ``end`` (default now), with an optional last update."""
    state = app_state(request)
    body = body or CloseIn()
    end = model.parse_time(body.end, "end") if body.end is not None else None
    text = model.check_text(body.text, "text", model.MAX_TEXT, "the text") if body.text else None
    author = _author(body.author)
    inc = await run_locked(
        state,
        model.close_incident,
        incident_id,
        author=author,
        end=end,
        text=text,
        shown_to_customers=body.shown_to_customers,
    )
    return inc.to_json()
