"""What an operator watches: ``/healthz`` (the process answers), ``/readyz`` (the server
started: 200 with the ``mode`` impact and trace answer in, ``index`` once the dependency index
is loaded or built, ``engine`` while it warms up in the background; 503 with the reason before
the start, if the index cannot be built, and while stopping), ``/metrics``
(Prometheus text format through prometheus-client, one registry per app) and one access-log
line per request (route template, status, duration, token role; never the token), as text or
JSON (``Settings.log_format``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from svckg.analysis.index import background_priority, get_index, last_index, snapshot_index
from svckg.analysis.pushdown import GraphSource, choose_source, wants_index
from svckg.api.asgi import HttpMiddleware
from svckg.api.threads import in_thread
from svckg.errors import SvckgError, ValidationFailed
from svckg.validation.report import ValidationReport

if TYPE_CHECKING:
    from svckg.api.state import AppState

access_log = logging.getLogger("svckg.access")
log = logging.getLogger("svckg.ops")
MODE_HEADER = "X-Svckg-Walk-Mode"
"""Response header of impact and trace: ``index`` or ``engine`` (push-down), the source that
answered (:mod:`svckg.analysis.pushdown`); the JSON body stays the CLI's document."""
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    """The app's Prometheus metrics, in a registry of its own (several apps per process in
    tests must not share counters)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "svckg_http_requests", "HTTP requests by route template and status",
            ["method", "route", "status"], registry=r,
        )  # fmt: skip
        self.latency = Histogram(
            "svckg_http_request_duration_seconds", "HTTP request latency by route template",
            ["method", "route"], buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.imports = Counter(
            "svckg_imports", "Imported sources by outcome (created, updated, unchanged, "
            "rejected, error)", ["outcome"], registry=r,
        )  # fmt: skip
        self.validation = Counter(
            "svckg_validation_results", "Validation results reported, by severity",
            ["severity"], registry=r,
        )  # fmt: skip
        self.timeouts = Counter(
            "svckg_query_timeouts", "Requests stopped at the query time limit", registry=r
        )
        self.index_build = Gauge(
            "svckg_index_build_seconds", "Duration of the start-up dependency index build",
            registry=r,
        )  # fmt: skip
        self.index_edges = Gauge("svckg_index_edges", "Edges in the dependency index", registry=r)
        self.index_nodes = Gauge(
            "svckg_index_nodes", "Elements in the dependency index", registry=r
        )
        self.store_quads = Gauge("svckg_store_quads", "Quads in the store", registry=r)
        self.walks = Counter(
            "svckg_walks", "Impact and trace answers by walk and by where the graph was read "
            "(index: in memory; engine: push-down queries)", ["walk", "mode"], registry=r,
        )  # fmt: skip

    def record_report(self, report: ValidationReport | None) -> None:
        """Count a validation report's results by severity."""
        for result in report.results if report is not None else []:
            self.validation.labels(severity=result.severity).inc()

    def record_import(self, statuses: list[str], report: ValidationReport | None) -> None:
        """Count one import's sources by outcome, and its validation results."""
        for status in statuses:
            self.imports.labels(outcome=status).inc()
        self.record_report(report)

    def record_failure(self, exc: BaseException, sources: int) -> None:
        """Count an import that wrote nothing: rejected by validation, or bad input."""
        outcome = "rejected" if isinstance(exc, ValidationFailed) else "error"
        self.imports.labels(outcome=outcome).inc(max(sources, 1))
        if isinstance(exc, ValidationFailed):
            self.record_report(exc.report)


def walk_source(state: AppState) -> GraphSource:
    """Where a request's impact or trace reads the graph: the index when an up-to-date one is
    at hand, else the engine; a request never waits for an index build (the start-up build,
    or a rebuild after a change incremental refresh cannot follow, runs in the background).
    Blocking: call it in a thread."""
    return choose_source(state.store, state.settings, may_build=False)


