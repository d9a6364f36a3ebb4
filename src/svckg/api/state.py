"""Per-app state shared by the routers: settings, store, tokens, and running store calls
off the event loop with a time limit."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import anyio
from fastapi import Request

from svckg.api.auth import TokenTable
from svckg.api.ops import Metrics
from svckg.api.threads import in_thread, in_thread_write
from svckg.config import Settings
from svckg.errors import LimitExceeded
from svckg.store.base import Store

T = TypeVar("T")

TEMPLATES_DIR = Path(__file__).parent / "templates"
"""Jinja2 templates of the HTML pages (plain, accessible, no outside assets)."""


@dataclass
class AppState:
    """What ``create_app`` puts on ``app.state.svckg``."""

    settings: Settings
    store: Store
    tokens: TokenTable
    owns_store: bool
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    """Serializes multi-step writes (check then write) made through the API."""
    metrics: Metrics = field(default_factory=Metrics)
    not_ready: str | None = "the dependency index is not built yet"
    """Why ``/readyz`` answers 503 (None: ready)."""
    stopping: bool = False
    """Set on SIGTERM: new writes are refused with 503 while in-flight ones finish."""
    on_stop: list[Callable[[], None]] = field(default_factory=list)
    """Run at shutdown once in-flight writes are done, before the store closes."""

    def mark_stopping(self) -> None:
        """From now on refuse new writes (503) and answer ``/readyz`` 503, so a load balancer
        drains this process while in-flight requests finish."""
        self.stopping = True
        self.not_ready = "the server is stopping"

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
