"""Per-app state shared by the routers: settings, store, tokens, and running store calls
off the event loop with a time limit."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import anyio
from fastapi import Request

from svckg.analysis.views import ConsumerViews
from svckg.api.auth import TokenTable
from svckg.api.ops import Metrics
from svckg.api.threads import in_thread, in_thread_write
from svckg.config import Settings
from svckg.errors import LimitExceeded
from svckg.store.base import Store

T = TypeVar("T")
log = logging.getLogger("svckg.api")

TEMPLATES_DIR = Path(__file__).parent / "templates"
"""Jinja2 templates of the HTML pages (plain, accessible, no outside assets)."""


class WriteLock:
    """The lock every write through the API holds (imports, their removal, Graph Store writes,
    SPARQL updates, GraphQL mutations), and the one place where what is derived from the
    store follows a write: when the store's generation changed inside the block, the
    ``after_write`` hooks run before the lock is released (the next writer and the readers of
    derived data see the write's effect). A failing hook is logged, not raised: the write is
    committed; the derived data refreshes on its next use (it is keyed on the generation)."""

    def __init__(self, store: Store) -> None:
        self._lock = threading.Lock()
        self._store = store
        self._before: int | None = None
        self.after_write: list[Callable[[Store], object]] = []

    def __enter__(self) -> WriteLock:
        self._lock.acquire()
        self._before = self._store.generation
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._store.generation != self._before:
                for hook in self.after_write:
                    try:
                        hook(self._store)
                    except Exception:  # the write itself succeeded: never turn it into a failure
                        log.exception("refreshing data derived from the store failed")
        finally:
            self._lock.release()


@dataclass
class AppState:
    """What ``create_app`` puts on ``app.state.svckg``."""

    settings: Settings
    store: Store
    tokens: TokenTable
    owns_store: bool
    write_lock: WriteLock = field(init=False)
    """Serializes multi-step writes (check then write) made through the API, and refreshes
    the consumers' views after each (:class:`WriteLock`)."""
    views: ConsumerViews = field(init=False)
    """The views of the consumers the tokens are bound to (:mod:`svckg.analysis.views`)."""
    metrics: Metrics = field(default_factory=Metrics)
    not_ready: str | None = "the server has not started yet"
    """Why ``/readyz`` answers 503 (None: ready; the index may still be warming up)."""
    stopping: bool = False
    """Set on SIGTERM: new writes are refused with 503 while in-flight ones finish."""
    on_stop: list[Callable[[], None]] = field(default_factory=list)
    """Run at shutdown once in-flight writes are done, before the store closes."""

    def mark_stopping(self) -> None:
        """From now on refuse new writes (503) and answer ``/readyz`` 503, so a load balancer
        drains this process while in-flight requests finish."""
        self.stopping = True
        self.not_ready = "the server is stopping"

    def __post_init__(self) -> None:
        self.write_lock = WriteLock(self.store)
        self.views = ConsumerViews(self.tokens.consumers)
        if self.tokens.consumers:
            self.write_lock.after_write.append(self.views.refresh)

    def stop(self) -> None:
        """Graceful stop: refuse new writes, wait for the one in progress, then run the stop
        hooks and close the store (if the app owns it)."""
        self.mark_stopping()
        with self.write_lock:
            for hook in self.on_stop:
                hook()
            if self.owns_store:
                self.store.close()


def app_state(request: Request) -> AppState:
    """The :class:`AppState` of the app serving ``request``."""
    return request.app.state.svckg


async def run_blocking(
    request: Request, func: Callable[..., T], *args: object, timeout_s: float | None = None
) -> T:
    """Run a blocking store call in the thread pool; LimitExceeded after ``timeout_s``.

    The engine cannot be interrupted: on timeout the client gets its answer at once and
    the worker thread finishes in the background."""
    limit = timeout_s if timeout_s is not None else app_state(request).settings.query_timeout_s
    try:
        with anyio.fail_after(limit):
            return await in_thread(func, *args)
    except TimeoutError as exc:
        raise LimitExceeded(
            f"the request ran over the {limit:g} s time limit",
            where=request.url.path,
            hint="narrow the query (LIMIT, anchor paths on a bound node) or raise "
            "SVCKG_QUERY_TIMEOUT",
        ) from exc


async def run_write(func: Callable[..., T], *args: object) -> T:
    """Run a blocking write in the thread pool to its end (see :func:`in_thread_write`)."""
    return await in_thread_write(func, *args)


async def run_locked(
    state: AppState, write: Callable[..., T], *args: object, **kwargs: object
) -> T:
    """``write(state.store, *args, **kwargs)`` holding the app's write lock (so the consumer
    views are refreshed before others write), in the thread pool to its end."""

    def run() -> T:
        with state.write_lock:
            return write(state.store, *args, **kwargs)

    return await run_write(run)
