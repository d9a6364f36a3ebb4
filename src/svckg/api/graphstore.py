"""``/rdf-graphs``: the SPARQL 1.1 Graph Store HTTP Protocol.

Indirect identification: ``/rdf-graphs?graph=<IRI>`` and ``/rdf-graphs?default``. Direct
identification: ``/rdf-graphs/<path>`` names the graph whose IRI is that request URL.
GET/HEAD (404 when the graph does not exist), PUT (201 created, 204 replaced), POST (merge;
201 when it creates the graph; multipart/form-data posts every part), DELETE (204, 404 when
missing), and POST on ``/rdf-graphs`` itself to create a new graph (201 with ``Location``).

svckg keeps every triple in a named graph: the protocol's *default graph* is the named
graph :data:`DEFAULT_GRAPH`, which, like every graph, is part of the union that queries
see. Writes need an editor token and go through the import pipeline's validation.

A consumer token reads its view only: ``?default`` answers the consumer's view graph, every
named graph is "no such graph" (404, the same answer as for a graph that does not exist).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from svckg.api.conneg import RDF_ALIASES, RDF_TYPES, media_type_of, rdf_format_for_upload
from svckg.api.dependencies import (
    CONSUMER,
    EDITOR,
    AppState,
    app_state,
    check_declared_size,
    consumer_view,
    read_body,
    require_role,
    run_blocking,
    run_write,
)
from svckg.api.results import check_xml_output, choose, content_type
from svckg.api.system_graphs import check_graph
from svckg.api.writes import PIPELINE_FORMATS, commit_graph, drop_graph, validate_document
from svckg.errors import InputError, NotFound, ParseError, UnsupportedFormat
from svckg.ingest.safe_xml import check_xml
from svckg.vocab import GRAPH

router = APIRouter(tags=["Graph Store Protocol"])

PATH = "/rdf-graphs"
DEFAULT_GRAPH = str(GRAPH["default"])
"""The named graph that stands for the protocol's default graph."""

_READ_DOC = {
    "responses": {
        "200": {"description": "The graph", "content": {t: {} for t in RDF_TYPES}},
        "404": {"description": "No such graph"},
    }
}
READ = [require_role(CONSUMER)]
WRITE = [require_role(EDITOR)]
"""Reading a graph follows the app's reading rule; every write needs an editor token."""

_WRITE_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            **{t: {"schema": {"type": "string"}} for t in RDF_TYPES},
            "multipart/form-data": {"schema": {"type": "object"}},
        },
    }
}


def _indirect_graph(request: Request, *, required: bool) -> str | None:
    params = request.query_params
    graphs = params.getlist("graph")
    has_default = "default" in params
    if len(graphs) > 1:
        raise InputError(
            "more than one 'graph' parameter", where="graph", hint="name one graph per request"
        )
    if graphs and has_default:
        raise InputError(
            "both 'graph' and 'default' are given", hint="use ?graph=<IRI> or ?default, not both"
        )
    if has_default:
        return DEFAULT_GRAPH
    if graphs:
        iri = graphs[0]
        if ":" not in iri or any(c in iri for c in ' <>"{}|\\^`') or not _named(iri):
            raise InputError(
                f"graph is not an absolute IRI: {iri!r}",
                where="graph",
                hint="give a full IRI, percent-encoded once",
            )
        return iri
    if required:
        raise InputError(
            "no graph named",
            hint=f"add ?graph=<IRI> or ?default, or use direct identification {PATH}/<path>",
        )
    return None


