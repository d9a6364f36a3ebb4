"""``/sparql``: the SPARQL 1.1 Protocol (query and update) and the service description.

Queries: GET ``?query=``, POST form, POST ``application/sparql-query``; dataset by
``default-graph-uri`` / ``named-graph-uri`` (they override FROM / FROM NAMED). Updates: POST
form or ``application/sparql-update`` with an editor token; ``using-graph-uri`` /
``using-named-graph-uri`` become USING clauses. Without a protocol dataset, queries see the
union of all graphs (svckg's default graph). An update that writes triples outside any
``GRAPH`` writes them into the store's own default graph, which is part of that union; its
WHERE clause reads that default graph unless it says ``USING``/``WITH``/``GRAPH``.
Relative IRIs resolve against the endpoint URL. The time limit (``Settings.query_timeout_s``)
is enforced around the whole request (query and serialization) by
:func:`svckg.api.state.run_blocking`, so results stream from the engine straight into the
serializer. Queries run in a forked child that the time limit kills (:mod:`svckg.api.guard`),
except those whose text bounds their work (:func:`svckg.api.sparql_text.runs_lean`), which
skip the fork. A GET without ``query`` returns the service description (RDF, or HTML for
browsers).

A consumer token (see :mod:`svckg.analysis.views`) queries its view store only: the default
graph is its view (and the public vocabulary), no named graph is visible (``GRAPH ?g`` matches
nothing), ``FROM`` / ``FROM NAMED`` and the protocol dataset parameters are refused with one
message whatever graph they name, ``SERVICE`` is refused, and the service description lists
no graph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from svckg.analysis.views import View
from svckg.api.conneg import RDF_ALIASES, RDF_TYPES, RESULTS_TYPES, media_type_of, prefers_html
from svckg.api.dependencies import (
    CONSUMER,
    EDITOR,
    app_state,
    check_role,
    consumer_view,
    read_body,
    require_role,
    run_blocking,
    run_write,
)
from svckg.api.guard import run_isolated
from svckg.api.results import choose, content_type, render, serialize_triples
from svckg.api.sparql_text import add_using, check_iris, runs_lean
from svckg.api.state import TEMPLATES_DIR, AppState
from svckg.api.system_graphs import check_update
from svckg.errors import Forbidden, InputError, QueryError, UnsupportedFormat
from svckg.sparql_lexer import tokenize
from svckg.terms import RDF_TYPE

router = APIRouter(tags=["SPARQL 1.1 Protocol"])
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"

NO_GRAPH = "urn:svckg:no-graph"
"""Stands for an empty graph list in a protocol dataset (the store refuses empty lists):
a request naming only named graphs has an empty default graph, and the reverse."""

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMAT_IRIS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
}

_OPENAPI_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string"},
                        "update": {"type": "string"},
                        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "using-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "using-named-graph-uri": {"type": "array", "items": {"type": "string"}},
                    },
                }
            },
            QUERY_TYPE: {"schema": {"type": "string"}},
            UPDATE_TYPE: {"schema": {"type": "string"}},
        },
    },
    "responses": {
        "200": {
            "description": "Query results",
            "content": {t: {} for t in (*RESULTS_TYPES, *RDF_TYPES)},
        },
        "204": {"description": "Update done"},
    },
}


_GET_PARAMETERS = [
    {
        "name": "query",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "SPARQL query; without it, the service description",
    },
    *(
        {
            "name": name,
            "in": "query",
            "required": False,
            "schema": {"type": "array", "items": {"type": "string"}},
            "explode": True,
            "description": "Protocol dataset (overrides FROM / FROM NAMED)",
        }
        for name in ("default-graph-uri", "named-graph-uri")
    ),
]


class Params:
    """The protocol parameters of one request (URL query string plus form body)."""

    def __init__(self, pairs: list[tuple[str, str]]):
        self.values: dict[str, list[str]] = {}
        for key, value in pairs:
            self.values.setdefault(key, []).append(value)

    def all(self, name: str) -> list[str]:
        return self.values.get(name, [])

    def one(self, name: str) -> str | None:
        values = self.all(name)
        if len(values) > 1:
            raise QueryError(
                f"the request has {len(values)} '{name}' parameters",
                where=name,
                hint=f"send exactly one {name}",
            )
        return values[0] if values else None


def decode_body(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the {what} is not valid UTF-8 (byte {exc.start})",
            where="request body",
            hint="send UTF-8 text",
        ) from exc


def check_charset(params: dict[str, str]) -> None:
    charset = params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedFormat(
            f"charset {charset} is not supported",
            where="Content-Type",
            hint="send the request body as UTF-8 (charset=utf-8)",
        )


ENDPOINTS_CACHED = 256
"""Endpoint URLs kept per (scheme, server, path, Host header): one or a few in practice; the
Host header is the client's, so the table is emptied when full."""
_endpoints: dict[tuple[object, ...], str] = {}