def build_index_in_background(state: AppState) -> threading.Thread:
    """Load (from its snapshot) or build the dependency index off the event loop, unless the
    settings leave impact to the engine, then the consumers' views: the server is ready at
    once, impact and trace answering through the engine until the index is there
    (``/readyz`` says which ``mode`` serves)."""
    state.not_ready = None

    def run() -> None:
        background_priority()
        t0 = time.perf_counter()
        try:
            if wants_index(state.store, state.settings):
                get_index(state.store, offload=True)
                state.metrics.index_build.set(time.perf_counter() - t0)
            elif state.settings.impact_mode == "auto":
                snapshot_index(state.store)  # over the budget: a snapshot still serves
        except Exception as exc:  # the store answers, but not well enough: the engine serves
            if state.stopping:  # the store closed under the build (its child was stopped)
                return
            reason = exc.describe() if isinstance(exc, SvckgError) else str(exc)
            state.not_ready = f"the dependency index could not be built: {reason}"
            log.error(state.not_ready)
            return
        if state.views.consumers:
            try:
                state.views.refresh(state.store, only_if_stale=True)
            except SvckgError as exc:  # built again on the first consumer request
                log.error("the consumers' views could not be built: %s", exc.describe())

    thread = threading.Thread(target=run, name="svckg-index", daemon=True)
    thread.start()
    return thread


def serving_mode(state: AppState) -> str:
    """``index`` when an index of the store's current state is in memory, else ``engine``."""
    index = last_index(state.store)
    return "index" if index is not None and index.generation == state.store.generation else "engine"


def _refresh_gauges(state: AppState) -> None:
    """Store size, and the index brought up to date (incrementally) once it is built."""
    built = last_index(state.store) is not None  # else the start-up build is still running
    index = get_index(state.store) if built else None
    if index is not None:
        state.metrics.index_edges.set(index.edge_count)
        state.metrics.index_nodes.set(index.node_count)
    state.metrics.store_quads.set(state.store.count())


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _stopping() -> Response:
    return JSONResponse(
        {
            "error": "Unavailable",
            "message": "the server is stopping: nothing was written",
            "where": None,
            "hint": "send it again when the server is back",
        },
        status_code=503,
        headers={"Retry-After": "5"},
    )


def _route(scope: Scope) -> str:
    """The route template (``/id/{path:path}``), never the raw path (bounded label values)."""
    path = getattr(scope.get("route"), "path", None)
    if path:
        return str(path)
    if scope["path"].startswith("/static/"):
        return "/static"
    return "(unmatched)"


def _role(request: Request, state: AppState) -> str:
    """The token's role for the log: anonymous, a role, or invalid (the token never)."""
    header = request.headers.get("authorization")
    if not header:
        return "anonymous"
    scheme, _, token = header.partition(" ")
    role = state.tokens.role_of(token.strip()) if scheme.lower() == "bearer" else None
    return role or "invalid"


def _log_line(state: AppState, fields: dict[str, object]) -> None:
    if state.settings.log_format == "json":
        access_log.info(json.dumps(fields, separators=(",", ":")))
    else:
        access_log.info(
            "%s %s %s %.1fms role=%s",
            fields["method"], fields["route"], fields["status"],
            fields["duration_ms"], fields["role"],
        )  # fmt: skip


class Observe(HttpMiddleware):
    """ASGI middleware measuring and logging every request, and answering 503 to writes
    while the server stops."""

    def __init__(self, app: ASGIApp, state: AppState):
        super().__init__(app)
        self.state = state
        self.children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        """(method, route template, status) -> its request counter and latency histogram
        (bounded: route templates, not paths)."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        t0 = time.perf_counter()
        status = 500

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            if self.state.stopping and scope["method"] not in SAFE_METHODS:
                await _stopping()(scope, receive, observed)
            else:
                await self.app(scope, receive, observed)
        finally:
            self.record(scope, status, time.perf_counter() - t0)

    def record(self, scope: Scope, status: int, seconds: float) -> None:
        """Count, time and log one request (the metric children of a route are looked up
        once; the log line is built only when the access log is on)."""
        state, route, method = self.state, _route(scope), scope["method"]
        children = self.children.get((method, route, status))
        if children is None:
            children = self.children[(method, route, status)] = (
                state.metrics.requests.labels(method, route, str(status)),
                state.metrics.latency.labels(method, route),
            )
        children[0].inc()
        children[1].observe(seconds)
        if not access_log.isEnabledFor(logging.INFO):
            return
        _log_line(
            state,
            {
                "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
                "role": _role(Request(scope), state),
            },
        )


def install_ops(app: FastAPI, state: AppState) -> None:
    """The health, readiness and metrics routes, and the middleware measuring and logging
    every request."""

    app.add_middleware(Observe, state=state)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        # stopping wins over everything else: the index warm-up finishing during a stop must
        # not make a draining process look ready again
        reason = "the server is stopping" if state.stopping else state.not_ready
        if reason is not None:
            return JSONResponse({"ready": False, "reason": reason}, status_code=503)
        return JSONResponse({"ready": True, "mode": serving_mode(state)})

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        await in_thread(_refresh_gauges, state)
        return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
