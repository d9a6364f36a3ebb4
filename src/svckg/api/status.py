"""Status pages: one customer's status (``/status/{org}`` for editors and admins, ``/status``
for the customer's own consumer token) as HTML, JSON and an Atom 1.0 feed, and the provider's
view of every incident (``/ui/incidents``).

The customer's status is computed by :func:`svckg.incidents.status.customer_status` inside the
customer's scope: only elements of the scope, by the labels the incident recorded, reach it.
``{org}`` is a CURIE (``id:aurora-hospitals``) or a local name under ``id:``
(``aurora-hospitals``).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from svckg.analysis.index import get_index
from svckg.analysis.scope import consumer_scope, consumers
from svckg.api.auth import request_role
from svckg.api.conneg import negotiate
from svckg.api.dependencies import (
    CONSUMER,
    EDITOR,
    READER,
    app_state,
    request_consumer,
    require_role,
    run_blocking,
)
from svckg.api.state import TEMPLATES_DIR
from svckg.errors import Forbidden, NotFound, SvckgError, Unauthorized
from svckg.incidents import model
from svckg.incidents import status as status_module
from svckg.store.base import Store
from svckg.terms import compact, expand_iri
from svckg.vocab import ID

router = APIRouter(tags=["Status"], include_in_schema=True)
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def when(value: str | None) -> str:
    """An xsd:dateTime for people: ``2026-12-06 20:33 UTC``.

    >>> when("2026-12-06T20:33:21.363Z")
    '2026-12-06 20:33 UTC'
    """
    return f"{value[:10]} {value[11:16]} UTC" if value else ""


templates.env.filters["when"] = when
ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml"
MAX_CLOSED = 20
"""Closed incidents the provider's view lists below the open ones."""


def scope_of(store: Store, consumer: str) -> frozenset[str]:
    """The IRIs ``consumer`` may see (:func:`svckg.analysis.scope.consumer_scope`)."""
    return consumer_scope(store, consumer)


def resolve_consumer(store: Store, org: str) -> str:
    """The consumer IRI ``org`` (CURIE or local name under ``id:``) names; NotFound when it is
    no service consumer."""
    text = org.strip()
    try:
        iri = expand_iri(text) if ":" in text else str(ID) + text
    except SvckgError:  # an unreadable name is simply not a customer
        iri = ""
    known = consumers(store)
    if iri not in known:
        raise NotFound(
            "no service consumer with this name",
            where=org,
            hint="name a consumer of a service relationship: "
            + ", ".join(compact(c) for c in known[:20]),
        )
    return iri


def build_status(store: Store, consumer: str) -> dict[str, Any]:
    """The status document of ``consumer`` (blocking)."""
    return status_module.customer_status(
        store, consumer, scope_of(store, consumer), model.list_incidents(store)
    )


# -- Atom ----------------------------------------------------------------------------------------


def _uuid(*parts: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "svckg-status:" + "|".join(parts)))


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        node.text = text
    return node