def _endpoint(request: Request) -> str:
    """The request's URL without query: the base of relative IRIs. Kept per the parts of the
    scope Starlette builds it from (building it costs ~15 µs, as much as an ``ASK {}``)."""
    scope = request.scope
    host = next((value for name, value in scope["headers"] if name == b"host"), None)
    server = scope.get("server")
    key = (scope.get("scheme"), None if server is None else tuple(server), scope["path"], host)
    endpoint = _endpoints.get(key)
    if endpoint is None:
        endpoint = str(request.url.replace(query=None, fragment=None))
        if len(_endpoints) >= ENDPOINTS_CACHED:
            _endpoints.clear()
        _endpoints[key] = endpoint
    return endpoint


@router.get(
    "/sparql",
    summary="SPARQL query (GET) or service description",
    responses=_OPENAPI_BODY["responses"],
    openapi_extra={"parameters": _GET_PARAMETERS},
    dependencies=[require_role(CONSUMER)],
)
async def sparql_get(request: Request) -> Response:
    """``?query=`` runs a query; without it, the SPARQL service description."""
    params = Params(list(request.query_params.multi_items()))
    if params.all("update"):
        raise QueryError(
            "SPARQL update is not allowed with GET",
            where="update",
            hint="POST the update as application/sparql-update or a form",
        )
    query = params.one("query")
    if query is None:
        return await service_description(request)
    return await _query(request, query, params)


@router.post("/sparql", summary="SPARQL query or update (POST)", openapi_extra=_OPENAPI_BODY)
async def sparql_post(request: Request) -> Response:
    """POST a query or update as a form, or directly with its media type. The role is checked
    once the body says which it is: reading for a query, editor for an update."""
    media, ct_params = media_type_of(request.headers.get("content-type"))
    body = await read_body(request)
    url_pairs = list(request.query_params.multi_items())
    if not media:
        raise InputError(
            "the POST has no Content-Type",
            where="Content-Type",
            hint=f"use {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}",
        )
    check_charset(ct_params)
    if media == FORM:
        pairs = parse_qsl(decode_body(body, "form"), keep_blank_values=True)
        params = Params(url_pairs + pairs)
        query, update = params.one("query"), params.one("update")
        if query is not None and update is not None:
            raise QueryError(
                "the form has both 'query' and 'update'", hint="send one operation per request"
            )
        if update is not None:
            return await _update(request, update, params)
        if query is None:
            raise QueryError(
                "the form has neither 'query' nor 'update'", hint="add query=... or update=..."
            )
        return await _posted_query(request, query, params)
    params = Params(url_pairs)
    if media == QUERY_TYPE:
        return await _posted_query(request, decode_body(body, "query"), params)
    if media == UPDATE_TYPE:
        return await _update(request, decode_body(body, "update"), params)
    raise UnsupportedFormat(
        f"Content-Type {media} is not a SPARQL request",
        where="Content-Type",
        hint=f"use {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}",
    )


async def _posted_query(request: Request, query: str, params: Params) -> Response:
    check_role(request, CONSUMER)  # GET declares it on the route
    return await _query(request, query, params)


def check_consumer_query(query: str, params: Params) -> None:
    """Refuse what a consumer's query may not say: a dataset of its own (``FROM``,
    ``FROM NAMED``, ``default-graph-uri``, ``named-graph-uri``: one message, whatever graph is
    named, so the answer tells nothing about which graphs exist) and ``SERVICE``."""
    words = {t.keyword for t in tokenize(query)}
    if "FROM" in words or params.all("default-graph-uri") or params.all("named-graph-uri"):
        raise Forbidden(
            "a consumer token queries its own view: FROM, FROM NAMED and a protocol dataset "
            "are not available",
            hint="leave the dataset out; the default graph is everything the token may see",
        )
    if "SERVICE" in words:
        raise Forbidden(
            "a consumer token cannot use SERVICE", hint="query the view without SERVICE"
        )


async def _query(request: Request, query: str, params: Params) -> Response:
    view = await consumer_view(request)
    run = plan_query(app_state(request), view, query, params, request)
    # stoppable (see svckg.api.guard), unless the text shows the work is small
    body, media = await run_isolated(request, run, bounded=runs_lean(query))
    return answer(body, media)


def answer(body: bytes, media: str) -> Response:
    """The response of a query (the lean ASGI path, :mod:`svckg.api.sparql_asgi`, sends the
    same headers from :func:`answer_headers`; tests/api/test_sparql_asgi.py compares them)."""
    return Response(body, media_type=content_type(media), headers={"Vary": "Accept"})


def answer_headers(body: bytes, media: str) -> list[tuple[bytes, bytes]]:
    """The raw headers :func:`answer` sends, without building a Response (the lean path)."""
    return [(b"vary", b"Accept"), (b"content-length", b"%d" % len(body)), _content_type(media)]


