"""``/graphql``: the generated schema on strawberry's FastAPI router, with svckg's limits.

- Browsers (``GET`` with ``Accept: text/html``) get GraphiQL built from npm into
  ``web/dist/graphiql`` (no CDN); other requests are GraphQL over HTTP (GET or POST).
- Limits from :class:`~svckg.config.Settings`: query depth (``graphql_max_depth``), tokens
  (``graphql_max_tokens``), the request time limit (``query_timeout_s``), introspection
  (``graphql_introspection``) and masked internal errors in ``production``.
- svckg errors become GraphQL errors whose ``extensions`` carry ``code`` (the error class),
  ``where``, ``hint`` and, for a rejected mutation, the validation ``report`` and each
  shape ``messages``.
- The schema is built in a background thread started with the app (building it takes seconds
  and would hold the port closed; strawberry parses string annotations with ``ast``, which
  CPython 3.11 does not allow in two threads at once, so builds are serialised, see
  :data:`svckg.api.graphql.schema.BUILDS`): the first request waits for it in :meth:`LazyBuild.get`,
  so it never fails or answers 503 because of it.
- Reading follows the app's rule (``Settings.read_requires_token``); mutations need an
  editor token. A consumer token reads its view (see :class:`.schema.GraphQLContext`):
  introspection works, data outside the view is unknown.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import anyio
from fastapi import Request, Response
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.requests import HTTPConnection
from strawberry.fastapi import GraphQLRouter
from strawberry.types import ExecutionResult

from svckg.api.dependencies import CONSUMER, app_state, check_role, consumer_view
from svckg.api.errors import error_body
from svckg.api.jsonbody import encode_json
from svckg.api.pages import page_response
from svckg.config import Settings
from svckg.errors import SvckgError, ValidationFailed

if TYPE_CHECKING:
    import strawberry

    from svckg.api.graphql.schema import Built, GraphQLContext

PARSE_CACHE = 256
"""Parsed and validated documents kept per schema (tools repeat the same queries)."""


def _svckg_error(error: GraphQLError) -> SvckgError | None:
    original = error.original_error
    return original if isinstance(original, SvckgError) else None


def _extensions(exc: SvckgError) -> dict[str, Any]:
    body = error_body(exc)
    out: dict[str, Any] = {"code": body.pop("error"), **body}
    if isinstance(exc, ValidationFailed) and isinstance(out.get("report"), dict):
        out["messages"] = [r["message"] for r in out["report"].get("results", [])]
    return out


def extensions_for(settings: Settings) -> list[Any]:
    """The strawberry extensions enforcing ``settings``' limits: the token limit, depth limit
    and introspection switch (checked once per query text, see :mod:`.documents`) and, in
    ``production``, masked internal errors."""
    from strawberry.extensions import MaskErrors

    from svckg.api.graphql.documents import CachedDocumentsFactory

    extensions: list[Any] = [
        CachedDocumentsFactory(
            settings.graphql_max_tokens,
            settings.graphql_max_depth,
            settings.graphql_introspection,
            PARSE_CACHE,
            settings.graphql_max_cost,
        )
    ]
    if settings.production:
        extensions.append(
            lambda: MaskErrors(
                should_mask_error=lambda error: _svckg_error(error) is None,
                error_message="Internal error: see the server log",
            )
        )
    return extensions


class SvckgGraphQLRouter(GraphQLRouter):
    """strawberry's router with GraphiQL from the local build, a time limit and svckg error
    extensions. Its schema comes from a :class:`LazyBuild`: strawberry reads ``self.schema``
    only inside a request, after the context getter has waited for the build."""

    def __init__(self, lazy: LazyBuild, **kwargs: Any) -> None:
        self.lazy = lazy
        super().__init__(None, **kwargs)  # type: ignore[arg-type]

    @property  # type: ignore[override]
    def schema(self) -> strawberry.Schema:
        return self.lazy.ready().schema

    @schema.setter
    def schema(self, value: object) -> None:
        """strawberry's ``__init__`` assigns the schema given (None): the lazy one stands."""

    async def render_graphql_ide(self, request: Request) -> Response:  # type: ignore[override]
        return page_response("graphiql")

    def encode_json(self, data: object) -> bytes:
        """The response body: orjson (several times faster than ``json.dumps`` on an impact
        document); the standard encoder for what orjson refuses (non-string keys, huge ints)."""
        return encode_json(data)

    async def execute_single(self, request: Any, **kwargs: Any) -> ExecutionResult:  # type: ignore[override]
        if _is_mutation(kwargs["request_data"]):  # a write runs to its end, as REST writes do
            result = await super().execute_single(request=request, **kwargs)
            return _with_extensions(result)
        limit = app_state(request).settings.query_timeout_s
        try:
            with anyio.fail_after(limit):
                result = await super().execute_single(request=request, **kwargs)
        except TimeoutError:
            return _limit_result(
                f"the request ran over the {limit:g} s time limit",
                "ask for less (smaller pages, fewer levels) or raise SVCKG_QUERY_TIMEOUT",
            )
        exceeded = getattr(kwargs.get("context"), "budget", None)
        if exceeded is not None and exceeded.exceeded is not None:
            return _limit_result(exceeded.exceeded.message, exceeded.exceeded.hint or "")
        return _with_extensions(result)