def _named(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def _direct_graph(request: Request) -> str:
    if set(request.query_params) - {"force"}:
        raise InputError(
            "direct graph identification takes no graph parameters",
            hint=f"use {PATH}?graph=<IRI> for indirect identification",
        )
    graph = str(request.url.replace(query=None, fragment=None))
    try:
        ox.NamedNode(graph)
    except ValueError as exc:
        raise InputError(
            f"this URL is not a graph IRI: {exc}",
            where=request.url.path[:200],
            hint="percent-encode the path, or use ?graph=<IRI>",
        ) from exc
    return graph


async def _exists(request: Request, graph: str) -> bool:
    if graph == DEFAULT_GRAPH:
        return True
    state = app_state(request)
    return await run_blocking(request, lambda: graph in state.store.graphs())


async def _read(request: Request, graph: str) -> Response:
    state = app_state(request)
    store = state.store
    media = choose(request.headers.get("accept"), RDF_TYPES, RDF_ALIASES)
    view = await consumer_view(request)
    if view is not None:  # its view is its default graph; no named graph exists for it
        exists = graph == DEFAULT_GRAPH
        store, graph = view.store, view.graph if exists else graph
    else:
        exists = await _exists(request, graph)
    if not exists:
        raise NotFound(
            f"there is no graph {graph}",
            where=request.url.path,
            hint="list the graphs with the SPARQL service description",
        )
    body = await run_blocking(request, store.export, RDF_TYPES[media], graph)
    body = check_xml_output(body, media)
    headers = {"Vary": "Accept"}
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(b"", media_type=content_type(media), headers=headers)
    return Response(body, media_type=content_type(media), headers=headers)


@dataclass
class Document:
    """One RDF document of a request body (the body itself, or one multipart part)."""

    name: str
    data: bytes
    format: ox.RdfFormat
    triples: list[ox.Triple]


async def _parse_body(request: Request) -> list[Document]:
    """The RDF documents of the request body (one, or every part of a multipart body)."""
    check_declared_size(request)
    media, _ = media_type_of(request.headers.get("content-type"))
    base = str(request.url.replace(query=None, fragment=None))
    if media == "multipart/form-data":
        form = await request.form()
        docs: list[Document] = []
        for name, part in form.multi_items():
            if isinstance(part, str):
                raise InputError(
                    f"form field {name!r} is not a file part",
                    hint="send each graph as a file part with its Content-Type",
                )
            data, source = await part.read(), part.filename or name
            docs.append(await run_write(_parse, data, part.content_type, source, base))
        if not docs:
            raise InputError("the multipart body has no parts", hint="add a file part")
        return docs
    body = await read_body(request)
    ctype = request.headers.get("content-type")
    return [await run_write(_parse, body, ctype, "request body", base)]  # off the event loop


def _parse(data: bytes, ctype: str | None, source: str, base: str) -> Document:
    fmt = rdf_format_for_upload(ctype)
    if fmt not in PIPELINE_FORMATS:
        raise UnsupportedFormat(
            f"Content-Type {ctype or '(none)'} is not an RDF graph format",
            where=source,
            hint="send text/turtle, application/n-triples, application/ld+json or "
            "application/rdf+xml",
        )
    if fmt == ox.RdfFormat.RDF_XML:
        check_xml(data, source)
    try:
        quads = ox.parse(data, format=fmt, base_iri=base, rename_blank_nodes=True)
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    except SyntaxError as exc:
        raise ParseError(
            str(exc.msg) if hasattr(exc, "msg") else str(exc),
            source=source,
            line=getattr(exc, "lineno", None),
            column=getattr(exc, "offset", None),
            hint="fix the RDF syntax",
        ) from exc
    except UnicodeDecodeError as exc:
        raise ParseError(
            "the body is not valid UTF-8", source=source, hint="send UTF-8 text"
        ) from exc
    return Document(source, data, fmt, triples)


def _validate_and_commit(
    state: AppState, graph: str, docs: list[Document], replace: bool, force: bool
) -> None:
    if len(docs) == 1:
        doc = docs[0]
    else:
        triples = [t for d in docs for t in d.triples]
        doc = Document(
            "multipart body",
            ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
            ox.RdfFormat.N_TRIPLES,
            triples,
        )
    validate_document(state, doc.name, doc.data, doc.format, force)
    commit_graph(state, graph, doc.triples, replace)


async def _write(request: Request, graph: str, *, replace: bool) -> Response:
    check_graph(graph, request.url.path)
    docs = await _parse_body(request)
    force = request.query_params.get("force", "").lower() in ("1", "true", "yes")
    existed = await _exists(request, graph)
    state = app_state(request)
    await run_write(_validate_and_commit, state, graph, docs, replace, force)
    status = 204 if existed else 201
    headers = {"Location": graph} if status == 201 else None
    return Response(status_code=status, headers=headers)


async def _delete(request: Request, graph: str) -> Response:
    check_graph(graph, request.url.path)
    state = app_state(request)
    if not await _exists(request, graph):
        raise NotFound(f"there is no graph {graph}", where=request.url.path)
    await run_write(drop_graph, state, graph)
    return Response(status_code=204)


async def post_indirect(request: Request) -> Response:
    """With ``?graph``/``?default``: merge into it. Without: create a new graph and answer
    201 with its IRI in ``Location``."""
    graph = _indirect_graph(request, required=False)
    if graph is None:  # from the base IRI setting, never from the client's Host header
        graph = f"{app_state(request).settings.base_iri}graph/{uuid.uuid4().hex}"
    return await _write(request, graph, replace=False)


Action = Callable[[Request, str], Awaitable[Response]]


def _indirect(action: Action, name: str, doc: str) -> Callable[..., Awaitable[Response]]:
    """The endpoint running ``action`` on the graph named by ``?graph=<IRI>`` or ``?default``."""

    async def endpoint(request: Request) -> Response:
        return await action(request, _indirect_graph(request, required=True) or "")

    endpoint.__name__, endpoint.__doc__ = name, doc
    return endpoint


def _direct(action: Action, name: str, doc: str) -> Callable[..., Awaitable[Response]]:
    """The endpoint running ``action`` on the graph whose IRI is the request's URL."""

    async def endpoint(request: Request, path: str) -> Response:
        return await action(request, _direct_graph(request))

    endpoint.__name__, endpoint.__doc__ = name, doc
    return endpoint


_REPLACE = partial(_write, replace=True)
_MERGE = partial(_write, replace=False)
_CREATED = "201 when created, 204 when replaced."
_DELETED = "204 when deleted, 404 when there was no such graph."
_ROUTES = (
    (
        PATH,
        "GET",
        "Get a graph (indirect; HEAD too)",
        _indirect(_read, "get_indirect", "``?graph=<IRI>`` or ``?default``."),
    ),
    (
        PATH,
        "PUT",
        "Create or replace a graph (indirect)",
        _indirect(_REPLACE, "put_indirect", _CREATED),
    ),
    (PATH, "POST", "Add to a graph, or create a new one", post_indirect),
    (PATH, "DELETE", "Delete a graph (indirect)", _indirect(_delete, "delete_indirect", _DELETED)),
    (
        PATH + "/{path:path}",
        "GET",
        "Get a graph (direct; HEAD too)",
        _direct(_read, "get_direct", "The graph whose IRI is this URL."),
    ),
    (
        PATH + "/{path:path}",
        "PUT",
        "Create or replace a graph (direct)",
        _direct(_REPLACE, "put_direct", _CREATED),
    ),
    (
        PATH + "/{path:path}",
        "POST",
        "Add to a graph (direct)",
        _direct(
            _MERGE,
            "post_direct",
            "Merge the posted triples (every part of a multipart body) into the graph.",
        ),
    ),
    (
        PATH + "/{path:path}",
        "DELETE",
        "Delete a graph (direct)",
        _direct(_delete, "delete_direct", _DELETED),
    ),
)
"""The protocol's routes, indirect (``?graph=``) and direct (the graph's own URL): (path,
method, summary, endpoint). Reads follow the app's reading rule and answer HEAD too; every
write needs an editor."""
_BY_METHOD: dict[str, dict[str, Any]] = {
    "GET": {"openapi_extra": _READ_DOC, "dependencies": READ},
    "PUT": {"openapi_extra": _WRITE_DOC, "dependencies": WRITE},
    "POST": {"openapi_extra": _WRITE_DOC, "dependencies": WRITE},
    "DELETE": {"status_code": 204, "dependencies": WRITE},
}

for _path, _method, _summary, _endpoint in _ROUTES:
    router.add_api_route(
        _path, _endpoint, methods=[_method], summary=_summary, **_BY_METHOD[_method]
    )
    if _method == "GET":
        router.add_api_route(
            _path, _endpoint, methods=["HEAD"], include_in_schema=False, dependencies=READ
        )