@lru_cache(maxsize=64)  # bounded by the offered media types
def _content_type(media: str) -> tuple[bytes, bytes]:
    return (b"content-type", content_type(media).encode("latin-1"))


def plan_query(
    state: AppState, view: View | None, query: str, params: Params, request: Request
) -> Callable[[], tuple[bytes, str]]:
    """Check a query request (consumer limits, protocol dataset) and return the blocking
    call that runs it and renders the answer by the request's Accept header."""
    if view is not None:
        check_consumer_query(query, params)
    defaults = check_iris(params.all("default-graph-uri"), "default-graph-uri")
    named = check_iris(params.all("named-graph-uri"), "named-graph-uri")
    if params.all("using-graph-uri") or params.all("using-named-graph-uri"):
        raise QueryError(
            "using-graph-uri / using-named-graph-uri belong to updates",
            hint="use default-graph-uri / named-graph-uri with a query",
        )
    if view is not None:  # the view and the vocabulary, and no named graph at all
        defaults, named = view.graphs, [NO_GRAPH]
    protocol_dataset = bool(defaults or named)
    store = state.store if view is None else view.store
    text = with_base(query, _endpoint(request))
    accept = request.headers.get("accept")
    settings = state.settings

    def run() -> tuple[bytes, str]:
        with base_line_fixed():
            result = store.query(
                text,
                default_graph=(defaults or [NO_GRAPH]) if protocol_dataset else None,
                named_graphs=(named or [NO_GRAPH]) if protocol_dataset else None,
            )
        try:
            return render(result, accept, settings.max_result_rows)
        except (OSError, RuntimeError) as exc:  # raised while the engine streams results
            if "SERVICE" in text.upper():  # never echo what another host answered
                raise QueryError("cannot run the query: a SERVICE call failed") from exc
            raise

    return run


async def _update(request: Request, update: str, params: Params) -> Response:
    check_role(request, EDITOR)
    state = app_state(request)
    if params.all("default-graph-uri") or params.all("named-graph-uri"):
        raise QueryError(
            "default-graph-uri / named-graph-uri belong to queries",
            hint="use using-graph-uri / using-named-graph-uri with an update",
        )
    using = check_iris(params.all("using-graph-uri"), "using-graph-uri")
    using_named = check_iris(params.all("using-named-graph-uri"), "using-named-graph-uri")
    text = with_base(add_using(update, using, using_named), _endpoint(request))

    def run() -> None:
        with state.write_lock, base_line_fixed():
            check_update(text, state.store.graphs())  # system graphs change by imports only
            state.store.update(text)

    await run_write(run)
    return Response(status_code=204)


def with_base(text: str, base: str) -> str:
    """``text`` with a ``BASE`` line in front, so relative IRIs resolve against ``base``.

    >>> with_base("SELECT * {}", "http://h/sparql")
    'BASE <http://h/sparql>\\nSELECT * {}'
    """
    return f"BASE <{base}>\n{text}"


_POSITION = re.compile(r"(error at |line )(\d+)(:\d+|,)")


@contextmanager
def base_line_fixed() -> Iterator[None]:
    """Report parser positions in the client's own text (without the added BASE line)."""
    try:
        yield
    except QueryError as exc:
        exc.message = _POSITION.sub(lambda m: f"{m[1]}{max(1, int(m[2]) - 1)}{m[3]}", exc.message)
        exc.args = (exc.describe(),)
        raise


def description_triples(endpoint: str, graphs: list[str]) -> list[ox.Triple]:
    """The SPARQL 1.1 service description of this endpoint.

    >>> len(description_triples("http://127.0.0.1/sparql", [])) > 5
    True
    """
    service = ox.BlankNode("service")

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("feature"), sd("EmptyGraphs")),
    ]
    for name in RESULT_FORMAT_IRIS.values():
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + name)))
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("default")
    triples += [
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, sd("Graph")),
    ]
    for index, graph in enumerate(graphs):
        node = ox.BlankNode(f"g{index}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, RDF_TYPE, sd("NamedGraph")),
            ox.Triple(node, sd("name"), ox.NamedNode(graph)),
        ]
    return triples


async def service_description(request: Request) -> Response:
    """The service description as RDF by content negotiation, or an HTML page."""
    state = app_state(request)
    accept = request.headers.get("accept")
    endpoint = _endpoint(request)
    view: View | None = await consumer_view(request)
    graphs = [] if view is not None else await run_blocking(request, state.store.graphs)
    if prefers_html(accept):
        html = templates.get_template("service.html").render(
            endpoint=endpoint, graphs=graphs, formats=list(RESULT_FORMAT_IRIS), request=request
        )
        return HTMLResponse(html, headers={"Vary": "Accept"})
    media = choose(accept, RDF_TYPES, RDF_ALIASES)
    body = serialize_triples(description_triples(endpoint, graphs), media, 10**9)
    return Response(body, media_type=content_type(media), headers={"Vary": "Accept"})