def atom_feed(doc: dict[str, Any], self_url: str, page_url: str) -> bytes:
    """The status document as an Atom 1.0 feed (RFC 4287): one entry per incident of the
    timeline, updated when the incident last changed."""
    ET.register_namespace("", ATOM)
    customer = doc["customer"]
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", _uuid(customer["iri"]))
    _sub(feed, "title", f"Service status for {customer['label']}")
    _sub(feed, "subtitle", f"Overall: {doc['status']}")
    times = [e["updated"] for e in doc["timeline"]]
    _sub(feed, "updated", max(times, key=model.time_key) if times else model.now())
    author = _sub(feed, "author")
    providers = ", ".join(p["label"] for p in doc.get("providers", ())) or "svckg"
    _sub(author, "name", providers)
    _sub(feed, "link", rel="self", type=ATOM_TYPE, href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    _sub(feed, "generator", "svckg")
    for entry in doc["timeline"]:
        node = _sub(feed, "entry")
        _sub(node, "id", _uuid(customer["iri"], entry["id"]))
        _sub(node, "title", entry["headline"])
        _sub(node, "published", entry["start"])
        _sub(node, "updated", entry["updated"])
        _sub(
            node,
            "link",
            rel="alternate",
            type="text/html",
            href=f"{page_url}#incident-{entry['id']}",
        )
        _sub(node, "summary", entry["summary"], type="text")
        lines = [entry["summary"]]
        lines += [f"{u['time']}: {u['text']}" for u in entry["updates"]]
        if entry["end"]:
            lines.append(f"Resolved at {entry['end']}.")
        _sub(node, "content", "\n".join(lines), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


# -- answering ----------------------------------------------------------------------------------


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept")
    return negotiate(accept, ["text/html", "application/json"]) == "application/json"


def _html(request: Request, doc: dict[str, Any], base: str) -> HTMLResponse:
    page = templates.get_template("status.html").render(
        s=doc,
        json_url=f"{base}.json",
        feed_url=f"{base}/feed.atom" if base != "/status" else "/status/feed.atom",
    )
    return HTMLResponse(page, headers={"Vary": "Accept", "Cache-Control": "no-cache"})


async def _status(request: Request, org: str) -> dict[str, Any]:
    store = app_state(request).store

    def run() -> dict[str, Any]:
        return build_status(store, resolve_consumer(store, org))

    return await run_blocking(request, run)


def _absolute(request: Request, path: str) -> str:
    return str(request.base_url).rstrip("/") + path


# -- the consumer's own page (consumer tokens) --------------------------------------------------


def _own_consumer(request: Request) -> str:
    """The consumer of the request's consumer token; 401 without a token, 403 with another."""
    consumer = request_consumer(request)
    if consumer is not None:
        return consumer
    if request_role(request) is None:
        raise Unauthorized(
            "the status page needs a consumer token",
            where=request.url.path,
            hint="send Authorization: Bearer <token> with a token:consumer:<IRI> token",
        )
    raise Forbidden(
        "this is the status page of a consumer token",
        where=request.url.path,
        hint="editors and admins read a customer's page at /status/{org}, "
        "e.g. /status/id:aurora-hospitals",
    )


async def _own_status(request: Request) -> dict[str, Any]:
    consumer = _own_consumer(request)
    store = app_state(request).store
    return await run_blocking(request, build_status, store, consumer)


_PAGE_DOC = "HTML for browsers, JSON with ``Accept: application/json``."
Render = Callable[[Request, dict[str, Any], str], Response]
"""Writes one view of a status document whose page is at the given path."""


def _as_json(request: Request, doc: dict[str, Any], base: str) -> Response:
    return JSONResponse(doc)


def _as_feed(request: Request, doc: dict[str, Any], base: str) -> Response:
    body = atom_feed(doc, _absolute(request, base + "/feed.atom"), _absolute(request, base))
    return Response(body, media_type=ATOM_TYPE)


def _as_page(request: Request, doc: dict[str, Any], base: str) -> Response:
    if _wants_json(request):
        return JSONResponse(doc, headers={"Vary": "Accept"})
    return _html(request, doc, base)


def _own(render: Render, name: str, doc: str) -> Callable[..., Awaitable[Response]]:
    """The endpoint showing the consumer token's own status (page at ``/status``)."""

    async def endpoint(request: Request) -> Response:
        return render(request, await _own_status(request), "/status")

    endpoint.__name__, endpoint.__doc__ = name, doc
    return endpoint


def _customer(render: Render, name: str, doc: str) -> Callable[..., Awaitable[Response]]:
    """The endpoint showing a customer's status to the provider (page at ``/status/{org}``)."""

    async def endpoint(request: Request, org: str) -> Response:
        return render(request, await _status(request, org), f"/status/{org}")

    endpoint.__name__, endpoint.__doc__ = name, doc
    return endpoint


_OWN_JSON_DOC = (
    "The consumer token's own status: its services and touchpoints, agreements at risk and\n"
    "the incident timeline, in its own words."
)
_CUSTOMER_JSON_DOC = (
    "The customer's services and touchpoints with their status, agreements at risk and the\n"
    "incident timeline, in the customer's words."
)
_ROUTES = (
    (
        "/status.json",
        "Your status as JSON (consumer token)",
        _own,
        _as_json,
        "own_status_json",
        _OWN_JSON_DOC,
    ),
    (
        "/status/feed.atom",
        "Your status as an Atom feed (consumer token)",
        _own,
        _as_feed,
        "own_status_feed",
        "The consumer token's incident timeline as an Atom 1.0 feed.",
    ),
    ("/status", "Your status page (consumer token)", _own, _as_page, "own_status_page", _PAGE_DOC),
    (
        "/status/{org}.json",
        "A customer's status as JSON (editor)",
        _customer,
        _as_json,
        "status_json",
        _CUSTOMER_JSON_DOC,
    ),
    (
        "/status/{org}/feed.atom",
        "A customer's status as an Atom feed (editor)",
        _customer,
        _as_feed,
        "status_feed",
        "The incident timeline as an Atom 1.0 feed.",
    ),
    (
        "/status/{org}",
        "A customer's status page (editor)",
        _customer,
        _as_page,
        "status_page",
        _PAGE_DOC,
    ),
)
"""The status views, the consumer token's own before a customer's (``/status/feed.atom``
would match ``/status/{org}``): (path, summary, whose status, view, name, doc). The views:
JSON, an Atom feed of the timeline, and a page (HTML, or JSON when asked)."""
_ROLE = {_own: CONSUMER, _customer: EDITOR}
_VIEW_ROUTE: dict[Render, dict[str, Any]] = {
    _as_json: {},
    _as_feed: {"response_class": Response},
    _as_page: {"response_model": None},
}

for _path, _summary, _whose, _view, _name, _doc in _ROUTES:
    router.add_api_route(
        _path,
        _whose(_view, _name, _doc),
        methods=["GET"],
        summary=_summary,
        dependencies=[require_role(_ROLE[_whose])],
        **_VIEW_ROUTE[_view],
    )


# -- the provider's view ------------------------------------------------------------------------


def provider_view(store: Store) -> dict[str, Any]:
    """Every open incident with its recorded impact and what each customer is told of it,
    and the latest closed incidents."""
    incidents = model.list_incidents(store)
    scopes = {c: scope_of(store, c) for c in consumers(store)}
    index = get_index(store)
    rows = []
    for inc in incidents:
        if not inc.is_open:
            continue
        seen = []
        for consumer, scope in scopes.items():
            entry = status_module.timeline_entry(inc, scope)
            if entry is not None:
                seen.append(
                    {
                        "iri": consumer,
                        "curie": compact(consumer),
                        "label": index.label(consumer),
                        "affected": entry["affected"],
                        "agreements": entry["agreements"],
                        "updates": len(entry["updates"]),
                    }
                )
        rows.append({"incident": inc.to_json(), "customers": seen})
    closed = [inc.to_json() for inc in incidents if not inc.is_open][:MAX_CLOSED]
    return {"open": rows, "closed": closed}


@router.get("/ui/incidents", include_in_schema=False, dependencies=[require_role(READER)])
async def incidents_page(request: Request) -> Response:
    """The provider's view: open incidents in full, and which customer sees what."""
    store = app_state(request).store
    doc = await run_blocking(request, provider_view, store)
    if _wants_json(request):
        return JSONResponse(doc, headers={"Vary": "Accept"})
    page = templates.get_template("incidents.html").render(v=doc, compact=compact)
    return HTMLResponse(page, headers={"Vary": "Accept", "Cache-Control": "no-cache"})
