"""The lean ``/sparql`` path: lean queries (:func:`svckg.api.sparql_text.runs_lean`) answered
by plain ASGI, without FastAPI's routing and dependency resolution.

:class:`LeanSparql` sits inside the access-log/metrics middleware (:class:`svckg.api.ops.Observe`)
and the body limit (:class:`svckg.api.limits.BodyLimit`), in front of FastAPI's router. It
answers a ``GET /sparql?query=`` or a ``POST /sparql`` (form or ``application/sparql-query``)
only when every rule of the normal route (:mod:`svckg.api.sparql`) passes: a known token with
the reading role (or open reading), no consumer token (a view answers those), protocol
parameters as the protocol says, a UTF-8 body under its declared ``Content-Length`` within
the limit, a lean query. It runs the same checks (:func:`svckg.api.sparql.plan_query`) and
sends the same response (:func:`svckg.api.sparql.answer`); an error while the query runs goes
through the app's own error handler. Everything else, including every refusal before the
query runs, goes on to the normal route (the body read so far is replayed), which answers as
it always did.

A query doing constant work (``ASK {}``, no triple pattern:
:func:`svckg.api.sparql_text.runs_instant`) on the embedded engine runs on the event loop,
saving the thread hop; other lean queries (and every query to a remote store) run in a
thread with the time limit, as on the normal route.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from svckg.api import sparql
from svckg.api.asgi import HttpMiddleware
from svckg.api.dependencies import CONSUMER, check_role, request_consumer, run_blocking
from svckg.api.limits import body_limit, content_length
from svckg.api.sparql_text import LEAN_MAX_CHARS, runs_instant, runs_lean
from svckg.api.state import AppState
from svckg.errors import SvckgError
from svckg.store.embedded import EmbeddedStore

Plan = Callable[[], tuple[bytes, str]]


class LeanSparql(HttpMiddleware):
    """ASGI middleware answering lean ``/sparql`` queries itself (see the module notes)."""

    def __init__(self, app: ASGIApp, state: AppState):
        super().__init__(app)
        self.state = state
        self.limit = body_limit(state.settings, "/sparql")[0]
        self.routes: dict[str, object] = {}
        self.embedded = isinstance(state.store, EmbeddedStore)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["path"] != "/sparql"
            or scope["method"] not in ("GET", "POST")
            or scope.get("root_path")
        ):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        body = b""
        if scope["method"] == "POST":
            body_or_none = await self._body(scope, receive, messages)
            if body_or_none is None:
                await self.app(scope, _replay(messages, receive), send)
                return
            body = body_or_none
        request = Request(scope)
        try:
            run, instant = self._plan(request, body)
        except Exception:  # the normal route answers every refusal, as it always has
            run, instant = None, False
        if run is None:
            await self.app(scope, _replay(messages, receive), send)
            return
        method = scope["method"]
        if method not in self.routes:
            self.routes[method] = _route(scope)
        scope["route"] = self.routes[method]  # the access log and metrics name the same route
        try:
            result, media = run() if instant else await run_blocking(request, run)
        except SvckgError as exc:
            handler = scope["app"].exception_handlers.get(SvckgError)
            if handler is None:
                raise
            await handler(request, exc)(scope, _replay(messages, receive), send)
            return
        headers = sparql.answer_headers(result, media)  # what sparql.answer's Response sends
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": result})

    async def _body(self, scope: Scope, receive: Receive, messages: list[Message]) -> bytes | None:
        """The POST body when it declares a length within the limit (None: leave it to the
        normal route; what was read is in ``messages``)."""
        declared = content_length(scope)
        if declared is None or declared > self.limit:
            return None
        chunks: list[bytes] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return None
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _plan(self, request: Request, body: bytes) -> tuple[Plan | None, bool]:
        """The query's blocking call when the fast path may answer it (else None), and
        whether its work is constant (:func:`runs_instant`: it runs on the event loop; any
        other lean query runs in a thread with the time limit, as on the normal route)."""
        if request.method == "GET":
            params = _query_params(request.scope["query_string"])
            if params.all("update"):
                return None, False
            query = params.one("query")
        else:
            query, params = _posted(request, body)
        if query is None:
            return None, False
        instant = runs_instant(query) and self.embedded  # a remote store answers over the net
        if not (instant or runs_lean(query)):
            return None, False
        check_role(request, CONSUMER)  # type: ignore[arg-type]
        if request_consumer(request) is not None:  # type: ignore[arg-type]
            return None, False
        run = sparql.plan_query(self.state, None, query, params, request)  # type: ignore[arg-type]
        return run, instant


def _posted(request: Request, body: bytes) -> tuple[str | None, sparql.Params]:
    """The query of a POST (None for an update or anything the normal route refuses)."""
    media, ct_params = sparql.media_type_of(request.headers.get("content-type"))
    url_pairs = _url_pairs(request.scope["query_string"])
    sparql.check_charset(ct_params)
    if media == sparql.FORM:
        params = sparql.Params(
            url_pairs + parse_qsl(sparql.decode_body(body, "form"), keep_blank_values=True)
        )
        if params.one("update") is not None:
            return None, params
        return params.one("query"), params
    if media == sparql.QUERY_TYPE:
        return sparql.decode_body(body, "query"), sparql.Params(url_pairs)
    return None, sparql.Params(url_pairs)


PARAMS_CACHED = 1024
"""Parsed query strings kept (each at most :data:`PARAMS_CACHED_BYTES` long): a client
sends the same few queries again and again; the table is emptied when full."""
PARAMS_CACHED_BYTES = 3 * LEAN_MAX_CHARS  # a lean query, percent-encoded
_params: dict[bytes, sparql.Params] = {}


def _url_pairs(query_string: bytes) -> list[tuple[str, str]]:
    """The URL's parameters, as Starlette's ``request.query_params.multi_items()`` reads them."""
    return parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)


def _query_params(query_string: bytes) -> sparql.Params:
    """The protocol parameters of a GET (read only: :func:`sparql.plan_query` never changes
    them, so one parse serves every request with the same query string)."""
    params = _params.get(query_string)
    if params is None:
        params = sparql.Params(_url_pairs(query_string))
        if len(query_string) <= PARAMS_CACHED_BYTES:
            if len(_params) >= PARAMS_CACHED:
                _params.clear()
            _params[query_string] = params
    return params


def _route(scope: Scope) -> object:
    """The route of :mod:`svckg.api.sparql` that answers ``/sparql`` with this method."""
    method = scope["method"]
    for route in sparql.router.routes:
        if getattr(route, "path", None) == "/sparql" and method in getattr(route, "methods", ()):
            return route
    return None


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """``receive`` that first gives back ``messages`` (already read)."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