def _limit_result(message: str, hint: str) -> ExecutionResult:
    """One LimitExceeded error and no data (a partial answer would hide what was cut)."""
    return ExecutionResult(
        data=None,
        errors=[GraphQLError(message, extensions={"code": "LimitExceeded", "hint": hint})],
    )


def _is_mutation(request_data: Any) -> bool:
    return _mutation(request_data.query or "", request_data.operation_name)


@lru_cache(maxsize=PARSE_CACHE)
def _mutation(query: str, operation_name: str | None) -> bool:
    try:
        document = parse(query)
    except GraphQLError:
        return False  # the schema reports the syntax error
    operation = get_operation_ast(document, operation_name)
    return operation is not None and operation.operation == OperationType.MUTATION


def _with_extensions(result: ExecutionResult) -> ExecutionResult:
    """Add ``code``, ``where``, ``hint`` (and a validation report) to svckg errors."""
    for error in result.errors or ():
        exc = _svckg_error(error)
        if exc is not None:
            error.extensions = {**(error.extensions or {}), **_extensions(exc)}
    return result


_BUILT: dict[tuple[int, int, int, bool, bool, int], Built] = {}
_BUILDING = threading.Lock()


def build_for(settings: Settings) -> Built:
    """The generated schema with the limits of ``settings`` (built once per model and limits:
    building takes seconds)."""
    from svckg.api.graphql.model import load_model
    from svckg.api.graphql.schema import build_schema

    with _BUILDING:  # a second app with the same limits waits for the first build
        model = load_model()
        key = (
            id(model),
            settings.graphql_max_depth,
            settings.graphql_max_tokens,
            settings.graphql_introspection,
            settings.production,
            settings.graphql_max_cost,
        )
        built = _BUILT.get(key)
        if built is None or built.model is not model:
            built = _BUILT[key] = build_schema(model, extensions=extensions_for(settings))
        return built


class LazyBuild:
    """The schema of ``settings``, built in a daemon thread started by :meth:`start` (the
    app's start-up) or by the first request that needs it. A build that failed is tried
    again by the next request."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.future: Future[Built] | None = None
        self.lock = threading.Lock()

    def start(self) -> Future[Built]:
        """The build under way or done (started now if none is, or the last one failed)."""
        with self.lock:
            future = self.future
            if future is None or (future.done() and future.exception() is not None):
                future = self.future = Future()
                threading.Thread(
                    target=self._run, args=(future,), name="svckg-graphql-schema", daemon=True
                ).start()
            return future

    def _run(self, future: Future[Built]) -> None:
        try:
            future.set_result(build_for(self.settings))
        except BaseException as exc:  # raised by the requests waiting for this build
            future.set_exception(exc)

    def ready(self) -> Built:
        """The built schema (blocks until it is there: call after :meth:`get`)."""
        return self.start().result()

    async def get(self) -> Built:
        """The built schema; a request that comes before the build is done waits for it in
        a worker thread (the event loop keeps serving)."""
        future = self.start()
        if future.done():
            return future.result()
        return await anyio.to_thread.run_sync(future.result)


def make_router(settings: Settings) -> SvckgGraphQLRouter:
    """The ``/graphql`` router for an app with ``settings``; its schema is built when the app
    starts (``router.lazy.start()``) or on the first request."""
    lazy = LazyBuild(settings)

    async def context(request: HTTPConnection) -> GraphQLContext:
        """For HTTP requests and WebSocket handshakes alike (a WebSocket is no Request)."""
        from svckg.api.graphql.schema import GraphQLContext

        check_role(request, CONSUMER)  # type: ignore[arg-type]
        view = await consumer_view(request)  # type: ignore[arg-type]
        built = await lazy.get()
        return GraphQLContext(app_state(request), built, view)  # type: ignore[arg-type]

    return SvckgGraphQLRouter(
        lazy,
        path="/graphql",
        context_getter=context,
        graphql_ide="graphiql",
        tags=["GraphQL"],
    )  # the role is checked in ``context``: a route dependency cannot take a WebSocket
